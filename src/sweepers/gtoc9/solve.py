"""The GTOC9 campaign solver, front end: cost tables → chain search → campaign → windows → legs.

Stages (each module has one role):

1. ``solve_costs`` — C[i, j, day] [m/s] on a one-day grid over the whole window (plane angle,
   semi-major axis and eccentricity-vector changes, vectorised in numpy), handed to the planning
   engine (``sweepers.salvage.engine``) with GTOC9's rules by ``problem.leg_costs``;
2. ``salvage.engine.search`` + ``salvage.engine.campaign`` — quality-first greedy assembly of
   beam-searched chains under several time prices, then one-debris missions merged into chains
   (``absorb_solos``);
   the plan with the lowest estimated J wins and is improved by a large-neighbourhood search
   (runs of 2–3 missions re-planned inside their time slot, ``improve_plan``);
3. ``salvage.engine.windows`` (+ ``salvage.engine.pool``, ``salvage.engine.partition``) —
   window re-partitioning: windows of 3–6 consecutive missions are re-chosen by an exact
   set-partitioning MILP (HiGHS) over a pool of
   beam-searched chains of their debris (plus the debris of the one-debris missions elsewhere),
   kept when the estimated J drops; the pool searches run on the ``sweepers.parallel`` executor
   (``--workers`` processes or a Dask ``--cluster``);
4. ``salvage.engine.exact_variants`` + ``exact_legs`` (on the debris through
   ``problem.debris_legs``) — every leg solved under full J2 (node-crossing plane change,
   phasing coast, damped Newton shooting, a deep-space manoeuvre when the long arc is
   ill-conditioned); ``solve_exact`` — masses from the realised Δv, mission files, then the
   independent checker;
5. ``solve_checkpoint`` — everything finished is on disk (``OUT/.solve/checkpoint.json``; the
   cost table is cached there during the run and deleted at the end); a stopped run resumes.

Deterministic for a given seed and number of plans (``plans``); with a wall-time budget the
number of plans tried and of windows re-partitioned depends on the machine.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.gtoc9.check import CheckReport, check_solution
from sweepers.gtoc9.debris import DebrisSet, load_debris
from sweepers.gtoc9.problem import CAMPAIGN_RULES, debris_legs, leg_costs
from sweepers.gtoc9.solution import read_solution, submission_events, write_mission
from sweepers.gtoc9.solve_checkpoint import Checkpoint, chain_from_dict, chain_to_dict, leg_key
from sweepers.gtoc9.solve_costs import DayGrid, cost_block, cost_table, plane_drift
from sweepers.gtoc9.solve_exact import (
    leg_from_dict,
    leg_to_dict,
    mission_events,
    propellant_ok,
    solo_events,
)
from sweepers.gtoc9.solve_refly import refly_campaign
from sweepers.parallel import Executor, make_executor
from sweepers.salvage.engine.campaign import (
    CampaignConfig,
    CampaignPlan,
    absorb_solos,
    free_slots,
    improve_plan,
    plan_by_quality,
    search_slot,
    solo_chain,
)
from sweepers.salvage.engine.eliminate import (
    EliminateConfig,
    EliminationReport,
    eliminate_missions,
    with_leg_cap,
)
from sweepers.salvage.engine.exact_legs import FINAL_ARC_PERIODS, SolvedLeg
from sweepers.salvage.engine.exact_variants import (
    SHIFTS_DAYS,
    WRAP_RETRIES,
    WRAPS,
    solve_planned_leg,
)
from sweepers.salvage.engine.model import LegCosts, PlaneDrift
from sweepers.salvage.engine.pool import PoolTask, run_pool_task
from sweepers.salvage.engine.search import BeamConfig, MissionChain
from sweepers.salvage.engine.windows import LnsConfig, LnsState, WindowReport, improve_by_windows

Progress = Callable[[str, int, int, str], None]
"""``progress(stage, done, total, note)``."""

TIME_PRICES_MEUR_PER_DAY = (0.2, 0.1, 0.3, 0.05, 0.15, 0.4, 0.08, 0.25)
"""Time prices of the successive plans (quality-first assembly), in this order."""
SEARCH_SHARE = 0.4
"""Share of the wall-time budget after which no new plan is started."""
IMPROVE_SHARE = 0.5
"""Share of the wall-time budget after which the greedy improvement stops."""
WINDOWS_SHARE = 0.85
"""Share of the wall-time budget after which the window re-partitioning stops (the rest: mission
elimination when asked for, then exact legs)."""
ELIMINATE_SHARE = 0.92
"""Share of the wall-time budget after which the mission elimination (``SolveOptions.eliminate``)
stops (the rest: exact legs)."""


@dataclass(frozen=True)
class SearchSettings:
    """Settings of stage 2, the quality-first campaign assembly (``plan_by_quality``): one plan
    per time price, each assembled from beam-searched chains."""

    plans: int = 0
    """Number of plans to assemble (0: one per time price while the search share of the
    wall-time budget lasts, at least one)."""
    beam_width: int = 100
    """Beam width of the chain search [chains kept per depth] (``BeamConfig.width``)."""
    start_step_days: int = 50
    """Days between the first-departure days tried in each free time slot [grid days]."""
    time_prices: tuple[float, ...] = TIME_PRICES_MEUR_PER_DAY
    """Time price [MEUR/day] of the days a mission occupies; plan k uses
    ``time_prices[k % len(time_prices)]``."""

    def __post_init__(self) -> None:
        if self.plans < 0 or self.beam_width < 1 or self.start_step_days < 1:
            raise ValueError("plans ≥ 0, beam_width ≥ 1 and start_step_days ≥ 1 are needed")
        if not self.time_prices:
            raise ValueError("at least one time price is needed")


@dataclass(frozen=True)
class SolveOptions:
    """Settings of one solver run (stages in the module docstring)."""

    out_dir: Path
    """Folder of the mission files (the checkpoint goes to ``out_dir/.solve``)."""
    hours: float = 1.0
    """Wall-time budget [h]; the stages stop at fixed shares of it (``SEARCH_SHARE`` …)."""
    seed: int = 0
    """Random seed (deterministic for a seed and ``search.plans``)."""
    workers: int = 1
    """Worker processes for the cost table, the searches and the exact legs (1: in process)."""
    cluster: str | None = None
    """Dask scheduler address for the cost table and the pool searches (else ``workers``)."""
    debris_path: Path | None = None
    """The GTOC9 debris table (None: ``$SWEEPERS_DATA/gtoc9/debris.csv``)."""
    subset: tuple[int, ...] | None = None
    """Solve only these debris ids (tests); None: all 123."""
    search: SearchSettings = field(default_factory=SearchSettings)
    """Settings of the campaign assembly (stage 2)."""
    windows: LnsConfig = field(default_factory=LnsConfig)
    """Settings of the window re-partitioning (stage 3, ``salvage.engine.windows``)."""
    priced: LnsConfig | None = None
    """Settings of a second window stage run on the first one's result, typically with column
    generation (``LnsConfig.pricing_rounds`` > 0); None: no second stage."""
    plane_split: bool = True
    """Let legs split their plane change between both ends (``"mix"`` mode: in the search's
    estimates and in the exact legs); False: one end only, as before 2026-11-24."""
    eliminate: EliminateConfig | None = None
    """Settings of a mission-elimination stage (``salvage.engine.eliminate``) run on the window
    stages' result before the exact legs; None: no such stage."""
    refly: bool = False
    """After the exact legs, re-fly every leg with the one-ship planner's exact legs inside the
    campaign's schedule, keeping the cheaper leg by leg (``solve_refly``; not checkpointed: a
    rerun recomputes it)."""

    def settings(self) -> dict[str, Any]:
        """What a resumed run must share with the checkpoint: seed, beam width, start step,
        subset, and the time prices when they are not the default. The keys are flat, as
        checkpoints have always written them (a checkpoint whose settings differ is not
        resumed: the run starts afresh)."""
        out: dict[str, Any] = {
            "seed": self.seed,
            "beam_width": self.search.beam_width,
            "start_step_days": self.search.start_step_days,
            "subset": list(self.subset) if self.subset else None,
        }
        if self.search.time_prices != TIME_PRICES_MEUR_PER_DAY:
            out["time_prices"] = list(self.search.time_prices)
        return out

    @property
    def legs_model(self) -> str:
        """Name of the exact-leg model; legs in a checkpoint solved by another one are redone
        (checkpoints without a name hold legs of the first model: one end, DSM arc 0.4)."""
        modes = "split" if self.plane_split else "one-end"
        arcs, shifts = len(FINAL_ARC_PERIODS), len(SHIFTS_DAYS)
        return f"{modes}/dsm-arcs-{arcs}/shifts-{shifts}/wraps-{WRAP_RETRIES}x{max(WRAPS)}"


