"""The planning engine (``sweepers.salvage.engine``) under rules that are not GTOC9's: the chain
search, the campaign assembly and the cost model follow the :class:`CampaignRules` they are given
(another stay, arrival window, mission gap, launch cost and propellant limit)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sweepers.salvage.engine.campaign import (
    CampaignConfig,
    chain_cost,
    chain_feasible,
    free_slots,
    plan_by_quality,
    solo_chain,
)
from sweepers.salvage.engine.model import CampaignRules, LegCosts
from sweepers.salvage.engine.pool import occupied_interval
from sweepers.salvage.engine.search import BeamConfig, MissionChain, PlannedLeg, beam_search

from .leg_tables import random_leg_table

# A made-up fleet in km/s: 2-day stays, arrivals within 2 + 8 days, 10 days between missions.
RULES = CampaignRules(
    first_departure_day=2,
    last_arrival_day=140,
    stay_days=2,
    window_days=8,
    tau_min_days=1,
    mission_gap_days=14,
    occupied_after_days=12,
    leg_dv_cap=0.6,
    cheap_leg_dv=0.15,
    dry_mass_kg=1500.0,
    kit_mass_kg=50.0,
    propellant_max_kg=900.0,
    exhaust_velocity=3.2,
    launch_cost=30.0,
    alpha_per_kg2=1e-6,
    grid_step_s=86400.0,
    phasing_speed=7.5,
    phasing_mean_motion_rad_s=1.06e-3,
)


def fleet_table() -> np.ndarray:
    """The table of :func:`costs`: six targets, 150 days, 0.3–0.5 km/s, a fifth 0.03–0.1."""
    return random_leg_table(11, 6, 150, dear=(0.3, 0.5), cheap=(0.03, 0.1), cheap_share=0.2)


@pytest.fixture(scope="module")
def costs() -> LegCosts:
    """Six targets, 150 days, Δv in km/s: cheap legs (0.03–0.1) on some days, dear elsewhere."""
    return LegCosts(fleet_table(), RULES)


def test_chain_search_follows_the_given_timing(costs: LegCosts) -> None:
    available = np.ones(6, dtype=bool)
    chains = beam_search(costs, available, 2, 120, 5, BeamConfig(width=40), seed=2)
    assert len(chains[-1].ids) == 5
    for chain in chains[1:]:
        arrival = chain.start_day - RULES.stay_days
        for leg in chain.legs:
            assert leg.departure_day >= arrival + RULES.stay_days
            assert leg.arrival_day - arrival <= RULES.stay_days + RULES.window_days - 1
            assert leg.arrival_day - leg.departure_day >= RULES.tau_min_days
            assert leg.dv_est_m_s < RULES.leg_dv_cap
            arrival = leg.arrival_day


def test_cost_model_is_the_rules_one() -> None:
    legs = [PlannedLeg(0, 1, 4, 9, "dep", 0.2), PlannedLeg(1, 2, 11, 15, "arr", 0.1)]
    chain = MissionChain(legs)
    m0 = (RULES.dry_mass_kg + 50.0) * math.exp(0.1 / 3.2) + 50.0
    m0 = m0 * math.exp(0.2 / 3.2) + 50.0
    assert chain_cost(RULES, chain) == pytest.approx(30.0 + 1e-6 * (m0 - 1500.0) ** 2)
    assert chain_feasible(RULES, chain)
    # the propellant limit of these rules (900 kg) refuses a chain GTOC9's 5000 kg would take
    heavy = MissionChain([PlannedLeg(0, 1, 4, 9, "dep", 1.5), PlannedLeg(1, 2, 11, 15, "arr", 1.5)])
    assert not chain_feasible(RULES, heavy)


def test_campaign_keeps_the_given_gaps(costs: LegCosts) -> None:
    plan = plan_by_quality(costs, CampaignConfig(0, BeamConfig(width=30), dv_factor=1.0), seed=1,
                           start_step_days=10, max_length=4)
    assert sorted(i for c in plan.chains for i in c.ids) == list(range(6))
    ordered = sorted(plan.chains, key=lambda c: c.start_day)
    for a, b in itertools.pairwise(ordered):
        assert b.start_day - a.end_day >= RULES.mission_gap_days
        # gap = stay + days blocked after the last arrival: the blocked intervals do not overlap
        assert occupied_interval(RULES, a)[1] <= occupied_interval(RULES, b)[0]
    assert free_slots(RULES, []) == [(RULES.first_departure_day, RULES.last_arrival_day)]


def test_a_solo_chain_needs_the_rules_stay() -> None:
    assert solo_chain(RULES, 3, 50).end_day == 48
    with pytest.raises(ValueError, match="stay_days"):
        MissionChain(solo=(3, 50))
