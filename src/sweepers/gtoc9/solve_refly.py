"""Re-fly a GTOC9 campaign's legs with the one-ship planner's exact legs, inside its schedule.

The campaign's legs are flown by the engine's exact variants (``salvage.engine.exact_variants``:
the plane change at departure, at arrival or split between both ends, on the grid days the
chain search planned). The one-ship planner flies two other leg shapes
(``salvage.planner.legs.solve_leg``): *wait, then a short transfer* at the best alignment of
the two planes, and *drift, then a short transfer* — an orbit up to 2 % of a (≈ 140 km)
above or below the departure (δa, δi held to the planner's ``DriftBounds``) whose own J2 node
rate closes part of the node gap during the flight. On the epochs of the campaign committed
before this stage (run L, ``results/gtoc9/README.md``) the planner's cost model
(``NodalDriftModel``) prices the 108 legs 12.8 % below what they were flown for, 49 of them as
drift legs. This stage tries those shapes on every leg and keeps, leg by leg, whichever is
cheaper: the file's leg or the planner's.

**The schedule stays valid leg by leg** (GTOC9 rules, ``rules``; legs in mission order, each
with the previous leg already chosen). With A the arrival at the leg's first debris (as now
flown), the new leg

* departs no earlier than A + 5 days (the minimum stay), and the mission's first leg no
  earlier than the file's first departure (the delivery line moves with it, so the 30-day gap
  to the previous mission never shrinks);
* arrives no later than A + 30 days (arrival to arrival) and no later than 5 days before the
  file's departure from the arrival debris — or, for the mission's last leg, no later than the
  file's last arrival (the mission end only moves earlier: the gap to the next mission never
  shrinks);
* arrives no earlier than the file's next arrival − 30 days, so that the file's next leg, if
  it is kept, still meets arrival to arrival.

**And the plan stays one the engine could hold.** A later warm start
(``solve_warm.chain_from_events``) reads a mission back as grid days — ⌊departure⌋,
⌈arrival⌉ — and may fly a changed mission again with the engine's exact legs, which keep a
leg inside its grid days. That is safe only under the search's own rules (``CAMPAIGN_RULES``):
departure day ≥ arrival day + 5 and arrival days ≤ 29 apart (one day short of 30, the margin
the exact legs need). So the windows above are also cut to those rules on the grid days: the
leg departs no earlier than the start of grid day ⌈A⌉ + 5, arrives by the start of grid day
⌈A⌉ + 29 (the first leg: ⌊first departure⌋ − 5 + 29) and by the start of ⌊next departure⌋ − 5,
and arrives after grid day ⌈next arrival⌉ − 30. This costs at most a day at each end of a
window.

The file's leg is kept when it is cheaper or as cheap (within ``min_saving_km_s``); it still
fits, because the new arrival before it moved only earlier and inside the bounds above.

**Hints.** For each leg the planner's cost model is evaluated on a half-day grid of (departure,
arrival) inside the window; the ``hints`` cheapest, at least 1.5 days apart in departure or
arrival, are each flown by ``solve_leg`` held to their planned arrival (``on_time``); a flown leg
counts only when its independent re-integration (SciPy DOP853, ``verify_leg``) misses the
debris by at most ``max_miss_km`` / ``max_miss_km_s`` (default half the GTOC9 bar: 50 m,
0.5 m/s — the checker integrates again with its own integrator) and every impulse is given at an
osculating pericentre of at least 6600 km.

Masses are then recomputed backwards from the realised impulses (``solve_exact.mission_events``)
so each ship ends at exactly m_dry, and the mission file is rewritten in the submission
structure. Units: km, km/s, s inside; files in m, m/s, MJD2000.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check import check_missions
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import CAMPAIGN_RULES, M_PER_KM, mjd2000_to_s, s_to_mjd2000
from sweepers.gtoc9.solution import (
    Event,
    MissionFile,
    is_visit_pair,
    submission_events,
    write_mission,
)
from sweepers.gtoc9.solve_exact import day_to_mjd2000, grid_day, mission_events
from sweepers.orbits.kepler import state_to_elements
from sweepers.parallel import make_executor
from sweepers.salvage.engine.exact_legs import Dsm, SolvedLeg
from sweepers.salvage.planner.legs import ExactLeg, LegHint, burn_states, solve_leg, verify_leg
from sweepers.salvage.transfers import NodalDriftModel

DAY_S = rules.DAY_S
MIN_PERICENTRE_KM = rules.R_PERICENTRE_MIN_M / M_PER_KM
"""GTOC9: osculating pericentre ≥ 6600 km at every event [km]."""


@dataclass(frozen=True)
class ReflyConfig:
    """Settings of the stage (module docstring): ``hints`` flown per leg, grid ``step_s`` of
    the hints [s], shortest flight ``min_flight_s`` [s], the acceptance miss [km, km/s] and the
    least saving [km/s] for which a leg is replaced."""

    hints: int = 4
    step_s: float = 0.5 * DAY_S
    min_flight_s: float = 2.0 * DAY_S
    max_miss_km: float = 0.05
    max_miss_km_s: float = 5e-4
    min_saving_km_s: float = 1e-4
    tries: int = 2


@dataclass
class LegReport:
    """One leg: debris ids, Δv of the file's leg and of the best planner leg found [km/s]
    (None: none converged inside the window and the bar), its shape and which was kept."""

    from_id: int
    to_id: int
    file_dv_km_s: float
    planner_dv_km_s: float | None
    planner_kind: str | None
    replaced: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (m/s)."""
        return {"from": self.from_id, "to": self.to_id,
                "file_dv_m_s": round(self.file_dv_km_s * M_PER_KM, 3),
                "planner_dv_m_s": None if self.planner_dv_km_s is None
                else round(self.planner_dv_km_s * M_PER_KM, 3),
                "planner_kind": self.planner_kind, "replaced": self.replaced}


