"""Campaign assembly of the GTOC9 solver: missions one after the other in time, greedily.

For a chosen number of missions n, mission k starts 41 grid days after the previous one's last
arrival (5 days of stay + 30 days between missions + 1 day of margin for the exact legs, +5 for
the implicit delivery before the first departure), takes ⌈remaining / (n − k)⌉ debris, and gets a
share of the remaining days proportional to its share of the remaining debris; the beam search
(``solve_search``) picks the cheapest chain of that length among the remaining debris. Several
(n, λ, beam) settings are tried and the cheapest estimated J wins (``rules.mission_cost_meur``
with the rocket equation on the leg estimates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.gtoc9 import rules
from sweepers.gtoc9.solve_search import (
    LEG_DV_CAP_M_S,
    MODES,
    TAU_MIN_DAYS,
    BeamConfig,
    DebrisChain,
    PlannedLeg,
    _leg_options,
    beam_search,
)
from sweepers.gtoc9.solve_search import STAY_DAYS as STAY

MISSION_GAP_DAYS = 41
"""Grid days from a last arrival to the next mission's first departure (5 + 30 + 5 + 1)."""
FIRST_DEPARTURE_DAY = 5
"""Grid index of the earliest first departure (implicit delivery 5 days before, at day 0)."""
LAST_ARRIVAL_DAY = int(rules.WINDOW_END_MJD2000 - rules.WINDOW_START_MJD2000) - 5
"""Grid index of the latest last arrival (its 5-day stay must end inside the window)."""


def estimated_m0_kg(leg_dvs_m_s: list[float]) -> float:
    """Launch mass [kg] for a chain whose legs cost ``leg_dvs_m_s`` (rocket equation backwards,
    30 kg package per debris, ending at m_dry)."""
    mass = rules.M_DRY_KG + rules.M_DEORBIT_KG
    for dv in reversed(leg_dvs_m_s):
        mass = mass * math.exp(dv / rules.VE_M_S) + rules.M_DEORBIT_KG
    return mass


def chain_cost_meur(chain: DebrisChain, dv_factor: float = 1.0) -> float:
    """c_i + α (m0 − m_dry)² [MEUR] of a planned chain, legs scaled by ``dv_factor``."""
    return rules.mission_cost_meur(estimated_m0_kg([g.dv_est_m_s * dv_factor for g in chain.legs]))


def chain_feasible(chain: DebrisChain, dv_factor: float = 1.0) -> bool:
    """Whether the estimated propellant stays within 5000 kg."""
    m0 = estimated_m0_kg([g.dv_est_m_s * dv_factor for g in chain.legs])
    return m0 - rules.M_DRY_KG - rules.M_DEORBIT_KG * len(chain.ids) <= rules.M_PROPELLANT_MAX_KG


CHEAP_LEG_M_S = 200.0
"""A (pair, day) whose table cost is below this counts as an opportunity."""


def isolation_prize_m_s(
    costs: NDArray[np.float32], free: NDArray[np.bool_], start_day: int, scale_m_s: float
) -> NDArray[np.float64]:
    """Prize per debris [m/s] for visiting it now, ``scale · (median opportunities / own)``,
    capped at 3·scale: debris with few cheap connections to the other remaining debris in the
    remaining window are taken early, before they are stranded."""
    ids = np.nonzero(free)[0]
    prize = np.zeros(costs.shape[0])
    if ids.size < 2 or scale_m_s <= 0.0:
        return prize
    sub = costs[np.ix_(ids, ids)][:, :, start_day:] < CHEAP_LEG_M_S
    opportunities = sub.sum(axis=(1, 2)) + sub.sum(axis=(0, 2)) + 1.0
    prize[ids] = np.minimum(scale_m_s * np.median(opportunities) / opportunities, 3.0 * scale_m_s)
    return prize


@dataclass(frozen=True)
class CampaignConfig:
    """Number of missions and beam settings of one campaign attempt."""

    n_missions: int
    beam: BeamConfig
    dv_factor: float = 1.3
    prize_m_s: float = 100.0
    """Scale of the isolation prize (:func:`isolation_prize_m_s`)."""
    """Expected ratio exact/estimated Δv, used for J estimates and propellant checks."""


