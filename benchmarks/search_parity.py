"""Beam-search parity and speed: today's searches against a reference commit's, same run.

Both searches of the house — the one-ship planner's (``salvage.planner.search``: value removed
under a propellant/kit/time budget) and the campaign engine's (``salvage.engine.search``: Σ Δv
+ λ·days, chains and chain pools) — are run on fixed inputs by the code on the path and by the
same modules as they were at ``--ref`` (loaded from ``git show``, default: the commit before the
searches shared one beam core), and must return the same chains with the same objective values
(compared exactly, floats included). Since 8a73b57 the planner's beam ranks its states
differently (the projected value capped by the targets left, ties to the most propellant left):
its beam cases differ from the reference by design (greedy cases do not), while the engine's
must still match. Inputs:

* planner: the synthetic tables of ``tests/salvage/planner/test_search.py`` (exhaustive and
  narrow beams, greedy, a resumed search); the real-catalog clusters of
  ``benchmarks/planning.py`` (SL-16 near 71°, SL-8 near 74° and 83°: the ``--candidates`` most
  valuable bodies, 20 kits, table Δv × 1.3, width ``--width`` (default 500, ``plan_job``'s);
  also ``per_node``, greedy and a search resumed after the greedy route's first stop) and its
  GTOC9 one-ship problem (35 kits, 30-day legs, 40 neighbours);
* engine: the synthetic tables of ``tests/salvage/test_engine_search.py`` and
  ``tests/gtoc9/test_solve_milp.py`` (chains, pools, prized pools), the eight-debris GTOC9
  subset of ``tests/gtoc9/test_solve.py``, and all 123 GTOC9 debris over 400 days with the
  split plane change (width 400, chains of 10, a pool of 10 per depth).

Speed: each search is timed ``--repeats`` times per implementation, interleaved; the table
gives the medians and their ratio (new / reference). Needs a catalog store for the clusters
(``sweepers catalog ingest --bundled --db URL``; without one they are skipped, and said so).

Usage: ``python benchmarks/search_parity.py [--db URL] [--ref COMMIT] [--repeats 3] [--width
500] [--clusters sl16-71,sl8-74,sl8-83] [--cache DIR]`` (``--cache``: keep the clusters' cost
tables, minutes to build, between runs). The last
line printed is JSON: ``cases``, ``identical``, ``skipped``, ``ref_s`` and ``new_s`` (sums of the
medians), ``ratio`` and one row per case.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sweepers.epochs import DAY_S  # noqa: E402
from sweepers.salvage.engine import search as engine_search  # noqa: E402
from sweepers.salvage.engine.model import LegCosts  # noqa: E402
from sweepers.salvage.planner import search as planner_search  # noqa: E402
from sweepers.salvage.planner.tables import CostTable  # noqa: E402

REF = "0aee4c5"
"""main before the searches shared one beam core (their last commit as two copies)."""
SEARCHES = {"planner": "src/sweepers/salvage/planner/search.py",
            "engine": "src/sweepers/salvage/engine/search.py"}


def load_ref(ref: str, path: str, name: str) -> ModuleType:
    """The module at ``path`` as it was at commit ``ref`` (imported under ``name``)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:{path}"], check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{ref}:{path}", "exec"), module.__dict__)
    return module


def chain_row(chain: Any) -> dict[str, Any]:
    """A planner ``Chain`` as plain data (every field, floats unrounded)."""
    return {f: list(v) if isinstance(v, tuple) else v
            for f in ("nodes", "slots", "dv_km_s", "t_depart_s", "t_arrive_s",
                      "propellant_left_kg", "value", "propellant_kg", "total_dv_km_s")
            for v in [getattr(chain, f)]}


def mission_rows(chains: list[Any]) -> list[Any]:
    """Engine ``MissionChain``s as plain data: legs (from, to, departure, arrival, mode, Δv)."""
    return [[[g.from_id, g.to_id, g.departure_day, g.arrival_day, g.mode, g.dv_est_m_s]
             for g in c.legs] for c in chains]


Case = tuple[str, Callable[[ModuleType], Any]]


