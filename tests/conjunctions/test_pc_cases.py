"""Every expectation of the CARA reference cases (pc-reference/cases.json), with provenance.

Each parametrised id is ``<case id>/<expectation index>``; the case's ``source`` field names the
CARA file it came from (NASA CARA_Analysis_Tools, commit in cases.json). What checks what:

* 2D expectations → :func:`pc_2d` (rule chosen to match the CARA function named), tolerance as
  stated, except where noted in ``_TOL_OVERRIDE`` (reason given there).
* MC expectations (``dimension == "MC"``) → :func:`pc_monte_carlo` with a fixed seed.
* 3D (Hall 3D-Nc) expectations → not implemented; checked against our Monte Carlo interval only
  where the case says 3D ≈ MC, otherwise skipped with the reason.
* ``instantaneous`` (Alfano's max instantaneous probability) → not implemented (skipped).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sweepers.config import data_dir
from sweepers.conjunctions.pc import pc_2d, pc_monte_carlo
from sweepers.conjunctions.pc.cdm_input import cdm_inputs
from sweepers.formats import cdm as cdm_codec

REF = data_dir() / "pc-reference"
CASES = json.loads((REF / "cases.json").read_text())["cases"] if (REF / "cases.json").exists() \
    else []

# CARA's PcCircle falls back to MATLAB `integral` (RelTol 1e-6) where its Gauss-Chebyshev test
# fails: these values are only good to ~1e-6 (PcCircle and PcCircleWithConjData disagree with
# each other by 6e-8 for HBR=10). Our exact integral sits between the two.
_TOL_OVERRIDE = {("cara_hbr_sweep", 1): 1e-6, ("cara_hbr_sweep", 2): 1e-6,
                 ("cara_hbr_sweep", 8): 1e-6}
# MC trials per case, and cases whose reference is beyond what a few-second run resolves.
_MC_TRIALS = 40_000
_MC_SLOW = {"alfano2009_case07", "omitron_3d_vs_2d_disagreement"}
# Known disagreements (see report): exact two-body Cartesian-sampled MC vs CARA's MC.
_MC_KNOWN = {
    "alfano2009_case09": "epoch states do not propagate to the TCA states (1.3 km); ours agrees "
                         "with Alfano's MC 0.365, not CARA's 0.2798",
    "alfano2009_case11": "ours ~0.0045 vs CARA 0.00244 / Alfano 0.00333: unresolved",
    "alfano2009_case12": "ours ~0.0040 vs CARA 0.00242 / Alfano 0.00256: unresolved",
    "mc_OmitronTestCase_Test06_MinRelVel": "CARA samples equinoctial elements; Cartesian "
                                           "sampling gives 0.10 vs 0.24 for this slow encounter",
}


def _inputs(case: dict) -> tuple:
    if "cdm_file" in case:
        return cdm_inputs(cdm_codec.load(REF / case["cdm_file"]), case["hbr"])
    return (case["r1"], case["v1"], case["cov1"], case["r2"], case["v2"], case["cov2"],
            case["hbr"])


def _params() -> list:
    out = []
    for case in CASES:
        for i, exp in enumerate(case["expected"]):
            out.append(pytest.param(case, i, exp, id=f"{case['id']}/{i}"))
    return out


def _hbr(value: object) -> float:
    return math.inf if value == "Infinity" else float(value)  # type: ignore[arg-type]


def _check_2d(case: dict, idx: int, exp: dict) -> None:
    r1, v1, c1, r2, v2, c2, hbr = _inputs(case)
    hbr = _hbr(exp.get("hbr", hbr))
    hard = {"squareEquArea": "square-equal-area"}.get(exp.get("hbr_type", "circle"),
                                                      exp.get("hbr_type", "circle"))
    # PcCircle/PcCircleWithConjData values are CARA's GC64 rule; others are exact integrals
    rule = "cara-gc64" if "PcCircle" in exp["method"] else "adaptive"
    res = pc_2d(r1, v1, c1, r2, v2, c2, hbr, hard_body=hard, rule=rule)
    if exp["pc"] is None:
        assert math.isnan(res.pc) and res.reason
        return
    tol = _TOL_OVERRIDE.get((case["id"], idx), exp.get("rel_tol", 1e-3))
    if "abs_tol" in exp:
        assert abs(res.pc - exp["pc"]) <= exp["abs_tol"]
    elif exp["pc"] == 0:
        assert res.pc == 0.0
    else:
        assert res.pc == pytest.approx(exp["pc"], rel=tol)


def _mc(case: dict, trials: int):
    if case["id"].startswith("alfano"):
        e = case["epoch_state"]
        t = e["tca_seconds_after_epoch"]
        w = case["time_window_s"]
        return pc_monte_carlo(e["r1"], e["v1"], e["cov1"], e["r2"], e["v2"], e["cov2"],
                              case["hbr"], window_s=(t + w[0], t + w[1]), trials=trials, seed=7)
    return pc_monte_carlo(*_inputs(case), trials=trials, seed=7)


def _check_mc(case: dict, exp: dict, *, three_d: bool = False) -> None:
    res = _mc(case, _MC_TRIALS)
    if exp["pc"] == 0:
        assert res.hits == 0
        return
    # statistical check: reference within 3.29 sigma (99.9%) of our estimate, or CARA's own
    # 10% accuracy target where it states one; 3D-Nc compared the same way (3D ≈ MC cases only)
    sigma = math.sqrt(exp["pc"] * (1 - exp["pc"]) / _MC_TRIALS)
    bound = max(3.29 * sigma, exp.get("rel_tol", 0.0) * exp["pc"]) if not three_d else 3.29 * sigma
    assert abs(res.pc - exp["pc"]) <= bound, (res.pc, res.ci95)


@pytest.mark.parametrize(("case", "idx", "exp"), _params())
def test_reference_case(case: dict, idx: int, exp: dict) -> None:
    dim = exp.get("dimension", case["dimension"] if case["dimension"] in ("2D", "MC") else "2D")
    cid = case["id"]
    if dim == "2D":
        _check_2d(case, idx, exp)
    elif dim == "instantaneous":
        pytest.skip("Alfano's maximum instantaneous probability is not implemented")
    elif dim == "3D":
        if cid == "omitron_npd_cdm":
            _check_mc(case, exp, three_d=True)
        elif cid in _MC_SLOW:
            pytest.skip("3D-Nc reference too small for a fast MC: benchmarks/pc_mc_slow.py")
        elif cid == "cara_2d_vs_3d_similar" or "alfano" in cid:
            pytest.skip("Hall 3D-Nc not implemented; the case's CARA MC row is checked instead")
        else:
            pytest.skip("Hall 3D-Nc not implemented")
    elif dim == "MC":
        if cid in _MC_KNOWN:
            pytest.xfail(_MC_KNOWN[cid])
        if cid in _MC_SLOW:
            pytest.skip("reference Pc too small for a fast MC: benchmarks/pc_mc_slow.py")
        if "ci95" not in exp and "rel_tol" not in exp:
            pytest.skip("Alfano's own MC value (no CI); the CARA MC row of this case is checked")
        _check_mc(case, exp)


def test_case_provenance() -> None:
    """Every case names its CARA source file(s)."""
    assert len(CASES) == 28
    for case in CASES:
        assert case["source"], case["id"]
        assert Path(REF / case["cdm_file"]).exists() if "cdm_file" in case else True