@dataclass
class MissionRefly:
    """A mission after the stage: its events (submission structure) and one report per leg."""

    events: list[Event]
    legs: list[LegReport] = field(default_factory=list)
    skipped: str | None = None
    """Why the mission was left as it was without trying its legs (None: it was tried)."""

    @property
    def replaced(self) -> int:
        """Legs replaced by the planner's."""
        return sum(g.replaced for g in self.legs)


def file_legs(events: Sequence[Event]) -> tuple[float, list[SolvedLeg]]:
    """The first arrival [s] (the delivery line) and the legs of a mission file in the
    submission structure: each departure line, the DSM lines after it and the next arrival."""
    km = 1.0 / M_PER_KM
    legs: list[SolvedLeg] = []
    k = 1
    while k < len(events) - 1:
        dep = events[k]
        j = k + 1
        while events[j].is_dsm:
            j += 1
        arr = events[j]
        dsms = tuple(Dsm(mjd2000_to_s(e.epoch_mjd2000), np.r_[e.r(), e.v()] * km, e.dv() * km)
                     for e in events[k + 1:j])
        legs.append(SolvedLeg(dep.debris_id, arr.debris_id, mjd2000_to_s(dep.epoch_mjd2000),
                              mjd2000_to_s(arr.epoch_mjd2000), np.r_[dep.r(), dep.v()] * km,
                              dep.dv() * km, dsms, np.r_[arr.r(), arr.v()] * km, arr.dv() * km))
        k = j + 1
    return mjd2000_to_s(events[0].epoch_mjd2000), legs


