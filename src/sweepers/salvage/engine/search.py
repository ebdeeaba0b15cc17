"""MissionChain search of the planning engine: beam search for one mission over a cost table.

A mission is a chain of targets; each leg i → j has a departure day d (≥ S = ``stay_days`` after
the arrival A at i) and an arrival day A' in A + S … A + S + W − 1 (W = ``window_days``; GTOC9:
S = 5, W = 25, so A' − A ≤ 29 days, one day short of its 30-day rule to leave room for the exact
legs, which move epochs by up to one orbital period). Times are grid days of the table
(:class:`~sweepers.salvage.engine.model.LegCosts`, which carries the
:class:`~sweepers.salvage.engine.model.CampaignRules`). The leg's estimated cost is the table cost
at the plane-change day plus the phasing allowance for the coast τ:

* ``"dep"`` — plane change at departure: min over d of C[i, j, d] + phasing(A' − d);
* ``"arr"`` — depart at A + S, plane change at arrival: C[i, j, A'] + phasing(A' − A − S);
* ``"mix"`` — depart at A + S, the plane change split between both ends so that an inclination
  offset lets the J2 node drift close part of the node gap: the ``"arr"`` cost less the saving
  of :func:`~sweepers.salvage.engine.model.split_rotation_saving` (only when the costs carry
  their ``drift`` constants).

Beam states are ranked by Σ Δv + λ·(days used), λ [Δv per day] pricing the campaign's time;
states reaching the same target with the same visited set are merged (Zobrist hashing, which also
makes the search deterministic for a seed). The first target is "arrived at" S days before the
first departure, which is how the rules time the implicit delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sweepers.salvage.engine.model import LegCosts, split_rotation_saving

MODES = ("dep", "arr", "mix")
"""Plane-change modes of a leg, by their integer code in the search's arrays."""


@dataclass(frozen=True)
class PlannedLeg:
    """One leg of a planned chain: target ids, grid day indices, mode, estimated Δv (table's
    unit; the field name keeps the GTOC9 checkpoints' key)."""

    from_id: int
    to_id: int
    departure_day: int
    arrival_day: int
    mode: str
    dv_est_m_s: float


@dataclass
class MissionChain:
    """A planned mission: its legs, first departure and last arrival day indices, Σ Δv."""

    legs: list[PlannedLeg] = field(default_factory=list)
    solo: tuple[int, int] | None = None
    """A one-target mission instead of legs: (target id, day index of its single event)."""
    stay_days: int = field(default=0, compare=False)
    """The rules' stay at a target (``CampaignRules.stay_days``), required for a solo mission:
    its end day is its event − stay."""

    def __post_init__(self) -> None:
        if self.solo is not None and self.stay_days < 1:
            raise ValueError("a one-target chain needs the rules' stay_days (≥ 1)")

    @property
    def ids(self) -> list[int]:
        """Target ids in visiting order."""
        if self.solo is not None:
            return [self.solo[0]]
        return [self.legs[0].from_id] + [leg.to_id for leg in self.legs] if self.legs else []

    @property
    def start_day(self) -> int:
        """Grid index of the first departure (of the single event of a solo mission)."""
        return self.solo[1] if self.solo is not None else self.legs[0].departure_day

    @property
    def end_day(self) -> int:
        """Grid index of the last arrival; for a solo mission, its event − stay (ends at once)."""
        return self.solo[1] - self.stay_days if self.solo is not None else self.legs[-1].arrival_day

    @property
    def dv_est_m_s(self) -> float:
        """Sum of the leg estimates."""
        return float(sum(leg.dv_est_m_s for leg in self.legs))


@dataclass(frozen=True)
class BeamConfig:
    """Beam width, time price λ [Δv per day], first-departure offsets tried [days]."""

    width: int = 400
    time_price_m_s_per_day: float = 2.0
    start_offsets: tuple[int, ...] = (0, 3, 6, 9, 12, 15, 20, 25)


