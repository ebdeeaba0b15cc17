"""The set-partitioning MILP (``salvage.engine.partition``) on small synthetic instances,
against optima found by enumeration in the test (the oracle shares no code with the model)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sweepers.salvage.engine.partition import (
    UNCOVERED_COST,
    Columns,
    Limits,
    exact_cover,
    relax,
    select,
)


def enumerate_optimum(cols: Columns, targets: list[int]) -> float:
    """Cheapest choice of columns covering every target once, intervals pairwise disjoint (depth
    first over the columns in order of their start; +inf if none)."""
    order = sorted(range(len(cols)), key=lambda k: (int(cols.lo[k]), k))
    target = frozenset(targets)
    best = math.inf

    def rec(start: int, covered: frozenset[int], t: int, cost: float) -> None:
        nonlocal best
        if covered == target:
            best = min(best, cost)
            return
        for idx in range(start, len(order)):
            k = order[idx]
            if cols.lo[k] < t or not covered.isdisjoint(cols.members[k]):
                continue
            rec(idx + 1, covered | frozenset(cols.members[k]), int(cols.hi[k]), cost + cols.cost[k])

    rec(0, frozenset(), -(10**9), 0.0)
    return best


def _random_columns(rng: np.random.Generator, n_targets: int, n_cols: int) -> Columns:
    members, lo, hi, cost = [], [], [], []
    for _ in range(n_cols):
        size = int(rng.integers(2, 4))
        members.append(tuple(sorted(rng.choice(n_targets, size=size, replace=False).tolist())))
        a = int(rng.integers(0, 150))
        lo.append(a)
        hi.append(a + int(rng.integers(20, 60)))
        cost.append(55.0 + float(rng.uniform(0.0, 20.0)) * size)
    for d in range(n_targets):  # fillers: one-target columns every 40 grid steps
        for a in range(0, 200, 40):
            members.append((d,))
            lo.append(a)
            hi.append(a + 36)
            cost.append(55.0)
    return Columns(np.array(cost), members, np.array(lo), np.array(hi))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_exact_cover_matches_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cols = _random_columns(rng, 6, 14)
    debris = list(range(6))
    expected = enumerate_optimum(cols, debris)
    sel = exact_cover(cols, debris)
    if math.isinf(expected):
        assert sel.uncovered
        return
    assert not sel.uncovered
    assert sel.objective == pytest.approx(expected)
    assert float(cols.cost[sel.chosen].sum()) == pytest.approx(expected)
    # the choice is a partition, missions one after the other in time
    chosen = sorted(sel.chosen, key=lambda k: cols.lo[k])
    assert sorted(d for k in chosen for d in cols.members[k]) == debris
    for a, b in itertools.pairwise(chosen):
        assert cols.hi[a] <= cols.lo[b]
    assert sel.mip_gap == pytest.approx(0.0, abs=1e-6)
    # the LP-filtered front end finds the same optimum, above its LP bound
    full = select(cols, debris, max_columns=len(cols))
    assert full.objective == pytest.approx(expected)
    assert full.lp_bound <= expected + 1e-6


def test_uncovered_debris_are_reported_not_infeasible() -> None:
    # target 2 appears in no column: the slack takes it at UNCOVERED_COST
    cols = Columns(np.array([60.0]), [(0, 1)], np.array([0]), np.array([50]))
    sel = exact_cover(cols, [0, 1, 2])
    assert sel.uncovered == [2]
    assert sel.objective == pytest.approx(60.0 + UNCOVERED_COST)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relaxation_prices_satisfy_lp_duality(seed: int) -> None:
    # debris prices and time potentials are LP duals: no column has a negative reduced cost,
    # the LP's support has zero reduced cost (complementary slackness), and the LP value is a
    # lower bound of the enumerated optimum
    rng = np.random.default_rng(seed)
    cols = _random_columns(rng, 6, 14)
    debris = list(range(6))
    lp = relax(cols, debris)
    assert lp.prices.shape == (6,)
    assert lp.reduced.min() >= -1e-7
    support = lp.x > 1e-9
    assert np.abs(lp.reduced[support]).max() <= 1e-7
    assert lp.value <= enumerate_optimum(cols, debris) + 1e-6
    assert float(cols.cost @ lp.x) == pytest.approx(lp.value)


def _independent_columns(rng: np.random.Generator, n_targets: int, n_cols: int) -> Columns:
    """Random columns of 1–3 targets, each blocking its own unit interval (independent ships,
    as ``salvage.campaign.engine`` builds them)."""
    members = [
        tuple(sorted(rng.choice(n_targets, size=int(rng.integers(1, 4)), replace=False).tolist()))
        for _ in range(n_cols)
    ]
    cost = np.array([10.0 + float(rng.uniform(0.0, 5.0)) * len(m) for m in members])
    k = np.arange(n_cols)
    return Columns(cost, members, k, k + 1)


def _enumerate_limited(
    cols: Columns, n_targets: int, limits: Limits
) -> tuple[float, frozenset[int]]:
    """Best objective of the model with side rows over every subset of columns whose targets
    are disjoint (brute force; slack targets pay their uncovered price)."""
    price = np.broadcast_to(np.asarray(limits.uncovered_cost, float), (n_targets,))
    best, where = math.inf, frozenset()
    for r in range(len(cols) + 1):
        for pick in itertools.combinations(range(len(cols)), r):
            if limits.max_chosen is not None and r > limits.max_chosen:
                continue
            covered = [d for k in pick for d in cols.members[k]]
            if len(covered) != len(set(covered)):
                continue
            spent = float(sum(cols.cost[k] for k in pick))
            if limits.budget is not None and spent > limits.budget + 1e-9:
                continue
            lost = float(sum(price[d] for d in range(n_targets) if d not in covered))
            value = lost if limits.budget is not None else spent + lost
            if value < best - 1e-9:
                best, where = value, frozenset(pick)
    return best, where


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fleet_cap_and_budget_rows_match_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 6
    cols = _independent_columns(rng, n, 9)
    values = rng.uniform(5.0, 30.0, n)
    cases = [
        Limits(uncovered_cost=100.0, max_chosen=2),
        Limits(uncovered_cost=100.0, max_chosen=4),
        Limits(uncovered_cost=values, budget=35.0),
        Limits(uncovered_cost=values, budget=25.0, max_chosen=1),
    ]
    for limits in cases:
        expected, _ = _enumerate_limited(cols, n, limits)
        sel = exact_cover(cols, list(range(n)), limits=limits)
        assert sel.objective == pytest.approx(expected, abs=1e-6)
        if limits.max_chosen is not None:
            assert len(sel.chosen) <= limits.max_chosen
        if limits.budget is not None:
            assert float(cols.cost[sel.chosen].sum()) <= limits.budget + 1e-9
        covered = [d for k in sel.chosen for d in cols.members[k]]
        assert len(covered) == len(set(covered))
        assert sorted(covered + sel.uncovered) == list(range(n))
        # the LP relaxation with the same rows bounds the optimum from below
        assert relax(cols, list(range(n)), limits).value <= expected + 1e-6
