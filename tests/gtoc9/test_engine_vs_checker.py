"""The engine's J2 propagation (``sweepers.orbits.j2``, km) and the checker's own integrator
(``sweepers.gtoc9.check_dynamics``, m) agree on GTOC9 debris orbits over 30 days.

Both integrate the same equations (Kelvins "Equations" page) with GTOC9's constants from
``gtoc9/rules.py`` (μ, r_eq, J2 converted m → km for the engine), but they are separate code: the
checker is an oracle and must not share the solver's propagator. 30 days is the longest transfer
the rules allow (Δt_R); 1 m is a hundredth of the rules' 100 m position tolerance and 1 mm/s a
thousandth of the 1 m/s velocity tolerance. Measured: ~1e-4 m and ~1e-7 m/s (both integrators at
tolerance 1e-15).
"""

from __future__ import annotations

import numpy as np

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check_dynamics import integrate_j2 as checker_propagate
from sweepers.gtoc9.debris import DebrisSet
from sweepers.orbits.j2 import J2Propagator

THIRTY_DAYS_S = rules.ARRIVAL_TO_ARRIVAL_MAX_DAYS * rules.DAY_S


def _spread_ids(debris: DebrisSet) -> list[int]:
    """Debris at the extremes of the set: lowest and highest a, e and i (distinct ids)."""
    picks = [
        np.argmin(debris.a_m), np.argmax(debris.a_m),
        np.argmin(debris.e), np.argmax(debris.e),
        np.argmin(debris.i_rad), np.argmax(debris.i_rad),
    ]
    return sorted({int(k) for k in picks})


def test_orbits_j2_agrees_with_the_checker_over_30_days(debris: DebrisSet) -> None:
    engine = J2Propagator(
        mu=rules.MU_M3_S2 * 1e-9, r_eq_km=rules.R_EQ_M * 1e-3, j2=rules.J2
    )
    ids = _spread_ids(debris)
    assert len(ids) >= 4
    r0_m, v0_m_s = debris.states(np.array(ids), np.full(len(ids), 23600.0))
    r_km, v_km_s = engine.propagate(r0_m * 1e-3, v0_m_s * 1e-3, THIRTY_DAYS_S)
    for k in range(len(ids)):
        ref = checker_propagate(np.concatenate([r0_m[k], v0_m_s[k]]), THIRTY_DAYS_S)
        assert np.linalg.norm(r_km[k] * 1e3 - ref[:3]) < 1.0
        assert np.linalg.norm(v_km_s[k] * 1e3 - ref[3:]) < 1e-3


def test_the_comparison_can_fail(debris: DebrisSet) -> None:
    """Another J2 (the EGM96 value rounded to 1.0826e-3) moves the engine's state well beyond
    the 1 m bar after 30 days: the agreement above is not a tolerance that nothing could miss."""
    engine = J2Propagator(mu=rules.MU_M3_S2 * 1e-9, r_eq_km=rules.R_EQ_M * 1e-3, j2=1.0826e-3)
    r0_m, v0_m_s = debris.states(5, 23600.0)
    r_km, _ = engine.propagate(r0_m * 1e-3, v0_m_s * 1e-3, THIRTY_DAYS_S)
    ref = checker_propagate(np.concatenate([r0_m, v0_m_s]), THIRTY_DAYS_S)
    assert np.linalg.norm(r_km * 1e3 - ref[:3]) > 10.0