def leg_options(
    costs: LegCosts,
    last: NDArray[np.intp],
    arr: NDArray[np.intp],
    n_days: int,
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Best option per (state, target, arrival offset q): cost, departure offset p, mode
    (index in :data:`MODES`); offsets count days from A + stay. Shapes ``(B, n, window_days)``."""
    drift = costs.drift
    rules = costs.rules
    stay, window, tau_min = rules.stay_days, rules.window_days, rules.tau_min_days
    n = costs.shape[1]
    days = arr[:, None] + stay + np.arange(window)[None, :]
    inside = days < n_days
    days_c = np.minimum(days, n_days - 1)
    g = costs[last[:, None, None], np.arange(n)[None, :, None], days_c[:, None, :]]
    g = np.where(inside[:, None, :], g, np.inf).astype(np.float64)
    phase = rules.phasing_cost(np.arange(window, dtype=float))
    b = last.size
    best = np.full((b, n, window), np.inf)
    best_p = np.zeros((b, n, window), dtype=np.intp)
    best_mode = np.zeros((b, n, window), dtype=np.int8)
    for q in range(tau_min, window):
        dep = g[:, :, : q - tau_min + 1] + phase[q - np.arange(q - tau_min + 1)]
        p = np.argmin(dep, axis=2)
        dep_min = np.take_along_axis(dep, p[..., None], axis=2)[..., 0]
        arr_cost = g[:, :, q] + phase[q]
        use_arr = arr_cost < dep_min
        best[:, :, q] = np.where(use_arr, arr_cost, dep_min)
        best_p[:, :, q] = np.where(use_arr, 0, p)
        best_mode[:, :, q] = use_arr
        if drift is not None:
            t0 = (arr + stay).astype(float)[:, None]
            mix_cost = arr_cost - split_rotation_saving(
                drift, last[:, None], np.arange(n)[None, :], t0, float(q)
            )
            use_mix = mix_cost < best[:, :, q]
            best[:, :, q] = np.where(use_mix, mix_cost, best[:, :, q])
            best_p[:, :, q] = np.where(use_mix, 0, best_p[:, :, q])
            best_mode[:, :, q] = np.where(use_mix, 2, best_mode[:, :, q])
        best[:, :, q] = np.where(np.isfinite(g[:, :, q]), best[:, :, q], np.inf)
    return best, best_p, best_mode, g


def _beam(
    costs: LegCosts,
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
    first departure day of each initial state, Σ prize of each state's targets)."""
    rng = np.random.default_rng(seed)
    stay, window = costs.rules.stay_days, costs.rules.window_days
    n = costs.shape[0]
    n_days = min(costs.shape[2], deadline_day + 1)
    zobrist = rng.integers(1, 2**62, size=n, dtype=np.int64)
    ids = np.nonzero(available)[0]
    offsets = np.array(config.start_offsets, dtype=np.intp)
    last = np.repeat(ids, offsets.size)
    d0 = np.tile(first_departure_day + offsets, ids.size)
    arr = d0 - stay
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
        cost, p_off, mode, _ = leg_options(costs, last, arr, n_days)
        q_idx = np.arange(window)[None, None, :]
        arrival = arr[:, None, None] + stay + q_idx
        score = cost + lam * (arrival - arr[:, None, None])
        q_best = np.argmin(score, axis=2)
        leg_cost = np.take_along_axis(cost, q_best[..., None], axis=2)[..., 0]
        leg_score = np.take_along_axis(score, q_best[..., None], axis=2)[..., 0]
        ok = np.isfinite(leg_cost) & (leg_cost < costs.rules.leg_dv_cap)
        ok &= ~visited & available[None, :]
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
        new_arr = arr[parent] + stay + q
        dv = dv[parent] + leg_cost[parent, target]
        bonus = bonus[parent] - prize[target]
        visited = visited[parent]
        visited[np.arange(parent.size), target] = True
        hashes = hashes[parent] ^ zobrist[target]
        last, arr = target, new_arr
        yield history, dv, hashes, init_last, d0, -bonus


def beam_search(
    costs: LegCosts,
    available: NDArray[np.bool_],
    first_departure_day: int,
    deadline_day: int,
    length: int,
    config: BeamConfig,
    seed: int = 0,
    prize_m_s: NDArray[np.float64] | None = None,
) -> list[MissionChain]:
    """Chains of ``length`` debris from ``available`` (bool per id), first departure at
    ``first_departure_day`` + one of ``config.start_offsets``, last arrival ≤ ``deadline_day``.

    ``prize_m_s`` (per id, Δv) is subtracted from the ranking score of a state that visits the
    target: the campaign uses it to take hard-to-reach targets while they are still reachable.

    Returns ``best[k]`` = the best chain found with k + 1 debris, for k = 1 … length − 1 (index 0
    is an empty chain), so a caller can settle for a shorter mission.
    """
    best_chains: list[MissionChain] = [MissionChain()]
    for history, dv, _, init_last, d0, _ in _beam(
        costs, available, first_departure_day, deadline_day, length, config, seed, prize_m_s
    ):
        best_chains.append(_reconstruct(history, int(np.argmin(dv)), init_last, d0, stay(costs)))
    return best_chains


def beam_pool(
    costs: LegCosts,
    available: NDArray[np.bool_],
    first_departure_day: int,
    deadline_day: int,
    length: int,
    config: BeamConfig,
    seed: int = 0,
    keep: int = 10,
    prize_m_s: NDArray[np.float64] | None = None,
) -> list[MissionChain]:
    """Like :func:`beam_search`, but returns many chains: after each depth (chains of 2 …
    ``length`` debris), the ``keep`` states of lowest Σ Δv − Σ prize whose *debris sets* differ
    (states visiting the same set in another order or ending elsewhere are skipped) — material
    for a set-partitioning choice of missions. With ``prize_m_s`` (per id, e.g. LP prices of the
    targets converted to Δv) the search and the choice rank states by that estimate of their
    reduced cost."""
    out: list[MissionChain] = []
    for history, dv, hashes, init_last, d0, prize in _beam(
        costs, available, first_departure_day, deadline_day, length, config, seed, prize_m_s
    ):
        order = np.argsort(dv - prize, kind="stable")
        _, first = np.unique(hashes[order], return_index=True)
        chosen = order[np.sort(first)][:keep]
        out.extend(_reconstruct(history, int(k), init_last, d0, stay(costs)) for k in chosen)
    return out


def stay(costs: LegCosts) -> int:
    """The rules' stay at a target [grid days]."""
    return costs.rules.stay_days


def _reconstruct(
    history: list[tuple[NDArray, ...]], index: int, init_last: NDArray, d0: NDArray, stay_days: int
) -> MissionChain:
    """Follow parent pointers back from state ``index`` of the last depth to its initial state
    (target ``init_last[k]``, first departure day ``d0[k]``) and rebuild absolute day indices."""
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
    prev, a_prev = int(init_last[k]), int(d0[k]) - stay_days
    for target, p, q, mode, cost in steps:
        a_new = a_prev + stay_days + q
        legs.append(PlannedLeg(prev, target, a_prev + stay_days + p, a_new, mode, cost))
        prev, a_prev = target, a_new
    return MissionChain(legs)
