"""The time sieve: one block of coarse time steps → refined conjunctions of the pairs it finds.

A screening window is cut into steps of ``h`` seconds (default 120 s, searched in 4 sub-steps)
and the steps into blocks; :func:`screen_block` is a pure function of (catalog, block of
steps, object block) and is what :mod:`sweepers.parallel` executors run. Units: km, km/s, s;
TEME; UTC two-part Julian dates.

Why no close approach can be missed (for each step ``[t_k, t_k + h]``):

1. **Interpolation bound.** Each object's SGP4 position on the step is the cubic ``P(s)``
   (s = (t − t_k)/h ∈ [0, 1]) through its sampled positions at ``t_{k−1} … t_{k+2}``, plus an
   error ``|x(t) − P(s)| ≤ h⁴/24 · max|(s+1)s(s−1)(s−2)| · max|x⁗| = 3h⁴/128 · max|x⁗|``
   (Lagrange remainder). For Keplerian motion ``max|x⁗| ≤ (1 + 3e) μ²/r_p⁵`` (reached at
   perigee; checked numerically for 0 ≤ e < 1); we use ``8 μ²/r_p⁵`` with the mean perigee
   radius ``r_p`` (floored at 6300 km), a factor 2 over the Kepler value to cover J2, drag and
   SGP4's short-period terms (relative size ~1e-3). In LEO the bound is ~0.03 km at h = 60 s
   and ~0.5 km at h = 120 s.
   Positions only: SGP4's velocities are not exactly the derivative of its positions (by up to
   ~1 m/s for some SDP4 objects), so a Hermite interpolant on them has no such bound.
2. **Broad phase** (swept spheres). Writing ``P`` about the middle of a (sub-)step,
   ``P(u) = a₀ + a₁u + a₂u² + a₃u³`` (u ∈ [−½, ½]), every position on it lies within
   ``ρ = |a₁|/2 + |a₂|/4 + |a₃|/8 + err`` of ``a₀``. Two objects can come within D only if
   ``|a₀ᵢ − a₀ⱼ| ≤ ρᵢ + ρⱼ + D``; all such pairs are found with a hashed grid of z-columns as
   wide as the slow 99.5 % objects' ``2ρ + D``, swept in z against the neighbouring columns,
   the fast rest scanning wider boxes (compiled, one call per block of steps:
   :mod:`sweepers.conjunctions._sieve_kernel`, which also runs the narrow phase on each pair it
   meets).
3. **Narrow phase.** For the relative cubic ``p = Pᵢ − Pⱼ``,
   ``min|p| ≥ min_u |Δa₀ + Δa₁u| − |Δa₂|/4 − |Δa₃|/8``; a pair survives if this lower bound is
   within ``D + errᵢ + errⱼ``.
4. **Brackets.** A conjunction is a local minimum of the range, where the range rate
   ``f = p·p'`` turns from negative to non-negative. Signs of ``f`` on an 8-part grid of the
   step, extended by one part on each side, bracket every minimum of the step whose
   neighbouring range extrema are more than h/8 apart (range extrema of orbiting objects are
   separated by a sizeable fraction of an orbit; co-located pairs vary on the orbital time
   scale). A minimum near a step boundary may be bracketed by both steps; the refinements
   converge to the same TCA and are merged (:func:`sweepers.conjunctions.screen.dedupe`).
5. **Refinement** (:mod:`sweepers.conjunctions.refine`) on real SGP4 (python-sgp4 ``Satrec``):
   Brent's method on the range rate of SGP4 positions; kept if the miss distance is ≤ D and the
   TCA is inside the window.

This is the approach of the sieve/"smart sieve" family (Alarcón-Rodríguez et al. 2004) with the
swept-volume broad phase of ESA's cascade (Izzo et al., https://esa.github.io/cascade), using a
cubic interpolation bound instead of cascade's Taylor polynomials.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sweepers.conjunctions import _sieve_kernel
from sweepers.conjunctions.events import Conjunction
from sweepers.conjunctions.refine import (
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    Candidate,
    refine_candidates,
)
from sweepers.epochs import DAY_S
from sweepers.orbits.constants import MU_EARTH_KM3_S2
from sweepers.orbits.sgp4_batch import PreparedSet, prepare, propagate
from sweepers.orbits.sgp4_init import COL
from sweepers.records import ElementSet

R_P_FLOOR_KM = 6300.0
D4_FACTOR = 8.0  # max|x⁗| ≤ D4_FACTOR · μ²/r_p⁵ (module docstring, point 1)
ENGINE_SLACK_KM = 1e-5  # heyoka vs python-sgp4 positions differ by ~1e-8 km
GRID_PARTS = 8  # range-rate sign grid per step (point 4)
SLOW_QUANTILE = 0.995
MAX_SPEED_KM_S = 20.0  # speed of no Earth orbit below MAX_RADIUS_KM (see max_cubic_term_km)
LAGRANGE_FACTOR = 3.0 / 128.0  # max over s ∈ [0, 1] of |(s+1)s(s−1)(s−2)| / 4!

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ScreenContext:
    """Everything every block needs (shipped once per worker).

    Time ``k`` of the window is ``(start_jd, start_fr + k·step_s/86400)`` (UTC); the window
    ends ``end_s`` seconds after the start. ``primary_mask`` (bool per
    object) selects the primaries (None: all-vs-all). ``hbr_m`` is each object's hard-body
    radius [m] (NaN: unknown). ``token`` identifies the catalog for per-worker caching. Each
    propagation step is searched in ``substeps`` parts (smaller swept spheres, same states).
    """

    elsets: tuple[ElementSet, ...]
    token: str
    start_jd: float
    start_fr: float
    step_s: float
    end_s: float
    threshold_km: float
    hbr_m: FloatArray
    primary_mask: NDArray[np.bool_] | None = None
    engine: str = "auto"
    substeps: int = 4


@dataclass(frozen=True)
class BlockTask:
    """Steps ``[first, stop)`` of the window; pairs whose left object's row is in
    ``[row_lo, row_hi)`` (the object block; all rows by default)."""

    first: int
    stop: int
    row_lo: int = 0
    row_hi: int = 2**62


@dataclass
class BlockResult:
    """Conjunctions found in one block, with what it cost: ``broad_pairs`` counts the pairs whose
    swept spheres met (summed over sub-steps), ``candidates`` the brackets refined, ``*_s`` the
    wall seconds of each stage."""

    events: list[Conjunction]
    broad_pairs: int = 0
    candidates: int = 0
    propagate_s: float = 0.0
    sieve_s: float = 0.0
    refine_s: float = 0.0


_CACHE: dict[str, tuple[PreparedSet, FloatArray]] = {}


def _prepared(ctx: ScreenContext) -> tuple[PreparedSet, FloatArray]:
    """The (per-process cached) prepared catalog and each object's interpolation bound [km]."""
    if ctx.token not in _CACHE:
        _CACHE.clear()
        prepared = prepare(list(ctx.elsets), engine=ctx.engine)  # type: ignore[arg-type]
        _CACHE[ctx.token] = (prepared, interpolation_error_km(prepared.elements, ctx.step_s))
    return _CACHE[ctx.token]


