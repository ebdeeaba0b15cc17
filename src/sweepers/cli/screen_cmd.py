"""``sweepers screen``: conjunction screening of the store's catalog, or of a ship's OEM against it,
with optional CCSDS CDMs (one per conjunction).

Argument handling and printing only: the job is
:func:`sweepers.conjunctions.catalog_screen.screen_catalog`, the CDMs
:func:`sweepers.conjunctions.cdm_build.write_cdms`. Mount with
``app.command("screen")(screen_cmd.screen)`` in :mod:`sweepers.cli.main`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sweepers.cli.common import (
    DbOption,
    JsonOption,
    StrictEpochsOption,
    console,
    fail,
    handle_errors,
    parse_utc,
    print_json,
    progress_bar,
)


@handle_errors
def screen(
    all_vs_all: Annotated[
        bool, typer.Option("--all", help="Screen every object against every other (default).")
    ] = False,
    primary: Annotated[
        list[int] | None,
        typer.Option("--primary", help="Catalog number to screen against the catalog (repeat)."),
    ] = None,
    oem: Annotated[
        Path | None,
        typer.Option("--oem", help="A ship's planned ephemeris (CCSDS OEM, KVN or XML) to "
                                   "screen against the catalog."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="Window start, UTC ISO 8601 (default: median epoch; with "
                                     "--oem the OEM's first epoch)."),
    ] = None,
    days: Annotated[
        float | None,
        typer.Option("--days", help="Window length [days] (default 7; with --oem the OEM's "
                                    "span)."),
    ] = None,
    threshold_km: Annotated[
        float, typer.Option("--threshold-km", help="Miss-distance threshold [km].")
    ] = 5.0,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Worker processes (default: one process).")
    ] = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    cdm_dir: Annotated[
        Path | None,
        typer.Option("--cdm-dir", help="Write one CCSDS CDM (KVN) per conjunction here."),
    ] = None,
    hbr_m: Annotated[
        float | None,
        typer.Option("--hbr-m", help="Hard-body radius of the OEM's object [m] (default 1)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows in the table.")] = 50,
    strict_epochs: StrictEpochsOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close approaches within a threshold over a window (SGP4, TCA to the microsecond).

    --oem screens a ship's planned trajectory (OEM in TEME, GCRF/EME2000 or ITRF; every segment
    on its own, never interpolated across a manoeuvre) against the catalog over the OEM's span.
    Pc is Alfano's maximum Pc (TLEs carry no covariance) with CARA hard-body radii where the
    store has them (else 1 m per object). The table is sorted by Pc, then miss distance.
    --cdm-dir writes one CDM per conjunction, named <TCA>_<id1>_<id2>.cdm.
    Every object of the store in orbit is screened, each from its newest element set at or
    before the start, else its oldest after it (SGP4 runs backwards too); the output counts
    the objects screened, those from a set after the start, and those left out, by reason.
    """
    from sweepers.conjunctions.catalog_screen import screen_catalog
    from sweepers.conjunctions.cdm_build import write_cdms
    from sweepers.parallel import make_executor

    if sum((all_vs_all, bool(primary), oem is not None)) > 1:
        raise fail("--all, --primary and --oem exclude each other")
    if workers is not None and cluster:
        raise fail("--workers and --cluster exclude each other")
    if hbr_m is not None and oem is None:
        raise fail("--hbr-m is the OEM object's hard-body radius: it needs --oem")
    if days is not None and days <= 0:
        raise fail("--days must be positive")
    executor = make_executor(workers, cluster)
    try:
        with progress_bar(disable=as_json) as bar:
            task = bar.add_task("screening", total=None)
            report = screen_catalog(
                db, start=parse_utc(start) if start else None, days=days,
                threshold_km=threshold_km, primaries=primary or None, oem_file=oem,
                oem_hbr_m=hbr_m, strict_epochs=strict_epochs, executor=executor,
                progress=lambda done, total: bar.update(task, completed=done, total=total))
    finally:
        close = getattr(executor, "close", None)
        if close:
            close()
    ranked, oem_label = report.events, report.oem_label
    written = (write_cdms(ranked, cdm_dir, report.labels, oem_label)
               if cdm_dir is not None else [])
    if as_json:
        out = report.to_dict()
        if cdm_dir is not None:
            out["cdm_files"] = [str(p) for p in written]
        print_json(out)
        return
    who = f"{oem_label.designator} ({oem.name}) vs " if oem_label and oem else ""
    table = Table(title=f"{len(ranked)} conjunctions ≤ {threshold_km:g} km, {who}"
                        f"{report.objects} objects, {report.start.isoformat()[:19]} + "
                        f"{report.days:.3g} d")
    for col in ("primary", "secondary", "TCA (UTC)", "miss [km]", "v_rel [km/s]",
                "R/T/N [km]", "max Pc", "ages [d]"):
        table.add_column(col, justify="right")
    for e in ranked[:limit]:
        table.add_row(
            oem_label.designator if oem_label else str(e.primary_id), str(e.secondary_id),
            e.tca.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            f"{e.miss_km:.3f}", f"{e.relative_speed_km_s:.3f}",
            "/".join(f"{x:.2f}" for x in e.miss_rtn_km), f"{e.pc:.2e}",
            f"{e.age1_days:.1f}/{e.age2_days:.1f}",
        )
    console.print(table)
    console.print(report.population.summary(), highlight=False)
    if cdm_dir is not None:
        console.print(f"{len(written)} CDMs written to {cdm_dir}", highlight=False)
