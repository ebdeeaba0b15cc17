"""``sweepers where`` (states of objects at an epoch) and ``sweepers sweep`` (the main job)."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sweepers.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    fail,
    handle_errors,
    parse_utc,
    print_json,
    progress_bar,
)

FRAMES = ("teme", "gcrs", "itrs")


@handle_errors
def where(
    ids: Annotated[
        list[int], typer.Argument(help="Catalog numbers (Alpha-5 decoded, e.g. 270002).")
    ],
    at: Annotated[str, typer.Option("--at", help="UTC epoch, ISO 8601 (or 'now').")],
    frame: Annotated[str, typer.Option("--frame", help="teme | gcrs | itrs")] = "teme",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where objects are at one epoch: position (km) and velocity (km/s).

    Uses each object's latest element set at or before the epoch (SGP4/SDP4), in TEME, GCRS or
    ITRS.
    """
    from sweepers.catalog.store import CatalogStore
    from sweepers.orbits.sgp4_batch import Sgp4Status, propagate

    frame = frame.lower()
    if frame not in FRAMES:
        raise fail(f"unknown frame {frame!r}: choose one of {', '.join(FRAMES)}")
    epoch = parse_utc(at)
    with CatalogStore.open(db) as store:
        found = {e.norad_id: e for e in store.latest(ids, as_of=epoch)}
        for norad_id in ids:
            if norad_id not in found:  # nothing at or before the epoch: take its earliest set
                history = store.history(norad_id)
                if not history:
                    raise fail(f"object {norad_id} is not in the store ({store.url})")
                found[norad_id] = history[0]
    elsets = [found[i] for i in ids]
    eph = propagate(elsets, [epoch], frame)  # type: ignore[arg-type]
    rows: list[dict[str, Any]] = []
    for k, e in enumerate(elsets):
        status = Sgp4Status(int(eph.status[k, 0]))
        r, v = eph.r[k, 0], eph.v[k, 0]
        rows.append(
            {
                "norad_id": e.norad_id,
                "name": e.object_name,
                "epoch": epoch.isoformat(),
                "frame": frame.upper(),
                "element_set_epoch": e.epoch.isoformat(),
                "element_set_age_days": (epoch - e.epoch).total_seconds() / 86400.0,
                "status": status.name,
                "r_km": None if status else [float(x) for x in r],
                "v_km_s": None if status else [float(x) for x in v],
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"States at {epoch:%Y-%m-%d %H:%M:%S.%f} UTC, frame {frame.upper()}")
    for col in (
        "id",
        "name",
        "set age [d]",
        "x [km]",
        "y [km]",
        "z [km]",
        "vx [km/s]",
        "vy [km/s]",
        "vz [km/s]",
        "status",
    ):
        table.add_column(col, justify="left" if col in ("name", "status") else "right")
    for row in rows:
        r = row["r_km"] or [float("nan")] * 3
        v = row["v_km_s"] or [float("nan")] * 3
        table.add_row(
            str(row["norad_id"]),
            row["name"] or "",
            f"{row['element_set_age_days']:+.2f}",
            *(f"{x:.3f}" for x in r),
            *(f"{x:.6f}" for x in v),
            row["status"],
        )
    console.print(table)
    if any(row["status"] != "OK" for row in rows):
        raise typer.Exit(3)


@handle_errors
def sweep(
    at: Annotated[
        str | None,
        typer.Option("--at", help="Census epoch, ISO 8601 UTC (default: the catalog's date)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Report folder (JSON, Markdown summary, PNG plots).")
    ] = Path("reports/sweep"),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The main job: a census of the sky, a day of propagation, a report folder with plots.

    Census: objects by type, orbit regime, RCS class and element-set age. Then every object is
    propagated for 24 hours at one-minute steps, the 1,000 most massive objects are screened
    for close approaches over those 24 hours, and the default ship (the Victory) gets its best
    salvage route among the most valuable objects in reach (quick mode of `sweepers plan`:
    every leg an exact full-J2 rendezvous). The report folder gets JSON, a Markdown summary, a
    Gabbard diagram, an altitude x inclination density map, a sky snapshot and the route
    (route.json, route.png: RAAN and altitude against time).
    """
    from sweepers.catalog.store import CatalogStore
    from sweepers.census import CensusObject, catalog_date, compute, render_summary, write_report
    from sweepers.census.day_ahead import propagate_day, snapshot_figure, snapshot_start
    from sweepers.census.plots import png_bytes
    from sweepers.census.report import write_atomic

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    epoch = parse_utc(at) if at else None
    with CatalogStore.open(db) as store:
        elsets = store.latest(as_of=epoch)
        if not elsets:
            raise fail(
                f"the store {store.url} has no element sets"
                + (f" at or before {epoch:%Y-%m-%d %H:%M}" if epoch else "")
                + ": run `sweepers catalog ingest --bundled` (or ingest your own files) first"
            )
        info = {o.norad_id: o for o in store.objects()}
    objects = [
        CensusObject.from_records(e, info[e.norad_id].satcat if e.norad_id in info else None)
        for e in elsets
    ]
    timings["load_s"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    as_of = epoch or catalog_date(objects)
    census = compute(objects, as_of)
    timings["census_s"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    with progress_bar(disable=as_json) as progress:
        task = progress.add_task("propagating the next 24 h (1-min steps)", total=len(objects))
        day = propagate_day(
            objects,
            snapshot_start(as_of),
            progress=lambda done, _n: progress.update(task, completed=done),
        )
    timings["propagation_s"] = time.perf_counter() - t2

    t_c = time.perf_counter()
    from sweepers.salvage.value import score_objects

    scored = score_objects(elsets, info)
    close = _largest_objects_conjunctions(elsets, info, scored, snapshot_start(as_of))
    timings["conjunctions_s"] = time.perf_counter() - t_c

    t_r = time.perf_counter()
    route = _victory_route(elsets, scored, snapshot_start(as_of), out, quiet=as_json)
    timings["route_s"] = time.perf_counter() - t_r

    t3 = time.perf_counter()
    written = write_report(census, objects, out)
    close_json = json.dumps([c.to_dict() for c in close], indent=2, default=str) + "\n"
    written.append(write_atomic(out / "conjunctions_24h.json", close_json.encode()))
    written.append(
        write_atomic(out / "sky_snapshot.png", png_bytes(snapshot_figure(census, objects, day)))
    )
    summary_md = out / "summary.md"
    write_atomic(summary_md, (summary_md.read_text(encoding="utf-8") + "\n"
                              + _route_markdown(route)).encode("utf-8"))
    written += [out / name for name in (route or {}).get("files", {}).values()]
    timings["report_s"] = time.perf_counter() - t3
    timings["total_s"] = time.perf_counter() - t0

    if as_json:
        print_json(
            {
                "census": census.to_dict(),
                "day_ahead": day.to_dict(),
                "conjunctions_24h": {
                    "objects": LARGEST_OBJECTS,
                    "threshold_km": CLOSE_KM,
                    "events": [c.to_dict() for c in close],
                },
                "route": route,
                "report": [str(p) for p in written],
                "timings": timings,
            }
        )
        return
    render_summary(census, console)
    rate = day.propagations / max(timings["propagation_s"], 1e-9)
    console.print(
        f"\n[bold]Next 24 h[/]: {day.objects:,} objects × {day.minutes:,} one-minute steps = "
        f"{day.propagations:,} SGP4 states in {timings['propagation_s']:.1f} s "
        f"({rate / 1e6:.1f} M/s); {day.ok_all_day:,} valid all day"
        + (f"; failures: {day.failed}" if day.failed else "")
        + (f"; decaying within the day: {len(day.decaying_ids)}" if day.decaying_ids else "")
    )
    console.print(_conjunction_table(close, snapshot_start(as_of)))
    console.print(f"\n[bold]{ROUTE_TITLE}[/] ({timings['route_s']:.1f} s)")
    for line in _route_lines(route):
        console.print(line, highlight=False)
    err_console.print(f"report: {out}/ ({len(written)} files) in {timings['total_s']:.1f} s")


LARGEST_OBJECTS = 1000  # by estimated mass (CARA, else family table, else RCS-class default)
CLOSE_KM = 10.0


ROUTE_TITLE = "The Victory's best salvage route"


def _victory_route(elsets: list, scored: list, start: datetime, out: Path,
                   quiet: bool) -> dict[str, Any] | None:
    """The default ship's route from ``start`` among the most valuable objects in its reach
    (the candidates of ``sweepers plan``), planned in the quick mode (every leg still solved
    exactly under full J2), written to ``out`` as ``route.json`` and ``route.png``. None when
    no object is in reach."""
    from sweepers.salvage.planner import VICTORY, plan_job_fast
    from sweepers.salvage.planner.output import write_route
    from sweepers.salvage.planner.targets import NoCandidatesError, candidates_in_reach

    ship = VICTORY.with_(start=start)
    try:
        cands = candidates_in_reach(ship, {e.norad_id: e for e in elsets},
                                    {s.norad_id: s for s in scored})
    except NoCandidatesError:
        return None
    stages = {"table": "route: cost table", "search": "route: beam search",
              "legs": "route: exact J2 legs"}
    with progress_bar(disable=quiet) as bars:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stages[stage], total=total)
            bars.update(tasks[stage], completed=done, total=total)

        plan = plan_job_fast(ship, cands, progress=report)
    return write_route(plan, out)


def _route_lines(route: dict[str, Any] | None) -> list[str]:
    from sweepers.salvage.planner.output import route_lines

    if route is None:
        return ["no catalogued object within 250 km and 3 deg of the Victory's orbit"]
    return [*route_lines(route), "full plan with OEM/CZML: `sweepers plan --out DIR`"]


def _route_markdown(route: dict[str, Any] | None) -> str:
    from sweepers.salvage.planner.output import route_markdown

    if route is None:
        return f"## {ROUTE_TITLE}\n\n" + _route_lines(None)[0] + "\n"
    return route_markdown(route, ROUTE_TITLE)


def _largest_objects_conjunctions(elsets: list, info: dict, scored: list,
                                  start: datetime) -> list:
    """Conjunctions within CLOSE_KM in the 24 h from ``start`` among the LARGEST_OBJECTS most
    massive objects (``scored``: every object's salvage score, for its mass; all-vs-all among
    themselves; Alfano max Pc with CARA radii)."""
    from sweepers.conjunctions.screen import screen

    biggest = {s.norad_id for s in sorted(scored, key=lambda s: -s.mass_kg)[:LARGEST_OBJECTS]}
    subset = [e for e in elsets if e.norad_id in biggest]
    hbr = {i: o.hbr_m for i, o in info.items() if i in biggest and o.hbr_m}
    events = screen(subset, start=start, days=1.0, threshold_km=CLOSE_KM, hbr_m=hbr)
    return sorted(events, key=lambda c: (-c.pc, c.miss_km))


def _conjunction_table(events: list, start: datetime, rows: int = 10) -> Table:
    """The top ``rows`` events by max Pc, then miss distance."""
    table = Table(
        title=f"Next 24 h from {start:%Y-%m-%d %H:%M} UTC: closest approaches among the "
        f"{LARGEST_OBJECTS:,} most massive objects (<= {CLOSE_KM:g} km; {len(events)} events)",
        title_justify="left",
    )
    for col in ("primary", "secondary", "TCA (UTC)", "miss km", "v_rel km/s", "max Pc"):
        table.add_column(col, justify="right")
    for c in events[:rows]:
        table.add_row(
            str(c.primary_id),
            str(c.secondary_id),
            f"{c.tca:%m-%d %H:%M:%S}",
            f"{c.miss_km:.3f}",
            f"{c.relative_speed_km_s:.3f}",
            f"{c.pc:.2e}",
        )
    return table
