"""Plan a salvage job end to end: cost table → beam search → exact J2 legs → mass accounting.

Defaults: departure slots every 2 days, flights of 2, 6, 12, 20, 30, 45, 60, 90 and 120 days
(:data:`FLIGHTS_DAYS`; short ones: wait-then-transfer; long ones drift-then-transfer — months
on a drift orbit let the ship reach planes that differential J2 precession brings round only
slowly; flights longer than an arrival-to-arrival limit are dropped), beam width 500, table
Δv × :data:`~sweepers.salvage.planner.search.DV_MARGIN` (the exact legs' spread about the table:
imperfect phasing, drift burns).
Units: km, km/s, kg, s (seconds since MJD2000, UTC); inertial frame of the targets' elements.

:func:`plan_job` returns a :class:`Plan`: the targets reached with arrival/departure epochs,
every burn (epoch, Δv vector, mass before/after) and totals, plus the search's own figures and
the greedy nearest-next baseline on the same table (:func:`best_greedy`). The exact legs may
cost more than the table said: the route is flown one exact leg at a time, the search re-run
from the state actually reached after each (receding horizon, :func:`_fly`), a leg that would
overdraw the tank or the Δv cap (or whose exact transfer does not converge) is dropped and its
target banned; the propellant is re-counted burn by burn with one kit per target reached.
With ``free_start`` the ship is launched
straight to its first target (no leg is solved for it; the trajectory begins there).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.epochs import DAY_S, mjd2000_s_to_datetime64
from sweepers.salvage.planner.legs import ExactLeg, LegHint, solve_leg
from sweepers.salvage.planner.search import (
    DV_MARGIN,
    Budget,
    Chain,
    SearchStart,
    beam_search,
    burn_kg,
    greedy_nearest,
)
from sweepers.salvage.planner.ship import Ship
from sweepers.salvage.planner.tables import CostTable, build_cost_table
from sweepers.salvage.planner.targets import Candidates
from sweepers.salvage.transfers import J2RendezvousModel

Progress = Callable[[str, int, int], None]
FLIGHTS_DAYS = (2.0, 6.0, 12.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0)


@dataclass(frozen=True, slots=True)
class Burn:
    """One impulse: ``epoch_s`` [s since MJD2000], ``dv_km_s`` (3,) inertial, masses [kg]."""

    epoch_s: float
    dv_km_s: NDArray[np.float64]
    mass_before_kg: float
    mass_after_kg: float
    leg: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (epoch ISO 8601 UTC)."""
        return {"epoch": _iso(self.epoch_s), "leg": self.leg,
                "dv_km_s": [float(x) for x in self.dv_km_s],
                "dv_magnitude_km_s": float(np.linalg.norm(self.dv_km_s)),
                "mass_before_kg": round(self.mass_before_kg, 4),
                "mass_after_kg": round(self.mass_after_kg, 4)}