def solved_from_exact(leg: ExactLeg, states: NDArray[np.float64] | None = None) -> SolvedLeg:
    """A planner leg as the engine's :class:`SolvedLeg`: its first impulse is the departure
    (the ship rides the departure debris until then: ``r0_km``, ``v0_km_s`` are the debris'
    state at that epoch), every later impulse but the last a DSM whose state before it is
    integrated under J2 (:func:`~sweepers.salvage.planner.legs.burn_states`), the last the
    arrival impulse. ``states``: :func:`burn_states` of ``leg`` when the caller has them."""
    t, dv = leg.burn_times_s, leg.dv_km_s
    if abs(float(t[0]) - leg.t_depart_s) > 1e-6 or abs(float(t[-1]) - leg.t_arrive_s) > 1e-6:
        raise ValueError(f"leg {leg.from_node}→{leg.to_node}: impulses do not start at the "
                         "departure and end at the arrival")
    states = burn_states(leg) if states is None else states
    dsms = tuple(Dsm(float(t[k]), states[k], dv[k]) for k in range(1, len(t) - 1))
    return SolvedLeg(leg.from_node, leg.to_node, float(t[0]), float(t[-1]), states[0], dv[0],
                     dsms, states[-1], dv[-1])


def _pericentres_ok(leg: SolvedLeg) -> bool:
    """Osculating pericentre ≥ 6600 km before and after every impulse of ``leg``."""
    states = np.array([leg.departure_state, *(d.state_before for d in leg.dsms),
                       leg.arrival_state])
    r = np.vstack([states[:, :3], states[:, :3]])
    v = np.vstack([states[:, 3:], states[:, 3:] + np.array(leg.impulses())])
    el = state_to_elements(r, v)
    return bool(np.all(el.a_km * (1.0 - el.e) >= MIN_PERICENTRE_KM))


def leg_hints(debris: DebrisSet, i: int, j: int, ready_s: float, latest_s: float,
              earliest_s: float, config: ReflyConfig,
              model: NodalDriftModel | None = None) -> list[LegHint]:
    """The ``config.hints`` cheapest (departure, arrival) pairs of the planner's cost model for
    i → j, departing ≥ ``ready_s`` and arriving in [``earliest_s``, ``latest_s``] [s], at least
    1.5 days apart in departure or arrival, as hints for ``solve_leg``."""
    model = model or NodalDriftModel(n_direct=17, iterations=40, phasing_s=3 * DAY_S)
    t0 = np.arange(ready_s, latest_s - config.min_flight_s + 1.0, config.step_s)
    t1 = np.arange(ready_s + config.min_flight_s, latest_s + 1.0, config.step_s)
    if t0.size == 0 or t1.size == 0:
        return []
    dep, arr = np.meshgrid(t0, t1, indexing="ij")
    ok = (arr - dep >= config.min_flight_s - 1.0) & (arr >= earliest_s)
    dep, arr = dep[ok], arr[ok]
    if dep.size == 0:
        return []
    cost = model.cost(debris.take(np.full(dep.size, i)), debris.take(np.full(dep.size, j)),
                      dep, arr)
    d = cost.details
    chosen: list[int] = []
    for q in np.argsort(cost.dv_km_s, kind="stable"):
        if not np.isfinite(cost.dv_km_s[q]) or len(chosen) == config.hints:
            break
        if all(abs(dep[q] - dep[p]) > 1.5 * DAY_S or abs(arr[q] - arr[p]) > 1.5 * DAY_S
               for p in chosen):
            chosen.append(int(q))
    return [LegHint(int(d["strategy"][q]), float(dep[q]), float(arr[q]),
                    float(d["t_direct_s"][q]), float(d["drift_da_km"][q]),
                    float(d["drift_di_rad"][q])) for q in chosen]


