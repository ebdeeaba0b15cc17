"""The GTOC9 edge of the engine (``gtoc9.problem``): constants in km, the debris as the exact
legs' targets (``debris_legs``), J2 shooting by ``sweepers.orbits`` in km. The references are
the rules (``gtoc9.rules``), the debris ephemeris in metres (``gtoc9.debris``) and the checker's
own integrator (``check_dynamics``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check_dynamics import integrate_j2
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import (
    MIN_PERICENTRE_KM,
    MU_KM3_S2,
    R_EQ_KM,
    debris_legs,
    node_rate_rad_s,
    propagator,
)

from .builders import Leg


def test_constants_are_the_rules_in_km() -> None:
    assert pytest.approx(rules.MU_M3_S2, rel=1e-15) == MU_KM3_S2 * 1e9
    assert pytest.approx(rules.R_EQ_M, rel=1e-15) == R_EQ_KM * 1e3
    assert pytest.approx(6601.0) == MIN_PERICENTRE_KM  # the rule's 6600 km + a 1 km margin


def test_engine_propagation_in_km_matches_the_checker(debris: DebrisSet) -> None:
    """One day: ~1e-5 m apart (test_engine_vs_checker has the 30-day bar of 1 m)."""
    r, v = debris.states(40, 23500.0)
    r_km, _ = propagator().propagate_state(r / 1e3, v / 1e3, rules.DAY_S)
    gap = r_km * 1e3 - integrate_j2(np.concatenate([r, v]), rules.DAY_S)[:3]
    assert np.linalg.norm(gap) < 1e-3


def test_node_rate_in_metres(debris: DebrisSet) -> None:
    raan_dot, _ = debris.secular_rates_rad_s()
    np.testing.assert_allclose(node_rate_rad_s(debris.a_m, debris.e, debris.i_rad), raan_dot)


def test_debris_targets_of_the_exact_legs(debris: DebrisSet) -> None:
    """The adapter's targets are the debris ephemeris in km and seconds since MJD2000 0; the
    plane normal is the one of the state (r × v) and the period 2π √(a³/μ)."""
    problem = debris_legs(debris)
    assert problem.grid_epoch_s(0) == rules.WINDOW_START_MJD2000 * rules.DAY_S
    for k in (0, 61, 122):
        target = problem.target(k)
        t_mjd = 24000.25
        r_m, v_m_s = debris.states(k, t_mjd)
        r, v = target.state(t_mjd * rules.DAY_S)
        np.testing.assert_allclose(r * 1e3, r_m, rtol=1e-14)
        np.testing.assert_allclose(v * 1e3, v_m_s, rtol=1e-14)
        h = np.cross(r, v)
        np.testing.assert_allclose(target.normal(t_mjd * rules.DAY_S), h / np.linalg.norm(h),
                                   atol=1e-12)
        a_m = float(debris.a_m[k])
        assert target.a_km == a_m / 1e3
        assert target.period_s == pytest.approx(2 * math.pi * math.sqrt(a_m**3 / rules.MU_M3_S2),
                                                rel=1e-14)


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
