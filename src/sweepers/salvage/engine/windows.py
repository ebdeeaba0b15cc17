"""Window re-partitioning of a campaign: pool + exact set-partitioning MILP per time window.

A large-neighbourhood search over the campaign, in time order. For a window of ``size``
consecutive missions (one-debris missions included) with free time [lo, hi] between the missions
around it (first departure ≥ lo, last arrival ≤ hi):

1. a **pool** of chains over the window's debris plus the debris of every one-debris mission
   outside it is beam-searched (``pool``: first departures every ``step_days`` in the
   window, several time prices, ``keep`` chains of distinct debris sets per depth), their
   prefixes and suffixes added, the pool pruned to its Pareto front; the window's current
   missions and their segments are columns too, as are one-debris missions every
   ``solo_step_days`` for each debris of the window;
2. an **exact set-partitioning MILP** (``salvage.engine.partition.exact_cover``, HiGHS)
   chooses missions covering every debris of the window exactly once, taking an outside
   one-debris mission's debris when that pays (its mission then disappears: a "keep" column
   of the solo's cost stands for leaving it), missions one after the other in time inside the
   window;
3. the choice replaces the window when its estimated cost is lower (the current missions are in
   the model, so the MILP never does worse than them when it reaches optimality).

Windows slide over the campaign (``stride`` missions at a time, ``passes`` times) or until the
time budget is spent; each
accepted change is checkpointed by the caller (``on_change``). Deterministic for a seed when no
time limit is hit (the pool searches are; HiGHS is given a node limit as well as a time limit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.salvage.engine.campaign import (
    PROPELLANT_DV_MARGIN,
    CampaignPlan,
    chain_cost,
    chain_m0_kg,
    solo_chain,
)
from sweepers.salvage.engine.model import CampaignRules
from sweepers.salvage.engine.partition import Columns, Selection, exact_cover, relax, select
from sweepers.salvage.engine.pool import (
    PoolTask,
    decode_chains,
    occupied_interval,
    prune_pool,
    with_segments,
)
from sweepers.salvage.engine.search import MissionChain

RunTasks = Callable[[list[PoolTask]], list[tuple[NDArray, NDArray, NDArray]]]
"""Runs pool tasks (``pool.run_pool_task`` on the cost table) on some executor, in order."""


@dataclass(frozen=True)
class LnsConfig:
    """Settings of the window re-partitioning (module docstring)."""

    sizes: tuple[int, ...] = (8,)
    """Window sizes [missions], tried in this order at each position (the next size only when
    the previous brings nothing)."""
    stride: int = 4
    """Missions the window moves by after each position; pass p starts at (p · stride / 2) mod
    stride, so successive passes cut the campaign at other places."""
    step_days: int = 10
    width: int = 80
    keep: int = 10
    max_length: int = 16
    time_prices_m_s_per_day: tuple[float, ...] = (2.0, 0.5)
    solo_step_days: int = 10
    dv_margin: float = PROPELLANT_DV_MARGIN
    """Propellant check of new columns on Δv × this factor (``pool.PoolConfig``)."""
    milp_seconds: float = 120.0
    milp_nodes: int = 20_000
    passes: int = 4
    offer_max_debris: int = 1
    """Outside missions of at most this many debris are offered to the window (all their debris
    taken or none: a "keep" column covers the whole mission); 1: the one-debris missions."""
    pricing_rounds: int = 0
    """Rounds of column generation (LP prices → prized beam searches) before each window's MILP
    (:func:`repartition_window`); 0: the pool of plain searches only."""
    milp_columns: int = 40_000
    """With pricing: pool columns of lowest LP reduced cost given to the MILP (plus the LP's
    support and the current missions)."""


@dataclass
class WindowReport:
    """One window MILP: position, size, cost before/after [MEUR], columns, gap, seconds."""

    position: int
    size: int
    before_meur: float
    after_meur: float
    columns: int
    gap: float
    status: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass
class LnsState:
    """Where the search is: pass number, next window position, reports so far."""

    pass_no: int = 0
    position: int = 0
    improved_in_pass: bool = False
    reports: list[WindowReport] = field(default_factory=list)


def _window_bounds(
    rules: CampaignRules, ordered: list[MissionChain], k: int, size: int
) -> tuple[int, int]:
    """Earliest first departure and latest last arrival of missions replacing
    ``ordered[k : k + size]``."""
    gap = rules.mission_gap_days
    lo = rules.first_departure_day if k == 0 else ordered[k - 1].end_day + gap
    nxt = k + size
    hi = rules.last_arrival_day if nxt >= len(ordered) else ordered[nxt].start_day - gap
    return lo, hi


def window_tasks(
    visible: Sequence[int], lo: int, hi: int, config: LnsConfig, seed: int
) -> list[PoolTask]:
    """Pool searches of one window."""
    starts = list(range(lo, max(lo, hi - 15) + 1, config.step_days))
    return [
        PoolTask(
            s,
            lam,
            tuple(sorted(visible)),
            seed + 7 * j + 1013 * m,
            config.width,
            config.max_length,
            config.keep,
            hi,
        )
        for j, s in enumerate(starts)
        for m, lam in enumerate(config.time_prices_m_s_per_day)
    ]


def _inside(c: MissionChain, lo: int, hi: int) -> bool:
    return c.start_day >= lo and c.end_day <= hi


def dv_price_meur_per_m_s(
    rules: CampaignRules, chains: Sequence[MissionChain], dv_factor: float
) -> float:
    """Marginal cost of one more m/s on a mission [MEUR per m/s], averaged over ``chains``
    (multi-debris ones): dJ/dΔv ≈ 2α (m0 − m_dry) · m0 / v_e at each chain's estimated m0 —
    converts LP prices of debris [MEUR] into prizes for the beam search [m/s]."""
    slopes = [
        rules.cost_slope(chain_m0_kg(rules, c, dv_factor))
        for c in chains
        if c.solo is None and c.legs
    ]
    # no multi-debris mission: the former fall-back value, 2α·2000 kg
    return float(np.mean(slopes)) if slopes else 2.0 * rules.alpha_per_kg2 * 2000.0


@dataclass
class _Window:
    """What the MILP of one window is built from (see :func:`repartition_window`)."""

    group: list[MissionChain]
    lo: int
    hi: int
    must: list[int]
    outside_solos: list[MissionChain]
    visible: list[int]
    rules: CampaignRules


def _window_columns(
    win: _Window, found: list[MissionChain], config: LnsConfig, factor: float
) -> tuple[list[MissionChain], list[MissionChain], Columns, float]:
    """Columns of the window's MILP: the pool (``found`` with segments, pruned), the current
    missions and their segments, one-debris missions, "keep" columns for the outside solos and
    two empty columns pinning the window's ends. Returns (real columns: the pool's, then the
    others; those others; model columns; cost of the current missions and the outside solos
    [MEUR])."""
    lo, hi = win.lo, win.hi
    rules = win.rules
    allowed = set(win.visible)
    new = [c for c in with_segments(found) if _inside(c, lo, hi) and set(c.ids) <= allowed]
    columns: list[MissionChain] = prune_pool(rules, new, config.dv_margin, factor)
    current = [c for c in win.group if c.solo is None]
    stay = rules.stay_days
    solo_days = range(max(lo, rules.first_departure_day), hi + stay + 1, config.solo_step_days)
    fixed = [c for c in with_segments(current) if set(c.ids) <= allowed]
    fixed += [solo_chain(rules, d, day) for d in win.must for day in solo_days]
    fixed += [c for c in win.group if c.solo is not None]
    columns += fixed
    w_lo, w_hi = lo - stay, hi + rules.occupied_after_days
    cost = [chain_cost(rules, c, factor) for c in columns]
    members = [tuple(c.ids) for c in columns]
    iv = [occupied_interval(rules, c) for c in columns]
    # "keep" columns (leave an outside solo where it is) and two empty ones that pin the window
    solo_cost = {tuple(c.ids): chain_cost(rules, c, factor) for c in win.outside_solos}
    for ids, c_meur in sorted(solo_cost.items()):
        cost.append(c_meur)
        members.append(ids)
        iv.append((w_lo, w_lo))
    cost += [0.0, 0.0]
    members += [(), ()]
    iv += [(w_lo, w_lo), (w_hi, w_hi)]
    lo_arr = np.array([a for a, _ in iv], dtype=np.int64)
    hi_arr = np.array([b for _, b in iv], dtype=np.int64)
    cols = Columns(np.asarray(cost, dtype=float), members, lo_arr, hi_arr)
    before = sum(chain_cost(rules, c, factor) for c in win.group) + sum(solo_cost.values())
    return columns, fixed, cols, before


def _choose(
    columns: list[MissionChain],
    fixed: list[MissionChain],
    cols: Columns,
    visible: list[int],
    config: LnsConfig,
    *,
    restrict: bool,
) -> tuple[Selection, list[MissionChain], int]:
    """The window's MILP on ``cols`` (:func:`_window_columns`): (HiGHS' selection, the chosen
    missions, columns in the model). With ``restrict`` and more than ``config.milp_columns``
    pool columns, the MILP gets the pool columns of lowest LP reduced cost, the LP's support and
    every column that is not a pool chain (current missions and their segments, one-debris
    missions, keep and pin columns): a grown pool is too large for HiGHS' time limit."""
    n_pool = len(columns) - len(fixed)
    if restrict and n_pool > config.milp_columns:
        sel = select(
            cols,
            visible,
            max_columns=config.milp_columns,
            always=np.arange(n_pool, len(cols)),
            time_limit_s=config.milp_seconds,
            node_limit=config.milp_nodes,
            mip_rel_gap=1e-6,
        )
    else:
        sel = exact_cover(
            cols, visible, time_limit_s=config.milp_seconds, node_limit=config.milp_nodes
        )
    chosen = [columns[j] for j in sel.chosen if j < len(columns)]
    return sel, chosen, sel.columns_in_milp


