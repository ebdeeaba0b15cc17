"""Exact legs for a chosen route: wait for node alignment (or drift into it), then a short exact
J2 transfer. Units: km, km/s, s; inertial frame with z along the Earth's axis.

Every exact transfer is short (≤ 3 days, the range where :class:`J2RendezvousModel` is
reliable). A leg is one of:

* *wait, then transfer*: the ship rides with its current object until the planes line up;
* *drift, then transfer* (flights of days to months): at the first node crossing after
  departure and at the next one, half a revolution later, two burns (Gauss's equations:
  tangential v·δa/4a, normal v·δi/2 each — a Hohmann transfer, :func:`drift_insertion`) put
  the ship on the table's circular drift orbit, whose own J2 node rate closes the node gap;
  the ship coasts under full J2 and makes the short exact transfer to the target near the
  planned arrival. The burns are aimed (:func:`aimed_drift_burn`): a few Newton steps on the
  full-J2 coast so that its orbit-averaged plane ends where the table's secular model put
  it — Gauss's burns alone leave the ship's mean a off by the J2 short-period term (up to
  ~10 km), which over a drift of months turns the node by a degree — and level with the
  target in along-track phase then (the phasing the table charges over the whole flight).
  The final transfer absorbs what is left, and the total Δv counts all of it. The whole
  leg — drift burns, months of coast, ≤ 3 impulses — is one exact full-J2 trajectory,
  re-integrated like the others.

For the short transfer the table gives the moment the planes line up (``t_best_s``), or the
planned arrival (drift). Around it a small grid of (departure, flight time) pairs — flights
of ``tof_range_s`` (≤ 3 days, the range where :class:`J2RendezvousModel` is reliable) — is
screened with a J2-aware two-body Lambert estimate (the target rotated back by the departure
orbit's secular J2 drift over the flight, as the exact solver's own seeds are built; it captures
the along-track phasing the nodal-drift table ignores). The grid is fine (hourly departures
over 6 days, flights every 3 h: over a drift orbit tens of km off the target's the phase moves
by radians a day, and a coarse grid misses the moments it is right), and the cheapest few
*distinct* pairs (:func:`_distinct`: a multi-start — neighbouring grid points screen alike and
converge to one transfer) are solved exactly (full J2, ≤ 3 impulses, arrival re-integrated to
100 m / 1 m/s); the cheapest converged one is kept. Until the departure the ship rides with
its current object (attached to the debris, or on its start orbit); it leaves from that
object's ephemeris state, as GTOC9 prescribes.

:func:`verify_leg` re-integrates a leg independently (SciPy DOP853 on the J2 acceleration, not
heyoka) and returns the arrival miss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from sweepers.epochs import DAY_S
from sweepers.orbits.constants import MU_EARTH_KM3_S2
from sweepers.orbits.j2 import J2Propagator, j2_acceleration
from sweepers.orbits.kepler import SecularJ2Ephemeris, j2_secular_rates, state_to_elements
from sweepers.salvage.engine.exact_legs import node_and_inc, node_crossing
from sweepers.salvage.transfers import J2RendezvousModel, RendezvousLeg
from sweepers.salvage.transfers.lambert_model import lambert_cost
from sweepers.salvage.transfers.nodal_drift import DEFAULT_DRIFT_BOUNDS, DRIFT_LEAD_S, DriftBounds

Array = NDArray[np.float64]

# A converged exact short transfer costing more than this multiple of the cheapest screening
# estimate makes the multi-start solve further distinct starts (:func:`_multi_start`). Where
# the solver converges to the screened transfer, exact / estimate was 1.01–1.14 on the
# *Victory* route's legs (2026-12-07, quick mode: 2 impulses); 1.25 leaves room for that spread.
RETRY_ABOVE_ESTIMATE = 1.25

# The longest short transfer (``short_transfer``'s flights of 0.75–3 days): a phase gap left at
# the end of a drift is closed within it, at v Δφ / (1.5 n τ).
PHASE_CLOSE_S = 3.0 * DAY_S


@dataclass(frozen=True, slots=True)
class ExactLeg:
    """One exact leg from node ``from_node`` to ``to_node``: departure state ``r0_km``,
    ``v0_km_s`` at ``t_depart_s`` (before the first impulse), impulses ``dv_km_s`` ``(k, 3)``
    at absolute epochs ``burn_times_s`` [s since MJD2000], arrival at ``t_arrive_s``;
    ``miss_km`` / ``miss_km_s`` from the solver's re-integration; ``estimate_km_s`` the
    screening estimate of the chosen (departure, flight time); ``kind`` the leg's shape."""

    from_node: int
    to_node: int
    t_depart_s: float
    t_arrive_s: float
    r0_km: Array
    v0_km_s: Array
    burn_times_s: Array
    dv_km_s: Array
    total_dv_km_s: float
    miss_km: float
    miss_km_s: float
    converged: bool
    estimate_km_s: float
    kind: str = "wait"  # "wait" (wait, then transfer) or "drift" (drift, then transfer)


