"""Route search on synthetic cost tables: exact against brute force, budgets respected."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from sweepers.salvage.planner.search import Budget, Chain, beam_search, burn_kg, greedy_nearest
from sweepers.salvage.planner.tables import CostTable

DAY = 86400.0


def _table(seed: int, n_targets: int = 5, slots: int = 8) -> CostTable:
    """Random Δv for 2-day and 5-day flights; longer flights tend to be cheaper."""
    rng = np.random.default_rng(seed)
    n = n_targets + 1
    dv = rng.uniform(0.02, 0.4, (n, n, slots, 2)).astype(np.float32)
    dv[..., 1] *= rng.uniform(0.3, 1.2, (n, n, slots)).astype(np.float32)
    dv[np.arange(n), np.arange(n)] = np.inf
    dv[:, 0] = np.inf
    grid = np.arange(slots) * 2 * DAY
    zeros = np.zeros(dv.shape, np.float32)
    return CostTable(dv, zeros.astype(np.int8), np.broadcast_to(grid[:, None], dv.shape).copy(),
                     zeros, zeros, grid, np.array([2 * DAY, 5 * DAY]))


def _budget(**kw: float) -> Budget:
    base = dict(exhaust_km_s=3.0, dry_mass_kg=1000.0, propellant_kg=150.0, kit_mass_kg=30.0,
                kits=4, stay_s=1 * DAY, t_start_s=0.0, t_end_s=16 * DAY)
    base.update(kw)
    return Budget(**base)  # type: ignore[arg-type]


def _brute(table: CostTable, values: np.ndarray, b: Budget) -> float:
    """Best value over every order and every departure slot (plain recursion)."""
    best = 0.0

    def go(node: int, t_arr: float, prop: float, dv_used: float, depth: int, seen: frozenset,
           value: float) -> None:
        nonlocal best
        best = max(best, value)
        if depth == b.kits:
            return
        ready = b.t_start_s if depth == 0 else t_arr + b.stay_s
        for j in range(1, table.n_nodes):
            if j in seen:
                continue
            for (k, t0), (f, tof) in itertools.product(enumerate(table.grid_s),
                                                       enumerate(table.tofs_s)):
                arrive = t0 + tof
                if t0 < ready - 1e-6 or arrive + b.stay_s > b.t_end_s:
                    continue
                if depth > 0 and arrive - t_arr > b.max_leg_s:
                    continue
                dv = float(table.dv_km_s[node, j, k, f]) * b.dv_margin
                mass = b.dry_mass_kg + prop + (b.kits - depth) * b.kit_mass_kg
                need = float(burn_kg(mass, dv, b.exhaust_km_s))
                if need > prop + 1e-9 or dv_used + dv > b.dv_cap_km_s + 1e-12:
                    continue
                go(j, arrive, prop - need, dv_used + dv, depth + 1, seen | {j},
                   value + values[j])

    go(0, b.t_start_s - b.stay_s, b.propellant_kg, 0.0, 0, frozenset(), 0.0)
    return best


def _check_feasible(chain: Chain, table: CostTable, b: Budget) -> None:
    prop, t_prev, dv_sum = b.propellant_kg, None, 0.0
    node = 0
    assert len(set(chain.nodes)) == len(chain.nodes) and len(chain) <= b.kits
    n_f = table.tofs_s.size
    for depth, (j, slot) in enumerate(zip(chain.nodes, chain.slots, strict=True)):
        k, f = divmod(slot, n_f)
        t0, t1 = table.grid_s[k], table.grid_s[k] + table.tofs_s[f]
        assert (chain.t_depart_s[depth], chain.t_arrive_s[depth]) == (t0, t1)
        ready = b.t_start_s if t_prev is None else t_prev + b.stay_s
        assert t0 >= ready - 1e-6 and t1 + b.stay_s <= b.t_end_s
        if t_prev is not None:
            assert t1 - t_prev <= b.max_leg_s + 1e-6
        dv = float(table.dv_km_s[node, j, k, f]) * b.dv_margin
        prop -= float(burn_kg(b.dry_mass_kg + prop + (b.kits - depth) * b.kit_mass_kg, dv,
                              b.exhaust_km_s))
        dv_sum += dv
        assert prop >= -1e-9 and dv_sum <= b.dv_cap_km_s + 1e-9
        node, t_prev = j, t1
    assert math.isclose(chain.propellant_kg, b.propellant_kg - prop, abs_tol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_exhaustive_beam_matches_brute_force(seed: int) -> None:
    table = _table(seed)
    values = np.r_[0.0, np.random.default_rng(seed + 10).uniform(1, 5, table.n_nodes - 1)]
    b = _budget()
    chain = beam_search(table, values, b, width=None)
    assert chain.value == pytest.approx(_brute(table, values, b))
    _check_feasible(chain, table, b)


@pytest.mark.parametrize("kw", [{"dv_cap_km_s": 0.25}, {"propellant_kg": 40.0},
                                {"kits": 2}, {"max_leg_s": 4 * DAY}, {"t_end_s": 9 * DAY}])
def test_budgets_respected(kw: dict[str, float]) -> None:
    table = _table(7)
    values = np.r_[0.0, np.ones(table.n_nodes - 1)]
    b = _budget(**kw)
    for chain in (beam_search(table, values, b, width=None), beam_search(table, values, b, width=3),
                  greedy_nearest(table, values, b)):
        _check_feasible(chain, table, b)
    assert beam_search(table, values, b, width=None).value == pytest.approx(
        _brute(table, values, b))


def test_narrow_beam_never_beats_exhaustive_and_greedy_is_feasible() -> None:
    table = _table(11, n_targets=6)
    values = np.r_[0.0, np.arange(1.0, 7.0)]
    b = _budget(kits=5, propellant_kg=120.0)
    exact = beam_search(table, values, b, width=None).value
    assert beam_search(table, values, b, width=20).value <= exact + 1e-9
    greedy = greedy_nearest(table, values, b)
    assert 0 < greedy.value <= exact + 1e-9


def test_fit_kits_drops_dead_weight_and_stays_feasible() -> None:
    from sweepers.salvage.planner.plan import fit_kits

    table = _table(5, n_targets=6)
    values = np.r_[0.0, np.ones(6)]
    b = _budget(kits=6, propellant_kg=90.0, kit_mass_kg=100.0)
    full = beam_search(table, values, b, width=None)
    chain, fitted = fit_kits(lambda bb: beam_search(table, values, bb, width=None), b)
    assert chain.value >= full.value
    assert fitted.kits == min(b.kits, len(chain) + 1)
    replay = beam_search(table, values, fitted, width=None)  # the route fits the lighter ship
    assert replay.value >= chain.value
    _check_feasible(replay, table, fitted)


def test_greedy_resumed_from_a_state_continues_its_own_route() -> None:
    from sweepers.salvage.planner.search import SearchStart

    table = _table(11, n_targets=6)
    values = np.r_[0.0, np.arange(1.0, 7.0)]
    b = _budget(kits=5, propellant_kg=120.0)
    whole = greedy_nearest(table, values, b)
    assert len(whole) >= 2
    first = whole.nodes[0]
    state = SearchStart(first, whole.t_arrive_s[0], whole.propellant_left_kg[0],
                        whole.dv_km_s[0], 1, float(values[first]))
    rest = greedy_nearest(table, values, b, start=state)
    assert rest.nodes == whole.nodes[1:]
    assert rest.t_arrive_s == pytest.approx(whole.t_arrive_s[1:])


def test_best_greedy_is_never_worse_than_greedy_on_the_table_or_its_short_flights() -> None:
    from dataclasses import replace

    from sweepers.salvage.planner.plan import GREEDY_MAX_FLIGHT_DAYS, best_greedy, fit_kits

    # the second flight time made a month: the cut table keeps only the 2-day flights
    table = replace(_table(7, n_targets=6, slots=30), tofs_s=np.array([2 * DAY, 30 * DAY]))
    values = np.r_[0.0, np.arange(1.0, 7.0)]
    b = _budget(kits=5, propellant_kg=120.0, t_end_s=90 * DAY)
    best = best_greedy(table, values, b)
    short = table.flights_up_to(GREEDY_MAX_FLIGHT_DAYS * DAY)
    assert short.tofs_s.tolist() == [2 * DAY]
    for tab in (table, short):
        assert best.value >= fit_kits(lambda bb, t=tab: greedy_nearest(t, values, bb), b)[0].value


def test_receding_horizon_swaps_in_a_better_or_the_only_fitting_continuation() -> None:
    """``_better``: after an exact leg the re-searched continuation replaces the rest of the
    route when it is worth more, or when the rest no longer fits the propellant left."""
    from sweepers.salvage.planner.plan import _better
    from sweepers.salvage.planner.search import SearchStart

    table = _table(11, n_targets=6)
    values = np.r_[0.0, np.arange(1.0, 7.0)]
    b = _budget(kits=5, propellant_kg=150.0)
    chain = beam_search(table, values, b, width=None)
    assert len(chain) >= 3
    # one leg flown exactly as the table said: the same search finds the same rest, kept
    state = SearchStart(chain.nodes[0], chain.t_arrive_s[0], chain.propellant_left_kg[0],
                        chain.dv_km_s[0], 1, float(values[chain.nodes[0]]), chain.nodes[:1])
    same = beam_search(table, values, b, width=None, start=state)
    assert same.value == pytest.approx(sum(values[n] for n in chain.nodes[1:]))
    assert not _better(same, chain, 1, state, b, values[1:])
    # the exact leg overdrew: the planned rest does not fit, anything that does is taken
    poor = SearchStart(state.node, state.t_arrive_s, 1.0, state.dv_km_s, 1, state.value,
                       state.visited)
    fresh = beam_search(table, values, b, width=None, start=poor)
    assert fresh.value < same.value
    assert _better(fresh, chain, 1, poor, b, values[1:]) == (len(fresh) > 0)
    # the exact leg came out cheaper: a continuation worth more replaces the rest
    rich = SearchStart(state.node, state.t_arrive_s, 150.0, 0.0, 1, state.value, state.visited)
    more = beam_search(table, values, b, width=None, start=rich)
    assert _better(more, chain, 1, rich, b, values[1:]) == (more.value > same.value + 1e-9)


def test_short_transfer_multi_start_picks_distinct_transfers() -> None:
    from sweepers.salvage.planner.legs import _distinct

    td = np.array([0.0, 0.1, 0.0, 2.0, 2.1]) * DAY
    tf = np.array([1.0, 1.0, 2.0, 1.0, 1.0]) * DAY
    # estimate order 0, 1, 2, 3, 4: 1 is 0's neighbour; 2 differs by a day of flight
    assert _distinct([0, 1, 2, 3, 4], td, tf, 3, (0.5 * DAY, 0.25 * DAY)) == [0, 2, 3]
    assert _distinct([1, 0, 4, 3], td, tf, 5, (0.5 * DAY, 0.25 * DAY)) == [1, 4]


def test_receding_horizon_knows_when_a_wait_legs_alignment_has_passed() -> None:
    """``_passed``: a wait leg whose alignment moment (the table's ``t_best_s``) is over before
    the ship is ready (arrival + stay) is out of date; a drift leg, or a wait leg still ahead
    of the ship, is not."""
    from sweepers.salvage.planner.plan import _passed
    from sweepers.salvage.planner.search import SearchStart

    table = _table(11, n_targets=6)
    values = np.r_[0.0, np.arange(1.0, 7.0)]
    b = _budget(kits=5, propellant_kg=150.0)
    chain = beam_search(table, values, b, width=None)
    assert len(chain) >= 3
    i, j = chain.nodes[0], chain.nodes[1]
    k, f = divmod(chain.slots[1], table.tofs_s.size)
    t_best = table.grid_s[k] + 0.5 * DAY  # the planes line up half a day into the slot
    table.t_best_s[i, j, k, f] = t_best
    state = SearchStart(i, chain.t_arrive_s[0], chain.propellant_left_kg[0], chain.dv_km_s[0],
                        1, float(values[i]), chain.nodes[:1])
    assert not _passed(chain, 0, SearchStart(), b, table)  # nothing flown yet
    for arrive, passed in ((chain.t_arrive_s[0], False),  # on time
                           (t_best - b.stay_s, False),  # ready at the alignment
                           (t_best - b.stay_s + 3600.0, True)):  # an hour too late
        late = replace(state, t_arrive_s=arrive)
        assert _passed(chain, 1, late, b, table) is passed
        table.strategy[i, j, k, f] = 1  # the same leg as a drift: never out of date
        assert not _passed(chain, 1, late, b, table)
        table.strategy[i, j, k, f] = 0
