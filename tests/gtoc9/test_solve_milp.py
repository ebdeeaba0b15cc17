"""Chain pool and set-partitioning MILP of the GTOC9 solver on small synthetic instances, against
optima found by enumeration in the test."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from sweepers.gtoc9 import rules
from sweepers.gtoc9.solve_campaign import (
    CampaignConfig,
    CampaignPlan,
    chain_cost_meur,
    estimated_m0_kg,
)
from sweepers.gtoc9.solve_lns import LnsConfig, dv_price_meur_per_m_s, repartition_window
from sweepers.gtoc9.solve_milp import UNCOVERED_MEUR, Columns, exact_cover, relax, select
from sweepers.gtoc9.solve_pool import (
    PoolTask,
    decode_chains,
    encode_chains,
    occupied_interval,
    prune_pool,
    run_pool_task,
    with_segments,
)
from sweepers.gtoc9.solve_search import STAY_DAYS, BeamConfig, DebrisChain, PlannedLeg, beam_pool


def _enumerate(cols: Columns, debris: list[int]) -> float:
    """Cheapest choice of columns covering every debris once, intervals pairwise disjoint (depth
    first over the columns in order of their start; +inf if none)."""
    order = sorted(range(len(cols)), key=lambda k: (int(cols.lo[k]), k))
    target = frozenset(debris)
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


def _random_columns(rng: np.random.Generator, n_debris: int, n_cols: int) -> Columns:
    members, lo, hi, cost = [], [], [], []
    for _ in range(n_cols):
        size = int(rng.integers(2, 4))
        members.append(tuple(sorted(rng.choice(n_debris, size=size, replace=False).tolist())))
        a = int(rng.integers(0, 150))
        lo.append(a)
        hi.append(a + int(rng.integers(20, 60)))
        cost.append(55.0 + float(rng.uniform(0.0, 20.0)) * size)
    for d in range(n_debris):  # fillers: one-debris missions every 40 days
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
    expected = _enumerate(cols, debris)
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
    # debris 2 appears in no column: the slack takes it at UNCOVERED_MEUR
    cols = Columns(np.array([60.0]), [(0, 1)], np.array([0]), np.array([50]))
    sel = exact_cover(cols, [0, 1, 2])
    assert sel.uncovered == [2]
    assert sel.objective == pytest.approx(60.0 + UNCOVERED_MEUR)


@pytest.fixture(scope="module")
def synthetic_costs() -> np.ndarray:
    """Five debris, 200 days: cheap legs (50–150 m/s) on some days, expensive elsewhere."""
    rng = np.random.default_rng(7)
    n, days = 5, 200
    table = rng.uniform(300.0, 700.0, size=(n, n, days)).astype(np.float32)
    cheap = rng.random((n, n, days)) < 0.15
    table[cheap] = rng.uniform(50.0, 150.0, size=int(cheap.sum()))
    for i in range(n):
        table[i, i] = np.inf
    return table


def test_beam_pool_gives_distinct_valid_chains(synthetic_costs: np.ndarray) -> None:
    available = np.ones(5, dtype=bool)
    chains = beam_pool(synthetic_costs, available, 5, 190, 5, BeamConfig(width=30), seed=3, keep=4)
    assert chains
    by_length: dict[int, set[frozenset[int]]] = {}
    for c in chains:
        assert len(set(c.ids)) == len(c.ids) >= 2
        key = frozenset(c.ids)
        assert key not in by_length.setdefault(len(c.ids), set())  # distinct sets per depth
        by_length[len(c.ids)].add(key)
        arrival = c.start_day - STAY_DAYS
        for leg in c.legs:
            assert leg.departure_day >= arrival + STAY_DAYS
            assert leg.arrival_day - arrival <= 29
            arrival = leg.arrival_day
    assert max(len(s) for s in by_length.values()) <= 4
    again = beam_pool(synthetic_costs, available, 5, 190, 5, BeamConfig(width=30), seed=3, keep=4)
    assert [c.legs for c in again] == [c.legs for c in chains]
    assert [c.legs for c in decode_chains(*encode_chains(chains))] == [c.legs for c in chains]


def test_pool_and_milp_find_the_enumerated_optimum(synthetic_costs: np.ndarray) -> None:
    tasks = [
        PoolTask(s, lam, (0, 1, 2, 3, 4), s, 30, 5, 4, 190)
        for s in (5, 60, 120)
        for lam in (2.0, 0.5)
    ]
    found = [c for t in tasks for c in decode_chains(*run_pool_task(synthetic_costs, t))]
    pool = prune_pool(with_segments(found), 1.0, 1.0)
    assert pool
    # Pareto front per debris set: no chain is dominated by another of the same set
    for a in pool:
        for b in pool:
            if a is b or sorted(a.ids) != sorted(b.ids):
                continue
            la, ha = occupied_interval(a)
            lb, hb = occupied_interval(b)
            dominated = chain_cost_meur(b) <= chain_cost_meur(a) and lb >= la and hb <= ha
            assert not dominated
    solos = [DebrisChain(solo=(d, day)) for d in range(5) for day in range(5, 200, 45)]
    columns = pool + solos
    iv = np.array([occupied_interval(c) for c in columns])
    cols = Columns(
        np.array([chain_cost_meur(c) for c in columns]),
        [tuple(c.ids) for c in columns],
        iv[:, 0],
        iv[:, 1],
    )
    expected = _enumerate(cols, list(range(5)))
    sel = exact_cover(cols, list(range(5)))
    assert sel.objective == pytest.approx(expected)
    # a multi-debris chain beats five one-debris missions here
    assert expected < 5 * 55.0


def test_window_repartition_never_worsens(synthetic_costs: np.ndarray) -> None:
    config = CampaignConfig(0, BeamConfig(width=30), dv_factor=1.0)
    plan = CampaignPlan(config, [DebrisChain(solo=(d, 5 + 41 * d)) for d in range(4)])

    def run(tasks: list[PoolTask]) -> list:
        return [run_pool_task(synthetic_costs, t) for t in tasks]

    small = LnsConfig(step_days=20, width=30, keep=4, max_length=5, solo_step_days=20)
    chains, report = repartition_window(plan, 0, 3, small, 0, run)
    assert report.before_meur == pytest.approx(sum(chain_cost_meur(c) for c in plan.chains))
    assert chains is not None and report.after_meur < report.before_meur
    assert sorted(d for c in chains for d in c.ids) == [0, 1, 2, 3]
    assert sum(chain_cost_meur(c) for c in chains) == pytest.approx(report.after_meur)
    ordered = sorted(chains, key=lambda c: c.start_day)
    for a, b in itertools.pairwise(ordered):
        assert occupied_interval(a)[1] <= occupied_interval(b)[0]


def test_window_may_absorb_a_short_mission_outside(synthetic_costs: np.ndarray) -> None:
    available = np.zeros(5, dtype=bool)
    available[[3, 4]] = True
    pair = next(
        c
        for c in beam_pool(synthetic_costs, available, 150, 199, 5, BeamConfig(width=30), keep=4)
        if len(c.ids) == 2
    )
    config = CampaignConfig(0, BeamConfig(width=30), dv_factor=1.0)
    plan = CampaignPlan(config, [DebrisChain(solo=(d, 5 + 41 * d)) for d in range(3)] + [pair])

    def run(tasks: list[PoolTask]) -> list:
        return [run_pool_task(synthetic_costs, t) for t in tasks]

    small = LnsConfig(step_days=20, width=30, keep=4, max_length=5, solo_step_days=20)
    base, base_report = repartition_window(plan, 0, 3, small, 0, run)
    offer, report = repartition_window(plan, 0, 3, replace(small, offer_max_debris=2), 0, run)
    assert base is not None and offer is not None
    assert any(c is pair for c in base)  # two-debris missions are not offered by default
    assert report.before_meur == pytest.approx(base_report.before_meur + chain_cost_meur(pair))
    assert report.after_meur <= base_report.after_meur + chain_cost_meur(pair) + 1e-9
    assert sorted(d for c in offer for d in c.ids) == [0, 1, 2, 3, 4]
    assert sum(chain_cost_meur(c) for c in offer) == pytest.approx(report.after_meur)


def test_default_offer_keeps_old_checkpoints_resumable() -> None:
    from sweepers.gtoc9.solve import _lns_settings

    assert "offer_max_debris" not in _lns_settings(LnsConfig())
    assert "pricing_rounds" not in _lns_settings(LnsConfig())
    assert "milp_columns" not in _lns_settings(LnsConfig())
    assert _lns_settings(LnsConfig(pricing_rounds=2))["pricing_rounds"] == 2
    assert _lns_settings(LnsConfig(offer_max_debris=4))["offer_max_debris"] == 4


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
    assert lp.value <= _enumerate(cols, debris) + 1e-6
    assert float(cols.cost @ lp.x) == pytest.approx(lp.value)


def test_prized_pool_takes_the_prized_debris(synthetic_costs: np.ndarray) -> None:
    available = np.ones(5, dtype=bool)
    plain = beam_pool(synthetic_costs, available, 5, 190, 3, BeamConfig(width=30), seed=3, keep=2)
    counts = [sum(4 in c.ids for c in plain)]
    prize = np.zeros(5)
    prize[4] = 2000.0  # above any leg: every kept state that can visit debris 4 does
    prized = beam_pool(
        synthetic_costs,
        available,
        5,
        190,
        3,
        BeamConfig(width=30),
        seed=3,
        keep=2,
        prize_m_s=prize,
    )
    counts.append(sum(4 in c.ids for c in prized))
    assert counts[1] == len(prized) and counts[1] > counts[0]


def test_dv_price_is_the_slope_of_the_mission_cost() -> None:
    legs = [PlannedLeg(0, 1, 10, 20, "dep", 400.0), PlannedLeg(1, 2, 30, 45, "dep", 300.0)]
    chain = DebrisChain(legs)
    bumped = DebrisChain([replace(legs[0], dv_est_m_s=401.0), legs[1]])
    # d J / d Δv of the first burn, by finite difference: the first burn moves the whole m0
    slope = chain_cost_meur(bumped) - chain_cost_meur(chain)
    m0 = estimated_m0_kg([400.0, 300.0])
    assert dv_price_meur_per_m_s([chain], 1.0) == pytest.approx(slope, rel=0.02)
    assert dv_price_meur_per_m_s([chain], 1.0) == pytest.approx(
        2 * rules.ALPHA_MEUR_KG2 * (m0 - rules.M_DRY_KG) * m0 / rules.VE_M_S
    )


def test_priced_window_never_worsens(synthetic_costs: np.ndarray) -> None:
    config = CampaignConfig(0, BeamConfig(width=30), dv_factor=1.0)
    plan = CampaignPlan(config, [DebrisChain(solo=(d, 5 + 41 * d)) for d in range(4)])
    seen: list[PoolTask] = []

    def run(tasks: list[PoolTask]) -> list:
        seen.extend(tasks)
        return [run_pool_task(synthetic_costs, t) for t in tasks]

    small = LnsConfig(step_days=20, width=30, keep=4, max_length=5, solo_step_days=20)
    base, base_report = repartition_window(plan, 0, 3, small, 0, run)
    n_plain = len(seen)
    chains, report = repartition_window(
        plan, 0, 3, replace(small, pricing_rounds=2, milp_columns=10), 0, run
    )
    # two priced rounds of the same searches, with prizes, after the plain ones
    assert len(seen) == 4 * n_plain
    assert all(t.prize_m_s is not None for t in seen[2 * n_plain :])
    assert chains is not None and base is not None
    assert report.before_meur == pytest.approx(base_report.before_meur)
    assert sorted(d for c in chains for d in c.ids) == [0, 1, 2, 3]
    assert sum(chain_cost_meur(c) for c in chains) == pytest.approx(report.after_meur)
    assert report.after_meur < report.before_meur