@dataclass(frozen=True, slots=True)
class Stop:
    """A target reached: node, id, name, value, arrival and departure [s since MJD2000]."""

    node: int
    target_id: str
    name: str
    value: float
    mass_kg: float
    t_arrive_s: float
    t_depart_s: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (epochs ISO 8601 UTC)."""
        return {"id": self.target_id, "name": self.name, "value": self.value,
                "mass_kg": self.mass_kg, "arrival": _iso(self.t_arrive_s),
                "departure": _iso(self.t_depart_s)}


@dataclass(slots=True)
class Plan:
    """A planned job (module docstring). ``legs[k]`` reaches ``stops[k + offset]`` where
    ``offset`` is 1 with a free start (the first stop is reached by launch), else 0.
    ``frame`` names the inertial frame of states and Δv vectors (``"TEME"`` for catalogued
    targets, the GTOC9 frame ``"EME2000"`` for its debris)."""

    ship: Ship
    cands: Candidates
    stops: list[Stop]
    legs: list[ExactLeg]
    burns: list[Burn]
    frame: str
    search: Chain
    baseline: Chain
    start_mass_kg: float
    wall_s: dict[str, float] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> float:
        """Value removed (sum over the stops)."""
        return float(sum(s.value for s in self.stops))

    @property
    def value_unit(self) -> str:
        """Unit of :attr:`value` (``"k$"`` for catalogued targets, ``"debris"`` for GTOC9
        one-ship plans: :attr:`Candidates.value_unit`)."""
        return self.cands.value_unit

    @property
    def total_dv_km_s(self) -> float:
        """Σ|Δv| of all burns [km/s]."""
        return float(sum(np.linalg.norm(b.dv_km_s) for b in self.burns))

    @property
    def propellant_kg(self) -> float:
        """Propellant burnt [kg]."""
        return float(sum(b.mass_before_kg - b.mass_after_kg for b in self.burns))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready plan."""
        prop = self.propellant_kg
        return {
            "ship": self.ship.name, "frame": self.frame,
            "window": {"start": _iso(self.cands.t_start_s), "end": _iso(self.cands.t_end_s)},
            "start_mass_kg": round(self.start_mass_kg, 3),
            "targets": [s.as_dict() for s in self.stops],
            "burns": [b.as_dict() for b in self.burns],
            "legs": [{"from": _label(self.cands, g.from_node), "to": _label(self.cands, g.to_node),
                      "depart": _iso(g.t_depart_s), "arrive": _iso(g.t_arrive_s),
                      "kind": g.kind, "dv_km_s": g.total_dv_km_s,
                      "impulses": len(g.burn_times_s),
                      "miss_m": g.miss_km * 1e3, "miss_m_s": g.miss_km_s * 1e3}
                     for g in self.legs],
            "totals": {"targets": len(self.stops), "value": self.value,
                       "value_unit": self.value_unit,
                       "dv_km_s": self.total_dv_km_s, "propellant_kg": prop,
                       "value_per_tonne_propellant": self.value / (prop / 1e3) if prop else None},
            "left_out": [{"id": i, "reason": why} for i, why in self.cands.left_out],
            "search": {"targets": len(self.search), "value": self.search.value,
                       "table_dv_km_s": self.search.total_dv_km_s},
            "baseline_greedy": {"targets": len(self.baseline), "value": self.baseline.value,
                                "table_dv_km_s": self.baseline.total_dv_km_s},
            "wall_s": {k: round(v, 2) for k, v in self.wall_s.items()},
            "settings": self.settings,
        }


def _iso(t_s: float) -> str:
    return str(mjd2000_s_to_datetime64(t_s)) + "Z"


def _label(cands: Candidates, node: int) -> str:
    return "start" if node == 0 else cands.ids[node - 1]


def budget_for(ship: Ship, cands: Candidates, dv_cap_km_s: float | None = None,
               max_leg_days: float | None = None, dv_margin: float = DV_MARGIN) -> Budget:
    """The search budget of ``ship`` over the window of ``cands``."""
    return Budget(exhaust_km_s=ship.exhaust_velocity_km_s, dry_mass_kg=ship.dry_mass_kg,
                  propellant_kg=ship.propellant_kg, kit_mass_kg=ship.kit_mass_kg,
                  kits=min(ship.capacity, cands.n_targets), stay_s=ship.min_stay_days * DAY_S,
                  t_start_s=cands.t_start_s, t_end_s=cands.t_end_s,
                  dv_cap_km_s=math.inf if dv_cap_km_s is None else dv_cap_km_s,
                  max_leg_s=math.inf if max_leg_days is None else max_leg_days * DAY_S,
                  dv_margin=dv_margin)


