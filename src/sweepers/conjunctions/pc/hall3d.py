"""Hall's 3D-Nc: expected number of collisions for curvilinear two-body motion (Pc ~ Nc).

References: D. T. Hall (2021), "Expected Collision Rates for Tracked Satellites", JSR 58(3)
715-728 ("H21"); V. T. Coppola (2012), "Including Velocity Uncertainty in the Probability of
Collision Between Space Objects", AAS 12-247 ("C12"); NASA CARA's ``Pc3D_Hall`` (the method's
reference implementation, read for its conventions; this code is our own).

Model. Each object's state at TCA is a Gaussian in *equinoctial elements* (the Cartesian
covariance mapped linearly, ``Q = K P K'`` with ``K = dE/dX``); elements move on two-body
orbits (only the mean longitude advances), so the distribution at time ``t`` is non-Gaussian
in Cartesian space. At each ``t`` both distributions are linearised about an expansion point
that is iterated to the *peak overlap position* (POP) of the two position densities (H21
sec. IV; the first iterate is Coppola's expansion about the mean states). The linearised joint
relative state is Gaussian with mode ``(ru, vu)`` and covariance ``[[A, B'], [B, C]]``, and the
collision rate is the inward probability flux through the HBR sphere (C12 eq. 36)::

    dNc/dt = R^2 Int_{|u|=1} N3(R u - ru; A) E[max(0, -u.v) | r = R u] dOmega(u),
    v | r ~ N(vu + B A^-1 (r - ru), C - B A^-1 B'),

``Nc = Int dNc/dt dt`` over the encounter segment; for one isolated conjunction Nc = Pc
(H21 sec. II). Position eigenvalues are clipped at ``(1e-4 HBR)^2`` as in the 2D methods.

Why equinoctial rather than the Cartesian two-body state-transition matrix: expanding about the
*mean* states (Coppola's scheme; the POP loop's first iterate) is mathematically the same as
propagating the 6x6 Cartesian covariance with the two-body STM, because linear maps compose
(``dX(t)/dE0 K = Phi(t)``). Measured on the CARA cases, that mean expansion already reproduces
CARA's 3D-Nc to <= 1e-3 (Alfano 1-4, 9-11 to <= 0.1%): the curvilinear mean motion and the
time integral of the rate carry the 3D effect there. The POP expansion in elements matters
only when the in-track uncertainty is large against the orbit's curvature over the encounter
(the Gaussian in elements then bends along the orbit); it is kept to follow H21/CARA, and costs
little (a few iterations per time, vectorised).

Numerics (our own): the Jacobians ``dX(t)/dE0`` come from complex-step differentiation
(:mod:`.equinoctial`); the unit-sphere integral uses composite Gauss-Legendre panels in
``cos(theta)`` and azimuth about the covariance's principal axes, graded about where a thin
density meets the sphere (:func:`_sphere_nodes`); the time integral is adaptive
Gauss-Legendre bisection seeded with panels about the linear-motion TCA.

Units: m, m/s, m², s (inertial frame); ``mu`` in m³/s².
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from sweepers.conjunctions.pc import equinoctial as eq
from sweepers.conjunctions.pc.encounter import CLIP_FACTOR
from sweepers.conjunctions.pc.kepler import propagate_samples
from sweepers.conjunctions.pc.result import PcInputError, PcMethod, PcResult
from sweepers.conjunctions.pc.usage import orbital_period_s
from sweepers.orbits.constants import MU_EARTH_M3_S2

POP_TOL = 1e-6  # convergence of the POP: squared Mahalanobis step (H21; CARA MD2tol)
POP_RELAXED_TOL = 1e-3  # accepted after AVG_ITER iterations of slow convergence
POP_MAX_ITER = 100
OSC_ITER, ACC_ITER, AVG_ITER = 15, 25, 35  # oscillation check, tolerance relaxation, averaging
SPHERE_NU, SPHERE_NPHI = 8, 8  # Gauss-Legendre nodes per polar / azimuth panel
TIME_NODES = 8  # Gauss-Legendre nodes per time panel
TIME_RTOL = 1e-5  # relative accuracy target of the time integral
_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, slots=True)
class _Object:
    e0: NDArray[np.float64]  # equinoctial elements at TCA
    q0: NDArray[np.float64]  # equinoctial covariance at TCA


def _object(r: NDArray, v: NDArray, cov: NDArray, mu: float, name: str) -> _Object:
    c = np.asarray(cov, float)
    if c.shape != (6, 6):
        raise PcInputError(f"{name}: 3D-Nc needs a 6x6 [r v] covariance, got {c.shape}")
    e0, q = eq.covariance(np.r_[r, v], c, mu)
    if not np.all(np.isfinite(e0)) or e0[1] ** 2 + e0[2] ** 2 >= 1.0:
        raise PcInputError(f"{name}: state is not a bound orbit")
    return _Object(e0, q)


def _clipped_inverse(a: NDArray, floor: float) -> tuple[NDArray, NDArray]:
    """Inverse and log-determinant of symmetric ``(..., 3, 3)`` with eigenvalues >= floor."""
    lam, vec = np.linalg.eigh(0.5 * (a + np.swapaxes(a, -1, -2)))
    lam = np.maximum(lam, floor)
    inv = np.einsum("...ij,...j,...kj->...ik", vec, 1.0 / lam, vec)
    return inv, np.sum(np.log(lam), axis=-1)


def _mv(m: NDArray, x: NDArray) -> NDArray:
    return np.einsum("...ij,...j->...i", m, x)


def _expand(obj: _Object, es0: NDArray, t: NDArray, xs: NDArray,
            jac: NDArray) -> tuple[NDArray, NDArray]:
    """Mode ``xu = xs + J (E0 - Es0)`` and covariance ``J Q J'`` of the linearised density."""
    de = obj.e0 - es0
    de[..., 5] = np.arcsin(np.sin(obj.e0[5] - es0[..., 5]))
    p = jac @ obj.q0 @ np.swapaxes(jac, -1, -2)
    return xs + _mv(jac, de), 0.5 * (p + np.swapaxes(p, -1, -2))


