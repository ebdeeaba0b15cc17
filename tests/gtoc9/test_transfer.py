"""Lambert seed and J2 shooting (groundwork for the solver)."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.dynamics import integrate_j2
from sweepers.gtoc9.transfer import Leg, lambert_two_body


def _two_body(s0: np.ndarray, tof_s: float) -> np.ndarray:
    def rhs(_t: float, s: np.ndarray) -> np.ndarray:
        return np.concatenate([s[3:], -rules.MU_M3_S2 * s[:3] / np.linalg.norm(s[:3]) ** 3])

    sol = solve_ivp(rhs, (0, tof_s), s0, method="DOP853", rtol=1e-12, atol=1e-6)
    return sol.y[:, -1]


def test_lambert_arc_reaches_the_target_under_two_body(debris: DebrisSet) -> None:
    r1, v1 = debris.states(10, 23500.0)
    r2, _ = debris.states(11, 23500.0 + 3000.0 / 86400)
    w1, w2 = lambert_two_body(r1, r2, 3000.0, np.cross(r1, v1))
    end = _two_body(np.concatenate([r1, w1]), 3000.0)
    assert np.linalg.norm(end[:3] - r2) < 1e-2
    assert np.linalg.norm(end[3:] - w2) < 1e-5


def test_shooting_meets_the_debris_under_j2(debris: DebrisSet, legs: list[Leg]) -> None:
    """The legs of the test mission: J2-propagated departure hits the target debris (< 1 mm)."""
    for leg, target in zip(legs, (7, 48), strict=True):
        start = leg.departure_state + np.concatenate([np.zeros(3), leg.dv_departure_m_s])
        tof = (leg.arrival_mjd2000 - leg.departure_mjd2000) * rules.DAY_S
        end = integrate_j2(start, tof)
        r_t, v_t = debris.states(target, leg.arrival_mjd2000)
        assert np.linalg.norm(end[:3] - r_t) < 1e-3
        np.testing.assert_allclose(end[3:] + leg.dv_arrival_m_s, v_t, atol=1e-9)
        assert leg.dv_total_m_s < 200.0