def plan_job(ship: Ship, cands: Candidates, *, dv_cap_km_s: float | None = None,
             max_leg_days: float | None = None, width: int = 500, per_node: int | None = None,
             step_days: float = 2.0, tofs_days: tuple[float, ...] = FLIGHTS_DAYS,
             neighbours: int | None = None,
             dv_margin: float = DV_MARGIN, frame: str = "TEME", exact: bool = True,
             model: J2RendezvousModel | None = None, leg_tries: int = 2, max_rounds: int = 6,
             recede: bool = True, progress: Progress | None = None,
             table: CostTable | None = None) -> Plan:
    """Plan the job of ``ship`` over ``cands`` (module docstring). ``progress(stage, done,
    total)`` reports the stages "table", "search", "legs". ``exact=False`` skips the exact legs
    (table Δv only; no burns) — for quick looks. ``leg_tries``: exact solves per leg
    (:func:`~sweepers.salvage.planner.legs.solve_leg`).

    Receding horizon: when an exact leg does not converge or overdraws the budget, the route is
    kept up to the target before it, that target is banned, and the search resumes from the
    last target reached with the propellant actually left (at most ``max_rounds`` such
    searches). With ``recede`` (default) the search also runs again after every exact leg from
    the state actually reached, and its continuation replaces the rest of the route when it is
    worth more or the rest no longer fits; a route finished with propellant and time to spare
    is extended the same way (:func:`_fly`).
    """
    wall: dict[str, float] = {"table": 0.0, "search": 0.0, "legs": 0.0}
    t = time.perf_counter()
    if max_leg_days is not None:  # arrival to arrival: longer flights can never be taken
        tofs_days = tuple(d for d in tofs_days if d <= max_leg_days) or tofs_days[:1]
    if table is None:
        table = build_cost_table(
            cands, step_s=step_days * DAY_S, tofs_s=[d * DAY_S for d in tofs_days],
            neighbours=neighbours,
            progress=None if progress is None else (lambda d, n: progress("table", d, n)))
    wall["table"] = time.perf_counter() - t
    budget = budget_for(ship, cands, dv_cap_km_s, max_leg_days, dv_margin)
    values = np.r_[0.0, cands.values]
    search_progress = None if progress is None else (lambda d, n: progress("search", d, n))
    t = time.perf_counter()
    baseline = best_greedy(table, values, budget)
    first_chain, budget = fit_kits(
        lambda b: beam_search(table, values, b, width=width, per_node=per_node,
                              progress=search_progress), budget)
    chain = first_chain
    wall["search"] += time.perf_counter() - t
    settings = {"beam_width": width, "step_days": step_days, "tofs_days": list(tofs_days),
                "dv_margin": dv_margin, "neighbours": neighbours}
    if not exact:
        plan = _account(ship, cands, list(chain.nodes), list(chain.t_arrive_s), [], budget,
                        frame, first_chain, baseline, wall, list(chain.t_depart_s[1:]))
        plan.settings = {**settings, "exact_legs": False}
        return plan
    nodes, arrivals, legs = _fly(
        chain, table, cands, budget,
        lambda state: beam_search(table, values, budget, width=width, per_node=per_node,
                                  start=state, progress=search_progress),
        model, leg_tries, max_rounds, progress, wall, recede)
    plan = _account(ship, cands, nodes, arrivals, legs, budget, frame, first_chain, baseline,
                    wall)
    plan.settings = {**settings, "exact_legs": True,
                     "max_impulses": (model or J2RendezvousModel()).max_impulses,
                     "leg_tries": leg_tries, "receding_horizon": recede}
    return plan


def plan_job_fast(ship: Ship, cands: Candidates, *, frame: str = "TEME",
                  progress: Progress | None = None) -> Plan:
    """:func:`plan_job` in its quick mode (the one ``sweepers sweep`` runs). The cost table
    holds only the legs to each node's 10 nearest targets (by v·√((Δa/2a)² + Δi²), the usual
    pruning), the beam is 200 wide, and every leg of the route is still solved exactly under
    full J2 and re-integrated to 100 m / 1 m/s — with one exact solve per leg
    (``leg_tries=1``) and two impulses (no mid-course impulse, whose SLSQP search is ~80 % of
    the full mode's exact-leg time). The route is as flyable as the full mode's. Default
    *Victory* problem, 2026-11-24, load 5: 8 s instead of 19 s (the full table with the same
    quick legs), 6 targets either way, 60.8 M$ instead of 62.6 M$."""
    return plan_job(ship, cands, frame=frame, width=200, neighbours=10, leg_tries=1,
                    model=J2RendezvousModel(max_impulses=2), progress=progress)


GREEDY_MAX_FLIGHT_DAYS = 20.0


def best_greedy(table: CostTable, values: NDArray[np.float64], budget: Budget, *,
                start: SearchStart | None = None) -> Chain:
    """The greedy nearest-next baseline at its best: run on the whole table and on the table cut
    to flights ≤ :data:`GREEDY_MAX_FLIGHT_DAYS` (the table it was designed on), the better
    route kept. Offered months-long drift flights, "cheapest next leg" takes them although
    they eat the year; the baseline is not to be weakened by the planner's richer table.
    ``start``: from a state (``greedy_nearest``'s; e.g. only ``visited``, targets taken by
    other ships)."""
    return _best_greedy(table, values, budget, start)[0]