def blank_unphysical(r: FloatArray) -> None:
    """NaN the positions SGP4 returns without an error code but outside any orbit [km].

    Long after their epoch, element sets with a large drag term can yield positions of 1e10 km
    with status 0 (python-sgp4 and heyoka alike, e.g. 29925 in the 2023-10 catalog): such an
    object has decayed and takes no part in screening.
    """
    radius = _norm(r)
    r[~((radius > MIN_RADIUS_KM) & (radius < MAX_RADIUS_KM))] = np.nan


def max_cubic_term_km(step_s: float) -> float:
    """Largest cubic coefficient ``|D|`` (a third difference / 6) [km] of a real orbit's step.

    ``D = h³/6 · jerk + O(h⁴)`` and ``|jerk| ≤ 4μ|v|/r³``; with |v| ≤ ``MAX_SPEED_KM_S`` and
    r ≥ ``MIN_RADIUS_KM``, times 4 for margin. Larger values mean SGP4 returned states that do
    not belong to one trajectory (a decayed element set jumping about); that object is skipped
    on that step.
    """
    jerk = 4.0 * MU_EARTH_KM3_S2 * MAX_SPEED_KM_S / MIN_RADIUS_KM**3
    return 4.0 * jerk * step_s**3 / 6.0


def interpolation_error_km(elements: FloatArray, step_s: float) -> FloatArray:
    """Bound on |SGP4 position − cubic interpolant| over one step [km] (point 1)."""
    n_rad_s = elements[:, COL["no_kozai"]] / 60.0
    with np.errstate(divide="ignore", invalid="ignore"):
        a_km = np.cbrt(MU_EARTH_KM3_S2 / n_rad_s**2)
    r_p = np.maximum(np.nan_to_num(a_km * (1.0 - elements[:, COL["ecco"]]), nan=0.0),
                     R_P_FLOOR_KM)
    return D4_FACTOR * MU_EARTH_KM3_S2**2 / r_p**5 * step_s**4 * LAGRANGE_FACTOR + ENGINE_SLACK_KM


