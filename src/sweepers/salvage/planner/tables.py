"""Cost tables: the cheap Δv of every (from, to, departure slot, flight time), vectorised.
Units: km/s, s.

A leg leaves its current object (the ship rides attached to the debris, or on its start orbit)
in a departure slot and arrives after one of a few flight times ``tofs_s``. Two kinds, as the
:class:`~sweepers.salvage.transfers.NodalDriftModel` estimates them (it returns the cheaper):

* *wait, then a short transfer* (its "direct" strategy): waiting is free, so the nodal-drift
  geometry decides when a leg is cheap — the planes of two similar orbits drift at different J2
  rates and line up periodically; ``t_best_s`` is the best moment inside the flight;
* *drift, then a short transfer* (its "drift orbit" strategy, for flights of days to weeks):
  one burn onto a drift orbit (``drift_da_km``, ``drift_di_rad``) whose own J2 node rate closes
  the node gap by the arrival, then a short rendezvous. The drift orbit is held to
  :class:`~sweepers.salvage.transfers.nodal_drift.DriftBounds` (|δa|/a ≤ 2 %,
  |δi| ≤ min(3°, 0.09 |tan i|), perigee above the drag floor for the drift's duration) — the
  exact legs (:func:`~sweepers.salvage.planner.legs.solve_leg`) hold their drift to the same box.

Both kinds are charged the along-track phasing the exact legs will have to fly
(``NodalDriftModel(phasing_s=3 days)``): waiting is free, but the exact short transfer lasts at
most 3 days, and a phase the natural drift does not close in that window costs a phasing orbit.

The grid of departure times ``grid_s`` has step ``step_s`` ≤ the shortest flight, so every
moment lies inside some slot's span.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sweepers.epochs import DAY_S
from sweepers.salvage.planner.targets import Candidates
from sweepers.salvage.transfers import NodalDriftModel, TransferCostModel

PHASING_S = 3 * DAY_S  # the exact legs' longest short transfer (legs.short_transfer)


@dataclass(frozen=True, slots=True)
class CostTable:
    """``dv_km_s[i, j, k, f]``: Δv [km/s] from node i to node j departing at ``grid_s[k]`` and
    arriving ``tofs_s[f]`` later (``inf`` when i == j, j is the start node, the pair was not
    evaluated or the model failed). ``strategy`` 0 wait-then-transfer, 1 drift orbit;
    ``t_best_s`` best plane-change moment (wait) [s since MJD2000]; ``drift_da_km``,
    ``drift_di_rad`` the drift orbit's offsets (drift)."""

    dv_km_s: NDArray[np.float32]
    strategy: NDArray[np.int8]
    t_best_s: NDArray[np.float64]
    drift_da_km: NDArray[np.float32]
    drift_di_rad: NDArray[np.float32]
    grid_s: NDArray[np.float64]
    tofs_s: NDArray[np.float64]

    @property
    def n_nodes(self) -> int:
        """Nodes (start + targets)."""
        return self.dv_km_s.shape[0]

    def flights_up_to(self, max_tof_s: float) -> CostTable:
        """The same table with only the flight times ≤ ``max_tof_s`` [s] (a view)."""
        keep = self.tofs_s <= max_tof_s + 1e-6
        return CostTable(self.dv_km_s[..., keep], self.strategy[..., keep],
                         self.t_best_s[..., keep], self.drift_da_km[..., keep],
                         self.drift_di_rad[..., keep], self.grid_s, self.tofs_s[keep])


def departure_grid(t_start_s: float, t_end_s: float, step_s: float, tof_s: float
                   ) -> NDArray[np.float64]:
    """Slot starts [s] from ``t_start_s`` every ``step_s`` while arrival ≤ ``t_end_s``."""
    last = t_end_s - tof_s
    if last < t_start_s:
        return np.empty(0)
    return t_start_s + step_s * np.arange(int(np.floor((last - t_start_s) / step_s)) + 1)


