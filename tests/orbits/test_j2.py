"""Full-J2 propagation (heyoka) against conservation laws, a second tolerance and SciPy DOP853."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from sweepers.orbits.j2 import J2Propagator, j2_acceleration, j2_energy
from sweepers.orbits.kepler import elements_to_state

R0, V0 = elements_to_state(7100.0, 0.01, np.radians(98.4), 0.7, 0.2, 1.0)
DAY = 86400.0


def test_acceleration_is_the_gradient_of_the_energy_potential() -> None:
    r = np.array([5000.0, -3000.0, 4000.0])
    h = 1e-3
    grad = np.array([(j2_energy(r + h * e, np.zeros(3)) - j2_energy(r - h * e, np.zeros(3)))
                     / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(j2_acceleration(r), -grad, rtol=1e-8)


def test_conservation_and_tolerance_consistency() -> None:
    prop = J2Propagator()
    r, v = prop.propagate(R0, V0, 10 * DAY)
    # energy and h_z are integrals of the J2 field; 1e-13 relative ≈ a few hundred roundoffs
    e0, e1 = j2_energy(R0, V0), j2_energy(r, v)
    assert abs(e1 - e0) < 1e-13 * abs(e0)
    hz0, hz1 = np.cross(R0, V0)[2], np.cross(r, v)[2]
    assert abs(hz1 - hz0) < 1e-12 * np.linalg.norm(np.cross(R0, V0))
    r_loose, _ = J2Propagator(tol=1e-12).propagate(R0, V0, 10 * DAY)
    # 10 days ≈ 150 revolutions; a 1e-12 run stays within 1 m of the 1e-15 run
    assert np.linalg.norm(r_loose - r) < 1e-3


def test_matches_scipy_dop853() -> None:
    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return np.concatenate([y[3:], j2_acceleration(y[:3])])

    tof = 0.5 * DAY
    ref = solve_ivp(rhs, (0, tof), np.concatenate([R0, V0]), method="DOP853",
                    rtol=1e-12, atol=1e-12)
    r, v = J2Propagator().propagate(R0, V0, tof)
    # DOP853 at rtol 1e-12 over 7.5 revolutions is good to ~1e-5 km; 1 cm bar
    assert np.linalg.norm(r - ref.y[:3, -1]) < 1e-5
    assert np.linalg.norm(v - ref.y[3:, -1]) < 1e-8


def test_batch_grid_and_backwards_agree() -> None:
    prop = J2Propagator()
    times = np.array([0.0, 0.3, 1.0, 2.5, 3.0]) * DAY
    rb, vb = prop.propagate(np.tile(R0, (5, 1)), np.tile(V0, (5, 1)), times)
    rg, _vg = prop.propagate_grid(R0, V0, times)
    np.testing.assert_allclose(rb, rg, atol=1e-8)
    r_back, v_back = prop.propagate(rb[-1], vb[-1], -times[-1])
    np.testing.assert_allclose(r_back, R0, atol=1e-7)
    np.testing.assert_allclose(v_back, V0, atol=1e-10)


def test_state_transition_matrix_against_finite_differences() -> None:
    prop = J2Propagator()
    tof = 0.7 * DAY
    r, _v, stm = prop.propagate_stm(R0, V0, tof)
    r_ref, _v_ref = prop.propagate(R0, V0, tof)
    np.testing.assert_allclose(r, r_ref, atol=1e-8)
    y0 = np.concatenate([R0, V0])
    steps = np.array([1e-3] * 3 + [1e-6] * 3)
    fd = np.empty((6, 6))
    for j in range(6):
        dy = np.zeros(6)
        dy[j] = steps[j]
        rp, vp = prop.propagate((y0 + dy)[:3], (y0 + dy)[3:], tof)
        rm, vm = prop.propagate((y0 - dy)[:3], (y0 - dy)[3:], tof)
        fd[:, j] = np.concatenate([rp - rm, vp - vm]) / (2 * steps[j])
    # central differences: truncation error O(h²) ~ 1e-7 relative to the STM's scale
    np.testing.assert_allclose(stm, fd, rtol=1e-5, atol=1e-6 * np.abs(stm).max())