def _rotate(vec: Array, axis: Array, angle: Array) -> Array:
    """Rodrigues rotation of rows of ``vec`` about unit rows ``axis`` by ``angle`` [rad]."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    dot = np.einsum("ij,ij->i", axis, vec)[:, None]
    return vec * c + np.cross(axis, vec) * s + axis * dot * (1 - c)


def j2_lambert_estimate(r0: Array, v0: Array, rt: Array, vt: Array, tof_s: Array) -> Array:
    """Δv [km/s] of ``n`` rendezvous by two-body Lambert to the target state rotated back by the
    departure orbit's secular J2 drift over ``tof_s`` (node about z, argument of latitude about
    the orbit normal). A screening estimate, vectorised."""
    el = state_to_elements(r0, v0)
    raan_dot, argp_dot, m_dot = j2_secular_rates(el.a_km, el.e, el.i_rad)
    n = np.sqrt(MU_EARTH_KM3_S2 / el.a_km**3)
    h = np.cross(r0, v0)
    h /= np.linalg.norm(h, axis=1)[:, None]
    z = np.broadcast_to([0.0, 0.0, 1.0], r0.shape)
    d_raan, d_u = raan_dot * tof_s, (argp_dot + m_dot - n) * tof_s
    rt2 = _rotate(_rotate(rt, z, -d_raan), h, -d_u)
    vt2 = _rotate(_rotate(vt, z, -d_raan), h, -d_u)
    return lambert_cost(r0, v0, rt2, vt2, tof_s, rev_window=1).dv_km_s


class NodeEphemeris:
    """One node of a :class:`SecularJ2Ephemeris` with ``state(t_s)`` over many times."""

    def __init__(self, eph: SecularJ2Ephemeris, node: int) -> None:
        self.eph, self.node = eph, node

    def state(self, t_s: ArrayLike) -> tuple[Array, Array]:
        """Position [km], velocity [km/s] ``(m, 3)`` at the ``m`` times ``t_s`` [s]."""
        t = np.atleast_1d(np.asarray(t_s, float))
        return self.eph.take(np.full(t.size, self.node)).state(t)


class CoastEphemeris:
    """A ship coasting under full J2 from ``(r_km, v_km_s)`` at ``t0_s``: ``state(t_s)`` for
    times ≥ ``t0_s`` (heyoka batch integration)."""

    def __init__(self, r_km: Array, v_km_s: Array, t0_s: float,
                 propagator: J2Propagator | None = None) -> None:
        self.r, self.v, self.t0 = np.asarray(r_km, float), np.asarray(v_km_s, float), t0_s
        self.prop = propagator or J2Propagator()

    def state(self, t_s: ArrayLike) -> tuple[Array, Array]:
        """Position [km], velocity [km/s] ``(m, 3)`` at the ``m`` times ``t_s`` [s]: one
        integration with dense output through the sorted times (a coast of months sampled at
        hundreds of departure times would otherwise be integrated hundreds of times)."""
        t = np.atleast_1d(np.asarray(t_s, float))
        if t.min() < self.t0:
            n = t.size
            return self.prop.propagate(np.broadcast_to(self.r, (n, 3)),
                                       np.broadcast_to(self.v, (n, 3)), t - self.t0)
        grid, back = np.unique(np.r_[0.0, t - self.t0], return_inverse=True)
        r, v = self.prop.propagate_grid(self.r, self.v, grid)  # the grid starts at t0
        return r[back[1:]], v[back[1:]]


@dataclass(frozen=True, slots=True)
class LegHint:
    """What the cost table says about a leg: ``strategy`` 0 (wait, then a short transfer; best
    plane-change moment ``t_best_s``) or 1 (drift orbit ``drift_da_km``, ``drift_di_rad`` from
    ``t_depart_s``); planned arrival ``t_arrive_s``."""

    strategy: int
    t_depart_s: float
    t_arrive_s: float
    t_best_s: float
    drift_da_km: float = 0.0
    drift_di_rad: float = 0.0


def short_transfer(dep: NodeEphemeris | CoastEphemeris, arr: NodeEphemeris, t_ready_s: float,
                   t_hint_s: float, *, t_latest_arrival_s: float,
                   model: J2RendezvousModel | None = None,
                   tof_range_s: tuple[float, float] = (0.75 * DAY_S, 3.0 * DAY_S),
                   offsets_s: tuple[float, float] = (-4.0 * DAY_S, 2.0 * DAY_S),
                   n_depart: int = 145, n_tof: int = 19, tries: int = 2, max_tries: int = 8,
                   spread_s: tuple[float, float] = (0.5 * DAY_S, 0.25 * DAY_S),
                   retry_above: float = RETRY_ABOVE_ESTIMATE,
                   ) -> tuple[float, float, Array, Array, RendezvousLeg, float] | None:
    """Exact short transfer from ``dep`` (left no earlier than ``t_ready_s``) to ``arr`` around
    ``t_hint_s``, arriving by ``t_latest_arrival_s`` (module docstring): departures
    ``t_hint_s + offsets_s`` (``n_depart``: hourly over the default 6 days, none before
    ``t_ready_s``) × ``n_tof`` flight times (every 3 h);
    the ``tries`` cheapest by the screening estimate are solved, each at least ``spread_s``
    (departure, flight time) [s] away from the ones chosen before it — a multi-start:
    neighbouring grid points screen alike and converge to the same transfer, while the
    estimate's error (two-body Lambert on a rotated target) differs between distinct ones.
    More starts, up to ``max_tries``, are solved while none converges or the cheapest converged
    one costs more than ``retry_above`` × the cheapest screening estimate
    (:func:`_multi_start`). Returns (t_depart, t_arrive, r0, v0, solution, estimate) or
    None."""
    model = model or J2RendezvousModel()
    dep_t = np.maximum(t_ready_s, t_hint_s + np.linspace(*offsets_s, n_depart))
    tof = np.linspace(*tof_range_s, n_tof)
    td, tf = (x.ravel() for x in np.meshgrid(np.unique(dep_t), tof, indexing="ij"))
    ok = td + tf <= t_latest_arrival_s
    td, tf = td[ok], tf[ok]
    if td.size == 0:
        return None
    r0, v0 = dep.state(td)
    rt, vt = arr.state(td + tf)
    est = j2_lambert_estimate(r0, v0, rt, vt, tf)
    order = _distinct([k for k in np.argsort(est) if np.isfinite(est[k])], td, tf,
                      max_tries, spread_s)
    if not order:
        return None
    found = _multi_start(order, lambda k: model.solve(r0[k], v0[k], rt[k], vt[k], tf[k]),
                         tries, retry_above * float(est[order[0]]))
    if found is None:
        return None
    k, sol = found
    return float(td[k]), float(td[k] + tf[k]), r0[k], v0[k], sol, float(est[k])


def _multi_start(order: list[int], solve: Callable[[int], RendezvousLeg], tries: int,
                 enough_km_s: float) -> tuple[int, RendezvousLeg] | None:
    """Solve the starts ``order`` (best screened first) and return the cheapest converged one
    (its index and solution), or None. The first ``tries`` are always solved; the rest only
    while none has converged or the cheapest converged costs more than ``enough_km_s`` — a
    solve far above the screening estimate has converged to another, costlier transfer than the
    one it was seeded from (2026-12-07, the *Victory* route's 120-day drift leg: the best
    screened start 364 m/s against an estimate of 192; the next distinct start 195), and the
    route would pay for the solver's miss."""
    best: tuple[int, RendezvousLeg] | None = None
    for rank, k in enumerate(order):
        if best is not None and rank >= tries and best[1].total_dv_km_s <= enough_km_s:
            break
        sol = solve(k)
        if sol.converged and (best is None or sol.total_dv_km_s < best[1].total_dv_km_s):
            best = (k, sol)
    return best


