"""Who can be visited: the start node and the candidate targets, with their ephemerides and
values, on one time scale. Units: km, km/s, s, rad.

Time scale: seconds since MJD2000 (2000-01-01T00:00:00 UTC), counting 86,400 s per UTC day (leap
seconds ignored — the GTOC9 convention; the epochs written out are UTC).

Target motion. GTOC9 debris move by their official ephemeris (Kepler + J2 secular,
:class:`~sweepers.orbits.kepler.SecularJ2Ephemeris`). Catalogued objects move by the same
secular-J2 model built from their SGP4 mean elements: a from the Kozai mean motion
(a = (μ/n²)^⅓, M advancing at n), e, i, Ω, ω, M at the element-set epoch, Ω and ω drifting at the
first-order J2 rates, no drag. Against SGP4 this drops the short-period J2 terms (~10 km in
position at LEO) and drag (along-track error growing like t², tens of km over a month for
high-drag objects): fine for planning who to visit when, not for the last metre; a real
rendezvous would re-target on fresh element sets days before arrival. Elements are TEME of their
epoch, taken as inertial with z along the Earth's axis (TEME's pole is the true pole of date,
moving ~20″/yr; negligible here).

Node 0 is the ship's start (its start orbit, or — ``free_start`` — a launch straight to the
first target, as GTOC9 ships are); nodes 1..n are the candidates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.epochs import DAY_S, seconds_since_mjd2000
from sweepers.orbits.constants import MU_EARTH_KM3_S2, R_EARTH_KM
from sweepers.orbits.kepler import SecularJ2Ephemeris
from sweepers.records import ElementSet
from sweepers.salvage.planner.ship import Ship
from sweepers.salvage.value import ScoredObject, rank_targets


def ephemeris_from_elsets(elsets: Sequence[ElementSet]) -> SecularJ2Ephemeris:
    """Secular-J2 ephemeris of catalogued objects from their mean elements (module docstring);
    epochs in seconds since MJD2000."""
    n_rad_s = np.array([e.mean_motion_rev_day for e in elsets]) * 2 * np.pi / DAY_S
    return SecularJ2Ephemeris.from_arrays(
        (MU_EARTH_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0),
        [e.eccentricity for e in elsets],
        np.radians([e.inclination_deg for e in elsets]),
        np.radians([e.raan_deg for e in elsets]),
        np.radians([e.arg_pericenter_deg for e in elsets]),
        np.radians([e.mean_anomaly_deg for e in elsets]),
        [seconds_since_mjd2000(e.epoch) for e in elsets],
    )


def concat(ephs: Sequence[SecularJ2Ephemeris]) -> SecularJ2Ephemeris:
    """One ephemeris holding the objects of several (same constants), in order."""
    def arrays(e: SecularJ2Ephemeris) -> list[NDArray[np.float64]]:
        return [a.ravel() for a in np.broadcast_arrays(e.a_km, e.e, e.i_rad, e.raan_rad,
                                                       e.argp_rad, e.m_rad, e.epoch_s)]

    parts = [arrays(e) for e in ephs]
    fields = [np.concatenate([p[k] for p in parts]) for k in range(7)]
    return SecularJ2Ephemeris(*fields)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Candidates:
    """The nodes of a planning problem.

    ``ephemeris`` has ``1 + n`` objects: node 0 the start, nodes 1..n the targets. ``ids`` and
    ``names`` label the targets (n), ``values`` their worth in ``value_unit`` (``"k$"``: salvage
    value of catalogued objects; ``"debris"``: 1 per object, GTOC9), ``masses_kg`` their masses
    (for the report). ``free_start``: node 0 costs nothing to leave (launch straight to the
    first target). ``t_start_s`` / ``t_end_s`` the window [s since MJD2000].
    """

    ephemeris: SecularJ2Ephemeris
    ids: tuple[str, ...]
    names: tuple[str, ...]
    values: NDArray[np.float64]
    masses_kg: NDArray[np.float64]
    t_start_s: float
    t_end_s: float
    free_start: bool = False
    value_unit: str = "k$"

    @property
    def n_targets(self) -> int:
        """Number of candidate targets (nodes 1..n)."""
        return len(self.ids)


def start_ephemeris(ship: Ship, t_start_s: float, raan_rad: float) -> SecularJ2Ephemeris:
    """The ship's start orbit (elements at ``t_start_s``; ``raan_rad`` used when the ship's own
    is unset) as a one-object secular-J2 ephemeris."""
    o = ship.orbit
    raan = o.raan_rad if o.raan_rad is not None else raan_rad
    return SecularJ2Ephemeris.from_arrays([o.a_km], [o.e], [o.inclination_rad], [raan],
                                          [o.argp_rad], [o.m_rad], [t_start_s])


def make_candidates(ship: Ship, targets: SecularJ2Ephemeris, ids: Sequence[str],
                    names: Sequence[str], values: ArrayLike, masses_kg: ArrayLike,
                    t_start_s: float, *, start: SecularJ2Ephemeris | None = None,
                    free_start: bool = False, value_unit: str = "k$") -> Candidates:
    """Assemble the nodes: ``start`` (default: the ship's start orbit, launched into the plane
    of the most valuable target when its node is unset), then ``targets``; ``values`` are in
    ``value_unit`` (:class:`Candidates`)."""
    values = np.asarray(values, float)
    if start is None:
        best = int(np.argmax(values))
        raan0 = float(targets.take([best]).elements_at(t_start_s).raan_rad[0])
        start = start_ephemeris(ship, t_start_s, raan0)
    return Candidates(concat([start, targets]), tuple(ids), tuple(names), values,
                      np.asarray(masses_kg, float), t_start_s, t_start_s + ship.duration_s,
                      free_start, value_unit)


class NoCandidatesError(ValueError):
    """No candidate targets near the start orbit (or an unknown id was asked for)."""


def candidates_in_reach(ship: Ship, by_id: Mapping[int, ElementSet],
                        scored: Mapping[int, ScoredObject], *, top: int = 30,
                        start_id: int | None = None, wanted: Sequence[int] | None = None,
                        alt_margin_km: float = 250.0, inc_margin_deg: float = 3.0
                        ) -> Candidates:
    """The default planning problem of ``ship``: the ``top`` most valuable objects whose orbits
    lie within ``alt_margin_km`` of altitude and ``inc_margin_deg`` of inclination of the start
    orbit (or the ``wanted`` ids), starting on the ship's orbit (or co-located with catalogued
    object ``start_id``). ``by_id``: latest element set per catalog number; ``scored``: their
    salvage scores. The window starts at ``ship.start``, else at the newest element-set epoch
    among the candidates. Raises :class:`NoCandidatesError` when there is nothing to plan."""
    start_eph = None
    if start_id is not None:
        if start_id not in by_id or start_id not in scored:
            raise NoCandidatesError(f"--from {start_id}: no element set in the store")
        start_eph = ephemeris_from_elsets([by_id[start_id]])
        s0 = scored[start_id]
        alt, inc = (s0.perigee_km, s0.apogee_km), s0.inclination_deg
    else:
        alt_km = ship.orbit.a_km - R_EARTH_KM
        alt, inc = (alt_km, alt_km), math.degrees(ship.orbit.inclination_rad)
    if wanted is not None:
        missing = [i for i in wanted if i not in by_id or i not in scored]
        if missing:
            raise NoCandidatesError(f"--candidates: no element set for {missing}")
        chosen = [scored[i] for i in wanted if i != start_id]
    else:
        chosen = [s for s in rank_targets(scored.values(), by="value",
                                          alt_km=(alt[0] - alt_margin_km, alt[1] + alt_margin_km),
                                          inc_deg=(inc - inc_margin_deg, inc + inc_margin_deg),
                                          top=top + 1)
                  if s.norad_id != start_id][:top]
    if not chosen:
        raise NoCandidatesError("no candidate targets near the start orbit (try --candidates)")
    t0 = seconds_since_mjd2000(ship.start) if ship.start else max(
        seconds_since_mjd2000(by_id[s.norad_id].epoch) for s in chosen)
    return make_candidates(
        ship, ephemeris_from_elsets([by_id[s.norad_id] for s in chosen]),
        [str(s.norad_id) for s in chosen], [s.name or str(s.norad_id) for s in chosen],
        [s.value_kusd for s in chosen], [s.mass_kg for s in chosen], t0, start=start_eph)