def peak_overlap(t: NDArray, o1: _Object, o2: _Object, hbr: float,
                 mu: float) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """POP expansion at times ``t`` (K,): modes ``xu1, xu2`` (K,6), covariance sum (K,6,6), status.

    Status: 1 converged, 0.5 relaxed convergence, 0 not converged, -1 unbound expansion orbit.
    """
    floor = (CLIP_FACTOR * hbr) ** 2
    k = t.shape[0]
    es = [np.broadcast_to(o.e0, (k, 6)).copy() for o in (o1, o2)]
    sj = [eq.state_and_jacobian(e, t, mu) for e in es]
    xs = [s for s, _ in sj]
    jac = [j for _, j in sj]
    status = np.zeros(k)
    active = np.ones(k, bool)
    mu_old = np.full((k, 3), np.nan)
    mu_old2 = np.full((k, 3), np.nan)
    rem = hbr**2 * np.eye(3)
    for it in range(POP_MAX_ITER + 1):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        mode, ainv, bmat = [], [], []
        for o, e_i, x_i, j_i in zip((o1, o2), es, xs, jac, strict=True):
            xu, p = _expand(o, e_i[idx], t[idx], x_i[idx], j_i[idx])
            p = np.where(np.isfinite(p), p, 0.0)  # undefined expansion: caught as unbound below
            inv, _ = _clipped_inverse(p[:, :3, :3], floor)
            mode.append(xu)
            ainv.append(inv)
            bmat.append(p[:, 3:, :3])
        sig_inv = ainv[0] + ainv[1]
        sig = np.linalg.inv(sig_inv)
        mup = _mv(sig, _mv(ainv[0], mode[0][:, :3]) + _mv(ainv[1], mode[1][:, :3]))
        if it > AVG_ITER:
            mup = 0.5 * (mup + mu_old[idx])
        vel = [m[:, 3:] + _mv(b @ a, mup - m[:, :3]) for m, a, b in zip(mode, ainv, bmat,
                                                                        strict=True)]
        rmag = np.linalg.norm(mup, axis=1)
        with np.errstate(over="ignore", invalid="ignore"):
            bound = np.all([np.isfinite(rmag) & np.all(np.isfinite(w), axis=1)
                            & (0.5 * np.sum(w * w, axis=1) - mu / rmag < 0) for w in vel], axis=0)
        done = np.zeros(idx.size)
        if it > 0:
            rinv = np.linalg.inv(sig + rem)
            dm = mu_old[idx] - mup
            dmd2 = np.einsum("ki,kij,kj->k", dm, rinv, dm)
            dmo = mu_old2[idx] - mup
            dmd2o = np.einsum("ki,kij,kj->k", dmo, rinv, dmo)
            if it <= ACC_ITER:
                cut = POP_TOL
            elif it <= AVG_ITER:
                frac = (it - ACC_ITER) / (AVG_ITER - ACC_ITER)
                cut = math.exp((1 - frac) * math.log(POP_TOL) + frac * math.log(POP_RELAXED_TOL))
            else:
                cut = POP_RELAXED_TOL
            done = np.where(dmd2 <= POP_TOL, 1.0, 0.0)
            if it > OSC_ITER:
                relaxed = (dmd2o <= POP_TOL) | (dmd2 <= cut)
                done = np.where((done == 0) & relaxed, 0.5, done)
        # new expansion states at the POP, mapped back to equinoctial elements at TCA
        new = []
        for w in vel:
            xnew = np.concatenate([mup, w], axis=1)
            with np.errstate(over="ignore", invalid="ignore"):
                enew = eq.from_cartesian(xnew, mu)
            bound &= np.all(np.isfinite(enew), axis=1) & (enew[:, 1] ** 2 + enew[:, 2] ** 2 < 1)
            enew[:, 5] = np.mod(enew[:, 5] - enew[:, 0] * t[idx], 2.0 * np.pi)
            new.append((xnew, enew))
        good = idx[bound]
        for n, (xnew, enew) in enumerate(new):
            if good.size:
                es[n][good] = enew[bound]
                _, jac[n][good] = eq.state_and_jacobian(enew[bound], t[good], mu)
                xs[n][good] = xnew[bound]
        status[idx[~bound]] = -1.0
        status[idx[bound]] = done[bound]
        active[idx[~bound | (done > 0)]] = False
        mu_old2[idx] = mu_old[idx]
        mu_old[idx] = mup
    out = [_expand(o, e, t, x, j) for o, e, x, j in zip((o1, o2), es, xs, jac, strict=True)]
    return out[0][0], out[1][0], out[0][1] + out[1][1], status


