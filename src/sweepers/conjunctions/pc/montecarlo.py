"""Two-body Monte Carlo collision probability (slow / long encounters where 2D is invalid).

Method (Alfano 2009 "Satellite conjunction Monte Carlo analysis"; CARA's
``Pc_MC_Kep2body_parallel``): draw both objects' states at a reference time (TCA, or an earlier
epoch), propagate every sample pair with two-body Kepler motion, and count the pairs that come
into *first contact* (separation falls below the combined HBR) inside the time window. The
estimate is ``hits/trials`` with a Clopper-Pearson 95% interval. Conventions, each of which
moves the reference numbers (findings recorded against CARA's cases):

* **Sampling space** (``sampling``): ``"equinoctial"`` (default, as CARA) draws the elements
  from ``N(E, K P K')`` — the Cartesian covariance mapped linearly to equinoctial elements —
  so in-track uncertainty follows the orbit ("banana"); ``"cartesian"`` draws ``N(x, P)``.
  The two agree for the CARA cases here within the MC noise at 4e4 trials; the choice matters
  for large in-track covariances propagated over long windows.
* **Contact at the window start is not a collision in the window.** Pairs already overlapping
  at its start are excluded (CARA counts times of first contact; Hall 2021's Nc counts
  entries). For slow leader-follower encounters (Alfano cases 11/12, 0.08 m/s) a third of the
  "min distance < HBR" samples were inside at the window edges: counting them gave 0.004 vs
  CARA's 0.0024.
* **Window** (:func:`encounter_window_s`): Coppola's (2012b) bounds, shrunk for low-speed
  events to 5% of the primary's period keeping their asymmetry about TCA (CARA's convention).
  Known gap: the vectorised screening (step 3 below) under-counts on multi-revolution windows
  (``OmitronTestCase_Test06`` over its full 16000 s Coppola bounds: 0.23 vs 0.38 from a
  brute-force grid search), so keep windows within about half a period.
* Each sample is counted once (first contact; CARA's attenuated ``Pc_att``).

Vectorised search (our own scheme; exactness rests on the last step):

1. The nominal orbits are propagated exactly on a time grid; each object's state transition
   matrix on the grid comes from central differences of the exact propagation.
2. A batch of samples is mapped linearly to the grid (one matrix product) and, between grid
   nodes, moved rectilinearly, giving an approximate minimum distance per sample.
3. The linearisation and rectilinear errors are *measured* on a sub-sample propagated exactly;
   every sample whose approximate minimum is below ``HBR + 3 x (measured error) + margin`` is a
   candidate.
4. Candidates are propagated exactly (Kepler) and their closest approach is refined by Newton
   iteration on ``d/dt |dr|^2 = 0``; a hit is declared only from exactly propagated distances.

All quantities are SI: m, m/s, m², s, ``mu`` in m³/s².
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from sweepers.conjunctions.pc import equinoctial as eq
from sweepers.conjunctions.pc.kepler import acceleration, propagate_samples
from sweepers.conjunctions.pc.result import PcInputError, PcMethod, PcResult
from sweepers.conjunctions.pc.usage import orbital_period_s
from sweepers.orbits.constants import MU_EARTH_M3_S2

Sampling = Literal["equinoctial", "cartesian"]


def clopper_pearson(hits: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) binomial confidence interval for ``hits/trials``."""
    alpha = 1.0 - level
    lo = 0.0 if hits == 0 else float(stats.beta.ppf(alpha / 2, hits, trials - hits + 1))
    hi = 1.0 if hits == trials else float(stats.beta.ppf(1 - alpha / 2, hits + 1, trials - hits))
    return lo, hi


def _factor(cov: ArrayLike, name: str) -> tuple[NDArray[np.float64], bool]:
    c = np.asarray(cov, float)
    if c.shape != (6, 6):
        raise PcInputError(f"{name}: Monte Carlo needs a 6x6 [r v] covariance, got {c.shape}")
    lam, vec = np.linalg.eigh(0.5 * (c + c.T))
    npd = bool(lam[0] < 0.0)
    return vec * np.sqrt(np.maximum(lam, 0.0)), npd


