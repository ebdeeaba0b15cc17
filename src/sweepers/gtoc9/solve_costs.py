"""Cheap transfer-cost tables for the GTOC9 campaign solver: C[i, j, t] [m/s] on a day grid.

All debris are near Sun-synchronous and drift in node at 0.75–1.30 °/day, so the cost of a
debris-to-debris leg is dominated by the angle between the two orbital planes at the time of the
plane change, plus the change of semi-major axis and of eccentricity vector. The estimate used
by the chain search is the sum of the impulse magnitudes of these three corrections done
separately (an upper bound of the combined Edelbaum-like cost, cf. the JPL and ACT GTOC9 papers:
Petropoulos et al. 2017; Izzo et al. 2017),

    Δv ≈ v θ_ij(t) + v |a_i − a_j| / (2 ā) + v |e_i(t) − e_j(t)| / 2,

with v the circular speed at the mean radius, θ the angle between the orbit normals and e the
eccentricity *vectors* (ω drifts at its own J2 rate). A phasing allowance that depends only on
the coast length τ is added by the search (:func:`phasing_cost_m_s`).

The table is computed block by block over origin debris ids; :func:`cost_block` is a pure
function of (debris, grid, ids) so the blocks can run on any executor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import node_rate_rad_s
from sweepers.parallel import Executor, make_executor


@dataclass(frozen=True)
class DayGrid:
    """Epochs start + k·step [MJD2000], k = 0..n−1."""

    start_mjd2000: float = rules.WINDOW_START_MJD2000
    step_days: float = 1.0
    n: int = int(rules.WINDOW_END_MJD2000 - rules.WINDOW_START_MJD2000) + 1

    def epochs(self) -> NDArray[np.float64]:
        """Grid epochs [MJD2000], shape ``(n,)``."""
        return self.start_mjd2000 + self.step_days * np.arange(self.n)


def plane_geometry(
    debris: DebrisSet, ids: Sequence[int] | NDArray[np.intp], epochs: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Unit orbit normals and eccentricity vectors of debris ``ids`` at ``epochs``,
    each of shape ``(len(ids), len(epochs), 3)``."""
    idx = np.asarray(ids, dtype=np.intp)[:, None]
    _, e, inc, raan, argp, _ = debris.elements(idx, epochs[None, :])
    si, ci = np.sin(inc), np.cos(inc)
    so, co = np.sin(raan), np.cos(raan)
    sw, cw = np.sin(argp), np.cos(argp)
    normal = np.stack([si * so, -si * co, ci], axis=-1)
    p_hat = np.stack([co * cw - so * sw * ci, so * cw + co * sw * ci, sw * si], axis=-1)
    return normal, e[..., None] * p_hat


def cost_block(
    debris: DebrisSet, grid: DayGrid, ids: Sequence[int] | NDArray[np.intp]
) -> NDArray[np.float32]:
    """Rows ``ids`` of the cost table: array ``(len(ids), n_debris, grid.n)`` [m/s], float32.

    The diagonal (i → i) is set to +inf.
    """
    epochs = grid.epochs()
    all_ids = np.arange(len(debris))
    n_all, e_all = plane_geometry(debris, all_ids, epochs)
    rows = np.asarray(ids, dtype=np.intp)
    a = debris.a_m
    out = np.empty((rows.size, len(debris), grid.n), dtype=np.float32)
    for r, i in enumerate(rows):
        cos_theta = np.clip(np.einsum("jtk,tk->jt", n_all, n_all[i]), -1.0, 1.0)
        a_mean = 0.5 * (a + a[i])
        v = np.sqrt(rules.MU_M3_S2 / a_mean)[:, None]
        plane = v * np.arccos(cos_theta)
        sma = (v[:, 0] * np.abs(a - a[i]) / (2.0 * a_mean))[:, None]
        ecc = 0.5 * v * np.linalg.norm(e_all - e_all[i][None], axis=-1)
        out[r] = plane + sma + ecc
        out[r, i] = np.inf
    return out


def _block_task(shared: tuple[DebrisSet, DayGrid], ids: NDArray[np.intp]) -> NDArray[np.float32]:
    return cost_block(shared[0], shared[1], ids)


