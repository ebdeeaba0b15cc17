"""Mission elimination (``sweepers.salvage.engine.eliminate``) on a made-up problem whose answer
is known: five targets, every leg 0.1 km/s except the legs between two groups, whose price
decides whether two missions become one."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from numpy.typing import NDArray

from sweepers.salvage.engine.campaign import CampaignConfig, CampaignPlan, chain_cost
from sweepers.salvage.engine.eliminate import (
    EliminateConfig,
    dissolve,
    eliminate_missions,
    resequence,
)
from sweepers.salvage.engine.model import LegCosts
from sweepers.salvage.engine.pool import PoolTask, run_pool_task
from sweepers.salvage.engine.search import BeamConfig, MissionChain, PlannedLeg
from sweepers.salvage.engine.windows import LnsConfig

from .test_engine_search import RULES as SEARCH_RULES

# A made-up fleet in km/s: 2-day stays, arrivals within 2 + 8 days, 14 days between missions;
# launch 30, so a second mission costs far more than 0.1 km/s more on the first.
RULES = replace(SEARCH_RULES, last_arrival_day=110)  # the search tests' fleet, shorter
GROUP_A, GROUP_B = (0, 1, 2), (3, 4)


def two_group_costs(bridge_km_s: float) -> LegCosts:
    """Legs inside a group 0.1 km/s, legs between the groups ``bridge_km_s``, every day."""
    n, days = 5, 120
    table = np.full((n, n, days), 0.1, dtype=np.float32)
    for a in GROUP_A:
        for b in GROUP_B:
            table[a, b] = table[b, a] = bridge_km_s
    for i in range(n):
        table[i, i] = np.inf
    return LegCosts(table, RULES)


def two_missions() -> list[MissionChain]:
    """0 → 1 → 2 over days 4–18, then 3 → 4 from day 32 (= 18 + the 14-day gap)."""
    first = MissionChain(
        [PlannedLeg(0, 1, 4, 10, "dep", 0.1), PlannedLeg(1, 2, 12, 18, "dep", 0.1)]
    )
    second = MissionChain([PlannedLeg(3, 4, 32, 38, "dep", 0.1)])
    return [first, second]


def assert_timing(chains: list[MissionChain]) -> None:
    """Every rule of ``RULES`` on the chains: stays, arrival window, coasts, mission gaps."""
    ordered = sorted(chains, key=lambda c: c.start_day)
    for chain in ordered:
        assert chain.start_day >= RULES.first_departure_day
        assert chain.end_day <= RULES.last_arrival_day
        arrival = chain.start_day - RULES.stay_days
        for leg in chain.legs:
            assert leg.departure_day >= arrival + RULES.stay_days
            assert leg.arrival_day - arrival <= RULES.stay_days + RULES.window_days - 1
            assert leg.arrival_day - leg.departure_day >= RULES.tau_min_days
            arrival = leg.arrival_day
    for a, b in itertools.pairwise(ordered):
        assert b.start_day - a.end_day >= RULES.mission_gap_days


def plan_of(chains: list[MissionChain]) -> CampaignPlan:
    return CampaignPlan(CampaignConfig(0, BeamConfig(width=50), dv_factor=1.0), chains, rules=RULES)


CONFIG = EliminateConfig(
    beam=BeamConfig(width=50), start_step_days=10, leg_dv_cap=3.0, window_sizes=()
)


def test_cheap_bridge_merges_the_two_missions() -> None:
    costs = two_group_costs(bridge_km_s=0.3)
    plan = plan_of(two_missions())
    before = plan.estimated_j_meur()
    reports = eliminate_missions(costs, plan, CONFIG)
    assert len(plan.chains) == 1
    assert sorted(plan.chains[0].ids) == [0, 1, 2, 3, 4]
    assert_timing(plan.chains)
    # one launch saved, at the price of one 0.3 km/s bridge and one more 0.1 km/s leg
    assert plan.estimated_j_meur() < before - 25.0
    assert [(r.missions_before, r.missions_after) for r in reports] == [(2, 1)]
    assert reports[0].after == pytest.approx(plan.estimated_j_meur())


def test_bridge_above_the_cap_keeps_the_missions() -> None:
    costs = two_group_costs(bridge_km_s=5.0)  # above the stage's 3 km/s cap
    plan = plan_of(two_missions())
    before = [list(c.ids) for c in plan.chains]
    assert eliminate_missions(costs, plan, CONFIG) == []
    assert [list(c.ids) for c in plan.chains] == before


def test_bridge_beyond_the_tank_keeps_the_missions() -> None:
    # 2.5 km/s fits the cap but not the 900 kg of propellant (1.08 × 2.5 km/s at 3.2 km/s
    # exhaust velocity needs m0 ≈ 2.4 × the mass after it, > 1500 + 900 + 5 × 50 kg)
    costs = two_group_costs(bridge_km_s=2.5)
    chains = two_missions()
    assert dissolve(costs, chains, chains[1], CONFIG) is None


def test_resequence_visits_exactly_the_targets_inside_the_slot() -> None:
    costs = two_group_costs(bridge_km_s=0.3)
    chain = resequence(costs, [4, 0, 2], 30, 60, CONFIG)
    assert chain is not None
    assert sorted(chain.ids) == [0, 2, 4]
    assert chain.start_day >= 30 and chain.end_day <= 60
    assert_timing([chain])
    assert resequence(costs, [0, 1, 2, 3, 4], 30, 36, CONFIG) is None  # no time for 4 legs


def test_window_move_also_merges() -> None:
    costs = two_group_costs(bridge_km_s=0.3)
    plan = plan_of(two_missions())
    before = plan.estimated_j_meur()
    config = EliminateConfig(
        leg_dv_cap=3.0,
        dissolve=False,
        window_sizes=(2,),
        windows=LnsConfig(
            step_days=5, width=30, keep=6, max_length=6, time_prices_m_s_per_day=(0.01,)
        ),
    )

    def run_tasks(tasks: list[PoolTask]) -> list[tuple[NDArray, NDArray, NDArray]]:
        return [run_pool_task(costs, t) for t in tasks]

    reports = eliminate_missions(costs, plan, config, run_tasks=run_tasks)
    assert [r.move for r in reports] == ["windows of 2"]
    assert len(plan.chains) == 1 and sorted(plan.chains[0].ids) == [0, 1, 2, 3, 4]
    assert_timing(plan.chains)
    assert sum(chain_cost(RULES, c) for c in plan.chains) < before - 25.0
