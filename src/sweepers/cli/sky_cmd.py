"""``sweepers where`` (states of objects at an epoch) and ``sweepers sweep`` (the main job).

Argument handling and printing only: the jobs are :func:`sweepers.positions.states_at` and
:func:`sweepers.sweep.run_sweep`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sweepers.cli.common import (
    DbOption,
    JsonOption,
    StrictEpochsOption,
    console,
    err_console,
    handle_errors,
    parse_utc,
    print_json,
    progress_bar,
)

SWEEP_STAGES = {"propagation": "propagating the next 24 h (1-min steps)",
                "table": "route: cost table", "search": "route: beam search",
                "legs": "route: exact J2 legs"}


@handle_errors
def where(
    ids: Annotated[
        list[int], typer.Argument(help="Catalog numbers (Alpha-5 decoded, e.g. 270002).")
    ],
    at: Annotated[str, typer.Option("--at", help="UTC epoch, ISO 8601 (or 'now').")],
    frame: Annotated[str, typer.Option("--frame", help="teme | gcrs | itrs")] = "teme",
    strict_epochs: StrictEpochsOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where objects are at one epoch: position (km) and velocity (km/s).

    Uses each object's newest element set at or before the epoch, else its oldest after it
    (SGP4/SDP4 runs backwards too), in TEME, GCRS or ITRS. Objects without a state (SGP4 error,
    decayed per the SATCAT, no set before the epoch with --strict-epochs) are counted; exit 3.
    """
    from sweepers.positions import states_at

    report = states_at(db, ids, parse_utc(at), frame, strict_epochs=strict_epochs)
    if as_json:
        print_json(report.to_dict())
    else:
        table = Table(title=f"States at {report.epoch:%Y-%m-%d %H:%M:%S.%f} UTC, "
                            f"frame {report.frame.upper()}")
        for col in ("id", "name", "set age [d]", "x [km]", "y [km]", "z [km]", "vx [km/s]",
                    "vy [km/s]", "vz [km/s]", "status"):
            table.add_column(col, justify="left" if col in ("name", "status") else "right")
        for row in report.rows:
            r = row["r_km"] or [float("nan")] * 3
            v = row["v_km_s"] or [float("nan")] * 3
            age = row["element_set_age_days"]
            table.add_row(
                str(row["norad_id"]),
                row["name"] or "",
                f"{age:+.2f}" if age is not None else "",
                *(f"{x:.3f}" for x in r),
                *(f"{x:.6f}" for x in v),
                row["status"],
            )
        console.print(table)
        console.print(report.summary(), highlight=False)
    if any(row["status"] != "OK" for row in report.rows):
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
    strict_epochs: StrictEpochsOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The main job: a census of the sky, a day of propagation, a report folder with plots.

    Census: objects by type, orbit regime, RCS class and element-set age. Then every object is
    propagated for 24 hours at one-minute steps, the 1,000 most massive objects in orbit are
    screened for close approaches over those 24 hours, and the default ship (the Victory) gets
    its best salvage route among the most valuable objects in reach (quick mode of `sweepers
    plan`: every leg an exact full-J2 rendezvous). The report folder gets JSON, a Markdown
    summary, a Gabbard diagram, an altitude x inclination density map, a sky snapshot and the
    route (route.json, route.png: RAAN and altitude against time). Every object gets its newest
    element set at or before the census epoch, else its oldest after it.
    """
    from sweepers.census import render_summary
    from sweepers.sweep import ROUTE_TITLE, route_lines, run_sweep

    with progress_bar(disable=as_json) as bars:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(SWEEP_STAGES[stage], total=total)
            bars.update(tasks[stage], completed=done, total=total)

        report = run_sweep(db, parse_utc(at) if at else None, out, strict_epochs=strict_epochs,
                           progress=progress)
    if as_json:
        print_json(report.to_dict())
        return
    timings, day = report.timings, report.day
    render_summary(report.census, console)
    rate = day.propagations / max(timings["propagation_s"], 1e-9)
    console.print(
        f"\n[bold]Next 24 h[/]: {day.objects:,} objects × {day.minutes:,} one-minute steps = "
        f"{day.propagations:,} SGP4 states in {timings['propagation_s']:.1f} s "
        f"({rate / 1e6:.1f} M/s); {day.ok_all_day:,} valid all day"
        + (f"; failures: {day.failed}" if day.failed else "")
        + (f"; decaying within the day: {len(day.decaying_ids)}" if day.decaying_ids else "")
    )
    console.print(_conjunction_table(report.conjunctions, report.start))
    console.print(f"24-h screening: {report.population.summary()}", highlight=False)
    console.print(f"\n[bold]{ROUTE_TITLE}[/] ({timings['route_s']:.1f} s)")
    for line in route_lines(report.route):
        console.print(line, highlight=False)
    err_console.print(f"report: {out}/ ({len(report.files)} files) in {timings['total_s']:.1f} s")


def _conjunction_table(events: list, start: datetime, rows: int = 10) -> Table:
    """The top ``rows`` events by max Pc, then miss distance."""
    from sweepers.sweep import CLOSE_KM, LARGEST_OBJECTS

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
