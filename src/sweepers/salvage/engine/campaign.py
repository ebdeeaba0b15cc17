"""Campaign assembly of the planning engine: missions one after the other in time, greedily.

For a chosen number of missions n, mission k starts ``mission_gap_days`` grid days after the
previous one's last arrival (GTOC9: 41 = 5 days of stay + 30 days between missions + 1 day of
margin for the exact legs, + 5 for the implicit delivery before the first departure), takes
⌈remaining / (n − k)⌉ targets, and gets a share of the remaining days proportional to its share of
the remaining targets; the beam search (``search``) picks the cheapest chain of that length among
the remaining targets. Several (n, λ, beam) settings are tried and the cheapest estimated cost
wins (``CampaignRules.mission_cost`` with the rocket equation on the leg estimates). The rules
and the table come with the costs (:class:`~sweepers.salvage.engine.model.LegCosts`); costs are
in the problem's currency, Δv in the table's unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.salvage.engine.model import CampaignRules, LegCosts
from sweepers.salvage.engine.search import (
    MODES,
    BeamConfig,
    MissionChain,
    PlannedLeg,
    beam_search,
    leg_options,
)


def chain_m0_kg(rules: CampaignRules, chain: MissionChain, dv_factor: float = 1.0) -> float:
    """Estimated launch mass [kg] of a planned chain, legs scaled by ``dv_factor``."""
    return rules.launch_mass_kg([g.dv_est_m_s * dv_factor for g in chain.legs])


def chain_cost(rules: CampaignRules, chain: MissionChain, dv_factor: float = 1.0) -> float:
    """Estimated mission cost of a planned chain (currency), legs scaled by ``dv_factor``."""
    return rules.mission_cost(chain_m0_kg(rules, chain, dv_factor))


PROPELLANT_DV_MARGIN = 1.08
"""Factor on a chain's estimated Δv in the campaign stages' propellant check of new chains
(pool, window re-partitioning, elimination): the spread of the exact legs over the table's
estimate, per mission. The cost itself is estimated at ``dv_factor`` (``solve.DV_FACTOR``)."""


def chain_feasible(rules: CampaignRules, chain: MissionChain, dv_factor: float = 1.0) -> bool:
    """Whether the estimated propellant stays within the rules' limit."""
    return rules.propellant_ok(chain_m0_kg(rules, chain, dv_factor), len(chain.ids))


def solo_chain(rules: CampaignRules, target: int, day: int) -> MissionChain:
    """A one-target mission whose single event is on grid day ``day``."""
    return MissionChain(solo=(target, day), stay_days=rules.stay_days)


def isolation_prize_m_s(
    costs: LegCosts, free: NDArray[np.bool_], start_day: int, scale_m_s: float
) -> NDArray[np.float64]:
    """Prize per target (Δv) for visiting it now, ``scale · (median opportunities / own)``,
    capped at 3·scale: targets with few cheap connections (``CampaignRules.cheap_leg_dv``) to the
    other remaining targets in the remaining window are taken early, before they are stranded."""
    ids = np.nonzero(free)[0]
    prize = np.zeros(costs.shape[0])
    if ids.size < 2 or scale_m_s <= 0.0:
        return prize
    sub = costs[np.ix_(ids, ids)][:, :, start_day:] < costs.rules.cheap_leg_dv
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
    """Planned missions (chains), the targets left over, the rules they were planned under."""

    config: CampaignConfig
    chains: list[MissionChain] = field(default_factory=list)
    leftover: list[int] = field(default_factory=list)
    rules: CampaignRules = field(kw_only=True)

    def cost(self, chain: MissionChain) -> float:
        """Estimated cost of one chain at the plan's Δv factor (currency)."""
        return chain_cost(self.rules, chain, self.config.dv_factor)

    def estimated_j_meur(self) -> float:
        """Σ estimated mission costs (currency); +inf if targets are left over."""
        if self.leftover:
            return math.inf
        return float(sum(self.cost(c) for c in self.chains))


