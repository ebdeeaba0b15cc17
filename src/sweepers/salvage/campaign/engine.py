"""A fleet campaign on the real catalog: which ship removes which targets, in what order, from
which launch window. Units: km, km/s, kg, s (seconds since MJD2000, UTC); costs and values k$.

Pipeline (each step a public function of the one-ship planner, :mod:`sweepers.salvage.planner`):

1. **One cost table** for all targets over every window (``build_cost_table``; node 0 a free
   start: each ship is launched straight to its first target, as GTOC9 ships are).
2. **Columns** (:func:`generate_columns`): candidate chains of one ship, found by the planner's
   beam search (``beam_search``) in *sweeps*: a ship takes the best chain among the targets not
   yet taken, the next ship the best among the rest, and so on until every target is taken — a
   whole fleet per sweep. Sweeps run per window under several target values: a count (1 per
   target: the most targets per ship), the salvage values, random perturbations of the count,
   and — column generation — the LP prices of the targets (:func:`partition.relax`, the duals of
   their cover rows: what the current pool pays for each target), so that later sweeps look for
   the chains the LP lacks. One sweep more takes each ship's chain from the greedy baseline
   (``best_greedy``): the pool then holds the greedy fleet's chains, and the choice is never
   dearer on the table than that fleet. Every contiguous part of a chain is a column too (a
   part of a feasible chain is feasible with a free start: fewer kits, less Δv). Each column's
   cost is one launch plus its propellant, estimated on the table (Δv × ``dv_margin``, rocket
   equation with all its kits on board).
3. **Choice** (:mod:`partition`): the set-partitioning MILP over the columns — every target
   exactly once (objective ``"cost"``: minimise launches + propellant, at most ``max_ships``
   ships), or at most once (objective ``"value"``: maximise the value removed with the launches
   and propellant within ``budget_kusd``). Ships are independent (each column blocks its own
   unit interval, so the time rows of the model never bind).
4. **Exact flight**: each chosen ship is planned and flown by ``plan_job`` on its own targets
   (its slice of the table): beam search, then every leg exact under full J2 with the
   planner's receding horizon, which drops a target whose exact leg overdraws the tank or the
   Δv cap and re-plans the rest. Every leg is then re-integrated independently
   (``verify_leg``, SciPy DOP853) against the 100 m / 1 m/s bar.
5. **Repair**: the targets a ship could not take are offered again (steps 2–4 on them alone,
   ``repair_rounds`` times, within the ships and budget left); what is still left is reported
   with the reason (:class:`~sweepers.salvage.campaign.targets.LeftOut`), never dropped
   silently.

:func:`greedy_fleet` is the baseline: ships launched one after another in the first window,
each taking greedily the nearest-next untaken target (the planner's ``fly_greedy``, the same
exact legs and receding horizon) until its tank or its year runs out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from sweepers.salvage.campaign.targets import LeftOut, TargetSet
from sweepers.salvage.engine.partition import Columns, Limits, exact_cover, relax
from sweepers.salvage.planner import DV_MARGIN
from sweepers.salvage.planner.legs import verify_leg
from sweepers.salvage.planner.plan import (
    FLIGHTS_DAYS,
    Plan,
    best_greedy,
    budget_for,
    fly_greedy,
    plan_job,
)
from sweepers.salvage.planner.search import Budget, Chain, SearchStart, beam_search, burn_kg
from sweepers.salvage.planner.ship import Ship
from sweepers.salvage.planner.tables import CostTable, build_cost_table
from sweepers.salvage.planner.targets import (
    Candidates,
    ephemeris_from_elsets,
    make_candidates,
    sgp4_lost,
)
from sweepers.salvage.value.scores import LAUNCH_PRICE_KUSD_PER_KG

DAY_S = 86400.0
MISS_BAR_KM = 0.1  # 100 m: the planner's (and GTOC9's) arrival bar
MISS_BAR_KM_S = 1e-3  # 1 m/s
Progress = Callable[[str, int, int], None]
Objective = Literal["cost", "value"]


@dataclass(frozen=True)
class CampaignConfig:
    """What to plan and how (module docstring).

    ``ship``: the ship model of every fleet member; ``windows_s``: launch windows [s since
    MJD2000] — each ship is launched at one of them and has ``ship.months`` from there;
    ``max_ships``: fleet size cap (None: as many as the objective wants). ``objective``
    ``"cost"`` (remove every target at least cost) or ``"value"`` (most value within
    ``budget_kusd``). Cost = ``launch_kusd`` per ship + ``propellant_kusd_per_kg`` per kg of
    propellant burnt (default: the launch price per kg, what bringing it up cost).
    Planner settings: departure slots ``step_days``, flights ``tofs_days``, beam ``width`` for
    the columns and ``fly_width`` for each ship's exact plan, Δv margin on the table,
    ``leg_tries`` exact solves per leg, ``pricing_rounds`` LP-priced sweeps, ``perturbations``
    randomly valued sweeps, ``repair_rounds``."""

    ship: Ship
    windows_s: tuple[float, ...]
    max_ships: int | None = None
    objective: Objective = "cost"
    budget_kusd: float | None = None
    launch_kusd: float = 10_000.0
    propellant_kusd_per_kg: float = LAUNCH_PRICE_KUSD_PER_KG
    step_days: float = 2.0
    tofs_days: tuple[float, ...] = FLIGHTS_DAYS
    width: int = 100
    fly_width: int = 300
    dv_margin: float = DV_MARGIN
    leg_tries: int = 2
    pricing_rounds: int = 2
    perturbations: int = 2
    repair_rounds: int = 2
    milp_seconds: float = 60.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.windows_s:
            raise ValueError("a campaign needs at least one launch window")
        if self.objective not in ("cost", "value"):
            raise ValueError(f"objective 'cost' or 'value', not {self.objective!r}")
        if self.objective == "value" and self.budget_kusd is None:
            raise ValueError("objective 'value' needs a budget")
        if self.max_ships is not None and self.max_ships < 1:
            raise ValueError("max_ships must be at least 1")

    def cost_kusd(self, launches: int, propellant_kg: float) -> float:
        """Campaign cost [k$] of ``launches`` ships burning ``propellant_kg`` in all."""
        return launches * self.launch_kusd + propellant_kg * self.propellant_kusd_per_kg


@dataclass(frozen=True, slots=True)
class Column:
    """A candidate chain of one ship: launch ``window`` (index), target ``nodes`` in order,
    table Δv of its legs × margin [km/s], propellant [kg] and cost [k$] estimated on the table,
    value [k$]."""

    window: int
    nodes: tuple[int, ...]
    dv_km_s: tuple[float, ...]
    propellant_kg: float
    cost_kusd: float
    value_kusd: float


@dataclass(slots=True)
class ShipRoute:
    """One fleet member: its name, launch window [s], the targets the choice gave it
    (``assigned``, global nodes), the plan flown (``plan``: nodes are the sub-problem's), the
    global nodes reached, each leg's independent re-integration miss (km, km/s) and the table
    estimate of the column it came from."""

    name: str
    window_s: float
    assigned: tuple[int, ...]
    plan: Plan
    reached: tuple[int, ...]
    misses: list[tuple[float, float]]
    column: Column | None = None

    @property
    def propellant_kg(self) -> float:
        """Propellant burnt by the exact legs [kg]."""
        return self.plan.propellant_kg

    @property
    def legs_at_bar(self) -> int:
        """Legs whose re-integrated arrival is within 100 m and 1 m/s."""
        return sum(1 for r, v in self.misses if r <= MISS_BAR_KM and v <= MISS_BAR_KM_S)


@dataclass(slots=True)
class FleetResult:
    """A fleet flown: ships, targets left out (with reasons), and how it was found."""

    ships: list[ShipRoute]
    left_out: list[LeftOut]
    rounds: list[dict[str, Any]] = field(default_factory=list)
    wall_s: dict[str, float] = field(default_factory=dict)

    @property
    def removed(self) -> list[int]:
        """Global nodes removed (reached by a leg that met the bar, or by launch)."""
        return [n for s in self.ships for n in s.reached]

    @property
    def propellant_kg(self) -> float:
        """Propellant burnt by the whole fleet [kg]."""
        return float(sum(s.propellant_kg for s in self.ships))


@dataclass(slots=True)
class Campaign:
    """A planned campaign: targets, the all-target problem and table, the fleet chosen and
    flown (``fleet``), the greedy baseline (``baseline``, optional) and the config."""

    targets: TargetSet
    cands: Candidates
    table: CostTable
    config: CampaignConfig
    fleet: FleetResult
    baseline: FleetResult | None = None
    n_columns: int = 0
    wall_s: dict[str, float] = field(default_factory=dict)


# -- the problem -------------------------------------------------------------------------------


def campaign_problem(targets: TargetSet, config: CampaignConfig) -> Candidates:
    """All targets as one planning problem (node 0 a free start), over the span of every
    window: first window start to last window start + the ship's months."""
    eph = ephemeris_from_elsets(list(targets.elsets))
    t0 = min(config.windows_s)
    cands = make_candidates(
        config.ship, eph, [str(s.norad_id) for s in targets.scored],
        [s.name or str(s.norad_id) for s in targets.scored],
        [s.value_kusd for s in targets.scored], [s.mass_kg for s in targets.scored], t0,
        free_start=True)
    return replace(cands, t_end_s=max(config.windows_s) + config.ship.duration_s)


def campaign_table(cands: Candidates, config: CampaignConfig,
                   progress: Progress | None = None) -> CostTable:
    """The planner's cost table of the whole problem (``build_cost_table``)."""
    return build_cost_table(
        cands, step_s=config.step_days * DAY_S, tofs_s=[d * DAY_S for d in config.tofs_days],
        progress=None if progress is None else (lambda d, n: progress("table", d, n)))


def window_candidates(cands: Candidates, config: CampaignConfig, window_s: float) -> Candidates:
    """``cands`` with the window of a ship launched at ``window_s``."""
    return replace(cands, t_start_s=window_s, t_end_s=window_s + config.ship.duration_s)


def sub_problem(cands: Candidates, table: CostTable, nodes: Sequence[int], window_s: float,
                config: CampaignConfig) -> tuple[Candidates, CostTable]:
    """The problem of one ship: the start node and the targets ``nodes`` (global, ≥ 1) in that
    order, its window, and its slice of the table (no table entry is recomputed)."""
    idx = np.r_[0, np.asarray(nodes, dtype=np.intp)]
    pos = idx[1:] - 1
    sub = Candidates(cands.ephemeris.take(idx), tuple(cands.ids[k] for k in pos),
                     tuple(cands.names[k] for k in pos), cands.values[pos],
                     cands.masses_kg[pos], window_s, window_s + config.ship.duration_s,
                     cands.free_start, cands.value_unit)
    ix = np.ix_(idx, idx)
    tab = CostTable(table.dv_km_s[ix], table.strategy[ix], table.t_best_s[ix],
                    table.drift_da_km[ix], table.drift_di_rad[ix], table.grid_s, table.tofs_s)
    return sub, tab


# -- columns -----------------------------------------------------------------------------------


def chain_propellant_kg(dv_km_s: Sequence[float], ship: Ship) -> float:
    """Propellant [kg] of legs ``dv_km_s`` [km/s] flown from a full tank with one kit per
    target on board, dropping a kit at each (rocket equation; the first target is reached by
    launch, so ``dv_km_s`` are the legs after it)."""
    kits = len(dv_km_s) + 1
    prop = ship.propellant_kg
    mass = ship.dry_mass_kg + prop + kits * ship.kit_mass_kg - ship.kit_mass_kg
    used = 0.0
    for dv in dv_km_s:
        need = float(burn_kg(mass, dv, ship.exhaust_velocity_km_s))
        used += need
        mass -= need + ship.kit_mass_kg
    return used


def _column(window: int, nodes: tuple[int, ...], legs: tuple[float, ...], cands: Candidates,
            config: CampaignConfig) -> Column:
    prop = chain_propellant_kg(legs, config.ship)
    value = float(sum(cands.values[n - 1] for n in nodes))
    return Column(window, nodes, legs, prop, config.cost_kusd(1, prop), value)


def _segments(window: int, chain: Chain, cands: Candidates, config: CampaignConfig,
              ship_prop_kg: float) -> list[Column]:
    """Every contiguous part of ``chain`` as a column (its first target reached by launch)."""
    out = []
    legs = chain.dv_km_s[1:]  # leg k reaches chain.nodes[k + 1]; the launch leg is free
    for i in range(len(chain.nodes)):
        for j in range(i + 1, len(chain.nodes) + 1):
            col = _column(window, tuple(chain.nodes[i:j]), tuple(legs[i:j - 1]), cands, config)
            if col.propellant_kg <= ship_prop_kg + 1e-9:
                out.append(col)
    return out


def _sweep(search: Callable[[SearchStart], Chain], banned: set[int],
           n_nodes: int) -> list[Chain]:
    """A whole fleet in one sweep (module docstring, step 2): ``search`` from the window start
    with the taken targets visited gives the first ship's chain, then the next among the rest,
    and so on until every target of the ``n_nodes`` is taken or nothing more is found."""
    taken = set(banned)
    chains = []
    while len(taken) < n_nodes - 1:
        chain = search(SearchStart(visited=tuple(sorted(taken))))
        if not chain.nodes:
            break
        chains.append(chain)
        taken |= set(chain.nodes)
    return chains


def generate_columns(cands: Candidates, table: CostTable, config: CampaignConfig,
                     allowed: Sequence[int], *, limits: Callable[[list[Column]], Limits],
                     progress: Progress | None = None) -> list[Column]:
    """Columns over the targets ``allowed`` (global nodes) for every window (module docstring,
    step 2): one-target columns, a greedy sweep (the greedy fleet's chains, :func:`_sweep`),
    then sweeps under the count, the values, ``perturbations`` random values and
    ``pricing_rounds`` LP prices (``limits(columns)`` gives the model's terms
    for the pricing LP). Duplicate (window, target set) columns keep the cheapest."""
    rng = np.random.default_rng(config.seed)
    allowed = sorted(allowed)
    n = cands.n_targets + 1
    banned = set(range(1, n)) - set(allowed)
    pool: dict[tuple[int, frozenset[int]], Column] = {}

    def add(cols: list[Column]) -> None:
        for c in cols:
            key = (c.window, frozenset(c.nodes))
            if key not in pool or c.cost_kusd < pool[key].cost_kusd:
                pool[key] = c

    budgets = [budget_for(config.ship, window_candidates(cands, config, w), None, None,
                          config.dv_margin) for w in config.windows_s]
    for w in range(len(config.windows_s)):
        add([_column(w, (j,), (), cands, config) for j in allowed])
    count = np.zeros(n)
    count[allowed] = 1.0
    mean_value = float(np.mean(cands.values[np.asarray(allowed) - 1]))
    by_value = np.zeros(n)
    by_value[allowed] = cands.values[np.asarray(allowed) - 1] / max(mean_value, 1e-9)
    plain = [count, by_value]
    for _ in range(config.perturbations):
        v = np.zeros(n)
        v[allowed] = rng.uniform(0.5, 1.5, len(allowed))
        plain.append(v)
    total = (1 + len(plain) + config.pricing_rounds) * len(budgets)
    done = 0

    def run(search: Callable[[Budget, SearchStart], Chain]) -> None:
        nonlocal done
        for w, budget in enumerate(budgets):
            for chain in _sweep(lambda st, b=budget: search(b, st), banned, n):
                add(_segments(w, chain, cands, config, config.ship.propellant_kg))
            done += 1
            if progress is not None:
                progress("columns", done, total)

    def beam(values: NDArray[np.float64]) -> Callable[[Budget, SearchStart], Chain]:
        return lambda b, st: beam_search(table, values, b, width=config.width, start=st)

    run(lambda b, st: best_greedy(table, count, b, start=st))
    for values in plain:
        run(beam(values))
    for _ in range(config.pricing_rounds):
        cols = list(pool.values())
        model = _columns_model(cols)
        prices = relax(model, allowed, limits(cols)).prices
        v = np.zeros(n)
        scale = max(float(np.max(np.abs(prices))), 1e-9)
        v[allowed] = np.maximum(prices, 0.0) / scale + 1e-3
        run(beam(v))
    return sorted(pool.values(), key=lambda c: (c.window, len(c.nodes), c.nodes))


def _columns_model(cols: Sequence[Column]) -> Columns:
    """The partition model's columns: each blocks its own unit interval (ships independent)."""
    k = np.arange(len(cols), dtype=np.int64)
    return Columns(np.array([c.cost_kusd for c in cols], dtype=float),
                   [c.nodes for c in cols], k, k + 1)


# -- choice and flight -------------------------------------------------------------------------


def _limits(config: CampaignConfig, cands: Candidates, allowed: Sequence[int],
            ships_left: int | None, budget_left: float | None) -> Limits:
    if config.objective == "value":
        return Limits(uncovered_cost=cands.values[np.asarray(allowed) - 1],
                      max_chosen=ships_left, budget=budget_left)
    # above any one column (a full tank and a launch): leaving a target out never pays
    worst = config.cost_kusd(1, config.ship.propellant_kg)
    return Limits(uncovered_cost=10.0 * worst + 1.0, max_chosen=ships_left)


def choose(columns: Sequence[Column], allowed: Sequence[int], limits: Limits,
           seconds: float) -> tuple[list[Column], dict[str, Any]]:
    """The set-partitioning choice (module docstring, step 3): chosen columns and the MILP's
    figures (objective, HiGHS bound and gap, status, wall)."""
    sel = exact_cover(_columns_model(columns), sorted(allowed), time_limit_s=seconds,
                      limits=limits)
    info = {"columns": len(columns), "objective": sel.objective, "bound": sel.mip_bound,
            "gap": sel.mip_gap if math.isfinite(sel.objective) else None,
            "status": sel.status, "seconds": round(sel.seconds, 2),
            "uncovered": len(sel.uncovered)}
    return [columns[k] for k in sel.chosen], info


def fly_ship(name: str, nodes: Sequence[int], window_s: float, cands: Candidates,
             table: CostTable, config: CampaignConfig, *, greedy: bool = False,
             progress: Progress | None = None) -> ShipRoute:
    """Plan and fly one ship on the targets ``nodes`` (global) from ``window_s`` with the
    planner's exact legs (``plan_job``; ``greedy``: ``fly_greedy``), then re-integrate every
    leg independently. A target reached by a leg that misses the 100 m / 1 m/s bar does not
    count as reached (nor do the ones after it on that ship)."""
    sub, tab = sub_problem(cands, table, nodes, window_s, config)
    ship = config.ship.with_(name=name)
    if greedy:
        plan = fly_greedy(ship, sub, tab, dv_margin=config.dv_margin, leg_tries=config.leg_tries,
                          progress=progress)
    else:
        plan = plan_job(ship, sub, table=tab, width=config.fly_width, dv_margin=config.dv_margin,
                        leg_tries=config.leg_tries, progress=progress)
    misses = [verify_leg(leg, sub.ephemeris) for leg in plan.legs]
    ok_to = len(plan.stops)
    offset = 1 if sub.free_start and plan.stops else 0
    for k, (r, v) in enumerate(misses):
        if r > MISS_BAR_KM or v > MISS_BAR_KM_S:
            ok_to = k + offset
            break
    node_of = {cid: int(nodes[k]) for k, cid in enumerate(sub.ids)}
    reached = tuple(node_of[s.target_id] for s in plan.stops[:ok_to])
    return ShipRoute(name, window_s, tuple(int(n) for n in nodes), plan, reached, misses)


def _why(route: ShipRoute, node: int, cands: Candidates) -> str:
    cid = cands.ids[node - 1]
    if any(s.target_id == cid for s in route.plan.stops):
        return (f"{route.name}: a leg before it missed the re-integration bar "
                "(100 m / 1 m/s)")
    return (f"{route.name}: the exact legs did not fit it in the tank or the window "
            "(dropped by the planner's re-planning)")


def plan_fleet(cands: Candidates, table: CostTable, config: CampaignConfig,
               progress: Progress | None = None) -> tuple[FleetResult, int]:
    """Steps 2–5 of the module docstring on the whole problem; returns the fleet and the
    number of columns generated."""
    wall = {"columns": 0.0, "milp": 0.0, "legs": 0.0}
    ships: list[ShipRoute] = []
    rounds: list[dict[str, Any]] = []
    allowed = list(range(1, cands.n_targets + 1))
    reasons: dict[int, str] = {}
    n_columns = 0
    for rnd in range(config.repair_rounds + 1):
        if not allowed:
            break
        ships_left = None if config.max_ships is None else config.max_ships - len(ships)
        spent = config.cost_kusd(len(ships), sum(s.propellant_kg for s in ships))
        budget_left = None if config.budget_kusd is None else config.budget_kusd - spent
        if ships_left == 0 or (budget_left is not None and budget_left < config.launch_kusd):
            why = ("no ship left in the fleet" if ships_left == 0
                   else "no budget left for another launch")
            for n in allowed:
                reasons.setdefault(n, why)
            break

        def limits(cols: list[Column], allowed: list[int] = allowed,
                   ships_left: int | None = ships_left,
                   budget_left: float | None = budget_left) -> Limits:
            return _limits(config, cands, allowed, ships_left, budget_left)

        t = time.perf_counter()
        columns = generate_columns(cands, table, config, allowed, limits=limits,
                                   progress=progress)
        wall["columns"] += time.perf_counter() - t
        n_columns += len(columns)
        t = time.perf_counter()
        chosen, info = choose(columns, allowed, limits(columns), config.milp_seconds)
        wall["milp"] += time.perf_counter() - t
        info["round"] = rnd
        rounds.append(info)
        covered = {n for c in chosen for n in c.nodes}
        for n in allowed:
            if n not in covered:
                reasons[n] = ("not chosen: "
                              + ("not worth its cost within the budget and fleet"
                                 if config.objective == "value"
                                 else f"the fleet cap ({config.max_ships} ships) leaves no ship "
                                 "for it" if ships_left is not None
                                 else "no chain takes it"))
        t = time.perf_counter()
        left: list[int] = []
        for k, col in enumerate(sorted(chosen, key=lambda c: (c.window, c.nodes))):
            if progress is not None:
                progress("ships", k, len(chosen))
            name = f"{config.ship.name}-{len(ships) + 1}"
            route = fly_ship(name, col.nodes, config.windows_s[col.window], cands, table,
                             config)
            route.column = col
            ships.append(route)
            for n in col.nodes:
                if n not in route.reached:
                    left.append(n)
                    reasons[n] = _why(route, n, cands)
                else:
                    reasons.pop(n, None)
        if progress is not None:
            progress("ships", len(chosen), len(chosen))
        wall["legs"] += time.perf_counter() - t
        allowed = sorted(left)
    removed = {n for s in ships for n in s.reached}
    left_out = [LeftOut(int(cands.ids[n - 1]), cands.names[n - 1], why)
                for n, why in sorted(reasons.items()) if n not in removed]
    return FleetResult(ships, left_out, rounds, wall), n_columns


def greedy_fleet(cands: Candidates, table: CostTable, config: CampaignConfig,
                 progress: Progress | None = None) -> FleetResult:
    """The greedy fleet baseline (module docstring): ships launched in the first window, one
    after another, each flown by the planner's ``fly_greedy`` on the targets not yet removed
    (it starts with the most valuable of them: the candidates are ordered by value and the
    launch to any target is free), until every target is removed, the fleet cap or the budget
    is reached. Left out: what no ship took, with the reason."""
    t = time.perf_counter()
    remaining = list(range(1, cands.n_targets + 1))
    ships: list[ShipRoute] = []
    reasons: dict[int, str] = {}
    window = config.windows_s[0]
    while remaining:
        if config.max_ships is not None and len(ships) >= config.max_ships:
            why = "no ship left in the fleet"
            break
        spent = config.cost_kusd(len(ships), sum(s.propellant_kg for s in ships))
        if config.budget_kusd is not None and spent + config.launch_kusd > config.budget_kusd:
            why = "no budget left for another launch"
            break
        if progress is not None:
            progress("greedy", cands.n_targets - len(remaining), cands.n_targets)
        route = fly_ship(f"greedy-{len(ships) + 1}", remaining, window, cands, table, config,
                         greedy=True)
        ships.append(route)
        if not route.reached:
            why = "the greedy ship reached none of them"
            break
        remaining = [n for n in remaining if n not in route.reached]
    else:
        why = ""
    for n in remaining:
        reasons[n] = why
    left_out = [LeftOut(int(cands.ids[n - 1]), cands.names[n - 1], why)
                for n, why in sorted(reasons.items())]
    return FleetResult(ships, left_out, [], {"total": time.perf_counter() - t})


def plan_campaign(targets: TargetSet, config: CampaignConfig, *, baseline: bool = True,
                  progress: Progress | None = None) -> Campaign:
    """The whole campaign (module docstring) and, with ``baseline``, the greedy fleet on the
    same table. Targets that SGP4 loses inside the campaign's span (decayed: ``sgp4_lost``)
    are refused first, with the reason (``Campaign.targets.refused``)."""
    wall: dict[str, float] = {}
    t = time.perf_counter()
    targets = targets.refuse(sgp4_lost(list(targets.elsets), min(config.windows_s),
                                       max(config.windows_s) + config.ship.duration_s))
    cands = campaign_problem(targets, config)
    table = campaign_table(cands, config, progress)
    wall["table"] = time.perf_counter() - t
    t = time.perf_counter()
    fleet, n_columns = plan_fleet(cands, table, config, progress)
    wall["fleet"] = time.perf_counter() - t
    base = None
    if baseline:
        t = time.perf_counter()
        base = greedy_fleet(cands, table, config, progress)
        wall["baseline"] = time.perf_counter() - t
    return Campaign(targets, cands, table, config, fleet, base, n_columns, wall)