@dataclass
class CampaignPlan:
    """Planned missions (chains), the debris left over, estimated J [MEUR]."""

    config: CampaignConfig
    chains: list[DebrisChain] = field(default_factory=list)
    leftover: list[int] = field(default_factory=list)

    def estimated_j_meur(self) -> float:
        """Σ estimated mission costs; +inf if debris are left over."""
        if self.leftover:
            return math.inf
        return float(sum(chain_cost_meur(c, self.config.dv_factor) for c in self.chains))


def plan_campaign(
    costs: NDArray[np.float32],
    config: CampaignConfig,
    seed: int = 0,
    available: NDArray[np.bool_] | None = None,
    first_day: int = FIRST_DEPARTURE_DAY,
    last_day: int = LAST_ARRIVAL_DAY,
    solos: bool = True,
    extra_prize_m_s: NDArray[np.float64] | None = None,
) -> CampaignPlan:
    """Greedy campaign (module docstring). ``available`` restricts the debris (default: all),
    ``first_day``/``last_day`` the first departure and last arrival; with ``solos`` the debris
    left over are removed by extra missions (``sweep_leftovers``)."""
    free = np.ones(costs.shape[0], dtype=bool) if available is None else available.copy()
    plan = CampaignPlan(config)
    start = first_day
    for k in range(config.n_missions):
        remaining = int(free.sum())
        if remaining == 0:
            break
        left = config.n_missions - k
        length = math.ceil(remaining / left)
        days = last_day - start - MISSION_GAP_DAYS * (left - 1)
        deadline = last_day if left == 1 else start + int(days * length / remaining)
        prize = isolation_prize_m_s(costs, free, start, config.prize_m_s)
        if extra_prize_m_s is not None:
            prize = prize + extra_prize_m_s
        chains = beam_search(costs, free, start, deadline, length, config.beam, seed + k, prize)
        chosen = None
        for chain in reversed(chains[1:]):
            if chain_feasible(chain, config.dv_factor):
                chosen = chain
                break
        if chosen is None:
            break
        plan.chains.append(chosen)
        free[chosen.ids] = False
        start = chosen.end_day + MISSION_GAP_DAYS
        if start > last_day:
            break
    if free.any() and solos:
        sweep_leftovers(costs, plan, free, start, seed)
    plan.leftover = [int(i) for i in np.nonzero(free)[0]]
    return plan


def sweep_leftovers(
    costs: NDArray[np.float32], plan: CampaignPlan, free: NDArray[np.bool_], start: int, seed: int
) -> None:
    """Remove the debris the main missions left (``free``, updated in place) with extra missions
    in the time that remains: the chain with the lowest estimated cost per debris each time, or a
    one-debris mission (no transfer at all) when nothing better fits."""
    k = 0
    while free.any() and start <= LAST_ARRIVAL_DAY:
        k += 1
        remaining = int(free.sum())
        chains = beam_search(
            costs, free, start, LAST_ARRIVAL_DAY, remaining, plan.config.beam, seed + 1000 + k
        )
        best, best_rate = None, math.inf
        for chain in chains[1:]:
            if chain_feasible(chain, plan.config.dv_factor):
                rate = chain_cost_meur(chain, plan.config.dv_factor) / len(chain.ids)
                if rate < best_rate:
                    best, best_rate = chain, rate
        # a one-debris mission costs c_i; keep a chain only if it beats that per debris and
        # leaves enough time for the singles still needed
        days_left = LAST_ARRIVAL_DAY - start
        if (
            best is None
            or best_rate >= rules.C_BASE_MEUR
            or (
                (remaining - len(best.ids)) * (STAY + MISSION_GAP_DAYS)
                > days_left - best.end_day + start
            )
        ):
            best = DebrisChain(solo=(int(np.nonzero(free)[0][0]), max(start, FIRST_DEPARTURE_DAY)))
        plan.chains.append(best)
        free[best.ids] = False
        start = best.end_day + MISSION_GAP_DAYS


# --- quality-first assembly ----------------------------------------------------------------------


@dataclass(frozen=True)
class SlotTask:
    """One beam search of the quality-first assembly: free debris, first departure, deadline."""

    free: tuple[int, ...]
    start_day: int
    deadline_day: int
    length: int
    beam: BeamConfig
    seed: int