def coppola_bounds_s(r: NDArray[np.float64], v: NDArray[np.float64], a: NDArray[np.float64],
                     hbr: float, gamma: float = 1e-16) -> tuple[float, float]:
    """Coppola (2012b, AAS 12-248, eqs. 12-16) rectilinear encounter bounds [s from TCA].

    In the encounter frame (x along the relative velocity ``v``, y along the in-plane miss),
    the along-track position conditional on the in-plane one has mean ``q0 = b.r_yz``
    (``b = P_yz^-1 w``, ``w`` the x-yz covariance) and variance ``eta^2 - b.w``; the bounds hold
    all but ``gamma`` of the probability that crosses the HBR disc:
    ``tau0 = (q0 - HBR sqrt(1+|b|^2) - erfcinv(gamma) s) / |v|``,
    ``tau1 = (q0 + HBR |b| + erfcinv(gamma) s) / |v|``, ``s = sqrt(2 (eta^2 - b.w))``.
    ``r`` [m], ``v`` [m/s] relative state at TCA, ``a`` 3x3 relative position covariance [m²].
    """
    speed = float(np.linalg.norm(v))
    if speed < 1e-12:
        return -math.inf, math.inf
    xh = v / speed
    yh = r - xh * float(xh @ r)
    yn = float(np.linalg.norm(yh))
    yh = yh / yn if yn > 0 else np.cross(xh, np.eye(3)[int(np.argmin(np.abs(xh)))])
    yh = yh / np.linalg.norm(yh)
    rot = np.vstack([xh, yh, np.cross(xh, yh)])
    ae = rot @ a @ rot.T
    re = rot @ r
    w = ae[1:, 0]
    b = np.linalg.solve(ae[1:, 1:], w)
    spread = math.sqrt(max(0.0, 2.0 * (ae[0, 0] - float(b @ w))))
    q0 = float(b @ re[1:])
    bb = float(b @ b)
    ac = float(special.erfcinv(gamma)) * spread
    return ((q0 - hbr * math.sqrt(1.0 + bb) - ac) / speed,
            (q0 + hbr * math.sqrt(bb) + ac) / speed)


def encounter_window_s(r1: ArrayLike, v1: ArrayLike, cov1: ArrayLike, r2: ArrayLike,
                       v2: ArrayLike, cov2: ArrayLike, hbr: float, *, gamma: float = 1e-16,
                       max_period_fraction: float = 0.05,
                       mu: float = MU_EARTH_M3_S2) -> tuple[float, float]:
    """Monte Carlo time window [s, relative to TCA]: Coppola's bounds of the encounter.

    :func:`coppola_bounds_s` of the combined position covariance (all but ``gamma`` of the
    probability crosses the HBR disc inside it). As CARA's two-body MC does for "low-speed"
    events, a window longer than ``max_period_fraction`` of the primary's period is shrunk to
    that length keeping its proportions about TCA (``tau1 <- L tau1/(tau1 - tau0)``); for
    slow encounters the bounds are strongly asymmetric, so the proportions matter. Pass
    ``window_s`` to :func:`pc_monte_carlo` for a stated window.
    """
    dr = np.asarray(r2, float) - np.asarray(r1, float)
    dv = np.asarray(v2, float) - np.asarray(v1, float)
    c = np.asarray(cov1, float)[:3, :3] + np.asarray(cov2, float)[:3, :3]
    tau0, tau1 = coppola_bounds_s(dr, dv, c, hbr, gamma)
    period = orbital_period_s(r1, v1, mu)
    limit = period * max_period_fraction
    if math.isinf(tau1 - tau0):  # no relative motion: one period about TCA (or the limit)
        limit = min(limit, period)
        return -0.5 * limit, 0.5 * limit
    if tau1 - tau0 > limit:
        tau1 = limit * tau1 / (tau1 - tau0)
        tau0 = tau1 - limit
    return tau0, tau1


def _stm(r: NDArray[np.float64], v: NDArray[np.float64], times: NDArray[np.float64],
         mu: float) -> NDArray[np.float64]:
    """(K, 6, 6) state transition matrices by central differences of exact propagation."""
    x0 = np.concatenate([r, v])
    steps = np.r_[np.full(3, 1e-7 * np.linalg.norm(r)), np.full(3, 1e-7 * np.linalg.norm(v))]
    pert = np.concatenate([x0 + np.diag(steps), x0 - np.diag(steps)])  # (12, 6)
    # (12, K, 3)
    rp, vp = propagate_samples(pert[:, None, :3], pert[:, None, 3:], times[None, :], mu)
    xp = np.concatenate([rp, vp], axis=-1)
    return np.transpose((xp[:6] - xp[6:]) / (2.0 * steps[:, None, None]), (1, 2, 0))


