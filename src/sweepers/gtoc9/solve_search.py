"""DebrisChain search of the GTOC9 campaign solver: beam search for one mission over a cost table.

A mission is a chain of debris; each leg i → j has a departure day d (≥ 5 days after the arrival
A at i) and an arrival day A' (A' − A ≤ 29 days, one day short of the 30-day rule to leave room
for the exact legs, which move epochs by up to one orbital period). The leg's estimated cost is
the table cost at the plane-change day plus the phasing allowance for the coast τ:

* ``"dep"`` — plane change at departure: min over d of C[i, j, d] + phasing(A' − d);
* ``"arr"`` — depart at A + 5, plane change at arrival: C[i, j, A'] + phasing(A' − A − 5);
* ``"mix"`` — depart at A + 5, the plane change split between both ends so that an inclination
  offset lets the J2 node drift close part of the node gap: the ``"arr"`` cost less the saving
  of :func:`~sweepers.gtoc9.solve_costs.split_rotation_saving_m_s` (only when the costs come as
  a :class:`~sweepers.gtoc9.solve_costs.LegCosts` with its ``drift`` constants).

Beam states are ranked by Σ Δv + λ·(days used), λ [m/s per day] pricing the campaign's time;
states reaching the same debris with the same visited set are merged (Zobrist hashing, which also
makes the search deterministic for a seed). The first debris is "arrived at" 5 days before the
first departure, which is how the rules time the implicit delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sweepers.gtoc9.solve_costs import LegCosts, phasing_cost_m_s, split_rotation_saving_m_s

STAY_DAYS = 5
WINDOW_DAYS = 25
"""Arrival days A + 5 … A + 29 (the 30-day rule with one day of margin)."""
TAU_MIN_DAYS = 3
LEG_DV_CAP_M_S = 800.0
"""Legs estimated above this are never considered."""
MODES = ("dep", "arr", "mix")
"""Plane-change modes of a leg, by their integer code in the search's arrays."""


@dataclass(frozen=True)
class PlannedLeg:
    """One leg of a planned chain: ids, grid day indices, mode, estimated Δv [m/s]."""

    from_id: int
    to_id: int
    departure_day: int
    arrival_day: int
    mode: str
    dv_est_m_s: float


@dataclass
class DebrisChain:
    """A planned mission: its legs, first departure and last arrival day indices, Σ Δv [m/s]."""

    legs: list[PlannedLeg] = field(default_factory=list)
    solo: tuple[int, int] | None = None
    """A one-debris mission instead of legs: (debris id, day index of its single event)."""

    @property
    def ids(self) -> list[int]:
        """Debris ids in visiting order."""
        if self.solo is not None:
            return [self.solo[0]]
        return [self.legs[0].from_id] + [leg.to_id for leg in self.legs] if self.legs else []

    @property
    def start_day(self) -> int:
        """Grid index of the first departure (of the single event of a solo mission)."""
        return self.solo[1] if self.solo is not None else self.legs[0].departure_day

    @property
    def end_day(self) -> int:
        """Grid index of the last arrival; for a solo mission, its event − 5 (it ends at once)."""
        return self.solo[1] - STAY_DAYS if self.solo is not None else self.legs[-1].arrival_day

    @property
    def dv_est_m_s(self) -> float:
        """Sum of the leg estimates [m/s]."""
        return float(sum(leg.dv_est_m_s for leg in self.legs))


@dataclass(frozen=True)
class BeamConfig:
    """Beam width, time price λ [m/s per day], first-departure offsets tried [days]."""

    width: int = 400
    time_price_m_s_per_day: float = 2.0
    start_offsets: tuple[int, ...] = (0, 3, 6, 9, 12, 15, 20, 25)


