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
makes the search deterministic for a seed). The layers, the merge, the width cut and the chain
reconstruction are the house's one beam search (:mod:`sweepers.salvage.engine.beam`); this module
is its objective (:class:`CostObjective`) and leg options. The first target is "arrived at" S
days before the first departure, which is how the rules time the implicit delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sweepers.salvage.engine.beam import Beam, Layer, Moves, select, trace, zobrist_words
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


@dataclass(frozen=True)
class CostObjective:
    """The campaign engine's objective for :class:`~sweepers.salvage.engine.beam.Beam`: Σ Δv
    + λ·days of one mission, less the prizes of its targets (module docstring); equivalent
    states merged, the cheapest kept. State fields: ``arr`` (arrival day), ``dv`` (Σ leg cost),
    ``bonus`` (− Σ prize), ``score`` (ranking: Σ Δv + λ·days − Σ prize, plus a 10⁻⁶ random
    tie-break); leg fields ``p_off``, ``q`` (day offsets from arrival + stay), ``mode``, ``cost``;
    root field ``d0`` (first departure day)."""

    costs: LegCosts
    available: NDArray[np.bool_]
    n_days: int
    time_price: float
    prize: NDArray[np.float64]
    rng: np.random.Generator

    def moves(self, layer: Layer, depth: int) -> Moves | None:
        """From each state, to each available unvisited target at its best arrival offset."""
        stay, window = self.costs.rules.stay_days, self.costs.rules.window_days
        last, arr, data = layer.node, layer.data["arr"], layer.data
        cost, p_off, mode, _ = leg_options(self.costs, last, arr, self.n_days)
        q_idx = np.arange(window)[None, None, :]
        arrival = arr[:, None, None] + stay + q_idx
        score = cost + self.time_price * (arrival - arr[:, None, None])
        q_best = np.argmin(score, axis=2)
        leg_cost = np.take_along_axis(cost, q_best[..., None], axis=2)[..., 0]
        leg_score = np.take_along_axis(score, q_best[..., None], axis=2)[..., 0]
        ok = np.isfinite(leg_cost) & (leg_cost < self.costs.rules.leg_dv_cap)
        ok &= ~layer.visited & self.available[None, :]
        parent, target = np.nonzero(ok)
        if parent.size == 0:
            return None
        total = data["dv"][parent] + leg_score[parent, target] - self.prize[target]
        total = total + data["bonus"][parent]
        total = total + 1e-6 * self.rng.random(total.size)
        q = q_best[parent, target]
        leg = leg_cost[parent, target]
        return Moves(parent, target, {
            "score": total, "p_off": p_off[parent, target, q], "q": q,
            "mode": mode[parent, target, q], "cost": leg, "arr": arr[parent] + stay + q,
            "dv": data["dv"][parent] + leg, "bonus": data["bonus"][parent] - self.prize[target]})

    def rank(self, kids: Layer, depth: int) -> NDArray[np.intp]:
        """Cheapest score first."""
        return np.argsort(kids.data["score"], kind="stable")

    def dominance(self, kids: Layer) -> None:
        """None: equivalent states are merged, the cheapest kept."""
        return None


def _beam(
    costs: LegCosts,
    available: NDArray[np.bool_],
    first_departure_day: int,
    deadline_day: int,
    length: int,
    config: BeamConfig,
    seed: int,
    prize_m_s: NDArray[np.float64] | None,
) -> Iterator[list[Layer]]:
    """The beam search proper (see :func:`beam_search`): after each depth, yields the layers so
    far, the root first (its states: each available target × each start offset)."""
    rng = np.random.default_rng(seed)
    stay = costs.rules.stay_days
    n = costs.shape[0]
    zobrist = zobrist_words(n, rng)
    prize = np.zeros(n) if prize_m_s is None else np.asarray(prize_m_s, dtype=float)
    objective = CostObjective(costs, available, min(costs.shape[2], deadline_day + 1),
                              config.time_price_m_s_per_day, prize, rng)
    beam = Beam(objective, zobrist, config.width)
    ids = np.nonzero(available)[0]
    offsets = np.array(config.start_offsets, dtype=np.intp)
    last = np.repeat(ids, offsets.size)
    d0 = np.tile(first_departure_day + offsets, ids.size)
    visited = np.zeros((last.size, n), dtype=bool)
    visited[np.arange(last.size), last] = True
    layers = [beam.root(last, visited, {"arr": d0 - stay, "dv": np.zeros(last.size),
                                        "bonus": -prize[last], "d0": d0})]
    for layer in beam.layers(layers[0], 1, length):
        layers.append(layer)
        yield layers


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
    for layers in _beam(
        costs, available, first_departure_day, deadline_day, length, config, seed, prize_m_s
    ):
        best = int(np.argmin(layers[-1].data["dv"]))
        best_chains.append(_reconstruct(layers, best, stay(costs)))
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
    for layers in _beam(
        costs, available, first_departure_day, deadline_day, length, config, seed, prize_m_s
    ):
        layer = layers[-1]
        order = np.argsort(layer.data["dv"] + layer.data["bonus"], kind="stable")
        chosen = select(order, layer.node, layer.key, None, keep, None)  # one per debris set
        out.extend(_reconstruct(layers, int(k), stay(costs)) for k in chosen)
    return out


def stay(costs: LegCosts) -> int:
    """The rules' stay at a target [grid days]."""
    return costs.rules.stay_days


def _reconstruct(layers: list[Layer], index: int, stay_days: int) -> MissionChain:
    """Follow parent indices back from state ``index`` of the last layer to its root state
    (its target and first departure day ``d0``) and rebuild absolute day indices."""
    path = trace(layers, len(layers) - 1, index)
    root = layers[0]
    prev, a_prev = int(root.node[path[0]]), int(root.data["d0"][path[0]]) - stay_days
    legs: list[PlannedLeg] = []
    for layer, k in zip(layers[1:], path[1:], strict=True):
        d, target = layer.data, int(layer.node[k])
        a_new = a_prev + stay_days + int(d["q"][k])
        legs.append(PlannedLeg(prev, target, a_prev + stay_days + int(d["p_off"][k]), a_new,
                               MODES[int(d["mode"][k])], float(d["cost"][k])))
        prev, a_prev = target, a_new
    return MissionChain(legs)
