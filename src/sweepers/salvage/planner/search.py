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
child — and ranked by ``value + v̄ · min(kits left, d · min(P_left/P_used, T_left/T_used))``: the
value so far plus the value the state would collect if it continued at its own rate of propellant
and time use (v̄: mean candidate value; d: depth). The ``width`` best are kept, at most
``per_node`` of them at any one node (diversity). With ``width=None`` nothing is cut but
dominated states: the search is then exhaustive (exact, for small problems).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sweepers.epochs import DAY_S
from sweepers.salvage.planner.tables import CostTable

Array = NDArray[np.float64]


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


@dataclass(slots=True)
class _Layer:
    parent: NDArray[np.int64]
    node: NDArray[np.int64]
    slot: NDArray[np.int64]
    t_arrive: Array
    prop: Array  # propellant left [kg]
    dv: Array  # Δv used so far [km/s]
    value: Array
    leg_dv: Array
    visited: NDArray[np.bool_]  # (m, n_nodes)


def _root(table: CostTable, budget: Budget, start: SearchStart | None = None) -> _Layer:
    start = start or SearchStart()
    visited = np.zeros((1, table.n_nodes), bool)
    visited[0, [0, start.node, *start.visited]] = True
    t_arr = budget.t_start_s - budget.stay_s if start.t_arrive_s is None else start.t_arrive_s
    prop = budget.propellant_kg if start.propellant_kg is None else start.propellant_kg
    return _Layer(np.array([-1]), np.array([start.node]), np.array([-1]), np.array([t_arr]),
                  np.array([prop]), np.array([start.dv_km_s]), np.array([start.value]),
                  np.zeros(1), visited)


