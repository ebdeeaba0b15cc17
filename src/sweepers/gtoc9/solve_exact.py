"""Exact stage of the GTOC9 solver: planned chains → J2-valid legs → mission files.

Each planned leg is an independent task (:func:`solve_planned_leg`, a pure function of the
debris set and the leg), so the legs of a campaign can run on any executor. A leg is tried in
many variants — the plane-change modes (``"mix"`` where its estimate pays), the departure up to
0.8 day later and the arrival up to 0.8 day earlier (:data:`SHIFTS_DAYS`), the cheapest of those
again with ±1, ±2 phasing revolutions (:data:`WRAPS`) — and the cheapest converged one is kept;
the grid margins of the search (one day on the 30-day rule and between missions) absorb the
shifts, so the rules still hold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import TransferError
from sweepers.gtoc9.solution import Event
from sweepers.gtoc9.solve_legs import Dsm, LegPlan, SolvedLeg, exact_leg, split_plane_change
from sweepers.orbits.j2 import PropagationError
from sweepers.salvage.engine.search import MissionChain, PlannedLeg

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
2026-11-24 campaign these 11 shifts gave J 984.08 MEUR where the first three gave 1001.29."""
RETRY_SHIFTS_DAYS = ((0.1, 0.0), (0.0, -0.1), (0.5, 0.0), (0.0, -0.5), (0.2, -0.2), (0.7, 0.0))
"""Further shifts tried only when none of :data:`SHIFTS_DAYS` converges (each ≤ 0.9 day, inside
the one-day margin of the search)."""
WRAP_RETRIES = 4
"""The cheapest variants of a leg are flown again with up to two phasing revolutions more and
less (on the chains of the 2026-11-24 campaign: 3 variants × ±1 → J 974.28 from 983.45; 4 × ±1,
±2 → 969.49, 20 % more solver time)."""
WRAPS = (-2, -1, 1, 2)
"""Phasing revolutions added (``LegPlan.phase_wraps``) in those retries."""
MIX_GAIN_M_S = 2.0
"""The split plane change (``"mix"``) is tried when its estimate beats both one-end modes by
more than this [m/s]."""


def day_to_mjd2000(day: float) -> float:
    """Grid day index → epoch [MJD2000]."""
    return rules.WINDOW_START_MJD2000 + day


def solve_planned_leg(debris: DebrisSet, leg: PlannedLeg, mix: bool = True) -> SolvedLeg | None:
    """The cheapest converged variant of a planned leg, or None if none converges; ``mix``
    also tries the plane change split between both ends where the estimate says it pays."""
    best = _best_variant(debris, leg, SHIFTS_DAYS, mix)
    return best if best is not None else _best_variant(debris, leg, RETRY_SHIFTS_DAYS, mix)


def _best_variant(
    debris: DebrisSet, leg: PlannedLeg, shifts: Sequence[tuple[float, float]], mix: bool = True
) -> SolvedLeg | None:
    tried: list[tuple[float, LegPlan, SolvedLeg]] = []
    for s_dep, s_arr in shifts:
        t0 = day_to_mjd2000(leg.departure_day) + s_dep
        t1 = day_to_mjd2000(leg.arrival_day) + s_arr
        if t1 - t0 < 1.0:
            continue
        plans = [LegPlan(leg.from_id, leg.to_id, t0, t1, mode) for mode in ("dep", "arr")]
        if mix:
            split = split_plane_change(debris, leg.from_id, leg.to_id, t0, t1)
            if split.dv_split_m_s < min(split.dv_dep_m_s, split.dv_arr_m_s) - MIX_GAIN_M_S:
                plans.append(
                    LegPlan(leg.from_id, leg.to_id, t0, t1, "mix", split.arrival_offset_rad)
                )
        tried += _solved(debris, plans)
    if not tried:
        return None
    tried.sort(key=lambda t: t[0])
    wrapped = [replace(p, phase_wraps=w) for _, p, _ in tried[:WRAP_RETRIES] for w in WRAPS]
    return min(tried + _solved(debris, wrapped), key=lambda t: t[0])[2]


def _solved(debris: DebrisSet, plans: Sequence[LegPlan]) -> list[tuple[float, LegPlan, SolvedLeg]]:
    """(Δv, plan, leg) of every plan that converges."""
    out: list[tuple[float, LegPlan, SolvedLeg]] = []
    for plan in plans:
        try:
            solved = exact_leg(debris, plan)
        except (TransferError, PropagationError, ValueError, np.linalg.LinAlgError):
            continue
        out.append((solved.dv_total_m_s, plan, solved))
    return out


def solo_events(debris: DebrisSet, chain: MissionChain) -> list[Event]:
    """The open chain of a one-debris mission: the end of the stay at the debris, no impulse
    (``solution.submission_events`` adds the delivery 5 days before)."""
    assert chain.solo is not None
    debris_id, day = chain.solo
    t = day_to_mjd2000(day)
    r, v = debris.states(debris_id, t)
    return [Event.from_arrays(t, r, v, rules.M_DRY_KG, (0.0, 0.0, 0.0), debris_id)]


def leg_to_dict(leg: SolvedLeg) -> dict[str, Any]:
    """JSON-ready form of a solved leg (checkpoints)."""
    return {
        "from_id": leg.from_id,
        "to_id": leg.to_id,
        "t0": leg.departure_mjd2000,
        "t1": leg.arrival_mjd2000,
        "dep_state": leg.departure_state.tolist(),
        "dv_dep": leg.dv_departure_m_s.tolist(),
        "dsms": [
            {"t": d.epoch_mjd2000, "state": d.state_before.tolist(), "dv": d.dv_m_s.tolist()}
            for d in leg.dsms
        ],
        "arr_state": leg.arrival_state.tolist(),
        "dv_arr": leg.dv_arrival_m_s.tolist(),
    }


def leg_from_dict(data: dict[str, Any]) -> SolvedLeg:
    """Inverse of :func:`leg_to_dict`."""
    arr = np.asarray
    return SolvedLeg(
        int(data["from_id"]),
        int(data["to_id"]),
        float(data["t0"]),
        float(data["t1"]),
        arr(data["dep_state"], dtype=float),
        arr(data["dv_dep"], dtype=float),
        tuple(Dsm(float(d["t"]), arr(d["state"]), arr(d["dv"])) for d in data["dsms"]),
        arr(data["arr_state"], dtype=float),
        arr(data["dv_arr"], dtype=float),
    )


def propellant_ok(legs: Sequence[SolvedLeg]) -> bool:
    """m0 − m_dry − 30·N ≤ 5000 kg for the mission made of ``legs``."""
    from sweepers.gtoc9.solve_legs import launch_mass_kg

    n = len(legs) + 1
    m0 = launch_mass_kg(list(legs))
    return m0 - rules.M_DRY_KG - rules.M_DEORBIT_KG * n <= rules.M_PROPELLANT_MAX_KG + 1e-9


def mission_dv_m_s(legs: Sequence[SolvedLeg]) -> float:
    """Total Δv of a mission [m/s]."""
    return float(math.fsum(leg.dv_total_m_s for leg in legs))
