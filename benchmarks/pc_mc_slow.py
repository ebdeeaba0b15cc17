"""Slow Pc reference checks (not run by CI) against pc-reference/cases.json.

* every Hall 3D-Nc row (the suite marks the long GEO/HEO windows ``slow``), at CARA's rel 1e-3;
* Monte Carlo rows whose reference Pc is too small for the suite's 4e4 trials.

Run: ``.venv/bin/python benchmarks/pc_mc_slow.py [trials]`` — prints one table row per check.
"""

from __future__ import annotations

import json
import sys
import time

from sweepers.config import data_dir
from sweepers.conjunctions.pc import pc_3d_hall, pc_monte_carlo
from sweepers.conjunctions.pc.cdm_input import cdm_inputs
from sweepers.formats import cdm as cdmfmt

REF = data_dir() / "pc-reference"


def _inputs(case: dict) -> tuple:
    if "cdm_file" in case:
        return cdm_inputs(cdmfmt.load(REF / case["cdm_file"]), case["hbr"])
    return (case["r1"], case["v1"], case["cov1"], case["r2"], case["v2"], case["cov2"],
            case["hbr"])


def _window(case: dict) -> tuple[float, float] | None:
    w = case.get("time_window_s")
    return (float(w[0]), float(w[1])) if w else None


def main(trials: int) -> None:
    cases = json.loads((REF / "cases.json").read_text())["cases"]
    print(f"{'case':34s} {'method':8s} {'expected':>12s} {'got':>12s} {'check':>22s} pass  time")
    for case in cases:
        for exp in case["expected"]:
            if exp.get("dimension") != "3D":
                continue
            t0 = time.perf_counter()
            res = pc_3d_hall(*_inputs(case), window_s=_window(case))
            if "abs_tol" in exp:
                ok, check = abs(res.pc - exp["pc"]) <= exp["abs_tol"], f"abs {exp['abs_tol']:g}"
            else:
                rel = res.pc / exp["pc"] - 1.0
                ok, check = abs(rel) <= exp["rel_tol"], f"rel {rel:+.2e} <= {exp['rel_tol']:g}"
            print(f"{case['id']:34s} {'3D-Nc':8s} {exp['pc']:12.6g} {res.pc:12.6g} {check:>22s} "
                  f"{'yes' if ok else 'NO ':4s} {time.perf_counter() - t0:5.1f}s", flush=True)
    by_id = {c["id"]: c for c in cases}
    c = by_id["alfano2009_case07"]
    ref = next(e for e in c["expected"] if "ci95" in e)
    t0 = time.perf_counter()
    r = pc_monte_carlo(*_inputs(c), window_s=_window(c), trials=trials, seed=1)
    ok = r.ci95 is not None and r.ci95[0] <= ref["pc"] <= r.ci95[1]
    print(f"{'alfano2009_case07':34s} {'MC':8s} {ref['pc']:12.6g} {r.pc:12.6g} "
          f"{'ref in our 95% CI':>22s} {'yes' if ok else 'NO ':4s} "
          f"{time.perf_counter() - t0:5.1f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000)