def _distinct(order: list[int], td: Array, tf: Array, count: int,
              spread_s: tuple[float, float]) -> list[int]:
    """The first ``count`` of ``order`` (indices into departures ``td`` and flight times
    ``tf`` [s]) that differ from every earlier pick by at least ``spread_s[0]`` in departure or
    ``spread_s[1]`` in flight time."""
    picked: list[int] = []
    for k in order:
        if all(abs(td[k] - td[m]) >= spread_s[0] or abs(tf[k] - tf[m]) >= spread_s[1]
               for m in picked):
            picked.append(k)
            if len(picked) == count:
                break
    return picked


def drift_burn(r_km: Array, v_km_s: Array, da_km: float, di_rad: float) -> Array:
    """Impulse [km/s] at a node crossing that puts a near-circular orbit on a drift orbit
    offset by ``da_km`` and ``di_rad``: tangential v·δa/(2a) and normal v·δi·cos u (u = 0 or π
    at the node; Gauss's equations for circular orbits)."""
    a = float(state_to_elements(r_km, v_km_s).a_km)
    speed = float(np.linalg.norm(v_km_s))
    along = v_km_s / speed
    normal = np.cross(r_km, v_km_s)
    normal /= np.linalg.norm(normal)
    cos_u = 1.0 if v_km_s[2] > 0 else -1.0  # ascending node: u = 0
    return speed * da_km / (2 * a) * along + speed * di_rad * cos_u * normal


