"""GTOC9 as a problem of the planning engine: its campaign rules, its constants in the engine's
units, and the edge where metres become kilometres.

Campaign (``sweepers.salvage.engine``): :data:`CAMPAIGN_RULES` states GTOC9's timing rules on the
one-day grid from MJD2000 23467 and its mission cost c_i + α (m0 − m_dry)² [MEUR] in the engine's
terms; :func:`leg_costs` wraps the cost table (``solve_costs``, m/s) with them. The engine's Δv
is the table's unit, so every Δv-valued rule below is in m/s.

Physics: ``sweepers.orbits`` works in km, km/s, s, rad; GTOC9 speaks m, m/s and MJD2000
(``rules``). Everything the solver needs from the physics goes through the few functions below,
which convert at the call and return the competition's units: full-J2 propagation
(:func:`propagator`, ``orbits.j2``), zero-revolution Lambert arcs (``orbits.lambert``),
J2 shooting (``orbits.j2.shoot``), node rates (``orbits.kepler``) and the osculating pericentre.
The checker does not use this module: it integrates with its own ``check_dynamics``.
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.gtoc9 import rules
from sweepers.orbits.kepler import j2_node_rate, pericentre_radius
from sweepers.orbits.lambert import lambert
from sweepers.salvage.engine.model import CampaignRules, LegCosts, PlaneDrift

if TYPE_CHECKING:
    from sweepers.orbits.j2 import J2Propagator

M_PER_KM = 1000.0
MU_KM3_S2 = rules.MU_M3_S2 / M_PER_KM**3
"""GTOC9's μ [km³/s²] (``rules.MU_M3_S2``)."""
R_EQ_KM = rules.R_EQ_M / M_PER_KM
"""GTOC9's r_eq [km] (``rules.R_EQ_M``)."""
J2 = rules.J2
"""GTOC9's J2 [-]."""

_PHASING_A_M = 7.1e6
"""Reference semi-major axis of the phasing allowance [m] (a typical debris orbit)."""
_PHASING_N_RAD_S = math.sqrt(rules.MU_M3_S2 / _PHASING_A_M**3)
"""Its mean motion [rad/s]."""

CAMPAIGN_RULES = CampaignRules(
    first_departure_day=5,  # the implicit delivery 5 days before, at grid day 0
    last_arrival_day=int(rules.WINDOW_END_MJD2000 - rules.WINDOW_START_MJD2000) - 5,
    stay_days=int(rules.STAY_MIN_DAYS),
    # arrivals A + 5 … A + 29: the 30-day rule with one day of margin for the exact legs
    window_days=int(rules.ARRIVAL_TO_ARRIVAL_MAX_DAYS - rules.STAY_MIN_DAYS),
    tau_min_days=3,
    # 5 stay + 30 between missions + 5 implicit delivery + 1 day of margin for the exact legs
    mission_gap_days=int(2 * rules.STAY_MIN_DAYS + rules.BETWEEN_MISSIONS_MIN_DAYS) + 1,
    occupied_after_days=int(rules.STAY_MIN_DAYS + rules.BETWEEN_MISSIONS_MIN_DAYS) + 1,
    leg_dv_cap=800.0,  # m/s: legs estimated above are never considered
    cheap_leg_dv=200.0,  # m/s: an "opportunity" of the isolation prize
    dry_mass_kg=rules.M_DRY_KG,
    kit_mass_kg=rules.M_DEORBIT_KG,
    propellant_max_kg=rules.M_PROPELLANT_MAX_KG,
    exhaust_velocity=rules.VE_M_S,
    launch_cost=rules.C_BASE_MEUR,
    alpha_per_kg2=rules.ALPHA_MEUR_KG2,
    grid_step_s=rules.DAY_S,
    phasing_speed=_PHASING_N_RAD_S * _PHASING_A_M,
    phasing_mean_motion_rad_s=_PHASING_N_RAD_S,
)
"""GTOC9's rules for the planning engine (grid days, m/s, kg, MEUR)."""


def leg_costs(table: NDArray[np.float32], drift: PlaneDrift | None = None) -> LegCosts:
    """The engine's view of a GTOC9 cost table C[i, j, day] [m/s] (``solve_costs``), with the
    split plane-change constants when given (``solve_costs.plane_drift``)."""
    return LegCosts(table, CAMPAIGN_RULES, drift)


