"""``sweepers campaign``: plan a fleet campaign — which ship removes which targets, and when."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sweepers.cli.common import (
    EXIT_REJECTED,
    DbOption,
    JsonOption,
    catalog_snapshot,
    console,
    fail,
    handle_errors,
    parse_utc,
    print_json,
    progress_bar,
)
from sweepers.epochs import seconds_since_mjd2000
from sweepers.errors import SweepersError

STAGES = {"table": "cost table", "columns": "candidate chains (beam sweeps)",
          "ships": "ships flown (exact J2 legs)", "greedy": "greedy fleet baseline",
          "outputs": "outputs and screening"}


def _ids(text: str) -> list[int]:
    try:
        ids = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise fail(f"--targets wants catalog numbers ID,ID,..., not {text!r}") from None
    if not ids:
        raise fail("--targets is empty")
    return ids


def _range(text: str | None, what: str) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        lo, hi = (float(x) for x in text.split(":"))
    except ValueError:
        raise fail(f"{what} wants LO:HI, not {text!r}") from None
    if lo > hi:
        raise fail(f"{what}: {lo:g} > {hi:g}")
    return lo, hi


def _window(text: str) -> float:
    """A launch window's epoch (ISO 8601, UTC) [s since MJD2000]."""
    try:
        return seconds_since_mjd2000(parse_utc(text))
    except SweepersError:
        raise fail(f"--window {text!r} is not an ISO 8601 date") from None