def _segment_min(rho: NDArray[np.float64], rdot: NDArray[np.float64],
                 h: float) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """Min over grid segments of rectilinear distance: (distance, time in segment, node index)."""
    rv = np.einsum("nki,nki->nk", rho, rdot)
    vv = np.einsum("nki,nki->nk", rdot, rdot)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.clip(np.where(vv > 0, -rv / vv, 0.0), 0.0, h)
    tau[:, -1] = 0.0  # last node has no segment after it
    d2 = np.einsum("nki,nki->nk", rho, rho) + 2 * tau * rv + tau * tau * vv
    k = np.argmin(d2, axis=1)
    idx = np.arange(len(k))
    return np.sqrt(np.maximum(d2[idx, k], 0.0)), tau[idx, k], k


def _refine(x1: NDArray[np.float64], x2: NDArray[np.float64], t0: NDArray[np.float64],
            lo: NDArray[np.float64], hi: NDArray[np.float64], mu: float,
            iterations: int = 8) -> NDArray[np.float64]:
    """Exact minimum separation near ``t0`` by Newton steps on d/dt|dr|^2 (min of all evaluated)."""
    t = t0.copy()
    best = np.full(len(t), np.inf)
    for _ in range(iterations):
        ra, va = propagate_samples(x1[:, :3], x1[:, 3:], t, mu)
        rb, vb = propagate_samples(x2[:, :3], x2[:, 3:], t, mu)
        dr, dv = rb - ra, vb - va
        best = np.fmin(best, np.linalg.norm(dr, axis=1))
        g = np.einsum("ni,ni->n", dr, dv)
        gp = np.einsum("ni,ni->n", dv, dv) + np.einsum(
            "ni,ni->n", dr, acceleration(rb, mu) - acceleration(ra, mu))
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(gp > 0, -g / gp, np.sign(-g) * (hi - lo) * 0.25)
        t = np.clip(t + step, lo, hi)
    ra, _ = propagate_samples(x1[:, :3], x1[:, 3:], t, mu)
    rb, _ = propagate_samples(x2[:, :3], x2[:, 3:], t, mu)
    return np.fmin(best, np.linalg.norm(rb - ra, axis=1))