def _leg_options(
    costs: NDArray[np.float32] | LegCosts,
    last: NDArray[np.intp],
    arr: NDArray[np.intp],
    n_days: int,
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Best option per (state, target, arrival offset q): cost [m/s], departure offset p, mode
    (index in :data:`MODES`); offsets count days from A + 5. Shapes ``(B, n, WINDOW_DAYS)``."""
    drift = costs.drift if isinstance(costs, LegCosts) else None
    n = costs.shape[1]
    days = arr[:, None] + STAY_DAYS + np.arange(WINDOW_DAYS)[None, :]
    inside = days < n_days
    days_c = np.minimum(days, n_days - 1)
    g = costs[last[:, None, None], np.arange(n)[None, :, None], days_c[:, None, :]]
    g = np.where(inside[:, None, :], g, np.inf).astype(np.float64)
    phase = phasing_cost_m_s(np.arange(WINDOW_DAYS, dtype=float))
    b = last.size
    best = np.full((b, n, WINDOW_DAYS), np.inf)
    best_p = np.zeros((b, n, WINDOW_DAYS), dtype=np.intp)
    best_mode = np.zeros((b, n, WINDOW_DAYS), dtype=np.int8)
    for q in range(TAU_MIN_DAYS, WINDOW_DAYS):
        dep = g[:, :, : q - TAU_MIN_DAYS + 1] + phase[q - np.arange(q - TAU_MIN_DAYS + 1)]
        p = np.argmin(dep, axis=2)
        dep_min = np.take_along_axis(dep, p[..., None], axis=2)[..., 0]
        arr_cost = g[:, :, q] + phase[q]
        use_arr = arr_cost < dep_min
        best[:, :, q] = np.where(use_arr, arr_cost, dep_min)
        best_p[:, :, q] = np.where(use_arr, 0, p)
        best_mode[:, :, q] = use_arr
        if drift is not None:
            t0 = (arr + STAY_DAYS).astype(float)[:, None]
            mix_cost = arr_cost - split_rotation_saving_m_s(
                drift, last[:, None], np.arange(n)[None, :], t0, float(q)
            )
            use_mix = mix_cost < best[:, :, q]
            best[:, :, q] = np.where(use_mix, mix_cost, best[:, :, q])
            best_p[:, :, q] = np.where(use_mix, 0, best_p[:, :, q])
            best_mode[:, :, q] = np.where(use_mix, 2, best_mode[:, :, q])
        best[:, :, q] = np.where(np.isfinite(g[:, :, q]), best[:, :, q], np.inf)
    return best, best_p, best_mode, g


def _beam(
    costs: NDArray[np.float32] | LegCosts,
    available: NDArray[np.bool_],
    first_departure_day: int,
    deadline_day: int,
    length: int,
    config: BeamConfig,
    seed: int,
    prize_m_s: NDArray[np.float64] | None,
) -> Iterator[
    tuple[list[tuple[NDArray, ...]], NDArray, NDArray, NDArray, NDArray, NDArray, NDArray]
]:
    """The beam search proper (see :func:`beam_search`): after each depth, yields
    (history, Σ Δv per state [m/s], Zobrist hash of each state's visited set, initial debris and
    first departure day of each initial state, Σ prize of each state's debris [m/s])."""
    rng = np.random.default_rng(seed)
    n = costs.shape[0]
    n_days = min(costs.shape[2], deadline_day + 1)
    zobrist = rng.integers(1, 2**62, size=n, dtype=np.int64)
    ids = np.nonzero(available)[0]
    offsets = np.array(config.start_offsets, dtype=np.intp)
    last = np.repeat(ids, offsets.size)
    d0 = np.tile(first_departure_day + offsets, ids.size)
    arr = d0 - STAY_DAYS
    dv = np.zeros(last.size)
    visited = np.zeros((last.size, n), dtype=bool)
    visited[np.arange(last.size), last] = True
    hashes = zobrist[last]
    init_last = last.copy()
    history: list[tuple[NDArray, ...]] = []  # per depth: parent, j, p, q, mode, cost
    lam = config.time_price_m_s_per_day
    prize = np.zeros(n) if prize_m_s is None else np.asarray(prize_m_s, dtype=float)
    bonus = -prize[last]
    for _depth in range(1, length):
        cost, p_off, mode, _ = _leg_options(costs, last, arr, n_days)
        q_idx = np.arange(WINDOW_DAYS)[None, None, :]
        arrival = arr[:, None, None] + STAY_DAYS + q_idx
        score = cost + lam * (arrival - arr[:, None, None])
        q_best = np.argmin(score, axis=2)
        leg_cost = np.take_along_axis(cost, q_best[..., None], axis=2)[..., 0]
        leg_score = np.take_along_axis(score, q_best[..., None], axis=2)[..., 0]
        ok = np.isfinite(leg_cost) & (leg_cost < LEG_DV_CAP_M_S) & ~visited & available[None, :]
        parent, target = np.nonzero(ok)
        if parent.size == 0:
            break
        total = dv[parent] + leg_score[parent, target] - prize[target] + bonus[parent]
        total = total + 1e-6 * rng.random(total.size)
        order = np.argsort(total, kind="stable")
        keys = hashes[parent[order]] ^ zobrist[target[order]]
        keys = keys * 131 + target[order]
        _, first = np.unique(keys, return_index=True)
        keep = order[np.sort(first)][: config.width]
        keep = keep[np.argsort(total[keep], kind="stable")]
        parent, target = parent[keep], target[keep]
        q = q_best[parent, target]
        history.append(
            (
                parent,
                target,
                p_off[parent, target, q],
                q,
                mode[parent, target, q],
                leg_cost[parent, target],
            )
        )
        new_arr = arr[parent] + STAY_DAYS + q
        dv = dv[parent] + leg_cost[parent, target]
        bonus = bonus[parent] - prize[target]
        visited = visited[parent]
        visited[np.arange(parent.size), target] = True
        hashes = hashes[parent] ^ zobrist[target]
        last, arr = target, new_arr
        yield history, dv, hashes, init_last, d0, -bonus


def beam_search(
    costs: NDArray[np.float32] | LegCosts,
    available: NDArray[np.bool_],
    first_departure_day: int,
    deadline_day: int,
    length: int,
    config: BeamConfig,
    seed: int = 0,
    prize_m_s: NDArray[np.float64] | None = None,
) -> list[DebrisChain]:
    """Chains of ``length`` debris from ``available`` (bool per id), first departure at
    ``first_departure_day`` + one of ``config.start_offsets``, last arrival ≤ ``deadline_day``.

    ``prize_m_s`` (per id) is subtracted from the ranking score of a state that visits the debris:
    the campaign uses it to take hard-to-reach debris while they are still reachable.

    Returns ``best[k]`` = the best chain found with k + 1 debris, for k = 1 … length − 1 (index 0
    is an empty chain), so a caller can settle for a shorter mission.
    """
    best_chains: list[DebrisChain] = [DebrisChain()]
    for history, dv, _, init_last, d0, _ in _beam(
        costs, available, first_departure_day, deadline_day, length, config, seed, prize_m_s
    ):
        best_chains.append(_reconstruct(history, int(np.argmin(dv)), init_last, d0))
    return best_chains


def beam_pool(
    costs: NDArray[np.float32] | LegCosts,
    available: NDArray[np.bool_],
    first_departure_day: int,
    deadline_day: int,
    length: int,
    config: BeamConfig,
    seed: int = 0,
    keep: int = 10,
    prize_m_s: NDArray[np.float64] | None = None,
) -> list[DebrisChain]:
    """Like :func:`beam_search`, but returns many chains: after each depth (chains of 2 …
    ``length`` debris), the ``keep`` states of lowest Σ Δv − Σ prize whose *debris sets* differ
    (states visiting the same set in another order or ending elsewhere are skipped) — material
    for a set-partitioning choice of missions (``solve_milp``). With ``prize_m_s`` (per id, e.g.
    LP prices of the debris converted to m/s, ``solve_lns``) the search and the choice rank
    states by that estimate of their reduced cost."""
    out: list[DebrisChain] = []
    for history, dv, hashes, init_last, d0, prize in _beam(
        costs, available, first_departure_day, deadline_day, length, config, seed, prize_m_s
    ):
        order = np.argsort(dv - prize, kind="stable")
        _, first = np.unique(hashes[order], return_index=True)
        chosen = order[np.sort(first)][:keep]
        out.extend(_reconstruct(history, int(k), init_last, d0) for k in chosen)
    return out


def _reconstruct(
    history: list[tuple[NDArray, ...]], index: int, init_last: NDArray, d0: NDArray
) -> DebrisChain:
    """Follow parent pointers back from state ``index`` of the last depth to its initial state
    (debris ``init_last[k]``, first departure day ``d0[k]``) and rebuild absolute day indices."""
    steps: list[tuple[int, int, int, str, float]] = []
    k = index
    for depth in range(len(history) - 1, -1, -1):
        parent, target, p_off, q, mode, cost = history[depth]
        steps.append(
            (int(target[k]), int(p_off[k]), int(q[k]), MODES[int(mode[k])], float(cost[k]))
        )
        k = int(parent[k])
    steps.reverse()
    legs: list[PlannedLeg] = []
    prev, a_prev = int(init_last[k]), int(d0[k]) - STAY_DAYS
    for target, p, q, mode, cost in steps:
        a_new = a_prev + STAY_DAYS + q
        legs.append(PlannedLeg(prev, target, a_prev + STAY_DAYS + p, a_new, mode, cost))
        prev, a_prev = target, a_new
    return DebrisChain(legs)