def _best_greedy(table: CostTable, values: NDArray[np.float64], budget: Budget,
                 start: SearchStart | None = None) -> tuple[Chain, CostTable]:
    """:func:`best_greedy` and the table its route was found on."""
    best: tuple[Chain, CostTable] | None = None
    tables = [table]
    if table.tofs_s.max() > GREEDY_MAX_FLIGHT_DAYS * DAY_S + 1e-6 and table.tofs_s.min() <= (
            GREEDY_MAX_FLIGHT_DAYS * DAY_S):
        tables.append(table.flights_up_to(GREEDY_MAX_FLIGHT_DAYS * DAY_S))
    for tab in tables:
        chain, _ = fit_kits(lambda b, tab=tab: greedy_nearest(tab, values, b, start=start),
                            budget)
        if best is None or (chain.value, -chain.propellant_kg) > (best[0].value,
                                                                 -best[0].propellant_kg):
            best = (chain, tab)
    assert best is not None
    return best


def fit_kits(search: Callable[[Budget], Chain], budget: Budget,
             rounds: int = 5) -> tuple[Chain, Budget]:
    """Run ``search`` with as many kits on board as the route uses (plus one spare).

    The search model carries all its kits to the end, so a ship loaded with ``capacity`` kits
    but reaching fewer targets plans with dead weight. Starting from ``budget.kits`` (the
    capacity), the kit count is set to the route length + 1 and the search repeated, up to
    ``rounds`` times; the best route (most value, then least propellant) is returned with the
    budget for its length + 1 kits. The kits never exceed the capacity."""
    capacity = budget.kits
    best: tuple[Chain, Budget] | None = None
    kits = capacity
    for _ in range(rounds):
        trial = replace(budget, kits=kits)
        chain = search(trial)
        if best is None or (chain.value, -chain.propellant_kg) > (best[0].value,
                                                                 -best[0].propellant_kg):
            best = (chain, trial)
        nxt = min(capacity, len(chain) + 1)
        if nxt == kits:
            break
        kits = nxt
    assert best is not None
    # the best route stays feasible with fewer kits on board (a lighter ship): plan on with
    # one spare, so re-planning after an exact leg does not carry dead weight either
    chain, trial = best
    return chain, replace(trial, kits=min(trial.kits, len(chain) + 1))