@dataclass
class SolveResult:
    """Outcome: the checker's report on the written files, the plan, stage timings [s]."""

    report: CheckReport
    chains: list[MissionChain]
    estimated_j_meur: float
    seconds: dict[str, float] = field(default_factory=dict)


_WORKER_COSTS: dict[str, Any] = {}


def _init_costs(path: str, drift: PlaneDrift | None) -> None:
    _WORKER_COSTS["costs"] = leg_costs(np.load(path, mmap_mode="r"), drift)


def _search_task(task: Any) -> Any:
    return search_slot(_WORKER_COSTS["costs"], task)


def _leg_task(args: tuple[DebrisSet, Any, bool]) -> SolvedLeg | None:
    debris, leg, mix = args
    return solve_planned_leg(debris_legs(debris), leg, mix)


def _noop(stage: str, done: int, total: int, note: str) -> None:
    del stage, done, total, note


def solve(options: SolveOptions, progress: Progress = _noop) -> SolveResult:
    """Run the whole solver (module docstring); writes ``m01.txt`` … into ``options.out_dir``."""
    t_start = time.monotonic()
    budget_s = options.hours * 3600.0
    out = Path(options.out_dir)
    work = out / ".solve"
    work.mkdir(parents=True, exist_ok=True)
    ckpt = Checkpoint(work / "checkpoint.json", options.settings())
    ckpt.use_legs_model(options.legs_model)
    debris = load_debris(options.debris_path)
    seconds: dict[str, float] = {}
    executor = make_executor(options.workers, options.cluster)

    # 1. cost tables
    t0 = time.monotonic()
    progress("costs", 0, 1, "cost tables C[i, j, day]")
    costs_path = work / "costs.npy"
    if not costs_path.is_file():
        if options.subset is None:
            table = cost_table(debris, DayGrid(), executor=executor)
        else:
            grid = DayGrid()
            table = np.full((len(debris), len(debris), grid.n), np.inf, dtype=np.float32)
            table[list(options.subset)] = cost_block(debris, grid, options.subset)
            mask = np.ones(len(debris), dtype=bool)
            mask[list(options.subset)] = False
            table[:, mask, :] = np.inf
        np.save(costs_path, table)
    drift = plane_drift(debris, DayGrid()) if options.plane_split else None
    costs = leg_costs(np.load(costs_path, mmap_mode="r"), drift)
    progress("costs", 1, 1, "cost tables ready")
    seconds["costs"] = time.monotonic() - t0

    # 2. plans
    t0 = time.monotonic()
    available = np.zeros(len(debris), dtype=bool)
    available[list(options.subset) if options.subset else slice(None)] = True
    pool = (
        ProcessPoolExecutor(
            options.workers, initializer=_init_costs, initargs=(str(costs_path), drift)
        )
        if options.workers > 1
        else None
    )
    try:
        best = _search_plans(options, ckpt, costs, available, pool, progress, t_start, budget_s)
        best = _improve(options, ckpt, costs, best, progress, t_start, budget_s)
        seconds["search"] = time.monotonic() - t0
        t0 = time.monotonic()
        run = _Run(ckpt, costs, executor, progress, t_start, budget_s)
        stages = [(options.windows, "windows", options.seed)]
        if options.priced is not None:
            stages.append((options.priced, "windows_priced", options.seed + 1))
        reports: list[WindowReport] = []
        for config, name, seed in stages:
            best, done = _windows(config, name, seed, run, best)
            reports += done
        seconds["windows"] = time.monotonic() - t0
        eliminated: list[EliminationReport] = []
        if options.eliminate is not None:
            t0 = time.monotonic()
            best, eliminated = _eliminate(options.eliminate, options.seed, run, best)
            seconds["eliminate"] = time.monotonic() - t0
        # 3. exact legs
        t0 = time.monotonic()
        solved = fly_chains(best.chains, debris, ckpt, pool, progress, options.plane_split)
    finally:
        if pool is not None:
            pool.shutdown()
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    missions = complete_missions(best.chains, solved)
    missions += rescue_solos(missions, available)
    missions.sort(key=lambda m: m[0].start_day)
    for old in out.glob("m*.txt"):
        old.unlink()
    for k, (chain, legs) in enumerate(missions, start=1):
        events = solo_events(debris, chain) if chain.solo else mission_events(legs)
        write_mission(out / f"m{k:02d}.txt", submission_events(events, debris))
    seconds["exact"] = time.monotonic() - t0
    if options.refly:
        seconds["refly"] = refly_stage(out, debris, options.workers, progress)
    report = check_solution(out, debris)
    seconds["total"] = time.monotonic() - t_start
    summary = {
        **check_summary(report),
        "estimated_J": best.estimated_j_meur(),
        "windows": _window_summary(reports),
        "eliminations": [r.to_dict() for r in eliminated],
        "seconds": seconds,
        "settings": options.settings(),
    }
    (work / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    del costs
    costs_path.unlink(missing_ok=True)  # 180 MB, recomputed in seconds: not worth keeping
    return SolveResult(report, best.chains, best.estimated_j_meur(), seconds)


def refly_stage(out: Path, debris: DebrisSet, workers: int, progress: Progress) -> float:
    """The files in ``out`` re-flown in place (``solve_refly.refly_campaign``); seconds taken."""
    t0 = time.monotonic()
    missions = read_solution(out)
    progress("refly", 0, len(missions), "re-flying the legs with the planner's legs")
    refly_campaign(missions, debris, out, workers=workers,
                   progress=lambda done, total, name: progress("refly", done, total, name))
    return time.monotonic() - t0


def check_summary(report: CheckReport) -> dict[str, Any]:
    """The checker's verdict on the written files, as the run's ``summary.json`` starts."""
    return {
        "valid": report.valid,
        "complete": report.complete,
        "J": report.cost_meur,
        "n": len(report.missions),
        "mass_term_meur": report.mass_term_meur,
        "debris_removed": report.debris_removed,
    }


def _search_plans(
    options: SolveOptions,
    ckpt: Checkpoint,
    costs: LegCosts,
    available: NDArray[np.bool_],
    pool: ProcessPoolExecutor | None,
    progress: Progress,
    t_start: float,
    budget_s: float,
) -> CampaignPlan:
    """Plans under successive time prices; the cheapest estimated J wins (checkpointed)."""
    search = options.search
    prices = search.time_prices
    n_plans = search.plans or len(prices)
    best: CampaignPlan | None = None

    def map_fn(fn: Any, tasks: list[Any]) -> Any:
        if pool is None:
            return [fn(costs, t) for t in tasks]
        return pool.map(_search_task, tasks)

    for k in range(n_plans):
        price = prices[k % len(prices)]
        name = f"plan{k}"
        config = CampaignConfig(0, BeamConfig(width=search.beam_width), dv_factor=1.0)
        if name in ckpt.plans:
            chains = [chain_from_dict(c) for c in ckpt.plans[name]["chains"]]
            plan = CampaignPlan(config, chains, rules=CAMPAIGN_RULES)
        else:
            elapsed = time.monotonic() - t_start
            if k > 0 and not search.plans and elapsed > SEARCH_SHARE * budget_s:
                break
            done = len(available) - int(available.sum())

            def report(p: CampaignPlan, k: int = k, done: int = done) -> None:
                n = done + sum(len(c.ids) for c in p.chains)
                progress("search", n, len(available), f"plan {k + 1}: {len(p.chains)} missions")

            plan = plan_by_quality(
                costs,
                config,
                options.seed + 7919 * k,
                map_fn=map_fn,
                start_step_days=search.start_step_days,
                time_price_meur_per_day=price,
                on_mission=report,
                available=available,
            )
            absorb_solos(costs, plan)
            ckpt.plans[name] = {
                "estimated_j": _finite(plan.estimated_j_meur()),
                "chains": [chain_to_dict(c) for c in plan.chains],
            }
            ckpt.save()
        progress(
            "search",
            len(available),
            len(available),
            f"plan {k + 1}: J≈{plan.estimated_j_meur():.1f}",
        )
        if best is None or plan.estimated_j_meur() < best.estimated_j_meur():
            best = plan
    assert best is not None
    return best


def _improve(
    options: SolveOptions,
    ckpt: Checkpoint,
    costs: LegCosts,
    plan: CampaignPlan,
    progress: Progress,
    t_start: float,
    budget_s: float,
) -> CampaignPlan:
    """Large-neighbourhood improvement of the best plan (``improve_plan``), windows of 2 then 3
    missions, within the search share of the budget; checkpointed after each window size."""
    for window in (2, 3):
        name = f"improved{window}"
        if name in ckpt.plans:
            chains = [chain_from_dict(c) for c in ckpt.plans[name]["chains"]]
            plan = CampaignPlan(plan.config, chains, rules=CAMPAIGN_RULES)
            continue
        progress("improve", window - 2, 2, f"windows of {window}: J≈{plan.estimated_j_meur():.1f}")

        def stop() -> bool:
            return time.monotonic() - t_start > IMPROVE_SHARE * budget_s

        improve_plan(costs, plan, options.seed, window=window, should_stop=stop)
        ckpt.plans[name] = {
            "estimated_j": _finite(plan.estimated_j_meur()),
            "chains": [chain_to_dict(c) for c in plan.chains],
        }
        ckpt.save()
        progress("improve", window - 1, 2, f"windows of {window}: J≈{plan.estimated_j_meur():.1f}")
    return plan


def _run_pool_tasks(executor: Executor, costs: LegCosts) -> Callable[[list[PoolTask]], list[Any]]:
    def run(tasks: list[PoolTask]) -> list[Any]:
        return list(executor.map(run_pool_task, tasks, shared=costs))

    return run


@dataclass(frozen=True)
class _Run:
    """What the window and elimination stages of one run share: its checkpoint, the cost table,
    the executor of the pool searches, the progress callback and the wall-time budget."""

    ckpt: Checkpoint
    costs: LegCosts
    executor: Executor
    progress: Progress
    t_start: float
    """``time.monotonic()`` at the start of the run [s]."""
    budget_s: float
    """Wall-time budget [s]."""

    def past(self, share: float) -> bool:
        """Whether ``share`` of the budget has elapsed."""
        return time.monotonic() - self.t_start > share * self.budget_s


def _windows(
    config: LnsConfig, name: str, seed: int, run: _Run, plan: CampaignPlan
) -> tuple[CampaignPlan, list[WindowReport]]:
    """Window re-partitioning of ``plan`` (``salvage.engine.windows``) with ``config`` within the
    windows share of the budget; the plan and the search state are checkpointed under ``name`` after
    every window."""
    saved = run.ckpt.plans.get(name)
    state = LnsState()
    saved_config = {k: v for k, v in (saved or {}).get("config", {}).items() if k != "passes"}
    if saved is not None and saved_config == _lns_settings(config):
        chains = [chain_from_dict(c) for c in saved["chains"]]
        plan = CampaignPlan(plan.config, chains, rules=CAMPAIGN_RULES)
        state = LnsState(
            saved["pass"],
            saved["position"],
            saved["improved_in_pass"],
            [WindowReport(**r) for r in saved["reports"]],
        )
    start_j = plan.estimated_j_meur()

    def save(p: CampaignPlan, st: LnsState) -> None:
        run.ckpt.plans[name] = {
            "config": _lns_settings(config),
            "estimated_j": _finite(p.estimated_j_meur()),
            "chains": [chain_to_dict(c) for c in p.chains],
            "pass": st.pass_no,
            "position": st.position,
            "improved_in_pass": st.improved_in_pass,
            "reports": [r.to_dict() for r in st.reports],
        }
        run.ckpt.save()

    def note(text: str) -> None:
        run.progress(
            name, state.pass_no, config.passes, f"{text} (J≈{plan.estimated_j_meur():.1f})"
        )

    note(f"from J≈{start_j:.1f}")
    improve_by_windows(
        plan,
        config,
        seed,
        _run_pool_tasks(run.executor, leg_costs(np.asarray(run.costs.table), run.costs.drift)),
        state,
        should_stop=lambda: run.past(WINDOWS_SHARE),
        on_change=save,
        progress=note,
    )
    save(plan, state)
    run.progress(name, config.passes, config.passes, f"J≈{plan.estimated_j_meur():.1f}")
    return plan, state.reports


def _eliminate(
    config: EliminateConfig, seed: int, run: _Run, plan: CampaignPlan
) -> tuple[CampaignPlan, list[EliminationReport]]:
    """Mission elimination of ``plan`` (``salvage.engine.eliminate``, its window merges on
    ``executor``) until ``ELIMINATE_SHARE`` of the budget; checkpointed under ``"eliminated"``
    after every accepted change and when finished (a finished stage is restored, an interrupted
    one continues from its last accepted plan; the reports of the changes it accepted before the
    interruption are not kept, only their result)."""
    settings = repr(config)
    saved = run.ckpt.plans.get("eliminated")
    reports: list[EliminationReport] = []
    if saved is not None and saved["config"] == settings:
        plan = CampaignPlan(
            plan.config, [chain_from_dict(c) for c in saved["chains"]], rules=CAMPAIGN_RULES
        )
        reports = [
            EliminationReport(**{**r, "removed": tuple(r["removed"])}) for r in saved["reports"]
        ]
        if saved["finished"]:
            run.progress("eliminate", 1, 1, f"restored: J≈{plan.estimated_j_meur():.1f}")
            return plan, reports

    def save(p: CampaignPlan, finished: bool) -> None:
        run.ckpt.plans["eliminated"] = {
            "config": settings,
            "finished": finished,
            "estimated_j": _finite(p.estimated_j_meur()),
            "chains": [chain_to_dict(c) for c in p.chains],
            "reports": [r.to_dict() for r in reports],
        }
        run.ckpt.save()

    def note(text: str) -> None:
        run.progress("eliminate", 0, 1, f"{text} (J≈{plan.estimated_j_meur():.1f})")

    capped = with_leg_cap(leg_costs(np.asarray(run.costs.table), run.costs.drift), config)
    note(f"{len(plan.chains)} missions")
    reports += eliminate_missions(
        run.costs,
        plan,
        config,
        seed,
        run_tasks=_run_pool_tasks(run.executor, capped) if config.window_sizes else None,
        should_stop=lambda: run.past(ELIMINATE_SHARE),
        progress=note,
        on_change=lambda p: save(p, False),
    )
    save(plan, True)
    run.progress("eliminate", 1, 1, f"{len(plan.chains)} missions, J≈{plan.estimated_j_meur():.1f}")
    return plan, reports


def _lns_settings(config: LnsConfig) -> dict[str, Any]:
    """What a resumed window stage must share with the checkpoint (all but ``passes``: a run
    with more passes continues where a shorter one stopped)."""
    out = {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in config.__dict__.items()
        if k != "passes"
    }
    # settings added later, at their defaults: checkpoints from before them still resume
    if out.get("offer_max_debris") == 1:
        del out["offer_max_debris"]
    if out.get("pricing_rounds") == 0:
        del out["pricing_rounds"]
        del out["milp_columns"]
    return out


def _window_summary(reports: list[WindowReport]) -> dict[str, Any]:
    """What the summary says about the window MILPs: count, accepted, worst gap, gain."""
    accepted = [r for r in reports if r.after_meur < r.before_meur - 1e-6]
    return {
        "milps": len(reports),
        "accepted": len(accepted),
        "gain_meur": float(sum(r.before_meur - r.after_meur for r in accepted)),
        "max_gap": max((r.gap for r in reports), default=0.0),
        "milp_seconds": float(sum(r.seconds for r in reports)),
        "not_optimal": sum(1 for r in reports if not _optimal(r.status)),
    }


def _optimal(status: str) -> bool:
    """Whether a window MILP's status says "proved optimal" (HiGHS through highspy:
    "Optimal"; reports from checkpoints written through scipy: "... terminated successfully")."""
    return status == "Optimal" or "successfully" in status


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def fly_chains(
    chains: list[MissionChain],
    debris: DebrisSet,
    ckpt: Checkpoint,
    pool: ProcessPoolExecutor | None,
    progress: Progress,
    mix: bool,
) -> dict[str, SolvedLeg | None]:
    """Every leg of ``chains`` under J2 (checkpointed after each); ``mix``: also try the split
    plane change."""
    legs = [g for c in chains for g in c.legs]
    todo = [g for g in legs if leg_key(g) not in ckpt.legs]
    done = len(legs) - len(todo)
    progress("exact", done, len(legs), "exact J2 legs")
    tasks = [(debris, g, mix) for g in todo]
    results = pool.map(_leg_task, tasks) if pool is not None else map(_leg_task, tasks)
    for g, solved in zip(todo, results, strict=True):
        ckpt.legs[leg_key(g)] = None if solved is None else leg_to_dict(solved)
        ckpt.save()
        done += 1
        progress("exact", done, len(legs), f"{g.from_id}→{g.to_id}")
    return {
        leg_key(g): None if ckpt.legs[leg_key(g)] is None else leg_from_dict(ckpt.legs[leg_key(g)])
        for g in legs
    }


def rescue_solos(
    missions: list[tuple[MissionChain, list[SolvedLeg]]], available: NDArray[np.bool_]
) -> list[tuple[MissionChain, list[SolvedLeg]]]:
    """One-debris missions, in free time slots, for debris that a failed leg left out."""
    chains = [c for c, _ in missions]
    covered = np.zeros(available.size, dtype=bool)
    for c in chains:
        covered[c.ids] = True
    out: list[tuple[MissionChain, list[SolvedLeg]]] = []
    for debris_id in np.nonzero(available & ~covered)[0]:
        for lo, hi in free_slots(CAMPAIGN_RULES, chains):
            if hi + CAMPAIGN_RULES.stay_days >= lo:
                solo = solo_chain(CAMPAIGN_RULES, int(debris_id), lo)
                chains.append(solo)
                out.append((solo, []))
                break
    return out


def complete_missions(
    chains: list[MissionChain], solved: dict[str, SolvedLeg | None]
) -> list[tuple[MissionChain, list[SolvedLeg]]]:
    """Missions to write: chains whose legs all converged within the propellant limit; a chain
    with a failed leg is cut there (the debris after it are dropped and reported missing)."""
    out: list[tuple[MissionChain, list[SolvedLeg]]] = []
    for chain in chains:
        if chain.solo is not None:
            out.append((chain, []))
            continue
        legs: list[SolvedLeg] = []
        for g in chain.legs:
            leg = solved[leg_key(g)]
            if leg is None or not propellant_ok([*legs, leg]):
                break
            legs.append(leg)
        if legs:
            out.append((MissionChain(chain.legs[: len(legs)]), legs))
        elif chain.legs:
            first = chain.legs[0]
            out.append((solo_chain(CAMPAIGN_RULES, first.from_id, first.departure_day), []))
    return out
