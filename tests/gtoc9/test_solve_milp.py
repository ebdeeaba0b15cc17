"""Chain pool and window re-partitioning of the GTOC9 solver on small synthetic instances; the
MILP they feed (``salvage.engine.partition``) is tested in
``tests/salvage/test_engine_partition.py``, whose enumeration oracle checks the pool's optimum
here."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from salvage.leg_tables import random_leg_table  # tests/ is on sys.path (rootdir)
from salvage.test_engine_partition import enumerate_optimum
from sweepers.gtoc9 import rules
from sweepers.gtoc9.problem import CAMPAIGN_RULES as R
from sweepers.gtoc9.problem import leg_costs
from sweepers.salvage.engine.campaign import CampaignConfig, CampaignPlan, chain_cost, solo_chain
from sweepers.salvage.engine.model import LegCosts
from sweepers.salvage.engine.partition import Columns, exact_cover
from sweepers.salvage.engine.pool import (
    PoolTask,
    decode_chains,
    encode_chains,
    occupied_interval,
    prune_pool,
    run_pool_task,
    with_segments,
)
from sweepers.salvage.engine.search import BeamConfig, MissionChain, PlannedLeg, beam_pool
from sweepers.salvage.engine.windows import LnsConfig, dv_price_meur_per_m_s, repartition_window


def synthetic_table() -> np.ndarray:
    """The table of :func:`synthetic_costs`: five debris, 200 days, 300–700 m/s, 15 % 50–150."""
    return random_leg_table(7, 5, 200, dear=(300.0, 700.0), cheap=(50.0, 150.0), cheap_share=0.15)


@pytest.fixture(scope="module")
def synthetic_costs() -> LegCosts:
    """Five debris, 200 days: cheap legs (50–150 m/s) on some days, expensive elsewhere; GTOC9's
    campaign rules."""
    return leg_costs(synthetic_table())


def test_beam_pool_gives_distinct_valid_chains(synthetic_costs: LegCosts) -> None:
    available = np.ones(5, dtype=bool)
    chains = beam_pool(synthetic_costs, available, 5, 190, 5, BeamConfig(width=30), seed=3, keep=4)
    assert chains
    by_length: dict[int, set[frozenset[int]]] = {}
    for c in chains:
        assert len(set(c.ids)) == len(c.ids) >= 2
        key = frozenset(c.ids)
        assert key not in by_length.setdefault(len(c.ids), set())  # distinct sets per depth
        by_length[len(c.ids)].add(key)
        arrival = c.start_day - R.stay_days
        for leg in c.legs:
            assert leg.departure_day >= arrival + R.stay_days
            assert leg.arrival_day - arrival <= 29
            arrival = leg.arrival_day
    assert max(len(s) for s in by_length.values()) <= 4
    again = beam_pool(synthetic_costs, available, 5, 190, 5, BeamConfig(width=30), seed=3, keep=4)
    assert [c.legs for c in again] == [c.legs for c in chains]
    assert [c.legs for c in decode_chains(*encode_chains(chains))] == [c.legs for c in chains]


def test_pool_and_milp_find_the_enumerated_optimum(synthetic_costs: LegCosts) -> None:
    tasks = [
        PoolTask(s, lam, (0, 1, 2, 3, 4), s, 30, 5, 4, 190)
        for s in (5, 60, 120)
        for lam in (2.0, 0.5)
    ]
    found = [c for t in tasks for c in decode_chains(*run_pool_task(synthetic_costs, t))]
    pool = prune_pool(R, with_segments(found), 1.0, 1.0)
    assert pool
    # Pareto front per debris set: no chain is dominated by another of the same set
    for a in pool:
        for b in pool:
            if a is b or sorted(a.ids) != sorted(b.ids):
                continue
            la, ha = occupied_interval(R, a)
            lb, hb = occupied_interval(R, b)
            dominated = chain_cost(R, b) <= chain_cost(R, a) and lb >= la and hb <= ha
            assert not dominated
    solos = [solo_chain(R, d, day) for d in range(5) for day in range(5, 200, 45)]
    columns = pool + solos
    iv = np.array([occupied_interval(R, c) for c in columns])
    cols = Columns(
        np.array([chain_cost(R, c) for c in columns]),
        [tuple(c.ids) for c in columns],
        iv[:, 0],
        iv[:, 1],
    )
    expected = enumerate_optimum(cols, list(range(5)))
    sel = exact_cover(cols, list(range(5)))
    assert sel.objective == pytest.approx(expected)
    # a multi-debris chain beats five one-debris missions here
    assert expected < 5 * 55.0


def test_window_repartition_never_worsens(synthetic_costs: LegCosts) -> None:
    config = CampaignConfig(0, BeamConfig(width=30), dv_factor=1.0)
    plan = CampaignPlan(config, [solo_chain(R, d, 5 + 41 * d) for d in range(4)], rules=R)

    def run(tasks: list[PoolTask]) -> list:
        return [run_pool_task(synthetic_costs, t) for t in tasks]

    small = LnsConfig(step_days=20, width=30, keep=4, max_length=5, solo_step_days=20)
    chains, report = repartition_window(plan, 0, 3, small, 0, run)
    assert report.before_meur == pytest.approx(sum(chain_cost(R, c) for c in plan.chains))
    assert chains is not None and report.after_meur < report.before_meur
    assert sorted(d for c in chains for d in c.ids) == [0, 1, 2, 3]
    assert sum(chain_cost(R, c) for c in chains) == pytest.approx(report.after_meur)
    ordered = sorted(chains, key=lambda c: c.start_day)
    for a, b in itertools.pairwise(ordered):
        assert occupied_interval(R, a)[1] <= occupied_interval(R, b)[0]


def test_window_may_absorb_a_short_mission_outside(synthetic_costs: LegCosts) -> None:
    available = np.zeros(5, dtype=bool)
    available[[3, 4]] = True
    pair = next(
        c
        for c in beam_pool(synthetic_costs, available, 150, 199, 5, BeamConfig(width=30), keep=4)
        if len(c.ids) == 2
    )
    config = CampaignConfig(0, BeamConfig(width=30), dv_factor=1.0)
    solos = [solo_chain(R, d, 5 + 41 * d) for d in range(3)]
    plan = CampaignPlan(config, [*solos, pair], rules=R)

    def run(tasks: list[PoolTask]) -> list:
        return [run_pool_task(synthetic_costs, t) for t in tasks]

    small = LnsConfig(step_days=20, width=30, keep=4, max_length=5, solo_step_days=20)
    base, base_report = repartition_window(plan, 0, 3, small, 0, run)
    offer, report = repartition_window(plan, 0, 3, replace(small, offer_max_debris=2), 0, run)
    assert base is not None and offer is not None
    assert any(c is pair for c in base)  # two-debris missions are not offered by default
    assert report.before_meur == pytest.approx(base_report.before_meur + chain_cost(R, pair))
    assert report.after_meur <= base_report.after_meur + chain_cost(R, pair) + 1e-9
    assert sorted(d for c in offer for d in c.ids) == [0, 1, 2, 3, 4]
    assert sum(chain_cost(R, c) for c in offer) == pytest.approx(report.after_meur)


def test_default_offer_keeps_old_checkpoints_resumable() -> None:
    from sweepers.gtoc9.solve import _lns_settings

    assert "offer_max_debris" not in _lns_settings(LnsConfig())
    assert "pricing_rounds" not in _lns_settings(LnsConfig())
    assert "milp_columns" not in _lns_settings(LnsConfig())
    assert _lns_settings(LnsConfig(pricing_rounds=2))["pricing_rounds"] == 2
    assert _lns_settings(LnsConfig(offer_max_debris=4))["offer_max_debris"] == 4


def test_prized_pool_takes_the_prized_debris(synthetic_costs: LegCosts) -> None:
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
    chain = MissionChain(legs)
    bumped = MissionChain([replace(legs[0], dv_est_m_s=401.0), legs[1]])
    # d J / d Δv of the first burn, by finite difference: the first burn moves the whole m0
    slope = chain_cost(R, bumped) - chain_cost(R, chain)
    m0 = R.launch_mass_kg([400.0, 300.0])
    assert dv_price_meur_per_m_s(R, [chain], 1.0) == pytest.approx(slope, rel=0.02)
    assert dv_price_meur_per_m_s(R, [chain], 1.0) == pytest.approx(
        2 * rules.ALPHA_MEUR_KG2 * (m0 - rules.M_DRY_KG) * m0 / rules.VE_M_S
    )


def test_priced_window_never_worsens(synthetic_costs: LegCosts) -> None:
    config = CampaignConfig(0, BeamConfig(width=30), dv_factor=1.0)
    plan = CampaignPlan(config, [solo_chain(R, d, 5 + 41 * d) for d in range(4)], rules=R)
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
    assert sum(chain_cost(R, c) for c in chains) == pytest.approx(report.after_meur)
    assert report.after_meur < report.before_meur