def next_node_crossing(dep: NodeEphemeris, t_s: float, step_s: float = 20.0) -> float:
    """First equator crossing [s] of ``dep`` within two hours after ``t_s``: the engine's
    :func:`~sweepers.salvage.engine.exact_legs.node_crossing` with the normal z (sampled every
    ``step_s``, then bisection). Raises ``ValueError`` when there is none."""
    t = node_crossing(dep, np.array([0.0, 0.0, 1.0]), t_s, t_s + 7200.0,
                      steps=int(7200 / step_s))
    if t is None:
        raise ValueError("no node crossing within two hours")
    return t


def mean_plane(coast: CoastEphemeris, t_s: float, samples: int = 24) -> Array:
    """Orbit-averaged (a [km], i [rad], Ω [rad]) of a coasting ship over the revolution that
    starts at ``t_s``: osculating a averaged, the plane from the averaged unit angular
    momentum. Full-J2 short-period terms (±10 km in a in LEO) average out, leaving the elements
    that set the secular node rate."""
    r, v = coast.state([t_s])
    a0 = float(state_to_elements(r[0], v[0]).a_km)
    period = 2 * np.pi * np.sqrt(a0**3 / coast.prop.mu)
    r, v = coast.state(t_s + period * np.arange(samples) / samples)
    h = np.cross(r, v)
    h = (h / np.linalg.norm(h, axis=1)[:, None]).mean(axis=0)
    h /= np.linalg.norm(h)
    node, inc = node_and_inc(h)
    return np.array([float(np.mean(state_to_elements(r, v).a_km)), inc, node])


