"""Late or on time: the exact leg held to the planned arrival, and the planner's choice between
the cheapest leg and the on-time one (``plan._weigh``)."""

from __future__ import annotations

import numpy as np

from sweepers.gtoc9.debris import DebrisSet
from sweepers.salvage.planner.legs import LegHint, solve_leg, verify_leg
from sweepers.salvage.planner.plan import _weigh
from sweepers.salvage.planner.search import Chain, SearchStart

DAY = 86400.0
# debris 0 and 96: planes aligned near this epoch (tests/salvage/planner/test_plan.py)
T_ALIGNED_S = 2.13704337e09


def test_on_time_leg_arrives_by_the_planned_arrival(debris: DebrisSet) -> None:
    eph = debris.take([0, 96])
    ready = T_ALIGNED_S - 2 * DAY
    free = solve_leg(eph, 0, 1, ready, LegHint(0, ready, T_ALIGNED_S + 2 * DAY, T_ALIGNED_S),
                     t_latest_arrival_s=T_ALIGNED_S + 8 * DAY, tries=1)
    assert free is not None
    # plan an arrival half a day before the one the cheapest transfer makes
    planned = free.t_arrive_s - 0.5 * DAY
    hint = LegHint(0, ready, planned, T_ALIGNED_S)
    late = solve_leg(eph, 0, 1, ready, hint, t_latest_arrival_s=T_ALIGNED_S + 8 * DAY, tries=1)
    on_time = solve_leg(eph, 0, 1, ready, hint, t_latest_arrival_s=T_ALIGNED_S + 8 * DAY,
                        tries=1, on_time=True)
    assert late is not None and on_time is not None
    assert late.t_arrive_s > planned  # without the rule the leg is late
    assert on_time.t_arrive_s <= planned + 1e-6
    assert on_time.t_depart_s >= ready - 1e-6
    r, v = verify_leg(on_time, eph)
    assert r <= 0.1 and v <= 1e-3  # the GTOC9 bar: 100 m, 1 m/s


def _chain(value: float, propellant_kg: float) -> Chain:
    return Chain((5,), (0,), (0.1,), (0.0,), (1.0,), (0.0,), value, propellant_kg, 0.1)


def test_weigh_keeps_the_leg_whose_continuation_is_worth_more() -> None:
    cheap_late = (None, SearchStart(node=3, t_arrive_s=10.0, propellant_kg=500.0))
    dear_on_time = (None, SearchStart(node=3, t_arrive_s=8.0, propellant_kg=450.0))
    seen: list[SearchStart] = []

    def replan(state: SearchStart) -> Chain:
        seen.append(state)
        # on time, the rest of the route reaches one target more
        return _chain(2.0 if state.t_arrive_s == 8.0 else 1.0, 100.0)

    values = np.array([1.0, 1.0, 1.0, 1.0, 1.0])
    (_, state), fresh = _weigh([cheap_late, dear_on_time], replan, 3, [1], [2], values)
    assert state.t_arrive_s == 8.0 and fresh.value == 2.0
    # the states handed to the re-search carry the route so far and the banned target
    assert all(s.visited == (1, 3, 2) and s.value == 2.0 for s in seen)

    def same_value(state: SearchStart) -> Chain:
        return _chain(1.0, 100.0)

    # worth the same: the one that ends with more propellant left
    (_, state), _ = _weigh([dear_on_time, cheap_late], same_value, 3, [1], [], values)
    assert state.propellant_kg == 500.0
