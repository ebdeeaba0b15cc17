"""Table against exact legs, leg by leg, on the route the beam search commits to.

Why: the one-ship planner searches on the NodalDrift cost table and flies the chosen route with
exact full-J2 legs; when the exact legs cost systematically more than the table, the route the
search commits to does not fit the tank (SL-8 74°, 2026-12-07: +10 to +23 m/s a leg). This
script measures that gap where it arises, without the receding horizon's re-planning: the
problem is built as ``benchmarks/planning.py`` builds it, the cost table (cached on disk, it
takes a minute or more) is searched once (``plan_job(exact=False)``, beam 1000, table Δv ×
``--dv-margin``, default the planners' ``DV_MARGIN``), and every leg of that route is solved
exactly from its *planned* state (ready at the planned arrival before it + the stay; the table's
hint) by ``solve_leg`` — each leg alone, so one leg's lateness does not move the next.

Printed per leg: from → to, flight [days], table strategy (0 wait, 1 drift), table Δv, exact
Δv, exact − table [m/s], the exact leg's kind and impulse magnitudes [m/s], planned and flown
arrival [day of the window]; then the sums. The last line printed is JSON (one object per
leg, and the totals).

Usage: ``python benchmarks/leg_fit.py [--problem sl8-74] [--cache DIR] [--leg-tries 4]``
(``--db`` as in planning.py; the cache holds ``table-<problem>.pkl``; delete it after a change
to the cost model).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from planning import CLUSTERS, catalog_problem
from sweepers.epochs import DAY_S
from sweepers.salvage.planner.legs import solve_leg
from sweepers.salvage.planner.plan import FLIGHTS_DAYS, leg_hint, plan_job
from sweepers.salvage.planner.search import DV_MARGIN
from sweepers.salvage.planner.tables import build_cost_table


def main() -> None:
    """Build (or load) the table, search once, solve every leg exactly, print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default=None)
    ap.add_argument("--problem", default="sl8-74", choices=sorted(CLUSTERS))
    ap.add_argument("--candidates", type=int, default=80)
    ap.add_argument("--cache", default="/tmp/leg_fit")
    ap.add_argument("--leg-tries", type=int, default=4)
    ap.add_argument("--dv-margin", type=float, default=DV_MARGIN,
                    help=f"factor on table Δv in the search (default the planners' {DV_MARGIN})")
    args = ap.parse_args()
    ship, cands = catalog_problem(args.db, args.problem, args.candidates, 20)
    cache = Path(args.cache) / f"table-{args.problem}.pkl"
    if cache.exists():
        with cache.open("rb") as fh:
            table = pickle.load(fh)
    else:
        table = build_cost_table(cands, step_s=2 * DAY_S,
                                 tofs_s=[d * DAY_S for d in FLIGHTS_DAYS])
        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("wb") as fh:
            pickle.dump(table, fh)
    chain = plan_job(ship, cands, width=1000, frame="TEME", dv_margin=args.dv_margin, table=table,
                     exact=False).search
    stay = ship.min_stay_days * DAY_S
    rows: list[dict[str, Any]] = []
    prev, ready = 0, cands.t_start_s
    for pos, (j, slot) in enumerate(zip(chain.nodes, chain.slots, strict=True)):
        hint = leg_hint(table, prev, j, slot)
        k, f = divmod(slot, table.tofs_s.size)
        t = time.perf_counter()
        leg = solve_leg(cands.ephemeris, prev, j, ready, hint,
                        t_latest_arrival_s=cands.t_end_s - stay, tries=args.leg_tries)
        row: dict[str, Any] = {
            "leg": pos, "from": prev, "to": j, "flight_days": float(table.tofs_s[f] / DAY_S),
            "strategy": int(hint.strategy),
            "table_m_s": round(float(table.dv_km_s[prev, j, k, f]) * 1e3, 1),
            "planned_arrival_day": round((hint.t_arrive_s - cands.t_start_s) / DAY_S, 2),
            "wall_s": round(time.perf_counter() - t, 1)}
        if leg is not None:
            row.update(exact_m_s=round(leg.total_dv_km_s * 1e3, 1), kind=leg.kind,
                       excess_m_s=round(leg.total_dv_km_s * 1e3 - row["table_m_s"], 1),
                       impulses_m_s=[round(float(x) * 1e3, 1)
                                     for x in np.linalg.norm(leg.dv_km_s, axis=1)],
                       arrival_day=round((leg.t_arrive_s - cands.t_start_s) / DAY_S, 2))
        rows.append(row)
        print(f"{pos:>2} {prev:>3} → {j:<3} {row['flight_days']:>5.0f} d  s{row['strategy']}  "
              f"table {row['table_m_s']:>6.1f}  exact {row.get('exact_m_s', float('nan')):>6.1f}"
              f"  Δ {row.get('excess_m_s', float('nan')):>+6.1f}  {row.get('kind', '-'):<5} "
              f"{row.get('impulses_m_s', [])}  day {row['planned_arrival_day']:.1f} → "
              f"{row.get('arrival_day', float('nan')):.1f}", flush=True)
        prev, ready = j, chain.t_arrive_s[pos] + stay
    done = [r for r in rows if "exact_m_s" in r]
    totals = {"legs": len(rows), "solved": len(done),
              "table_m_s": round(sum(r["table_m_s"] for r in done), 1),
              "exact_m_s": round(sum(r["exact_m_s"] for r in done), 1),
              "route_table_m_s_with_margin": round(chain.total_dv_km_s * 1e3, 1)}
    print(f"Σ over {totals['solved']}/{totals['legs']} legs: table {totals['table_m_s']} m/s, "
          f"exact {totals['exact_m_s']} m/s (route's table Δv × {args.dv_margin}: "
          f"{totals['route_table_m_s_with_margin']} m/s)")
    print(json.dumps({"problem": args.problem, "legs": rows, "totals": totals}))


if __name__ == "__main__":
    main()