def build_cost_table(cands: Candidates, *, step_s: float = 2 * DAY_S,
                     tofs_s: Sequence[float] = (2 * DAY_S,),
                     model: TransferCostModel | None = None, neighbours: int | None = None,
                     chunk: int = 50_000,
                     progress: Callable[[int, int], None] | None = None) -> CostTable:
    """Cost table of ``cands`` over its window (module docstring).

    ``model`` defaults to a lighter :class:`NodalDriftModel` (17 direct samples per slot, 40
    evaluations of the bounded drift-orbit search). ``neighbours``: evaluate only the pairs
    where the target is among the ``neighbours`` closest of the departure node by the
    time-independent distance v·√((Δa/2a)² + Δi²) (the others stay ``inf``) — the usual
    cost-table pruning.
    ``progress(done, total)`` is called after each chunk of ``chunk`` rows.
    """
    tofs = np.sort(np.asarray(tofs_s, float))
    if step_s > tofs[0]:
        raise ValueError("step_s must not exceed the shortest flight (every moment in a slot)")
    model = model or NodalDriftModel(n_direct=17, iterations=40, phasing_s=PHASING_S)
    grid = departure_grid(cands.t_start_s, cands.t_end_s, step_s, tofs[0])
    n = cands.n_targets + 1
    shape = (n, n, grid.size, tofs.size)
    dv = np.full(shape, np.inf, dtype=np.float32)
    strategy = np.zeros(shape, np.int8)
    t_best = np.broadcast_to(grid[:, None], shape).copy()
    da = np.zeros(shape, np.float32)
    di = np.zeros(shape, np.float32)
    ii, jj = np.meshgrid(np.arange(n), np.arange(1, n), indexing="ij")
    pair = ii != jj
    if neighbours is not None and neighbours < n - 1:
        pair &= _nearest_mask(cands, neighbours)
    if cands.free_start:
        dv[0, 1:] = 0.0
        pair &= ii != 0
    pi, pj = ii[pair], jj[pair]
    kk, ff = (x.ravel() for x in np.meshgrid(np.arange(grid.size), np.arange(tofs.size),
                                             indexing="ij"))
    pi, pj = np.repeat(pi, kk.size), np.repeat(pj, kk.size)
    kk, ff = np.tile(kk, pair.sum()), np.tile(ff, pair.sum())
    arrive = grid[kk] + tofs[ff]
    keep = arrive <= cands.t_end_s
    pi, pj, kk, ff = pi[keep], pj[keep], kk[keep], ff[keep]
    eph = cands.ephemeris
    total = pi.size
    for start in range(0, total, chunk):
        s = slice(start, min(start + chunk, total))
        t0 = grid[kk[s]]
        res = model.cost(eph.take(pi[s]), eph.take(pj[s]), t0, t0 + tofs[ff[s]])
        idx = (pi[s], pj[s], kk[s], ff[s])
        dv[idx] = np.where(res.ok, res.dv_km_s, np.inf)
        d = res.details
        if "strategy" in d:
            strategy[idx] = d["strategy"]
            t_best[idx] = np.where(d["strategy"] == 0, d["t_direct_s"], t0)
            da[idx] = d["drift_da_km"]
            di[idx] = d["drift_di_rad"]
        if progress is not None:
            progress(s.stop, total)
    return CostTable(dv, strategy, t_best, da, di, grid, tofs)


def _nearest_mask(cands: Candidates, k: int) -> NDArray[np.bool_]:
    """``(n, n-1)`` mask: target j among the k nearest of node i (node-independent distance)."""
    el = cands.ephemeris.elements_at(cands.t_start_s)
    a, inc = np.asarray(el.a_km), np.asarray(el.i_rad)
    dist = np.hypot((a[:, None] - a[None, 1:]) / (2 * a[:, None]), inc[:, None] - inc[None, 1:])
    dist[np.arange(1, a.size), np.arange(a.size - 1)] = np.inf  # a node is not its own neighbour
    order = np.argsort(dist, axis=1)[:, :k]
    mask = np.zeros(dist.shape, bool)
    np.put_along_axis(mask, order, True, axis=1)
    return mask
