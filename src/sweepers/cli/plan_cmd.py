"""``sweepers plan``: plan a salvage job for one ship — which targets, when, with which burns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from sweepers.cli.common import (
    DbOption,
    JsonOption,
    catalog_snapshot,
    console,
    fail,
    handle_errors,
    print_json,
    progress_bar,
)

STAGES = {"table": "cost table", "search": "beam search", "legs": "exact J2 legs"}


def _parse_ids(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        ids = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise fail(f"--candidates wants catalog numbers ID,ID,..., not {text!r}") from None
    if not ids:
        raise fail("--candidates is empty")
    return ids


@handle_errors
def plan(
    ship_file: Annotated[
        Path | None, typer.Option("--ship", help="Ship description (TOML); default: Victory.")
    ] = None,
    from_id: Annotated[
        int | None, typer.Option("--from", help="Start at this catalogued object's orbit.")
    ] = None,
    propellant_kg: Annotated[
        float | None, typer.Option("--propellant-kg", min=0, help="Propellant on board [kg].")
    ] = None,
    dv_km_s: Annotated[
        float | None, typer.Option("--dv-km-s", min=0, help="Cap on the total Δv [km/s].")
    ] = None,
    months: Annotated[
        float | None, typer.Option("--months", min=0.1, help="Length of the job [months].")
    ] = None,
    candidates: Annotated[
        str | None, typer.Option("--candidates", help="Only these targets: ID,ID,...")
    ] = None,
    top: Annotated[
        int, typer.Option("--top", min=1, help="Candidates: the N most valuable near the start.")
    ] = 30,
    width: Annotated[int, typer.Option("--beam", min=1, help="Beam width of the search.")] = 500,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write plan.json, ship.oem, plan.czml, route.png.")
    ] = None,
    screen_days: Annotated[
        float, typer.Option("--screen-days", min=0,
                            help="With --out: screen the first D days of the route against "
                                 "the catalog (0: no screening).")
    ] = 7.0,
    unclaimed_only: Annotated[
        bool, typer.Option("--unclaimed-only",
                           help="Leave out targets held by an active claim or salvaged (the "
                                "operations service's registry in the same database).")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan a salvage job: the most value removed within the ship's propellant and time.

    Candidates are the most valuable objects whose orbits lie within 250 km of altitude and 3
    degrees of inclination of the start orbit (or the --candidates list). Legs are planned as
    "wait (or drift on a slightly different orbit) until the planes line up, then a short
    transfer": a cheap J2 nodal-drift cost table, a beam search over it, then every leg solved
    exactly under full J2 (a drift burn, then <= 3 impulses over <= 3 days, arrival within
    100 m and 1 m/s). The ship leaves one de-orbit kit at each target.
    """
    from sweepers.salvage.planner import VICTORY, load_ship, plan_job
    from sweepers.salvage.planner.output import write_outputs
    from sweepers.salvage.planner.targets import NoCandidatesError, candidates_in_reach
    from sweepers.salvage.value import score_objects
    from sweepers.salvage.value.unclaimed import unclaimed

    ship = load_ship(ship_file) if ship_file is not None else VICTORY
    ship = ship.with_(propellant_kg=propellant_kg, months=months)
    start_id = from_id if from_id is not None else ship.orbit.from_norad_id
    wanted = _parse_ids(candidates)

    elements, meta, held = catalog_snapshot(db, unclaimed_only=unclaimed_only)
    by_id = {e.norad_id: e for e in elements}
    held.discard(start_id)  # the ship's own start orbit is where it is, claimed or not
    if wanted is not None and held & set(wanted):
        raise fail(f"--candidates: claimed or salvaged, left out by --unclaimed-only: "
                   f"{sorted(held & set(wanted))}")
    scored = {s.norad_id: s for s in unclaimed(score_objects(elements, meta), held)}
    try:
        cands = candidates_in_reach(ship, by_id, scored, top=top, start_id=start_id,
                                    wanted=wanted)
    except NoCandidatesError as exc:
        raise fail(str(exc)) from None

    with progress_bar(disable=as_json) as bars:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(STAGES[stage], total=total)
            bars.update(tasks[stage], completed=done, total=total)

        result = plan_job(ship, cands, dv_cap_km_s=dv_km_s, width=width, progress=report)
    data = (write_outputs(result, out, elsets=elements, screen_days=screen_days)
            if out is not None else result.as_dict())
    if as_json:
        print_json(data)
        return
    _show(data)
    if out is not None:
        console.print(f"written to {out}: " + ", ".join(data["files"].values()), highlight=False)


def _show(data: dict[str, Any]) -> None:
    from sweepers.salvage.planner.output import left_out_line

    totals = data["totals"]
    table = Table(title=f"Plan for {data['ship']}: {totals['targets']} targets, value "
                        f"{totals['value']:,.0f} k$", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("#", "id", "name", "arrival (UTC)", "departure (UTC)", "value k$", "leg Δv m/s"):
        table.add_column(col, justify="left" if col in ("name", "id") else "right")
    legs = {g["to"]: g for g in data["legs"]}
    for k, t in enumerate(data["targets"], start=1):
        leg = legs.get(t["id"])
        table.add_row(str(k), t["id"], t["name"], t["arrival"][:16], t["departure"][:16],
                      f"{t['value']:,.0f}", f"{leg['dv_km_s'] * 1e3:.1f}" if leg else "-")
    console.print(table)
    per_t = totals["value_per_tonne_propellant"]
    console.print(
        f"Δv {totals['dv_km_s'] * 1e3:.1f} m/s, propellant {totals['propellant_kg']:.1f} kg"
        + (f", {per_t:,.0f} k$ per tonne of propellant" if per_t else "")
        + f"; greedy nearest-next baseline: {data['baseline_greedy']['targets']} targets, "
        f"value {data['baseline_greedy']['value']:,.0f} k$", highlight=False)
    left = left_out_line(data)
    if left:
        console.print(left, highlight=False)
