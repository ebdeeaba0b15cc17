"""J2 equations of motion and the accuracy of the integrator (Kelvins "Equations" page)."""

from __future__ import annotations

import numpy as np
import pytest

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check_dynamics import (
    integrate_j2,
    j2_acceleration,
    pericentre_radius_m,
    propagate_dop853,
)
from sweepers.gtoc9.debris import DebrisSet


def _state(debris: DebrisSet, k: int, t: float = 23500.0) -> np.ndarray:
    r, v = debris.states(k, t)
    return np.concatenate([r, v])


def _energy(s: np.ndarray) -> float:
    """Specific energy of the J2 problem (conserved: the field is static and axisymmetric)."""
    r = np.linalg.norm(s[:3])
    sin2 = (s[2] / r) ** 2
    potential = (
        -rules.MU_M3_S2 / r * (1 - 0.5 * rules.J2 * (rules.R_EQ_M / r) ** 2 * (3 * sin2 - 1))
    )
    return 0.5 * float(s[3:] @ s[3:]) + potential


def test_acceleration_is_the_gradient_of_the_j2_potential() -> None:
    """Central differences of the potential above (independent form) vs the rules' formula."""
    pos = np.array([4.1e6, -3.3e6, 4.4e6])
    h = 1.0
    grad = np.empty(3)
    for j in range(3):
        step = np.zeros(6)
        step[j] = h
        base = np.concatenate([pos, np.zeros(3)])
        grad[j] = -(_energy(base + step) - _energy(base - step)) / (2 * h)
    np.testing.assert_allclose(j2_acceleration(pos), grad, rtol=1e-7)


def test_integrator_converged_over_30_days(debris: DebrisSet) -> None:
    """tol 1e-15 vs machine epsilon over 30 days (the longest transfer the rules allow): measured
    ~3e-4 m; we require < 1 cm, still four orders below the 100 m rule tolerance."""
    s0 = _state(debris, 1)
    a = integrate_j2(s0, 30 * rules.DAY_S)
    b = integrate_j2(s0, 30 * rules.DAY_S, tol=2.2e-16)
    assert np.linalg.norm(a[:3] - b[:3]) < 1e-2
    assert np.linalg.norm(a[3:] - b[3:]) < 1e-5
    assert _energy(a) == pytest.approx(_energy(s0), rel=1e-13)


def test_heyoka_agrees_with_scipy_dop853(debris: DebrisSet) -> None:
    """Independent integrator (DOP853, rtol 1e-13) over 1 day: measured ~1e-5 m; require < 1 mm."""
    s0 = _state(debris, 50)
    a = integrate_j2(s0, rules.DAY_S)
    b = propagate_dop853(s0, rules.DAY_S, rtol=1e-13, atol_m=1e-7)
    assert np.linalg.norm(a[:3] - b[:3]) < 1e-3
    assert np.linalg.norm(a[3:] - b[3:]) < 1e-6


def test_backwards_and_zero(debris: DebrisSet) -> None:
    s0 = _state(debris, 7)
    np.testing.assert_array_equal(integrate_j2(s0, 0.0), s0)
    back = integrate_j2(integrate_j2(s0, 2 * rules.DAY_S), -2 * rules.DAY_S)
    assert np.linalg.norm(back[:3] - s0[:3]) < 1e-4


def test_pericentre_radius(debris: DebrisSet) -> None:
    r, v = debris.states(np.arange(123), 23500.0)
    np.testing.assert_allclose(pericentre_radius_m(r, v), debris.a_m * (1 - debris.e), rtol=1e-11)
    # hyperbolic: r_p = h²/(μ(1+e)) still holds; escape along +y from 7000 km at 12 km/s
    r0, v0 = np.array([7.0e6, 0, 0]), np.array([0, 12.0e3, 0])
    assert float(pericentre_radius_m(r0, v0)) == pytest.approx(7.0e6, rel=1e-12)