def cost_table(
    debris: DebrisSet,
    grid: DayGrid,
    *,
    workers: int = 1,
    block: int = 16,
    executor: Executor | None = None,
) -> NDArray[np.float32]:
    """The whole table C[i, j, k] [m/s] (``(n, n, grid.n)``, float32), blocks of ``block`` rows,
    on ``executor`` (``sweepers.parallel``; default: ``workers`` processes, in-process for 1)."""
    n = len(debris)
    blocks = [np.arange(s, min(n, s + block)) for s in range(0, n, block)]
    run = executor if executor is not None else make_executor(workers)
    parts = list(run.map(_block_task, blocks, shared=(debris, grid)))
    return np.concatenate(parts, axis=0)


def phasing_cost_m_s(tau_days: NDArray[np.float64] | float, a_m: float = 7.1e6) -> NDArray:
    """Expected extra Δv [m/s] to phase with the target over a coast of ``tau_days``: the ship
    must change its along-track angle by up to π, i.e. its semi-major axis by up to
    Δa = π a / (1.5 n τ), out and back (half that on average)."""
    n = math.sqrt(rules.MU_M3_S2 / a_m**3)
    v = n * a_m
    tau_s = np.maximum(np.asarray(tau_days, dtype=float), 0.5) * rules.DAY_S
    return 0.5 * v * math.pi / (1.5 * n * tau_s)


@dataclass(frozen=True)
class PlaneDrift:
    """Per-debris constants of the split plane-change estimate (``solve_search``): inclination
    [rad], node at grid day 0 [rad] and node rate [rad/day] of each debris, and per pair (i, j)
    the ship's node rate [rad/day] and its derivative in inclination [rad/day per rad] on an orbit
    of debris i's inclination with the mean a and e of the pair, and the mean circular speed [m/s].
    """

    inc_rad: NDArray[np.float64]
    raan0_rad: NDArray[np.float64]
    raan_rate_rad_day: NDArray[np.float64]
    ship_rate_rad_day: NDArray[np.float64]
    ship_rate_di_rad_day: NDArray[np.float64]
    v_m_s: NDArray[np.float64]

    @classmethod
    def from_debris(cls, debris: DebrisSet, grid: DayGrid) -> PlaneDrift:
        """The constants of ``debris`` on ``grid`` (J2 secular node rate ``problem.node_rate_rad_s``
        and ∂Ω̇/∂i = −Ω̇ tan i)."""
        ids = np.arange(len(debris))
        _, _, inc, raan0, _, _ = debris.elements(ids, np.full(ids.shape, grid.start_mjd2000))
        rate = debris.secular_rates_rad_s()[0] * rules.DAY_S
        a = 0.5 * (debris.a_m[:, None] + debris.a_m[None, :])
        e = 0.5 * (debris.e[:, None] + debris.e[None, :])
        ship = node_rate_rad_s(a, e, inc[:, None]) * rules.DAY_S
        return cls(
            inc,
            raan0,
            rate,
            ship,
            -ship * np.tan(inc)[:, None],
            np.sqrt(rules.MU_M3_S2 / a),
        )


@dataclass(frozen=True)
class LegCosts:
    """What the chain search prices legs with: the table C[i, j, day] [m/s] and, optionally, the
    :class:`PlaneDrift` constants that let a leg split its plane change between both ends.
    Indexing and ``shape`` are the table's, so code that only reads the table takes either."""

    table: NDArray[np.float32]
    drift: PlaneDrift | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """The table's shape ``(n, n, days)``."""
        return tuple(self.table.shape)

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]


def split_rotation_saving_m_s(
    drift: PlaneDrift,
    i: NDArray[np.intp],
    j: NDArray[np.intp],
    t0_day: NDArray[np.float64],
    tau_day: NDArray[np.float64],
) -> NDArray[np.float64]:
    """How much cheaper [m/s] the plane change of legs i → j (departing grid day ``t0_day``,
    coasting ``tau_day``; arrays broadcast) gets when split between both ends instead of made at
    arrival only.

    Linearised on the sphere of orbit normals around debris i's plane (coordinates (i, Ω sin i)):
    the ship rotates at departure by (u, w) and drifts in node at Ω̇_s + (∂Ω̇/∂i) u, so with Δi the
    inclination gap, D the node gap left at arrival (scaled by sin i) when the ship keeps debris
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
