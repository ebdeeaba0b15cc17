"""Screening a tabulated primary — a ship's CCSDS OEM — against the catalog.

``screen_ephemeris(oem, elsets, start=None, days=None, threshold_km=5.0, ...)`` returns every
local minimum of the range between the OEM's object and a catalog object that is ≤
``threshold_km`` with TCA in the window (default: the OEM's whole span), sorted by TCA, as
:class:`~sweepers.conjunctions.events.Conjunction` records. Units: km, km/s, s; states TEME;
UTC. It is the sieve of :mod:`sweepers.conjunctions.sieve` with one object replaced by the OEM;
what changes, and why nothing is missed:

1. **Frames and time.** The OEM's states are taken in its ``REF_FRAME`` — ``TEME``; ``GCRF`` /
   ``ICRF`` (Earth-centred: GCRS); ``EME2000`` / ``J2000`` (GCRS through the IAU 2006 frame
   bias); ``ITRF*`` / ``ITRS`` (Earth-fixed, UT1 = UTC, no polar motion) — and rotated into TEME
   (:func:`sweepers.orbits.frames.to_teme`) after interpolation, so the primary's truth is "the
   OEM's own interpolant, rotated to TEME". Other frames, centres other than ``EARTH`` and time
   systems other than ``UTC`` are refused (:class:`EphemerisScreenError`). Between microseconds
   (``datetime64[us]``, the codec's grid) the state is advanced by ``v·δ`` (δ < 1 µs: < 1e-11 km).
2. **Pieces.** Every OEM segment is screened on its own — its interpolation span, cut to the
   window — so no interpolant crosses a segment boundary (a planner writes one segment per coast
   arc; an impulse is a velocity jump). Overlapping segments are refused. Each piece of length
   ``L`` gets ``N = max(3, ⌈L/h⌉)`` steps of ``h' = L/N ≤ h``: its samples lie inside the segment.
3. **Primary interpolation bound.** The sieve's cubic through the samples at ``k−1 … k+2``
   needs, at the piece's first and last step, a sample outside the segment; the *virtual*
   sample ``r₋₁ = 4r₀ − 6r₁ + 4r₂ − r₃`` (the cubic through ``r₀ … r₃`` extrapolated) makes the
   first step's cubic the one through four real samples (``s = 0 … 3``), whose Lagrange
   remainder is ``max|s(s−1)(s−2)(s−3)|/4! = 1/24`` of ``h'⁴ max|x⁗|`` (3/128 elsewhere); the last
   step likewise. ``max|x⁗|`` is bounded as for the catalog (sieve point 1): ``8 μ²/r_p⁵``
   (``max(8, 2(1 + 3e))`` for eccentric orbits) with the smallest *osculating* perigee radius of
   the piece's samples (floored at 6,300 km). That bounds the orbit the OEM samples; the OEM's
   interpolant of it is then checked on each step at ``s = j/8`` (j = 1 … 7), and the bound
   used is the larger of the analytic one and twice the largest residual seen there — so an OEM
   that is not a ballistic arc (coarse sampling, a finite burn inside a segment) widens its own
   swept spheres instead of slipping through.
4. **Broad and narrow phase, brackets** as in the sieve (points 2–4), with one primary: the
   swept-sphere test is a direct distance test against every catalog object (no KD-tree), then
   :func:`~sweepers.conjunctions.sieve.narrow_mask` and
   :func:`~sweepers.conjunctions.sieve.minimum_brackets`. Catalog objects are first cut to those
   whose perigee–apogee band (mean elements, widened as in
   :func:`sweepers.conjunctions.screen.shell_overlap_mask`) meets the band of the primary's
   osculating perigee/apogee radii over the OEM, widened by ``SHELL_MARGIN_KM + threshold/2``.
5. **Refinement.** Brent's method on the range rate ``f = Δr·(v₂ − v₁)``, with the primary's
   position and velocity from the OEM interpolant (Hermite: the velocity is the derivative of
   the position polynomial, so ``f`` is exactly ½ d|Δr|²/dt) and the secondary's velocity from
   a central difference of python-sgp4 positions (±1 ms; SGP4's own velocities are not the
   derivative of its positions, see :mod:`sweepers.conjunctions.refine`). Brackets are clipped
   to the piece; the fallbacks of :func:`sweepers.conjunctions.refine.find_tca_s` (whole step,
   step with neighbours) follow. Kept: ``0 < TCA < L`` and miss ≤ threshold.
6. **Segment junctions.** Where one segment stops at the epoch the next starts (an impulse), the
   range may have a *kink* minimum: decreasing on the old arc (``f_left < 0``) and increasing on
   the new (``f_right ≥ 0``). Such minima are reported at the junction epoch (state after the
   impulse). Where segments leave a gap, nothing is screened inside it.

Records: ``primary_id`` is the OEM's ``OBJECT_ID`` if it is a catalog number (digits), else
:data:`OEM_PRIMARY_ID` (0, which no catalogued object has); a catalog object with the primary's
number is not screened against it. ``age1_days`` is the time since the start of the primary's
OEM segment (how far it has been predicted since its last state or impulse); Pc is Alfano's
maximum Pc (:data:`sweepers.conjunctions.events.PC_METHOD`), as for every TLE-only screening,
with the primary's hard-body radius ``primary_hbr_m``.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from sgp4.api import Satrec

from sweepers.conjunctions.events import (
    DEFAULT_HBR_M,
    PC_METHOD,
    Conjunction,
    max_pc,
    rtn_components,
)
from sweepers.conjunctions.refine import EDGE_F_KM2_S, FD_S, XTOL_S
from sweepers.conjunctions.screen import (
    DEFAULT_STEP_S,
    SHELL_MARGIN_KM,
    ScreenError,
    gather,
)
from sweepers.conjunctions.sieve import (
    D4_FACTOR,
    GRID_PARTS,
    LAGRANGE_FACTOR,
    R_P_FLOOR_KM,
    BlockResult,
    blank_unphysical,
    cubic_power,
    interpolation_error_km,
    max_cubic_term_km,
    minimum_brackets,
    narrow_mask,
    recentre,
)
from sweepers.epochs import DAY_S, datetime64_to_jd, jd_to_datetime
from sweepers.formats.oem import EphemerisRangeError, Oem, OemSegment
from sweepers.orbits.constants import MU_EARTH_KM3_S2
from sweepers.orbits.frames import to_teme
from sweepers.orbits.sgp4_batch import PreparedSet, prepare, propagate
from sweepers.orbits.sgp4_init import COL, element_array
from sweepers.parallel import Executor, InProcess
from sweepers.records import ElementSet

__all__ = [
    "OEM_PRIMARY_ID", "EphemerisScreenError", "Primary", "primary_id", "primary_pieces",
    "screen_ephemeris",
]

OEM_PRIMARY_ID = 0
"""``primary_id`` of an OEM whose ``OBJECT_ID`` is not a catalog number (no object has 0)."""

DEFAULT_BLOCK_STEPS = 90
STEPS_AT_ONCE = 15  # steps vectorised together (memory ~15 × n × 200 bytes)
END_LAGRANGE_FACTOR = 1.0 / 24.0  # max over s ∈ [0, 1] of |s(s−1)(s−2)(s−3)| / 4! (point 3)
RESIDUAL_FACTOR = 2.0  # bound ≥ this × the residual seen on the step's s = j/8 grid (point 3)
US = np.timedelta64(1, "us")

FrameName = Literal["teme", "gcrs", "eme2000", "itrs"]
INERTIAL_FRAMES = ("teme", "gcrs", "eme2000")  # rotate by < 1e-9 rad over a step
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Progress = Callable[[int, int], None]
"""``progress(tasks_done, tasks_total)``."""


class EphemerisScreenError(ScreenError):
    """An OEM that cannot be screened (frame, centre, time system, overlapping segments, window)."""


def _frame_of(seg: OemSegment) -> FrameName:
    name = seg.ref_frame.strip().upper()
    if name == "TEME":
        return "teme"
    if name in ("GCRF", "ICRF", "GCRS"):
        return "gcrs"
    if name in ("EME2000", "J2000"):
        return "eme2000"
    if name.startswith("ITRF") or name == "ITRS":
        return "itrs"
    raise EphemerisScreenError(
        f"OEM segment of {seg.object_name!r}: REF_FRAME {seg.ref_frame!r} is not supported "
        "(TEME, GCRF, ICRF, EME2000, J2000 or ITRF*)")


@dataclass(frozen=True)
class Primary:
    """One piece of the primary: an OEM segment on ``[lo, hi]`` (point 2).

    ``lo``/``hi`` are ``datetime64[us]`` UTC, ``length_s`` apart; ``steps`` of ``step_s``
    seconds each cover the piece; ``segment_start`` is the segment's first epoch
    (for ``age1_days``).
    """

    segment: OemSegment
    frame: FrameName
    lo: np.datetime64
    hi: np.datetime64
    length_s: float
    steps: int
    step_s: float
    segment_start: np.datetime64

    def raw_states(self, tau_s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray,
                                                      FloatArray]:
        """Position [km], velocity [km/s] ``(m, 3)`` in the OEM's ``REF_FRAME`` and the UTC
        ``(jd, fr)`` ``(m,)`` at ``tau_s`` seconds after ``lo`` (clipped to ``[0, length_s]``;
        between microseconds the interpolant is advanced by ``v·δ``, point 1)."""
        tau = np.clip(np.atleast_1d(np.asarray(tau_s, np.float64)), 0.0, self.length_s)
        whole_us = np.floor(tau * 1e6)
        delta = (tau - whole_us * 1e-6)[:, None]
        t = np.minimum(self.lo + whole_us.astype(np.int64) * US, self.hi)
        r, v = self.segment.interpolate(t)
        jd, fr = datetime64_to_jd(t)
        return r + v * delta, v, jd, fr + delta[:, 0] / DAY_S

    def states(self, tau_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """TEME position [km] and velocity [km/s] ``(m, 3)`` at ``tau_s`` seconds after ``lo``
        (clipped into the piece: ``[0, length_s]``)."""
        return to_teme(self.frame, *self.raw_states(tau_s))

    def jd_fr(self, tau_s: FloatArray | float) -> tuple[FloatArray, FloatArray]:
        """UTC two-part Julian dates of ``tau_s`` seconds after ``lo`` (``fr`` may exceed 1)."""
        jd0, fr0 = datetime64_to_jd(self.lo)
        tau = np.atleast_1d(np.asarray(tau_s, np.float64))
        return np.full(tau.shape, jd0[0]), fr0[0] + tau / DAY_S


def primary_id(oem: Oem) -> int:
    """The OEM's ``OBJECT_ID`` as a catalog number if it is one, else :data:`OEM_PRIMARY_ID`."""
    text = oem.segments[0].object_id.strip() if oem.segments else ""
    return int(text) if text.isdigit() and int(text) > 0 else OEM_PRIMARY_ID


