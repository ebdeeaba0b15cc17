"""Short-encounter (2D) collision probability: Gaussian integrated over the hard-body disc.

Model (Foster & Estes 1992; Chan 1997; Alfano 2005): rectilinear relative motion, no velocity
uncertainty, so the probability is the integral of the 2D Gaussian miss density of the
encounter plane over the disc of radius HBR centred on the mean miss. In the principal axes
(``sx >= sz``, miss ``(xm, zm)``) the inner integral along the minor axis is an erf difference,
leaving one integral along the major axis::

    Pc = 1/(2 sqrt(2 pi) sx) * Int_{xm-R}^{xm+R} exp(-x^2 / (2 sx^2))
                                * [erf((zm + Rx)/(sqrt2 sz)) - erf((zm - Rx)/(sqrt2 sz))] dx,
    Rx = sqrt(R^2 - (x - xm)^2).

Numerics (our own): the substitution ``x = xm + R sin(t)`` removes the square-root end-point
singularities; the integrand is evaluated as a *logarithm* — erf differences via
``log erfc(a) = log(erfcx(a)) - a^2`` so tails far below 1e-300 keep full relative precision —
then scaled by its maximum and integrated with adaptive Gauss-Kronrod (QUADPACK ``qagp`` with
break points at the density peak and at the minor-axis edge crossings), which also gives an error
estimate. ``log_pc`` stays finite where ``pc`` itself underflows.

``rule="cara-gc64"`` reproduces CARA ``PcCircle``'s default 64-node Gauss-Chebyshev
(second-kind) rule on the same integrand, including its 4-sigma applicability test (outside it,
the adaptive integral is used, as CARA does); it differs from the exact integral by up to ~3e-4
relative when HBR is much larger than the minor sigma.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, optimize, special

from sweepers.conjunctions.pc.encounter import EncounterPlane, encounter_plane
from sweepers.conjunctions.pc.result import PcMethod, PcResult

HardBody = Literal["circle", "square", "square-equal-area"]
Rule = Literal["adaptive", "cara-gc64"]

_SQRT2 = math.sqrt(2.0)
_LOG_2SQRT2PI = math.log(2.0 * math.sqrt(2.0 * math.pi))


def log_erfc(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log(erfc(a))`` without underflow for large positive ``a``."""
    a = np.asarray(a, dtype=float)
    pos = np.maximum(a, 0.0)
    neg = np.minimum(a, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(a >= 0.0, np.log(special.erfcx(pos)) - pos * pos, np.log(special.erfc(neg)))


def log_erf_diff(lo: ArrayLike, hi: ArrayLike) -> NDArray[np.float64]:
    """``log(erf(hi) - erf(lo))`` for ``hi >= lo``, accurate in both tails (-inf when equal)."""
    lo_a = np.asarray(lo, dtype=float)
    hi_a = np.asarray(hi, dtype=float)
    # same-side intervals: erf(hi) - erf(lo) = erfc(l) - erfc(h) with 0 <= l < h (mirror if < 0)
    mirror = hi_a <= 0.0
    l_ = np.where(mirror, -hi_a, lo_a)
    h_ = np.where(mirror, -lo_a, hi_a)
    le_l = log_erfc(np.maximum(l_, 0.0))
    le_h = log_erfc(np.maximum(h_, 0.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tail = le_l + np.log(-np.expm1(le_h - le_l))
        straddle = np.log(special.erf(hi_a) - special.erf(lo_a))
    return np.where((lo_a >= 0.0) | mirror, tail, straddle)


def _log_integrand(t: NDArray[np.float64], xm: float, zm: float, sx: float, sz: float,
                   r: float) -> NDArray[np.float64]:
    """log of the t-integrand (x = xm + r sin t), without the constant -log(2 sqrt(2pi) sx)."""
    x = xm + r * np.sin(t)
    rx = r * np.cos(t)
    with np.errstate(divide="ignore"):
        return (-0.5 * (x / sx) ** 2
                + log_erf_diff((zm - rx) / (_SQRT2 * sz), (zm + rx) / (_SQRT2 * sz))
                + np.log(np.maximum(rx, 0.0)))


def log_pc_circle_adaptive(xm: float, zm: float, sx: float, sz: float,
                           r: float) -> tuple[float, float]:
    """Natural log of the disc integral and its absolute error estimate (on Pc, not log Pc)."""
    half = 0.5 * math.pi
    grid = np.linspace(-half, half, 257)[1:-1]
    vals = _log_integrand(grid, xm, zm, sx, sz, r)
    k = int(np.argmax(vals))
    if not np.isfinite(vals[k]):
        return -math.inf, 0.0
    step = grid[1] - grid[0]
    res = optimize.minimize_scalar(
        lambda t: -float(_log_integrand(np.array([t]), xm, zm, sx, sz, r)[0]),
        bounds=(max(grid[k] - step, -half), min(grid[k] + step, half)), method="bounded",
        options={"xatol": 1e-14})
    t_peak = float(res.x)
    scale = max(float(vals[k]), -float(res.fun))
    breaks = {t_peak}
    if abs(xm) < r:
        breaks.add(math.asin(-xm / r))
    if zm < r:
        c = math.acos(zm / r)
        breaks.update((c, -c))
    points = sorted(b for b in breaks if -half < b < half)

    def f(t: float) -> float:
        return math.exp(float(_log_integrand(np.array([t]), xm, zm, sx, sz, r)[0]) - scale)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        val, err, *_ = integrate.quad(f, -half, half, points=points, epsabs=0.0, epsrel=1e-12,
                                      limit=400, full_output=1)
    if val <= 0.0:
        return -math.inf, 0.0
    log_pc = math.log(val) + scale - _LOG_2SQRT2PI - math.log(sx)
    return log_pc, err / val * math.exp(log_pc)


def _gc_nodes(n: int) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Gauss-Chebyshev (second kind) nodes u, sqrt(1-u^2) and weights for Int_{-1}^{1} g(u) du."""
    theta = math.pi / (n + 1) * np.arange(n, 0, -1)
    u = np.cos(theta)
    s = np.sin(theta)
    return u, s, math.pi / (n + 1) * s


def log_pc_circle_gc(xm: float, zm: float, sx: float, sz: float, r: float,
                     n: int = 64) -> float | None:
    """CARA-style fixed Gauss-Chebyshev estimate of log Pc, or None where CARA would not use it."""
    lo, hi = xm - r, xm + r
    n_sig = 4.0 * sx
    if not (lo > -n_sig and hi < max(lo, 0.0) + n_sig):
        return None
    u, s, w = _gc_nodes(n)
    x = xm + r * u
    half = r * s
    terms = (-0.5 * (x / sx) ** 2 + np.log(w)
             + log_erf_diff((zm - half) / (_SQRT2 * sz), (zm + half) / (_SQRT2 * sz)))
    peak = float(np.max(terms))
    if not np.isfinite(peak):
        return -math.inf
    return (peak + math.log(float(np.sum(np.exp(terms - peak)))) + math.log(r) - math.log(sx)
            - _LOG_2SQRT2PI)


def log_pc_square(xm: float, zm: float, sx: float, sz: float, half_side: float) -> float:
    """log Pc over a square (sides along the principal axes): product of erf differences."""
    dx = log_erf_diff((xm - half_side) / (_SQRT2 * sx), (xm + half_side) / (_SQRT2 * sx))
    dz = log_erf_diff((zm - half_side) / (_SQRT2 * sz), (zm + half_side) / (_SQRT2 * sz))
    return float(dx + dz) - 2.0 * math.log(2.0)


def pc_plane(plane: EncounterPlane, hbr: float, *, hard_body: HardBody = "circle",
             rule: Rule = "adaptive") -> tuple[float, float, PcMethod]:
    """(log Pc, absolute error, method) for an :class:`EncounterPlane` with ``0 < hbr < inf``."""
    if hard_body == "square":
        return log_pc_square(plane.xm, plane.zm, plane.sx, plane.sz, hbr), 0.0, PcMethod.SQUARE_2D
    if hard_body == "square-equal-area":
        h = 0.5 * math.sqrt(math.pi) * hbr
        return (log_pc_square(plane.xm, plane.zm, plane.sx, plane.sz, h), 0.0,
                PcMethod.SQUARE_EQUAL_AREA_2D)
    if rule == "cara-gc64":
        lp = log_pc_circle_gc(plane.xm, plane.zm, plane.sx, plane.sz, hbr)
        if lp is not None:
            return lp, math.nan, PcMethod.CARA_GC64
    lp, err = log_pc_circle_adaptive(plane.xm, plane.zm, plane.sx, plane.sz, hbr)
    return lp, err, PcMethod.FOSTER_2D


def pc_2d(
    r1: ArrayLike,
    v1: ArrayLike,
    cov1: ArrayLike,
    r2: ArrayLike,
    v2: ArrayLike,
    cov2: ArrayLike,
    hbr: float,
    *,
    hard_body: HardBody = "circle",
    rule: Rule = "adaptive",
    adjust_to_tca: bool = False,
    full_miss: bool = True,
) -> PcResult:
    """Short-encounter 2D Pc of two objects at (or near) TCA.

    ``r*``/``v*``: inertial position/velocity (m, m/s by convention; any consistent units work),
    ``cov*``: 3x3 or 6x6 ``[r v]`` covariances in the same frame and units (only the position
    block is used), ``hbr``: combined hard-body radius in the same length unit.
    ``adjust_to_tca=True`` is CARA's ``Pc2D`` (states moved linearly to the linear TCA);
    the default is ``Pc2D_NoAdj`` (states used as given). Special values: ``hbr <= 0`` → 0
    (negative noted), ``hbr = inf`` → 1, zero relative velocity → NaN with a reason.
    """
    notes: list[str] = []
    hbr = float(hbr)
    if math.isnan(hbr):
        return PcResult(pc=math.nan, method=PcMethod.FOSTER_2D, reason="HBR is NaN")
    if hbr < 0.0:
        notes.append("negative HBR replaced by 0")
        hbr = 0.0
    plane = encounter_plane(r1, v1, cov1, r2, v2, cov2, hbr, adjust_to_tca=adjust_to_tca,
                            full_miss=full_miss)
    common = {"miss_m": plane.miss, "hbr_m": hbr, "relative_speed_m_s": plane.relative_speed,
              "sigma_major_m": plane.sx, "sigma_minor_m": plane.sz,
              "covariance_remediated": plane.remediated}
    if not plane.ok:
        return PcResult(pc=math.nan, method=PcMethod.FOSTER_2D, reason=plane.reason,
                        notes=tuple(notes), **common)  # type: ignore[arg-type]
    if plane.npd_input:
        notes.append("non-positive-definite projected covariance: eigenvalues clipped "
                      "to (1e-4*HBR)^2")
    elif plane.remediated:
        notes.append("projected covariance eigenvalue clipped to (1e-4*HBR)^2")
    if hbr == 0.0:
        return PcResult(pc=0.0, method=PcMethod.FOSTER_2D, log_pc=-math.inf, abs_error=0.0,
                        notes=tuple(notes), **common)  # type: ignore[arg-type]
    if math.isinf(hbr):
        return PcResult(pc=1.0, method=PcMethod.FOSTER_2D, log_pc=0.0, abs_error=0.0,
                        notes=tuple(notes), **common)  # type: ignore[arg-type]
    log_pc, err, method = pc_plane(plane, hbr, hard_body=hard_body, rule=rule)
    pc = min(1.0, math.exp(log_pc)) if log_pc > -math.inf else 0.0
    return PcResult(pc=pc, method=method, log_pc=log_pc, abs_error=err, notes=tuple(notes),
                    **common)  # type: ignore[arg-type]