def repartition_window(
    plan: CampaignPlan,
    k: int,
    size: int,
    config: LnsConfig,
    seed: int,
    run_tasks: RunTasks,
) -> tuple[list[MissionChain] | None, WindowReport]:
    """Re-partition ``plan``'s missions k … k + size − 1 (in time order); returns the new
    chain list (None if no gain) and the report.

    With ``config.pricing_rounds`` > 0 the pool is grown by column generation before the MILP:
    the LP relaxation of the window's model prices every debris (the dual of its cover row,
    MEUR); converted to m/s with the marginal cost of Δv of the window's missions
    (:func:`dv_price_meur_per_m_s`), the prices become prizes of the same beam searches, which
    then rank chains by Σ Δv − Σ prize — an estimate of their reduced cost — and so look for the
    missions the LP lacks, typically ones that take debris now removed by short, expensive
    missions. The grown pool's MILP (restricted to ``config.milp_columns`` columns of lowest
    reduced cost, :func:`_choose`) replaces the plain pool's only when it does better."""
    factor = plan.config.dv_factor
    ordered = sorted(plan.chains, key=lambda c: (c.start_day, c.ids))
    group = ordered[k : k + size]
    lo, hi = _window_bounds(plan.rules, ordered, k, size)
    must = sorted({d for c in group for d in c.ids})
    outside_solos = [
        c
        for c in ordered
        if (c.solo is not None or len(c.ids) <= config.offer_max_debris)
        and all(c is not g for g in group)
    ]
    offered = sorted(d for c in outside_solos for d in c.ids)
    visible = sorted(set(must) | set(offered))
    win = _Window(group, lo, hi, must, outside_solos, visible, plan.rules)
    found: list[MissionChain] = []
    for legs, dv, counts in run_tasks(window_tasks(visible, lo, hi, config, seed)):
        found.extend(decode_chains(legs, dv, counts))
    columns, fixed, cols, before = _window_columns(win, found, config, factor)
    sel, chosen, n_model = _choose(columns, fixed, cols, visible, config, restrict=False)
    price = dv_price_meur_per_m_s(plan.rules, group, factor)
    for r in range(config.pricing_rounds):
        prices = relax(cols, visible).prices
        prize = np.zeros(int(max(visible)) + 1)
        prize[visible] = np.maximum(prices, 0.0) / price
        tasks = [
            replace(t, seed=t.seed + 7919 * (r + 1), prize_m_s=tuple(prize.tolist()))
            for t in window_tasks(visible, lo, hi, config, seed)
        ]
        for legs, dv, counts in run_tasks(tasks):
            found.extend(decode_chains(legs, dv, counts))
        columns, fixed, cols, before = _window_columns(win, found, config, factor)
    if config.pricing_rounds > 0:
        # the grown pool's MILP replaces the plain pool's only when it does better
        priced = _choose(columns, fixed, cols, visible, config, restrict=True)
        if priced[0].objective < sel.objective:
            sel, chosen, n_model = priced
    # the current missions are a feasible point of the same model: the gap of the window is
    # measured from the better of them and the MILP's solution
    best = min(before, sel.objective)
    gap = (best - sel.mip_bound) / best if np.isfinite(sel.mip_bound) else float("nan")
    report = WindowReport(k, size, before, sel.objective, n_model, gap, sel.status, sel.seconds)
    if sel.uncovered or not sel.objective < before - 1e-6:
        return None, report
    taken = {d for c in chosen for d in c.ids}
    kept = [
        c
        for c in ordered
        if all(c is not g for g in group)
        and not (any(c is o for o in outside_solos) and set(c.ids) & taken)
    ]
    return sorted(kept + chosen, key=lambda c: (c.start_day, c.ids)), report


