"""GTOC9 as a problem of the planning engine: its campaign rules, its constants in the engine's
units, and the edge where metres become kilometres.

Campaign (``sweepers.salvage.engine``): :data:`CAMPAIGN_RULES` states GTOC9's timing rules on the
one-day grid from MJD2000 23467 and its mission cost c_i + α (m0 − m_dry)² [MEUR] in the engine's
terms; :func:`leg_costs` wraps the cost table (``solve_costs``, m/s) with them. The engine's Δv
is the table's unit, so every Δv-valued rule below is in m/s.

Physics: ``sweepers.orbits`` works in km, km/s, s, rad; GTOC9 speaks m, m/s and MJD2000
(``rules``). The solver reaches the physics through this module: the full-J2 propagator with
GTOC9's constants (:func:`propagator`, ``orbits.j2``) and node rates in metres for the cost
table (:func:`node_rate_rad_s`, ``orbits.kepler``). The checker does not use this module: it
integrates with its own ``check_dynamics``.

Exact legs (``sweepers.salvage.engine.exact_legs`` and ``exact_variants``, km, km/s, s):
:func:`debris_legs` gives the engine the debris as targets (:class:`DebrisTarget`), GTOC9's J2
field, its pericentre floor (6,600 km plus a 1 km margin) and its grid of days from MJD2000 23467;
engine epochs are seconds since MJD2000 0 (:func:`mjd2000_to_s`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.gtoc9 import rules
from sweepers.orbits.kepler import j2_node_rate
from sweepers.salvage.engine.exact_legs import plane_normal
from sweepers.salvage.engine.model import CampaignRules, LegCosts, PlaneDrift

if TYPE_CHECKING:
    from sweepers.gtoc9.debris import DebrisSet
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


def node_rate_rad_s(a_m: ArrayLike, e: ArrayLike, i_rad: ArrayLike) -> NDArray[np.float64]:
    """Secular J2 node rate Ω̇ [rad/s] of orbits (a [m], e, i [rad]) with GTOC9's constants
    (``orbits.kepler.j2_node_rate``); broadcasts."""
    a_km = np.asarray(a_m, dtype=float) / M_PER_KM
    return j2_node_rate(a_km, e, i_rad, mu=MU_KM3_S2, r_eq_km=R_EQ_KM, j2=J2)


MIN_PERICENTRE_KM = (rules.R_PERICENTRE_MIN_M + 1000.0) / M_PER_KM
"""Pericentre floor of the exact legs [km]: the rule's 6,600 km plus a 1 km margin."""


def mjd2000_to_s(epoch_mjd2000: ArrayLike) -> NDArray[np.float64]:
    """Epoch [MJD2000] → the engine's epoch [s since MJD2000 0]."""
    return np.asarray(epoch_mjd2000, dtype=float) * rules.DAY_S


def s_to_mjd2000(epoch_s: ArrayLike) -> NDArray[np.float64]:
    """The engine's epoch [s since MJD2000 0] → epoch [MJD2000]."""
    return np.asarray(epoch_s, dtype=float) / rules.DAY_S


@dataclass(frozen=True)
class DebrisTarget:
    """Debris ``k`` as a target of the engine's exact legs (``exact_legs.LegTarget``): km,
    km/s, epochs in s since MJD2000 0."""

    debris: DebrisSet
    k: int
    a_km: float
    e: float
    period_s: float

    def state(self, t_s: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Position [km] and velocity [km/s] at ``t_s`` [s] (the GTOC9 debris ephemeris)."""
        return self.debris.states_km(self.k, s_to_mjd2000(t_s))

    def normal(self, t_s: float) -> NDArray[np.float64]:
        """Unit normal of the debris' plane (i, Ω(t)) at ``t_s`` [s]."""
        _, _, inc, raan, _, _ = self.debris.elements(self.k, s_to_mjd2000(t_s))
        return plane_normal(float(inc), float(raan))


@dataclass(frozen=True)
class DebrisLegs:
    """GTOC9 as a problem of the engine's exact legs (``exact_legs.LegProblem``)."""

    debris: DebrisSet
    min_pericentre_km: float = MIN_PERICENTRE_KM
    propagator: J2Propagator = field(default_factory=lambda: propagator())

    def target(self, k: int) -> DebrisTarget:
        """Debris ``k``."""
        n = float(self.debris.mean_motion_rad_s()[k])
        return DebrisTarget(
            self.debris, k, float(self.debris.a_km[k]), float(self.debris.e[k]),
            2.0 * math.pi / n,
        )

    def grid_epoch_s(self, day: float) -> float:
        """Epoch [s since MJD2000 0] of grid day ``day`` (day 0: MJD2000 23467)."""
        return float(mjd2000_to_s(rules.WINDOW_START_MJD2000 + day))


def debris_legs(debris: DebrisSet) -> DebrisLegs:
    """The exact-leg problem of ``debris`` (:class:`DebrisLegs`)."""
    return DebrisLegs(debris)