def cubic_power(
    before: FloatArray, r0: FloatArray, r1: FloatArray, after: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Power-basis coefficients ``(A, B, C, D)`` [km] of the cubic through positions at
    s = −1, 0, 1, 2 (``before``, ``r0``, ``r1``, ``after``): ``P(s) = A + Bs + Cs² + Ds³``."""
    return (r0, (-2.0 * before - 3.0 * r0 + 6.0 * r1 - after) / 6.0,
            0.5 * (before - 2.0 * r0 + r1), (3.0 * (r0 - r1) + after - before) / 6.0)


def recentre(
    power: tuple[FloatArray, FloatArray, FloatArray, FloatArray], sub: int, parts: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Coefficients of sub-step ``sub`` of ``parts`` about its middle: ``H = a₀ + a₁u + a₂u² +
    a₃u³``, u ∈ [−½, ½] across the sub-step. The restriction of a cubic is the same cubic, so
    the interpolation error bound of the whole step holds."""
    a, b, c, d = power
    if parts == 1:
        return a + 0.5 * b + 0.25 * c + 0.125 * d, b + c + 0.75 * d, c + 1.5 * d, d
    width = 1.0 / parts
    sm = (sub + 0.5) * width
    a0 = a + sm * (b + sm * (c + sm * d))
    a1 = width * (b + sm * (2.0 * c + 3.0 * sm * d))
    a2 = width**2 * (c + 3.0 * sm * d)
    return a0, a1, a2, width**3 * d


def _norm(x: FloatArray) -> FloatArray:
    return np.sqrt(np.einsum("...i,...i->...", x, x))


def broad_pairs(
    centre: FloatArray,
    rho: FloatArray,
    threshold_km: float,
    left: NDArray[np.bool_] | None,
) -> tuple[IntArray, IntArray]:
    """Pairs (i, j) of rows whose swept spheres come within ``threshold_km`` (point 2):
    ``|centreᵢ − centreⱼ| ≤ ρᵢ + ρⱼ + D`` [km] (a relative 1e-9 of slack, see
    :mod:`._sieve_kernel`).

    ``centre`` (n, 3) and ``rho`` (n,) must be finite. With ``left`` (bool, n) only pairs with a
    left row are returned (i the left one; i < j when both are left); otherwise i < j.
    """
    n = len(rho)
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    source = np.ones(n, dtype=bool) if left is None else np.ascontiguousarray(left, dtype=bool)
    pairs = _sieve_kernel.sphere_pairs(np.ascontiguousarray(centre, dtype=np.float64),
                                       np.ascontiguousarray(rho, dtype=np.float64),
                                       float(threshold_km), source, left is not None,
                                       SLOW_QUANTILE)
    return pairs[:, 0], pairs[:, 1]


def narrow_mask(
    i: IntArray,
    j: IntArray,
    coeffs: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    err: FloatArray,
    threshold_km: float,
) -> NDArray[np.bool_]:
    """Pairs whose relative interpolant can come within the threshold (point 3).

    A cheap pass bounds the curvature by each object's own ``|a₂|/4 + |a₃|/8`` (scalars); the
    survivors are then tested with the pair's relative curvature.
    """
    a0, a1, a2, a3 = coeffs
    curv_own = 0.25 * _norm(a2) + 0.125 * _norm(a3)
    out = np.zeros(i.size, dtype=bool)
    first = _linear_min(a0, a1, i, j) <= threshold_km + err[i] + err[j] + curv_own[i] \
        + curv_own[j]
    rows = np.flatnonzero(first)
    i, j = i[rows], j[rows]
    curvature = 0.25 * _norm(a2[i] - a2[j]) + 0.125 * _norm(a3[i] - a3[j])
    out[rows] = _linear_min(a0, a1, i, j) - curvature <= threshold_km + err[i] + err[j]
    return out


def _linear_min(a0: FloatArray, a1: FloatArray, i: IntArray, j: IntArray) -> FloatArray:
    """min over u ∈ [−½, ½] of |Δa₀ + Δa₁u| for each pair [km]."""
    d0 = a0[i] - a0[j]
    d1 = a1[i] - a1[j]
    d11 = np.einsum("ij,ij->i", d1, d1)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(d11 > 0, -np.einsum("ij,ij->i", d0, d1) / d11, 0.0)
    return _norm(d0 + d1 * np.clip(u, -0.5, 0.5)[:, None])


def minimum_brackets(
    r: FloatArray, q: IntArray, i: IntArray, j: IntArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Sub-steps ``[s_a, s_b]`` (fractions of step ``q``, grid extended by one part each side)
    where the interpolated range rate turns from < 0 to ≥ 0 (point 4). ``r``: (m + 3, n, 3)
    sampled positions, step ``q`` spanning rows ``q + 1`` and ``q + 2``. Returns the candidate
    index and the bracket ends."""
    rel = [r[q + k, i] - r[q + k, j] for k in range(4)]
    a, b, c, d = cubic_power(*rel)
    s = np.arange(-1, GRID_PARTS + 2) / GRID_PARTS
    pos = a[:, None] + s[:, None] * (b[:, None] + s[:, None] * (c[:, None] + s[:, None]
                                                                 * d[:, None]))
    vel = b[:, None] + s[:, None] * (2.0 * c[:, None] + 3.0 * s[:, None] * d[:, None])
    f = np.einsum("kgi,kgi->kg", pos, vel)
    turn = (f[:, :-1] < 0.0) & (f[:, 1:] >= 0.0)
    cand, g = np.nonzero(turn)
    return cand, s[g], s[g + 1]


def screen_block(ctx: ScreenContext, task: BlockTask) -> BlockResult:
    """Conjunctions with TCA in steps ``[task.first, task.stop)`` (module docstring)."""
    t_start = time.perf_counter()
    prepared, err = _prepared(ctx)
    k = np.arange(task.first - 1, task.stop + 2, dtype=np.float64)
    fr = ctx.start_fr + k * ctx.step_s / DAY_S
    jd = np.full_like(fr, ctx.start_jd)
    eph = propagate(prepared, (jd, fr), workers=1)
    r = np.ascontiguousarray(eph.r.transpose(1, 0, 2))  # (m + 3, n, 3), row 1 = step `first`
    del eph
    blank_unphysical(r)
    t_prop = time.perf_counter()

    n = len(prepared)
    rows = np.arange(n)
    in_block = (rows >= task.row_lo) & (rows < task.row_hi)
    primary = ctx.primary_mask is not None
    source = in_block & ctx.primary_mask if primary else in_block
    found, n_broad = _sieve_kernel.sieve_steps(
        r, err, max_cubic_term_km(ctx.step_s), ctx.threshold_km, ctx.substeps,
        np.ascontiguousarray(source), primary, SLOW_QUANTILE)
    h, thr = ctx.step_s, ctx.threshold_km
    ci, cj, cq = found[:, 0], found[:, 1], found[:, 2]
    # one entry per (pair, step): several sub-steps of a step may flag the same pair
    key = np.unique((ci * n + cj) * (task.stop - task.first + 1) + cq)
    cq = key % (task.stop - task.first + 1)
    ci, cj = np.divmod(key // (task.stop - task.first + 1), n)
    cand, s_a, s_b = minimum_brackets(r, cq, ci, cj)
    t_sieve = time.perf_counter()

    candidates = [
        Candidate(int(ci[c]), int(cj[c]), float(fr[cq[c] + 1]), float(sa) * h, float(sb) * h)
        for c, sa, sb in zip(cand, s_a, s_b, strict=True)
    ]
    events = refine_candidates(prepared, candidates, ctx.start_jd, h, thr, ctx.hbr_m,
                               primary_mask=ctx.primary_mask,
                               window=(ctx.start_fr, ctx.start_fr + ctx.end_s / DAY_S))
    t_end = time.perf_counter()
    return BlockResult(events, broad_pairs=n_broad, candidates=len(candidates),
                       propagate_s=t_prop - t_start, sieve_s=t_sieve - t_prop,
                       refine_s=t_end - t_sieve)


def step_count(days: float, step_s: float) -> int:
    """Steps of ``step_s`` seconds covering ``days`` (the last step may overrun the window)."""
    return max(1, math.ceil(days * DAY_S / step_s - 1e-9))
