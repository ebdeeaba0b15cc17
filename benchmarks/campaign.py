"""Fleet campaign on the real catalog: every SL-16 (Zenit-2 second stage) rocket body in LEO,
removed with the fewest ships, against a greedy fleet baseline flown in the same run.

Targets: ``--family "SL-16 R/B"`` in 0–2,000 km (``select_targets``; the 2023-10 catalog of the
bundled store holds 22, 18 near 71° and 4 near 98°), element sets within 30 days of the newest.
Ships: *Victory* (2,000 kg dry, 1,000 kg propellant, Isp 320 s, 30 kg kits, 2-day stays,
12 months), each launched straight to its first target in one fleet window (the newest
element-set epoch). Cost: 10,000 k$ a launch + 2.72 k$ per kg of propellant burnt.

Campaign (``plan_campaign``): one cost table, candidate chains from beam-search sweeps (count,
values, perturbed, LP-priced), the set-partitioning MILP (every target exactly once, least
cost), every ship flown with the planner's exact full-J2 legs and re-integrated independently
(100 m / 1 m/s), left-out targets re-offered. Baseline (``greedy_fleet``): ships one after
another, each the planner's greedy nearest-next flown with the same exact legs, until every
target is removed. Then the chosen fleet's outputs (plan JSON, OEM, CZML per ship; summary and
timeline) are written with each route screened against the catalog over its first 7 days
(``--screen-days``).

Usage: ``python benchmarks/campaign.py [--db URL] [--family "SL-16 R/B"] [--inc LO:HI]
[--out DIR] [--leg-tries 1] [--dv-margin X]``. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sweepers.catalog.store import CatalogStore
from sweepers.epochs import seconds_since_mjd2000
from sweepers.errors import StoreError
from sweepers.salvage.campaign.engine import CampaignConfig, plan_campaign
from sweepers.salvage.campaign.report import write_campaign
from sweepers.salvage.campaign.targets import select_targets
from sweepers.salvage.planner import VICTORY
from sweepers.salvage.value import score_objects

INGEST_HINT = "run `sweepers catalog ingest --bundled` first (or pass --db / set SWEEPERS_DB)"


def main() -> None:
    """Plan the campaign and the baseline, print the comparison and the JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default=None, help="store URL (default as the CLI)")
    ap.add_argument("--family", default="SL-16 R/B")
    ap.add_argument("--inc", default=None, help="LO:HI [deg]")
    ap.add_argument("--leg-tries", type=int, default=1)
    ap.add_argument("--width", type=int, default=100)
    ap.add_argument("--fly-width", type=int, default=200)
    ap.add_argument("--dv-margin", type=float, default=None,
                    help="factor on table Δv (default: the campaign's, CampaignConfig)")
    ap.add_argument("--screen-days", type=float, default=7.0)
    ap.add_argument("--out", default="/tmp/sweepers-campaign-benchmark")
    args = ap.parse_args()
    t_all = time.perf_counter()
    try:
        with CatalogStore.open(args.db, create=False) as store:
            elements = store.latest()
            meta = {o.norad_id: o for o in store.objects()}
    except StoreError as exc:
        raise SystemExit(f"campaign: {exc}; {INGEST_HINT}") from None
    if not elements:
        raise SystemExit(f"campaign: the store holds no element sets; {INGEST_HINT}")
    by_id = {e.norad_id: e for e in elements}
    scored = {s.norad_id: s for s in score_objects(elements, meta)}
    inc = tuple(float(x) for x in args.inc.split(":")) if args.inc else None
    targets = select_targets(by_id, scored, family=args.family, inc_deg=inc)  # type: ignore[arg-type]
    window = max(seconds_since_mjd2000(e.epoch) for e in targets.elsets)
    config = CampaignConfig(ship=VICTORY, windows_s=(window,), leg_tries=args.leg_tries,
                            width=args.width, fly_width=args.fly_width,
                            **({} if args.dv_margin is None else {"dv_margin": args.dv_margin}))
    print(f"{targets.description}; {len(targets.refused)} refused", flush=True)
    last = {"stage": ""}

    def progress(stage: str, done: int, total: int) -> None:
        if stage in ("ships", "greedy", "outputs") and (stage, done) != last["stage"]:
            last["stage"] = (stage, done)  # type: ignore[assignment]
            print(f"  {stage} {done}/{total} ({time.perf_counter() - t_all:.0f} s)", flush=True)

    t = time.perf_counter()
    campaign = plan_campaign(targets, config, progress=progress)
    wall_plan = time.perf_counter() - t
    t = time.perf_counter()
    data = write_campaign(campaign, Path(args.out), elsets=elements,
                          screen_days=args.screen_days, progress=progress)
    wall_out = time.perf_counter() - t
    c, b = data["campaign"], data["baseline_greedy"]
    print(f"{'':24}{'ships':>6}{'removed':>9}{'left':>6}{'prop kg':>9}{'cost k$':>10}"
          f"{'legs ok':>9}")
    for name, f in (("campaign (MILP)", c), ("greedy fleet", b)):
        print(f"{name:24}{f['ships']:>6}{f['removed']:>9}{len(f['left_out']):>6}"
              f"{f['propellant_kg']:>9,.0f}{f['cost_kusd']:>10,.0f}"
              f"{f['legs_at_bar']:>5}/{f['legs']:<3}")
    hazards = [s.get("screening", {}).get("hazards") for s in c["fleet"]]
    row = {
        "problem": f"campaign {args.family}" + (f" {args.inc}" if args.inc else ""),
        "targets": data["targets"]["planned"], "refused": len(data["targets"]["refused"]),
        "ships": c["ships"], "removed": c["removed"], "left_out": len(c["left_out"]),
        "propellant_kg": c["propellant_kg"], "cost_kusd": c["cost_kusd"],
        "legs": c["legs"], "legs_at_bar": c["legs_at_bar"],
        "worst_miss_m": round(c["worst_miss_m"], 3),
        "baseline_ships": b["ships"], "baseline_removed": b["removed"],
        "baseline_propellant_kg": b["propellant_kg"], "baseline_cost_kusd": b["cost_kusd"],
        "baseline_legs_at_bar": f"{b['legs_at_bar']}/{b['legs']}",
        "saving_vs_greedy": round(1.0 - c["cost_kusd"] / b["cost_kusd"], 3)
        if b["cost_kusd"] else None,
        "columns": data["columns"], "milp": c["milp_rounds"],
        "screening_hazards_7d": hazards,
        "wall_s": {"total": round(time.perf_counter() - t_all, 1),
                   "plan": round(wall_plan, 1), "outputs_and_screening": round(wall_out, 1),
                   **data["wall_s"]},
        "out": args.out,
    }
    sys.stdout.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