def planner_cases(table: CostTable, values: np.ndarray, budget: Any, name: str,
                  width: int | None, per_node: int | None = None) -> list[Case]:
    """Beam (and per-node beam), greedy and a search resumed after the first stop."""
    def beam(m: ModuleType, pn: int | None = None) -> Any:
        return chain_row(m.beam_search(table, values, m.Budget(**_fields(budget)), width=width,
                                       per_node=pn))

    def resumed(m: ModuleType) -> Any:  # from the greedy route's first stop
        b = m.Budget(**_fields(budget))
        first = m.greedy_nearest(table, values, b)
        if not len(first):
            return None
        j = first.nodes[0]
        start = m.SearchStart(j, first.t_arrive_s[0], first.propellant_left_kg[0],
                              first.dv_km_s[0], 1, float(values[j]), (j,))
        return chain_row(m.beam_search(table, values, b, width=width, start=start))

    cases: list[Case] = [(f"{name} beam", beam), (f"{name} resumed", resumed),
                         (f"{name} greedy", lambda m: chain_row(
                             m.greedy_nearest(table, values, m.Budget(**_fields(budget)))))]
    if per_node is not None:
        cases.append((f"{name} per_node={per_node}", lambda m: beam(m, per_node)))
    return cases


def _fields(budget: Any) -> dict[str, Any]:
    return {f: getattr(budget, f) for f in budget.__slots__}


def synthetic_planner() -> list[Case]:
    """The tables of the planner's search tests."""
    from salvage.planner.test_search import _budget, _table

    cases: list[Case] = []
    for seed in range(4):
        table = _table(seed)
        values = np.r_[0.0, np.random.default_rng(seed + 10).uniform(1, 5, table.n_nodes - 1)]
        cases += planner_cases(table, values, _budget(), f"synthetic {seed}", None)
    table = _table(11, n_targets=6)
    values = np.r_[0.0, np.arange(1.0, 7.0)]
    for width in (None, 20):
        cases += planner_cases(table, values, _budget(kits=5, propellant_kg=120.0),
                               f"synthetic 11 w={width}", width, per_node=2)
    return cases


def real_planner(db: str | None, n_cand: int, width: int, cache: Path | None,
                 clusters: list[str]) -> tuple[list[Case], list[str]]:
    """The clusters and the GTOC9 one-ship problem of ``benchmarks/planning.py``."""
    from planning import catalog_problem, gtoc9_problem
    from sweepers.errors import StoreError
    from sweepers.salvage.planner.plan import FLIGHTS_DAYS, budget_for
    from sweepers.salvage.planner.tables import build_cost_table

    cases: list[Case] = []
    skipped: list[str] = []
    problems: list[tuple[str, Any, Any, float | None, int | None]] = []
    for cluster in clusters:
        try:
            ship, cands = catalog_problem(db, cluster, n_cand, 20)
        except StoreError as exc:
            skipped.append(f"{cluster}: {exc}")
            continue
        problems.append((cluster, ship, cands, None, None))
    ship, cands = gtoc9_problem(35)
    problems.append(("gtoc9 one-ship", ship, cands, 30.0, 40))
    for name, ship, cands, max_leg_days, neighbours in problems:
        tofs = [d * DAY_S for d in FLIGHTS_DAYS if max_leg_days is None or d <= max_leg_days]
        budget = budget_for(ship, cands, max_leg_days=max_leg_days, dv_margin=1.3)
        path = None if cache is None else cache / f"table-{name.replace(' ', '-')}.pickle"
        if path is not None and path.exists():  # written by this script, below
            table = pickle.loads(path.read_bytes())
        else:
            t = time.perf_counter()
            table = build_cost_table(cands, step_s=2 * DAY_S, tofs_s=tofs,
                                     neighbours=neighbours)
            print(f"  table {name}: {time.perf_counter() - t:.1f} s", flush=True)
            if path is not None:
                path.write_bytes(pickle.dumps(table))
        cases += planner_cases(table, np.r_[0.0, cands.values], budget, name, width,
                               per_node=5)
    return cases, skipped


