"""Slow Monte Carlo reference checks (not run by CI): tiny-Pc cases of pc-reference/cases.json.

Run: ``.venv/bin/python benchmarks/pc_mc_slow.py [trials]`` — prints reference, estimate, 95% CI.
"""

from __future__ import annotations

import json
import sys
import time

from sweepers.config import data_dir
from sweepers.conjunctions.pc import pc_monte_carlo
from sweepers.conjunctions.pc.cdm_input import cdm_inputs
from sweepers.formats import cdm as cdmfmt

REF = data_dir() / "pc-reference"


def main(trials: int) -> None:
    cases = {c["id"]: c for c in json.loads((REF / "cases.json").read_text())["cases"]}
    c = cases["alfano2009_case07"]
    e = c["epoch_state"]
    t, w = e["tca_seconds_after_epoch"], c["time_window_s"]
    runs = [("alfano2009_case07 (CARA MC)", 0.00016011,
             lambda: pc_monte_carlo(e["r1"], e["v1"], e["cov1"], e["r2"], e["v2"], e["cov2"],
                                    c["hbr"], window_s=(t + w[0], t + w[1]), trials=trials,
                                    seed=1))]
    d = cases["omitron_3d_vs_2d_disagreement"]
    args = cdm_inputs(cdmfmt.load(REF / d["cdm_file"]), d["hbr"])
    runs.append(("omitron_3d_vs_2d_disagreement (3D-Nc)", 1.9271201e-05,
                 lambda: pc_monte_carlo(*args, trials=trials, seed=1)))
    for name, ref, run in runs:
        t0 = time.perf_counter()
        r = run()
        print(f"{name:40s} ref={ref:.4g} pc={r.pc:.4g} ci95={r.ci95} hits={r.hits} "
              f"{time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000)
