"""Kepler elements ⇄ state, Kepler's equation, universal-variable propagation, J2 secular rates."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepers.orbits.kepler import (
    MU_EARTH_KM3_S2,
    SecularJ2Ephemeris,
    elements_to_state,
    j2_secular_rates,
    kepler_equation,
    kepler_propagate,
    state_to_elements,
)


def test_vallado_example_2_6_coe2rv() -> None:
    # Vallado, Fundamentals of Astrodynamics and Applications, 4th ed., Example 2-6 (COE2RV):
    # p = 11067.790 km, e = 0.83285, i = 87.87°, Ω = 227.89°, ω = 53.38°, ν = 92.335°
    # → r = (6525.368, 6861.532, 6449.119) km, v = (4.902279, 5.533140, -1.975710) km/s.
    # Tolerance: the book prints 7 significant digits.
    p, e = 11067.790, 0.83285
    r, v = elements_to_state(p / (1 - e * e), e, *np.radians([87.87, 227.89, 53.38, 92.335]),
                             mu=398600.4418)
    np.testing.assert_allclose(r, [6525.368, 6861.532, 6449.119], rtol=2e-6)
    np.testing.assert_allclose(v, [4.902279, 5.533140, -1.975710], rtol=2e-6)


@settings(max_examples=200, deadline=None)
@given(a=st.floats(6600, 50000), e=st.floats(1e-4, 0.9), i=st.floats(0.01, 3.13),
       raan=st.floats(0, 6.28), argp=st.floats(0, 6.28), m=st.floats(0, 6.28))
def test_elements_state_round_trip(a: float, e: float, i: float, raan: float, argp: float,
                                   m: float) -> None:
    r, v = elements_to_state(a, e, i, raan, argp, m, anomaly="mean")
    el = state_to_elements(r, v)
    r2, v2 = elements_to_state(el.a_km, el.e, el.i_rad, el.raan_rad, el.argp_rad, el.m_rad,
                               anomaly="mean")
    # compared as states: angles are ill-defined for near-circular/equatorial orbits
    np.testing.assert_allclose(r2, r, atol=1e-8 * a)
    np.testing.assert_allclose(v2, v, atol=1e-8 * np.linalg.norm(v))
    np.testing.assert_allclose(el.a_km, a, rtol=1e-10)


def test_kepler_equation_residual() -> None:
    m = np.linspace(-20, 20, 4001)
    for e in (0.0, 0.1, 0.7, 0.99, 0.999999):
        big_e = kepler_equation(m, e)
        np.testing.assert_allclose(big_e - e * np.sin(big_e), m, atol=1e-13)


def test_propagation_matches_kepler_equation_and_is_reversible() -> None:
    rng = np.random.default_rng(3)
    n = 500
    a = rng.uniform(6700, 42000, n)
    e = rng.uniform(0, 0.95, n)
    angles = rng.uniform(0, 2 * np.pi, (4, n))
    angles[0] /= 2
    dt = rng.uniform(-5e5, 5e5, n)
    r0, v0 = elements_to_state(a, e, *angles, anomaly="mean")
    r1, v1 = kepler_propagate(r0, v0, dt)
    n_mot = np.sqrt(MU_EARTH_KM3_S2 / a**3)
    r_ref, _v_ref = elements_to_state(a, e, *angles[:3], angles[3] + n_mot * dt, anomaly="mean")
    np.testing.assert_allclose(r1, r_ref, atol=1e-7 * a.max())
    r_back, _ = kepler_propagate(r1, v1, -dt)
    np.testing.assert_allclose(r_back, r0, atol=1e-7 * a.max())


def test_hyperbolic_propagation_conserves_energy_and_momentum() -> None:
    r0 = np.array([7000.0, 0.0, 0.0])
    v0 = np.array([0.0, 12.0, 1.0])  # above escape speed (10.67 km/s)
    r1, v1 = kepler_propagate(r0, v0, 20000.0)
    energy = lambda r, v: v @ v / 2 - MU_EARTH_KM3_S2 / np.linalg.norm(r)  # noqa: E731
    assert abs(energy(r1, v1) - energy(r0, v0)) < 1e-10
    np.testing.assert_allclose(np.cross(r1, v1), np.cross(r0, v0), rtol=1e-11)


def test_j2_rates_sun_synchronous() -> None:
    # A Sun-synchronous orbit precesses 360°/365.2422 d: at 700 km altitude, e = 0 the SSO
    # inclination is 98.19° (Vallado 4th ed. §9.6 / Fig. 9-12); we check Ω̇ to 0.3 %.
    raan_dot, argp_dot, m_dot = j2_secular_rates(6378.137 + 700, 0.0, np.radians(98.19))
    assert abs(np.degrees(raan_dot) * 86400 / (360 / 365.2422) - 1) < 3e-3
    # critical inclination 63.43°: ω̇ = 0
    assert abs(j2_secular_rates(7000, 0.1, np.arccos(np.sqrt(0.2)))[1]) < 1e-18
    n = np.sqrt(MU_EARTH_KM3_S2 / 7000**3)
    assert j2_secular_rates(7000, 0.0, 1.0, mean_anomaly_j2=False)[2] == n
    assert argp_dot < 0 < raan_dot and m_dot > 0


def test_secular_ephemeris_matches_gtoc9_formula_at_epoch() -> None:
    eph = SecularJ2Ephemeris.from_arrays([7000, 7100], [0.01, 0.0], [1.7, 1.71], [0.1, 0.2],
                                         [0.3, 0.0], [0.4, 0.5], [0.0, 100.0])
    r, _v = eph.state(np.array([0.0, 100.0]))
    r_ref, _v_ref = elements_to_state(7000, 0.01, 1.7, 0.1, 0.3, 0.4, anomaly="mean")
    np.testing.assert_allclose(r[0], r_ref, atol=1e-9)
    assert eph.take([1]).a_km.shape == (1,)
    el = eph.elements_at(np.array([86400.0, 86400.0]))
    raan_dot = eph.rates()[0]
    np.testing.assert_allclose(el.raan_rad, np.array([0.1, 0.2]) + raan_dot * [86400, 86300])