def plan_campaign(
    costs: LegCosts,
    config: CampaignConfig,
    seed: int = 0,
    available: NDArray[np.bool_] | None = None,
    first_day: int | None = None,
    last_day: int | None = None,
    solos: bool = True,
    extra_prize_m_s: NDArray[np.float64] | None = None,
) -> CampaignPlan:
    """Greedy campaign (module docstring). ``available`` restricts the targets (default: all),
    ``first_day``/``last_day`` the first departure and last arrival (default: the rules'); with
    ``solos`` the targets left over are removed by extra missions (``sweep_leftovers``)."""
    rules = costs.rules
    first_day = rules.first_departure_day if first_day is None else first_day
    last_day = rules.last_arrival_day if last_day is None else last_day
    gap = rules.mission_gap_days
    free = np.ones(costs.shape[0], dtype=bool) if available is None else available.copy()
    plan = CampaignPlan(config, rules=rules)
    start = first_day
    for k in range(config.n_missions):
        remaining = int(free.sum())
        if remaining == 0:
            break
        left = config.n_missions - k
        length = math.ceil(remaining / left)
        days = last_day - start - gap * (left - 1)
        deadline = last_day if left == 1 else start + int(days * length / remaining)
        prize = isolation_prize_m_s(costs, free, start, config.prize_m_s)
        if extra_prize_m_s is not None:
            prize = prize + extra_prize_m_s
        chains = beam_search(costs, free, start, deadline, length, config.beam, seed + k, prize)
        chosen = None
        for chain in reversed(chains[1:]):
            if chain_feasible(rules, chain, config.dv_factor):
                chosen = chain
                break
        if chosen is None:
            break
        plan.chains.append(chosen)
        free[chosen.ids] = False
        start = chosen.end_day + gap
        if start > last_day:
            break
    if free.any() and solos:
        sweep_leftovers(costs, plan, free, start, seed)
    plan.leftover = [int(i) for i in np.nonzero(free)[0]]
    return plan


def sweep_leftovers(
    costs: LegCosts, plan: CampaignPlan, free: NDArray[np.bool_], start: int, seed: int
) -> None:
    """Remove the targets the main missions left (``free``, updated in place) with extra missions
    in the time that remains: the chain with the lowest estimated cost per target each time, or a
    one-target mission (no transfer at all) when nothing better fits."""
    rules = costs.rules
    last, gap = rules.last_arrival_day, rules.mission_gap_days
    k = 0
    while free.any() and start <= last:
        k += 1
        remaining = int(free.sum())
        chains = beam_search(costs, free, start, last, remaining, plan.config.beam, seed + 1000 + k)
        best, best_rate = None, math.inf
        for chain in chains[1:]:
            if chain_feasible(rules, chain, plan.config.dv_factor):
                rate = plan.cost(chain) / len(chain.ids)
                if rate < best_rate:
                    best, best_rate = chain, rate
        # a one-target mission costs the launch; keep a chain only if it beats that per target
        # and leaves enough time for the singles still needed
        days_left = last - start
        if (
            best is None
            or best_rate >= rules.launch_cost
            or (
                (remaining - len(best.ids)) * (rules.stay_days + gap)
                > days_left - best.end_day + start
            )
        ):
            first_free = int(np.nonzero(free)[0][0])
            best = solo_chain(rules, first_free, max(start, rules.first_departure_day))
        plan.chains.append(best)
        free[best.ids] = False
        start = best.end_day + gap


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


def search_slot(costs: LegCosts, task: SlotTask) -> list[MissionChain]:
    """Pure task function: the best chain of each length for ``task`` (see ``beam_search``)."""
    free = np.zeros(costs.shape[0], dtype=bool)
    free[list(task.free)] = True
    return beam_search(
        costs, free, task.start_day, task.deadline_day, task.length, task.beam, task.seed
    )


