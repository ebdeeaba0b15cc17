"""MissionChain pool of the planning engine: many good, diverse candidate missions for the set
partitioning.

Beam searches (``search.beam_pool``) run from first-departure days every ``step_days`` over
the whole window (each also tries the offsets ``BeamConfig.start_offsets`` = 0 … 25 days), under
several time prices λ [Δv per day] (a high λ favours short legs, i.e. time-efficient missions, a
low one cheap legs that wait for the planes to drift together), and — for diversity — with a
seeded random share of the debris hidden, so that the searches also return chains that avoid the
locally best cluster. After each depth the ``keep`` cheapest states with distinct debris sets are
kept: chains of 2 … ``max_length`` debris.

Each chain's prefixes and suffixes (same legs, same epochs) are added — they let the set
partitioning drop debris at either end that another mission takes — and the pool is reduced to
its Pareto front per debris set: a chain is dropped when another chain of the same set costs no
more and occupies a time interval inside its own (:func:`prune_pool`).

Tasks are pure functions of (cost table, task), so they run on any ``sweepers.parallel``
executor; results are encoded as integer/float arrays (:func:`encode_chains`) for the
checkpoint. Deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sweepers.salvage.engine.campaign import PROPELLANT_DV_MARGIN, chain_cost, chain_feasible
from sweepers.salvage.engine.model import CampaignRules, LegCosts
from sweepers.salvage.engine.search import MODES, BeamConfig, MissionChain, PlannedLeg, beam_pool


@dataclass(frozen=True)
class PoolConfig:
    """Settings of the pool generation (module docstring)."""

    step_days: int = 10
    """Days between the first-departure days of successive searches."""
    width: int = 100
    """Beam width."""
    max_length: int = 16
    """Longest chain searched [debris]."""
    keep: int = 12
    """Chains kept per search and depth (distinct debris sets)."""
    time_prices_m_s_per_day: tuple[float, ...] = (2.0, 0.5, 5.0)
    """λ of the searches with every debris visible."""
    hidden_variants: int = 2
    """Extra searches per start day with a random share of the debris hidden (λ = the first)."""
    hidden_share: float = 0.3
    """Share of the debris hidden in those searches."""
    dv_margin: float = PROPELLANT_DV_MARGIN
    """Factor on the estimated Δv for the propellant check only (exact/estimate spread per
    mission; see ``solve.DV_FACTOR`` for the cost)."""


@dataclass(frozen=True)
class PoolTask:
    """One beam search of the pool: first-departure day, λ, visible debris, seed."""

    start_day: int
    time_price_m_s_per_day: float
    visible: tuple[int, ...]
    seed: int
    width: int
    max_length: int
    keep: int
    deadline_day: int
    """Latest last arrival (grid day)."""
    prize_m_s: tuple[float, ...] | None = None
    """Per target id, the prize (Δv) of visiting it (``search.beam_pool``); None: none."""


def pool_tasks(
    rules: CampaignRules, config: PoolConfig, seed: int, available: Sequence[int]
) -> list[PoolTask]:
    """The searches of the pool over the whole campaign window, in a fixed order (deterministic
    for ``seed``)."""
    rng = np.random.default_rng(seed)
    first, last = rules.first_departure_day, rules.last_arrival_day
    ids = np.asarray(sorted(available), dtype=np.intp)
    tasks: list[PoolTask] = []
    n_hidden = round(config.hidden_share * ids.size)
    for k, start in enumerate(range(first, last - 15, config.step_days)):
        everyone = tuple(int(i) for i in ids)
        for lam in config.time_prices_m_s_per_day:
            tasks.append(
                PoolTask(
                    start,
                    lam,
                    everyone,
                    seed + k,
                    config.width,
                    config.max_length,
                    config.keep,
                    last,
                )
            )
        for v in range(config.hidden_variants):
            hidden = set(rng.choice(ids, size=n_hidden, replace=False).tolist())
            visible = tuple(int(i) for i in ids if int(i) not in hidden)
            lam = config.time_prices_m_s_per_day[0]
            tasks.append(
                PoolTask(
                    start,
                    lam,
                    visible,
                    seed + 100_003 * (v + 1) + k,
                    config.width,
                    config.max_length,
                    config.keep,
                    last,
                )
            )
    return tasks


def run_pool_task(costs: LegCosts, task: PoolTask) -> tuple[NDArray, NDArray, NDArray]:
    """Pure task function: the chains of one search, encoded (:func:`encode_chains`)."""
    available = np.zeros(costs.shape[0], dtype=bool)
    available[list(task.visible)] = True
    beam = BeamConfig(width=task.width, time_price_m_s_per_day=task.time_price_m_s_per_day)
    chains = beam_pool(
        costs,
        available,
        task.start_day,
        task.deadline_day,
        task.max_length,
        beam,
        task.seed,
        task.keep,
        None if task.prize_m_s is None else np.asarray(task.prize_m_s, dtype=float),
    )
    return encode_chains(chains)


def encode_chains(chains: Sequence[MissionChain]) -> tuple[NDArray, NDArray, NDArray]:
    """Multi-leg chains as arrays: legs ``(n_legs, 5)`` int32 (from, to, departure day, arrival
    day, mode: index in ``search.MODES``), their estimated Δv ``(n_legs,)`` and the
    number of legs of each chain ``(n_chains,)``."""
    legs = np.array(
        [
            (g.from_id, g.to_id, g.departure_day, g.arrival_day, MODES.index(g.mode))
            for c in chains
            for g in c.legs
        ],
        dtype=np.int32,
    ).reshape(-1, 5)
    dv = np.array([g.dv_est_m_s for c in chains for g in c.legs], dtype=np.float64)
    counts = np.array([len(c.legs) for c in chains], dtype=np.int32)
    return legs, dv, counts


def decode_chains(legs: NDArray, dv: NDArray, counts: NDArray) -> list[MissionChain]:
    """Inverse of :func:`encode_chains`."""
    out: list[MissionChain] = []
    k = 0
    for n in counts.tolist():
        out.append(
            MissionChain(
                [
                    PlannedLeg(
                        int(legs[r, 0]),
                        int(legs[r, 1]),
                        int(legs[r, 2]),
                        int(legs[r, 3]),
                        MODES[int(legs[r, 4])],
                        float(dv[r]),
                    )
                    for r in range(k, k + n)
                ]
            )
        )
        k += n
    return out


def with_segments(chains: Iterable[MissionChain]) -> list[MissionChain]:
    """Every chain with its prefixes and suffixes of ≥ 2 debris (same legs and epochs)."""
    out: list[MissionChain] = []
    for c in chains:
        n = len(c.legs)
        out.append(c)
        for k in range(1, n):
            out.append(MissionChain(c.legs[:k]))
            out.append(MissionChain(c.legs[k:]))
    return out


def occupied_interval(rules: CampaignRules, chain: MissionChain) -> tuple[int, int]:
    """Grid days [lo, hi) a mission blocks: from the implicit delivery (first departure − stay)
    to the earliest delivery of the next mission (last arrival + ``occupied_after_days``; GTOC9:
    5 stay + 30 gap + 1 day of margin for the exact legs); two missions are compatible iff their
    intervals do not overlap, i.e. the later one departs ≥ ``mission_gap_days`` (GTOC9: 41) days
    after the earlier one's last arrival. GTOC9: a one-debris mission with its single event on
    day d blocks [d − 5, d + 31)."""
    return chain.start_day - rules.stay_days, chain.end_day + rules.occupied_after_days


def prune_pool(
    rules: CampaignRules, chains: Iterable[MissionChain], dv_margin: float, dv_factor: float
) -> list[MissionChain]:
    """Feasible chains (propellant within the limit with Δv × ``dv_margin``), one per target set
    and Pareto-optimal in (cost at ``dv_factor``, occupied interval): a chain is dropped when a
    chain of the same set costs no more and its interval lies inside this one's. Sorted by
    (target set, cost) — deterministic."""
    groups: dict[tuple[int, ...], list[tuple[float, int, int, MissionChain]]] = {}
    for c in chains:
        if len(c.ids) < 2 or not chain_feasible(rules, c, dv_margin):
            continue
        lo, hi = occupied_interval(rules, c)
        key = tuple(sorted(c.ids))
        groups.setdefault(key, []).append((chain_cost(rules, c, dv_factor), lo, hi, c))
    out: list[MissionChain] = []
    for key in sorted(groups):
        items = sorted(groups[key], key=lambda t: (t[0], t[2] - t[1], t[1]))
        kept: list[tuple[float, int, int, MissionChain]] = []
        for item in items:
            _, lo, hi, _ = item
            if any(k_lo >= lo and k_hi <= hi for _, k_lo, k_hi, _ in kept):
                continue
            kept.append(item)
        out.extend(t[3] for t in kept)
    return out
