"""Every expectation of the CARA reference cases (pc-reference/cases.json), with provenance.

Each parametrised id is ``<case id>/<expectation index>``; the case's ``source`` field names the
CARA file it came from (NASA CARA_Analysis_Tools, commit in cases.json). What checks what:

* 2D expectations → :func:`pc_2d` (rule chosen to match the CARA function named), tolerance as
  stated, except where noted in ``_TOL_OVERRIDE`` (reason given there).
* MC expectations (``dimension == "MC"``) → :func:`pc_monte_carlo` with a fixed seed, from the
  states CARA's MC used: TCA states + the case's window for the Alfano CARA-MC rows (CARA
  samples at TCA; Alfano's own MC rows, propagated from his epoch states, carry no interval).
* 3D (Hall 3D-Nc) expectations → :func:`pc_3d_hall` at the case's tolerance (CARA's 1e-3).
* ``instantaneous`` (Alfano's max instantaneous probability) → not implemented (skipped).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sweepers.config import data_dir
from sweepers.conjunctions.pc import pc_2d, pc_3d_hall, pc_monte_carlo
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
_MC_SLOW = {"alfano2009_case07"}
# Known disagreement (measured; see montecarlo.py): CARA's reference is not reproduced by its own
# window convention. Coppola bounds shrunk to 5% of the period (CARA's unit test code) give
# 0.013 here and 0.0146 by brute-force first-contact counting; the full 16000 s bounds give 0.38
# by brute force.
_MC_KNOWN = {
    # Another version of CARA's Pc_MC_Kep2body_parallel_UnitTest.m (test06, same CDM, HBR 20 m)
    # expects 1.1325e-01: CARA's own figure for this slow encounter moved by 2x between
    # versions, i.e. it is set by the sampling window rather than by the physics.
    "mc_OmitronTestCase_Test06_MinRelVel": "CARA 0.241 not reproduced: ours 0.013 (brute force "
                                           "0.0146) in CARA's 5%-of-period window; another "
                                           "CARA version of this test expects 0.113",
}


def _inputs(case: dict) -> tuple:
    if "cdm_file" in case:
        return cdm_inputs(cdm_codec.load(REF / case["cdm_file"]), case["hbr"])
    return (case["r1"], case["v1"], case["cov1"], case["r2"], case["v2"], case["cov2"],
            case["hbr"])


# 3D-Nc rows taking 2-6 s each (long GEO/HEO windows): marked slow to keep the suite short;
# benchmarks/pc_mc_slow.py runs them (all 15 3D rows pass at rel 1e-3, see its table)
_SLOW_3D = {f"alfano2009_case{i:02d}" for i in (1, 2, 3, 4, 6, 7, 8, 10, 11)}


def _params() -> list:
    out = []
    for case in CASES:
        for i, exp in enumerate(case["expected"]):
            slow = exp.get("dimension") == "3D" and case["id"] in _SLOW_3D
            out.append(pytest.param(case, i, exp, id=f"{case['id']}/{i}",
                                    marks=[pytest.mark.slow] if slow else []))
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


def _window(case: dict) -> tuple[float, float] | None:
    w = case.get("time_window_s")
    return (float(w[0]), float(w[1])) if w else None


def _mc(case: dict, trials: int):
    return pc_monte_carlo(*_inputs(case), window_s=_window(case), trials=trials, seed=7)


def _check_3d(case: dict, exp: dict) -> None:
    res = pc_3d_hall(*_inputs(case), window_s=_window(case))
    if "abs_tol" in exp:
        assert abs(res.pc - exp["pc"]) <= exp["abs_tol"]
    else:
        assert res.pc == pytest.approx(exp["pc"], rel=exp["rel_tol"]), res.notes


def _check_mc(case: dict, exp: dict) -> None:
    res = _mc(case, _MC_TRIALS)
    if exp["pc"] == 0:
        assert res.hits == 0
        return
    # statistical check: reference within 3.29 sigma (99.9%) of our estimate, or CARA's own
    # 10% accuracy target where it states one
    sigma = math.sqrt(exp["pc"] * (1 - exp["pc"]) / _MC_TRIALS)
    bound = max(3.29 * sigma, exp.get("rel_tol", 0.0) * exp["pc"])
    assert abs(res.pc - exp["pc"]) <= bound, (res.pc, res.ci95)


@pytest.mark.parametrize(("case", "idx", "exp"), _params())
def test_reference_case(case: dict, idx: int, exp: dict) -> None:
    dim = exp.get("dimension", case["dimension"] if case["dimension"] in ("2D", "MC") else "2D")
    cid = case["id"]
    if dim == "2D":
        _check_2d(case, idx, exp)
    elif dim == "instantaneous":
        # Alfano's table lists 0 for 10 of 12 cases, including case 12 whose instantaneous
        # probability cannot be 0 (its 3D-Nc is 2.4e-3): the zeros mean "not reported", and the
        # two numbers (cases 9, 11) come from his sampling with no stated accuracy
        pytest.skip("Alfano's maximum instantaneous probability is not implemented")
    elif dim == "3D":
        _check_3d(case, exp)
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
