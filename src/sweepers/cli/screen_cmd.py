"""``sweepers screen``: conjunction screening of the store's catalog, or of a ship's OEM against it,
with optional CCSDS CDMs (one per conjunction).

Mount with ``app.command("screen")(screen_cmd.screen)`` in :mod:`sweepers.cli.main`.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
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

if TYPE_CHECKING:
    from sweepers.conjunctions.events import Conjunction
    from sweepers.formats.cdm import Cdm

DEFAULT_DAYS = 7.0
CDM_PC_METHOD = "ALFANO_MAX_PROBABILITY"  # SANA's CDM value for Alfano's maximum Pc
CDM_REF_FRAME = "GCRF"  # TEME is not a CDM frame: states are rotated (frames.teme_to_gcrs)


@dataclass(frozen=True, slots=True)
class Label:
    """How an object is named in a CDM: designator, name, international designator."""

    designator: str
    name: str = ""
    international: str = ""
    ephemeris: str = "NONE"
    maneuverable: str = "N/A"


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
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close approaches within a threshold over a window (SGP4, TCA to the microsecond).

    --oem screens a ship's planned trajectory (OEM in TEME, GCRF/EME2000 or ITRF; every segment
    on its own, never interpolated across a manoeuvre) against the catalog over the OEM's span.
    Pc is Alfano's maximum Pc (TLEs carry no covariance) with CARA hard-body radii where the
    store has them (else 1 m per object). The table is sorted by Pc, then miss distance.
    --cdm-dir writes one CDM per conjunction, named <TCA>_<id1>_<id2>.cdm.
    """
    from sweepers.catalog.store import CatalogStore
    from sweepers.cli.sky_cmd import parse_utc
    from sweepers.conjunctions.screen import median_epoch
    from sweepers.conjunctions.screen import screen as run_screen
    from sweepers.parallel import make_executor

    if sum((all_vs_all, bool(primary), oem is not None)) > 1:
        raise fail("--all, --primary and --oem exclude each other")
    if workers is not None and cluster:
        raise fail("--workers and --cluster exclude each other")
    if hbr_m is not None and oem is None:
        raise fail("--hbr-m is the OEM object's hard-body radius: it needs --oem")
    if days is not None and days <= 0:
        raise fail("--days must be positive")
    t0: datetime | None = parse_utc(start) if start else None
    message = None
    if oem is not None:
        from sweepers.conjunctions.ephemeris import primary_pieces
        from sweepers.formats.oem import load as load_oem

        if not oem.is_file():
            raise fail(f"{oem}: no such file")
        message = load_oem(oem)
        end = t0 + timedelta(days=days) if t0 is not None and days is not None else None
        pieces = primary_pieces(message, t0, end)  # refuses what cannot be screened, early
        as_of = pieces[0].lo.astype("datetime64[us]").item().replace(tzinfo=UTC)
        span_days = float((pieces[-1].hi - pieces[0].lo) / np.timedelta64(1, "us")) / 86400e6
        window = {"start": as_of.isoformat(), "days": span_days}
    else:
        as_of = t0
    with CatalogStore.open(db) as store:
        elsets = store.latest(as_of=as_of)
        infos = store.objects()
    hbr = {o.norad_id: o.hbr_m for o in infos if o.hbr_m is not None}
    if not elsets:
        raise fail(f"no element sets in the store{' before ' + as_of.isoformat() if as_of else ''}")
    executor = make_executor(workers, cluster)
    try:
        with progress_bar(disable=as_json) as bar:
            task = bar.add_task("screening", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            if message is not None:
                from sweepers.conjunctions.ephemeris import screen_ephemeris

                events = screen_ephemeris(
                    message, elsets, t0, days, threshold_km, executor=executor,
                    progress=progress, hbr_m=hbr,
                    primary_hbr_m=hbr_m if hbr_m is not None else 1.0)
            else:
                t0 = t0 or median_epoch(elsets)
                days = DEFAULT_DAYS if days is None else days
                window = {"start": t0.isoformat(), "days": days}
                events = run_screen(elsets, t0, days, threshold_km, primaries=primary or None,
                                    executor=executor, progress=progress, hbr_m=hbr)
    finally:
        close = getattr(executor, "close", None)
        if close:
            close()
    ranked = sorted(events, key=lambda e: (-e.pc, e.miss_km))
    labels = {o.norad_id: Label(str(o.norad_id), o.name or "", o.object_id or "")
              for o in infos}
    oem_label = None
    if message is not None:
        seg = message.segments[0]
        oem_label = Label(seg.object_id, seg.object_name, _intl(seg.object_id), oem.name,
                          "YES")
    written = write_cdms(ranked, cdm_dir, labels, oem_label) if cdm_dir is not None else []
    if as_json:
        out: dict[str, Any] = {
            **window, "threshold_km": threshold_km, "objects": len(elsets),
            "pc_method": "alfano-max", "count": len(ranked),
            "conjunctions": [e.to_dict() for e in ranked],
        }
        if message is not None:
            out["oem"] = {"file": str(oem), "object_name": message.segments[0].object_name,
                          "object_id": message.segments[0].object_id,
                          "segments": len(message.segments)}
        if cdm_dir is not None:
            out["cdm_files"] = [str(p) for p in written]
        print_json(out)
        return
    who = f"{oem_label.designator} ({oem.name}) vs " if oem_label and oem else ""
    table = Table(title=f"{len(ranked)} conjunctions ≤ {threshold_km:g} km, {who}"
                        f"{len(elsets)} objects, {window['start'][:19]} + {window['days']:.3g} d")
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
    if cdm_dir is not None:
        console.print(f"{len(written)} CDMs written to {cdm_dir}", highlight=False)


def _intl(object_id: str) -> str:
    """``object_id`` if it is an international designator (``1998-067A``), else empty."""
    return object_id if re.fullmatch(r"\d{4}-\d{3}[A-Z]{1,3}", object_id.strip()) else ""


def cdm_file_name(event: Conjunction, primary: str) -> str:
    """``<TCA µs, UTC>_<primary>_<secondary>.cdm``: sorts by TCA, unique per pair and TCA."""
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", primary).strip("-") or "0"
    return f"{event.tca.strftime('%Y%m%dT%H%M%S%f')}Z_{safe}_{event.secondary_id}.cdm"


def conjunction_cdm(event: Conjunction, first: Label, second: Label,
                    created: datetime) -> Cdm:
    """The CDM (CCSDS 508.0-B-1) of one conjunction record.

    States at TCA are rotated from TEME to GCRF [km, km/s]; relative position and velocity are
    in the primary's RTN frame [m, m/s]; miss [m], relative speed [m/s]; Pc is Alfano's maximum
    (``COLLISION_PROBABILITY_METHOD = ALFANO_MAX_PROBABILITY``); the combined hard-body radius is
    the ``COMMENT HBR = … [m]`` line CARA writes. TLE element sets carry no covariance: the
    covariance keywords are written as NaN (unknown) and a comment says so.
    """
    from sweepers.conjunctions.events import rtn_components
    from sweepers.formats.cdm import Cdm, CdmObject
    from sweepers.orbits.frames import teme_to_gcrs

    r = np.array([event.r1_km, event.r2_km])[:, None, :]
    v = np.array([event.v1_km_s, event.v2_km_s])[:, None, :]
    r_g, v_g = teme_to_gcrs(r, v, event.tca_jd, event.tca_fr)
    rel_v = rtn_components(event.r1_km, event.v1_km_s,
                           np.subtract(event.v2_km_s, event.v1_km_s))
    objects = []
    for k, (label, age) in enumerate(((first, event.age1_days), (second, event.age2_days))):
        objects.append(CdmObject(
            object=f"OBJECT{k + 1}", object_designator=label.designator,
            catalog_name="SATCAT" if label.designator.isdigit() else "",
            object_name=label.name, international_designator=label.international,
            ref_frame=CDM_REF_FRAME,
            state_km=np.concatenate([r_g[k, 0], v_g[k, 0]]),
            comments=[f"state age at TCA: {age:.6f} days "
                      f"({'OEM segment start' if label.ephemeris != 'NONE' else 'TLE epoch'})"],
            extra={"EPHEMERIS_NAME": label.ephemeris, "COVARIANCE_METHOD": "DEFAULT",
                   "MANEUVERABLE": label.maneuverable}))
    tag = cdm_file_name(event, first.designator)[:-4]
    return Cdm(
        creation_date=created, originator="SWEEPERS", message_id=tag, tca=event.tca,
        miss_distance_m=event.miss_km * 1e3,
        relative_speed_m_s=event.relative_speed_km_s * 1e3,
        relative_position_rtn_m=np.asarray(event.miss_rtn_km) * 1e3,
        relative_velocity_rtn_m_s=rel_v * 1e3,
        collision_probability=event.pc, collision_probability_method=CDM_PC_METHOD,
        hbr_m=event.hbr_m,
        header_comments=[
            f"Pc method: {event.pc_method} (sweepers: Alfano's maximum Pc over an isotropic "
            "covariance of unknown size; TLEs carry no covariance)",
            "no covariance: the CR_R ... CNDOT_NDOT values are NaN (unknown)",
            "screening: SGP4 (TEME) and the OEM's own interpolant; states rotated to GCRF"],
        objects=objects)


def write_cdms(events: list[Conjunction], folder: Path, labels: dict[int, Label],
               oem_label: Label | None = None) -> list[Path]:
    """One KVN CDM per event in ``folder`` (created), each written atomically (a temporary file
    in the same folder, then ``os.replace``). ``oem_label`` names an OEM primary."""
    from sweepers.formats.cdm import dumps_kvn

    folder.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    paths = []
    for event in events:
        first = oem_label or labels.get(event.primary_id, Label(str(event.primary_id)))
        second = labels.get(event.secondary_id, Label(str(event.secondary_id)))
        path = folder / cdm_file_name(event, first.designator)
        text = dumps_kvn(conjunction_cdm(event, first, second, created))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".cdm.tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        paths.append(path)
    return paths
