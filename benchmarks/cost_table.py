"""Cost-table build time: this tree against a baseline git revision, same run, same load.

The one-ship planner's cost table (``build_cost_table``, the planning benchmark's settings:
2-day slots, flights of 2–120 days, every pair) is built for one problem by this tree and by
``--baseline-rev`` (default ``70ba30a``, the last commit with the unbounded drift-orbit
least squares), alternately, ``--runs`` times each, each build in a fresh process (the
baseline's sources unpacked with ``git archive``). Also reported: how many table entries pick
the drift strategy and how far their drift orbits go (δa min, lowest perigee altitude).

Usage: ``python benchmarks/cost_table.py --db sqlite:////tmp/store.sqlite --cluster sl16-71
[--runs 2] [--baseline-rev REV]`` (``--problem gtoc9`` for the GTOC9 one-ship table).
The last line printed is JSON: ``{"problem", "baseline_rev", "baseline_s": [...],
"this_s": [...], "ratio_median", ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAY_S = 86400.0


def worker(args: argparse.Namespace) -> None:
    """Build the table once with whatever ``sweepers`` is on the path; print JSON."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import planning  # the benchmark's own problem definitions
    from sweepers.salvage.planner.plan import FLIGHTS_DAYS
    from sweepers.salvage.planner.tables import build_cost_table

    if args.problem == "gtoc9":
        _, cands = planning.gtoc9_problem(35)
        tofs, neighbours = [d for d in FLIGHTS_DAYS if d <= 30.0], 40
    else:
        _, cands = planning.catalog_problem(args.db, args.cluster, args.candidates, 20)
        tofs, neighbours = list(FLIGHTS_DAYS), None
    t = time.perf_counter()
    table = build_cost_table(cands, step_s=2 * DAY_S, tofs_s=[d * DAY_S for d in tofs],
                             neighbours=neighbours)
    wall = time.perf_counter() - t
    finite = np.isfinite(table.dv_km_s)
    drift = finite & (table.strategy == 1)
    a = np.asarray(cands.ephemeris.a_km)[:, None, None, None]
    a = np.broadcast_to(a, table.dv_km_s.shape)
    da = table.drift_da_km.astype(float)
    print(json.dumps({"wall_s": round(wall, 2), "entries": int(finite.sum()),
                      "drift_entries": int(drift.sum()),
                      "drift_da_min_km": round(float(da[drift].min()), 1) if drift.any() else None,
                      "drift_lowest_alt_km": round(float((a + da)[drift].min() - 6378.137), 1)
                      if drift.any() else None}))


def main() -> None:
    """Alternate baseline and this tree, one fresh process per build; print both."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default="sqlite:////tmp/sw1.sqlite")
    ap.add_argument("--problem", default="catalog", choices=["catalog", "gtoc9"])
    ap.add_argument("--cluster", default="sl16-71")
    ap.add_argument("--candidates", type=int, default=80)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--baseline-rev", default="70ba30a")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    cmd = [sys.executable, __file__, "--worker", "--db", args.db, "--problem", args.problem,
           "--cluster", args.cluster, "--candidates", str(args.candidates)]
    rows: dict[str, list[dict]] = {"baseline": [], "this": []}
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline_rev, "src"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        trees = {"baseline": Path(tmp) / "src", "this": ROOT / "src"}
        for run in range(args.runs):
            for name in ("baseline", "this") if run % 2 == 0 else ("this", "baseline"):
                env = {**os.environ, "PYTHONPATH": str(trees[name])}
                out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
                rows[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"{name:<9} run {run + 1}: {rows[name][-1]}", flush=True)
    base = [r["wall_s"] for r in rows["baseline"]]
    this = [r["wall_s"] for r in rows["this"]]
    label = args.cluster if args.problem == "catalog" else "gtoc9"
    print(f"table {label}: baseline {args.baseline_rev} {statistics.median(base):.1f} s, "
          f"this tree {statistics.median(this):.1f} s "
          f"(× {statistics.median(this) / statistics.median(base):.2f})")
    print(json.dumps({"problem": label, "baseline_rev": args.baseline_rev, "baseline_s": base,
                      "this_s": this,
                      "ratio_median": round(statistics.median(this) / statistics.median(base), 3),
                      "baseline": rows["baseline"][-1], "this": rows["this"][-1]}))


if __name__ == "__main__":
    main()