def search_slot(costs: NDArray[np.float32], task: SlotTask) -> list[DebrisChain]:
    """Pure task function: the best chain of each length for ``task`` (see ``beam_search``)."""
    free = np.zeros(costs.shape[0], dtype=bool)
    free[list(task.free)] = True
    return beam_search(
        costs, free, task.start_day, task.deadline_day, task.length, task.beam, task.seed
    )


def free_slots(chains: list[DebrisChain]) -> list[tuple[int, int]]:
    """(earliest first departure, latest last arrival) of every gap between planned chains."""
    ordered = sorted(chains, key=lambda c: c.start_day)
    slots, lo = [], FIRST_DEPARTURE_DAY
    for c in ordered:
        slots.append((lo, c.start_day - MISSION_GAP_DAYS))
        lo = c.end_day + MISSION_GAP_DAYS
    slots.append((lo, LAST_ARRIVAL_DAY))
    return slots


def plan_by_quality(
    costs: NDArray[np.float32],
    config: CampaignConfig,
    seed: int = 0,
    *,
    map_fn: Any = None,
    start_step_days: int = 50,
    max_length: int = 16,
    time_price_meur_per_day: float = 0.05,
    on_mission: Any = None,
    available: NDArray[np.bool_] | None = None,
) -> CampaignPlan:
    """Quality-first greedy assembly: at each round, search chains starting every
    ``start_step_days`` in every free time slot, keep the one with the lowest
    (estimated cost + time price · days occupied) per debris, repeat; debris no chain can take
    become one-debris missions in the slots left. ``map_fn(fn, tasks)`` runs the searches
    (default: in process), ``on_mission(plan)`` reports progress."""
    run = map_fn or (lambda fn, tasks: [fn(costs, t) for t in tasks])
    plan = CampaignPlan(config)
    free = np.ones(costs.shape[0], dtype=bool) if available is None else available.copy()
    rnd = 0
    while int(free.sum()) >= 2:
        rnd += 1
        tasks = []
        ids = tuple(int(i) for i in np.nonzero(free)[0])
        for lo, hi in free_slots(plan.chains):
            for s in range(lo, hi - 15, start_step_days):
                tasks.append(
                    SlotTask(ids, s, hi, min(max_length, len(ids)), config.beam, seed + rnd)
                )
        best, best_rate = None, math.inf
        for chains in run(search_slot, tasks):
            for chain in chains[2:]:
                if not chain_feasible(chain, config.dv_factor):
                    continue
                occupied = chain.end_day - chain.start_day + MISSION_GAP_DAYS
                rate = (
                    chain_cost_meur(chain, config.dv_factor) + time_price_meur_per_day * occupied
                ) / len(chain.ids)
                if rate < best_rate:
                    best, best_rate = chain, rate
        if best is None or best_rate >= rules.C_BASE_MEUR:
            break
        plan.chains.append(best)
        free[best.ids] = False
        if on_mission is not None:
            on_mission(plan)
    for debris_id in np.nonzero(free)[0]:
        for lo, hi in free_slots(plan.chains):
            if hi + STAY >= lo:
                plan.chains.append(DebrisChain(solo=(int(debris_id), lo)))
                free[debris_id] = False
                break
    plan.chains.sort(key=lambda c: c.start_day)
    plan.leftover = [int(i) for i in np.nonzero(free)[0]]
    return plan


# --- extension of chains by leftover debris ------------------------------------------------------


def _append_options(
    costs: NDArray[np.float32],
    from_id: int,
    arrival_day: int,
    to_id: int,
    latest_arrival: int,
    earliest_arrival: int = 0,
) -> PlannedLeg | None:
    """Cheapest leg from ``from_id`` (arrived at ``arrival_day``) to ``to_id`` arriving between
    ``earliest_arrival`` and ``latest_arrival``."""
    cost, p_off, mode, _ = _leg_options(
        costs, np.array([from_id]), np.array([arrival_day]), costs.shape[2]
    )
    row = cost[0, to_id].copy()
    q = np.arange(row.size)
    row[arrival_day + STAY + q > latest_arrival] = np.inf
    row[arrival_day + STAY + q < earliest_arrival] = np.inf
    k = int(np.argmin(row))
    if not np.isfinite(row[k]) or row[k] >= LEG_DV_CAP_M_S:
        return None
    return PlannedLeg(
        from_id,
        to_id,
        arrival_day + STAY + int(p_off[0, to_id, k]),
        arrival_day + STAY + k,
        MODES[int(mode[0, to_id, k])],
        float(row[k]),
    )