_BAND = np.array([-24.0, -12.0, -6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0, 12.0, 24.0])
_GL_U = np.polynomial.legendre.leggauss(SPHERE_NU)
_GL_PHI = np.polynomial.legendre.leggauss(SPHERE_NPHI)


def _graded_panels(centre: NDArray, width: NDArray, lo: float, hi: float,
                   rule: tuple[NDArray, NDArray],
                   extra: NDArray | None = None) -> tuple[NDArray, NDArray]:
    """Composite Gauss-Legendre nodes/weights on [lo, hi], panels graded about ``centre``.

    ``centre`` (..., C) and ``width`` (..., C) broadcast; cut points at
    ``centre + width * _BAND`` (clipped), so a feature of that width is resolved wherever it is;
    ``extra`` (..., E) adds single cut points (kinks of the integrand).
    """
    cuts = np.clip(centre[..., None] + width[..., None] * _BAND, lo, hi)
    cuts = cuts.reshape(*cuts.shape[:-2], -1)
    parts = [np.broadcast_to(np.array([lo, hi]), (*cuts.shape[:-1], 2)), cuts]
    if extra is not None:
        parts.append(np.clip(extra, lo, hi))
    cuts = np.sort(np.concatenate(parts, axis=-1), axis=-1)
    a, b = cuts[..., :-1, None], cuts[..., 1:, None]
    x, w = rule
    nodes = 0.5 * (a + b) + 0.5 * (b - a) * x
    wts = 0.5 * (b - a) * w
    return nodes.reshape(*nodes.shape[:-2], -1), wts.reshape(*wts.shape[:-2], -1)


