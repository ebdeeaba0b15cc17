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
the coast length τ is added by the engine's search (``CampaignRules.phasing_cost``, the GTOC9
values in ``problem``), as is the split plane change (:func:`plane_drift`).

The table is computed block by block over origin debris ids; :func:`cost_block` is a pure
function of (debris, grid, ids) so the blocks can run on any executor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import node_rate_rad_s
from sweepers.parallel import Executor, make_executor
from sweepers.salvage.engine.model import PlaneDrift


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


def plane_drift(debris: DebrisSet, grid: DayGrid) -> PlaneDrift:
    """The split plane-change constants of ``debris`` on ``grid`` (``salvage.engine.model``):
    J2 secular node rates (``problem.node_rate_rad_s``) and ∂Ω̇/∂i = −Ω̇ tan i; speeds in m/s."""
    ids = np.arange(len(debris))
    _, _, inc, raan0, _, _ = debris.elements(ids, np.full(ids.shape, grid.start_mjd2000))
    rate = debris.secular_rates_rad_s()[0] * rules.DAY_S
    a = 0.5 * (debris.a_m[:, None] + debris.a_m[None, :])
    e = 0.5 * (debris.e[:, None] + debris.e[None, :])
    ship = node_rate_rad_s(a, e, inc[:, None]) * rules.DAY_S
    return PlaneDrift(
        inc,
        raan0,
        rate,
        ship,
        -ship * np.tan(inc)[:, None],
        np.sqrt(rules.MU_M3_S2 / a),
    )
