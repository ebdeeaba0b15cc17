"""The one beam search of the house, for ships and fleets, with the objective as a plug-in.

A state is a ship at a ``node`` (a target, or the start) with the set of nodes it has
``visited``, a ``parent`` state in the layer before, and whatever its objective tracks
(propellant, time, Δv, value … in ``data``). The search proceeds by depth (targets visited):

1. the objective's :meth:`Objective.moves` lists the children of every state of the layer — a
   parent index, the node moved to and the child's fields (its leg options, already cut to the
   ones worth trying);
2. the core gives each child its visited set and a Zobrist hash of it (XOR of one random 62-bit
   word per visited node; the merge key adds the node), so equivalent states — same node, same
   visited set — are recognised without comparing sets;
3. the objective ranks the children (:meth:`Objective.rank`, best first);
4. walking best first, a child is dropped when a child kept before it at the same node with the
   same visited set is at least as good in every column of :meth:`Objective.dominance` (no
   columns: the first of each is kept, i.e. equivalent states are merged), or when ``per_node``
   children are already kept at its node (diversity); the walk stops at ``width`` children
   (``None``: only dominated children are dropped — exhaustive, exact for small problems);
5. a chain is rebuilt by following parent indices back to the root (:func:`trace`).

The two objectives of the house are ``salvage.planner.search`` (value removed under a
propellant/kit/time budget: dominance on arrival time and propellant left) and
``salvage.engine.search`` (Σ Δv + λ·days of one fleet mission: merge, keep the cheapest). Units
are the objective's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import ge
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

_BLOCK = 4096
"""Children converted to Python lists at a time by :func:`select` (the walk usually stops early)."""

MERGE_MULTIPLIER = 131
"""Merge key of a state: visited-set hash · 131 + node (wrapping int64 arithmetic)."""


@dataclass(slots=True)
class Layer:
    """States at one depth: ``parent`` index in the layer before (−1 at the root), ``node``,
    ``visited`` ``(m, n_nodes)``, ``key`` (Zobrist hash of the visited set) and the objective's
    per-state arrays ``data`` (each of length m)."""

    parent: NDArray[np.intp]
    node: NDArray[np.intp]
    visited: NDArray[np.bool_]
    key: NDArray[np.int64]
    data: dict[str, NDArray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of states."""
        return int(self.node.size)

    def take(self, idx: NDArray[np.intp]) -> Layer:
        """The states ``idx`` (in that order)."""
        return Layer(self.parent[idx], self.node[idx], self.visited[idx], self.key[idx],
                     {k: v[idx] for k, v in self.data.items()})


@dataclass(frozen=True, slots=True)
class Moves:
    """Children of a layer: ``parent`` index and ``node`` of each, and their fields."""

    parent: NDArray[np.intp]
    node: NDArray[np.intp]
    data: Mapping[str, NDArray]


class Objective(Protocol):
    """What a beam search optimises: the moves from a layer and how children compare."""

    def moves(self, layer: Layer, depth: int) -> Moves | None:
        """Feasible children of the states of ``layer`` (``depth`` targets visited so far);
        None (or no child) ends the search."""
        ...

    def rank(self, kids: Layer, depth: int) -> NDArray[np.intp]:
        """Indices of ``kids`` (``depth`` targets visited), best first."""
        ...

    def dominance(self, kids: Layer) -> NDArray[np.float64] | None:
        """Columns ``(m, r)``, larger is better, for dominance among equivalent children; None:
        merge (keep the best-ranked one of each)."""
        ...


