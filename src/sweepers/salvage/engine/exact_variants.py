"""Variants of a planned leg: the exact leg of a chain's planned leg, at its best over many
small changes of its epochs, plane-change mode and phasing.

Each planned leg is an independent task (:func:`solve_planned_leg`, a pure function of the
problem and the leg), so the legs of a campaign can run on any executor. A leg is tried in
many variants — the plane-change modes (``"mix"`` where its estimate pays), the departure up to
0.8 day later and the arrival up to 0.8 day earlier (:data:`SHIFTS_DAYS`), the cheapest of those
again with ±1, ±2 phasing revolutions (:data:`WRAPS`) — and the cheapest converged one is kept;
the grid margins of the search (GTOC9: one day on the 30-day rule and between missions) absorb
the shifts, so the rules still hold. Units: km/s, s; shifts in days of 86,400 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from sweepers.epochs import DAY_S
from sweepers.orbits.j2 import PropagationError
from sweepers.salvage.engine.exact_legs import (
    ExactLegError,
    LegPlan,
    LegProblem,
    SolvedLeg,
    exact_leg,
    split_plane_change,
)
from sweepers.salvage.engine.search import PlannedLeg

SHIFTS_DAYS = (
    (0.0, 0.0),
    (0.4, 0.0),
    (0.0, -0.4),
    (0.2, 0.0),
    (0.0, -0.2),
    (0.6, 0.0),
    (0.0, -0.6),
    (0.3, -0.3),
    (0.8, 0.0),
    (0.4, -0.4),
    (0.0, -0.8),
)
"""(departure, arrival) shifts tried for each leg [days]: departures only later, arrivals only
earlier, so stays only lengthen and an arrival-to-arrival interval grows by ≤ 0.8 day (+ one
orbital period for the node crossing) over the search's 29 days. The radius mismatch at arrival
that the deep-space manoeuvre pays for changes with the epochs: on the 107 legs of the
2026-11-24 GTOC9 campaign these 11 shifts gave J 984.08 MEUR where the first three gave 1001.29."""
RETRY_SHIFTS_DAYS = ((0.1, 0.0), (0.0, -0.1), (0.5, 0.0), (0.0, -0.5), (0.2, -0.2), (0.7, 0.0))
"""Further shifts tried only when none of :data:`SHIFTS_DAYS` converges (each ≤ 0.9 day, inside
the one-day margin of the search)."""
WRAP_RETRIES = 4
"""The cheapest variants of a leg are flown again with up to two phasing revolutions more and
less (on the chains of the 2026-11-24 GTOC9 campaign: 3 variants × ±1 → J 974.28 from 983.45;
4 × ±1, ±2 → 969.49, 20 % more solver time)."""
WRAPS = (-2, -1, 1, 2)
"""Phasing revolutions added (``LegPlan.phase_wraps``) in those retries."""
MIX_GAIN_KM_S = 2e-3
"""The split plane change (``"mix"``) is tried when its estimate beats both one-end modes by
more than this [km/s]."""
MIN_COAST_S = DAY_S
"""Shifted variants shorter than this are not tried [s]."""


def solve_planned_leg(problem: LegProblem, leg: PlannedLeg, mix: bool = True) -> SolvedLeg | None:
    """The cheapest converged variant of a planned leg (grid days through
    ``problem.grid_epoch_s``), or None if none converges; ``mix`` also tries the plane change
    split between both ends where the estimate says it pays."""
    best = _best_variant(problem, leg, SHIFTS_DAYS, mix)
    return best if best is not None else _best_variant(problem, leg, RETRY_SHIFTS_DAYS, mix)


def _best_variant(
    problem: LegProblem, leg: PlannedLeg, shifts: Sequence[tuple[float, float]], mix: bool = True
) -> SolvedLeg | None:
    tried: list[tuple[float, LegPlan, SolvedLeg]] = []
    for s_dep, s_arr in shifts:
        t0 = problem.grid_epoch_s(leg.departure_day + s_dep)
        t1 = problem.grid_epoch_s(leg.arrival_day + s_arr)
        if t1 - t0 < MIN_COAST_S:
            continue
        plans = [LegPlan(leg.from_id, leg.to_id, t0, t1, mode) for mode in ("dep", "arr")]
        if mix:
            split = split_plane_change(problem, leg.from_id, leg.to_id, t0, t1)
            if split.dv_split_km_s < min(split.dv_dep_km_s, split.dv_arr_km_s) - MIX_GAIN_KM_S:
                plans.append(
                    LegPlan(leg.from_id, leg.to_id, t0, t1, "mix", split.arrival_offset_rad)
                )
        tried += _solved(problem, plans)
    if not tried:
        return None
    tried.sort(key=lambda t: t[0])
    wrapped = [replace(p, phase_wraps=w) for _, p, _ in tried[:WRAP_RETRIES] for w in WRAPS]
    return min(tried + _solved(problem, wrapped), key=lambda t: t[0])[2]


def _solved(
    problem: LegProblem, plans: Sequence[LegPlan]
) -> list[tuple[float, LegPlan, SolvedLeg]]:
    """(Δv [km/s], plan, leg) of every plan that converges."""
    out: list[tuple[float, LegPlan, SolvedLeg]] = []
    for plan in plans:
        try:
            solved = exact_leg(problem, plan)
        except (ExactLegError, PropagationError, ValueError, np.linalg.LinAlgError):
            continue
        out.append((solved.dv_total_km_s, plan, solved))
    return out