def primary_pieces(
    oem: Oem, start: datetime | None = None, end: datetime | None = None,
    step_s: float = DEFAULT_STEP_S,
) -> list[Primary]:
    """The OEM's segments cut to the window ``[start, end]`` (UTC; default: the OEM's span), with
    their step grids (points 1–2). Raises :class:`EphemerisScreenError` for what cannot be
    screened."""
    if not oem.segments:
        raise EphemerisScreenError("the OEM has no segment")
    w0 = np.datetime64(_naive(start), "us") if start is not None else None
    w1 = np.datetime64(_naive(end), "us") if end is not None else None
    pieces: list[Primary] = []
    previous_hi: np.datetime64 | None = None
    ids = {seg.object_id.strip() for seg in oem.segments}
    if len(ids) > 1:
        raise EphemerisScreenError(f"the OEM's segments describe several objects: {sorted(ids)}")
    for k, seg in enumerate(oem.segments):
        where = f"OEM segment {k + 1} ({seg.object_name!r})"
        if seg.center_name.strip().upper() != "EARTH":
            raise EphemerisScreenError(f"{where}: CENTER_NAME {seg.center_name!r} is not EARTH")
        if seg.time_system.strip().upper() != "UTC":
            raise EphemerisScreenError(
                f"{where}: TIME_SYSTEM {seg.time_system!r} is not supported (UTC only)")
        frame = _frame_of(seg)
        try:
            seg.validate()
        except ValueError as exc:
            raise EphemerisScreenError(f"{where}: {exc}") from None
        lo, hi = seg.interpolation_span
        if previous_hi is not None and lo < previous_hi:
            raise EphemerisScreenError(
                f"{where} starts at {lo} before the previous segment stops ({previous_hi}): "
                "overlapping segments are ambiguous")
        previous_hi = hi
        if w0 is not None:
            lo = max(lo, w0)
        if w1 is not None:
            hi = min(hi, w1)
        if hi <= lo:
            continue
        try:
            seg.interpolate(lo)
        except (ValueError, EphemerisRangeError) as exc:
            raise EphemerisScreenError(f"{where}: {exc}") from None
        length_s = float((hi - lo) / US) * 1e-6
        steps = max(3, math.ceil(length_s / step_s - 1e-9))
        pieces.append(Primary(seg, frame, lo, hi, length_s, steps, length_s / steps, seg.epochs[0]))
    if not pieces:
        raise EphemerisScreenError("the window does not overlap the OEM's span")
    return pieces


