"""Campaign outputs: per ship the plan JSON, CCSDS OEM and CZML (the planner's writers, with its
screening of the first days of the route against the catalog), and the campaign summary as
JSON and Markdown with a timeline plot (ships × time, targets marked). Epochs UTC; k$, kg.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sweepers.epochs import mjd2000_s_to_datetime64
from sweepers.salvage.campaign.engine import Campaign, FleetResult, Progress, ShipRoute
from sweepers.salvage.planner.output import SCREEN_DAYS, write_outputs


def _iso(t_s: float) -> str:
    return str(mjd2000_s_to_datetime64(t_s))[:19] + "Z"


def ship_summary(route: ShipRoute, campaign: Campaign) -> dict[str, Any]:
    """One ship of a fleet as a JSON-ready dictionary."""
    plan, cands = route.plan, campaign.cands
    worst_r = max((r for r, _ in route.misses), default=0.0)
    worst_v = max((v for _, v in route.misses), default=0.0)
    out: dict[str, Any] = {
        "name": route.name, "launch_window": _iso(route.window_s),
        "assigned": [cands.ids[n - 1] for n in route.assigned],
        "removed": [cands.ids[n - 1] for n in route.reached],
        "stops": [{"id": s.target_id, "name": s.name, "arrival": _iso(s.t_arrive_s),
                   "departure": _iso(s.t_depart_s), "value_kusd": s.value}
                  for s in plan.stops],
        "value_kusd": float(sum(cands.values[n - 1] for n in route.reached)),
        "propellant_kg": round(route.propellant_kg, 2),
        "dv_km_s": round(plan.total_dv_km_s, 5),
        "cost_kusd": round(campaign.config.cost_kusd(1, route.propellant_kg), 1),
        "legs": len(plan.legs), "legs_at_bar": route.legs_at_bar,
        "worst_miss_m": worst_r * 1e3, "worst_miss_m_s": worst_v * 1e3,
    }
    if route.column is not None:
        out["table_estimate"] = {"propellant_kg": round(route.column.propellant_kg, 2),
                                 "cost_kusd": round(route.column.cost_kusd, 1)}
    return out


def fleet_summary(fleet: FleetResult, campaign: Campaign) -> dict[str, Any]:
    """A fleet (chosen or baseline) as a JSON-ready dictionary: ships, totals, left out."""
    config = campaign.config
    ships = [ship_summary(s, campaign) for s in fleet.ships]
    removed = fleet.removed
    prop = fleet.propellant_kg
    legs = sum(s["legs"] for s in ships)
    return {
        "ships": len(ships), "removed": len(removed),
        "value_kusd": float(sum(campaign.cands.values[n - 1] for n in removed)),
        "propellant_kg": round(prop, 2),
        "cost_kusd": round(config.cost_kusd(len(ships), prop), 1),
        "legs": legs, "legs_at_bar": sum(s["legs_at_bar"] for s in ships),
        "worst_miss_m": max((s["worst_miss_m"] for s in ships), default=0.0),
        "worst_miss_m_s": max((s["worst_miss_m_s"] for s in ships), default=0.0),
        "left_out": [x.as_dict() for x in fleet.left_out],
        "milp_rounds": fleet.rounds,
        "wall_s": {k: round(v, 1) for k, v in fleet.wall_s.items()},
        "fleet": ships,
    }


def campaign_summary(campaign: Campaign) -> dict[str, Any]:
    """The campaign as a JSON-ready dictionary (the CLI's ``--json`` and ``campaign.json``)."""
    c = campaign.config
    fleet = fleet_summary(campaign.fleet, campaign)
    out: dict[str, Any] = {
        "targets": {"description": campaign.targets.description,
                    "planned": campaign.cands.n_targets,
                    "refused": [x.as_dict() for x in campaign.targets.refused]},
        "objective": c.objective, "budget_kusd": c.budget_kusd, "max_ships": c.max_ships,
        "windows": [_iso(w) for w in c.windows_s],
        "ship_model": {"name": c.ship.name, "dry_mass_kg": c.ship.dry_mass_kg,
                       "propellant_kg": c.ship.propellant_kg, "isp_s": c.ship.isp_s,
                       "kit_mass_kg": c.ship.kit_mass_kg, "capacity": c.ship.capacity,
                       "min_stay_days": c.ship.min_stay_days, "months": c.ship.months},
        "prices": {"launch_kusd": c.launch_kusd,
                   "propellant_kusd_per_kg": c.propellant_kusd_per_kg},
        "columns": campaign.n_columns,
        "campaign": fleet,
        "wall_s": {k: round(v, 1) for k, v in campaign.wall_s.items()},
    }
    if campaign.baseline is not None:
        out["baseline_greedy"] = fleet_summary(campaign.baseline, campaign)
    return out


def plot_timeline(campaign: Campaign, path: str | Path) -> None:
    """Ships × time: each ship's span from its first arrival to its last departure, a marker
    at each target (labelled with its catalog number); the greedy baseline's ships below,
    greyed. Written as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows: list[tuple[str, ShipRoute, str]] = [(s.name, s, "tab:blue")
                                              for s in campaign.fleet.ships]
    if campaign.baseline is not None:
        rows += [(s.name, s, "0.6") for s in campaign.baseline.ships]
    fig, ax = plt.subplots(figsize=(11, 0.45 * max(len(rows), 4) + 1.5))
    for y, (_, route, colour) in enumerate(rows):
        stops = route.plan.stops
        if not stops:
            continue
        t = [mjd2000_s_to_datetime64(s.t_arrive_s) for s in stops]
        t_end = mjd2000_s_to_datetime64(stops[-1].t_depart_s)
        ax.plot([t[0], t_end], [y, y], color=colour, lw=3, alpha=0.5)
        reached = {campaign.cands.ids[n - 1] for n in route.reached}
        for s, ts in zip(stops, t, strict=True):
            ok = s.target_id in reached
            ax.plot(ts, y, "o" if ok else "x", color=colour if ok else "tab:red", ms=6)
            ax.annotate(s.target_id, (ts, y), xytext=(0, 6), textcoords="offset points",
                        fontsize=6, ha="center", rotation=45)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("UTC")
    s = campaign_summary(campaign)["campaign"]
    ax.set_title(f"{campaign.targets.description}: {s['removed']} removed by {s['ships']} "
                 f"ships, {len(s['left_out'])} left out; cost {s['cost_kusd']:,.0f} k$",
                 fontsize=9, pad=16)
    ax.grid(axis="x", alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def campaign_markdown(data: dict[str, Any], plot: str | None) -> str:
    """The summary (:func:`campaign_summary`) as Markdown: headline, a table per fleet, left-out
    targets with reasons, the plot."""
    fleet = data["campaign"]
    out = [f"# Campaign: {data['targets']['description']}", "",
           f"Objective: {data['objective']}"
           + (f", budget {data['budget_kusd']:,.0f} k$" if data["budget_kusd"] else "")
           + (f", at most {data['max_ships']} ships" if data["max_ships"] else "")
           + f"; windows {', '.join(data['windows'])}; ship {data['ship_model']['name']} "
           f"({data['ship_model']['dry_mass_kg']:g} kg dry, "
           f"{data['ship_model']['propellant_kg']:g} kg propellant, "
           f"Isp {data['ship_model']['isp_s']:g} s, {data['ship_model']['capacity']} kits); "
           f"launch {data['prices']['launch_kusd']:,.0f} k$, propellant "
           f"{data['prices']['propellant_kusd_per_kg']:g} k$/kg.", ""]
    fleets = [("Campaign", fleet)]
    if "baseline_greedy" in data:
        fleets.append(("Greedy fleet baseline", data["baseline_greedy"]))
    for title, f in fleets:
        out += [f"## {title}: {f['removed']} of {data['targets']['planned']} removed by "
                f"{f['ships']} ships, cost {f['cost_kusd']:,.0f} k$", "",
                f"Propellant {f['propellant_kg']:,.0f} kg; value removed "
                f"{f['value_kusd']:,.0f} k$; {f['legs_at_bar']}/{f['legs']} exact legs within "
                f"100 m / 1 m/s after independent re-integration (worst {f['worst_miss_m']:.3g} "
                f"m, {f['worst_miss_m_s']:.3g} m/s).", "",
                "| ship | launch window | removed | propellant kg | Δv m/s | cost k$ | "
                "hazards (7 d) |", "|---|---|---|---:|---:|---:|---:|"]
        for s in f["fleet"]:
            scr = s.get("screening", {})
            hz = scr.get("hazards", "–") if scr.get("status") == "screened" else "–"
            out.append(f"| {s['name']} | {s['launch_window'][:10]} | "
                       f"{', '.join(s['removed']) or '–'} | {s['propellant_kg']:,.0f} | "
                       f"{s['dv_km_s'] * 1e3:,.0f} | {s['cost_kusd']:,.0f} | {hz} |")
        if f["left_out"]:
            out += ["", f"Left out ({len(f['left_out'])}):", ""]
            out += [f"* {x['id']} {x['name']}: {x['reason']}" for x in f["left_out"]]
        out.append("")
    if data["targets"]["refused"]:
        out += [f"Refused at selection ({len(data['targets']['refused'])}):", ""]
        out += [f"* {x['id']} {x['name']}: {x['reason']}" for x in data["targets"]["refused"]]
        out.append("")
    if plot:
        out += [f"![timeline: ships × time]({plot})", ""]
    return "\n".join(out)


def write_campaign(campaign: Campaign, out_dir: str | Path, *, elsets: Any = None,
                   screen_days: float | None = SCREEN_DAYS, plot: bool = True,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Write every ship of the chosen fleet into ``out_dir/<ship>/`` (``plan.json``,
    ``ship.oem``, ``plan.czml``, ``route.png``, the route screened against ``elsets`` over its
    first ``screen_days``: the planner's ``write_outputs``), and ``campaign.json``,
    ``campaign.md``, ``timeline.png``. Returns the summary dictionary (with each ship's
    screening result and files)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = campaign_summary(campaign)
    ships = campaign.fleet.ships
    for k, (route, row) in enumerate(zip(ships, data["campaign"]["fleet"], strict=True)):
        if progress is not None:
            progress("outputs", k, len(ships))
        plan_data = write_outputs(route.plan, out / route.name, elsets=elsets, plot=plot,
                                  screen_days=screen_days)
        row["files"] = {kind: f"{route.name}/{name}" for kind, name in plan_data["files"].items()}
        scr = plan_data.get("screening")
        if scr is not None:
            row["screening"] = {k2: scr[k2] for k2 in ("status", "days", "count", "hazards",
                                                       "reason") if k2 in scr}
    if progress is not None:
        progress("outputs", len(ships), len(ships))
    plot_name = None
    if plot:
        plot_name = "timeline.png"
        plot_timeline(campaign, out / plot_name)
    data["files"] = {"json": "campaign.json", "markdown": "campaign.md",
                     **({"timeline": plot_name} if plot_name else {})}
    (out / "campaign.json").write_text(json.dumps(data, indent=2, default=str),
                                       encoding="utf-8")
    (out / "campaign.md").write_text(campaign_markdown(data, plot_name), encoding="utf-8")
    return data