def free_slots(rules: CampaignRules, chains: list[MissionChain]) -> list[tuple[int, int]]:
    """(earliest first departure, latest last arrival) of every gap between planned chains."""
    ordered = sorted(chains, key=lambda c: c.start_day)
    slots, lo = [], rules.first_departure_day
    for c in ordered:
        slots.append((lo, c.start_day - rules.mission_gap_days))
        lo = c.end_day + rules.mission_gap_days
    slots.append((lo, rules.last_arrival_day))
    return slots


def plan_by_quality(
    costs: LegCosts,
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
    become one-target missions in the slots left. ``map_fn(fn, tasks)`` runs the searches
    (default: in process), ``on_mission(plan)`` reports progress; ``time_price_meur_per_day`` is
    in the problem's currency per day."""
    run = map_fn or (lambda fn, tasks: [fn(costs, t) for t in tasks])
    rules = costs.rules
    plan = CampaignPlan(config, rules=rules)
    free = np.ones(costs.shape[0], dtype=bool) if available is None else available.copy()
    rnd = 0
    while int(free.sum()) >= 2:
        rnd += 1
        tasks = []
        ids = tuple(int(i) for i in np.nonzero(free)[0])
        for lo, hi in free_slots(rules, plan.chains):
            for s in range(lo, hi - 15, start_step_days):
                tasks.append(
                    SlotTask(ids, s, hi, min(max_length, len(ids)), config.beam, seed + rnd)
                )
        best, best_rate = None, math.inf
        for chains in run(search_slot, tasks):
            for chain in chains[2:]:
                if not chain_feasible(rules, chain, config.dv_factor):
                    continue
                occupied = chain.end_day - chain.start_day + rules.mission_gap_days
                rate = (plan.cost(chain) + time_price_meur_per_day * occupied) / len(chain.ids)
                if rate < best_rate:
                    best, best_rate = chain, rate
        if best is None or best_rate >= rules.launch_cost:
            break
        plan.chains.append(best)
        free[best.ids] = False
        if on_mission is not None:
            on_mission(plan)
    for target in np.nonzero(free)[0]:
        for lo, hi in free_slots(rules, plan.chains):
            if hi + rules.stay_days >= lo:
                plan.chains.append(solo_chain(rules, int(target), lo))
                free[target] = False
                break
    plan.chains.sort(key=lambda c: c.start_day)
    plan.leftover = [int(i) for i in np.nonzero(free)[0]]
    return plan


# --- extension of chains by leftover debris ------------------------------------------------------


def _append_options(
    costs: LegCosts,
    from_id: int,
    arrival_day: int,
    to_id: int,
    latest_arrival: int,
    earliest_arrival: int = 0,
) -> PlannedLeg | None:
    """Cheapest leg from ``from_id`` (arrived at ``arrival_day``) to ``to_id`` arriving between
    ``earliest_arrival`` and ``latest_arrival``."""
    cost, p_off, mode, _ = leg_options(
        costs, np.array([from_id]), np.array([arrival_day]), costs.shape[2]
    )
    stay = costs.rules.stay_days
    row = cost[0, to_id].copy()
    q = np.arange(row.size)
    row[arrival_day + stay + q > latest_arrival] = np.inf
    row[arrival_day + stay + q < earliest_arrival] = np.inf
    k = int(np.argmin(row))
    if not np.isfinite(row[k]) or row[k] >= costs.rules.leg_dv_cap:
        return None
    return PlannedLeg(
        from_id,
        to_id,
        arrival_day + stay + int(p_off[0, to_id, k]),
        arrival_day + stay + k,
        MODES[int(mode[0, to_id, k])],
        float(row[k]),
    )


def extensions(
    costs: LegCosts, chain: MissionChain, debris_id: int, lo: int, hi: int
) -> list[MissionChain]:
    """``chain`` with ``debris_id`` appended or prepended, within its free slot: first
    departure ≥ ``lo`` and last arrival ≤ ``hi``."""
    out = []
    rules = costs.rules
    stay, longest = rules.stay_days, rules.stay_days + rules.window_days - 1
    first, start = chain.ids[0], chain.start_day
    virtual_arrival = start - stay
    if chain.solo is None:
        tail = _append_options(costs, chain.ids[-1], chain.end_day, debris_id, hi)
    else:
        tail = _append_options(costs, first, virtual_arrival, debris_id, hi)
    if tail is not None:
        out.append(MissionChain([*chain.legs, tail]))
    # prepend: new first debris, its virtual arrival a_new, leg arriving at `first` in time for
    # the old first departure (arrival ≤ start − stay)
    best: PlannedLeg | None = None
    for a_new in range(
        max(lo - stay, start - stay - longest), start - 2 * stay - rules.tau_min_days + 1
    ):
        leg = _append_options(costs, debris_id, a_new, first, start - stay)
        if leg is not None and (best is None or leg.dv_est_m_s < best.dv_est_m_s):
            best = leg
    if best is not None:
        if chain.solo is None:
            out.append(MissionChain([best, *chain.legs]))
        else:
            out.append(MissionChain([best]))
    return out


def insertions(costs: LegCosts, chain: MissionChain, debris_id: int) -> list[MissionChain]:
    """``chain`` with ``debris_id`` inserted between two consecutive targets, for every position
    where the two new legs fit the arrival-to-arrival rule without moving the later departures."""
    out = []
    rules = costs.rules
    stay, tau_min = rules.stay_days, rules.tau_min_days
    longest = stay + rules.window_days - 1
    for k, leg in enumerate(chain.legs):
        a_prev = chain.start_day - stay if k == 0 else chain.legs[k - 1].arrival_day
        a_next = chain.legs[k + 1].arrival_day if k + 1 < len(chain.legs) else None
        b_latest = leg.arrival_day
        b_earliest = a_next - longest if a_next is not None else 0
        best = None
        for a_j in range(
            a_prev + stay + tau_min, min(a_prev + longest, b_latest - stay - tau_min) + 1
        ):
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
            out.append(MissionChain([*chain.legs[:k], best[1], best[2], *chain.legs[k + 1 :]]))
    return out


def slot_of(
    rules: CampaignRules, chains: list[MissionChain], chain: MissionChain
) -> tuple[int, int]:
    """(earliest first departure, latest last arrival) that keep ``chain`` clear of the others."""
    lo, hi = rules.first_departure_day, rules.last_arrival_day
    for c in chains:
        if c is chain:
            continue
        if c.start_day < chain.start_day:
            lo = max(lo, c.end_day + rules.mission_gap_days)
        else:
            hi = min(hi, c.start_day - rules.mission_gap_days)
    return lo, hi


def absorb_solos(costs: LegCosts, plan: CampaignPlan) -> int:
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
                lo, hi = slot_of(costs.rules, others, chain)
                options = extensions(costs, chain, debris_id, lo, hi)
                if chain.solo is None:
                    options += insertions(costs, chain, debris_id)
                for ext in options:
                    if not chain_feasible(costs.rules, ext, plan.config.dv_factor):
                        continue
                    gain = plan.cost(solo) + plan.cost(chain) - plan.cost(ext)
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
    costs: LegCosts,
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
    rules = costs.rules
    gap = rules.mission_gap_days
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
                lo, hi = rules.first_departure_day, rules.last_arrival_day
                for c in others:
                    if c.start_day < group[0].start_day:
                        lo = max(lo, c.end_day + gap)
                    elif c.solo is None:
                        hi = min(hi, c.start_day - gap)
                # solos inside the slot would be overrun: offer their targets to the re-plan
                blocking = [c for c in solos if lo - gap < c.start_day <= hi + rules.stay_days]
                offered = [c for c in solos if all(c is not b for b in blocking)]
                pool = np.zeros(costs.shape[0], dtype=bool)
                for c in group + blocking + offered:
                    pool[c.ids] = True
                must = np.zeros(costs.shape[0], dtype=bool)
                for c in group + blocking:
                    must[c.ids] = True
                old = sum(plan.cost(c) for c in group + blocking)
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
                        + sum(plan.cost(c) for c in taken)
                        - sum(plan.cost(c) for c in sub.chains)
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
