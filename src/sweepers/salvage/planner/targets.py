"""Who can be visited: the start node and the candidate targets, with their ephemerides and
values, on one time scale. Units: km, km/s, s, rad.

Time scale: seconds since MJD2000 (2000-01-01T00:00:00 UTC), counting 86,400 s per UTC day (leap
seconds ignored — the GTOC9 convention; the epochs written out are UTC).

Target motion. GTOC9 debris move by their official ephemeris (Kepler + J2 secular,
:class:`~sweepers.orbits.kepler.SecularJ2Ephemeris`). Catalogued objects
(:class:`CatalogEphemeris`) have two views of one motion:

* their *states* come from SGP4 on their element sets (TEME, taken as inertial with z along
  the Earth's axis — TEME's pole is the true pole of date, moving ~20″/yr; negligible here):
  the catalog's own prediction of where the object is, short-period J2 terms and drag
  included. A ship that matches such a state and coasts under full J2 stays within 3–6 km a
  day of the object (SL-8 R/B near 74°, 2026-12-07: J3/J4 and second-order terms SGP4 has
  and the ship's J2 field lacks — an along-track drift closed for a fraction of a m/s);
* their *mean elements* (``elements_at``, ``rates``: what the cost table prices) are SGP4's
  Brouwer mean elements: a from the un-Kozai'd mean motion n'' (a = (μ/n''²)^⅓), e, i, Ω,
  ω, M at the element-set epoch, Ω, ω and M advancing as SGP4's own mean elements do (its
  secular rates — J2, J2², J4 — and a fit of its drag terms, :func:`_sgp4_rates`).

Why not the Keplerian conversion of the mean elements as the state (the GTOC9 convention, used
here before 2026-12-07): it drops the short-period J2 terms, so the state is not on any
full-J2 trajectory — a ship matching it and coasting under full J2 separates from the model
by ~1,000 km a day (its osculating a is the mean a, off the real mean a by up to
(3/2) J2 R²/a sin² i ≈ 9 km), and every exact leg paid 5–9 m/s to leave from and arrive at
such states (the self-rendezvous floor, SL-8 74°, 2026-12-07); the Kozai a with Ṁ = n also ran
2.6°/day ahead of SGP4 along track. Drag is SGP4's own (its B*); a real rendezvous would still
re-target on fresh element sets days before arrival.

Node 0 is the ship's start (its start orbit, or — ``free_start`` — a launch straight to the
first target, as GTOC9 ships are); nodes 1..n are the candidates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sgp4.api import Satrec

from sweepers.epochs import DAY_S, JD_MJD2000, MJD2000_UTC, seconds_since_mjd2000
from sweepers.orbits import sgp4_batch
from sweepers.orbits.constants import MU_EARTH_KM3_S2, R_EARTH_KM
from sweepers.orbits.kepler import KeplerElements, SecularJ2Ephemeris, true_from_mean
from sweepers.orbits.sgp4_batch import Sgp4Status
from sweepers.orbits.sgp4_init import build_satrecs, element_array
from sweepers.records import ElementSet
from sweepers.salvage.planner.ship import Ship
from sweepers.salvage.value import ScoredObject, rank_targets

Array = NDArray[np.float64]


@lru_cache(maxsize=4096)
def _satrec(row: bytes) -> Satrec:
    """The initialised ``Satrec`` of one :func:`element_array` row (its bytes), built once."""
    return build_satrecs(np.frombuffer(row, dtype=np.float64)[None, :])[0]


RATE_COLUMNS = 6  # Ω̇, ω̇, Ṁ [rad/s], then their t² coefficients [rad/s²]
FIT_DAYS = ((90.0, 365.0), (10.0, 30.0))  # sample days of the fit, then for short-lived orbits


def _sgp4_rates(sat: Satrec) -> tuple[float, ...]:
    """SGP4's mean motion of one object's node, argument of perigee and mean anomaly as
    X(t) = X₀ + (Ẋ + p) t + q t² (t from the element-set epoch): Ẋ its secular rates, p and q
    fitted to SGP4's own singly-averaged mean elements (``Om``, ``om``, ``mm`` after a
    propagation) at the two days of :data:`FIT_DAYS` — drag's terms (the node's and the mean
    anomaly's t² from the decaying a, the perigee's t-linear ``omgcof``), which on a year-long
    plan move the node by ~0.2° and the along-track angle by up to tens of degrees for these
    rocket bodies. Returns (Ẋ + p) [rad/s] for Ω, ω, M, then q [rad/s²] for each; q = p = 0
    when SGP4 fails at both pairs of days (a decayed orbit)."""
    base = np.array([sat.nodedot, sat.argpdot, sat.mdot])  # rad/min
    start = np.array([sat.nodeo, sat.argpo, sat.mo])
    for days in FIT_DAYS:
        extra = []
        for d in days:
            sat.sgp4(sat.jdsatepoch + d, sat.jdsatepochF)
            if sat.error != 0:
                break
            t = d * 1440.0
            got = np.array([sat.Om, sat.om, sat.mm])
            extra.append((got - start - base * t + np.pi) % (2 * np.pi) - np.pi)
        if len(extra) == 2:
            t1, t2 = (d * 1440.0 for d in days)
            pq = np.linalg.solve(np.array([[t1, t1 * t1], [t2, t2 * t2]]), np.vstack(extra))
            return (*((base + pq[0]) / 60.0), *(pq[1] / 3600.0))
    return (*(base / 60.0), 0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class CatalogEphemeris(SecularJ2Ephemeris):
    """Catalogued objects: mean elements for the cost table, SGP4 states (module docstring).

    ``sgp4_rows``: one :func:`~sweepers.orbits.sgp4_init.element_array` row per object, in the
    objects' (broadcast) shape plus the row axis, and ``sgp4_rates`` their SGP4 secular rates
    (Ω̇, ω̇, Ṁ) [rad/s] and drag terms [rad/s²] (:func:`_sgp4_rates`), same layout. A row of
    NaN marks an object with no element set (the ship's start orbit after :func:`concat`),
    whose state is the Keplerian conversion of its secular elements. Where SGP4 reports an
    error (a decayed object), the state is also the secular one — planning does not stop on
    one object; the exact legs and their re-integration then meet that state.
    """

    sgp4_rows: Array | None = None
    sgp4_rates: Array | None = None

    def _shape(self) -> tuple[int, ...]:
        return np.broadcast_shapes(*(np.shape(f) for f in self._arrays()))

    def rates(self) -> tuple[Array, Array, Array]:
        """(Ω̇, ω̇, Ṁ) [rad/s]: SGP4's secular rates (its J2, J2² and J4 terms) plus the linear
        part p of its drag fit (``sgp4_rates``, :func:`_sgp4_rates`; NaN rows excepted) — so
        that the mean elements stay with the SGP4 states over a plan of months — else the
        first-order J2 rates."""
        base = SecularJ2Ephemeris.rates(self)
        if self.sgp4_rates is None:
            return base
        shape = self._shape()
        own = self.sgp4_rates.reshape((*shape, RATE_COLUMNS))
        return tuple(np.where(np.isfinite(own[..., k]), own[..., k],  # type: ignore[return-value]
                              np.broadcast_to(base[k], shape)) for k in range(3))

    def elements_at(self, t_s: ArrayLike) -> KeplerElements:
        """Mean elements at ``t_s`` [s]: :meth:`SecularJ2Ephemeris.elements_at` on
        :meth:`rates`, plus SGP4's drag terms q (t − epoch)² in Ω, ω and M
        (:func:`_sgp4_rates`). The decay of a that goes with them is not modelled (it moves
        the node rate by < 1e-4 of itself)."""
        el = SecularJ2Ephemeris.elements_at(self, t_s)
        if self.sgp4_rates is None:
            return el
        q = self.sgp4_rates.reshape((*self._shape(), RATE_COLUMNS))[..., 3:]
        q = np.where(np.isfinite(q), q, 0.0)
        dt2 = (np.asarray(t_s, float) - self.epoch_s) ** 2
        raan, argp, m = (np.mod(x + q[..., k] * dt2, 2.0 * np.pi)
                         for k, x in enumerate((el.raan_rad, el.argp_rad, el.m_rad)))
        return KeplerElements(el.a_km, el.e, el.i_rad, raan, argp, true_from_mean(m, el.e), m)

    def take(self, index: ArrayLike) -> CatalogEphemeris:
        """The sub-ephemeris of the objects at ``index`` (numpy fancy indexing)."""
        base = SecularJ2Ephemeris.take(self, index)
        rows = rates = None
        if self.sgp4_rows is not None:
            width = self.sgp4_rows.shape[-1]
            rows = self.sgp4_rows.reshape((*self._shape(), width))[index]
        if self.sgp4_rates is not None:
            rates = self.sgp4_rates.reshape((*self._shape(), RATE_COLUMNS))[index]
        return CatalogEphemeris(*base._arrays(), mean_anomaly_j2=self.mean_anomaly_j2,
                                mu=self.mu, r_eq_km=self.r_eq_km, j2=self.j2, sgp4_rows=rows,
                                sgp4_rates=rates)

    def state(self, t_s: ArrayLike) -> tuple[Array, Array]:
        """Position [km] and velocity [km/s] ``(..., 3)`` (TEME) of each object at ``t_s`` [s
        since MJD2000, UTC days], broadcast as :meth:`SecularJ2Ephemeris.state`: SGP4 where
        the object has an element set, else its secular state."""
        r, v = SecularJ2Ephemeris.state(self, t_s)
        if self.sgp4_rows is None:
            return r, v
        shape = r.shape[:-1]
        objects = self._shape()
        width = self.sgp4_rows.shape[-1]
        rows = self.sgp4_rows.reshape(-1, width)
        who = np.broadcast_to(np.arange(rows.shape[0]).reshape(objects), shape).ravel()
        days = np.broadcast_to(np.asarray(t_s, float), shape).ravel() / DAY_S
        r, v = r.reshape(-1, 3).copy(), v.reshape(-1, 3).copy()
        for k in np.unique(who):
            if not np.isfinite(rows[k]).all():
                continue
            sel = np.flatnonzero(who == k)
            whole = np.floor(days[sel])
            err, rk, vk = _satrec(rows[k].tobytes()).sgp4_array(JD_MJD2000 + whole,
                                                                days[sel] - whole)
            ok = err == 0
            r[sel[ok]], v[sel[ok]] = rk[ok], vk[ok]
        return r.reshape((*shape, 3)), v.reshape((*shape, 3))


def sgp4_lost(elsets: Sequence[ElementSet], t_start_s: float, t_end_s: float,
              step_s: float = DAY_S) -> dict[int, str]:
    """The objects whose SGP4 propagation fails inside the window ``t_start_s`` …
    ``t_end_s`` [s since MJD2000] — most often SGP4 reporting the orbit decayed (error 6) —
    with the reason, the first failing moment on a ``step_s`` grid (and the window's end)
    in it: {catalog number: reason}.

    A planner must not chase such an object: SGP4 is the catalog's own prediction and says it
    re-enters, or can no longer be predicted, while the ship is still flying. The bundled
    2023-10 catalog has 1,352 of its 26,140 objects so, 13 of the 500 most valuable (e.g.
    CZ-2D R/B 54373, decayed by SGP4 27 days after the catalog's date)."""
    if not elsets:
        return {}
    days = np.r_[np.arange(t_start_s, t_end_s, step_s), t_end_s] / DAY_S
    whole = np.floor(days)
    # python-sgp4, as CatalogEphemeris.state: the states the planner would fly to
    status = sgp4_batch.propagate(elsets, (JD_MJD2000 + whole, days - whole),
                                  engine="sgp4").status
    lost: dict[int, str] = {}
    for e, row in zip(elsets, status, strict=True):
        bad = np.flatnonzero(row != Sgp4Status.OK)
        if bad.size:
            code = Sgp4Status(int(row[bad[0]]))
            when = MJD2000_UTC + timedelta(days=float(days[bad[0]]))
            lost[e.norad_id] = (f"SGP4: {code.name.lower().replace('_', ' ')} (error "
                                f"{int(code)}) by {when:%Y-%m-%d}, inside the planning window")
    return lost


def ephemeris_from_elsets(elsets: Sequence[ElementSet]) -> CatalogEphemeris:
    """Ephemeris of catalogued objects from their element sets (module docstring): SGP4
    states, Brouwer mean elements for the table; epochs in seconds since MJD2000."""
    rows = element_array(elsets)
    sats = [_satrec(row.tobytes()) for row in rows]
    # SGP4's un-Kozai'd (Brouwer) mean motion n'' [rad/min] from its mean a [Earth radii]
    n_rad_s = np.array([s.xke / s.a**1.5 for s in sats]) / 60.0
    return CatalogEphemeris.from_arrays(
        (MU_EARTH_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0),
        [e.eccentricity for e in elsets],
        np.radians([e.inclination_deg for e in elsets]),
        np.radians([e.raan_deg for e in elsets]),
        np.radians([e.arg_pericenter_deg for e in elsets]),
        np.radians([e.mean_anomaly_deg for e in elsets]),
        [seconds_since_mjd2000(e.epoch) for e in elsets],
        mean_anomaly_j2=True, sgp4_rows=rows,
        sgp4_rates=np.array([_sgp4_rates(s) for s in sats]),
    )


def concat(ephs: Sequence[SecularJ2Ephemeris]) -> SecularJ2Ephemeris:
    """One ephemeris holding the objects of several (same constants), in order; a
    :class:`CatalogEphemeris` when any of them is one (the others' rows NaN). The parts must
    share ``mean_anomaly_j2`` — the catalog's (True) wins, and the ship's start orbit, a
    circular orbit of elements the user gave, is then read as mean elements with Ṁ J2-corrected."""
    def arrays(e: SecularJ2Ephemeris) -> list[NDArray[np.float64]]:
        return [a.ravel() for a in np.broadcast_arrays(e.a_km, e.e, e.i_rad, e.raan_rad,
                                                       e.argp_rad, e.m_rad, e.epoch_s)]

    parts = [arrays(e) for e in ephs]
    fields = [np.concatenate([p[k] for p in parts]) for k in range(7)]
    catalog = [e for e in ephs if isinstance(e, CatalogEphemeris) and e.sgp4_rows is not None]
    if not catalog:
        return SecularJ2Ephemeris(*fields)  # type: ignore[arg-type]
    width = catalog[0].sgp4_rows.shape[-1]  # type: ignore[union-attr]

    def own(e: SecularJ2Ephemeris, name: str, size: int, cols: int) -> Array:
        got = getattr(e, name, None) if isinstance(e, CatalogEphemeris) else None
        return np.full((size, cols), np.nan) if got is None else got.reshape(-1, cols)

    sizes = [p[0].size for p in parts]
    pairs = list(zip(ephs, sizes, strict=True))
    rows = np.concatenate([own(e, "sgp4_rows", k, width) for e, k in pairs])
    rates = np.concatenate([own(e, "sgp4_rates", k, RATE_COLUMNS) for e, k in pairs])
    return CatalogEphemeris(*fields, mean_anomaly_j2=True,  # type: ignore[arg-type]
                            sgp4_rows=rows, sgp4_rates=rates)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The nodes of a planning problem.

    ``ephemeris`` has ``1 + n`` objects: node 0 the start, nodes 1..n the targets. ``ids`` and
    ``names`` label the targets (n), ``values`` their worth in ``value_unit`` (``"k$"``: salvage
    value of catalogued objects; ``"debris"``: 1 per object, GTOC9), ``masses_kg`` their masses
    (for the report). ``free_start``: node 0 costs nothing to leave (launch straight to the
    first target). ``t_start_s`` / ``t_end_s`` the window [s since MJD2000]. ``left_out``:
    what the selection left out and why (:func:`candidates_in_reach`), for the report.
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
    left_out: tuple[tuple[str, str], ...] = ()
    """Objects that would have been candidates but were left out: (id, reason)."""

    @property
    def n_targets(self) -> int:
        """Number of candidate targets (nodes 1..n)."""
        return len(self.ids)


def start_ephemeris(ship: Ship, t_start_s: float, raan_rad: float, *,
                    sgp4: bool = False) -> SecularJ2Ephemeris:
    """The ship's start orbit (elements at ``t_start_s``; ``raan_rad`` used when the ship's own
    is unset) as a one-object ephemeris: secular J2, or — ``sgp4``, beside catalogued targets —
    a :class:`CatalogEphemeris` of a drag-free element set with these mean elements
    (:func:`start_element_set`), so that the ship's first departure, like every other, leaves
    from a state on a full-J2 trajectory."""
    o = ship.orbit
    raan = o.raan_rad if o.raan_rad is not None else raan_rad
    if sgp4:
        return ephemeris_from_elsets([start_element_set(
            o.a_km, o.e, o.inclination_rad, raan, o.argp_rad, o.m_rad, t_start_s)])
    return SecularJ2Ephemeris.from_arrays([o.a_km], [o.e], [o.inclination_rad], [raan],
                                          [o.argp_rad], [o.m_rad], [t_start_s])


def start_element_set(a_km: float, e: float, i_rad: float, raan_rad: float, argp_rad: float,
                      m_rad: float, t_s: float) -> ElementSet:
    """A drag-free element set (catalog number 0, "START ORBIT") at ``t_s`` [s since MJD2000]
    whose SGP4 mean elements are these: a [km] is the Brouwer mean a that
    :func:`ephemeris_from_elsets` reads back (the Kozai mean motion found by a fixed-point
    iteration on SGP4's un-Kozai step, to 1e-12), angles [rad]."""
    epoch = MJD2000_UTC + timedelta(seconds=float(t_s))
    n_want = math.sqrt(MU_EARTH_KM3_S2 / a_km**3)  # rad/s
    n_kozai = n_want
    for _ in range(8):
        elset = ElementSet(0, epoch, n_kozai * DAY_S / (2 * math.pi), e, math.degrees(i_rad),
                           math.degrees(raan_rad) % 360.0, math.degrees(argp_rad) % 360.0,
                           math.degrees(m_rad) % 360.0, 0.0, object_name="START ORBIT")
        sat = _satrec(element_array([elset])[0].tobytes())
        n_got = sat.xke / sat.a**1.5 / 60.0
        if abs(n_got / n_want - 1.0) < 1e-12:
            break
        n_kozai *= n_want / n_got
    return elset


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
        start = start_ephemeris(ship, t_start_s, raan0,
                                sgp4=isinstance(targets, CatalogEphemeris))
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
        ranked = [scored[i] for i in wanted if i != start_id]
        want = len(ranked)
    else:
        ranked = [s for s in rank_targets(scored.values(), by="value",
                                          alt_km=(alt[0] - alt_margin_km, alt[1] + alt_margin_km),
                                          inc_deg=(inc - inc_margin_deg, inc + inc_margin_deg),
                                          top=None)
                  if s.norad_id != start_id]
        want = top
    if not ranked:
        raise NoCandidatesError("no candidate targets near the start orbit (try --candidates)")
    t0 = seconds_since_mjd2000(ship.start) if ship.start else max(
        seconds_since_mjd2000(by_id[s.norad_id].epoch) for s in ranked[:want])
    chosen: list[ScoredObject] = []
    left_out: list[tuple[str, str]] = []
    pos = 0
    while len(chosen) < want and pos < len(ranked):  # the next best replace the lost ones
        batch = ranked[pos:pos + want - len(chosen)]
        pos += len(batch)
        lost = sgp4_lost([by_id[s.norad_id] for s in batch], t0, t0 + ship.duration_s)
        for s in batch:
            if s.norad_id in lost:
                left_out.append((str(s.norad_id), lost[s.norad_id]))
            else:
                chosen.append(s)
    if not chosen:
        raise NoCandidatesError("no candidate target that SGP4 keeps in orbit over the window: "
                                + "; ".join(f"{i} {why}" for i, why in left_out))
    cands = make_candidates(
        ship, ephemeris_from_elsets([by_id[s.norad_id] for s in chosen]),
        [str(s.norad_id) for s in chosen], [s.name or str(s.norad_id) for s in chosen],
        [s.value_kusd for s in chosen], [s.mass_kg for s in chosen], t0, start=start_eph)
    return replace(cands, left_out=tuple(left_out))
