"""Time of closest approach on real SGP4: Brent's method on the range rate.

A candidate is a pair and a bracket ``[a_s, b_s]`` seconds after a step start in which the range
rate turns from negative to non-negative. Both objects are evaluated with python-sgp4 ``Satrec``
(Vallado's reference SGP4/SDP4, WGS72, opsmode 'i'), and the root of the range rate is found
with Brent's method (Brent 1973, via ``scipy.optimize.brentq``) to ``XTOL_S``.

The range rate is ``f = ½ d|Δr|²/dt`` [km²/s] taken by a central difference of SGP4 *positions*
(±``FD_S``), not ``Δr·Δv`` with SGP4's velocities: those are not exactly the derivative of its
positions (by ~1e-6 km/s), which moves the root of ``Δr·Δv`` off the true range minimum by
``δv·miss/v_rel²`` — 0.2 s for a 20 km pass at 0.07 km/s (seen in the Fengyun-1C cloud). The
TCA here is the minimum of the SGP4 position distance. Units: km, km/s, s; TEME; UTC two-part
Julian dates (``fr`` may exceed 1: python-sgp4 adds the parts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from sgp4.api import Satrec

from sweepers.conjunctions.events import (
    DEFAULT_HBR_M,
    Conjunction,
    max_pc_isotropic,
    rtn_tuple,
)
from sweepers.epochs import DAY_S, jd_to_datetime
from sweepers.orbits.sgp4_batch import PreparedSet

XTOL_S = 1e-6  # Brent tolerance on the TCA [s]
FD_S = 1e-3  # half-width of the central difference of |Δr|² [s]
MIN_RADIUS_KM = 6000.0  # SGP4 states outside these radii are not orbits (decayed element sets)
MAX_RADIUS_KM = 2.0e6
EDGE_F_KM2_S = 1e-6  # |f| below which a failed bracket's endpoint is itself taken as the TCA


@dataclass(frozen=True, slots=True)
class Candidate:
    """Rows ``i``, ``j`` of the prepared set; the step starts at ``(jd, fr0)``; bracket [s]."""

    i: int
    j: int
    fr0: float
    a_s: float
    b_s: float


def range_rate(sat1: Satrec, sat2: Satrec, jd: float, fr: float) -> float:
    """``½ d|Δr|²/dt`` [km²/s] at ``(jd, fr)`` by central difference (NaN if SGP4 fails or a
    position is outside ``(MIN_RADIUS_KM, MAX_RADIUS_KM)``). The hot loop of the refinement:
    plain floats, no helper calls."""
    dt = FD_S / DAY_S
    e1, p1, _ = sat1.sgp4(jd, fr + dt)
    e2, p2, _ = sat2.sgp4(jd, fr + dt)
    e3, m1, _ = sat1.sgp4(jd, fr - dt)
    e4, m2, _ = sat2.sgp4(jd, fr - dt)
    if e1 or e2 or e3 or e4:
        return math.nan
    for r in (p1, p2, m1, m2):
        radius = (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]) ** 0.5
        if not MIN_RADIUS_KM < radius < MAX_RADIUS_KM:
            return math.nan
    plus = (p2[0] - p1[0]) ** 2 + (p2[1] - p1[1]) ** 2 + (p2[2] - p1[2]) ** 2
    minus = (m2[0] - m1[0]) ** 2 + (m2[1] - m1[1]) ** 2 + (m2[2] - m1[2]) ** 2
    return (plus - minus) / (4.0 * FD_S)


def find_tca_s(sat1: Satrec, sat2: Satrec, jd: float, fr0: float, a_s: float, b_s: float,
               step_s: float) -> float | None:
    """Seconds after ``(jd, fr0)`` of the range minimum bracketed by ``[a_s, b_s]``.

    The sieve's brackets come from an interpolant of sampled positions; where SGP4's range rate
    disagrees (a minimum within a fraction of a second of a bracket end), the whole
    step and then the step with its two neighbours are tried; failing all, an end where
    ``|f| ≤ EDGE_F_KM2_S`` is the TCA. A root found in a neighbouring step is kept (duplicates
    are merged by TCA downstream).
    """

    def f(tau: float) -> float:
        return range_rate(sat1, sat2, jd, fr0 + tau / DAY_S)

    ends: list[tuple[float, float]] = []
    for a, b in ((a_s, b_s), (0.0, step_s), (-step_s, 2.0 * step_s)):
        fa, fb = f(a), f(b)
        if not (math.isfinite(fa) and math.isfinite(fb)):
            return None
        if fa < 0.0 <= fb:
            if fb == 0.0:
                return b
            return float(brentq(f, a, b, xtol=XTOL_S, maxiter=200))
        ends += [(abs(fa), a), (abs(fb), b)]
    best = min(ends)
    return best[1] if best[0] <= EDGE_F_KM2_S else None


def refine_candidates(
    prepared: PreparedSet,
    candidates: Sequence[Candidate],
    jd: float,
    step_s: float,
    threshold_km: float,
    hbr_m: NDArray[np.float64],
    *,
    primary_mask: NDArray[np.bool_] | None = None,
    window: tuple[float, float] = (-np.inf, np.inf),
) -> list[Conjunction]:
    """Refine each candidate; keep minima with miss ≤ ``threshold_km`` and ``fr`` in ``window``
    (day fractions relative to ``jd``). ``hbr_m`` per row [m] (NaN → ``DEFAULT_HBR_M``)."""
    sats = prepared.satrecs
    out: list[Conjunction] = []
    for c in candidates:
        tau = find_tca_s(sats[c.i], sats[c.j], jd, c.fr0, c.a_s, c.b_s, step_s)
        if tau is None:
            continue
        fr = c.fr0 + tau / DAY_S
        if not window[0] < fr <= window[1]:
            continue
        event = conjunction_at(prepared, c.i, c.j, jd, fr, hbr_m, primary_mask)
        if event is not None and event.miss_km <= threshold_km:
            out.append(event)
    return out


def conjunction_at(
    prepared: PreparedSet,
    i: int,
    j: int,
    jd: float,
    fr: float,
    hbr_m: NDArray[np.float64],
    primary_mask: NDArray[np.bool_] | None = None,
) -> Conjunction | None:
    """The :class:`Conjunction` record of rows ``i``, ``j`` at TCA ``(jd, fr)`` (UTC)."""
    ids = prepared.norad_ids
    first_is_primary = (
        bool(primary_mask[i]) if primary_mask is not None and primary_mask[i] != primary_mask[j]
        else ids[i] <= ids[j]
    )
    p, s = (i, j) if first_is_primary else (j, i)
    e1, r1, v1 = prepared.satrecs[p].sgp4(jd, fr)
    e2, r2, v2 = prepared.satrecs[s].sgp4(jd, fr)
    if e1 or e2:
        return None
    dr = (r2[0] - r1[0], r2[1] - r1[1], r2[2] - r1[2])
    dv = (v2[0] - v1[0], v2[1] - v1[1], v2[2] - v1[2])
    miss_km = math.sqrt(dr[0] * dr[0] + dr[1] * dr[1] + dr[2] * dr[2])
    hbr = sum(DEFAULT_HBR_M if not math.isfinite(hbr_m[k]) else float(hbr_m[k]) for k in (p, s))
    ages = [(jd - float(prepared.epoch_jd[k])) + (fr - float(prepared.epoch_fr[k]))
            for k in (p, s)]
    tca = jd_to_datetime(jd, fr)
    whole = math.floor(fr)
    return Conjunction(
        primary_id=int(ids[p]),
        secondary_id=int(ids[s]),
        tca=tca,
        tca_jd=float(jd + whole),
        tca_fr=float(fr - whole),
        miss_km=miss_km,
        relative_speed_km_s=math.sqrt(dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2]),
        miss_rtn_km=rtn_tuple(r1, v1, dr),
        r1_km=tuple(r1),
        v1_km_s=tuple(v1),
        r2_km=tuple(r2),
        v2_km_s=tuple(v2),
        age1_days=ages[0],
        age2_days=ages[1],
        hbr_m=hbr,
        pc=max_pc_isotropic(1e3 * miss_km, hbr),
    )