def zobrist_words(n_nodes: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """One random word in [1, 2⁶²) per node, the hash of a visited set being their XOR."""
    return rng.integers(1, 2**62, size=n_nodes, dtype=np.int64)


@dataclass(frozen=True)
class Beam:
    """A beam search of ``objective`` (module docstring): ``width`` states kept per depth
    (None: all undominated), at most ``per_node`` at one node (None: no cap); ``zobrist`` one
    word per node (:func:`zobrist_words`)."""

    objective: Objective
    zobrist: NDArray[np.int64]
    width: int | None
    per_node: int | None = None

    def root(self, node: NDArray[np.intp], visited: NDArray[np.bool_],
             data: Mapping[str, NDArray]) -> Layer:
        """The starting states: at ``node``, having visited ``visited`` ``(m, n_nodes)``."""
        key = np.bitwise_xor.reduce(np.where(visited, self.zobrist, 0), axis=1)
        return Layer(np.full(node.size, -1, dtype=np.intp), np.asarray(node, dtype=np.intp),
                     visited, key.astype(np.int64), dict(data))

    def extend(self, layer: Layer, moves: Moves) -> Layer:
        """The children ``moves`` of ``layer`` as a layer (visited sets and their hashes)."""
        visited = layer.visited[moves.parent]
        visited[np.arange(moves.node.size), moves.node] = True
        key = layer.key[moves.parent] ^ self.zobrist[moves.node]
        return Layer(moves.parent, moves.node, visited, key, dict(moves.data))

    def grow(self, layer: Layer, depth: int) -> Layer | None:
        """The next layer after ``layer`` (``depth`` targets visited), or None when no state
        has a child."""
        moves = self.objective.moves(layer, depth)
        if moves is None or moves.node.size == 0:
            return None
        kids = self.extend(layer, moves)
        order = self.objective.rank(kids, depth)
        merge = kids.key * MERGE_MULTIPLIER + kids.node
        return kids.take(select(order, kids.node, merge, self.objective.dominance(kids),
                                self.width, self.per_node))

    def layers(self, root: Layer, first_depth: int, last_depth: int) -> Iterator[Layer]:
        """Layers after ``root`` (which has ``first_depth`` targets visited), one per depth up to
        ``last_depth``, until no state has a child."""
        layer = root
        for depth in range(first_depth, last_depth):
            grown = self.grow(layer, depth)
            if grown is None:
                return
            layer = grown
            yield layer


def select(order: NDArray[np.intp], node: NDArray[np.intp], merge: NDArray[np.int64],
           better: NDArray[np.float64] | None, width: int | None,
           per_node: int | None) -> NDArray[np.intp]:
    """Children kept, walking ``order`` (best first): step 4 of the module docstring, with
    ``merge`` the key of equivalent children and ``better`` the dominance columns."""
    if better is None and per_node is None:  # merge only: the first of each key, vectorised
        _, first = np.unique(merge[order], return_index=True)
        kept = order[np.sort(first)]
        return kept if width is None else kept[:width]
    chosen: list[int] = []
    front: dict[int, list[list[float]]] = {}
    count: dict[int, int] = {}
    for start in range(0, order.size, _BLOCK):  # plain lists, converted as the walk goes on
        block = order[start:start + _BLOCK]
        for c, j, key in zip(block.tolist(), node[block].tolist(), merge[block].tolist(),
                             strict=True):
            if per_node is not None and count.get(j, 0) >= per_node:
                continue
            points = front.setdefault(key, [])
            # the columns of the children that get this far only (with a per-node cap, few)
            mine = [] if better is None else better[c].tolist()
            if _dominated(points, mine):
                continue
            points.append(mine)
            chosen.append(c)
            count[j] = count.get(j, 0) + 1
            if width is not None and len(chosen) >= width:
                return np.array(chosen, dtype=np.intp)
    return np.array(chosen, dtype=np.intp)


def _dominated(points: list[list[float]], mine: list[float]) -> bool:
    """Whether one of ``points`` is ≥ ``mine`` in every column (always, with no columns)."""
    if len(mine) == 2:  # the planner's (−arrival, propellant), unrolled: ~8× the general test
        first, second = mine
        return any(p0 >= first and p1 >= second for p0, p1 in points)
    return any(all(map(ge, p, mine)) for p in points)


def trace(layers: list[Layer], depth: int, index: int) -> list[int]:
    """Index of the ancestor of state ``index`` of ``layers[depth]`` in each layer 0 … depth."""
    path = [index]
    for d in range(depth, 0, -1):
        index = int(layers[d].parent[index])
        path.append(index)
    path.reverse()
    return path