def drift_box(eph: SecularJ2Ephemeris, i: int, j: int, t_b: float, t_end_s: float,
              bounds: DriftBounds) -> tuple[float, float, float, float] | None:
    """The :class:`DriftBounds` box (δa_lo, δa_hi [km], δi_lo, δi_hi [rad]) of a drift from
    node ``i`` at ``t_b`` to node ``j`` by ``t_end_s`` [s] — the box the cost table held the
    same drift to (departure orbit's secular a, i, node rate at the burn; the larger of the two
    eccentricities) — or None when no drift orbit that long is physical."""
    el = eph.take([i, j]).elements_at([t_b, t_end_s])
    raan_dot = j2_secular_rates(el.a_km[:1], el.e[:1], el.i_rad[:1], mu=eph.mu,
                                r_eq_km=eph.r_eq_km, j2=eph.j2)[0]
    lo, hi, di_lo, di_hi = (float(x[0]) for x in bounds.box(
        el.a_km[:1], np.max(el.e, keepdims=True), el.i_rad[:1], raan_dot,
        np.array([t_end_s - t_b]), eph.r_eq_km, eph.mu))
    return None if lo > hi else (lo, hi, di_lo, di_hi)


def drift_insertion(r_b: Array, v_b: Array, t_b: float, da_km: float, di_rad: float,
                    propagator: J2Propagator | None = None
                    ) -> tuple[Array, Array, CoastEphemeris]:
    """Two burns half a revolution apart that put a near-circular orbit on a *circular* drift
    orbit offset by ``da_km`` and ``di_rad``: at the node crossing ``t_b`` (state ``r_b``,
    ``v_b``) :func:`drift_burn` with half of each, then, at the next node crossing of the
    coast after it (the apoapsis of the transfer ellipse when δa > 0, its periapsis when
    δa < 0), the other half — a Hohmann transfer with the inclination change split between its
    burns, both on the line of nodes where a normal impulse changes i alone.

    Why two: one tangential burn of v·δa/2a at radius a makes an orbit of semi-major axis
    a + δa and eccentricity |δa|/a (Gauss), with periapsis or apoapsis still at a. The cost
    table prices a circular drift orbit (:mod:`~sweepers.salvage.transfers.nodal_drift`:
    leaving it for the target's plane and radius is a Hohmann whose plane change is split
    over its two burns, in quadrature). From the single burn's eccentric orbit the closing
    transfer must instead lower or raise the radius where the drift orbit's apsis has turned
    to after weeks of J2 apsidal motion (ω̇ ≈ −2°/day at 74°), generally not on the line of
    intersection of the planes, so the radius and plane changes add (SL-8 74° table route,
    2026-12-07: closing transfers 10–65 m/s above the table's, the 90-day drift leg 239 m/s
    against 171). The two half burns cost what one does, √((v δa/2a)² + (v δi)²) to first
    order, and a negative δa's drift orbit no longer dips 2|δa| below the departure orbit,
    under the drag floor the table's bounds held its circular orbit above.

    Returns the burn epochs ``(2,)`` [s], the impulses ``(2, 3)`` [km/s] and the coast after
    the second burn."""
    dv1 = drift_burn(r_b, v_b, 0.5 * da_km, 0.5 * di_rad)
    first = CoastEphemeris(r_b, v_b + dv1, t_b, propagator)
    a = float(state_to_elements(r_b, v_b + dv1).a_km)
    period = 2 * np.pi * np.sqrt(a**3 / first.prop.mu)
    t2 = node_crossing(first, np.array([0.0, 0.0, 1.0]), t_b + 0.25 * period,
                       t_b + 0.75 * period, steps=90)
    if t2 is None:  # not near-circular: no crossing half a revolution on
        raise ValueError("no node crossing half a revolution after the drift burn")
    r2, v2 = (x[0] for x in first.state([t2]))
    dv2 = drift_burn(r2, v2, 0.5 * da_km, 0.5 * di_rad)
    return np.array([t_b, t2]), np.vstack([dv1, dv2]), CoastEphemeris(r2, v2 + dv2, t2,
                                                                      first.prop)