def _extensions(
    costs: NDArray[np.float32], chain: DebrisChain, debris_id: int, lo: int, hi: int
) -> list[DebrisChain]:
    """``chain`` with ``debris_id`` appended or prepended, within its free slot: first
    departure ≥ ``lo`` and last arrival ≤ ``hi``."""
    out = []
    first, start = chain.ids[0], chain.start_day
    virtual_arrival = start - STAY
    if chain.solo is None:
        tail = _append_options(costs, chain.ids[-1], chain.end_day, debris_id, hi)
    else:
        tail = _append_options(costs, first, virtual_arrival, debris_id, hi)
    if tail is not None:
        out.append(DebrisChain([*chain.legs, tail]))
    # prepend: new first debris, its virtual arrival a_new, leg arriving at `first` in time for
    # the old first departure (arrival ≤ start − 5)
    best: PlannedLeg | None = None
    for a_new in range(max(lo - STAY, start - STAY - 29), start - 2 * STAY - TAU_MIN_DAYS + 1):
        leg = _append_options(costs, debris_id, a_new, first, start - STAY)
        if leg is not None and (best is None or leg.dv_est_m_s < best.dv_est_m_s):
            best = leg
    if best is not None:
        if chain.solo is None:
            out.append(DebrisChain([best, *chain.legs]))
        else:
            out.append(DebrisChain([best]))
    return out


def _insertions(costs: NDArray[np.float32], chain: DebrisChain,
                debris_id: int) -> list[DebrisChain]:
    """``chain`` with ``debris_id`` inserted between two consecutive debris, for every position
    where the two new legs fit the 30-day rule without moving the later departures."""
    out = []
    for k, leg in enumerate(chain.legs):
        a_prev = chain.start_day - STAY if k == 0 else chain.legs[k - 1].arrival_day
        a_next = chain.legs[k + 1].arrival_day if k + 1 < len(chain.legs) else None
        b_latest = leg.arrival_day
        b_earliest = a_next - 29 if a_next is not None else 0
        best = None
        for a_j in range(a_prev + STAY + TAU_MIN_DAYS, min(a_prev + 29, b_latest - 8) + 1):
            first = _append_options(costs, leg.from_id, a_prev, debris_id, a_j, a_j)
            if first is None:
                continue
            second = _append_options(costs, debris_id, a_j, leg.to_id, b_latest, b_earliest)
            if second is None:
                continue
            total = first.dv_est_m_s + second.dv_est_m_s
            if best is None or total < best[0]:
                best = (total, first, second)
        if best is not None:
            out.append(DebrisChain([*chain.legs[:k], best[1], best[2], *chain.legs[k + 1 :]]))
    return out


def _slot_of(chains: list[DebrisChain], chain: DebrisChain) -> tuple[int, int]:
    """(earliest first departure, latest last arrival) that keep ``chain`` clear of the others."""
    lo, hi = FIRST_DEPARTURE_DAY, LAST_ARRIVAL_DAY
    for c in chains:
        if c is chain:
            continue
        if c.start_day < chain.start_day:
            lo = max(lo, c.end_day + MISSION_GAP_DAYS)
        else:
            hi = min(hi, c.start_day - MISSION_GAP_DAYS)
    return lo, hi


def absorb_solos(costs: NDArray[np.float32], plan: CampaignPlan) -> int:
    """Move one-debris missions into other chains (appended or prepended) while that lowers the
    estimated J; returns the number of moves."""
    moves = 0
    while True:
        solos = [c for c in plan.chains if c.solo is not None]
        best = None
        for solo in solos:
            debris_id = solo.ids[0]
            others = [c for c in plan.chains if c is not solo]
            for chain in others:
                lo, hi = _slot_of(others, chain)
                options = _extensions(costs, chain, debris_id, lo, hi)
                if chain.solo is None:
                    options += _insertions(costs, chain, debris_id)
                for ext in options:
                    if not chain_feasible(ext, plan.config.dv_factor):
                        continue
                    gain = (
                        chain_cost_meur(solo, plan.config.dv_factor)
                        + chain_cost_meur(chain, plan.config.dv_factor)
                        - chain_cost_meur(ext, plan.config.dv_factor)
                    )
                    if gain > 0 and (best is None or gain > best[0]):
                        best = (gain, solo, chain, ext)
        if best is None:
            return moves
        _, solo, chain, ext = best
        plan.chains = [c for c in plan.chains if c is not solo and c is not chain] + [ext]
        plan.chains.sort(key=lambda c: c.start_day)
        moves += 1


