"""Build genuinely valid GTOC9 missions for the tests, and hand-edit them into invalid ones.

The valid three-debris mission 122 → 7 → 48 was found once by a coarse Lambert grid search over
departure epochs (5-minute steps) and times of flight (250 s steps) for the cheapest zero-revolution
arcs whose pericentre stays above 6700 km; the legs themselves are re-solved here under full J2 by
:func:`debris_leg` (a Lambert seed, then Newton shooting, both from ``sweepers.orbits`` in km with
GTOC9's constants from ``sweepers.gtoc9.problem``), so nothing below is copied from a solver
output.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import M_PER_KM, MU_KM3_S2, propagator
from sweepers.gtoc9.solution import Event, submission_events, write_mission

CHAIN = (122, 7, 48)
LEG1_DEPARTURE = 23600.503472222223  # MJD2000
LEG1_TOF_S = 4250.0
LEG2_DEPARTURE = 23606.066550925927  # MJD2000, 5.51 days after the arrival at debris 7
LEG2_TOF_S = 3500.0
M0_KG = 2500.0


@dataclasses.dataclass(frozen=True)
class Leg:
    """A two-impulse debris-to-debris transfer valid under GTOC9 J2 (m, m/s, MJD2000)."""

    departure_mjd2000: float
    arrival_mjd2000: float
    departure_state: np.ndarray
    """Debris state at departure (ship state before the first impulse) [m, m/s]."""
    dv_departure_m_s: np.ndarray
    arrival_state: np.ndarray
    """Ship state at arrival, before the second impulse [m, m/s]."""
    dv_arrival_m_s: np.ndarray

    @property
    def dv_total_m_s(self) -> float:
        """|Δv1| + |Δv2| [m/s]."""
        return float(np.linalg.norm(self.dv_departure_m_s) + np.linalg.norm(self.dv_arrival_m_s))


def debris_leg(
    debris: DebrisSet, from_id: int, to_id: int, departure_mjd2000: float, arrival_mjd2000: float
) -> Leg:
    """Rendezvous from debris ``from_id`` to ``to_id`` between the two epochs [MJD2000]: Lambert
    seed, then J2 shooting to 0.1 mm; the arrival impulse matches the target debris velocity."""
    from sweepers.orbits.j2 import shoot
    from sweepers.orbits.lambert import lambert

    tof_s = (arrival_mjd2000 - departure_mjd2000) * rules.DAY_S
    r1, v1_deb = debris.states_km(from_id, departure_mjd2000)
    r2, v2_deb = debris.states_km(to_id, arrival_mjd2000)
    seed = lambert(r1, r2, tof_s, MU_KM3_S2, h_ref=np.cross(r1, v1_deb))
    assert seed.valid[0, 0]
    v1, r_end, v_end = shoot(propagator(), r1, seed.v1_km_s[0, 0], r2, tof_s, tol_km=1e-7)
    r1, v1_deb, v2_deb, v1 = (x * M_PER_KM for x in (r1, v1_deb, v2_deb, v1))
    arrival = np.concatenate([r_end, v_end]) * M_PER_KM
    return Leg(
        departure_mjd2000,
        arrival_mjd2000,
        np.concatenate([r1, v1_deb]),
        v1 - v1_deb,
        arrival,
        v2_deb - arrival[3:],
    )


def burn(mass_kg: float, dv_m_s: np.ndarray | tuple[float, ...]) -> float:
    """Mass after an impulse (rocket equation, Isp 340 s) [kg]."""
    return mass_kg * math.exp(-float(np.linalg.norm(dv_m_s)) / rules.VE_M_S)


def chain_legs(debris: DebrisSet) -> list[Leg]:
    """The two J2 transfers 122 → 7 and 7 → 48."""
    return [
        debris_leg(debris, CHAIN[0], CHAIN[1], LEG1_DEPARTURE, LEG1_DEPARTURE + LEG1_TOF_S / 86400),
        debris_leg(debris, CHAIN[1], CHAIN[2], LEG2_DEPARTURE, LEG2_DEPARTURE + LEG2_TOF_S / 86400),
    ]


def open_chain(legs: list[Leg], ids: tuple[int, ...], m0_kg: float = M0_KG) -> list[Event]:
    """The open chain of a mission (the former file layout): departure from ids[0], then per leg
    an arrival and, except for the last debris, a departure; masses by the rules (30 kg left at
    each departure line, the first one included)."""
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


def mission_from_legs(
    legs: list[Leg], ids: tuple[int, ...], debris: DebrisSet, m0_kg: float = M0_KG
) -> list[Event]:
    """Events of a mission in the submission structure: the delivery at ids[0] 5 days before the
    first departure, then the open chain, then the end of the stay at ids[-1] 5 days after the
    last arrival (``solution.submission_events``)."""
    return submission_events(open_chain(legs, ids, m0_kg), debris)


def solo(debris: DebrisSet, debris_id: int, t_s: float, m0_kg: float = 2030.0) -> list[Event]:
    """A one-debris mission: delivery at ``t_s`` [MJD2000] with mass m0, departure 5 days later
    with m0 − 30 kg; no impulse."""
    return [
        at_debris(debris, debris_id, t_s, m0_kg),
        at_debris(debris, debris_id, t_s + rules.STAY_MIN_DAYS, m0_kg - rules.M_DEORBIT_KG),
    ]


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


def rebook(events: list[Event], start: int) -> list[Event]:
    """Masses from event ``start`` on recomputed by the rules (after an edit of an impulse):
    the rocket equation, and 30 kg less from an arrival to its departure line."""
    out = list(events)
    for k in range(start, len(out)):
        prev, cur = out[k - 1], out[k]
        stay = not prev.is_dsm and prev.debris_id == cur.debris_id
        mass = burn(prev.mass_kg, prev.dv()) - (rules.M_DEORBIT_KG if stay else 0.0)
        out[k] = edit(cur, mass_kg=mass)
    return out


def edit(event: Event, **changes: object) -> Event:
    """A copy of ``event`` with some fields changed."""
    return dataclasses.replace(event, **changes)  # type: ignore[arg-type]


def write(folder: Path, name: str, events: list[Event], comment: str | None = None) -> Path:
    """Write one mission file (``comment``, if any, goes on the first line(s), prefixed by
    ``#``; the reader skips it, so event k is then on line k + 2)."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_mission(folder / name, events, comment)
