"""``sweepers screen``: conjunction screening of the store's catalog (draft for the lead).

Mount with ``app.command("screen")(screen_cmd.screen)`` in :mod:`sweepers.cli.main`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from sweepers.cli.common import (
    DbOption,
    JsonOption,
    console,
    fail,
    handle_errors,
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
    start: Annotated[
        str | None,
        typer.Option("--start", help="Window start, UTC ISO 8601 (default: median epoch)."),
    ] = None,
    days: Annotated[float, typer.Option("--days", help="Window length [days].")] = 7.0,
    threshold_km: Annotated[
        float, typer.Option("--threshold-km", help="Miss-distance threshold [km].")
    ] = 5.0,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Worker processes (default: one process).")
    ] = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows in the table.")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close approaches within a threshold over a window (SGP4, TCA to the microsecond).

    Pc is Alfano's maximum Pc (TLEs carry no covariance) with CARA hard-body radii where the
    store has them (else 1 m per object). The table is sorted by Pc, then miss distance.
    """
    from sweepers.catalog.store import CatalogStore
    from sweepers.cli.sky_cmd import parse_utc
    from sweepers.conjunctions.screen import median_epoch
    from sweepers.conjunctions.screen import screen as run_screen
    from sweepers.parallel import make_executor

    if all_vs_all and primary:
        raise fail("--all and --primary exclude each other")
    if workers is not None and cluster:
        raise fail("--workers and --cluster exclude each other")
    t0: datetime | None = parse_utc(start) if start else None
    with CatalogStore.open(db) as store:
        elsets = store.latest(as_of=t0)
        hbr = {o.norad_id: o.hbr_m for o in store.objects() if o.hbr_m is not None}
    if not elsets:
        raise fail(f"no element sets in the store{' before ' + start if start else ''}")
    t0 = t0 or median_epoch(elsets)
    executor = make_executor(workers, cluster)
    with progress_bar(disable=as_json) as bar:
        task = bar.add_task("screening", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        events = run_screen(elsets, t0, days, threshold_km, primaries=primary or None,
                            executor=executor, progress=progress, hbr_m=hbr)
    close = getattr(executor, "close", None)
    if close:
        close()
    ranked = sorted(events, key=lambda e: (-e.pc, e.miss_km))
    if as_json:
        out: dict[str, Any] = {
            "start": t0.isoformat(), "days": days,
            "threshold_km": threshold_km, "objects": len(elsets),
            "pc_method": "alfano-max", "count": len(ranked),
            "conjunctions": [e.to_dict() for e in ranked],
        }
        print_json(out)
        return
    table = Table(title=f"{len(ranked)} conjunctions ≤ {threshold_km:g} km over {days:g} d "
                        f"({len(elsets)} objects)")
    for col in ("primary", "secondary", "TCA (UTC)", "miss [km]", "v_rel [km/s]",
                "R/T/N [km]", "max Pc", "ages [d]"):
        table.add_column(col, justify="right")
    for e in ranked[:limit]:
        table.add_row(
            str(e.primary_id), str(e.secondary_id), e.tca.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            f"{e.miss_km:.3f}", f"{e.relative_speed_km_s:.3f}",
            "/".join(f"{x:.2f}" for x in e.miss_rtn_km), f"{e.pc:.2e}",
            f"{e.age1_days:.1f}/{e.age2_days:.1f}",
        )
    console.print(table)