# --- large-neighbourhood improvement -----------------------------------------------------------


def improve_plan(
    costs: NDArray[np.float32],
    plan: CampaignPlan,
    seed: int = 0,
    *,
    window: int = 3,
    should_stop: Any = None,
    solo_prize_m_s: float = 150.0,
) -> int:
    """Large-neighbourhood search: re-plan runs of up to ``window`` consecutive multi-debris
    missions (in time) with the forward greedy of :func:`plan_campaign` inside their time slot,
    offering it the debris of every one-debris mission as well; keep the result when the
    estimated J drops and every debris of the run is still removed (one-debris missions whose
    debris were taken disappear; the beam search gets a prize of ``solo_prize_m_s`` for each).
    Repeats until a pass finds nothing; returns the number of changes."""
    factor = plan.config.dv_factor
    accepted, tries, improved = 0, 0, True
    while improved:
        improved = False
        k = 0
        while True:
            if should_stop is not None and should_stop():
                return accepted
            solos = [c for c in plan.chains if c.solo is not None]
            multi = sorted((c for c in plan.chains if c.solo is None), key=lambda c: c.start_day)
            if k + 1 >= len(multi):
                break
            change = None
            for size in range(min(window, len(multi) - k), 0, -1):
                group = multi[k : k + size]
                others = [c for c in plan.chains if all(c is not g for g in group)]
                lo, hi = FIRST_DEPARTURE_DAY, LAST_ARRIVAL_DAY
                for c in others:
                    if c.start_day < group[0].start_day:
                        lo = max(lo, c.end_day + MISSION_GAP_DAYS)
                    elif c.solo is None:
                        hi = min(hi, c.start_day - MISSION_GAP_DAYS)
                # solos inside the slot would be overrun: offer their debris to the re-plan
                blocking = [c for c in solos if lo - MISSION_GAP_DAYS < c.start_day <= hi + STAY]
                offered = [c for c in solos if all(c is not b for b in blocking)]
                pool = np.zeros(costs.shape[0], dtype=bool)
                for c in group + blocking + offered:
                    pool[c.ids] = True
                must = np.zeros(costs.shape[0], dtype=bool)
                for c in group + blocking:
                    must[c.ids] = True
                old = sum(chain_cost_meur(c, factor) for c in group + blocking)
                # every debris of the run must be taken again: they outbid the offered ones
                prize = np.where(must, 2.0 * solo_prize_m_s, 0.0)
                for c in offered:
                    prize[c.ids] = solo_prize_m_s
                for n_new in (size, size - 1, size + 1):
                    if n_new < 1:
                        continue
                    tries += 1
                    cfg = CampaignConfig(n_new, plan.config.beam, factor, 0.0)
                    sub = plan_campaign(
                        costs, cfg, seed + tries, pool, lo, hi, solos=False, extra_prize_m_s=prize
                    )
                    covered = np.zeros(costs.shape[0], dtype=bool)
                    for c in sub.chains:
                        covered[c.ids] = True
                    if (must & ~covered).any():
                        continue
                    taken = [c for c in offered if covered[c.ids[0]]]
                    gain = (
                        old
                        + sum(chain_cost_meur(c, factor) for c in taken)
                        - sum(chain_cost_meur(c, factor) for c in sub.chains)
                    )
                    if gain > 1e-6 and (change is None or gain > change[0]):
                        change = (gain, group + blocking + taken, sub.chains)
                if change is not None:
                    break
            if change is not None:
                _, removed, added = change
                plan.chains = [c for c in plan.chains if all(c is not r for r in removed)]
                plan.chains = sorted(plan.chains + added, key=lambda c: c.start_day)
                accepted += 1
                improved = True
            else:
                k += 1
    return accepted
