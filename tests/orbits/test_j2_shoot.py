"""J2 shooting (``orbits.j2.shoot``), the checked single-state propagation, and the node-rate and
pericentre helpers of ``orbits.kepler`` that the planners share."""

from __future__ import annotations

import numpy as np
import pytest

from sweepers.orbits.j2 import J2Propagator, PropagationError, ShootingError, shoot
from sweepers.orbits.kepler import (
    elements_to_state,
    j2_node_rate,
    j2_node_rate_gradient,
    j2_secular_rates,
    pericentre_radius,
)
from sweepers.orbits.lambert import lambert

DAY = 86400.0


def _pair() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A departure state on a 7100 km, 98.4° orbit and a target 0.7 revolution later on a
    neighbouring plane (ΔΩ = 0.01 rad, Δa = 30 km)."""
    r0, v0 = elements_to_state(7100.0, 0.001, np.radians(98.4), 0.7, 0.2, 1.0)
    tof = 4200.0
    rt, _ = elements_to_state(7130.0, 0.001, np.radians(98.4), 0.71, 0.2, 1.0 + 4.5)
    return r0, v0, rt, tof


@pytest.mark.parametrize("damped", [False, True])
def test_shoot_meets_the_target_under_j2(damped: bool) -> None:
    prop = J2Propagator()
    r0, v0, rt, tof = _pair()
    seed = lambert(r0, rt, tof, h_ref=np.cross(r0, v0)).v1_km_s[0, 0]
    v1, r_end, v_end = shoot(prop, r0, seed, rt, tof, tol_km=1e-7, damped=damped)
    assert np.linalg.norm(r_end - rt) < 1e-7
    # independent re-integration with another tolerance
    r_chk, v_chk = J2Propagator(tol=1e-13).propagate(r0, v1, tof)
    assert np.linalg.norm(r_chk - rt) < 1e-5
    assert np.linalg.norm(v_chk - v_end) < 1e-8
    # the two-body seed misses by kilometres under J2: the shooting did the work
    r_seed, _ = prop.propagate(r0, seed, tof)
    assert np.linalg.norm(r_seed - rt) > 1.0


def test_shoot_reports_failure() -> None:
    r0, v0, rt, tof = _pair()
    with pytest.raises(ShootingError):
        shoot(J2Propagator(), r0, v0, rt, tof, tol_km=1e-7, max_iter=1)


def test_propagate_state_is_checked_and_matches_the_batch() -> None:
    prop = J2Propagator()
    r0, v0, _, _ = _pair()
    r1, v1 = prop.propagate_state(r0, v0, 0.3 * DAY)
    r2, v2 = prop.propagate(r0, v0, 0.3 * DAY)
    assert np.linalg.norm(r1 - r2) < 1e-6 and np.linalg.norm(v1 - v2) < 1e-9
    np.testing.assert_array_equal(prop.propagate_state(r0, v0, 0.0)[0], r0)
    with pytest.raises(PropagationError):  # radial fall onto the centre: the field diverges
        prop.propagate_state(np.array([7000.0, 0.0, 0.0]), np.zeros(3), DAY)


def test_node_rate_gradient_by_finite_differences() -> None:
    a, e, i = 7100.0, 0.002, np.radians(98.2)
    rate, d_a, d_i = j2_node_rate_gradient(a, e, i)
    assert rate == j2_secular_rates(a, e, i)[0] == j2_node_rate(a, e, i)
    h_a, h_i = 1e-3, 1e-7
    fd_a = (j2_node_rate(a + h_a, e, i) - j2_node_rate(a - h_a, e, i)) / (2 * h_a)
    fd_i = (j2_node_rate(a, e, i + h_i) - j2_node_rate(a, e, i - h_i)) / (2 * h_i)
    assert d_a == pytest.approx(fd_a, rel=1e-7)
    assert d_i == pytest.approx(fd_i, rel=1e-7)


def test_pericentre_radius_of_conics() -> None:
    r, v = elements_to_state(7100.0, 0.05, 0.3, 0.1, 0.2, np.linspace(0.0, 6.0, 7))
    np.testing.assert_allclose(pericentre_radius(r, v), 7100.0 * 0.95, rtol=1e-12)
    # hyperbola: escape along +y from 7000 km at 12 km/s has its pericentre where it starts
    assert float(pericentre_radius([7000.0, 0, 0], [0, 12.0, 0])) == pytest.approx(7000.0)
