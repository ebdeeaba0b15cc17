"""``sweepers plan``: plan a salvage job for one ship — which targets, when, with which burns."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
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
    from sweepers.catalog.store import CatalogStore
    from sweepers.salvage.planner import VICTORY, load_ship, make_candidates, plan_job
    from sweepers.salvage.planner.output import write_outputs
    from sweepers.salvage.planner.targets import ephemeris_from_elsets, seconds_since_mjd2000
    from sweepers.salvage.value import rank_targets, score_objects

    ship = load_ship(ship_file) if ship_file is not None else VICTORY
    ship = ship.with_(propellant_kg=propellant_kg, months=months)
    start_id = from_id if from_id is not None else ship.orbit.from_norad_id
    wanted = _parse_ids(candidates)

    with CatalogStore.open(db, create=False) as store:
        elements = store.latest()
        if not elements:
            raise fail(f"the store {store.url} has no element sets: ingest a catalog first")
        meta = {o.norad_id: o for o in store.objects()}
    by_id = {e.norad_id: e for e in elements}
    scored = {s.norad_id: s for s in score_objects(elements, meta)}
    start_eph = None
    if start_id is not None:
        if start_id not in by_id:
            raise fail(f"--from {start_id}: no element set in the store")
        start_eph = ephemeris_from_elsets([by_id[start_id]])
        s0 = scored[start_id]
        alt, inc = (s0.perigee_km, s0.apogee_km), s0.inclination_deg
    else:
        alt_km = ship.orbit.a_km - 6378.137
        alt, inc = (alt_km, alt_km), math.degrees(ship.orbit.inclination_rad)
    if wanted is not None:
        missing = [i for i in wanted if i not in by_id]
        if missing:
            raise fail(f"--candidates: no element set for {missing}")
        chosen = [scored[i] for i in wanted if i != start_id]
    else:
        chosen = [s for s in rank_targets(scored.values(), by="value",
                                          alt_km=(alt[0] - 250, alt[1] + 250),
                                          inc_deg=(inc - 3, inc + 3), top=top + 1)
                  if s.norad_id != start_id][:top]
    if not chosen:
        raise fail("no candidate targets near the start orbit (try --candidates)")
    t0 = seconds_since_mjd2000(ship.start) if ship.start else max(
        seconds_since_mjd2000(by_id[s.norad_id].epoch) for s in chosen)
    cands = make_candidates(
        ship, ephemeris_from_elsets([by_id[s.norad_id] for s in chosen]),
        [str(s.norad_id) for s in chosen], [s.name or str(s.norad_id) for s in chosen],
        [s.value_kusd for s in chosen], [s.mass_kg for s in chosen], t0, start=start_eph)

    with progress_bar(disable=as_json) as bars:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(STAGES[stage], total=total)
            bars.update(tasks[stage], completed=done, total=total)

        result = plan_job(ship, cands, dv_cap_km_s=dv_km_s, width=width, progress=report)
    data = (write_outputs(result, out, elsets=elements) if out is not None
            else result.as_dict())
    if as_json:
        print_json(data)
        return
    _show(data)
    if out is not None:
        console.print(f"written to {out}: " + ", ".join(data["files"].values()), highlight=False)


def _show(data: dict[str, Any]) -> None:
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
