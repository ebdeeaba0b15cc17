"""Lambert's problem, multi-revolution, vectorised. Units: km, km/s, s, rad; inertial frame.

Algorithm after D. Izzo, "Revisiting Lambert's problem", Celest. Mech. Dyn. Astr. 121, 1–15 (2015)
(written here from the paper's equations, not from any implementation):

* geometry: chord c, semi-perimeter s, λ² = 1 − c/s (sign of λ: short/long way), non-dimensional
  time T = √(2μ/s³)·tof;
* the unknown x (x < 1 ellipse, x = 1 parabola, x > 1 hyperbola) with y = √(1 − λ²(1 − x²));
* T(x) from Lagrange's equation written in x,
  T = [(α − sin α) − (β − sin β) + 2πN] / (2 (1 − x²)^{3/2}), cos(α/2) = x, sin(β/2) = λ√(1 − x²)
  (the hyperbolic analogue with cosh/sinh for x > 1), and from Battin's hypergeometric series
  (paper Eq. 20) within 0.01 of x = 1 where Lagrange's form cancels;
* its derivatives T', T'', T''' in closed form (paper Eq. 22), Householder's third-order iteration;
* the paper's initial guesses (Eq. 30 for N = 0, Eq. 31 for the left/right multi-revolution
  branches) and Halley's iteration on T'(x) = 0 for T_min of the largest N;
* velocities from x, y (paper Algorithm 1, radial/tangential components).

Direction: the transfer's angular momentum is along ``h_ref`` (default +z), or opposite to it
with ``prograde=False``. For near-polar and retrograde orbits (e.g. Sun-synchronous, i ≈ 98°)
pass the departure orbit's angular momentum as ``h_ref``; "+z" would pick the wrong way round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.orbits.constants import MU_EARTH_KM3_S2

Array = NDArray[np.float64]

_BATTIN_ZONE = 0.01  # |x - 1| below which T(x) uses Battin's series
_X_TOL = 1e-14


@dataclass(frozen=True, slots=True)
class LambertSolutions:
    """All solutions of ``n`` Lambert problems, ``k`` solution slots each.

    Slot ``2j`` is the left branch (smaller x) and ``2j + 1`` the right branch of
    ``revs[:, 2j]`` complete revolutions; for zero revolutions the single solution sits in the
    left slot and the right slot is invalid. ``valid`` marks existing, converged solutions;
    invalid slots hold NaN.
    """

    v1_km_s: Array  # (n, k, 3) departure velocity
    v2_km_s: Array  # (n, k, 3) arrival velocity
    revs: NDArray[np.int64]  # (n, k) complete revolutions N
    right_branch: NDArray[np.bool_]  # (n, k)
    valid: NDArray[np.bool_]  # (n, k)
    x: Array  # (n, k) Izzo's x


def _tof(x: Array, lam: Array, n_rev: Array) -> Array:
    """Non-dimensional time of flight T(x) (elementwise)."""
    out = np.empty_like(x)
    one_m_x2 = 1.0 - x * x
    battin = np.abs(x - 1.0) < _BATTIN_ZONE
    ell = (~battin) & (x < 1.0)
    hyp = (~battin) & (x > 1.0)
    if np.any(ell):
        xe, le, q = x[ell], lam[ell], one_m_x2[ell]
        alpha = 2.0 * np.arccos(xe)
        beta = 2.0 * np.arcsin(np.sqrt(le * le * q)) * np.sign(le)
        out[ell] = ((alpha - np.sin(alpha)) - (beta - np.sin(beta)) + 2.0 * np.pi * n_rev[ell]) / (
            2.0 * q**1.5)
    if np.any(hyp):
        xh, lh, q = x[hyp], lam[hyp], -one_m_x2[hyp]
        alpha = 2.0 * np.arccosh(xh)
        beta = 2.0 * np.arcsinh(np.sqrt(lh * lh * q)) * np.sign(lh)
        out[hyp] = ((np.sinh(alpha) - alpha) - (np.sinh(beta) - beta)) / (2.0 * q**1.5)
    if np.any(battin):
        xb, lb, nb = x[battin], lam[battin], n_rev[battin]
        big_e = xb * xb - 1.0
        eta = np.sqrt(1.0 + lb * lb * big_e) - lb * xb
        s1 = 0.5 * (1.0 - lb - xb * eta)
        q = 4.0 / 3.0 * _hyp2f1_3_1_52(s1)
        t = 0.5 * (eta**3 * q + 4.0 * lb * eta)
        rho = np.abs(big_e)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = t + np.where(nb > 0, nb * np.pi / rho**1.5, 0.0)
        out[battin] = t
    return out


def _hyp2f1_3_1_52(z: Array) -> Array:
    """Gauss hypergeometric 2F1(3, 1; 5/2; z) by its series (|z| small here)."""
    total = np.ones_like(z)
    term = np.ones_like(z)
    for j in range(200):
        term = term * (3.0 + j) * (1.0 + j) / (2.5 + j) * z / (j + 1.0)
        total = total + term
        if np.all(np.abs(term) < 1e-17 * np.abs(total)):
            break
    return total


def _derivatives(x: Array, t: Array, lam: Array) -> tuple[Array, Array, Array]:
    """dT/dx, d²T/dx², d³T/dx³ (Izzo 2015, Eq. 22)."""
    q = 1.0 - x * x
    y = np.sqrt(1.0 - lam * lam * q)
    l2, l3 = lam * lam, lam**3
    d1 = (3.0 * t * x - 2.0 + 2.0 * l3 * x / y) / q
    d2 = (3.0 * t + 5.0 * x * d1 + 2.0 * (1.0 - l2) * l3 / y**3) / q
    d3 = (7.0 * x * d2 + 8.0 * d1 - 6.0 * (1.0 - l2) * l3 * l2 * x / y**5) / q
    return d1, d2, d3


def _householder(x0: Array, t_target: Array, lam: Array, n_rev: Array,
                 max_iter: int = 25) -> tuple[Array, Array]:
    """Solve T(x) = t_target by Householder's 3rd-order method; returns (x, converged)."""
    x = x0.copy()
    done = np.zeros(x.shape, bool)
    for _ in range(max_iter):
        act = ~done
        if not np.any(act):
            break
        xa, la, na = x[act], lam[act], n_rev[act]
        t = _tof(xa, la, na)
        f = t - t_target[act]
        d1, d2, d3 = _derivatives(xa, t, la)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = f * (d1 * d1 - 0.5 * f * d2) / (d1 * (d1 * d1 - f * d2) + d3 * f * f / 6.0)
        x_new = xa - step
        bad = ~np.isfinite(x_new)
        x_new[bad] = xa[bad]
        x[act] = x_new
        small = np.abs(step) < _X_TOL * np.maximum(1.0, np.abs(x_new))
        done[np.flatnonzero(act)[small | bad]] = True
    ok = np.isfinite(x) & (np.abs(_tof(x, lam, n_rev) - t_target) <= 1e-11 * t_target)
    return x, ok & (n_rev == 0) | ok & (np.abs(x) < 1.0)


