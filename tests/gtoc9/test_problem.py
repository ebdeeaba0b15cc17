"""The GTOC9 edge of the engine (``gtoc9.problem``): Lambert seed and J2 shooting in metres,
computed by ``sweepers.orbits`` in km. The references are independent integrations: SciPy's
DOP853 for the two-body arc and the checker's own integrator (``check_dynamics``) for J2."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check_dynamics import integrate_j2
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import (
    MU_KM3_S2,
    R_EQ_KM,
    lambert_m,
    node_rate_rad_s,
    pericentre_radius_m,
    propagate_m,
)

from .builders import Leg


def _two_body(s0: np.ndarray, tof_s: float) -> np.ndarray:
    def rhs(_t: float, s: np.ndarray) -> np.ndarray:
        return np.concatenate([s[3:], -rules.MU_M3_S2 * s[:3] / np.linalg.norm(s[:3]) ** 3])

    sol = solve_ivp(rhs, (0, tof_s), s0, method="DOP853", rtol=1e-12, atol=1e-6)
    return sol.y[:, -1]


def test_constants_are_the_rules_in_km() -> None:
    assert pytest.approx(rules.MU_M3_S2, rel=1e-15) == MU_KM3_S2 * 1e9
    assert pytest.approx(rules.R_EQ_M, rel=1e-15) == R_EQ_KM * 1e3


def test_lambert_arc_reaches_the_target_under_two_body(debris: DebrisSet) -> None:
    r1, v1 = debris.states(10, 23500.0)
    r2, _ = debris.states(11, 23500.0 + 3000.0 / 86400)
    w1, w2 = lambert_m(r1, r2, 3000.0, np.cross(r1, v1))
    end = _two_body(np.concatenate([r1, w1]), 3000.0)
    assert np.linalg.norm(end[:3] - r2) < 1e-2
    assert np.linalg.norm(end[3:] - w2) < 1e-5


def test_engine_propagation_in_metres_matches_the_checker(debris: DebrisSet) -> None:
    """One day: ~1e-5 m apart (test_engine_vs_checker has the 30-day bar of 1 m)."""
    r, v = debris.states(40, 23500.0)
    s0 = np.concatenate([r, v])
    gap = propagate_m(s0, rules.DAY_S)[:3] - integrate_j2(s0, rules.DAY_S)[:3]
    assert np.linalg.norm(gap) < 1e-3


def test_node_rate_and_pericentre_in_metres(debris: DebrisSet) -> None:
    raan_dot, _ = debris.secular_rates_rad_s()
    np.testing.assert_allclose(node_rate_rad_s(debris.a_m, debris.e, debris.i_rad), raan_dot)
    r, v = debris.states(np.arange(123), 23500.0)
    np.testing.assert_allclose(pericentre_radius_m(r, v), debris.a_m * (1 - debris.e), rtol=1e-11)


def test_shooting_meets_the_debris_under_j2(debris: DebrisSet, legs: list[Leg]) -> None:
    """The legs of the test mission, re-integrated by the checker's integrator: the departure
    hits the target debris (< 1 mm)."""
    for leg, target in zip(legs, (7, 48), strict=True):
        start = leg.departure_state + np.concatenate([np.zeros(3), leg.dv_departure_m_s])
        tof = (leg.arrival_mjd2000 - leg.departure_mjd2000) * rules.DAY_S
        end = integrate_j2(start, tof)
        r_t, v_t = debris.states(target, leg.arrival_mjd2000)
        assert np.linalg.norm(end[:3] - r_t) < 1e-3
        # the leg's arrival velocity is the engine's; the two integrators differ by ~1e-7 m/s
        np.testing.assert_allclose(end[3:] + leg.dv_arrival_m_s, v_t, atol=1e-6)
        assert leg.dv_total_m_s < 200.0
