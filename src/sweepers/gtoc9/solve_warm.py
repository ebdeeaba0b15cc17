"""Warm start of the GTOC9 solver from a committed campaign: mission files → the engine's plan
→ mission elimination → exact legs of the changed missions (:func:`solve_from`).

A mission file (submission structure, ``solution``) lists, per debris, its arrival and its
departure; the legs between them were flown from grid-day plans (``solve_exact``) whose epochs
the exact legs move by less than one day — departures only later (≤ 0.8 day + the wait for the
node crossing, < 0.1 day), arrivals only earlier. So the plan of a leg is recovered exactly:
departure day = ⌊t_dep − t_grid0⌋, arrival day = ⌈t_arr − t_grid0⌉ (epochs within 1e-6 day of
an integer are that integer). A campaign re-flown by ``solve_refly`` (the planner's legs, which
may move epochs by days) is read the same way: its windows keep those grid days inside the
search's rules. The leg's estimated Δv is re-priced on the cost table at those
days, in the cheapest plane-change mode (:func:`price_leg`), so the estimated J of a warm plan
is the same estimate the solver ranks its own plans by.

Because the recovered grid days bound the file's epochs (first departure ≥ its grid day, last
arrival ≤ its grid day), a mission planned ``mission_gap_days`` after a recovered one is more
than 30 days after it once flown with the same shifts, and the files of unchanged missions can
be kept line for line next to re-flown ones (:class:`WarmMission`).
"""

from __future__ import annotations

import itertools
import json
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sweepers.gtoc9.check import check_solution
from sweepers.gtoc9.debris import load_debris
from sweepers.gtoc9.problem import leg_costs
from sweepers.gtoc9.solution import (
    Event,
    MissionFile,
    read_solution,
    submission_events,
    write_mission,
)
from sweepers.gtoc9.solve import (
    Progress,
    SolveOptions,
    SolveResult,
    check_summary,
    complete_missions,
    fly_chains,
    refly_stage,
    rescue_solos,
)
from sweepers.gtoc9.solve_checkpoint import Checkpoint
from sweepers.gtoc9.solve_costs import DayGrid, cost_table, plane_drift
from sweepers.gtoc9.solve_exact import grid_day, mission_events, solo_events
from sweepers.parallel import make_executor
from sweepers.salvage.engine.campaign import CampaignConfig, CampaignPlan, solo_chain
from sweepers.salvage.engine.eliminate import EliminateConfig, eliminate_missions, with_leg_cap
from sweepers.salvage.engine.exact_legs import SolvedLeg
from sweepers.salvage.engine.model import LegCosts, split_rotation_saving
from sweepers.salvage.engine.pool import PoolTask, run_pool_task
from sweepers.salvage.engine.search import BeamConfig, MissionChain, PlannedLeg

ELIMINATE_SHARE = 0.7
"""Share of the wall-time budget after which the elimination stops (the rest: exact legs)."""


class WarmStartError(ValueError):
    """A mission file cannot be read back into a plan (file and reason in the message)."""


@dataclass
class WarmMission:
    """One committed mission: its file, its events and the chain recovered from them."""

    path: str
    events: list[Event]
    chain: MissionChain


def price_leg(costs: LegCosts, i: int, j: int, dep_day: int, arr_day: int) -> PlannedLeg:
    """The leg i → j departing on grid day ``dep_day`` and arriving on ``arr_day``, with the
    search's estimate (``search.leg_options``' three modes at these two days, Δv in the table's
    unit): plane change at departure C[i, j, dep] or at arrival C[i, j, arr], plus the phasing
    allowance of the coast, less the split saving for ``"mix"`` when the costs carry drift
    constants; the cheapest mode is kept."""
    tau = arr_day - dep_day
    phase = float(costs.rules.phasing_cost(float(tau)))
    options = {
        "dep": float(costs[i, j, dep_day]) + phase,
        "arr": float(costs[i, j, arr_day]) + phase,
    }
    if costs.drift is not None:
        saving = split_rotation_saving(
            costs.drift,
            np.array([i]),
            np.array([j]),
            np.array([float(dep_day)]),
            np.array([float(tau)]),
        )
        options["mix"] = options["arr"] - float(saving[0])
    mode = min(options, key=lambda m: options[m])
    return PlannedLeg(i, j, dep_day, arr_day, mode, options[mode])


def chain_from_events(costs: LegCosts, mission: MissionFile) -> MissionChain:
    """The planned chain behind one mission file in the submission structure (module
    docstring). Raises :class:`WarmStartError` on a file that is not in that structure."""
    visits = [e for e in mission.events if not e.is_dsm]
    if mission.issues or len(visits) < 2 or len(visits) % 2:
        raise WarmStartError(f"{mission.path}: not a mission in the submission structure")
    pairs = [(visits[k], visits[k + 1]) for k in range(0, len(visits), 2)]
    for arr, dep in pairs:
        if arr.debris_id != dep.debris_id:
            raise WarmStartError(
                f"{mission.path}:{arr.line}: arrival at {arr.debris_id} is not followed by "
                "the departure from it"
            )
    if len(pairs) == 1:
        debris_id = pairs[0][1].debris_id
        return solo_chain(costs.rules, debris_id, grid_day(pairs[0][1].epoch_mjd2000, False))
    legs = []
    for (_, dep), (arr, _) in itertools.pairwise(pairs):
        legs.append(
            price_leg(
                costs,
                dep.debris_id,
                arr.debris_id,
                grid_day(dep.epoch_mjd2000, up=False),
                grid_day(arr.epoch_mjd2000, up=True),
            )
        )
    return MissionChain(legs)


