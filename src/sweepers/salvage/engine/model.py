"""The problem a fleet campaign is planned for: what the planning engine asks of a problem.

Three small pieces, one role each:

* :class:`CampaignRules` — the timing rules on the search's day grid (stay at each target, the
  longest arrival-to-arrival interval, the gap between missions, the campaign's window), the
  mission cost model (launch cost + α (m0 − m_dry)², the rocket equation backwards from the dry
  mass with one removal kit left at each target, the propellant limit) and the few Δv thresholds
  of the search;
* :class:`LegCosts` — the costs of a leg between two targets at given grid days: the table
  ``C[i, j, day]`` (plane change made that day) and, optionally, the :class:`PlaneDrift` constants
  of the split plane change; it carries the rules, so every engine function takes one object;
* the phasing allowance of a coast (:meth:`CampaignRules.phasing_cost`) and the split-rotation
  saving (:func:`split_rotation_saving`), which the chain search adds to the table.

Units: angles in rad, time in grid days (the table's day index), masses in kg, costs in the
problem's currency (GTOC9: MEUR). Δv is in the unit of the cost table; every Δv-valued setting of
the rules (exhaust velocity, thresholds, the phasing allowance) and the speeds of
:class:`PlaneDrift` are in that same unit — GTOC9 (``sweepers.gtoc9.problem``) gives m/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class CampaignRules:
    """Timing rules (grid days) and mission cost model of a campaign (module docstring)."""

    first_departure_day: int
    """Earliest first departure (the implicit delivery ``stay_days`` before)."""
    last_arrival_day: int
    """Latest last arrival (its stay must end inside the window)."""
    stay_days: int
    """Days at each target before the next departure."""
    window_days: int
    """Arrival offsets tried after the stay: A + stay … A + stay + window_days − 1."""
    tau_min_days: int
    """Shortest coast of a leg."""
    mission_gap_days: int
    """From a mission's last arrival to the next mission's first departure."""
    occupied_after_days: int
    """Days a mission blocks after its last arrival (stay + gap between missions + margin)."""
    leg_dv_cap: float
    """Legs estimated above this Δv are never considered."""
    cheap_leg_dv: float
    """A (pair, day) whose table Δv is below this counts as an opportunity (isolation prize)."""
    dry_mass_kg: float
    kit_mass_kg: float
    """Mass left at each target (de-orbit kit) [kg]."""
    propellant_max_kg: float
    exhaust_velocity: float
    """Isp · g0, in the table's Δv unit."""
    launch_cost: float
    """Cost of one mission without propellant (currency)."""
    alpha_per_kg2: float
    """Cost of the launch mass above dry: α (m0 − m_dry)² (currency per kg²)."""
    grid_step_s: float
    """Length of one grid day [s]."""
    phasing_speed: float
    """Circular speed v of the reference orbit of the phasing allowance (table's Δv unit)."""
    phasing_mean_motion_rad_s: float
    """Mean motion n of that orbit [rad/s]."""

    def launch_mass_kg(self, leg_dvs: list[float]) -> float:
        """m0 [kg] of a chain whose legs cost ``leg_dvs`` (rocket equation backwards, one kit
        left at each target, ending at the dry mass)."""
        mass = self.dry_mass_kg + self.kit_mass_kg
        for dv in reversed(leg_dvs):
            mass = mass * math.exp(dv / self.exhaust_velocity) + self.kit_mass_kg
        return mass

    def mission_cost(self, m0_kg: float) -> float:
        """launch cost + α (m0 − m_dry)² for launch mass ``m0_kg`` [kg]."""
        return self.launch_cost + self.alpha_per_kg2 * (m0_kg - self.dry_mass_kg) ** 2

    def propellant_ok(self, m0_kg: float, n_targets: int) -> bool:
        """Whether m0 − m_dry − n·kit stays within the propellant limit."""
        propellant = m0_kg - self.dry_mass_kg - self.kit_mass_kg * n_targets
        return propellant <= self.propellant_max_kg

    def cost_slope(self, m0_kg: float) -> float:
        """d cost / d Δv of a mission's first leg at launch mass m0: 2α (m0 − m_dry) m0 / v_e
        (currency per Δv unit)."""
        return 2.0 * self.alpha_per_kg2 * (m0_kg - self.dry_mass_kg) * m0_kg / self.exhaust_velocity

    def phasing_cost(self, tau_days: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """Expected extra Δv to phase with the target over a coast of ``tau_days`` grid days
        (τ [s] = tau_days · ``grid_step_s``): the ship must
        change its along-track angle by up to π, i.e. its semi-major axis by up to
        Δa = π a / (1.5 n τ), out and back (half that on average); τ ≥ 0.5 day."""
        tau_s = np.maximum(np.asarray(tau_days, dtype=float), 0.5) * self.grid_step_s
        return 0.5 * self.phasing_speed * math.pi / (1.5 * self.phasing_mean_motion_rad_s * tau_s)


@dataclass(frozen=True)
class PlaneDrift:
    """Per-target and per-pair constants of the split plane-change estimate
    (:func:`split_rotation_saving`); ``(n,)`` arrays per target, ``(n, n)`` per pair (i, j)."""

    inc_rad: NDArray[np.float64]
    """Inclination of each target [rad]."""
    raan0_rad: NDArray[np.float64]
    """Node of each target at grid day 0 [rad]."""
    raan_rate_rad_day: NDArray[np.float64]
    """Node rate of each target [rad/day]."""
    ship_rate_rad_day: NDArray[np.float64]
    """Per pair: the ship's node rate on an orbit of target i's inclination with the mean a and
    e of the pair [rad/day]."""
    ship_rate_di_rad_day: NDArray[np.float64]
    """Per pair: its derivative in inclination [rad/day per rad]."""
    v_m_s: NDArray[np.float64]
    """Per pair: the mean circular speed (the table's Δv unit; GTOC9: m/s)."""


@dataclass(frozen=True)
class LegCosts:
    """What the engine prices legs with: the table C[i, j, day] (Δv of a leg whose plane change
    is made on grid day ``day``), the campaign's :class:`CampaignRules` and, optionally, the
    :class:`PlaneDrift` constants that let a leg split its plane change between both ends.
    Indexing and ``shape`` are the table's."""

    table: NDArray[np.float32]
    rules: CampaignRules
    drift: PlaneDrift | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """The table's shape ``(n, n, days)``."""
        return tuple(self.table.shape)

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]