def _naive(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo is not None else t


def _osculating_band(r: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Osculating perigee and apogee radii [km] (apogee ∞ when unbound) and eccentricity."""
    rn = np.linalg.norm(r, axis=-1)
    h = np.cross(r, v)
    e_vec = np.cross(v, h) / MU_EARTH_KM3_S2 - r / rn[..., None]
    e = np.linalg.norm(e_vec, axis=-1)
    p = np.einsum("...i,...i->...", h, h) / MU_EARTH_KM3_S2
    with np.errstate(divide="ignore"):
        apo = np.where(e < 1.0, p / (1.0 - e), np.inf)
    return p / (1.0 + e), apo, e


@dataclass(frozen=True)
class EphemerisContext:
    """What every task needs: the catalog (rows of the prepared set), the primary's pieces."""

    elsets: tuple[ElementSet, ...]
    token: str
    pieces: tuple[Primary, ...]
    threshold_km: float
    hbr_m: FloatArray
    primary_id: int
    primary_hbr_m: float
    engine: str = "auto"
    substeps: int = 2


@dataclass(frozen=True)
class EphemerisTask:
    """Steps ``[first, stop)`` of piece ``piece``."""

    piece: int
    first: int
    stop: int


_CACHE: dict[str, PreparedSet] = {}


def _prepared(ctx: EphemerisContext) -> PreparedSet:
    if ctx.token not in _CACHE:
        _CACHE.clear()
        _CACHE[ctx.token] = prepare(list(ctx.elsets), engine=ctx.engine)  # type: ignore[arg-type]
    return _CACHE[ctx.token]


def _virtual_rows(at: dict[int, FloatArray], k: IntArray, n: int) -> FloatArray:
    """Rows for steps ``k`` from samples ``at[0 … n]``, virtual beyond the ends (point 3)."""
    rows = []
    for i in k:
        if i < 0:
            rows.append(4 * at[0] - 6 * at[1] + 4 * at[2] - at[3])
        elif i > n:
            rows.append(4 * at[n] - 6 * at[n - 1] + 4 * at[n - 2] - at[n - 3])
        else:
            rows.append(at[int(i)])
    return np.array(rows)


def _primary_samples(piece: Primary, first: int, stop: int
                     ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Primary positions at steps ``first − 1 … stop + 1`` [km] ``(m + 3, 3)``, in TEME and in
    the frame the residual check uses (point 3; the OEM's own if inertial), and each step's
    Lagrange factor ``(m,)``."""
    n = piece.steps
    k = np.arange(first - 1, stop + 2)
    need = np.unique(np.concatenate([np.clip(k, 0, n), np.arange(4), np.arange(n - 3, n + 1)]))
    raw = piece.raw_states(need * piece.step_s)
    r_teme, _ = to_teme(piece.frame, *raw)
    r_check = raw[0] if piece.frame in INERTIAL_FRAMES else r_teme
    teme = _virtual_rows({int(i): r_teme[j] for j, i in enumerate(need)}, k, n)
    check = _virtual_rows({int(i): r_check[j] for j, i in enumerate(need)}, k, n)
    steps = np.arange(first, stop)
    factor = np.where((steps == 0) | (steps == n - 1), END_LAGRANGE_FACTOR, LAGRANGE_FACTOR)
    return teme, check, factor


def _primary_error(piece: Primary, first: int, stop: int, r: FloatArray,
                   factor: FloatArray) -> FloatArray:
    """Bound on |primary − its cubic| per step [km] (point 3): analytic, or twice the residual
    seen at ``s = j/8`` if larger. ``r``: the samples of :func:`_primary_samples` in the check
    frame — for an inertial OEM frame its own (the residual of a path under a rotation that
    turns by < 1e-9 rad per step is the same to ~1e-6 of itself, and this skips ERFA's costly
    GCRS matrices at 7 points a step), else TEME."""
    m = stop - first
    s = np.arange(1, GRID_PARTS) / GRID_PARTS
    tau = ((first + np.arange(m))[:, None] + s[None, :]).ravel() * piece.step_s
    if piece.frame in INERTIAL_FRAMES:
        truth, vel, _, _ = piece.raw_states(tau)
    else:
        truth, vel = piece.states(tau)
    a, b, c, d = cubic_power(r[:-3], r[1:-2], r[2:-1], r[3:])
    ss = np.tile(s, m)[:, None]
    rep = np.repeat(np.arange(m), s.size)
    cubic = a[rep] + ss * (b[rep] + ss * (c[rep] + ss * d[rep]))
    residual = np.linalg.norm(truth - cubic, axis=1).reshape(m, s.size).max(axis=1)
    r_p, _, e = _osculating_band(truth, vel)
    r_p_min = max(float(np.nanmin(r_p)), R_P_FLOOR_KM)
    d4 = max(D4_FACTOR, 2.0 * (1.0 + 3.0 * float(np.nanmax(e)))) * MU_EARTH_KM3_S2**2 / r_p_min**5
    analytic = d4 * piece.step_s**4 * factor
    return np.maximum(analytic, RESIDUAL_FACTOR * residual)


def _norm(x: FloatArray) -> FloatArray:
    return np.sqrt(np.einsum("...i,...i->...", x, x))


def screen_piece(ctx: EphemerisContext, task: EphemerisTask) -> BlockResult:
    """Conjunctions with TCA in steps ``[task.first, task.stop)`` of one piece (module
    docstring, points 3–5). Rows of the sieve: 0 the primary, 1 + i catalog object i."""
    t_start = time.perf_counter()
    piece = ctx.pieces[task.piece]
    prepared = _prepared(ctx)
    h, thr = piece.step_s, ctx.threshold_km
    k = np.arange(task.first - 1, task.stop + 2, dtype=np.float64)
    jd, fr = piece.jd_fr(k * h)
    eph = propagate(prepared, (jd, fr), workers=1)
    r_cat = np.ascontiguousarray(eph.r.transpose(1, 0, 2))  # (m + 3, n, 3)
    del eph
    blank_unphysical(r_cat)
    r_pri, r_check, factor = _primary_samples(piece, task.first, task.stop)
    t_prop = time.perf_counter()
    err_pri = _primary_error(piece, task.first, task.stop, r_check, factor)
    r = np.concatenate([r_pri[:, None, :], r_cat], axis=1)
    err_cat = interpolation_error_km(prepared.elements, h)
    a3_max = max_cubic_term_km(h)
    found_j, found_q = [], []
    n_broad = 0
    for q0 in range(0, task.stop - task.first, STEPS_AT_ONCE):
        q1 = min(q0 + STEPS_AT_ONCE, task.stop - task.first)
        power = cubic_power(r[q0:q1], r[q0 + 1:q1 + 1], r[q0 + 2:q1 + 2], r[q0 + 3:q1 + 3])
        ok = np.isfinite(power[3]).all(axis=2) & (_norm(power[3]) <= a3_max)  # (steps, n + 1)
        for sub in range(ctx.substeps):
            a0, a1, a2, a3 = recentre(power, sub, ctx.substeps)
            rho = 0.5 * _norm(a1) + 0.25 * _norm(a2) + 0.125 * _norm(a3)
            rho[:, 0] += err_pri[q0:q1]
            rho[:, 1:] += err_cat
            # swept spheres: primary (row 0) against every catalog row, all steps at once
            gap = _norm(a0[:, 1:] - a0[:, :1])
            qs, js = np.nonzero(ok[:, 1:] & (gap <= rho[:, 1:] + rho[:, :1] + thr))
            n_broad += qs.size
            # narrow phase on the pairs' rows only: rows [0, k) the primary at each pair's step,
            # rows [k, 2k) the catalog object
            k = qs.size
            coeffs = tuple(np.concatenate([x[qs, 0], x[qs, js + 1]]) for x in (a0, a1, a2, a3))
            err = np.concatenate([err_pri[q0 + qs], err_cat[js]])
            keep = narrow_mask(np.arange(k), k + np.arange(k), coeffs, err, thr)  # type: ignore[arg-type]
            found_j.append(js[keep] + 1)
            found_q.append(q0 + qs[keep])
    cj = np.concatenate(found_j) if found_j else np.empty(0, np.int64)
    cq = np.concatenate(found_q) if found_q else np.empty(0, np.int64)
    pairs = np.unique(np.stack([cj, cq], axis=1), axis=0) if cj.size else np.empty((0, 2), int)
    cj, cq = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    cand, s_a, s_b = minimum_brackets(r, cq, np.zeros(cj.size, np.int64), cj)
    t_sieve = time.perf_counter()

    events = []
    for c, sa, sb in zip(cand, s_a, s_b, strict=True):
        step = task.first + int(cq[c])
        row = int(cj[c]) - 1
        tau = _find_tca_s(piece, prepared.satrecs[row], step, float(sa), float(sb))
        if tau is None or not 0.0 < tau < piece.length_s:
            continue
        event = _conjunction(ctx, piece, prepared, row, tau)
        if event.miss_km <= thr:
            events.append(event)
    t_end = time.perf_counter()
    return BlockResult(events, broad_pairs=n_broad, candidates=int(cand.size),
                           propagate_s=t_prop - t_start, sieve_s=t_sieve - t_prop,
                           refine_s=t_end - t_sieve)


def _secondary(sat: Satrec, jd: float, fr: float) -> tuple[FloatArray, FloatArray] | None:
    """python-sgp4 position [km] and central-difference velocity [km/s] (±``FD_S``), TEME."""
    dt = FD_S / DAY_S
    e0, r0, _ = sat.sgp4(jd, fr)
    e1, r1, _ = sat.sgp4(jd, fr - dt)
    e2, r2, _ = sat.sgp4(jd, fr + dt)
    if e0 or e1 or e2:
        return None
    return np.array(r0), (np.array(r2) - np.array(r1)) / (2.0 * FD_S)


def _range_rate(piece: Primary, sat: Satrec, tau: float) -> float:
    """``½ d|Δr|²/dt`` [km²/s] at ``tau`` s into the piece (point 5; NaN if SGP4 fails)."""
    jd, fr = piece.jd_fr(tau)
    sec = _secondary(sat, float(jd[0]), float(fr[0]))
    if sec is None:
        return math.nan
    r1, v1 = piece.states(np.array([tau]))
    return float(np.dot(sec[0] - r1[0], sec[1] - v1[0]))


def _find_tca_s(piece: Primary, sat: Satrec, step: int, s_a: float, s_b: float) -> float | None:
    """Seconds into the piece of the range minimum bracketed by ``[s_a, s_b]`` (fractions of
    step ``step``), clipped to the piece; then the fallbacks of :func:`refine.find_tca_s`."""
    h, t0 = piece.step_s, step * piece.step_s

    def f(tau: float) -> float:
        return _range_rate(piece, sat, tau)

    ends: list[tuple[float, float]] = []
    for a, b in ((t0 + s_a * h, t0 + s_b * h), (t0, t0 + h), (t0 - h, t0 + 2.0 * h)):
        a, b = max(a, 0.0), min(b, piece.length_s)
        if b <= a:
            continue
        fa, fb = f(a), f(b)
        if not (np.isfinite(fa) and np.isfinite(fb)):
            return None
        if fa < 0.0 <= fb:
            return b if fb == 0.0 else float(brentq(f, a, b, xtol=XTOL_S, maxiter=200))
        ends += [(abs(fa), a), (abs(fb), b)]
    if not ends:
        return None
    best = min(ends)
    return best[1] if best[0] <= EDGE_F_KM2_S else None


def _conjunction(ctx: EphemerisContext, piece: Primary, prepared: PreparedSet, row: int,
                 tau: float) -> Conjunction:
    """The record of catalog row ``row`` at ``tau`` s into ``piece`` (primary from the OEM)."""
    r1, v1 = (x[0] for x in piece.states(np.array([tau])))
    jd, fr = (float(x[0]) for x in piece.jd_fr(tau))
    _, r2t, v2t = prepared.satrecs[row].sgp4(jd, fr)
    return _record(ctx, piece, prepared, row, jd, fr, r1, v1, np.array(r2t), np.array(v2t))


def _record(ctx: EphemerisContext, piece: Primary, prepared: PreparedSet, row: int, jd: float,
            fr: float, r1: FloatArray, v1: FloatArray, r2: FloatArray,
            v2: FloatArray) -> Conjunction:
    dr = r2 - r1
    whole = math.floor(fr)
    tca_jd, tca_fr = jd + whole, fr - whole
    tca = jd_to_datetime(tca_jd, tca_fr)
    hbr2 = float(ctx.hbr_m[row]) if np.isfinite(ctx.hbr_m[row]) else DEFAULT_HBR_M
    hbr = ctx.primary_hbr_m + hbr2
    seg_jd, seg_fr = datetime64_to_jd(piece.segment_start)
    age1 = (tca_jd - float(seg_jd[0])) + (tca_fr - float(seg_fr[0]))
    age2 = (tca_jd - prepared.epoch_jd[row]) + (tca_fr - prepared.epoch_fr[row])
    return Conjunction(
        primary_id=ctx.primary_id,
        secondary_id=int(prepared.norad_ids[row]),
        tca=tca,
        tca_jd=float(tca_jd),
        tca_fr=float(tca_fr),
        miss_km=float(np.linalg.norm(dr)),
        relative_speed_km_s=float(np.linalg.norm(v2 - v1)),
        miss_rtn_km=tuple(float(x) for x in rtn_components(r1, v1, dr)),  # type: ignore[arg-type]
        r1_km=tuple(float(x) for x in r1),  # type: ignore[arg-type]
        v1_km_s=tuple(float(x) for x in v1),  # type: ignore[arg-type]
        r2_km=tuple(float(x) for x in r2),  # type: ignore[arg-type]
        v2_km_s=tuple(float(x) for x in v2),  # type: ignore[arg-type]
        age1_days=float(age1),
        age2_days=float(age2),
        hbr_m=hbr,
        pc=max_pc(r1, v1, r2, v2, hbr),
        pc_method=PC_METHOD,
    )


def junction_events(ctx: EphemerisContext, prepared: PreparedSet) -> list[Conjunction]:
    """Kink minima at the epochs where one piece ends and the next begins (point 6)."""
    out: list[Conjunction] = []
    pieces = ctx.pieces
    for left, right in itertools.pairwise(pieces):
        if left.hi != right.lo:
            continue
        r_l, v_l = (x[0] for x in left.states(np.array([left.length_s])))
        r_r, v_r = (x[0] for x in right.states(np.array([0.0])))
        jd, fr = right.jd_fr(np.array([-FD_S, 0.0, FD_S]))
        eph = propagate(prepared, (jd, fr), workers=1)
        r_s = eph.r[:, 1].copy()
        blank_unphysical(r_s)
        v_s = (eph.r[:, 2] - eph.r[:, 0]) / (2.0 * FD_S)
        f_left = np.einsum("ij,ij->i", r_s - r_l, v_s - v_l)
        f_right = np.einsum("ij,ij->i", r_s - r_r, v_s - v_r)
        miss = _norm(r_s - r_r)
        for row in np.flatnonzero((f_left < 0.0) & (f_right >= 0.0) & (miss <= ctx.threshold_km)):
            _, r2, v2 = prepared.satrecs[row].sgp4(float(jd[1]), float(fr[1]))
            out.append(_record(ctx, right, prepared, int(row), float(jd[1]), float(fr[1]), r_r,
                               v_r, np.array(r2), np.array(v2)))
    return out


def catalog_band_mask(elsets: Sequence[ElementSet], lo_km: float, hi_km: float,
                      threshold_km: float, days: float) -> NDArray[np.bool_]:
    """Catalog objects whose mean perigee–apogee radius band, widened as in
    :func:`sweepers.conjunctions.screen.shell_overlap_mask`, meets ``[lo_km, hi_km]`` widened by
    ``threshold_km/2 + SHELL_MARGIN_KM`` (point 4)."""
    elements = element_array(elsets)
    n_rad_s = elements[:, COL["no_kozai"]] / 60.0
    n_rev_day = n_rad_s * DAY_S / (2.0 * np.pi)
    ecc = elements[:, COL["ecco"]]
    ndot = np.abs(np.array([e.mean_motion_dot for e in elsets]))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.cbrt(MU_EARTH_KM3_S2 / n_rad_s**2)
        decay = 2.0 * (2.0 / 3.0) * a * (2.0 * ndot * days) / n_rev_day
    pad = 0.5 * threshold_km + SHELL_MARGIN_KM
    low = a * (1.0 - ecc) - pad - decay
    high = a * (1.0 + ecc) + pad + decay
    return ~((high < lo_km - pad) | (low > hi_km + pad))


def screen_ephemeris(
    oem: Oem,
    elsets: Sequence[ElementSet],
    start: datetime | None = None,
    days: float | None = None,
    threshold_km: float = 5.0,
    executor: Executor | None = None,
    progress: Progress | None = None,
    *,
    hbr_m: Mapping[int, float] | None = None,
    primary_hbr_m: float = DEFAULT_HBR_M,
    step_s: float = DEFAULT_STEP_S,
    block_steps: int = DEFAULT_BLOCK_STEPS,
    substeps: int = 2,
    engine: str = "auto",
    stats: dict[str, float] | None = None,
) -> list[Conjunction]:
    """Conjunctions of the OEM's object with the catalog (module docstring), sorted by TCA.

    ``oem``: a decoded OEM (:func:`sweepers.formats.oem.load`). ``elsets``: the catalog (the
    latest set per id is kept). Window ``[start, start + days]`` (UTC), cut to the OEM's span
    (defaults: its first epoch and its whole span). ``hbr_m``: hard-body radius per catalog
    number [m]; ``primary_hbr_m``: the OEM object's [m]. ``executor``: a
    :mod:`sweepers.parallel` executor; ``progress(done, total)`` after each task. ``step_s``:
    sieve step [s]; ``block_steps`` steps per task. ``stats`` receives counts and seconds, and
    ``filtered``: the catalog objects left out (outside the primary's radius band, or the OEM's
    own catalog number).
    """
    if threshold_km <= 0 or step_s <= 0 or block_steps < 1 or (days is not None and days <= 0):
        raise EphemerisScreenError("threshold_km, step_s, block_steps and days must be positive")
    end = start + timedelta(days=days) if start is not None and days is not None else None
    if start is None and days is not None:
        first = oem.segments[0].interpolation_span[0] if oem.segments else None
        if first is not None:
            start = first.astype("datetime64[us]").item()
            end = start + timedelta(days=days)
    pieces = primary_pieces(oem, start, end, step_s)
    pid = primary_id(oem)
    latest: dict[int, ElementSet] = {}
    for e in elsets:
        if e.norad_id != pid and (e.norad_id not in latest
                                  or e.epoch > latest[e.norad_id].epoch):
            latest[e.norad_id] = e
    objects = sorted(latest.values(), key=lambda e: e.norad_id)
    if not objects:
        raise EphemerisScreenError("no catalog objects to screen against")

    # the primary's radius band: osculating perigee/apogee of its samples (point 4)
    lo_km, hi_km = math.inf, -math.inf
    for piece in pieces:
        r, v = piece.states(np.linspace(0.0, piece.length_s, piece.steps + 1))
        r_p, r_a, _ = _osculating_band(r, v)
        lo_km = min(lo_km, float(r_p.min()), float(_norm(r).min()))
        hi_km = max(hi_km, float(r_a.max()), float(_norm(r).max()))
    span_days = sum(p.length_s for p in pieces) / DAY_S
    keep = catalog_band_mask(objects, lo_km, hi_km, threshold_km, span_days + 1.0)
    filtered = len({e.norad_id for e in elsets}) - int(keep.sum())  # the band and the OEM's own id
    objects = [e for e, k in zip(objects, keep, strict=True) if k]
    totals = {"objects": float(len(objects)), "filtered": float(filtered),
              "pieces": float(len(pieces)), "broad_pairs": 0.0,
              "candidates": 0.0, "propagate_s": 0.0, "sieve_s": 0.0, "refine_s": 0.0}
    if not objects:
        if stats is not None:
            stats.update(totals, tasks=0.0, conjunctions=0.0)
        return []
    hbr = np.array([np.nan if hbr_m is None else hbr_m.get(e.norad_id, np.nan) for e in objects],
                   dtype=np.float64)
    ctx = EphemerisContext(
        elsets=tuple(objects), token=_token(objects, engine), pieces=tuple(pieces),
        threshold_km=float(threshold_km), hbr_m=hbr, primary_id=pid,
        primary_hbr_m=float(primary_hbr_m), engine=engine, substeps=max(1, substeps))
    tasks = [EphemerisTask(p, first, min(first + block_steps, piece.steps))
             for p, piece in enumerate(pieces) for first in range(0, piece.steps, block_steps)]
    totals["tasks"] = float(len(tasks))
    report = progress
    if report:
        report(0, len(tasks))
    events = junction_events(ctx, _prepared(ctx))
    results = (executor or InProcess()).map(screen_piece, tasks, shared=ctx)
    return gather(results, len(tasks), events, totals, report, stats)


def _token(elsets: Sequence[ElementSet], engine: str) -> str:
    digest = hashlib.sha1(engine.encode())
    digest.update(np.array([e.norad_id for e in elsets], dtype=np.int64).tobytes())
    digest.update(np.array([e.epoch.timestamp() for e in elsets]).tobytes())
    digest.update(np.array([(e.mean_motion_rev_day, e.mean_anomaly_deg, e.bstar)
                            for e in elsets]).tobytes())
    return digest.hexdigest()
