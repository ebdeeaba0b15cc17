"""An all-pairs brute-force screener: the oracle of the catalog screening tests.

It shares nothing with ``sweepers.conjunctions`` but SGP4 itself (python-sgp4 ``Satrec`` built
with ``twoline2rv`` from each object's raw TLE lines, not the project's OMM → ``sgp4init`` path):

* **candidate search**: every pair, every ``step_s`` seconds: at each sample, every pair
  closer than ``threshold + V·step_s/2`` (an exact k-d-tree range query: the same pairs as
  testing all of them), and of those the discrete local minima of the sampled range. A true
  minimum ``d*`` at ``t*`` has a sample within ``step_s/2``, so the discrete minimum of its
  valley is ≤ ``d* + V·step_s/2`` (V bounds the relative speed: twice the largest speed
  sampled) and the range query keeps it; then the linear extrapolation from that sample is
  within ``½·|Δa|max·τ² ≤ 1 km`` of the truth for |τ| ≤ 10 s (|Δa| ≤ 2 × 9.8e-3 km/s²), which
  is the second, exact-by-construction filter (so ``step_s`` is at most 10 s);
* **refinement**: bounded Brent *minimisation* of |Δr|² (not a root of the range rate) over
  the two samples around the discrete minimum.

A state takes part only if SGP4 returns it without an error code and at a radius between
6,000 km and 2e6 km (no Earth orbit lies outside: stale sets with large drag terms give 1e10 km
with status 0); a pair is searched only where both states do.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.spatial import cKDTree
from sgp4.api import Satrec, SatrecArray

ORBIT_RADII_KM = (6000.0, 2.0e6)
Event = tuple[int, int, float, float]
"""(lower id, higher id, TCA [s after the start], miss [km])."""


def jd_parts(t: datetime) -> tuple[float, float]:
    """UTC datetime → (Julian day at 0h, fraction of day)."""
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    jd = 2451544.5 + (day - datetime(2000, 1, 1, tzinfo=UTC)).days
    return jd, (t - day).total_seconds() / 86400.0


def brute_force(lines: dict[int, tuple[str, str]], start: datetime, span_s: float,
                threshold_km: float, step_s: float = 10.0) -> list[Event]:
    """Every range minimum ≤ ``threshold_km`` with TCA in ``(start, start + span_s]`` between
    any two of the objects whose TLE lines are ``lines`` (catalog number → (line 1, line 2))."""
    assert step_s <= 10.0
    ids = sorted(lines)
    sats = {i: Satrec.twoline2rv(*lines[i]) for i in ids}
    jd0, fr0 = jd_parts(start)
    k = np.arange(-1, math.ceil(span_s / step_s) + 2)
    err, r, v = SatrecArray([sats[i] for i in ids]).sgp4(np.full(k.size, jd0),
                                                       fr0 + k * step_s / 86400.0)
    radius = np.linalg.norm(r, axis=2)
    good = (err == 0) & (radius > ORBIT_RADII_KM[0]) & (radius < ORBIT_RADII_KM[1])
    r[~good], v[~good] = np.nan, np.nan
    r, v = r.transpose(1, 0, 2).copy(), v.transpose(1, 0, 2).copy()  # (m, n, 3)
    pad = 2.0 * float(np.nanmax(np.linalg.norm(v, axis=2))) * step_s / 2.0
    cands: list[tuple[int, int, int]] = []
    for kk in range(1, k.size - 1):
        rows = np.flatnonzero(good[:, kk])
        close = cKDTree(r[kk, rows]).query_pairs(threshold_km + pad, output_type="ndarray")
        ii, jj = rows[close[:, 0]], rows[close[:, 1]]
        d = [np.linalg.norm(r[kk + s, jj] - r[kk + s, ii], axis=1) for s in (-1, 0, 1)]
        with np.errstate(invalid="ignore"):
            is_min = (d[1] < d[0]) & (d[1] <= d[2])
        ii, jj = ii[is_min], jj[is_min]
        # exact second filter: linear extrapolation ± 1 km over |τ| ≤ 10 s
        dr = r[kk, jj] - r[kk, ii]
        dv = v[kk, jj] - v[kk, ii]
        tau = np.clip(-np.einsum("ij,ij->i", dr, dv) / np.einsum("ij,ij->i", dv, dv),
                      -step_s, step_s)
        near = np.linalg.norm(dr + dv * tau[:, None], axis=1) <= threshold_km + 1.0
        cands += [(kk, i, j) for i, j in zip(ii[near].tolist(), jj[near].tolist(), strict=True)]
    found: list[Event] = []
    for kk, ii, jj in cands:
        a, b = ids[ii], ids[jj]
        s1, s2 = sats[a], sats[b]
        t_mid = float(k[kk]) * step_s

        def d2(tau: float, s1: Satrec = s1, s2: Satrec = s2, t_mid: float = t_mid) -> float:
            fr = fr0 + (t_mid + tau) / 86400.0
            e1, p1, _ = s1.sgp4(jd0, fr)
            e2, p2, _ = s2.sgp4(jd0, fr)
            if e1 or e2:
                return math.inf
            return sum((x - y) ** 2 for x, y in zip(p1, p2, strict=True))

        res = minimize_scalar(d2, bounds=(-step_s, step_s), method="bounded",
                              options={"xatol": 1e-7})
        tau = float(res.x)
        if abs(abs(tau) - step_s) < 1e-3:  # at the bracket's edge: not a minimum in here
            continue
        tca_s = t_mid + tau
        miss = math.sqrt(float(res.fun))
        if 0.0 < tca_s <= span_s and miss <= threshold_km:
            found.append((min(a, b), max(a, b), tca_s, miss))
    found.sort()
    unique: list[Event] = []
    for ev in found:
        if unique and unique[-1][:2] == ev[:2] and abs(unique[-1][2] - ev[2]) < 1e-3:
            continue
        unique.append(ev)
    return unique