@handle_errors
def campaign(
    family: Annotated[
        str | None, typer.Option("--family", help='Targets: a family, e.g. "SL-16 R/B".')
    ] = None,
    top_critical: Annotated[
        int | None, typer.Option("--top-critical", min=1,
                                 help="Targets: the N most critical objects.")
    ] = None,
    targets: Annotated[
        str | None, typer.Option("--targets", help="Targets: these catalog numbers ID,ID,...")
    ] = None,
    inc_deg: Annotated[
        str | None, typer.Option("--inc", help="Only inclinations LO:HI [deg] (family, top-N).")
    ] = None,
    alt_km: Annotated[
        str, typer.Option("--alt", help="Only orbits inside LO:HI [km] (family, top-N).")
    ] = "0:2000",
    max_age_days: Annotated[
        float, typer.Option("--max-age-days", min=0,
                            help="Refuse element sets older than this before the newest [days].")
    ] = 30.0,
    ships: Annotated[
        int | None, typer.Option("--ships", min=1,
                                 help="Fleet size cap (default: as few as the cost makes).")
    ] = None,
    windows: Annotated[
        list[str] | None, typer.Option("--window",
                                       help="Launch window (ISO 8601 UTC); repeatable. "
                                            "Default: the newest element-set epoch.")
    ] = None,
    ship_file: Annotated[
        Path | None, typer.Option("--ship", help="Ship model (TOML); default: Victory.")
    ] = None,
    propellant_kg: Annotated[
        float | None, typer.Option("--propellant-kg", min=0, help="Propellant per ship [kg].")
    ] = None,
    months: Annotated[
        float | None, typer.Option("--months", min=0.1, help="Each ship's job [months].")
    ] = None,
    budget_kusd: Annotated[
        float | None, typer.Option("--budget-kusd", min=0,
                                   help="Maximise the value removed within this budget [k$] "
                                        "(default: remove every target at least cost).")
    ] = None,
    launch_kusd: Annotated[
        float, typer.Option("--launch-kusd", min=0, help="Price of one launch [k$].")
    ] = 10_000.0,
    propellant_kusd_per_kg: Annotated[
        float | None, typer.Option("--propellant-kusd-per-kg", min=0,
                                   help="Price of propellant burnt [k$/kg]; default the launch "
                                        "price per kg, 2.72.")
    ] = None,
    width: Annotated[int, typer.Option("--beam", min=1, help="Beam width of the sweeps.")] = 100,
    leg_tries: Annotated[
        int, typer.Option("--leg-tries", min=1, help="Exact solves per leg (distinct starts).")
    ] = 2,
    baseline: Annotated[
        bool, typer.Option("--baseline/--no-baseline",
                           help="Also fly the greedy fleet baseline.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write per-ship plan/OEM/CZML and the summary.")
    ] = None,
    screen_days: Annotated[
        float, typer.Option("--screen-days", min=0,
                            help="With --out: screen each route's first D days (0: none).")
    ] = 7.0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan a fleet campaign: assign targets to ships and sequence them.

    Targets are a family (--family "SL-16 R/B"), the most critical objects (--top-critical N)
    or a list (--targets). Candidate chains come from the one-ship planner's cost table and
    beam search; a set-partitioning MILP picks the ships' chains (every target once at least
    cost, or the most value within --budget-kusd); each ship is flown with exact full-J2 legs
    and re-integrated (100 m, 1 m/s); targets that do not fit are re-offered, then reported.
    Exit status 3 when targets were left out or refused.
    """
    from sweepers.salvage.campaign.engine import CampaignConfig, plan_campaign
    from sweepers.salvage.campaign.report import campaign_summary, write_campaign
    from sweepers.salvage.campaign.targets import select_targets
    from sweepers.salvage.planner import VICTORY, load_ship
    from sweepers.salvage.value import score_objects
    from sweepers.salvage.value.scores import LAUNCH_PRICE_KUSD_PER_KG

    ship = load_ship(ship_file) if ship_file is not None else VICTORY
    ship = ship.with_(propellant_kg=propellant_kg, months=months)
    ids = _ids(targets) if targets is not None else None
    inc, alt = _range(inc_deg, "--inc"), _range(alt_km, "--alt")
    if sum(x is not None for x in (family, top_critical, ids)) != 1:
        raise fail("give exactly one of --family, --top-critical, --targets")
    windows_s = [_window(w) for w in windows or []]

    elements, meta, _ = catalog_snapshot(db)
    by_id = {e.norad_id: e for e in elements}
    scored = {s.norad_id: s for s in score_objects(elements, meta)}
    chosen = select_targets(by_id, scored, family=family, top_critical=top_critical, ids=ids,
                            inc_deg=inc, alt_km=alt, max_age_days=max_age_days)
    if not windows_s:
        windows_s = [seconds_since_mjd2000(ship.start) if ship.start else
                     max(seconds_since_mjd2000(e.epoch) for e in chosen.elsets)]
    try:
        config = CampaignConfig(
            ship=ship, windows_s=tuple(sorted(windows_s)), max_ships=ships,
            objective="value" if budget_kusd is not None else "cost", budget_kusd=budget_kusd,
            launch_kusd=launch_kusd,
            propellant_kusd_per_kg=(LAUNCH_PRICE_KUSD_PER_KG if propellant_kusd_per_kg is None
                                    else propellant_kusd_per_kg),
            width=width, leg_tries=leg_tries)
    except ValueError as exc:
        raise fail(str(exc)) from None

    with progress_bar(disable=as_json) as bars:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in STAGES:
                return
            if stage not in tasks:
                tasks[stage] = bars.add_task(STAGES[stage], total=total)
            bars.update(tasks[stage], completed=done, total=total)

        result = plan_campaign(chosen, config, baseline=baseline, progress=report)
        data = (write_campaign(result, out, elsets=elements, screen_days=screen_days,
                               progress=report)
                if out is not None else campaign_summary(result))
    left = len(data["campaign"]["left_out"]) + len(data["targets"]["refused"])
    if as_json:
        print_json(data)
    else:
        _show(data)
        if out is not None:
            console.print(f"written to {out}: campaign.json, campaign.md, timeline.png and one "
                          "folder per ship", highlight=False)
    if left:
        raise typer.Exit(EXIT_REJECTED)


def _show(data: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    f = data["campaign"]
    table = Table(title=f"{data['targets']['description']}: {f['removed']} of "
                        f"{data['targets']['planned']} removed by {f['ships']} ships, cost "
                        f"{f['cost_kusd']:,.0f} k$", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("ship", "launch", "removed", "propellant kg", "Δv m/s", "legs at bar"):
        table.add_column(col, justify="left" if col in ("ship", "removed") else "right")
    for s in f["fleet"]:
        table.add_row(s["name"], s["launch_window"][:10], ", ".join(s["removed"]) or "-",
                      f"{s['propellant_kg']:,.0f}", f"{s['dv_km_s'] * 1e3:,.0f}",
                      f"{s['legs_at_bar']}/{s['legs']}")
    console.print(table)
    for x in f["left_out"] + data["targets"]["refused"]:
        console.print(f"left out {x['id']} {x['name']}: {x['reason']}", highlight=False)
    if "baseline_greedy" in data:
        b = data["baseline_greedy"]
        console.print(f"greedy fleet baseline: {b['removed']} removed by {b['ships']} ships, "
                      f"cost {b['cost_kusd']:,.0f} k$, propellant {b['propellant_kg']:,.0f} kg",
                      highlight=False)