def read_warm_campaign(path: Path | str, costs: LegCosts) -> list[WarmMission]:
    """Every mission file of the solution folder ``path`` with its recovered chain, in time
    order. Raises :class:`WarmStartError` naming the file when one cannot be read back."""
    missions = []
    for mission in read_solution(path):
        if mission.issues:
            first = mission.issues[0]
            raise WarmStartError(f"{first.file}:{first.line}: {first.reason}")
        chain = chain_from_events(costs, mission)
        missions.append(WarmMission(mission.path, mission.events, chain))
    if not missions:
        raise WarmStartError(f"{path}: no mission files")
    return sorted(missions, key=lambda m: m.chain.start_day)


def solve_from(
    options: SolveOptions,
    from_dir: Path,
    config: EliminateConfig | None = None,
    progress: Progress | None = None,
) -> SolveResult:
    """Warm-start run: the campaign in ``from_dir`` → mission elimination
    (``salvage.engine.eliminate``) → the changed missions flown with the exact legs
    (``solve_exact.solve_planned_leg``, ``options.workers`` processes), the unchanged ones
    copied byte for byte → ``options.out_dir`` → the independent checker.

    The cost table is cached in ``out_dir/.solve/costs.npy`` (kept for the next run), solved
    legs in ``out_dir/.solve/checkpoint.json``; the elimination stops after ``ELIMINATE_SHARE``
    of ``options.hours``. ``options.subset``, the window settings and the search settings
    other than ``options.search.beam_width`` (the plan's beam) do not apply."""
    report_progress = progress or (lambda stage, done, total, note: None)
    config = config or EliminateConfig()
    t_start = time.monotonic()
    seconds: dict[str, float] = {}
    out = Path(options.out_dir)
    work = out / ".solve"
    work.mkdir(parents=True, exist_ok=True)
    debris = load_debris(options.debris_path)
    t0 = time.monotonic()
    costs_path = work / "costs.npy"
    if not costs_path.is_file():
        report_progress("costs", 0, 1, "cost tables C[i, j, day]")
        np.save(costs_path, cost_table(debris, DayGrid(), workers=options.workers))
    drift = plane_drift(debris, DayGrid()) if options.plane_split else None
    costs = leg_costs(np.load(costs_path), drift)
    seconds["costs"] = time.monotonic() - t0
    report_progress("costs", 1, 1, f"cost tables ready ({seconds['costs']:.1f} s)")

    t0 = time.monotonic()
    warm = read_warm_campaign(from_dir, costs)
    plan = CampaignPlan(
        CampaignConfig(0, BeamConfig(width=options.search.beam_width), dv_factor=config.dv_factor),
        [m.chain for m in warm],
        rules=costs.rules,
    )
    start_j = plan.estimated_j_meur()
    executor = make_executor(options.workers, options.cluster)
    capped = with_leg_cap(costs, config)

    def run_tasks(tasks: list[PoolTask]) -> list[Any]:
        return list(executor.map(run_pool_task, tasks, shared=capped))

    log: list[str] = []

    def note(text: str) -> None:
        log.append(text)
        report_progress("eliminate", 0, 1, f"{text} (J≈{plan.estimated_j_meur():.1f})")

    try:
        reports = eliminate_missions(
            costs,
            plan,
            config,
            options.seed,
            run_tasks=run_tasks if config.window_sizes else None,
            should_stop=lambda: time.monotonic() - t_start > ELIMINATE_SHARE * options.hours * 3600,
            progress=note,
        )
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    seconds["eliminate"] = time.monotonic() - t0

    t0 = time.monotonic()
    kept = {id(m.chain): m for m in warm}
    unchanged = [c for c in plan.chains if id(c) in kept]
    changed = [c for c in plan.chains if id(c) not in kept]
    ckpt = Checkpoint(work / "checkpoint.json", {"warm_from": str(from_dir), "seed": options.seed})
    pool = ProcessPoolExecutor(options.workers) if options.workers > 1 and changed else None
    try:
        solved = fly_chains(changed, debris, ckpt, pool, report_progress, options.plane_split)
    finally:
        if pool is not None:
            pool.shutdown()
    flown = complete_missions(changed, solved)
    available = np.zeros(len(debris), dtype=bool)
    for m in warm:
        available[m.chain.ids] = True
    flown += rescue_solos(flown + [(c, []) for c in unchanged], available)
    files: list[tuple[int, MissionChain, WarmMission | list[SolvedLeg]]] = [
        (c.start_day, c, kept[id(c)]) for c in unchanged
    ] + [(c.start_day, c, legs) for c, legs in flown]
    files.sort(key=lambda f: f[0])
    for old in out.glob("m*.txt"):
        old.unlink()
    for k, (_, chain, source) in enumerate(files, start=1):
        target = out / f"m{k:02d}.txt"
        if isinstance(source, WarmMission):
            shutil.copyfile(source.path, target)
        else:
            events = solo_events(debris, chain) if chain.solo else mission_events(source)
            write_mission(target, submission_events(events, debris))
    seconds["exact"] = time.monotonic() - t0
    if options.refly:
        seconds["refly"] = refly_stage(out, debris, options.workers, report_progress)
    report = check_solution(out, debris)
    seconds["total"] = time.monotonic() - t_start
    summary = {
        **check_summary(report),
        "warm_from": str(from_dir),
        "estimated_J_before": start_j,
        "estimated_J": plan.estimated_j_meur(),
        "missions_changed": len(changed),
        "eliminations": [r.to_dict() for r in reports],
        "candidates": log,
        "seconds": seconds,
    }
    (work / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return SolveResult(report, plan.chains, plan.estimated_j_meur(), seconds)
