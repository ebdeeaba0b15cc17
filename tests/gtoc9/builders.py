"""Build genuinely valid GTOC9 missions for the tests, and hand-edit them into invalid ones.

The valid three-debris mission 122 → 7 → 48 was found once by a coarse Lambert grid search over
departure epochs (5-minute steps) and times of flight (250 s steps) for the cheapest zero-revolution
arcs whose pericentre stays above 6700 km; the legs themselves are re-solved here under full J2 by
``sweepers.gtoc9.transfer.debris_leg`` (shooting), so nothing below is copied from a solver output.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.solution import Event, write_mission
from sweepers.gtoc9.transfer import Leg, debris_leg

CHAIN = (122, 7, 48)
LEG1_DEPARTURE = 23600.503472222223  # MJD2000
LEG1_TOF_S = 4250.0
LEG2_DEPARTURE = 23606.066550925927  # MJD2000, 5.51 days after the arrival at debris 7
LEG2_TOF_S = 3500.0
M0_KG = 2500.0


def burn(mass_kg: float, dv_m_s: np.ndarray | tuple[float, ...]) -> float:
    """Mass after an impulse (rocket equation, Isp 340 s) [kg]."""
    return mass_kg * math.exp(-float(np.linalg.norm(dv_m_s)) / rules.VE_M_S)


def chain_legs(debris: DebrisSet) -> list[Leg]:
    """The two J2 transfers 122 → 7 and 7 → 48."""
    return [
        debris_leg(debris, CHAIN[0], CHAIN[1], LEG1_DEPARTURE, LEG1_DEPARTURE + LEG1_TOF_S / 86400),
        debris_leg(debris, CHAIN[1], CHAIN[2], LEG2_DEPARTURE, LEG2_DEPARTURE + LEG2_TOF_S / 86400),
    ]


def mission_from_legs(legs: list[Leg], ids: tuple[int, ...], m0_kg: float = M0_KG) -> list[Event]:
    """Events of a mission: departure from ids[0] (implicit delivery), then per leg an arrival and,
    except for the last debris, a departure; masses by the rules (30 kg left during each stay)."""
    events: list[Event] = []
    mass = m0_kg - rules.M_DEORBIT_KG
    for k, leg in enumerate(legs):
        dep = leg.departure_state
        events.append(
            Event.from_arrays(
                leg.departure_mjd2000, dep[:3], dep[3:], mass, leg.dv_departure_m_s, ids[k]
            )
        )
        mass = burn(mass, leg.dv_departure_m_s)
        arr = leg.arrival_state
        events.append(
            Event.from_arrays(
                leg.arrival_mjd2000, arr[:3], arr[3:], mass, leg.dv_arrival_m_s, ids[k + 1]
            )
        )
        mass = burn(mass, leg.dv_arrival_m_s) - rules.M_DEORBIT_KG
    return events


def at_debris(
    debris: DebrisSet,
    debris_id: int,
    epoch_mjd2000: float,
    mass_kg: float,
    dv_m_s: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> Event:
    """An event whose state (before the impulse) is the debris' own."""
    r, v = debris.states(debris_id, epoch_mjd2000)
    return Event.from_arrays(epoch_mjd2000, r, v, mass_kg, dv_m_s, debris_id)


def edit(event: Event, **changes: object) -> Event:
    """A copy of ``event`` with some fields changed."""
    return dataclasses.replace(event, **changes)  # type: ignore[arg-type]


def write(folder: Path, name: str, events: list[Event], comment: str) -> Path:
    """Write one mission file (``comment`` goes on the first line(s), prefixed by ``#``)."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_mission(folder / name, events, comment)