def improve_by_windows(
    plan: CampaignPlan,
    config: LnsConfig,
    seed: int,
    run_tasks: RunTasks,
    state: LnsState,
    *,
    should_stop: Callable[[], bool] | None = None,
    on_change: Callable[[CampaignPlan, LnsState], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Slide the windows over ``plan`` (changed in place) from ``state`` (changed in place),
    ``config.passes`` passes, or until ``should_stop()``."""
    while state.pass_no < config.passes:
        while True:
            if should_stop is not None and should_stop():
                return
            n = len(plan.chains)
            if state.position >= n - 1:
                break
            best: tuple[list[MissionChain], WindowReport] | None = None
            for size in config.sizes:
                size = min(size, n - state.position)
                if size < 2:
                    continue
                seed_k = seed + 100_000 * state.pass_no + 1_000 * state.position + size
                chains, report = repartition_window(
                    plan, state.position, size, config, seed_k, run_tasks
                )
                state.reports.append(report)
                if progress is not None:
                    progress(
                        f"pass {state.pass_no + 1}, missions {state.position + 1}–"
                        f"{state.position + size}: {report.before_meur:.1f} → "
                        f"{report.after_meur:.1f}"
                    )
                if chains is not None:
                    best = (chains, report)
                    break
            if best is not None:
                plan.chains = best[0]
                state.improved_in_pass = True
            state.position += config.stride
            if on_change is not None:
                on_change(plan, state)
        state.pass_no += 1
        state.position = (state.pass_no * config.stride // 2) % max(config.stride, 1)
        state.improved_in_pass = False
        if on_change is not None:
            on_change(plan, state)