def split_rotation_saving(
    drift: PlaneDrift,
    i: NDArray[np.intp],
    j: NDArray[np.intp],
    t0_day: NDArray[np.float64],
    tau_day: NDArray[np.float64],
) -> NDArray[np.float64]:
    """How much cheaper (Δv) the plane change of legs i → j (departing grid day ``t0_day``,
    coasting ``tau_day``; arrays broadcast) gets when split between both ends instead of made at
    arrival only.

    Linearised on the sphere of orbit normals around target i's plane (coordinates (i, Ω sin i)):
    the ship rotates at departure by (u, w) and drifts in node at Ω̇_s + (∂Ω̇/∂i) u, so with Δi the
    inclination gap, D the node gap left at arrival (scaled by sin i) when the ship keeps target
    i's inclination, and c = sin i ∂Ω̇/∂i τ, the rotation is |(u, w)| + |(Δi − u, D − c u − w)|.
    Its minimum over w is √((|u| + |Δi − u|)² + (D − c u)²) (reflection), a convex function of u
    minimised in closed form on the three pieces u < min(0, Δi), between, u > max(0, Δi).
    The saving is v (f(0) − min f) ≥ 0: f(0) is the arrival-only rotation of the same model."""
    inc_i = drift.inc_rad[i]
    d_inc = drift.inc_rad[j] - inc_i
    sin_i = np.sin(inc_i)
    node_i = drift.raan0_rad[i] + drift.raan_rate_rad_day[i] * t0_day
    node_j = drift.raan0_rad[j] + drift.raan_rate_rad_day[j] * (t0_day + tau_day)
    gap = node_j - node_i - drift.ship_rate_rad_day[i, j] * tau_day
    gap = (gap + np.pi) % (2.0 * np.pi) - np.pi
    d = sin_i * gap
    c = sin_i * drift.ship_rate_di_rad_day[i, j] * tau_day
    lo, hi = np.minimum(0.0, d_inc), np.maximum(0.0, d_inc)

    def f(u: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.hypot(np.abs(u) + np.abs(d_inc - u), d - c * u)

    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.clip(np.where(c != 0.0, d / c, 0.0), lo, hi)
    outer = (2.0 * d_inc + c * d) / (4.0 + c * c)
    best = np.minimum(f(inside), np.minimum(f(np.maximum(outer, hi)), f(np.minimum(outer, lo))))
    return drift.v_m_s[i, j] * np.maximum(f(np.zeros_like(d)) - best, 0.0)