def _fly(chain: Chain, table: CostTable, cands: Candidates, budget: Budget,
         replan: Callable[[SearchStart], Chain], model: J2RendezvousModel | None, tries: int,
         max_rounds: int, progress: Progress | None, wall: dict[str, float],
         recede: bool = True) -> tuple[list[int], list[float], list[ExactLeg]]:
    """Fly ``chain`` with exact legs, one at a time (receding horizon, :func:`plan_job`).

    When a leg fails or overdraws, its target is banned and ``replan`` runs from the state
    reached (at most ``max_rounds`` such re-plans). With ``recede``, after every exact leg the
    rest of the route is also searched again from the state actually reached (its propellant
    and arrival time, not the table's) and the new continuation replaces the old one when it
    is worth more, when the old one no longer fits the propellant left by the table's
    account, or when its next leg is a wait leg whose alignment moment passed while the exact
    leg before it arrived late (:func:`_passed`); and when the route is done with propellant
    and time left, the search is run once more to extend it. With ``recede``, a leg that
    arrives after its planned arrival is also solved held to it, and :func:`_weigh` keeps the
    one whose re-searched continuation is worth more. Returns the nodes reached, their
    arrival times [s] and the exact legs; adds to ``wall``."""
    nodes: list[int] = []
    arrivals: list[float] = []
    legs: list[ExactLeg] = []
    state = SearchStart()
    banned: list[int] = []
    rounds, pos = 0, 0
    while True:
        if pos >= len(chain):
            if not recede or not nodes:
                break
            t = time.perf_counter()
            chain, pos = replan(state), 0  # done: anything more within reach?
            wall["search"] = wall.get("search", 0.0) + time.perf_counter() - t
            if not chain.nodes:
                break
        t = time.perf_counter()
        total = len(legs) + len(chain) - pos
        nxt = _fly_leg(chain, pos, table, cands, budget, model, tries, progress, state, total)
        wall["legs"] = wall.get("legs", 0.0) + time.perf_counter() - t
        fresh: Chain | None = None
        if (recede and nxt is not None and nxt[0] is not None
                and nxt[0].t_arrive_s > chain.t_arrive_s[pos] + 1e-6):
            t = time.perf_counter()  # late: the leg held to the planned arrival as well
            on_time = _fly_leg(chain, pos, table, cands, budget, model, tries, progress, state,
                               total, on_time=True)
            wall["legs"] = wall.get("legs", 0.0) + time.perf_counter() - t
            if on_time is not None:
                t = time.perf_counter()
                nxt, fresh = _weigh([nxt, on_time], replan, chain.nodes[pos], nodes, banned,
                                    cands.values)
                wall["search"] = wall.get("search", 0.0) + time.perf_counter() - t
        if nxt is None:  # failed or overdraws: ban the target, search again from here
            banned.append(chain.nodes[pos])
            state = replace(state, visited=(*nodes, *banned))
            rounds += 1
            if rounds >= max_rounds:
                break
            t = time.perf_counter()
            chain, pos = replan(state), 0
            wall["search"] = wall.get("search", 0.0) + time.perf_counter() - t
            continue
        leg, state = nxt
        nodes.append(chain.nodes[pos])
        arrivals.append(float(state.t_arrive_s))  # type: ignore[arg-type]
        if leg is not None:
            legs.append(leg)
        state = _settled(state, nodes, banned, cands.values)
        pos += 1
        if recede and pos < len(chain):
            if fresh is None:
                t = time.perf_counter()
                fresh = replan(state)
                wall["search"] = wall.get("search", 0.0) + time.perf_counter() - t
            passed = _passed(chain, pos, state, budget, table)
            if (len(fresh) > 0 if passed
                    else _better(fresh, chain, pos, state, budget, cands.values)):
                chain, pos = fresh, 0
    return nodes, arrivals, legs


def _settled(state: SearchStart, nodes: list[int], banned: list[int],
             values: NDArray[np.float64]) -> SearchStart:
    """``state`` as the route's re-search starts from it: the value of the targets ``nodes``
    reached (node ``n`` is worth ``values[n - 1]``) and those and the ``banned`` visited."""
    return replace(state, value=float(sum(values[n - 1] for n in nodes)),
                   visited=(*nodes, *banned))


def _weigh(options: list[tuple[ExactLeg | None, SearchStart]],
           replan: Callable[[SearchStart], Chain], node: int, nodes: list[int],
           banned: list[int], values: NDArray[np.float64],
           ) -> tuple[tuple[ExactLeg | None, SearchStart], Chain]:
    """Of exact legs to ``node`` flown different ways (``options``: each leg and the state it
    leaves; :func:`_fly_leg`), the one whose end state the re-searched continuation
    (``replan``) makes worth the most — value, then propellant left at the end. Returns it and
    that continuation.

    Why: the cheapest exact leg often arrives up to 3.5 days after the planned arrival (its
    closing transfer's window reaches that far), and the rest of the route then runs behind
    the schedule its legs were priced on; the leg held to the planned arrival costs more or
    less. SL-8 74° (``benchmarks/planning.py``, × 1.15, 2026-12-07): with the cheapest legs
    alone, four of the first five drift legs arrived 0.9–2.9 days late and the route flew 10 of
    the search's 11 targets; always on time, all 11 — but the GTOC9 one-ship and SL-8 83°
    routes burnt 5 and 3 % more propellant, SL-16 71° lost 81 k$ of value and the SL-16
    greedy fleet burnt 7 % more. Neither rule is right for every leg; the re-search from each
    end state says which is."""
    best: tuple[tuple[float, float], tuple[ExactLeg | None, SearchStart], Chain] | None = None
    for leg, st in options:
        st = _settled(st, [*nodes, node], banned, values)
        fresh = replan(st)
        score = (fresh.value, float(st.propellant_kg) - fresh.propellant_kg)  # type: ignore[arg-type]
        if best is None or score > best[0]:
            best = (score, (leg, st), fresh)
    assert best is not None
    return best[1], best[2]