def engine_cases() -> list[Case]:
    """Chains and pools on the engine's test tables and on GTOC9."""
    from gtoc9.test_solve import SUBSET
    from gtoc9.test_solve_milp import synthetic_table
    from salvage.test_engine_search import RULES, fleet_table
    from sweepers.gtoc9.debris import load_debris
    from sweepers.gtoc9.problem import leg_costs
    from sweepers.gtoc9.solve_costs import DayGrid, cost_block, plane_drift

    fleet = LegCosts(fleet_table(), RULES)  # tests/salvage/test_engine_search.py::costs
    synth = leg_costs(synthetic_table())  # tests/gtoc9/test_solve_milp.py::synthetic_costs
    debris = load_debris()
    grid = DayGrid(n=400)
    subset = np.full((len(debris), len(debris), grid.n), np.inf, dtype=np.float32)
    subset[list(SUBSET)] = cost_block(debris, grid, SUBSET)
    outside = np.ones(len(debris), dtype=bool)
    outside[list(SUBSET)] = False
    subset[:, outside, :] = np.inf
    small = leg_costs(subset)
    in_subset = ~outside
    t = time.perf_counter()
    full = leg_costs(cost_block(debris, grid, np.arange(len(debris))), plane_drift(debris, grid))
    print(f"  table gtoc9 123 x 400 days: {time.perf_counter() - t:.1f} s", flush=True)
    every = np.ones(len(debris), dtype=bool)
    prize = np.linspace(0.0, 300.0, len(debris))

    def chains(costs: LegCosts, avail: np.ndarray, first: int, last: int, length: int,
               width: int, seed: int, **kw: Any) -> Callable[[ModuleType], Any]:
        return lambda m: mission_rows(m.beam_search(costs, avail, first, last, length,
                                                    m.BeamConfig(width=width), seed=seed, **kw))

    def pool(costs: LegCosts, avail: np.ndarray, first: int, last: int, length: int,
             width: int, seed: int, keep: int, **kw: Any) -> Callable[[ModuleType], Any]:
        return lambda m: mission_rows(m.beam_pool(costs, avail, first, last, length,
                                                  m.BeamConfig(width=width), seed=seed,
                                                  keep=keep, **kw))

    return [
        ("engine fleet chains", chains(fleet, np.ones(6, bool), 2, 120, 5, 40, 2)),
        ("engine synthetic pool", pool(synth, np.ones(5, bool), 5, 190, 5, 30, 3, 4)),
        ("engine synthetic prized pool",
         pool(synth, np.ones(5, bool), 5, 190, 3, 30, 3, 2,
              prize_m_s=np.array([0.0, 0.0, 0.0, 0.0, 5000.0]))),
        ("engine gtoc9 subset chains", chains(small, in_subset, 5, 390, 5, 50, 1)),
        ("engine gtoc9 123 chains", chains(full, every, 5, 390, 10, 400, 0)),
        ("engine gtoc9 123 prized pool",
         pool(full, every, 30, 390, 8, 400, 4, 10, prize_m_s=prize)),
    ]


def main() -> None:
    """Run every case with both implementations; print the table and the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default=None, help="SQLAlchemy URL of the catalog store")
    ap.add_argument("--ref", default=REF, help="commit of the reference searches")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--candidates", type=int, default=80)
    ap.add_argument("--width", type=int, default=500)
    ap.add_argument("--clusters", default="sl16-71,sl8-74,sl8-83",
                    help="real-catalog clusters of benchmarks/planning.py (comma-separated)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder keeping the real problems' cost tables between runs")
    args = ap.parse_args()
    ref = {k: load_ref(args.ref, p, f"_ref_{k}_search") for k, p in SEARCHES.items()}
    new = {"planner": planner_search, "engine": engine_search}
    print("building inputs", flush=True)
    real, skipped = real_planner(args.db, args.candidates, args.width, args.cache,
                                 [c for c in args.clusters.split(",") if c])
    cases = [("planner", c) for c in synthetic_planner() + real]
    cases += [("engine", c) for c in engine_cases()]
    rows = []
    print(f"{'case':<40} {'same':>5} {'ref s':>8} {'new s':>8} {'ratio':>6}")
    for kind, (name, run) in cases:
        times: dict[str, list[float]] = {"ref": [], "new": []}
        out: dict[str, Any] = {}
        for _ in range(args.repeats):
            for label, module in (("ref", ref[kind]), ("new", new[kind])):
                t = time.perf_counter()
                out[label] = run(module)
                times[label].append(time.perf_counter() - t)
        ref_s, new_s = (statistics.median(times[k]) for k in ("ref", "new"))
        same = json.dumps(out["ref"]) == json.dumps(out["new"])
        rows.append({"case": name, "identical": same, "ref_s": ref_s, "new_s": new_s,
                     "result": out["new"]})
        print(f"{name:<40} {'yes' if same else 'NO':>5} {ref_s:>8.3f} {new_s:>8.3f} "
              f"{new_s / ref_s:>6.2f}", flush=True)
    ref_total = sum(r["ref_s"] for r in rows)
    new_total = sum(r["new_s"] for r in rows)
    for s in skipped:
        print(f"skipped: {s}")
    print(f"identical {sum(r['identical'] for r in rows)}/{len(rows)}; reference {ref_total:.2f} s,"
          f" new {new_total:.2f} s (ratio {new_total / ref_total:.3f}, medians of {args.repeats})")
    print(json.dumps({"ref": args.ref, "cases": len(rows),
                      "identical": sum(r["identical"] for r in rows), "skipped": skipped,
                      "ref_s": round(ref_total, 3), "new_s": round(new_total, 3),
                      "ratio": round(new_total / ref_total, 3), "rows": rows}))


if __name__ == "__main__":
    main()
