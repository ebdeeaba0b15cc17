"""Two-body (Kepler) orbits and J2 secular rates, vectorised. Units: km, km/s, s, rad.

Frame: any inertial Earth-centred frame whose z axis is the Earth's rotation axis (the J2 rates
assume it; GTOC9 uses such a frame, and so does TEME/GCRF to the accuracy that matters here).

Constants are EGM96 / WGS84 from :mod:`sweepers.orbits.constants` (μ = 398600.4418 km³/s²,
R_e = 6378.137 km, J2 = 1.08262668e-3; the GTOC9 values). Every function takes them as parameters
with these defaults.

Formulas
--------
* Elements ⇄ state: the perifocal construction (Vallado, *Fundamentals of Astrodynamics and
  Applications*, 4th ed., Algorithms 9 "RV2COE" and 10 "COE2RV"); elliptic and hyperbolic orbits.
  Equatorial or circular orbits get Ω = 0 and/or ω = 0 by convention (the anomaly absorbs them).
* Kepler's equation E − e sin E = M: Newton iterations from the starter E0 = M + 0.85 e sign(sin M)
  (Danby, *Fundamentals of Celestial Mechanics*, 2nd ed., §6.6), converging for every 0 ≤ e < 1.
* Two-body propagation: universal variable χ with Stumpff functions c2, c3 and the Lagrange f, g
  coefficients (Vallado Algorithm 8 "KEPLER"; Bate, Mueller & White §4.3), solved for χ by the
  Laguerre–Conway iteration (B. A. Conway, Celest. Mech. 39, 199–211, 1986); valid for
  elliptic, parabolic and hyperbolic orbits and any number of revolutions.
* J2 secular rates, first order in J2 (Vallado Eqs. 9-39 to 9-41; Brouwer 1959), with
  p = a(1 − e²), n = √(μ/a³):
  Ω̇ = −(3/2) n J2 (R_e/p)² cos i,
  ω̇ = (3/4) n J2 (R_e/p)² (5 cos² i − 1),
  Ṁ = n [1 + (3/4) J2 (R_e/p)² √(1 − e²) (3 cos² i − 1)].
  GTOC9 propagates its debris with Ṁ = n (the J2 term of Ṁ dropped): ``mean_anomaly_j2=False``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.orbits.constants import J2_EARTH, MU_EARTH_KM3_S2, R_EARTH_KM

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class KeplerElements:
    """Osculating classical elements, arrays of one broadcast shape.

    ``a_km`` semi-major axis [km] (negative for hyperbolas), ``e`` eccentricity [-], ``i_rad``
    inclination, ``raan_rad`` right ascension of the ascending node Ω, ``argp_rad`` argument of
    pericentre ω, ``nu_rad`` true anomaly ν, ``m_rad`` mean anomaly M (elliptic; hyperbolic mean
    anomaly for e > 1), all angles [rad].
    """

    a_km: Array
    e: Array
    i_rad: Array
    raan_rad: Array
    argp_rad: Array
    nu_rad: Array
    m_rad: Array


def _dot(x: Array, y: Array) -> Array:
    return np.einsum("...i,...i->...", x, y)


def kepler_equation(m_rad: ArrayLike, e: ArrayLike, tol: float = 1e-15) -> Array:
    """Eccentric anomaly E [rad] solving E − e sin E = M for 0 ≤ e < 1 (broadcast).

    E is returned in the same 2π-branch as M (E − M = e sin E is bounded by e).
    """
    m = np.asarray(m_rad, float)
    e = np.asarray(e, float)
    m_red = np.remainder(m + np.pi, 2.0 * np.pi) - np.pi
    shift = m - m_red
    e_b, m_red = np.broadcast_arrays(e, m_red)
    big_e = m_red + 0.85 * e_b * np.sign(np.sin(m_red))
    for _ in range(50):
        step = (big_e - e_b * np.sin(big_e) - m_red) / (1.0 - e_b * np.cos(big_e))
        big_e = big_e - step
        if np.all(np.abs(step) <= tol * (1.0 + np.abs(big_e))):
            break
    return big_e + shift


def true_from_mean(m_rad: ArrayLike, e: ArrayLike) -> Array:
    """True anomaly ν [rad] from mean anomaly M [rad], elliptic orbits (same revolution as M)."""
    e = np.asarray(e, float)
    big_e = kepler_equation(m_rad, e)
    half = np.arctan2(np.sqrt(1.0 + e) * np.sin(big_e / 2.0),
                      np.sqrt(1.0 - e) * np.cos(big_e / 2.0))
    # arctan2 loses the revolution count; put ν within π of E
    nu = 2.0 * half
    return nu + 2.0 * np.pi * np.round((big_e - nu) / (2.0 * np.pi))


def mean_from_true(nu_rad: ArrayLike, e: ArrayLike) -> Array:
    """Mean anomaly M [rad] from true anomaly ν [rad]; elliptic (e < 1) or hyperbolic (e > 1)."""
    nu = np.asarray(nu_rad, float)
    e = np.asarray(e, float)
    with np.errstate(invalid="ignore"):
        ell = 2.0 * np.arctan2(np.sqrt(1.0 - e) * np.sin(nu / 2.0),
                               np.sqrt(1.0 + e) * np.cos(nu / 2.0))
        m_ell = ell - e * np.sin(ell)
        m_ell = m_ell + 2.0 * np.pi * np.round((nu - m_ell) / (2.0 * np.pi))
        big_h = 2.0 * np.arctanh(np.sqrt((e - 1.0) / (e + 1.0)) * np.tan(nu / 2.0))
        m_hyp = e * np.sinh(big_h) - big_h
    return np.where(e < 1.0, m_ell, m_hyp)


def elements_to_state(a_km: ArrayLike, e: ArrayLike, i_rad: ArrayLike, raan_rad: ArrayLike,
                      argp_rad: ArrayLike, anomaly_rad: ArrayLike, *, anomaly: str = "true",
                      mu: float = MU_EARTH_KM3_S2) -> tuple[Array, Array]:
    """Cartesian position [km] and velocity [km/s], shape ``(..., 3)``, from classical elements.

    ``anomaly`` says whether ``anomaly_rad`` is the ``"true"`` or ``"mean"`` anomaly (mean: e < 1).
    Inputs broadcast together. Inertial frame of the elements.
    """
    a, e, i, raan, argp, anom = np.broadcast_arrays(*(np.asarray(x, float) for x in (
        a_km, e, i_rad, raan_rad, argp_rad, anomaly_rad)))
    if anomaly == "mean":
        nu = true_from_mean(anom, e)
    elif anomaly == "true":
        nu = anom
    else:
        raise ValueError(f"anomaly must be 'true' or 'mean', not {anomaly!r}")
    p = a * (1.0 - e * e)
    cnu, snu = np.cos(nu), np.sin(nu)
    r = p / (1.0 + e * cnu)
    sq = np.sqrt(mu / p)
    r_pf = np.stack([r * cnu, r * snu, np.zeros_like(r)], axis=-1)
    v_pf = np.stack([-sq * snu, sq * (e + cnu), np.zeros_like(r)], axis=-1)
    rot = _perifocal_to_inertial(raan, i, argp)
    return np.einsum("...ij,...j->...i", rot, r_pf), np.einsum("...ij,...j->...i", rot, v_pf)


def _perifocal_to_inertial(raan: Array, i: Array, argp: Array) -> Array:
    co, so = np.cos(raan), np.sin(raan)
    ci, si = np.cos(i), np.sin(i)
    cw, sw = np.cos(argp), np.sin(argp)
    return np.stack([
        np.stack([co * cw - so * sw * ci, -co * sw - so * cw * ci, so * si], axis=-1),
        np.stack([so * cw + co * sw * ci, -so * sw + co * cw * ci, -co * si], axis=-1),
        np.stack([sw * si, cw * si, ci], axis=-1),
    ], axis=-2)


def state_to_elements(r_km: ArrayLike, v_km_s: ArrayLike,
                      mu: float = MU_EARTH_KM3_S2) -> KeplerElements:
    """Osculating classical elements from position [km] and velocity [km/s] ``(..., 3)``.

    Angles in [0, 2π) (Ω, ω, ν, M of elliptic orbits). Equatorial orbits: Ω = 0 and ω measured
    from +x; circular orbits: ω = 0 and ν measured from the node.
    """
    r = np.asarray(r_km, float)
    v = np.asarray(v_km_s, float)
    rn = np.linalg.norm(r, axis=-1)
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=-1)
    node = np.stack([-h[..., 1], h[..., 0], np.zeros_like(hn)], axis=-1)
    nn = np.linalg.norm(node, axis=-1)
    e_vec = (np.cross(v, h) / mu) - r / rn[..., None]
    e = np.linalg.norm(e_vec, axis=-1)
    energy = 0.5 * _dot(v, v) - mu / rn
    with np.errstate(divide="ignore", invalid="ignore"):
        a = -mu / (2.0 * energy)
        i = np.arccos(np.clip(h[..., 2] / hn, -1.0, 1.0))
        small = 1e-11
        equatorial = nn < small * hn
        circular = e < small
        # fall-back reference directions for the degenerate cases
        x_hat = np.where(equatorial[..., None], np.array([1.0, 0.0, 0.0]),
                         node / np.where(nn > 0, nn, 1.0)[..., None])
        raan = np.where(equatorial, 0.0, np.arctan2(node[..., 1], node[..., 0]))
        h_hat = h / hn[..., None]
        y_hat = np.cross(h_hat, x_hat)
        argp = np.where(circular, 0.0, np.arctan2(_dot(e_vec, y_hat), _dot(e_vec, x_hat)))
        p_hat = np.where(circular[..., None], x_hat, e_vec / np.where(e > 0, e, 1.0)[..., None])
        q_hat = np.cross(h_hat, p_hat)
        nu = np.arctan2(_dot(r, q_hat), _dot(r, p_hat))
    two_pi = 2.0 * np.pi
    raan, argp, nu = np.mod(raan, two_pi), np.mod(argp, two_pi), np.mod(nu, two_pi)
    m = mean_from_true(nu, e)
    m = np.where(e < 1.0, np.mod(m, two_pi), m)
    return KeplerElements(a, e, i, raan, argp, nu, m)


def _stumpff(z: Array) -> tuple[Array, Array]:
    """Stumpff functions c2(z), c3(z), with series near z = 0."""
    c2 = np.empty_like(z)
    c3 = np.empty_like(z)
    pos, neg = z > 1e-6, z < -1e-6
    mid = ~(pos | neg)
    sp = np.sqrt(z[pos])
    c2[pos] = (1.0 - np.cos(sp)) / z[pos]
    c3[pos] = (sp - np.sin(sp)) / sp**3
    sn = np.sqrt(-z[neg])
    c2[neg] = (1.0 - np.cosh(sn)) / z[neg]
    c3[neg] = (np.sinh(sn) - sn) / sn**3
    zm = z[mid]
    c2[mid] = 0.5 - zm / 24.0 + zm * zm / 720.0
    c3[mid] = 1.0 / 6.0 - zm / 120.0 + zm * zm / 5040.0
    return c2, c3


def kepler_propagate(r0_km: ArrayLike, v0_km_s: ArrayLike, dt_s: ArrayLike,
              mu: float = MU_EARTH_KM3_S2, tol: float = 1e-14) -> tuple[Array, Array]:
    """Two-body state after ``dt_s`` [s] from ``(r0, v0)`` [km, km/s] (universal variables).

    ``r0``, ``v0`` are ``(..., 3)``; ``dt_s`` broadcasts against ``r0[..., 0]``. Returns position
    [km] and velocity [km/s] with the broadcast shape ``(..., 3)``. Any conic, any dt (negative:
    backwards); multi-revolution elliptic arcs are reduced by whole periods first, so accuracy
    does not degrade with the number of revolutions.
    """
    r0 = np.asarray(r0_km, float)
    v0 = np.asarray(v0_km_s, float)
    dt = np.asarray(dt_s, float)
    shape = np.broadcast_shapes(r0.shape[:-1], v0.shape[:-1], dt.shape)
    r0 = np.broadcast_to(r0, (*shape, 3)).reshape(-1, 3)
    v0 = np.broadcast_to(v0, (*shape, 3)).reshape(-1, 3)
    dt = np.broadcast_to(dt, shape).reshape(-1).copy()
    sqmu = np.sqrt(mu)
    rn = np.linalg.norm(r0, axis=-1)
    rv = _dot(r0, v0)
    alpha = 2.0 / rn - _dot(v0, v0) / mu  # 1/a [1/km]
    ell = alpha > 1e-12
    period = np.where(ell, 2.0 * np.pi / np.sqrt(mu * np.abs(alpha) ** 3), np.inf)
    dt_red = np.where(ell, dt - period * np.round(dt / np.where(ell, period, 1.0)), dt)
    # initial guesses (Vallado Algorithm 8)
    chi = np.where(ell, sqmu * dt_red * alpha, 0.0)
    hyp = alpha < -1e-12
    if np.any(hyp):
        a = 1.0 / alpha[hyp]
        s = np.sign(dt_red[hyp])
        arg = (-2.0 * mu * alpha[hyp] * dt_red[hyp]
               / (rv[hyp] + s * np.sqrt(-mu * a) * (1.0 - rn[hyp] * alpha[hyp])))
        chi[hyp] = s * np.sqrt(-a) * np.log(np.where(arg > 0, arg, 1.0))
    par = ~(ell | hyp)
    if np.any(par):  # near-parabolic: a cube-root guess from Barker's equation is overkill
        chi[par] = sqmu * dt_red[par] / rn[par]
    sig0 = rv / sqmu
    for _ in range(200):
        # Laguerre–Conway iteration (Conway 1986), robust for near-radial orbits
        z = alpha * chi * chi
        c2, c3 = _stumpff(z)
        f_val = chi**3 * c3 + sig0 * chi * chi * c2 + rn * chi * (1.0 - z * c3) - sqmu * dt_red
        d1 = chi * chi * c2 + sig0 * chi * (1.0 - z * c3) + rn * (1.0 - z * c2)
        d2 = sig0 * (1.0 - z * c2) + (1.0 - alpha * rn) * chi * (1.0 - z * c3)
        disc = np.sqrt(np.abs(16.0 * d1 * d1 - 20.0 * f_val * d2))
        step = 5.0 * f_val / (d1 + np.sign(d1) * disc)
        chi = chi - step
        if np.all(np.abs(step) <= tol * (1.0 + np.abs(chi))):
            break
    z = alpha * chi * chi
    c2, c3 = _stumpff(z)
    r_new = chi * chi * c2 + rv / sqmu * chi * (1.0 - z * c3) + rn * (1.0 - z * c2)
    f = 1.0 - chi * chi / rn * c2
    g = dt_red - chi**3 / sqmu * c3
    gd = 1.0 - chi * chi / r_new * c2
    fd = sqmu / (r_new * rn) * chi * (z * c3 - 1.0)
    r1 = f[:, None] * r0 + g[:, None] * v0
    v1 = fd[:, None] * r0 + gd[:, None] * v0
    return r1.reshape(*shape, 3), v1.reshape(*shape, 3)


def j2_secular_rates(a_km: ArrayLike, e: ArrayLike, i_rad: ArrayLike, *,
                     mu: float = MU_EARTH_KM3_S2, r_eq_km: float = R_EARTH_KM,
                     j2: float = J2_EARTH,
                     mean_anomaly_j2: bool = True) -> tuple[Array, Array, Array]:
    """First-order J2 secular rates (Ω̇, ω̇, Ṁ) [rad/s] (formulas in the module docstring).

    ``mean_anomaly_j2=False`` gives Ṁ = n, the GTOC9 debris convention.
    """
    a = np.asarray(a_km, float)
    e = np.asarray(e, float)
    i = np.asarray(i_rad, float)
    n = np.sqrt(mu / a**3)
    p = a * (1.0 - e * e)
    k = j2 * (r_eq_km / p) ** 2 * n
    ci = np.cos(i)
    raan_dot = -1.5 * k * ci
    argp_dot = 0.75 * k * (5.0 * ci * ci - 1.0)
    m_dot = n + (0.75 * k * np.sqrt(1.0 - e * e) * (3.0 * ci * ci - 1.0) if mean_anomaly_j2
                 else 0.0 * n)
    return raan_dot, argp_dot, m_dot


def j2_node_rate(a_km: ArrayLike, e: ArrayLike, i_rad: ArrayLike, *,
                 mu: float = MU_EARTH_KM3_S2, r_eq_km: float = R_EARTH_KM,
                 j2: float = J2_EARTH) -> Array:
    """Secular J2 node rate Ω̇ = −(3/2) n J2 (R_e/p)² cos i [rad/s] (Vallado Eq. 9-41); broadcasts.

    The one node-rate formula of the house (the ``Ω̇`` of :func:`j2_secular_rates`), for callers
    that need only the drift of the orbital plane.
    """
    return j2_secular_rates(a_km, e, i_rad, mu=mu, r_eq_km=r_eq_km, j2=j2)[0]


def j2_node_rate_gradient(a_km: ArrayLike, e: ArrayLike, i_rad: ArrayLike, *,
                          mu: float = MU_EARTH_KM3_S2, r_eq_km: float = R_EARTH_KM,
                          j2: float = J2_EARTH) -> tuple[Array, Array, Array]:
    """Ω̇ [rad/s] and its partial derivatives ∂Ω̇/∂a [rad/s per km] and ∂Ω̇/∂i [rad/s per rad].

    From Ω̇ ∝ a^(−7/2) (1 − e²)^(−2) cos i (e fixed): ∂Ω̇/∂a = −(7/2) Ω̇ / a and
    ∂Ω̇/∂i = −Ω̇ tan i. These linearise the plane drift of a slightly raised or tilted orbit (a
    drift orbit, a split plane change), which is what the route and campaign estimates use.
    """
    rate = j2_node_rate(a_km, e, i_rad, mu=mu, r_eq_km=r_eq_km, j2=j2)
    return rate, -3.5 * rate / np.asarray(a_km, float), -rate * np.tan(i_rad)


def pericentre_radius(r_km: ArrayLike, v_km_s: ArrayLike,
                      mu: float = MU_EARTH_KM3_S2) -> Array:
    """Osculating pericentre radius r_p = h² / (μ (1 + e)) [km] of states ``(..., 3)``.

    Valid for every conic (elliptic, parabolic, hyperbolic); 0 for a rectilinear orbit.
    """
    r = np.asarray(r_km, float)
    v = np.asarray(v_km_s, float)
    h = np.cross(r, v)
    e_vec = np.cross(v, h) / mu - r / np.linalg.norm(r, axis=-1)[..., None]
    return _dot(h, h) / (mu * (1.0 + np.linalg.norm(e_vec, axis=-1)))


@dataclass(frozen=True, slots=True)
class SecularJ2Ephemeris:
    """Orbits that move by Kepler plus J2 secular drift (the GTOC9 debris model), vectorised.

    Arrays broadcast together (one entry per object): mean-or-osculating elements at their own
    ``epoch_s`` [s, any time scale shared with the ``t_s`` passed to :meth:`state`], a [km],
    angles [rad]. a, e, i stay fixed; Ω, ω and M advance with :func:`j2_secular_rates`; the
    state is the Keplerian conversion without the Ω̇, ω̇ velocity terms (as GTOC9 prescribes).
    Implements the target-ephemeris protocol ``state(t_s) -> (r_km, v_km_s)``.
    """

    a_km: Array
    e: Array
    i_rad: Array
    raan_rad: Array
    argp_rad: Array
    m_rad: Array
    epoch_s: Array
    mean_anomaly_j2: bool = False
    mu: float = MU_EARTH_KM3_S2
    r_eq_km: float = R_EARTH_KM
    j2: float = J2_EARTH

    @classmethod
    def from_arrays(cls, a_km: ArrayLike, e: ArrayLike, i_rad: ArrayLike, raan_rad: ArrayLike,
                    argp_rad: ArrayLike, m_rad: ArrayLike, epoch_s: ArrayLike,
                    **kw: object) -> SecularJ2Ephemeris:
        """Build from array-likes (converted to float arrays)."""
        arrs = [np.asarray(x, float) for x in (a_km, e, i_rad, raan_rad, argp_rad, m_rad,
                                                epoch_s)]
        return cls(*arrs, **kw)  # type: ignore[arg-type]

    def take(self, index: ArrayLike) -> SecularJ2Ephemeris:
        """The sub-ephemeris of the objects at ``index`` (numpy fancy indexing)."""
        fields = np.broadcast_arrays(*self._arrays())
        return SecularJ2Ephemeris(*(f[index] for f in fields),
                                  mean_anomaly_j2=self.mean_anomaly_j2, mu=self.mu,
                                  r_eq_km=self.r_eq_km, j2=self.j2)

    def _arrays(self) -> tuple[Array, ...]:
        return (self.a_km, self.e, self.i_rad, self.raan_rad, self.argp_rad, self.m_rad,
                self.epoch_s)

    def rates(self) -> tuple[Array, Array, Array]:
        """(Ω̇, ω̇, Ṁ) [rad/s] of each object."""
        return j2_secular_rates(self.a_km, self.e, self.i_rad, mu=self.mu, r_eq_km=self.r_eq_km,
                                j2=self.j2, mean_anomaly_j2=self.mean_anomaly_j2)

    def elements_at(self, t_s: ArrayLike) -> KeplerElements:
        """Elements at ``t_s`` [s] (broadcast against the objects); ν from M by Kepler."""
        t = np.asarray(t_s, float)
        raan_dot, argp_dot, m_dot = self.rates()
        dt = t - self.epoch_s
        raan = np.mod(self.raan_rad + raan_dot * dt, 2.0 * np.pi)
        argp = np.mod(self.argp_rad + argp_dot * dt, 2.0 * np.pi)
        m = np.mod(self.m_rad + m_dot * dt, 2.0 * np.pi)
        a, e, i, raan, argp, m = np.broadcast_arrays(self.a_km, self.e, self.i_rad, raan, argp, m)
        return KeplerElements(a, e, i, raan, argp, true_from_mean(m, e), m)

    def state(self, t_s: ArrayLike) -> tuple[Array, Array]:
        """Position [km] and velocity [km/s] ``(..., 3)`` of each object at ``t_s`` [s]."""
        el = self.elements_at(t_s)
        return elements_to_state(el.a_km, el.e, el.i_rad, el.raan_rad, el.argp_rad, el.nu_rad,
                                 mu=self.mu)