def aimed_drift_burn(eph: SecularJ2Ephemeris, i: int, r_b: Array, v_b: Array, t_b: float,
                     t_end_s: float, da_km: float, di_rad: float, *, iterations: int = 2,
                     box: tuple[float, float, float, float] | None = None,
                     target: NodeEphemeris | None = None
                     ) -> tuple[Array, Array, CoastEphemeris]:
    """Drift insertion (:func:`drift_insertion`, two burns from ``t_b``) that makes the ship's
    full-J2 coast reach, at ``t_end_s``, the orbit-averaged (a, i, Ω) the cost table assumed:
    node ``i``'s secular elements offset by (``da_km``, ``di_rad``), drifting at the secular
    J2 rates of the offset orbit.

    Why: the ship leaves from the ephemeris state of its current object, whose elements are
    secular; integrated under full J2 that state has a different orbit-averaged a (by the
    short-period term, up to ~10 km in LEO), hence a different node rate — over a drift of
    months the plane ends up a degree off (~100 m/s). Gauss's burns are the first guess; then
    ``iterations`` Newton steps on (δa, δi), Jacobian from the linearised node rate, residuals
    weighted as Δv (v/2a, v, v sin i). Returns the burn epochs ``(2,)`` [s], the impulses
    ``(2, 3)`` [km/s] and the coast after them.

    ``box`` (:func:`drift_box`): the drift orbit is held to the table's bounds — the planned
    mean offsets (``da_km``, ``di_rad``) are clipped into it, and the osculating offsets the
    Newton steps command may leave it only by the J2 short-period difference between osculating
    and mean elements of a near-circular orbit, (3/2) J2 R²/a sin² i in a and (3/8) J2 (R/a)²
    |sin 2i| in i at most (Kozai 1959, first-order short-period terms; ≈ 9 km and 0.01° in LEO):
    the mean orbit the ship drifts on stays in the box.

    ``target``: also aim the along-track phase — the ship level with ``target`` at ``t_end_s``
    (:func:`phase_gap`), a fourth output weighted as the phasing the short transfer after the
    drift would otherwise pay for the gap, v Δφ / (1.5 n τ) with τ = :data:`PHASE_CLOSE_S`; its
    lever is δa (∂φ/∂δa = (3/2) n T / a over the drift T). The cost table charges a drift leg
    the phasing of its whole flight (``NodalDriftModel``: the gap the natural drift leaves,
    closed over the flight), which a drift orbit aimed only at the plane does not fly: its
    along-track drift is whatever its δa makes it, and the gap left at the end is closed in
    ≤ 3 days (SL-8 74°, 2026-12-07, 12-day leg 30 → 16: δa = −5 km sweeps 35° of phase in the
    final transfer's 6-day window; 89 m/s against 21 on the table)."""
    el = eph.take([i]).elements_at([t_b])
    if box is not None:
        da_km = float(np.clip(da_km, box[0], box[1]))
        di_rad = float(np.clip(di_rad, box[2], box[3]))
        a_dep, i_dep = float(el.a_km[0]), float(el.i_rad[0])
        sp_a = 1.5 * eph.j2 * eph.r_eq_km**2 / a_dep * np.sin(i_dep) ** 2
        sp_i = 0.375 * eph.j2 * (eph.r_eq_km / a_dep) ** 2 * abs(np.sin(2 * i_dep))
        lo = np.array([box[0] - sp_a, box[2] - sp_i])
        hi = np.array([box[1] + sp_a, box[3] + sp_i])
    a, inc, raan = float(el.a_km[0]) + da_km, float(el.i_rad[0]) + di_rad, float(el.raan_rad[0])
    raan_dot = float(j2_secular_rates(np.array(a), np.array(float(el.e[0])), np.array(inc),
                                      mu=eph.mu, r_eq_km=eph.r_eq_km, j2=eph.j2)[0])
    span = t_end_s - t_b
    want = np.array([a, inc, raan + raan_dot * span])
    jac = np.array([[1.0, 0.0], [0.0, 1.0],
                    [-3.5 * raan_dot / a * span, -raan_dot * np.tan(inc) * span]])
    speed = float(np.sqrt(eph.mu / a))
    w = np.array([speed / (2 * a), speed, speed * np.sin(inc)])
    if target is not None:  # phase: the target ahead of the ship by 0 at t_end_s
        n = float(np.sqrt(eph.mu / a**3))
        want = np.r_[want, 0.0]
        jac = np.vstack([jac, [1.5 * n / a * span, 0.0]])
        w = np.r_[w, speed / (1.5 * n * PHASE_CLOSE_S)]
    x = np.array([da_km, di_rad])
    for k in range(iterations + 1):
        times, dv, coast = drift_insertion(r_b, v_b, t_b, float(x[0]), float(x[1]))
        if k == iterations:
            break
        got = mean_plane(coast, t_end_s)
        if target is not None:
            got = np.r_[got, phase_gap(coast, target, t_end_s)]
        miss = want - got
        miss[2:] = (miss[2:] + np.pi) % (2 * np.pi) - np.pi
        x = x + np.linalg.lstsq(w[:, None] * jac, w * miss, rcond=None)[0]
        if box is not None:
            x = np.clip(x, lo, hi)
    return times, dv, coast


