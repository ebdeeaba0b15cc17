"""Mission elimination: fewer missions for a finished campaign, when the launches dominate.

A campaign's cost is Σ (launch cost + α (m0 − m_dry)²) (``CampaignRules.mission_cost``): a
short mission costs a whole launch for a few targets. Starting from any plan (a warm start from
committed missions, or the solver's own), this stage removes missions one at a time, smallest
first, and keeps a change only when the estimated campaign cost drops. Two moves per candidate
mission M:

1. **dissolve** (:func:`dissolve`) — M disappears; its time slot goes to its neighbours in time
   (the mission before may end later, the one after start earlier, the gap between missions
   kept), and its targets are moved into receivers: those neighbours and, per target, the
   missions that reach it most cheaply inside their own slot. Two ways are tried: cheapest
   insertion (``campaign.insertions`` / ``campaign.extensions``: a target between two legs,
   before the first or after the last, the other legs unchanged), each changed mission then
   re-sequenced by the beam search restricted to its new target set and its slot
   (:func:`resequence`) when that is cheaper; and each target given to the receiver that
   reaches it most cheaply, the receivers re-sequenced;
2. **merge windows** — the missions of a window of ``window_sizes`` consecutive missions
   containing M are re-partitioned by the window MILP of ``windows.repartition_window`` (a pool
   of chains over the window's targets and merged time span, exact set partitioning): one
   fewer mission whenever a chain of the pool covers more of them more cheaply (needs an
   executor: ``run_tasks``).

Costs are estimated on the table (``campaign.chain_cost`` at ``dv_factor``); a new chain must
fit the propellant limit with its Δv scaled by ``dv_margin`` (the spread of exact over
estimated legs). Everything is in the problem's units (grid days, the table's Δv unit, the
currency of ``CampaignRules``); generic over :class:`~sweepers.salvage.engine.model.LegCosts`.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sweepers.salvage.engine.campaign import (
    PROPELLANT_DV_MARGIN,
    CampaignPlan,
    chain_cost,
    chain_feasible,
    extensions,
    insertions,
    slot_of,
)
from sweepers.salvage.engine.model import CampaignRules, LegCosts
from sweepers.salvage.engine.search import BeamConfig, MissionChain, beam_search
from sweepers.salvage.engine.windows import LnsConfig, RunTasks, repartition_window


@dataclass(frozen=True)
class EliminateConfig:
    """Settings of the mission elimination (module docstring)."""

    max_targets: int = 6
    """Missions of at most this many targets are candidates for removal."""
    beam: BeamConfig = field(default_factory=lambda: BeamConfig(width=300))
    """Beam of the re-sequencing searches (start offsets: ``BeamConfig.start_offsets``)."""
    time_prices_m_s_per_day: tuple[float, ...] = (3.0,)
    """λ of the re-sequencing searches (``BeamConfig.time_price_m_s_per_day``), each tried: a
    mission given more targets in the same slot needs short legs, which a higher λ favours
    (GTOC9, m14 of the 969.49 campaign given one more debris in its slot: λ = 0 and 1 found no
    chain, λ = 3 one at +10 MEUR)."""
    start_step_days: int = 25
    """Days between the first-departure days of successive re-sequencing searches (each also
    tries ``beam.start_offsets``)."""
    dv_factor: float = 1.0
    """Factor on the estimated Δv for the cost."""
    dv_margin: float = PROPELLANT_DV_MARGIN
    """Factor on the estimated Δv for the propellant check of new chains."""
    leg_dv_cap: float | None = 3000.0
    """Cap of a leg's estimated Δv in this stage (None: the rules' ``leg_dv_cap``). Higher than
    the search's: a bridging leg of a few km/s between two groups of targets costs far less
    than the launch it saves (GTOC9: 55 MEUR is ≈ 1.5 km/s more on a 14-target mission)."""
    receivers: int = 2
    """Per target of a removed mission, the missions that reach it most cheaply offered as
    receivers (besides the removed mission's neighbours in time)."""
    dissolve: bool = True
    """Try the dissolve move (module docstring, move 1)."""
    window_sizes: tuple[int, ...] = (2, 3)
    """Window sizes [missions] of the merge move (empty: no merge move)."""
    windows: LnsConfig = field(
        default_factory=lambda: LnsConfig(
            step_days=10, width=80, keep=10, max_length=20, time_prices_m_s_per_day=(2.0, 0.5)
        )
    )
    """Pool and MILP settings of the merge move (``windows.repartition_window``)."""


@dataclass
class EliminationReport:
    """One accepted change: the move, the targets of the removed mission, missions and
    estimated cost before and after (currency), seconds spent on the candidate."""

    move: str
    removed: tuple[int, ...]
    missions_before: int
    missions_after: int
    before: float
    after: float
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = dict(self.__dict__)
        out["removed"] = list(self.removed)
        return out


def with_leg_cap(costs: LegCosts, config: EliminateConfig) -> LegCosts:
    """``costs`` under this stage's cap of a leg's Δv (``config.leg_dv_cap``)."""
    if config.leg_dv_cap is None:
        return costs
    return replace(costs, rules=replace(costs.rules, leg_dv_cap=config.leg_dv_cap))


def resequence(
    costs: LegCosts,
    targets: Sequence[int],
    lo: int,
    hi: int,
    config: EliminateConfig,
    seed: int = 0,
    latest_start: int | None = None,
) -> MissionChain | None:
    """The cheapest chain (estimated cost) visiting exactly ``targets``, first departure ≥ ``lo``
    and last arrival ≤ ``hi`` (grid days), found by beam searches restricted to those targets
    from first-departure days every ``config.start_step_days`` up to ``latest_start`` (each
    search also tries ``beam.start_offsets`` later); None if none fits the time and the
    propellant (at ``dv_margin``)."""
    rules = costs.rules
    n = len(targets)
    available = np.zeros(costs.shape[0], dtype=bool)
    available[list(targets)] = True
    # n − 1 legs need at least that many stays and shortest coasts
    last = hi - (n - 1) * (rules.stay_days + rules.tau_min_days)
    if latest_start is not None:
        last = min(last, latest_start)
    best, best_cost = None, math.inf
    starts = range(lo, last + 1, config.start_step_days)
    for k, (start, lam) in enumerate(itertools.product(starts, config.time_prices_m_s_per_day)):
        beam = replace(config.beam, time_price_m_s_per_day=lam)
        chains = beam_search(costs, available, start, hi, n, beam, seed + k)
        if len(chains) < n:
            continue
        chain = chains[n - 1]
        if len(chain.ids) != n or chain.end_day > hi or chain.start_day < lo:
            continue
        if not chain_feasible(rules, chain, config.dv_margin):
            continue
        cost = chain_cost(rules, chain, config.dv_factor)
        if cost < best_cost:
            best, best_cost = chain, cost
    return best


def _neighbours(chains: list[MissionChain], victim: MissionChain) -> list[MissionChain]:
    """The missions just before and just after ``victim`` in time."""
    ordered = sorted(chains, key=lambda c: c.start_day)
    k = next(i for i, c in enumerate(ordered) if c is victim)
    return [ordered[i] for i in (k - 1, k + 1) if 0 <= i < len(ordered)]


def _reach(costs: LegCosts, chains: list[MissionChain], target: int, chain: MissionChain) -> float:
    """How cheaply ``chain`` could take ``target`` inside its slot among ``chains``: the
    cheapest leg into ``target`` from one of its targets plus the cheapest leg out of it to one
    of them, each on its best day of the slot (a lower bound of an insertion's two legs)."""
    lo, hi = slot_of(costs.rules, chains, chain)
    hi = min(hi + 1, costs.shape[2])
    into = float(np.min(costs[chain.ids, target, lo:hi]))
    out = float(np.min(costs[target, chain.ids, lo:hi]))
    return into + out


def _insert_options(
    costs: LegCosts, chains: list[MissionChain], receiver: MissionChain, target: int
) -> list[MissionChain]:
    """``receiver`` with ``target`` inserted anywhere, inside its slot among ``chains``."""
    lo, hi = slot_of(costs.rules, chains, receiver)
    options = extensions(costs, receiver, target, lo, hi)
    if receiver.solo is None:
        options += insertions(costs, receiver, target)
    return [c for c in options if c.start_day >= lo and c.end_day <= hi]


def _cheapest_insertions(
    costs: LegCosts,
    chains: list[MissionChain],
    receivers: list[MissionChain],
    targets: Sequence[int],
    config: EliminateConfig,
) -> tuple[list[MissionChain], dict[int, int]] | None:
    """Insert ``targets`` one by one, each time the (target, receiver, position) of least
    added cost; returns the new chain list and the receiver index of each target, or None when
    a target fits nowhere."""
    rules = costs.rules
    current = list(chains)
    slots = list(receivers)
    left = list(targets)
    assignment: dict[int, int] = {}
    while left:
        best: tuple[float, int, int, MissionChain] | None = None
        for t in left:
            for r, receiver in enumerate(slots):
                base = chain_cost(rules, receiver, config.dv_factor)
                for option in _insert_options(costs, current, receiver, t):
                    if not chain_feasible(rules, option, config.dv_margin):
                        continue
                    added = chain_cost(rules, option, config.dv_factor) - base
                    if best is None or added < best[0]:
                        best = (added, t, r, option)
        if best is None:
            return None
        _, t, r, option = best
        current = [option if c is slots[r] else c for c in current]
        slots[r] = option
        assignment[t] = r
        left.remove(t)
    return current, assignment


def _resequenced(
    costs: LegCosts,
    chains: list[MissionChain],
    receivers: list[MissionChain],
    extra: list[list[int]],
    config: EliminateConfig,
    seed: int,
) -> list[MissionChain] | None:
    """``chains`` with each receiver r re-sequenced over its targets + ``extra[r]`` inside its
    slot (receivers in the given order, each slot taken after the previous re-sequencing);
    None when one of them does not fit."""
    current = list(chains)
    for r, receiver in enumerate(receivers):
        if not extra[r]:
            continue
        lo, hi = slot_of(costs.rules, current, receiver)
        new = resequence(costs, [*receiver.ids, *extra[r]], lo, hi, config, seed + 17 * r)
        if new is None:
            return None
        current = [new if c is receiver else c for c in current]
    return current


def dissolve(
    costs: LegCosts,
    chains: list[MissionChain],
    victim: MissionChain,
    config: EliminateConfig,
    seed: int = 0,
) -> list[MissionChain] | None:
    """The cheapest campaign (estimated) found without ``victim``, its targets moved into other
    missions (module docstring, move 1); None when they fit nowhere.

    Receivers of a target: the neighbours of ``victim`` in time (they get its time slot) and
    the ``config.receivers`` missions that could reach it most cheaply inside their own slot
    (:func:`_reach`). For each (target, receiver) the marginal cost of taking the target is
    measured — the cheaper of the cheapest insertion and the receiver re-sequenced with it
    (:func:`resequence`, first departures up to the receiver's own); when even the sum of each
    target's cheapest marginal cost does not pay for the removed mission, nothing is tried
    further. Candidates: every target at its cheapest receiver (receivers given several
    targets re-sequenced with all of them, in time order and in reverse), and all targets by
    successive cheapest insertion, each changed mission then re-sequenced when cheaper."""
    costs = with_leg_cap(costs, config)
    rules = costs.rules
    others = [c for c in chains if c is not victim]
    if not others:
        return None
    targets = list(victim.ids)

    def total(cs: list[MissionChain]) -> float:
        return sum(chain_cost(rules, c, config.dv_factor) for c in cs)

    neighbours = _neighbours(chains, victim)
    receivers: list[MissionChain] = list(neighbours)
    offered: dict[int, list[MissionChain]] = {}
    for t in targets:
        nearest = sorted(others, key=lambda c: _reach(costs, others, t, c))[: config.receivers]
        offered[t] = neighbours + [c for c in nearest if all(c is not n for n in neighbours)]
        receivers += [c for c in offered[t] if all(c is not r for r in receivers)]
    receivers.sort(key=lambda c: c.start_day)
    index = {id(r): k for k, r in enumerate(receivers)}

    marginal: dict[int, tuple[float, int, MissionChain]] = {}
    for t in targets:
        for r in offered[t]:
            lo, hi = slot_of(rules, others, r)
            options = [
                o
                for o in _insert_options(costs, others, r, t)
                if chain_feasible(rules, o, config.dv_margin)
            ]
            # the receiver's targets meet when it flies now: it may start earlier, not later
            new = resequence(costs, [*r.ids, t], lo, hi, config, seed, r.start_day)
            options += [] if new is None else [new]
            if not options:
                continue
            best = min(options, key=lambda o: total([o]))
            extra = total([best]) - total([r])
            if t not in marginal or extra < marginal[t][0]:
                marginal[t] = (extra, index[id(r)], best)
    if len(marginal) < len(targets) or sum(m[0] for m in marginal.values()) >= total([victim]):
        return None

    candidates: list[list[MissionChain]] = []
    extra_of = [[t for t in targets if marginal[t][1] == k] for k in range(len(receivers))]
    singles = [k for k, e in enumerate(extra_of) if len(e) == 1]
    current = list(others)
    for k in singles:
        current = [marginal[extra_of[k][0]][2] if c is receivers[k] else c for c in current]
    if all(len(e) <= 1 for e in extra_of) and _fits(rules, current):
        candidates.append(current)
    else:
        for order in (list(range(len(receivers))), list(range(len(receivers)))[::-1]):
            result = _resequenced(
                costs,
                others,
                [receivers[i] for i in order],
                [extra_of[i] for i in order],
                config,
                seed,
            )
            if result is not None:
                candidates.append(result)
    inserted = _cheapest_insertions(costs, others, receivers, targets, config)
    if inserted is not None:
        current = inserted[0]
        for chain in [c for c in current if all(c is not o for o in others)]:
            lo, hi = slot_of(rules, current, chain)
            new = resequence(costs, chain.ids, lo, hi, config, seed + 31)
            if new is not None and total([new]) < total([chain]):
                current = [new if c is chain else c for c in current]
        candidates.append(current)
    if not candidates:
        return None
    return min(candidates, key=total)


def _fits(rules: CampaignRules, chains: list[MissionChain]) -> bool:
    """Whether the missions keep the rules' gap between them and stay inside the window."""
    ordered = sorted(chains, key=lambda c: c.start_day)
    if ordered[0].start_day < rules.first_departure_day:
        return False
    if ordered[-1].end_day > rules.last_arrival_day:
        return False
    return all(
        b.start_day - a.end_day >= rules.mission_gap_days for a, b in itertools.pairwise(ordered)
    )


def eliminate_missions(
    costs: LegCosts,
    plan: CampaignPlan,
    config: EliminateConfig,
    seed: int = 0,
    *,
    run_tasks: RunTasks | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[str], None] | None = None,
    on_change: Callable[[CampaignPlan], None] | None = None,
) -> list[EliminationReport]:
    """Remove missions from ``plan`` (changed in place) while the estimated cost drops (module
    docstring): candidates of at most ``config.max_targets`` targets, smallest first; per
    candidate :func:`dissolve`, then (with ``run_tasks``) the window MILPs of
    ``config.window_sizes`` missions around it. Returns the accepted changes."""
    rules = costs.rules
    reports: list[EliminationReport] = []
    tried: set[tuple[int, ...]] = set()

    def cost(cs: list[MissionChain]) -> float:
        return sum(chain_cost(rules, c, config.dv_factor) for c in cs)

    while True:
        ordered = sorted(plan.chains, key=lambda c: c.start_day)
        candidates = sorted(
            (c for c in ordered if len(c.ids) <= config.max_targets and tuple(c.ids) not in tried),
            key=lambda c: (len(c.ids), chain_cost(rules, c, config.dv_factor)),
        )
        if not candidates:
            return reports
        victim = candidates[0]
        tried.add(tuple(victim.ids))
        if should_stop is not None and should_stop():
            return reports
        t0 = time.monotonic()
        before = cost(plan.chains)
        n_before = len(plan.chains)
        best: tuple[str, list[MissionChain]] | None = None
        result = (
            dissolve(costs, plan.chains, victim, config, seed + len(reports))
            if config.dissolve
            else None
        )
        if result is not None and cost(result) < before - 1e-6:
            best = ("dissolve", result)
        if run_tasks is not None:
            k = next(i for i, c in enumerate(ordered) if c is victim)
            for size in config.window_sizes:
                for first in range(max(0, k - size + 1), min(k, len(ordered) - size) + 1):
                    if should_stop is not None and should_stop():
                        break
                    window_plan = CampaignPlan(plan.config, list(ordered), rules=rules)
                    chains, _ = repartition_window(
                        window_plan, first, size, config.windows, seed + 1009 * first, run_tasks
                    )
                    if chains is not None and cost(chains) < min(
                        before - 1e-6, math.inf if best is None else cost(best[1])
                    ):
                        best = (f"windows of {size}", chains)
        if progress is not None:
            after = before if best is None else cost(best[1])
            found = "no fit" if result is None else f"{cost(result):.1f}"
            progress(
                f"mission {list(victim.ids)}: {before:.1f} → {after:.1f} "
                f"(dissolve: {found}; {time.monotonic() - t0:.0f} s)"
            )
        if best is None:
            continue
        move, chains = best
        plan.chains = sorted(chains, key=lambda c: c.start_day)
        reports.append(
            EliminationReport(
                move,
                tuple(victim.ids),
                n_before,
                len(plan.chains),
                before,
                cost(plan.chains),
                time.monotonic() - t0,
            )
        )
        tried.clear()  # the campaign changed: every small mission is a candidate again
        if on_change is not None:
            on_change(plan)