def best_planner_leg(debris: DebrisSet, i: int, j: int, ready_s: float, latest_s: float,
                     earliest_s: float, config: ReflyConfig,
                     fits: Callable[[SolvedLeg], bool] | None = None
                     ) -> tuple[SolvedLeg, str] | None:
    """The cheapest planner leg i → j in the window that meets the acceptance bar (module
    docstring) and ``fits`` (when given), and its shape (``"wait"`` or ``"drift"``), or
    None."""
    best: tuple[float, SolvedLeg, str] | None = None
    for hint in leg_hints(debris, i, j, ready_s, latest_s, earliest_s, config):
        leg = solve_leg(debris, i, j, ready_s, hint, t_latest_arrival_s=latest_s,
                        on_time=True, tries=config.tries)
        if leg is None or leg.t_arrive_s < earliest_s or leg.burn_times_s[0] < ready_s - 1e-3:
            continue
        if best is not None and leg.total_dv_km_s >= best[0]:
            continue
        states = burn_states(leg)  # one integration for the check and the DSM states
        miss_r, miss_v = verify_leg(leg, debris, states)
        if miss_r > config.max_miss_km or miss_v > config.max_miss_km_s:
            continue
        solved = solved_from_exact(leg, states)
        if _pericentres_ok(solved) and (fits is None or fits(solved)):
            best = (leg.total_dv_km_s, solved, leg.kind)
    return None if best is None else (best[1], best[2])


def _grid_s(day: int) -> float:
    """Epoch [s] of a grid day."""
    return float(mjd2000_to_s(day_to_mjd2000(day)))


def _day(t_s: float, up: bool) -> int:
    return grid_day(float(s_to_mjd2000(t_s)), up)


def refly_mission(debris: DebrisSet, events: Sequence[Event],
                  config: ReflyConfig | None = None,
                  on_leg: Callable[[LegReport], None] | None = None) -> MissionRefly:
    """Every leg of one mission (submission structure) re-flown where the planner's leg is
    cheaper, inside the windows of the module docstring. ``on_leg`` is called after each
    leg."""
    config = config or ReflyConfig()
    if len(events) < 2 or not (is_visit_pair(events[0], events[1])
                                and is_visit_pair(events[-2], events[-1])):
        return MissionRefly(list(events), skipped="not in the submission structure (first and "
                            "last two lines one debris each; `sweepers gtoc9 restructure`)")
    stay, gap = CAMPAIGN_RULES.stay_days, CAMPAIGN_RULES.stay_days + CAMPAIGN_RULES.window_days - 1
    first_arrival, legs = file_legs(events)
    arrive = first_arrival
    chosen: list[SolvedLeg] = []
    reports: list[LegReport] = []
    for k, old in enumerate(legs):
        if k == 0:  # the plan's "arrival" at the first debris: its start day − stay
            ready = old.departure_s
            prev_day = _day(ready, up=False) - stay
        else:
            prev_day = _day(arrive, up=True)
            ready = max(arrive + rules.STAY_MIN_DAYS * DAY_S, _grid_s(prev_day + stay))
        latest = min(arrive + rules.ARRIVAL_TO_ARRIVAL_MAX_DAYS * DAY_S, _grid_s(prev_day + gap))
        earliest = -np.inf
        if k + 1 < len(legs):
            nxt = legs[k + 1]
            latest = min(latest, nxt.departure_s - rules.STAY_MIN_DAYS * DAY_S,
                         _grid_s(_day(nxt.departure_s, up=False) - stay))
            earliest = max(nxt.arrival_s - rules.ARRIVAL_TO_ARRIVAL_MAX_DAYS * DAY_S,
                           _grid_s(_day(nxt.arrival_s, up=True) - gap - 1) + 1.0)
        else:
            latest = min(latest, old.arrival_s)

        def fits(leg: SolvedLeg, k: int = k, prev_day: int = prev_day) -> bool:
            """The grid-day rules of the plan the warm start reads back (module docstring)."""
            first = _day(leg.departure_s, up=False) - stay if k == 0 else prev_day
            return _day(leg.arrival_s, up=True) - first <= gap

        found = best_planner_leg(debris, old.from_id, old.to_id, ready, latest, earliest, config,
                                 fits)
        new, kind = (None, None) if found is None else found
        old_ok = old.departure_s >= ready - 1e-3
        replace = new is not None and (
            not old_ok or new.dv_total_km_s < old.dv_total_km_s - config.min_saving_km_s)
        if not replace and not old_ok:  # cannot happen: arrivals only move earlier
            raise AssertionError(f"leg {old.from_id}→{old.to_id} lost its stay")
        leg = new if replace and new is not None else old
        chosen.append(leg)
        arrive = leg.arrival_s
        report = LegReport(old.from_id, old.to_id, old.dv_total_km_s,
                           None if new is None else new.dv_total_km_s, kind, replace)
        reports.append(report)
        if on_leg is not None:
            on_leg(report)
    if not any(r.replaced for r in reports):
        return MissionRefly(list(events), reports)
    return MissionRefly(submission_events(mission_events(chosen), debris), reports)