def phase_gap(coast: CoastEphemeris, target: NodeEphemeris, t_s: float) -> float:
    """Angle [rad] in (−π, π] by which ``target`` is ahead of the coasting ship at ``t_s``,
    about the ship's orbit normal (along-track phase for near-coplanar orbits)."""
    (r,), (v,) = coast.state([t_s])
    (rt,), _ = target.state([t_s])
    h = np.cross(r, v)
    h /= np.linalg.norm(h)
    return float(np.arctan2(np.cross(r, rt) @ h, r @ rt))


def solve_leg(eph: SecularJ2Ephemeris, i: int, j: int, t_ready_s: float, hint: LegHint, *,
              t_latest_arrival_s: float, model: J2RendezvousModel | None = None,
              tries: int = 2, drift_bounds: DriftBounds | None = DEFAULT_DRIFT_BOUNDS,
              on_time: bool = False) -> ExactLeg | None:
    """Exact leg from node ``i`` (left no earlier than ``t_ready_s``) to node ``j`` following
    the table's ``hint``, arriving by ``t_latest_arrival_s`` — with ``on_time``, by the
    planned arrival ``hint.t_arrive_s`` as well (the closing transfer's window reaches 3.5 days
    past it, and its cheapest start often lies there; the planner weighs both, ``plan._fly``):
    wait-then-transfer (short exact transfer around the alignment moment)
    or drift (burns at the first two node crossings onto the drift orbit, held to
    ``drift_bounds`` — the cost table's,
    :class:`~sweepers.salvage.transfers.nodal_drift.DriftBounds` — coast under full J2, short
    exact transfer before the planned arrival; falls back to wait-then-transfer, also when no
    drift orbit that long is physical). None when nothing converges.

    A drift leg is flown twice, its drift aimed at the planned plane alone and at the plane and
    the target's phase (:func:`aimed_drift_burn`), and the cheaper kept — a multi-start like
    the short transfer's: the phase aim pays off where the drift orbit's own along-track
    drift does not sweep the phase round in the final transfer's window, and costs where it
    does (it moves δa off the plan). On the SL-8 74° table route (2026-12-07) the plane aim was
    cheaper on 4 of 9 drift legs by 12–30 m/s, the phase aim on 5 by 6–60 m/s."""
    if on_time:
        t_latest_arrival_s = min(t_latest_arrival_s, hint.t_arrive_s)
    dep, arr = NodeEphemeris(eph, i), NodeEphemeris(eph, j)
    box: tuple[float, float, float, float] | None = None
    drift = hint.strategy == 1 and hint.t_arrive_s - hint.t_depart_s > 3.0 * DAY_S
    if drift:
        t_b = next_node_crossing(dep, max(t_ready_s, hint.t_depart_s))
        if drift_bounds is not None:
            box = drift_box(eph, i, j, t_b, hint.t_arrive_s, drift_bounds)
            drift = box is not None
    if drift:
        r_b, v_b = (x[0] for x in dep.state([t_b]))
        flown: list[ExactLeg] = []
        for phase_to in (None, arr):  # the plane alone, and the plane and the phase
            t_in, dv_in, coast = aimed_drift_burn(eph, i, r_b, v_b, t_b,
                                                  hint.t_arrive_s - DRIFT_LEAD_S,
                                                  hint.drift_da_km, hint.drift_di_rad, box=box,
                                                  target=phase_to)
            found = short_transfer(coast, arr, t_b + 0.5 * DAY_S,
                                   hint.t_arrive_s - DRIFT_LEAD_S,
                                   t_latest_arrival_s=t_latest_arrival_s, model=model,
                                   tries=tries)
            if found is not None:
                td, ta, _, _, sol, est = found
                dv_drift = float(np.linalg.norm(dv_in, axis=1).sum())
                flown.append(ExactLeg(i, j, t_b, ta, r_b, v_b, np.r_[t_in, td + sol.times_s],
                                      np.vstack([dv_in, sol.dv_km_s]),
                                      dv_drift + sol.total_dv_km_s, sol.miss_km, sol.miss_km_s,
                                      True, dv_drift + est, "drift"))
        if flown:
            return min(flown, key=lambda g: g.total_dv_km_s)
    found = short_transfer(dep, arr, t_ready_s, hint.t_best_s,
                           t_latest_arrival_s=t_latest_arrival_s, model=model, tries=tries)
    if found is None:
        return None
    td, ta, r0, v0, sol, est = found
    return ExactLeg(i, j, td, ta, r0, v0, td + sol.times_s, sol.dv_km_s, sol.total_dv_km_s,
                    sol.miss_km, sol.miss_km_s, True, est)


