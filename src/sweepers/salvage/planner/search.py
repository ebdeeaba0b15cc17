"""Route search on a cost table: beam search maximising value removed, and the greedy
nearest-next baseline. Units: km/s, kg, s.

State after each target: the node it is at, the earliest next departure (arrival + stay), the
propellant left, the Δv used, the kits left, the value collected and the set visited. A move
to target j in slot k costs the table's Δv (times ``dv_margin``, to leave room for the exact
legs' phasing), burns m·(1 − exp(−Δv/(Isp·g₀))) of propellant at the current mass
m = m_dry + propellant + kits · m_kit, and drops one kit at j. It is allowed when the propellant,
the Δv cap, the kits, the window (the stay at j must end inside it) and the optional
arrival-to-arrival limit allow it.

Waiting is free, so among the (slot, flight time) entries for one j only a *staircase* matters:
sorted by arrival, an entry is worth taking only if it is strictly cheaper than every earlier
arrival (arriving earlier with more propellant dominates — the ship can always wait at j). That
keeps the branching small without losing the optimum.

Beam search proceeds by depth (number of targets). Each layer's children are pruned by
dominance — same node, same visited set, no later and no poorer (propellant) than another kept
child — and ranked by ``value + v̄ · min(kits left, targets left, d · min(P_left/P_used,
T_left/T_used))``: the value so far plus the value the state would collect if it continued at its
own rate of propellant and time use (v̄: mean candidate value; d: depth), capped by what is left
to collect; ties (all states that can still collect everything left) go to the most propellant
left, then the earliest arrival. Without the cap and the tie-break, a campaign ship's 4 targets
were planned for 1,220 m/s of table Δv where the campaign's own chain took them for about half
(2026-12-07: the rate term ranked quick, dear legs first, the ties fell in generation order
and the width cut the cheap ones). The ``width`` best are kept, at most
``per_node`` of them at any one node (diversity). With ``width=None`` nothing is cut but
dominated states: the search is then exhaustive (exact, for small problems). The layers,
dominance, cuts and chain reconstruction are the house's one beam search
(:mod:`sweepers.salvage.engine.beam`); this module is its objective (:class:`ValueObjective`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.epochs import DAY_S
from sweepers.salvage.engine.beam import Beam, Layer, Moves, trace, zobrist_words
from sweepers.salvage.planner.tables import CostTable

Array = NDArray[np.float64]


DV_MARGIN = 1.15
"""The planners' factor on the cost table's Δv in the search's propellant account
(``Budget.dv_margin``): one value for the one-ship planner (``plan_job``, ``sweepers plan``,
the sweep's route, the service), its greedy baseline, the fleet campaign and the benchmarks.
Before 2026-12-07 it was 1.1 in the planner and 1.3 in the campaign and the benchmarks.

Measured (``benchmarks/RESULTS.md``, 2026-12-07, night 2): on the SL-8 74° table route
(``benchmarks/leg_fit.py``) Σ exact / Σ table was 1.13 until the table priced a drift leg's node
gap where the drift ends (``nodal_drift.DRIFT_LEAD_S``), 1.02 since. The receding horizon
re-plans from the propellant actually left, so the margin mostly shapes which chain the search
commits to; over the four problems of ``benchmarks/planning.py`` with that table, 1.15 did at
least as well as 1.05 on each (SL-8 74° 10 targets against the greedy's 9, not 10; GTOC9 one-ship
14 debris, not 13; SL-16 71° and SL-8 83° the same)."""


@dataclass(frozen=True, slots=True)
class Budget:
    """Resources and rules of one ship: ``exhaust_km_s`` Isp·g₀ [km/s]; masses [kg]; ``kits``
    on board (the capacity); ``dv_cap_km_s`` total Δv cap; ``stay_s`` minimum stay at each
    target; window ``t_start_s`` … ``t_end_s`` [s since MJD2000]; ``max_leg_s`` arrival-to-
    arrival limit (GTOC9: 30 days); ``dv_margin`` factor on table Δv."""

    exhaust_km_s: float
    dry_mass_kg: float
    propellant_kg: float
    kit_mass_kg: float
    kits: int
    stay_s: float
    t_start_s: float
    t_end_s: float
    dv_cap_km_s: float = math.inf
    max_leg_s: float = math.inf
    dv_margin: float = 1.0


@dataclass(frozen=True, slots=True)
class Chain:
    """A route: target ``nodes`` (1..n) in order, the table entry of each leg (``slots``:
    ``k · n_tofs + f`` for departure slot k and flight time f), the table Δv of each leg
    [km/s], departure/arrival times [s], propellant left after each leg [kg], and totals."""

    nodes: tuple[int, ...]
    slots: tuple[int, ...]
    dv_km_s: tuple[float, ...]
    t_depart_s: tuple[float, ...]
    t_arrive_s: tuple[float, ...]
    propellant_left_kg: tuple[float, ...]
    value: float
    propellant_kg: float
    total_dv_km_s: float

    def __len__(self) -> int:
        return len(self.nodes)


@dataclass(frozen=True, slots=True)
class SearchStart:
    """Where a search begins: at ``node`` having arrived at ``t_arrive_s`` (None: the window
    start, no stay), with ``propellant_kg`` left (None: the full budget), ``dv_km_s`` used,
    ``depth`` kits used, ``value`` collected and the nodes ``visited`` (or banned)."""

    node: int = 0
    t_arrive_s: float | None = None
    propellant_kg: float | None = None
    dv_km_s: float = 0.0
    depth: int = 0
    value: float = 0.0
    visited: tuple[int, ...] = ()


def burn_kg(mass_kg: Array | float, dv_km_s: Array | float, exhaust_km_s: float) -> Array:
    """Propellant [kg] burnt by an impulse ``dv_km_s`` at ``mass_kg`` (rocket equation)."""
    return np.asarray(mass_kg) * -np.expm1(-np.asarray(dv_km_s) / exhaust_km_s)


ZOBRIST_SEED = 0
"""Seed of the visited-set hash words (any seed gives the same routes, barring a collision)."""


@cache
def _zobrist(n_nodes: int) -> NDArray[np.int64]:
    """The hash words of a table of ``n_nodes``, drawn once per size rather than per search (a
    new generator is a noticeable part of a greedy run on a small table); read-only."""
    words = zobrist_words(n_nodes, np.random.default_rng(ZOBRIST_SEED))
    words.flags.writeable = False
    return words


@dataclass(frozen=True)
class ValueObjective:
    """The planner's objective for :class:`~sweepers.salvage.engine.beam.Beam`: value removed
    under ``budget`` on ``table`` (module docstring). State fields: ``slot``, ``t_arrive`` [s],
    ``prop`` (propellant left) [kg], ``dv`` (Δv used) [km/s], ``value``, ``leg_dv`` [km/s]."""

    table: CostTable
    values: Array
    budget: Budget

    def root(self, beam: Beam, start: SearchStart | None = None) -> Layer:
        """The one state ``start`` (default: at the start node at the window start, no stay)."""
        start = start or SearchStart()
        b = self.budget
        visited = np.zeros((1, self.table.n_nodes), bool)
        visited[0, [0, start.node, *start.visited]] = True
        t_arr = b.t_start_s - b.stay_s if start.t_arrive_s is None else start.t_arrive_s
        prop = b.propellant_kg if start.propellant_kg is None else start.propellant_kg
        return beam.root(np.array([start.node]), visited, {
            "slot": np.array([-1]), "t_arrive": np.array([t_arr]), "prop": np.array([prop]),
            "dv": np.array([start.dv_km_s]), "value": np.array([start.value]),
            "leg_dv": np.zeros(1)})

    def expand(self, layer: Layer, m: int, depth: int,
               horizon_s: float | None = None) -> dict[str, Any]:
        """Feasible staircase children of state ``m`` of ``layer`` (arrays keyed by field, and
        ``node``, ``parent``); departures within ``horizon_s`` of being ready when given."""
        table, budget, values = self.table, self.budget, self.values
        grid, tofs = table.grid_s, table.tofs_s
        data = layer.data
        t_arr_m, prop_m = data["t_arrive"][m], data["prop"][m]
        t_ready = max(t_arr_m + budget.stay_s, budget.t_start_s)
        t_last = budget.t_end_s - budget.stay_s  # latest arrival: the last stay ends in the window
        if layer.node[m] != 0:  # arrival-to-arrival limit (not from the start)
            t_last = min(t_last, t_arr_m + budget.max_leg_s)
        k0 = int(np.searchsorted(grid, t_ready - 1e-6))
        k_hi = (t_last - tofs[0] if horizon_s is None
                else min(t_last - tofs[0], t_ready + horizon_s))
        k1 = int(np.searchsorted(grid, k_hi + 1e-6))
        if k1 <= k0:
            return {}
        n_f = tofs.size
        arrive = (grid[k0:k1, None] + tofs[None, :]).ravel()
        order = np.argsort(arrive, kind="stable")
        arrive = arrive[order]
        d = table.dv_km_s[layer.node[m], :, k0:k1, :].reshape(table.n_nodes, -1)[:, order]
        d = d.astype(float) * budget.dv_margin
        d[:, arrive > t_last + 1e-6] = np.inf
        d[layer.visited[m]] = np.inf
        prev = np.minimum.accumulate(d, axis=1)
        keep = d < np.concatenate([np.full((d.shape[0], 1), np.inf), prev[:, :-1]], axis=1)
        j, col = np.nonzero(keep & np.isfinite(d))
        dv = d[j, col]
        kits_left = budget.kits - depth
        mass = budget.dry_mass_kg + prop_m + kits_left * budget.kit_mass_kg
        need = burn_kg(mass, dv, budget.exhaust_km_s)
        ok = (need <= prop_m + 1e-9) & (data["dv"][m] + dv <= budget.dv_cap_km_s + 1e-12)
        j, col, dv, need = j[ok], col[ok], dv[ok], need[ok]
        flat = order[col]  # index into the (k - k0, f) grid
        slot = (flat // n_f + k0) * n_f + flat % n_f
        return {"node": j, "slot": slot, "t_arrive": arrive[col], "prop": prop_m - need,
                "dv": data["dv"][m] + dv, "value": data["value"][m] + values[j], "leg_dv": dv,
                "parent": np.full(j.size, m)}

    def moves(self, layer: Layer, depth: int) -> Moves | None:
        """The staircase children of every state (:meth:`expand`)."""
        parts = [self.expand(layer, m, depth) for m in range(layer.size)]
        parts = [p for p in parts if p and p["node"].size]
        if not parts:
            return None
        cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        return Moves(cat.pop("parent"), cat.pop("node"), cat)

    def rank(self, kids: Layer, depth: int) -> NDArray[np.intp]:
        """Best first by value so far + the value at the state's own rate (module docstring),
        then by propellant left, then by arrival."""
        b, d = self.budget, kids.data
        used_p = np.maximum(b.propellant_kg - d["prop"], 1e-6 * b.propellant_kg + 1e-9)
        used_t = np.maximum(d["t_arrive"] + b.stay_s - b.t_start_s, 1.0)
        left_t = np.maximum(b.t_end_s - d["t_arrive"] - b.stay_s, 0.0)
        rate = np.minimum(d["prop"] / used_p, left_t / used_t)
        kits = depth + 1  # targets visited by the children
        unvisited = np.count_nonzero(~kids.visited & (self.values > 0), axis=1)
        more = np.minimum(np.minimum(b.kits - kits, unvisited), kits * rate)
        score = d["value"] + float(np.mean(self.values)) * more
        return np.lexsort((d["t_arrive"], -d["prop"], -score))

    def dominance(self, kids: Layer) -> Array:
        """Earlier arrival and more propellant left are better."""
        return np.column_stack((-kids.data["t_arrive"], kids.data["prop"]))

    def chain(self, layers: list[Layer], depth: int, idx: int) -> Chain:
        """The route to state ``idx`` of ``layers[depth]`` (after the root's state)."""
        path = trace(layers, depth, idx)
        states = [(layers[d].data, k) for d, k in enumerate(path)][1:]
        if not states:
            return Chain((), (), (), (), (), (), 0.0, 0.0, 0.0)
        nodes = tuple(int(layers[d].node[k]) for d, k in enumerate(path))[1:]
        slots, dv, t_arr, prop = (tuple(type_(s[f][k]) for s, k in states) for f, type_ in (
            ("slot", int), ("leg_dv", float), ("t_arrive", float), ("prop", float)))
        n_f = self.table.tofs_s.size
        prop0 = float(layers[0].data["prop"][0])
        return Chain(nodes, slots, dv, tuple(float(self.table.grid_s[k // n_f]) for k in slots),
                     t_arr, prop, float(sum(self.values[j] for j in nodes)), prop0 - prop[-1],
                     float(sum(dv)))

    def best(self, layers: list[Layer]) -> Chain:
        """The route of most value among every layer's states (more propellant left on ties)."""
        best, where = (-math.inf, -math.inf), (0, 0)
        for depth, lay in enumerate(layers):
            if depth == 0 or lay.size == 0:
                continue
            k = int(np.lexsort((lay.data["prop"], lay.data["value"]))[-1])
            cand = (float(lay.data["value"][k]), float(lay.data["prop"][k]))
            if cand > best:
                best, where = cand, (depth, k)
        return self.chain(layers, *where)


def beam_search(table: CostTable, values: Array, budget: Budget, *, width: int | None = 200,
                per_node: int | None = None, start: SearchStart | None = None,
                progress: Callable[[int, int], None] | None = None) -> Chain:
    """Best route found (module docstring). ``values`` ``(n_nodes,)`` with node 0 worth 0.
    ``start``: resume from a state (the chain returned is the continuation only).
    ``progress(depth, max_depth)`` after each layer."""
    objective = ValueObjective(table, np.asarray(values, float), budget)
    beam = Beam(objective, _zobrist(table.n_nodes), width, per_node)
    layers = [objective.root(beam, start)]
    first = start.depth if start is not None else 0
    for layer in beam.layers(layers[0], first, budget.kits):
        layers.append(layer)
        if progress is not None:
            progress(first + len(layers) - 1, budget.kits)
    return objective.best(layers)


def greedy_nearest(table: CostTable, values: Array, budget: Budget, *,
                   horizon_s: float = 30 * DAY_S, start: SearchStart | None = None) -> Chain:
    """Greedy nearest-next baseline: from where the ship is, go to the unvisited target with
    the cheapest leg departing within ``horizon_s`` of being ready (earliest slot on ties);
    when none is reachable within the horizon, the cheapest over the rest of the window.
    ``start``: resume from a state (the chain returned is the continuation only)."""
    objective = ValueObjective(table, np.asarray(values, float), budget)
    beam = Beam(objective, _zobrist(table.n_nodes), 1)
    layers = [objective.root(beam, start)]
    for depth in range(start.depth if start is not None else 0, budget.kits):
        kids = objective.expand(layers[-1], 0, depth, horizon_s)
        if not kids or not kids["node"].size:
            kids = objective.expand(layers[-1], 0, depth)
        if not kids or not kids["node"].size:
            break
        c = [int(np.lexsort((kids["t_arrive"], kids["leg_dv"]))[0])]
        layers.append(beam.extend(layers[-1], Moves(np.zeros(1, np.intp), kids["node"][c], {
            k: kids[k][c] for k in ("slot", "t_arrive", "prop", "dv", "value", "leg_dv")})))
    return objective.best(layers)