@cache
def propagator() -> J2Propagator:
    """The engine's full-J2 propagator with GTOC9's constants (tol 1e-15); imported on first use
    (heyoka loads LLVM), so the debris model and the checker stay light."""
    from sweepers.orbits.j2 import J2Propagator

    return J2Propagator(mu=MU_KM3_S2, r_eq_km=R_EQ_KM, j2=J2)


class TransferError(RuntimeError):
    """A Lambert or shooting solve of a GTOC9 leg did not converge."""


def propagate_m(state: ArrayLike, tof_s: float) -> NDArray[np.float64]:
    """State ``(x, y, z, vx, vy, vz)`` [m, m/s] after ``tof_s`` [s] under GTOC9's J2 field
    (``orbits.j2``); raises ``orbits.j2.PropagationError`` when the integration stops early."""
    s = np.asarray(state, dtype=float).reshape(6) / M_PER_KM
    r, v = propagator().propagate_state(s[:3], s[3:], tof_s)
    return np.concatenate([r, v]) * M_PER_KM


def pericentre_radius_m(position_m: ArrayLike, velocity_m_s: ArrayLike) -> NDArray[np.float64]:
    """Osculating pericentre radius [m] (``orbits.kepler.pericentre_radius``, GTOC9 μ)."""
    r = np.asarray(position_m, dtype=float) / M_PER_KM
    v = np.asarray(velocity_m_s, dtype=float) / M_PER_KM
    return pericentre_radius(r, v, MU_KM3_S2) * M_PER_KM


def node_rate_rad_s(a_m: ArrayLike, e: ArrayLike, i_rad: ArrayLike) -> NDArray[np.float64]:
    """Secular J2 node rate Ω̇ [rad/s] of orbits (a [m], e, i [rad]) with GTOC9's constants
    (``orbits.kepler.j2_node_rate``); broadcasts."""
    a_km = np.asarray(a_m, dtype=float) / M_PER_KM
    return j2_node_rate(a_km, e, i_rad, mu=MU_KM3_S2, r_eq_km=R_EQ_KM, j2=J2)


def lambert_m(
    r1_m: ArrayLike, r2_m: ArrayLike, tof_s: float, h_ref: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Zero-revolution Keplerian Lambert arc (``orbits.lambert``, Izzo) turning in the sense of
    ``h_ref`` (e.g. the departure orbit's angular momentum; handles retrograde orbits).
    Returns (v1, v2) [m/s]; raises :class:`TransferError` when it has no solution."""
    sol = lambert(
        np.asarray(r1_m, dtype=float) / M_PER_KM,
        np.asarray(r2_m, dtype=float) / M_PER_KM,
        tof_s,
        MU_KM3_S2,
        h_ref=h_ref,
    )
    if not sol.valid[0, 0]:
        raise TransferError("Lambert: no zero-revolution solution")
    return sol.v1_km_s[0, 0] * M_PER_KM, sol.v2_km_s[0, 0] * M_PER_KM


def shoot_m(
    r1_m: ArrayLike,
    v1_guess_m_s: ArrayLike,
    r2_target_m: ArrayLike,
    tof_s: float,
    *,
    tol_m: float,
    max_iter: int,
    damped: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Departure velocity [m/s] whose J2 trajectory from ``r1_m`` meets ``r2_target_m`` within
    ``tol_m`` after ``tof_s`` (``orbits.j2.shoot``). Returns (v1, state at arrival [m, m/s]);
    raises :class:`TransferError` when shooting does not converge."""
    from sweepers.orbits.j2 import ShootingError, shoot

    try:
        v1, r_end, v_end = shoot(
            propagator(),
            np.asarray(r1_m, dtype=float) / M_PER_KM,
            np.asarray(v1_guess_m_s, dtype=float) / M_PER_KM,
            np.asarray(r2_target_m, dtype=float) / M_PER_KM,
            tof_s,
            tol_km=tol_m / M_PER_KM,
            max_iter=max_iter,
            damped=damped,
        )
    except (ShootingError, np.linalg.LinAlgError) as exc:
        raise TransferError(str(exc)) from None
    return v1 * M_PER_KM, np.concatenate([r_end, v_end]) * M_PER_KM