def _rhs(_t: float, y: Array) -> Array:
    return np.concatenate([y[3:], j2_acceleration(y[:3])])


def burn_states(leg: ExactLeg, rtol: float = 1e-12) -> Array:
    """Ship state ``(k, 6)`` [km, km/s] just before each of the leg's ``k`` impulses (the first:
    the departure state), by an independent SciPy DOP853 integration of the J2 field between
    them."""
    y = np.concatenate([leg.r0_km, leg.v0_km_s])
    states = [y]
    for k in range(len(leg.burn_times_s) - 1):
        y0 = np.concatenate([y[:3], y[3:] + leg.dv_km_s[k]])
        span = (leg.burn_times_s[k], leg.burn_times_s[k + 1])
        sol = solve_ivp(_rhs, span, y0, method="DOP853", rtol=rtol, atol=1e-9 * rtol / 1e-12)
        y = sol.y[:, -1]
        states.append(y)
    return np.array(states)


def verify_leg(leg: ExactLeg, eph: SecularJ2Ephemeris,
               states: Array | None = None) -> tuple[float, float]:
    """Arrival miss (position [km], velocity [km/s]) of ``leg`` against the target's
    ephemeris, re-integrated independently (:func:`burn_states`; ``states``: its result when
    the caller already has it)."""
    last = (burn_states(leg) if states is None else states)[-1]
    r, v = last[:3], last[3:] + leg.dv_km_s[-1]
    rt, vt = eph.take([leg.to_node]).state([leg.t_arrive_s])
    return float(np.linalg.norm(r - rt[0])), float(np.linalg.norm(v - vt[0]))