def _sphere_nodes(lam: NDArray, m: NDArray, hbr: float,
                  flow: NDArray) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Sphere rule adapted to each density: node components (K, N) x3 and weights (K, N).

    Components are along the principal axes of the position covariance (variances ``lam``
    ascending, miss ``m``). The pole is the thinnest axis, azimuth zero the middle one. A
    density thin compared with HBR meets the sphere in a band about ``cos(theta) = m0/HBR``
    (width ``s_min/HBR``) and, if the middle axis is thin too, in spots about
    ``cos(phi) = m1/(HBR sin(theta))``; the composite Gauss-Legendre panels in ``cos(theta)``
    and ``phi`` are graded about those (:func:`_graded_panels`), so thin and round
    covariances are integrated alike. The inward flux ``max(0, -v.u)`` has a kink on the great
    circle normal to the mean relative velocity ``flow``: the azimuth panels are also cut there.
    """
    k = len(lam)
    sig = np.sqrt(lam) / hbr  # in units of HBR
    mh = m / hbr
    u, wu = _graded_panels(np.clip(mh[:, :1], -1.0, 1.0), sig[:, :1], -1.0, 1.0, _GL_U)
    rho = np.sqrt(np.maximum(1.0 - u * u, 1e-300))  # (K, U)
    c = np.clip(mh[:, 1:2] / rho, -1.0, 1.0)
    centre = np.arccos(c)
    sin_c = np.sqrt(1.0 - c * c)
    s_mid = sig[:, 1:2] / rho
    width = np.minimum(s_mid / np.maximum(sin_c, np.sqrt(s_mid)), 0.5)
    alpha = np.arctan2(flow[:, 2:], flow[:, 1:2])
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_k = -flow[:, :1] * u / (rho * np.hypot(flow[:, 1:2], flow[:, 2:]))
    dk = np.arccos(np.clip(np.nan_to_num(cos_k, nan=1.0), -1.0, 1.0))
    kinks = np.stack([alpha + dk, alpha - dk], axis=-1) % (2 * np.pi)
    phi, wp = _graded_panels(np.stack([centre, -centre], axis=-1) % (2 * np.pi),
                             np.stack([width, width], axis=-1), 0.0, 2 * np.pi, _GL_PHI,
                             extra=kinks)
    st = rho[..., None]
    shape = (k, -1)
    z = np.broadcast_to(u[..., None], phi.shape).reshape(shape)
    return (z, (st * np.cos(phi)).reshape(shape), (st * np.sin(phi)).reshape(shape),
            (wu[..., None] * wp).reshape(shape))


def _quad_form(m: NDArray, x: NDArray, y: NDArray, z: NDArray) -> NDArray:
    """``r' M r`` for symmetric (K,3,3) ``M`` and node components (K,N) — elementwise, fast."""
    return (m[:, 0, 0, None] * x * x + m[:, 1, 1, None] * y * y + m[:, 2, 2, None] * z * z
            + 2.0 * (m[:, 0, 1, None] * x * y + m[:, 0, 2, None] * x * z
                     + m[:, 1, 2, None] * y * z))