def _passed(chain: Chain, pos: int, state: SearchStart, budget: Budget,
            table: CostTable) -> bool:
    """Whether leg ``pos`` of ``chain`` is a wait-then-transfer leg whose plane-alignment moment
    (the table's ``t_best_s``, the moment its Δv was priced at) is over before the ship is
    ready (``state``'s arrival + stay) — the exact leg before it arrived late. Its table Δv
    is then the cost of a moment that has passed (SL-8 74°, 2026-12-07: a 2-day wait leg
    aligned on day 90–92, flown from day 93 after three drift legs had each arrived ~3 days
    late, cost 185 m/s against 107 on the table), and the rest of the route gives way to the
    re-search from the state reached (:func:`_fly`). A late drift leg keeps its
    price: its exact drift burn leaves at the next node crossing after the ship is ready and
    its drift orbit closes the node gap over the days left (the *Victory* route, 2026-12-07:
    its 120-day drift leg started 15 days late flew at 381 m/s, 4 % over the table; replacing
    such legs by the re-search lost the route a target)."""
    if state.t_arrive_s is None:
        return False
    k, f = divmod(chain.slots[pos], table.tofs_s.size)
    at = (state.node, chain.nodes[pos], k, f)
    return bool(table.strategy[at] == 0
                and table.t_best_s[at] < state.t_arrive_s + budget.stay_s - 1e-6)


def _better(fresh: Chain, chain: Chain, pos: int, state: SearchStart, budget: Budget,
            values: NDArray[np.float64]) -> bool:
    """Whether the re-planned continuation ``fresh`` should replace the rest of ``chain`` (from
    index ``pos``) at ``state``: the rest no longer fits the propellant left by the table's
    account (its legs' table Δv × margin, rocket equation at the search's masses), or ``fresh``
    is worth more (or as much for less propellant). ``values``: the targets' values (node
    ``n`` is ``values[n - 1]``)."""
    prop = float(state.propellant_kg)  # type: ignore[arg-type]
    mass = budget.dry_mass_kg + budget.kits * budget.kit_mass_kg - state.depth * (
        budget.kit_mass_kg)
    need = 0.0
    for k, dv in enumerate(chain.dv_km_s[pos:]):
        need += float(burn_kg(mass + prop - need - k * budget.kit_mass_kg, dv,
                              budget.exhaust_km_s))
    rest_value = float(sum(values[n - 1] for n in chain.nodes[pos:]))
    if need > prop + 1e-9:
        return len(fresh) > 0
    return (fresh.value, -fresh.propellant_kg) > (rest_value + 1e-9, -need)


def fly_greedy(ship: Ship, cands: Candidates, table: CostTable, *,
               dv_cap_km_s: float | None = None, max_leg_days: float | None = None,
               dv_margin: float = DV_MARGIN, frame: str = "TEME",
               model: J2RendezvousModel | None = None, leg_tries: int = 2,
               max_rounds: int = 6, recede: bool = True,
               progress: Progress | None = None) -> Plan:
    """The greedy nearest-next baseline held to the planner's standard: its route
    (:func:`best_greedy` on ``table``) flown with the same exact J2 legs, re-planned greedily
    from the state reached when a leg fails or overdraws — and, with ``recede``, after every
    leg, as the planner is (:func:`_fly`: the greedy continuation from the state actually
    reached replaces the rest when worth more, and extends a finished route). ``Plan.search``
    is the greedy route as first planned."""
    wall: dict[str, float] = {"table": 0.0, "search": 0.0, "legs": 0.0}
    budget = budget_for(ship, cands, dv_cap_km_s, max_leg_days, dv_margin)
    values = np.r_[0.0, cands.values]
    t = time.perf_counter()
    _, tab = _best_greedy(table, values, budget)
    first, budget = fit_kits(lambda b: greedy_nearest(tab, values, b), budget)
    wall["search"] = time.perf_counter() - t
    nodes, arrivals, legs = _fly(
        first, tab, cands, budget,
        lambda state: greedy_nearest(tab, values, budget, start=state),
        model, leg_tries, max_rounds, progress, wall, recede)
    return _account(ship, cands, nodes, arrivals, legs, budget, frame, first, first, wall)


