"""The one beam search (``salvage.engine.beam``): its cuts, its merge against dynamic
programming, and both objectives of the house (planner value, engine cost) running through it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

from sweepers.salvage.engine import beam as beam_module
from sweepers.salvage.engine import search as engine_search
from sweepers.salvage.engine.beam import Beam, Layer, Moves, select, trace, zobrist_words
from sweepers.salvage.engine.model import LegCosts
from sweepers.salvage.planner import search as planner_search


def test_select_applies_dominance_per_node_cap_and_width() -> None:
    # children 0..5 ranked 0, 1, 2, 3, 4, 5; keys: 0, 1 and 2 equivalent, 3 and 4 another set
    node = np.array([1, 1, 1, 2, 2, 3])
    merge = np.array([7, 7, 7, 8, 8, 9], dtype=np.int64)
    better = np.array([[0.0, 5.0], [-1.0, 4.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    # 1 is dominated by 0; 2 is better in the first column, kept; 4 ties 3, dominated
    assert select(np.arange(6), node, merge, better, None, None).tolist() == [0, 2, 3, 5]
    # no columns: merge, the first of each key
    assert select(np.arange(6), node, merge, None, None, None).tolist() == [0, 3, 5]
    # the vectorised merge path follows the order given, not the index order
    assert select(np.array([4, 2, 5, 0]), node, merge, None, None, None).tolist() == [4, 2, 5]
    # one child per node at most; then the width
    assert select(np.arange(6), node, merge, better, None, 1).tolist() == [0, 3, 5]
    assert select(np.arange(6), node, merge, better, 2, None).tolist() == [0, 2]
    assert select(np.arange(6), node, merge, None, 2, None).tolist() == [0, 3]


@dataclass(frozen=True)
class PathCost:
    """A toy objective: the cheapest path from node 0 through ``depth`` other nodes on the
    matrix ``cost`` (the open travelling-salesman prefix)."""

    cost: NDArray[np.float64]

    def moves(self, layer: Layer, depth: int) -> Moves | None:
        parent, node = np.nonzero(~layer.visited)
        total = layer.data["total"][parent] + self.cost[layer.node[parent], node]
        return Moves(parent, node, {"total": total})

    def rank(self, kids: Layer, depth: int) -> NDArray[np.intp]:
        return np.argsort(kids.data["total"], kind="stable")

    def dominance(self, kids: Layer) -> None:
        return None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exhaustive_merge_is_dynamic_programming(seed: int) -> None:
    """Merging states of the same node and visited set, keeping the cheapest, loses nothing
    (Held–Karp): with no width the beam finds the brute-force optimum at every depth."""
    rng = np.random.default_rng(seed)
    n = 7
    cost = rng.uniform(1.0, 10.0, (n, n))
    beam = Beam(PathCost(cost), zobrist_words(n, rng), None)
    visited = np.zeros((1, n), dtype=bool)
    visited[0, 0] = True
    layers = [beam.root(np.array([0]), visited, {"total": np.zeros(1)})]
    layers += list(beam.layers(layers[0], 0, n - 1))
    assert len(layers) == n
    for depth in range(1, n):
        brute = min(sum(cost[a, b] for a, b in itertools.pairwise((0, *p)))
                    for p in itertools.permutations(range(1, n), depth))
        lay = layers[depth]
        best = int(np.argmin(lay.data["total"]))
        assert lay.data["total"][best] == pytest.approx(brute)
        # at most one state per (node, visited set): C(n-1, depth) sets × depth end nodes
        assert lay.size == depth * len(list(itertools.combinations(range(1, n), depth)))
        # the traced path is a real path of that cost
        path = [int(layers[d].node[k]) for d, k in enumerate(trace(layers, depth, best))]
        assert path[0] == 0 and len(set(path)) == depth + 1
        assert sum(cost[a, b] for a, b in itertools.pairwise(path)) == pytest.approx(brute)


def test_both_objectives_run_through_the_one_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """The planner's value search and the engine's cost search grow their layers with the same
    :meth:`Beam.grow` (counted here around the real method), each with its own objective."""
    seen: list[str] = []
    grow = Beam.grow

    def counted(self: Beam, layer: Layer, depth: int) -> Layer | None:
        seen.append(type(self.objective).__name__)
        return grow(self, layer, depth)

    monkeypatch.setattr(beam_module.Beam, "grow", counted)
    from salvage.planner.test_search import _budget, _table

    table = _table(3)
    values = np.r_[0.0, np.ones(table.n_nodes - 1)]
    chain = planner_search.beam_search(table, values, _budget(), width=5)
    assert len(chain) > 0
    planner_calls = len(seen)
    assert planner_calls > 0 and set(seen) == {"ValueObjective"}

    from salvage.test_engine_search import RULES

    rng = np.random.default_rng(11)
    dv = rng.uniform(0.03, 0.5, size=(6, 6, 150)).astype(np.float32)
    dv[np.arange(6), np.arange(6)] = np.inf
    chains = engine_search.beam_search(LegCosts(dv, RULES), np.ones(6, dtype=bool), 2, 120, 4,
                                       engine_search.BeamConfig(width=20), seed=1)
    assert len(chains[-1].ids) == 4
    assert len(seen) > planner_calls and set(seen[planner_calls:]) == {"CostObjective"}