def pc_monte_carlo(
    r1: ArrayLike,
    v1: ArrayLike,
    cov1: ArrayLike,
    r2: ArrayLike,
    v2: ArrayLike,
    cov2: ArrayLike,
    hbr: float,
    *,
    window_s: tuple[float, float] | None = None,
    trials: int = 100_000,
    seed: int | np.random.Generator | None = None,
    mu: float = MU_EARTH_M3_S2,
    batch: int = 20_000,
    sampling: Sampling = "equinoctial",
) -> PcResult:
    """Two-body Monte Carlo Pc (see module docstring).

    ``r*``/``v*`` [m, m/s] and 6x6 ``cov*`` [m², m²/s, m²/s²] are inertial states at one common
    reference epoch; ``window_s`` = (start, end) seconds after that epoch in which a close approach
    counts (default: :func:`encounter_window_s` about the reference epoch, i.e. states at TCA).
    ``seed`` makes the run reproducible. Non-positive-definite covariances are sampled with
    negative eigenvalues clipped to 0 (noted).
    """
    p1, w1 = np.asarray(r1, float), np.asarray(v1, float)
    p2, w2 = np.asarray(r2, float), np.asarray(v2, float)
    l1, npd1 = _factor(cov1, "cov1")
    l2, npd2 = _factor(cov2, "cov2")
    notes = []
    if npd1 or npd2:
        notes.append("non-positive-definite covariance sampled with negative eigenvalues "
                     "clipped to 0")
    if window_s is None:
        window_s = encounter_window_s(p1, w1, cov1, p2, w2, cov2, hbr, mu=mu)
    ta, tb = float(window_s[0]), float(window_s[1])
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    speed = float(np.linalg.norm(w2 - w1))
    base = {"miss_m": float(np.linalg.norm(p2 - p1)), "hbr_m": float(hbr),
            "relative_speed_m_s": speed, "method": PcMethod.MONTE_CARLO}
    if not hbr > 0:
        return PcResult(pc=0.0, hits=0, trials=0, notes=tuple(notes), **base)  # type: ignore
    period = min(orbital_period_s(p1, w1, mu), orbital_period_s(p2, w2, mu))
    n_seg = int(np.clip(math.ceil(400 * (tb - ta) / period), 16, 1500))
    times = np.linspace(ta, tb, n_seg + 1)
    h = times[1] - times[0]
    x1 = np.concatenate([p1, w1])
    x2 = np.concatenate([p2, w2])
    c1, c2 = np.asarray(cov1, float), np.asarray(cov2, float)
    retro = eq.is_retrograde(x1) or eq.is_retrograde(x2)
    n1r, n1v = propagate_samples(p1[None], w1[None], times, mu)
    n2r, n2v = propagate_samples(p2[None], w2[None], times, mu)
    nom = np.concatenate([n2r - n1r, n2v - n1v], axis=-1)  # (K, 6)
    phi1 = _stm(p1, w1, times, mu)
    phi2 = _stm(p2, w2, times, mu)
    hits = 0
    done = 0
    margin = math.nan
    while done < trials:
        n = min(batch, trials - done)
        if sampling == "equinoctial":
            d1 = eq.sample_states(x1, c1, rng.standard_normal((n, 6)), reorient=retro, mu=mu) - x1
            d2 = eq.sample_states(x2, c2, rng.standard_normal((n, 6)), reorient=retro, mu=mu) - x2
        else:
            d1 = rng.standard_normal((n, 6)) @ l1.T
            d2 = rng.standard_normal((n, 6)) @ l2.T
        rel = nom[None] + np.einsum("kij,nj->nki", phi2, d2) - np.einsum("kij,nj->nki", phi1, d1)
        dmin, tau, k = _segment_min(rel[..., :3], rel[..., 3:], h)
        s1, s2 = x1 + d1, x2 + d2
        if math.isnan(margin):
            margin = _measure_error(s1[:256], s2[:256], rel[:256], times, h, mu)
            margin = 3.0 * margin + 1e-3 * hbr
        cand = np.nonzero(dmin < hbr + margin)[0]
        if cand.size:
            tc = times[k[cand]] + tau[cand]
            lo = np.maximum(tc - 2 * h, ta)
            hi = np.minimum(tc + 2 * h, tb)
            d_exact = _refine(s1[cand], s2[cand], tc, lo, hi, mu)
            # a collision is a first contact inside the window: pairs already overlapping at
            # its start collided (if at all) before it and are not counted (CARA's MC, H21)
            ra, _ = propagate_samples(s1[cand, :3], s1[cand, 3:], ta, mu)
            rb, _ = propagate_samples(s2[cand, :3], s2[cand, 3:], ta, mu)
            fresh = np.linalg.norm(rb - ra, axis=1) >= hbr
            hits += int(np.count_nonzero((d_exact < hbr) & fresh))
        done += n
    pc = hits / trials
    ci = clopper_pearson(hits, trials)
    notes.append(f"window [{ta:.6g}, {tb:.6g}] s, {n_seg} grid segments, screening margin "
                 f"{margin:.3g} m")
    return PcResult(pc=pc, abs_error=math.sqrt(pc * (1 - pc) / trials), ci95=ci, hits=hits,
                    trials=trials, notes=tuple(notes), **base)  # type: ignore[arg-type]


def _measure_error(s1: NDArray[np.float64], s2: NDArray[np.float64], rel: NDArray[np.float64],
                   times: NDArray[np.float64], h: float, mu: float) -> float:
    """Largest |exact - (linear, rectilinear)| relative position over a sub-sample [m]."""
    mids = times[:-1] + 0.5 * h
    ra, _ = propagate_samples(s1[:, None, :3], s1[:, None, 3:], times[None, :], mu)
    rb, _ = propagate_samples(s2[:, None, :3], s2[:, None, 3:], times[None, :], mu)
    lin_err = np.max(np.linalg.norm((rb - ra) - rel[..., :3], axis=-1))
    ma, _ = propagate_samples(s1[:, None, :3], s1[:, None, 3:], mids[None, :], mu)
    mb, _ = propagate_samples(s2[:, None, :3], s2[:, None, 3:], mids[None, :], mu)
    straight = rel[:, :-1, :3] + 0.5 * h * rel[:, :-1, 3:]
    seg_err = np.max(np.linalg.norm((mb - ma) - straight, axis=-1))
    return float(lin_err + seg_err)