def _t_min(lam: Array, n_rev: Array) -> Array:
    """Minimum non-dimensional time of N-revolution solutions (Halley on T'(x) = 0)."""
    x = np.zeros_like(lam)
    for _ in range(30):
        t = _tof(x, lam, n_rev)
        d1, d2, d3 = _derivatives(x, t, lam)
        step = d1 * d2 / (d2 * d2 - 0.5 * d1 * d3)
        x = np.clip(x - step, -0.999999, 0.999999)
        if np.all(np.abs(step) < 1e-13):
            break
    return _tof(x, lam, n_rev)


def _unit(v: Array) -> Array:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def lambert(r1_km: ArrayLike, r2_km: ArrayLike, tof_s: ArrayLike, mu: float = MU_EARTH_KM3_S2,
            *, max_revs: ArrayLike = 0, min_revs: ArrayLike = 0, prograde: bool = True,
            h_ref: ArrayLike | None = None) -> LambertSolutions:
    """Solve ``n`` Lambert problems for every revolution count N in [min_revs, max_revs].

    Parameters
    ----------
    r1_km, r2_km : (n, 3) or (3,)
        Departure and arrival positions [km], inertial frame.
    tof_s : (n,) or scalar
        Time of flight [s], > 0.
    mu : float
        Gravitational parameter [km³/s²].
    max_revs, min_revs : int or (n,) ints
        Revolution window per problem; N beyond the feasible maximum give invalid slots.
    prograde, h_ref : see the module docstring (transfer direction).

    Returns
    -------
    LambertSolutions with ``k = 2 (max(max_revs − min_revs) + 1)`` slots per problem.
    """
    r1 = np.atleast_2d(np.asarray(r1_km, float))
    r2 = np.atleast_2d(np.asarray(r2_km, float))
    tof = np.atleast_1d(np.asarray(tof_s, float))
    n = max(r1.shape[0], r2.shape[0], tof.shape[0])
    r1 = np.broadcast_to(r1, (n, 3))
    r2 = np.broadcast_to(r2, (n, 3))
    tof = np.broadcast_to(tof, (n,))
    href = np.broadcast_to(np.asarray([0.0, 0.0, 1.0] if h_ref is None else h_ref, float), (n, 3))
    n_lo = np.broadcast_to(np.asarray(min_revs, np.int64), (n,))
    n_hi = np.broadcast_to(np.asarray(max_revs, np.int64), (n,))
    width = int(np.max(n_hi - n_lo)) + 1 if n else 1

    r1n = np.linalg.norm(r1, axis=-1)
    r2n = np.linalg.norm(r2, axis=-1)
    chord = np.linalg.norm(r2 - r1, axis=-1)
    s = 0.5 * (r1n + r2n + chord)
    ir1, ir2 = r1 / r1n[:, None], r2 / r2n[:, None]
    ih = _unit(np.cross(ir1, ir2))
    lam = np.sqrt(np.clip(1.0 - chord / s, 0.0, 1.0))
    flip = np.einsum("ij,ij->i", ih, href) < 0.0
    it1 = np.where(flip[:, None], np.cross(ir1, ih), np.cross(ih, ir1))
    it2 = np.where(flip[:, None], np.cross(ir2, ih), np.cross(ih, ir2))
    it1, it2 = _unit(it1), _unit(it2)
    lam = np.where(flip, -lam, lam)
    if not prograde:
        lam, it1, it2 = -lam, -it1, -it2
    t_nd = np.sqrt(2.0 * mu / s**3) * tof

    # feasible maximum number of revolutions (paper Sec. 2.3)
    n_max = np.floor(t_nd / np.pi).astype(np.int64)
    t00 = np.arccos(lam) + lam * np.sqrt(1.0 - lam * lam)
    check = (n_max > 0) & (t_nd < t00 + n_max * np.pi)
    if np.any(check):
        t_min = _t_min(lam[check], n_max[check].astype(float))
        n_max[np.flatnonzero(check)[t_min > t_nd[check]]] -= 1

    k = 2 * width
    revs = (n_lo[:, None] + np.arange(k)[None, :] // 2).astype(np.int64)
    right = np.tile(np.arange(k) % 2 == 1, (n, 1))
    exists = (revs <= np.minimum(n_max, n_hi)[:, None]) & ~((revs == 0) & right)
    rows, cols = np.nonzero(exists)
    lam_f, t_f = lam[rows], t_nd[rows]
    nr = revs[rows, cols].astype(float)
    rt = right[rows, cols]
    x0 = _initial_guess(lam_f, t_f, nr, rt, t00[rows])
    x, ok = _householder(x0, t_f, lam_f, nr)

    # velocities (paper Algorithm 1)
    gamma = np.sqrt(mu * s / 2.0)[rows]
    rho = ((r1n - r2n) / chord)[rows]
    sigma = np.sqrt(np.clip(1.0 - rho * rho, 0.0, None))
    y = np.sqrt(1.0 - lam_f * lam_f * (1.0 - x * x))
    vr1 = gamma * ((lam_f * y - x) - rho * (lam_f * y + x)) / r1n[rows]
    vr2 = -gamma * ((lam_f * y - x) + rho * (lam_f * y + x)) / r2n[rows]
    vt = gamma * sigma * (y + lam_f * x)
    v1 = vr1[:, None] * ir1[rows] + (vt / r1n[rows])[:, None] * it1[rows]
    v2 = vr2[:, None] * ir2[rows] + (vt / r2n[rows])[:, None] * it2[rows]

    v1_out = np.full((n, k, 3), np.nan)
    v2_out = np.full((n, k, 3), np.nan)
    x_out = np.full((n, k), np.nan)
    valid = np.zeros((n, k), bool)
    v1_out[rows, cols] = np.where(ok[:, None], v1, np.nan)
    v2_out[rows, cols] = np.where(ok[:, None], v2, np.nan)
    x_out[rows, cols] = x
    valid[rows, cols] = ok
    return LambertSolutions(v1_out, v2_out, revs, right, valid, x_out)


def _initial_guess(lam: Array, t: Array, n_rev: Array, right: Array, t00: Array) -> Array:
    """Izzo 2015 Eqs. (30) (single revolution) and (31) (left/right multi-revolution)."""
    x0 = np.empty_like(lam)
    single = n_rev == 0
    t1 = 2.0 / 3.0 * (1.0 - lam**3)
    with np.errstate(divide="ignore", invalid="ignore"):
        g_hi = -(t - t00) / (t - t00 + 4.0)
        g_lo = 5.0 / 2.0 * t1 / t * (t1 - t) / (1.0 - lam**5) + 1.0
        g_mid = (t / t00) ** (np.log(2.0) / np.log(t1 / t00)) - 1.0
        guess0 = np.where(t >= t00, g_hi, np.where(t <= t1, g_lo, g_mid))
        a_l = ((n_rev * np.pi + np.pi) / (8.0 * t)) ** (2.0 / 3.0)
        a_r = ((8.0 * t) / (n_rev * np.pi)) ** (2.0 / 3.0)
        g_left = (a_l - 1.0) / (a_l + 1.0)
        g_right = (a_r - 1.0) / (a_r + 1.0)
    x0[single] = guess0[single]
    multi = ~single
    x0[multi] = np.where(right[multi], g_right[multi], g_left[multi])
    return x0


def best_lambert_dv(sol: LambertSolutions, v_dep_km_s: ArrayLike,
                    v_arr_km_s: ArrayLike) -> tuple[Array, NDArray[np.int64]]:
    """Min over solution slots of |v1 − v_dep| + |v_arr − v2| [km/s] and the chosen slot.

    Problems without any valid solution get ``inf`` and slot −1.
    """
    vd = np.asarray(v_dep_km_s, float)[:, None, :]
    va = np.asarray(v_arr_km_s, float)[:, None, :]
    dv = np.linalg.norm(sol.v1_km_s - vd, axis=-1) + np.linalg.norm(va - sol.v2_km_s, axis=-1)
    dv = np.where(sol.valid, dv, np.inf)
    slot = np.argmin(dv, axis=1)
    best = dv[np.arange(dv.shape[0]), slot]
    return best, np.where(np.isfinite(best), slot, -1)