def _refly_task(debris: DebrisSet, task: tuple[list[Event], ReflyConfig]) -> MissionRefly:
    events, config = task
    return refly_mission(debris, events, config)


@dataclass
class ReflyResult:
    """The stage on a campaign: per mission file its outcome, the files that could not be read
    (file, line, reason; copied unchanged) and the files whose re-flown version the checker
    refused (kept as they were; file and the checker's findings)."""

    missions: dict[str, MissionRefly]
    unreadable: list[str]
    reverted: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary per file (legs replaced, Δv before and after [m/s])."""
        rows = []
        for name, mission in self.missions.items():
            before = sum(g.file_dv_km_s for g in mission.legs)
            after = sum(g.planner_dv_km_s if g.replaced and g.planner_dv_km_s is not None
                        else g.file_dv_km_s for g in mission.legs)
            rows.append({"file": name, "legs": len(mission.legs), "skipped": mission.skipped,
                         "replaced": 0 if name in self.reverted else mission.replaced,
                         "dv_before_m_s": round(before * M_PER_KM, 3),
                         "dv_after_m_s": round((before if name in self.reverted else after)
                                               * M_PER_KM, 3),
                         "legs_detail": [g.to_dict() for g in mission.legs]})
        return {"missions": rows, "unreadable": self.unreadable, "reverted": self.reverted}


def refly_campaign(missions: Sequence[MissionFile], debris: DebrisSet, out_dir: Path | str, *,
                   workers: int = 1, config: ReflyConfig | None = None,
                   progress: Callable[[int, int, str], None] | None = None) -> ReflyResult:
    """Re-fly every readable mission of ``missions`` (``solution.MissionFile``) into
    ``out_dir`` (module docstring), one mission per task on ``workers`` processes. Files with
    unreadable lines are reported and copied unchanged; a re-flown mission the checker
    (``check.check_missions``) finds any fault with is written as it was. Each file is written
    whole or not at all (``solution.write_mission``). ``progress(done, total, file)`` after
    each mission."""
    config = config or ReflyConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    readable = [m for m in missions if not m.issues]
    unreadable = [str(issue) for m in missions for issue in m.issues]
    for m in missions:
        if m.issues:
            target = out / Path(m.path).name
            if Path(m.path).resolve() != target.resolve():
                target.write_bytes(Path(m.path).read_bytes())
    results: dict[str, MissionRefly] = {}
    tasks = [(list(m.events), config) for m in readable]
    executor = make_executor(workers)
    for k, (mission, done) in enumerate(zip(readable, executor.map(_refly_task, tasks,
                                                                    shared=debris),
                                            strict=True)):
        results[Path(mission.path).name] = done
        if progress is not None:
            progress(k + 1, len(readable), Path(mission.path).name)
    trial = [MissionFile(str(out / name), r.events) for name, r in results.items()]
    report = check_missions(trial, debris)
    faulty: dict[str, list[str]] = {}
    for v in report.errors:  # a mission left unchanged keeps its own faults: not a refusal
        if results[Path(v.file).name].replaced:
            faulty.setdefault(Path(v.file).name, []).append(str(v))
    for mission in readable:
        name = Path(mission.path).name
        events = mission.events if name in faulty else results[name].events
        write_mission(out / name, events)
    return ReflyResult(results, unreadable, faulty)