def _expand(layer: _Layer, m: int, table: CostTable, values: Array, budget: Budget,
            depth: int, horizon_s: float | None = None) -> dict[str, Array]:
    """Feasible staircase children of state ``m`` of ``layer`` (arrays keyed by field)."""
    grid, tofs = table.grid_s, table.tofs_s
    t_ready = max(layer.t_arrive[m] + budget.stay_s, budget.t_start_s)
    t_last = budget.t_end_s - budget.stay_s  # latest arrival: the last stay ends in the window
    if layer.node[m] != 0:  # arrival-to-arrival limit (not from the start)
        t_last = min(t_last, layer.t_arrive[m] + budget.max_leg_s)
    k0 = int(np.searchsorted(grid, t_ready - 1e-6))
    k_hi = t_last - tofs[0] if horizon_s is None else min(t_last - tofs[0], t_ready + horizon_s)
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
    mass = budget.dry_mass_kg + layer.prop[m] + kits_left * budget.kit_mass_kg
    need = burn_kg(mass, dv, budget.exhaust_km_s)
    ok = (need <= layer.prop[m] + 1e-9) & (layer.dv[m] + dv <= budget.dv_cap_km_s + 1e-12)
    j, col, dv, need = j[ok], col[ok], dv[ok], need[ok]
    flat = order[col]  # index into the (k - k0, f) grid
    slot = (flat // n_f + k0) * n_f + flat % n_f
    return {"node": j, "slot": slot, "t_arrive": arrive[col], "prop": layer.prop[m] - need,
            "dv": layer.dv[m] + dv, "value": layer.value[m] + values[j], "leg_dv": dv,
            "parent": np.full(j.size, m)}


def _children(layer: _Layer, table: CostTable, values: Array, budget: Budget,
              depth: int) -> _Layer | None:
    parts = [_expand(layer, m, table, values, budget, depth) for m in range(layer.node.size)]
    parts = [p for p in parts if p and p["node"].size]
    if not parts:
        return None
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    visited = layer.visited[cat["parent"]].copy()
    visited[np.arange(visited.shape[0]), cat["node"]] = True
    return _Layer(cat["parent"], cat["node"], cat["slot"], cat["t_arrive"], cat["prop"],
                  cat["dv"], cat["value"], cat["leg_dv"], visited)


def _select(layer: _Layer, order: NDArray[np.int64], width: int | None,
            per_node: int | None) -> NDArray[np.int64]:
    """Walk children best first; drop dominated ones; keep ``width`` (≤ ``per_node`` per node)."""
    kept: list[int] = []
    front: dict[bytes, list[tuple[float, float]]] = {}
    count: dict[int, int] = {}
    for c in order:
        node = int(layer.node[c])
        if per_node is not None and count.get(node, 0) >= per_node:
            continue
        key = layer.visited[c].tobytes() + node.to_bytes(4, "little")
        t, p = float(layer.t_arrive[c]), float(layer.prop[c])
        pts = front.setdefault(key, [])
        if any(t0 <= t and p0 >= p for t0, p0 in pts):
            continue
        pts.append((t, p))
        kept.append(int(c))
        count[node] = count.get(node, 0) + 1
        if width is not None and len(kept) >= width:
            break
    return np.array(kept, dtype=np.int64)


def _take(layer: _Layer, idx: NDArray[np.int64]) -> _Layer:
    return _Layer(*(getattr(layer, f)[idx] for f in _Layer.__slots__))  # type: ignore[attr-defined]


def _score(layer: _Layer, values: Array, budget: Budget, depth: int) -> Array:
    used_p = np.maximum(budget.propellant_kg - layer.prop, 1e-6 * budget.propellant_kg + 1e-9)
    used_t = np.maximum(layer.t_arrive + budget.stay_s - budget.t_start_s, 1.0)
    left_t = np.maximum(budget.t_end_s - layer.t_arrive - budget.stay_s, 0.0)
    rate = np.minimum(layer.prop / used_p, left_t / used_t)
    return layer.value + float(np.mean(values)) * np.minimum(budget.kits - depth, depth * rate)


def _chain(layers: list[_Layer], depth: int, idx: int, table: CostTable,
           budget: Budget) -> Chain:
    rows = []
    prop0 = float(layers[0].prop[0])
    while depth > 0:
        lay = layers[depth]
        rows.append((int(lay.node[idx]), int(lay.slot[idx]), float(lay.leg_dv[idx]),
                     float(lay.t_arrive[idx]), float(lay.prop[idx])))
        idx, depth = int(lay.parent[idx]), depth - 1
    rows.reverse()
    if not rows:
        return Chain((), (), (), (), (), (), 0.0, 0.0, 0.0)
    nodes, slots, dv, t_arr, prop = (tuple(x) for x in zip(*rows, strict=True))
    n_f = table.tofs_s.size
    return Chain(nodes, slots, dv, tuple(float(table.grid_s[k // n_f]) for k in slots), t_arr,
                 prop, 0.0, prop0 - prop[-1], float(sum(dv)))


def _best(layers: list[_Layer]) -> tuple[int, int]:
    best, where = (-math.inf, -math.inf), (0, 0)
    for depth, lay in enumerate(layers):
        if depth == 0 or lay.node.size == 0:
            continue
        k = int(np.lexsort((lay.prop, lay.value))[-1])
        cand = (float(lay.value[k]), float(lay.prop[k]))
        if cand > best:
            best, where = cand, (depth, k)
    return where


def _finish(layers: list[_Layer], table: CostTable, values: Array, budget: Budget) -> Chain:
    depth, idx = _best(layers)
    chain = _chain(layers, depth, idx, table, budget)
    value = float(sum(values[j] for j in chain.nodes))
    return Chain(chain.nodes, chain.slots, chain.dv_km_s, chain.t_depart_s, chain.t_arrive_s,
                 chain.propellant_left_kg, value, chain.propellant_kg, chain.total_dv_km_s)


def beam_search(table: CostTable, values: Array, budget: Budget, *, width: int | None = 200,
                per_node: int | None = None, start: SearchStart | None = None,
                progress: Callable[[int, int], None] | None = None) -> Chain:
    """Best route found (module docstring). ``values`` ``(n_nodes,)`` with node 0 worth 0.
    ``start``: resume from a state (the chain returned is the continuation only).
    ``progress(depth, max_depth)`` after each layer."""
    values = np.asarray(values, float)
    layers = [_root(table, budget, start)]
    first = start.depth if start is not None else 0
    for depth in range(first, budget.kits):
        kids = _children(layers[-1], table, values, budget, depth)
        if kids is None:
            break
        order = np.argsort(-_score(kids, values, budget, depth + 1), kind="stable")
        layers.append(_take(kids, _select(kids, order, width, per_node)))
        if progress is not None:
            progress(depth + 1, budget.kits)
    return _finish(layers, table, values, budget)


def greedy_nearest(table: CostTable, values: Array, budget: Budget, *,
                   horizon_s: float = 30 * DAY_S, start: SearchStart | None = None) -> Chain:
    """Greedy nearest-next baseline: from where the ship is, go to the unvisited target with
    the cheapest leg departing within ``horizon_s`` of being ready (earliest slot on ties);
    when none is reachable within the horizon, the cheapest over the rest of the window.
    ``start``: resume from a state (the chain returned is the continuation only)."""
    values = np.asarray(values, float)
    layers = [_root(table, budget, start)]
    for depth in range(start.depth if start is not None else 0, budget.kits):
        lay = layers[-1]
        kids = _expand(lay, 0, table, values, budget, depth, horizon_s)
        if not kids or not kids["node"].size:
            kids = _expand(lay, 0, table, values, budget, depth)
        if not kids or not kids["node"].size:
            break
        c = int(np.lexsort((kids["t_arrive"], kids["leg_dv"]))[0])
        visited = lay.visited[[0]].copy()
        visited[0, kids["node"][c]] = True
        layers.append(_Layer(np.array([0]), *(kids[k][[c]] for k in (
            "node", "slot", "t_arrive", "prop", "dv", "value", "leg_dv")), visited))
    return _finish(layers, table, values, budget)
