"""Properties of the Pc methods beyond the reference table: tails, special values, max Pc, CDM."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sweepers.config import data_dir
from sweepers.conjunctions.pc import (
    PcMethod,
    clopper_pearson,
    compute_pc,
    pc_2d,
    pc_3d_hall,
    pc_from_cdm,
    pc_max_alfano,
    pc_monte_carlo,
    rtn_to_inertial_covariance,
)
from sweepers.conjunctions.pc import equinoctial as eq
from sweepers.conjunctions.pc.foster2d import log_erf_diff, log_pc_circle_adaptive
from sweepers.formats import cdm as cdmfmt

REF = data_dir() / "pc-reference"
CASES = {c["id"]: c for c in json.loads((REF / "cases.json").read_text())["cases"]}


def test_log_erf_diff_far_tail() -> None:
    # erf(41) - erf(40) ~ 1.5e-697: far below double range, log must be finite and right
    val = float(log_erf_diff(40.0, 41.0))
    expected = -(40.0**2) - math.log(40.0 * math.sqrt(math.pi))  # asymptotic erfc(40)
    assert val == pytest.approx(expected, rel=1e-4)
    assert float(log_erf_diff(-41.0, -40.0)) == pytest.approx(val)


@pytest.mark.parametrize("sigmas", [8.0, 16.0, 25.0, 30.0])
def test_tiny_pc_matches_small_hbr_limit(sigmas: float) -> None:
    # isotropic sigma 1, miss d, tiny R: Pc ~ R^2/2 exp(-d^2/2) (uniform density over the disc)
    log_pc, _ = log_pc_circle_adaptive(sigmas, 0.0, 1.0, 1.0, 1e-4)
    approx = 2 * math.log(1e-4) - math.log(2.0) - 0.5 * sigmas**2
    assert log_pc == pytest.approx(approx, abs=1e-3)
    assert math.isfinite(log_pc)  # 30 sigma is ~1e-204: no underflow in log space


def test_special_values() -> None:
    c = CASES["omitron_01"]
    args = (c["r1"], c["v1"], c["cov1"], c["r2"], c["v2"], c["cov2"])
    assert pc_2d(*args, math.inf).pc == 1.0
    assert pc_2d(*args, 0.0).pc == 0.0
    neg = pc_2d(*args, -0.02)
    assert neg.pc == 0.0 and neg.notes
    same = pc_2d(c["r1"], c["v1"], c["cov1"], c["r2"], c["v1"], c["cov2"], 0.02)
    assert math.isnan(same.pc) and "relative velocity" in (same.reason or "")


def test_adjust_to_tca_moves_miss_into_plane() -> None:
    c = CASES["omitron_02"]  # states 3.7% off TCA (README)
    args = (c["r1"], c["v1"], c["cov1"], c["r2"], c["v2"], c["cov2"], c["hbr"])
    noadj = pc_2d(*args)
    adj = pc_2d(*args, adjust_to_tca=True)
    exact_proj = pc_2d(*args, full_miss=False)
    assert noadj.pc == pytest.approx(0.180736, rel=1e-5)
    assert exact_proj.pc == pytest.approx(0.180766, rel=1e-5)  # README's projected value
    assert adj.miss_m < noadj.miss_m


@pytest.mark.parametrize("cid", [f"alfano2009_case{i:02d}" for i in range(1, 12)])
def test_alfano_max_pc_bounds_2d(cid: str) -> None:
    c = CASES[cid]
    args = (c["r1"], c["v1"], c["cov1"], c["r2"], c["v2"], c["cov2"], c["hbr"])
    pc = pc_2d(*args).pc
    pmax = pc_max_alfano(c["r1"], c["v1"], c["r2"], c["v2"], c["hbr"], cov1=c["cov1"],
                         cov2=c["cov2"])
    assert pmax.method is PcMethod.ALFANO_MAX
    assert pmax.pc >= pc * (1 - 1e-9)
    iso = pc_max_alfano(c["r1"], c["v1"], c["r2"], c["v2"], c["hbr"])
    d = iso.miss_m
    if d > 10 * c["hbr"]:  # small-HBR closed form R^2/(e d^2)
        assert iso.pc == pytest.approx(c["hbr"] ** 2 / (math.e * d**2), rel=1e-2)


def test_rtn_rotation_matches_case_file() -> None:
    c = CASES["mc_AlfanoTestCase05"]
    cdm = cdmfmt.load(REF / c["cdm_file"])
    r = cdm.object1.position_km * 1e3
    v = cdm.object1.velocity_km_s * 1e3
    eci = rtn_to_inertial_covariance(cdm.object1.covariance_rtn, r, v)
    assert np.allclose(eci, eci.T)
    # the rotation preserves the eigenvalues of the position block
    assert np.allclose(np.linalg.eigvalsh(eci[:3, :3]),
                       np.linalg.eigvalsh(cdm.object1.covariance_rtn[:3, :3]), rtol=1e-9)


def test_pc_from_cdm_and_auto() -> None:
    cdm = cdmfmt.load(REF / "cdm/SampleCDMs/OmitronTestCase_Test01_HighPc.cdm")
    res = pc_from_cdm(cdm)
    assert res.method is PcMethod.FOSTER_2D and res.usage_violation is False
    assert res.pc == pytest.approx(0.42, rel=0.01) and res.hbr_m == 20.0
    slow = cdmfmt.load(REF / "cdm/SampleCDMs/AlfanoTestCase06.cdm")
    nc = pc_from_cdm(slow)
    assert nc.method is PcMethod.HALL_3D and nc.usage_violation  # rectilinear stage flags it
    mc = pc_from_cdm(slow, "monte-carlo", trials=20_000, seed=3)
    assert mc.ci95 is not None and mc.ci95[0] <= mc.pc <= mc.ci95[1]
    nohbr = cdmfmt.load(REF / "cdm/SampleCDMs/OmitronTestCase_Test08_3DNc.cdm")
    with pytest.raises(Exception, match="hard-body"):
        pc_from_cdm(nohbr)
    assert pc_from_cdm(nohbr, "foster-2d", hbr_m=20).pc == pytest.approx(2.2660816e-20, rel=1e-3)
    # CARA's curvilinear stage: Test08 passes the rectilinear indicators, 2D is 15 orders low
    auto = pc_from_cdm(nohbr, hbr_m=20)
    assert auto.method is PcMethod.HALL_3D and auto.usage_violation
    assert auto.pc == pytest.approx(1.9271201e-05, rel=1e-3)


def test_equinoctial_round_trip_and_jacobian() -> None:
    c = CASES["alfano2009_case05"]
    x = np.r_[c["r1"], c["v1"]]
    e = eq.from_cartesian(x)
    assert np.allclose(eq.to_cartesian(e), x, rtol=0, atol=1e-6)
    _, jac = eq.state_and_jacobian(e, 600.0)
    step = 1e-7 * np.maximum(np.abs(e), 1e-3)
    fd = np.column_stack([(eq.state_and_jacobian(e + d, 600.0)[0]
                           - eq.state_and_jacobian(e - d, 600.0)[0]) / (2 * d.max())
                          for d in np.diag(step)])
    assert np.allclose(jac, fd, rtol=1e-5, atol=1e-6 * np.abs(jac).max())


def test_hall_3d_special_values_and_linear_limit() -> None:
    c = CASES["alfano2009_case05"]  # fast LEO encounter: 3D-Nc equals the 2D Pc
    args = (c["r1"], c["v1"], c["cov1"], c["r2"], c["v2"], c["cov2"])
    assert pc_3d_hall(*args, 0.0).pc == 0.0
    assert pc_3d_hall(*args, math.inf).pc == 1.0
    nc = pc_3d_hall(*args, c["hbr"], window_s=(-1419.0, 1419.0))
    assert nc.pc == pytest.approx(pc_2d(*args, c["hbr"]).pc, rel=2e-4)


def test_monte_carlo_counts_first_contact_in_window() -> None:
    # case 11 (0.08 m/s leader-follower): pairs already overlapping when the window opens are not
    # collisions in it; counting them gave ~0.004 against CARA's 0.0024
    c = CASES["alfano2009_case11"]
    args = (c["r1"], c["v1"], c["cov1"], c["r2"], c["v2"], c["cov2"], c["hbr"])
    res = pc_monte_carlo(*args, window_s=(-1420.0, 1420.0), trials=40_000, seed=5)
    assert res.ci95 is not None and res.ci95[0] <= 0.0024364 <= res.ci95[1]


def test_monte_carlo_is_seedable_and_ci() -> None:
    c = CASES["cara_2d_vs_3d_similar"]
    args = (c["r1"], c["v1"], c["cov1"], c["r2"], c["v2"], c["cov2"], c["hbr"])
    a = compute_pc(*args, method="monte-carlo", trials=5000, seed=11)
    b = compute_pc(*args, method="monte-carlo", trials=5000, seed=11)
    assert a.hits == b.hits
    lo, hi = clopper_pearson(0, 1000)
    assert lo == 0.0 and hi == pytest.approx(0.003682, rel=1e-3)


def test_max_pc_without_covariance_is_alfano_isotropic_bound() -> None:
    """TLE-only objects: no covariance at all. Alfano (2005): for an isotropic covariance and
    HBR ≪ miss, Pc_max = HBR² / (e · miss²) (at sigma = miss / sqrt(2))."""
    import math

    from sweepers.conjunctions.pc import pc_max_alfano

    r1, v1 = [7000e3, 0.0, 0.0], [0.0, 7.5e3, 0.0]
    r2, v2 = [7000e3, 0.0, 1000.0], [0.0, 0.0, 7.5e3]  # 1 km miss, crossing at 90°
    res = pc_max_alfano(r1, v1, r2, v2, 5.0)
    assert math.isfinite(res.pc)
    assert res.pc == pytest.approx(5.0**2 / (math.e * 1000.0**2), rel=1e-3)