def collision_rate(ru: NDArray, vu: NDArray, ps: NDArray, hbr: float) -> NDArray:
    """dNc/dt [1/s] (K,) for relative modes ``ru, vu`` (K,3) and joint covariances (K,6,6).

    Evaluated in the principal axes of the position covariance, where the Mahalanobis
    distance is a sum of squares; times whose whole HBR sphere lies beyond 1491 squared
    Mahalanobis units (``exp(-MD2/2)`` = 0 in double precision, as CARA's cut-off) give 0.
    """
    floor = (CLIP_FACTOR * hbr) ** 2
    out = np.zeros(len(ru))
    finite = np.all(np.isfinite(ps.reshape(len(ps), -1)), axis=1) & np.all(
        np.isfinite(np.c_[ru, vu]), axis=1)
    if not np.all(finite):
        out[~finite] = np.nan
        out[finite] = collision_rate(ru[finite], vu[finite], ps[finite], hbr)
        return out
    a = 0.5 * (ps[:, :3, :3] + np.swapaxes(ps[:, :3, :3], -1, -2))
    lam, vec = np.linalg.eigh(a)
    lam = np.maximum(lam, floor)
    m = np.einsum("kji,kj->ki", vec, ru)  # miss in principal axes
    md2_centre = np.sum(m * m / lam, axis=1)
    near = md2_centre - 2.0 * hbr * np.sqrt(np.sum(m * m / lam**2, axis=1)) <= 1491.0
    if not np.any(near):
        return out
    vec, lam, m = vec[near], lam[near], m[near]
    rot = lambda x: np.swapaxes(vec, -1, -2) @ x @ vec  # noqa: E731 - to principal axes
    b = rot(ps[near][:, 3:, :3])  # velocity-position block
    c = rot(ps[near][:, 3:, 3:])
    bs = b / lam[:, None, :]  # B A^-1 (A diagonal here)
    csp = c - bs @ np.swapaxes(b, -1, -2)
    bsym = 0.5 * (bs + np.swapaxes(bs, -1, -2))
    w = np.einsum("kji,kj->ki", vec, vu[near]) - np.einsum("kij,kj->ki", bs, m)
    x, y, z, wts = _sphere_nodes(lam, m, hbr, w)
    md2 = ((hbr * x - m[:, :1]) ** 2 / lam[:, :1] + (hbr * y - m[:, 1:2]) ** 2 / lam[:, 1:2]
           + (hbr * z - m[:, 2:]) ** 2 / lam[:, 2:])
    sig2 = _quad_form(csp, x, y, z)
    nu0 = w[:, :1] * x + w[:, 1:2] * y + w[:, 2:] * z + hbr * _quad_form(bsym, x, y, z)
    sig = np.sqrt(np.maximum(sig2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = nu0 / (math.sqrt(2.0) * sig)
        sp = np.maximum(s, 0.0)
        h = np.where(s >= 0, np.exp(-sp * sp) * (1.0 - _SQRT_PI * sp * special.erfcx(sp)),
                     np.exp(-s * s) - _SQRT_PI * s * special.erfc(s))
        flux = np.where(sig2 > 0, sig * h / _SQRT_2PI, np.maximum(-nu0, 0.0))
    log_norm = 0.5 * (3.0 * math.log(2.0 * math.pi) + np.sum(np.log(lam), axis=1))
    log_n3 = -0.5 * md2 - log_norm[:, None]
    out[near] = hbr**2 * np.sum(flux * np.exp(log_n3) * wts, axis=1)
    return out


def _reorient_if_retrograde(states: list[NDArray], covs: list[NDArray]) -> bool:
    """CARA's fix for the i = 180 deg element singularity (axes permuted), in place."""
    if not any(eq.is_retrograde(s) for s in states):
        return False
    m6 = eq.REORIENT_6
    for i in range(len(states)):
        states[i] = m6 @ states[i]
        covs[i] = m6 @ covs[i] @ m6.T
    return True


def encounter_segment_s(r1: NDArray, v1: NDArray, r2: NDArray, v2: NDArray,
                        mu: float = MU_EARTH_M3_S2) -> tuple[float, float]:
    """Times [s from TCA] of the mean-separation maxima bracketing TCA (two-body), H21.

    Falls back to half the shorter orbital period on each side when no bracketing maxima
    exist (e.g. co-orbiting objects).
    """
    p1, p2 = orbital_period_s(r1, v1, mu), orbital_period_s(r2, v2, mu)
    half = 0.5 * min(p1, p2)
    span = min(1.1 * max(p1, p2), 2.2 * min(p1, p2))
    ts = np.linspace(-span, span, 401)

    def sep2(t: NDArray | float) -> NDArray:
        a, _ = propagate_samples(r1, v1, np.atleast_1d(t), mu)
        b, _ = propagate_samples(r2, v2, np.atleast_1d(t), mu)
        return np.sum((b - a) ** 2, axis=-1)

    d2 = sep2(ts)
    interior = np.nonzero((d2[1:-1] > d2[:-2]) & (d2[1:-1] >= d2[2:]))[0] + 1
    lo = [i for i in interior if ts[i] < 0]
    hi = [i for i in interior if ts[i] > 0]
    if not lo or not hi:
        return -half, half
    bounds = []
    for i in (lo[-1], hi[0]):
        res = optimize.minimize_scalar(lambda t: -float(sep2(t)[0]),
                                       bounds=(ts[i - 1], ts[i + 1]), method="bounded")
        bounds.append(float(res.x))
    return bounds[0], bounds[1]


def _linear_peak(r: NDArray, v: NDArray, a: NDArray, hbr: float) -> tuple[float, float]:
    """Rectilinear Mahalanobis TCA and its time scale sigma_T [s] (C12)."""
    ainv, _ = _clipped_inverse(a, (CLIP_FACTOR * hbr) ** 2)
    vav = float(v @ ainv @ v)
    if vav <= 0:
        return 0.0, math.inf
    return -float(r @ ainv @ v) / vav, 1.0 / math.sqrt(vav)


def pc_3d_hall(
    r1: ArrayLike,
    v1: ArrayLike,
    cov1: ArrayLike,
    r2: ArrayLike,
    v2: ArrayLike,
    cov2: ArrayLike,
    hbr: float,
    *,
    window_s: tuple[float, float] | None = None,
    mu: float = MU_EARTH_M3_S2,
) -> PcResult:
    """Hall (2021) 3D-Nc collision probability of two objects with states at TCA.

    ``r*``/``v*`` inertial position [m] / velocity [m/s] at TCA, ``cov*`` 6x6 ``[r v]``
    covariances [m², m²/s, m²/s²] in the same frame, ``hbr`` combined hard-body radius [m].
    ``window_s`` = (start, end) [s from TCA] bounds the time integral; default: the encounter
    segment between the mean-separation maxima bracketing TCA (:func:`encounter_segment_s`).
    ``hbr <= 0`` gives 0, ``hbr = inf`` gives 1.
    """
    hbr = float(hbr)
    s1 = np.r_[np.asarray(r1, float).ravel(), np.asarray(v1, float).ravel()]
    s2 = np.r_[np.asarray(r2, float).ravel(), np.asarray(v2, float).ravel()]
    base = {"miss_m": float(np.linalg.norm(s2[:3] - s1[:3])), "hbr_m": hbr,
            "relative_speed_m_s": float(np.linalg.norm(s2[3:] - s1[3:])),
            "method": PcMethod.HALL_3D}
    if math.isnan(hbr):
        return PcResult(pc=math.nan, reason="HBR is NaN", **base)  # type: ignore[arg-type]
    if hbr <= 0.0 or math.isinf(hbr):
        pc = 1.0 if hbr > 0 else 0.0
        return PcResult(pc=pc, log_pc=math.log(pc) if pc else -math.inf,
                        **base)  # type: ignore[arg-type]
    states, covs = [s1, s2], [np.asarray(cov1, float), np.asarray(cov2, float)]
    notes: list[str] = []
    if _reorient_if_retrograde(states, covs):
        notes.append("retrograde orbit: frame axes permuted (x,y,z)->(y,z,x) for the elements")
    s1, s2 = states
    o1 = _object(s1[:3], s1[3:], covs[0], mu, "object 1")
    o2 = _object(s2[:3], s2[3:], covs[1], mu, "object 2")
    if window_s is None:
        ta, tb = encounter_segment_s(s1[:3], s1[3:], s2[:3], s2[3:], mu)
    else:
        ta, tb = float(window_s[0]), float(window_s[1])
    comb = covs[0] + covs[1]
    t_mid, sig_t = _linear_peak(s2[:3] - s1[:3], s2[3:] - s1[3:], comb[:3, :3], hbr)

    failures = 0

    def rate(t: NDArray) -> NDArray:
        nonlocal failures
        out = np.empty(t.size)
        for lo in range(0, t.size, 128):
            tt = t[lo:lo + 128]
            xu1, xu2, ps, status = peak_overlap(tt, o1, o2, hbr, mu)
            val = collision_rate(xu2[:, :3] - xu1[:, :3], xu2[:, 3:] - xu1[:, 3:], ps, hbr)
            # an unbound iterate keeps the last bound expansion (counted and noted)
            failures += int(np.count_nonzero(status < 0))
            out[lo:lo + 128] = val
        return out

    edges = _seed_edges(ta, tb, t_mid, sig_t)
    nc, err, n_eval = _integrate(rate, edges)
    notes.append(f"time window [{ta:.6g}, {tb:.6g}] s, {n_eval} rate evaluations, "
                 f"integration error ~{err:.2g}")
    if failures:
        notes.append(f"{failures} rate evaluations had an unbound peak-overlap orbit")
    pc = min(1.0, max(nc, 0.0))
    return PcResult(pc=pc, log_pc=math.log(pc) if pc > 0 else -math.inf, abs_error=err,
                    notes=tuple(notes), **base)  # type: ignore[arg-type]


def _seed_edges(ta: float, tb: float, t_mid: float, sig_t: float) -> NDArray:
    """Initial time panels: uniform over the window plus a fine set about the linear TCA."""
    edges = list(np.linspace(ta, tb, 17))
    if math.isfinite(sig_t):
        k = np.array([-20, -8, -4, -2, -1, 0, 1, 2, 4, 8, 20], float)
        edges += list(t_mid + k * sig_t)
    e = np.unique(np.clip(edges, ta, tb))
    return e[np.r_[True, np.diff(e) > 1e-9 * max(tb - ta, 1.0)]]


def _integrate(f, edges: NDArray) -> tuple[float, float, int]:
    """Adaptive Gauss-Legendre bisection of ``Int f dt`` over panels ``edges`` (vectorised f).

    Returns (integral, error estimate, number of evaluations of ``f``).
    """
    x, w = np.polynomial.legendre.leggauss(TIME_NODES)

    def panels(a: NDArray, b: NDArray) -> NDArray:
        t = 0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * x
        vals = f(t.ravel()).reshape(t.shape)
        return 0.5 * (b - a) * np.sum(vals * w, axis=1)

    a, b = edges[:-1], edges[1:]
    est = panels(a, b)
    n_eval = est.size * TIME_NODES
    done_sum, done_err = 0.0, 0.0
    for _ in range(60):
        mid = 0.5 * (a + b)
        left, right = panels(a, mid), panels(mid, b)
        n_eval += 2 * a.size * TIME_NODES
        fine = left + right
        err = np.abs(fine - est)
        total = done_sum + float(np.sum(fine))
        tol = TIME_RTOL * abs(total) + 1e-300
        ok = (err <= 0.1 * tol) | ((b - a) < 1e-6) | ~np.isfinite(err)
        done_sum += float(np.sum(fine[ok]))
        done_err += float(np.sum(err[ok]))
        keep = ~ok
        if keep.sum() > 4096:  # evaluation budget exhausted: accept the finest estimates
            done_sum += float(np.sum(fine[keep]))
            done_err += float(np.sum(err[keep]))
            break
        if not np.any(keep):
            break
        a = np.r_[a[keep], mid[keep]]
        b = np.r_[mid[keep], b[keep]]
        est = np.r_[left[keep], right[keep]]
    else:
        done_sum += float(np.sum(est))
    return done_sum, done_err, n_eval