def _fly_leg(chain: Chain, pos: int, table: CostTable, cands: Candidates, budget: Budget,
             model: J2RendezvousModel | None, tries: int, progress: Progress | None,
             state: SearchStart, total: int, *, on_time: bool = False
             ) -> tuple[ExactLeg | None, SearchStart] | None:
    """Solve leg ``pos`` of ``chain`` from ``state`` exactly (search mass model: all kits on
    board; ``on_time``: arriving by the planned arrival, ``solve_leg``). Returns the leg (None
    for a free start) and the state after it, or None when the leg does not converge or
    overdraws the propellant or the Δv cap."""
    j, slot = chain.nodes[pos], chain.slots[pos]
    prev, t_arr = state.node, state.t_arrive_s
    prop = budget.propellant_kg if state.propellant_kg is None else state.propellant_kg
    if prev == 0 and cands.free_start:  # launched straight to the first target
        leg, dv, t_next = None, 0.0, chain.t_arrive_s[pos]
    else:
        ready = budget.t_start_s if t_arr is None else t_arr + budget.stay_s
        end = budget.t_end_s - budget.stay_s
        latest = end if prev == 0 else min(end, t_arr + budget.max_leg_s)
        leg = solve_leg(cands.ephemeris, prev, j, ready, leg_hint(table, prev, j, slot),
                        t_latest_arrival_s=latest, model=model, tries=tries, on_time=on_time)
        if progress is not None:
            progress("legs", total - (len(chain) - pos) + 1, total)
        if leg is None:
            return None
        dv, t_next = leg.total_dv_km_s, leg.t_arrive_s
    mass = budget.dry_mass_kg + prop + (budget.kits - state.depth) * budget.kit_mass_kg
    need = float(burn_kg(mass, dv, budget.exhaust_km_s))
    if need > prop + 1e-9 or state.dv_km_s + dv > budget.dv_cap_km_s + 1e-12:
        return None
    return leg, SearchStart(j, t_next, prop - need, state.dv_km_s + dv, state.depth + 1,
                            state.value, state.visited)


def leg_hint(table: CostTable, i: int, j: int, slot: int) -> LegHint:
    """What ``table`` says about the leg i → j in ``slot`` (k · n_tofs + f: departure slot k,
    flight time f) — the hint :func:`~sweepers.salvage.planner.legs.solve_leg` follows."""
    k, f = divmod(slot, table.tofs_s.size)
    at = (i, j, k, f)
    t0 = float(table.grid_s[k])
    return LegHint(int(table.strategy[at]), t0, t0 + float(table.tofs_s[f]),
                   float(table.t_best_s[at]), float(table.drift_da_km[at]),
                   float(table.drift_di_rad[at]))


def _account(ship: Ship, cands: Candidates, nodes: list[int], arrivals: list[float],
             legs: list[ExactLeg], budget: Budget, frame: str, chain: Chain, baseline: Chain,
             wall: dict[str, float], departures: list[float] | None = None) -> Plan:
    """Burns and stops with one kit per target reached (the route fits: it fitted with all
    ``capacity`` kits on board, and fewer kits only make the ship lighter)."""
    first = 1 if cands.free_start and nodes else 0
    kits = len(nodes)
    mass = ship.dry_mass_kg + ship.propellant_kg + kits * ship.kit_mass_kg
    start_mass = mass
    burns: list[Burn] = []
    if first:
        mass -= ship.kit_mass_kg
    for k, leg in enumerate(legs):
        for tb, dv in zip(leg.burn_times_s, leg.dv_km_s, strict=True):
            after = mass - float(burn_kg(mass, np.linalg.norm(dv), ship.exhaust_velocity_km_s))
            burns.append(Burn(float(tb), dv, mass, after, k))
            mass = after
        mass -= ship.kit_mass_kg
    if departures is None:
        departures = [g.t_depart_s for g in legs[1 - first:]] if legs else []
    stops = []
    for k, node in enumerate(nodes):
        leave = departures[k] if k < len(departures) else arrivals[k] + budget.stay_s
        stops.append(Stop(node, cands.ids[node - 1], cands.names[node - 1],
                          float(cands.values[node - 1]), float(cands.masses_kg[node - 1]),
                          float(arrivals[k]), float(leave)))
    return Plan(ship, cands, stops, legs, burns, frame, chain, baseline, start_mass, wall)
