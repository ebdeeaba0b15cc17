"""Two-body Monte Carlo collision probability (slow / long encounters where 2D is invalid).

Method (Alfano 2009 "Satellite conjunction Monte Carlo analysis"; CARA's two-body MC): draw both
objects' states from their 6x6 Gaussian covariances at a reference time (TCA, or an earlier
epoch), propagate every sample pair with two-body Kepler motion, and count the pairs whose
minimum separation inside the time window is below the combined HBR. The estimate is
``hits/trials`` with a Clopper-Pearson 95% interval.

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

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from sweepers.conjunctions.pc.kepler import MU_EARTH_M3_S2, acceleration, propagate
from sweepers.conjunctions.pc.result import PcInputError, PcMethod, PcResult
from sweepers.conjunctions.pc.usage import orbital_period_s

LOW_SPEED_WINDOW_FRACTION = 0.05  # CARA: clip the window to 5% of the primary's period


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


def encounter_window_s(r1: ArrayLike, v1: ArrayLike, cov1: ArrayLike, r2: ArrayLike,
                       v2: ArrayLike, cov2: ArrayLike, hbr: float, *, gamma: float = 1e-16,
                       mu: float = MU_EARTH_M3_S2) -> tuple[float, float]:
    """Time bounds [s, relative to the given epoch] that hold the encounter (Coppola 2012 style).

    A sample's rectilinear closest approach is at ``t* = -(dr.dv)/|dv|^2``; with the combined
    covariance its spread is ``sigma_t^2 = (dv'A dv + dr'B dr)/|dv|^4`` (A, B: position and
    velocity blocks). The window is the mean ``t*`` ± ``sqrt(2) erfcinv(gamma) sigma_t`` plus the
    HBR crossing time, clipped (as CARA does for low-speed events) to 5% of the primary's period.
    """
    dr = np.asarray(r2, float) - np.asarray(r1, float)
    dv = np.asarray(v2, float) - np.asarray(v1, float)
    c = np.asarray(cov1, float) + np.asarray(cov2, float)
    vv = float(dv @ dv)
    if vv == 0.0:
        tau0, tau1 = -math.inf, math.inf
    else:
        t_mid = -float(dr @ dv) / vv
        var = float(dv @ c[:3, :3] @ dv) + (float(dr @ c[3:, 3:] @ dr) if c.shape == (6, 6) else 0)
        half = math.sqrt(2.0) * float(special.erfcinv(gamma)) * math.sqrt(max(var, 0.0)) / vv
        half += hbr / math.sqrt(vv)
        tau0, tau1 = t_mid - half, t_mid + half
    limit = LOW_SPEED_WINDOW_FRACTION * orbital_period_s(r1, v1, mu)
    if tau1 - tau0 > limit:
        if math.isinf(tau1 - tau0):
            return -0.5 * limit, 0.5 * limit
        tau1 = limit * tau1 / (tau1 - tau0)
        tau0 = tau1 - limit
    return tau0, tau1


def _stm(r: NDArray[np.float64], v: NDArray[np.float64], times: NDArray[np.float64],
         mu: float) -> NDArray[np.float64]:
    """(K, 6, 6) state transition matrices by central differences of exact propagation."""
    x0 = np.concatenate([r, v])
    steps = np.r_[np.full(3, 1e-7 * np.linalg.norm(r)), np.full(3, 1e-7 * np.linalg.norm(v))]
    pert = np.concatenate([x0 + np.diag(steps), x0 - np.diag(steps)])  # (12, 6)
    rp, vp = propagate(pert[:, None, :3], pert[:, None, 3:], times[None, :], mu)  # (12, K, 3)
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
        ra, va = propagate(x1[:, :3], x1[:, 3:], t, mu)
        rb, vb = propagate(x2[:, :3], x2[:, 3:], t, mu)
        dr, dv = rb - ra, vb - va
        best = np.fmin(best, np.linalg.norm(dr, axis=1))
        g = np.einsum("ni,ni->n", dr, dv)
        gp = np.einsum("ni,ni->n", dv, dv) + np.einsum(
            "ni,ni->n", dr, acceleration(rb, mu) - acceleration(ra, mu))
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(gp > 0, -g / gp, np.sign(-g) * (hi - lo) * 0.25)
        t = np.clip(t + step, lo, hi)
    ra, _ = propagate(x1[:, :3], x1[:, 3:], t, mu)
    rb, _ = propagate(x2[:, :3], x2[:, 3:], t, mu)
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
    n1r, n1v = propagate(p1[None], w1[None], times, mu)
    n2r, n2v = propagate(p2[None], w2[None], times, mu)
    nom = np.concatenate([n2r - n1r, n2v - n1v], axis=-1)  # (K, 6)
    phi1 = _stm(p1, w1, times, mu)
    phi2 = _stm(p2, w2, times, mu)
    hits = 0
    done = 0
    margin = math.nan
    while done < trials:
        n = min(batch, trials - done)
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
            hits += int(np.count_nonzero(d_exact < hbr))
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
    ra, _ = propagate(s1[:, None, :3], s1[:, None, 3:], times[None, :], mu)
    rb, _ = propagate(s2[:, None, :3], s2[:, None, 3:], times[None, :], mu)
    lin_err = np.max(np.linalg.norm((rb - ra) - rel[..., :3], axis=-1))
    ma, _ = propagate(s1[:, None, :3], s1[:, None, 3:], mids[None, :], mu)
    mb, _ = propagate(s2[:, None, :3], s2[:, None, 3:], mids[None, :], mu)
    straight = rel[:, :-1, :3] + 0.5 * h * rel[:, :-1, 3:]
    seg_err = np.max(np.linalg.norm((mb - ma) - straight, axis=-1))
    return float(lin_err + seg_err)
