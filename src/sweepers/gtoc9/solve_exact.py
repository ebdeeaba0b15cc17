"""Exact stage of the GTOC9 solver, GTOC9's side: solved legs → mission events, checkpoints and
the propellant rule.

The legs themselves are the planning engine's (``sweepers.salvage.engine.exact_legs`` and
``exact_variants``, km, km/s, s), solved on the debris through ``problem.debris_legs``. Here
they become what GTOC9 speaks: event lines in m, m/s, MJD2000 with the masses of the rocket
equation (Isp 340 s) and a 30 kg de-orbit package left at each debris, and the checkpoint
encoding of a leg (m, m/s, MJD2000, unchanged since the legs were first checkpointed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import CAMPAIGN_RULES, M_PER_KM, mjd2000_to_s, s_to_mjd2000
from sweepers.gtoc9.solution import DSM_ID, Event
from sweepers.salvage.engine.exact_legs import Dsm, SolvedLeg
from sweepers.salvage.engine.search import MissionChain


def day_to_mjd2000(day: float) -> float:
    """Grid day index → epoch [MJD2000]."""
    return rules.WINDOW_START_MJD2000 + day


GRID_EPS_DAY = 1e-6
"""Epochs within this many days of a grid day are that day (:func:`grid_day`)."""


def grid_day(epoch_mjd2000: float, up: bool) -> int:
    """The grid day of an epoch [MJD2000], rounded up (an arrival: the plan's arrival day bounds
    it from above) or down (a departure); epochs within :data:`GRID_EPS_DAY` of a day are that
    day."""
    x = epoch_mjd2000 - rules.WINDOW_START_MJD2000
    if abs(x - round(x)) < GRID_EPS_DAY:
        return round(x)
    return math.ceil(x) if up else math.floor(x)


def solo_events(debris: DebrisSet, chain: MissionChain) -> list[Event]:
    """The open chain of a one-debris mission: the end of the stay at the debris, no impulse
    (``solution.submission_events`` adds the delivery 5 days before)."""
    assert chain.solo is not None
    debris_id, day = chain.solo
    t = day_to_mjd2000(day)
    r, v = debris.states(debris_id, t)
    return [Event.from_arrays(t, r, v, rules.M_DRY_KG, (0.0, 0.0, 0.0), debris_id)]


def _mjd(t_s: float) -> float:
    return float(s_to_mjd2000(t_s))


def leg_to_dict(leg: SolvedLeg) -> dict[str, Any]:
    """JSON-ready form of a solved leg (checkpoints; m, m/s, MJD2000)."""
    m = M_PER_KM
    return {
        "from_id": leg.from_id,
        "to_id": leg.to_id,
        "t0": _mjd(leg.departure_s),
        "t1": _mjd(leg.arrival_s),
        "dep_state": (leg.departure_state * m).tolist(),
        "dv_dep": (leg.dv_departure_km_s * m).tolist(),
        "dsms": [
            {"t": _mjd(d.epoch_s), "state": (d.state_before * m).tolist(),
             "dv": (d.dv_km_s * m).tolist()}
            for d in leg.dsms
        ],
        "arr_state": (leg.arrival_state * m).tolist(),
        "dv_arr": (leg.dv_arrival_km_s * m).tolist(),
    }


def leg_from_dict(data: dict[str, Any]) -> SolvedLeg:
    """Inverse of :func:`leg_to_dict`."""

    def km(key: Any) -> NDArray[np.float64]:
        return np.asarray(key, dtype=float) / M_PER_KM

    return SolvedLeg(
        int(data["from_id"]),
        int(data["to_id"]),
        float(mjd2000_to_s(data["t0"])),
        float(mjd2000_to_s(data["t1"])),
        km(data["dep_state"]),
        km(data["dv_dep"]),
        tuple(Dsm(float(mjd2000_to_s(d["t"])), km(d["state"]), km(d["dv"])) for d in data["dsms"]),
        km(data["arr_state"]),
        km(data["dv_arr"]),
    )


def launch_mass_kg(legs: Sequence[SolvedLeg]) -> float:
    """m0 [kg] that ends the mission exactly at m_dry after the last package (the rocket
    equation backwards, ``CAMPAIGN_RULES.launch_mass_kg``)."""
    return CAMPAIGN_RULES.launch_mass_kg([leg.dv_total_km_s * M_PER_KM for leg in legs])


def propellant_ok(legs: Sequence[SolvedLeg]) -> bool:
    """m0 − m_dry − 30·N ≤ 5000 kg for the mission made of ``legs``."""
    return CAMPAIGN_RULES.propellant_ok(launch_mass_kg(legs), len(legs) + 1)


def burn_kg(mass_kg: float, dv_km_s: NDArray[np.float64]) -> float:
    """Mass after an impulse ``dv_km_s`` [km/s] (rocket equation, Isp 340 s) [kg]."""
    return mass_kg * math.exp(-float(np.linalg.norm(dv_km_s)) * M_PER_KM / rules.VE_M_S)


def _event(t_s: float, state: NDArray[np.float64], mass: float, dv_km_s: NDArray[np.float64],
           debris_id: int) -> Event:
    m = M_PER_KM
    return Event.from_arrays(_mjd(t_s), state[:3] * m, state[3:] * m, mass, dv_km_s * m, debris_id)


def mission_events(legs: list[SolvedLeg]) -> list[Event]:
    """Events of a mission as an open chain: departure from the first debris, then per leg its
    DSMs, an arrival and, except at the last debris, a departure; masses forward from
    :func:`launch_mass_kg` so the ship ends at exactly m_dry. ``solution.submission_events`` adds
    the delivery and the end of the last stay (the file structure)."""
    events: list[Event] = []
    mass = launch_mass_kg(legs) - rules.M_DEORBIT_KG
    for leg in legs:
        events.append(
            _event(leg.departure_s, leg.departure_state, mass, leg.dv_departure_km_s, leg.from_id)
        )
        mass = burn_kg(mass, leg.dv_departure_km_s)
        for dsm in leg.dsms:
            events.append(_event(dsm.epoch_s, dsm.state_before, mass, dsm.dv_km_s, DSM_ID))
            mass = burn_kg(mass, dsm.dv_km_s)
        events.append(
            _event(leg.arrival_s, leg.arrival_state, mass, leg.dv_arrival_km_s, leg.to_id)
        )
        mass = burn_kg(mass, leg.dv_arrival_km_s) - rules.M_DEORBIT_KG
    return events
