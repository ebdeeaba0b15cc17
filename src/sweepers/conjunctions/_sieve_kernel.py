"""Compiled broad and narrow phase of the time sieve (numba): a hashed grid of columns per sub-step.

The inequalities are those of :mod:`sweepers.conjunctions.sieve` (points 2 and 3 of its
docstring); this module only finds the pairs that satisfy them without building a KD-tree per
sub-step. Units: km; TEME; times in fractions of a step.

Per sub-step, the objects with a finite swept sphere are split at ``cut`` (a quantile of their
radii ``ρ``, fixed once per call) into *slow* (``ρ ≤ cut``) and *fast* ones:

* slow objects are counting-sorted into square columns (parallel to z) of side
  ``L = (2·ρ_slow_max + D)·(1 + 1e-6) + 1e-6`` km, hashed into a table of ``2^b ≥ n`` buckets,
  and sorted by z within each column (each column keeps its exact integer key, so hash collisions
  never mix columns). Two slow objects whose spheres can meet are at most
  ``ρᵢ + ρⱼ + D < L`` apart, so their columns differ by at most one in x and in y and their z by
  at most L: each column is swept in z against itself and its 4 neighbours of one half-plane
  (``(1, −1), (1, 0), (1, 1), (0, 1)``: every pair of columns once). With primaries, each slow
  primary scans the 9 columns around it instead;
* each fast object scans the columns within ``⌊R/L⌋ + 1`` of its own over ``z ± R``, ``R`` its
  largest reach ``ρ_f + ρ_slow_max + D`` (all slow objects when that box holds more columns than
  there are), and fast pairs are tested all against all.

Every pair met is tested with the swept-sphere inequality ``|Δa₀| ≤ ρᵢ + ρⱼ + D`` (widened by
a relative 1e-9 and 1e-9 km so that rounding can never drop a pair the narrow phase admits: the
narrow bound implies the sphere bound exactly) and then with the narrow-phase inequality
``min_u |Δa₀ + Δa₁u| − |Δa₂|/4 − |Δa₃|/8 ≤ D + errᵢ + errⱼ`` (u ∈ [−½, ½]).

Which pairs are reported (``source`` marks the rows a pair may be anchored on):

* all-vs-all (``primary=False``): pairs ``i < j`` with ``source[i]`` (the object block);
* primaries (``primary=True``): pairs with a source row; ``i`` is the source one, ``i < j`` when
  both are.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

SLACK_REL = 1e-9  # widening of the sphere test (see module docstring)
SLACK_KM = 1e-9
CELL_MARGIN = 1e-6  # columns a relative 1e-6 (+ 1e-6 km) wider than the largest slow reach
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier (2^64 / φ)
_MIN_BUFFER = 1024


@njit(cache=True, error_model="numpy")
def _narrow_deltas(
    d0x: float, d0y: float, d0z: float, d1x: float, d1y: float, d1z: float,
    c2x: float, c2y: float, c2z: float, c3x: float, c3y: float, c3z: float, limit: float,
) -> bool:
    """The narrow-phase inequality (module docstring) on a pair's coefficient differences
    (Δa₀, Δa₁, Δa₂, Δa₃) [km]: ``min_u |Δa₀ + Δa₁u| − |Δa₂|/4 − |Δa₃|/8 ≤ limit``."""
    d11 = d1x * d1x + d1y * d1y + d1z * d1z
    u = -(d0x * d1x + d0y * d1y + d0z * d1z) / d11 if d11 > 0.0 else 0.0
    u = min(max(u, -0.5), 0.5)
    px = d0x + d1x * u
    py = d0y + d1y * u
    pz = d0z + d1z * u
    curvature = 0.25 * math.sqrt(c2x * c2x + c2y * c2y + c2z * c2z) \
        + 0.125 * math.sqrt(c3x * c3x + c3y * c3y + c3z * c3z)
    linear = math.sqrt(px * px + py * py + pz * pz)
    return linear - curvature <= limit


@njit(cache=True, error_model="numpy")
def _narrow(
    i: int, j: int, a0: NDArray[np.float64], a1: NDArray[np.float64], a2: NDArray[np.float64],
    a3: NDArray[np.float64], err: NDArray[np.float64], threshold_km: float,
) -> bool:
    """The narrow-phase inequality (module docstring) for rows ``i``, ``j``."""
    return _narrow_deltas(
        a0[i, 0] - a0[j, 0], a0[i, 1] - a0[j, 1], a0[i, 2] - a0[j, 2],
        a1[i, 0] - a1[j, 0], a1[i, 1] - a1[j, 1], a1[i, 2] - a1[j, 2],
        a2[i, 0] - a2[j, 0], a2[i, 1] - a2[j, 1], a2[i, 2] - a2[j, 2],
        a3[i, 0] - a3[j, 0], a3[i, 1] - a3[j, 1], a3[i, 2] - a3[j, 2],
        threshold_km + err[i] + err[j])


@njit(cache=True, error_model="numpy")
def _narrow_rows(
    pa: int, pb: int, slot: NDArray[np.float64], coef: NDArray[np.float64], threshold_km: float,
) -> bool:
    """:func:`_narrow` on sorted rows ``pa``, ``pb`` (``slot``: a₀, ρ; ``coef``: a₁, a₂, a₃,
    err): the same operations in the same order, so the same result bit for bit."""
    return _narrow_deltas(
        slot[pa, 0] - slot[pb, 0], slot[pa, 1] - slot[pb, 1], slot[pa, 2] - slot[pb, 2],
        coef[pa, 0] - coef[pb, 0], coef[pa, 1] - coef[pb, 1], coef[pa, 2] - coef[pb, 2],
        coef[pa, 3] - coef[pb, 3], coef[pa, 4] - coef[pb, 4], coef[pa, 5] - coef[pb, 5],
        coef[pa, 6] - coef[pb, 6], coef[pa, 7] - coef[pb, 7], coef[pa, 8] - coef[pb, 8],
        threshold_km + coef[pa, 9] + coef[pb, 9])


@njit(cache=True, error_model="numpy")
def _sphere(
    i: int, j: int, a0: NDArray[np.float64], rho: NDArray[np.float64], threshold_km: float,
) -> bool:
    """The swept-sphere inequality (with the module docstring's slack) for rows ``i``, ``j``."""
    dx = a0[i, 0] - a0[j, 0]
    dy = a0[i, 1] - a0[j, 1]
    dz = a0[i, 2] - a0[j, 2]
    reach = (rho[i] + rho[j] + threshold_km) * (1.0 + SLACK_REL) + SLACK_KM
    return dx * dx + dy * dy + dz * dz <= reach * reach


@njit(cache=True)
def _orient(a: int, b: int, source: NDArray[np.bool_], primary: bool) -> tuple[int, int]:
    """The reported order of the pair ``{a, b}`` (module docstring), or ``(-1, -1)``."""
    lo, hi = (a, b) if a < b else (b, a)
    if not primary:
        return (lo, hi) if source[lo] else (-1, -1)
    if source[a] and source[b]:
        return lo, hi
    if source[a]:
        return a, b
    if source[b]:
        return b, a
    return -1, -1


@njit(cache=True)
def _push(buf: NDArray[np.int64], count: int, i: int, j: int, q: int) -> NDArray[np.int64]:
    """Store ``(i, j, q)`` at row ``count`` of ``buf`` (grown ×2 when full)."""
    if count == buf.shape[0]:
        grown = np.empty((2 * buf.shape[0], 3), np.int64)
        grown[:count] = buf[:count]
        buf = grown
    buf[count, 0] = i
    buf[count, 1] = j
    buf[count, 2] = q
    return buf


@njit(cache=True)
def _table_bits(n: int) -> int:
    """log2 of the hash table size: the smallest power of two ≥ n (at least 2^4)."""
    bits = 4
    while (1 << bits) < n:
        bits += 1
    return bits


@njit(cache=True)
def slow_cut(rho: NDArray[np.float64], valid: NDArray[np.bool_], quantile: float) -> float:
    """The ``quantile`` of ``rho`` over the ``valid`` rows [km] (−1 when none is valid)."""
    n_valid = 0
    for i in range(rho.shape[0]):
        if valid[i]:
            n_valid += 1
    if n_valid == 0:
        return -1.0
    values = np.empty(n_valid)
    k = 0
    for i in range(rho.shape[0]):
        if valid[i]:
            values[k] = rho[i]
            k += 1
    values.sort()
    return values[int(quantile * (n_valid - 1))]


@njit(cache=True)
def _column(cx: int, cy: int) -> int:
    """The key of grid column ``(cx, cy)`` (32 bits of each coordinate; see module docstring)."""
    return (cx & 0xFFFFFFFF) | ((cy & 0xFFFFFFFF) << 32)


@njit(cache=True)
def _bucket(key: int, shift: int) -> int:
    """Hash bucket of a column key in a table of ``2^(64 − shift)`` buckets (Fibonacci)."""
    return np.int64((np.uint64(key) * _GOLDEN) >> np.uint64(shift))


@njit(cache=True)
def _find_run(key: int, shift: int, first_run: NDArray[np.int64],
              run_key: NDArray[np.int64]) -> int:
    """Index of the run (column) with ``key``, or −1 if that column holds no object."""
    b = _bucket(key, shift)
    for r in range(first_run[b], first_run[b + 1]):
        if run_key[r] == key:
            return r
    return -1


@njit(cache=True)
def _lower_bound(slot: NDArray[np.float64], lo: int, hi: int, z: float) -> int:
    """First row in ``[lo, hi)`` (sorted by ``slot[:, 2]``) with ``slot[row, 2] ≥ z``."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if slot[mid, 2] < z:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, error_model="numpy")
def substep_pairs(
    a0: NDArray[np.float64], a1: NDArray[np.float64], a2: NDArray[np.float64],
    a3: NDArray[np.float64], rho: NDArray[np.float64], err: NDArray[np.float64],
    valid: NDArray[np.bool_], threshold_km: float, source: NDArray[np.bool_], primary: bool,
    cut: float, narrow: bool, q: int, buf: NDArray[np.int64], count: int,
) -> tuple[NDArray[np.int64], int, int]:
    """Append ``(i, j, q)`` to ``buf`` (from row ``count``) for each reported pair of the ``valid``
    rows that passes the sphere test (and, with ``narrow``, the narrow test) on one sub-step.

    ``a0 … a3`` (n, 3): the sub-step's coefficients about its middle [km]; ``rho``, ``err`` (n,)
    [km]. Returns the buffer, the new count and the number of pairs whose spheres meet.
    """
    n = rho.shape[0]
    slow = np.empty(n, np.int64)
    fast = np.empty(n, np.int64)
    n_slow = 0
    n_fast = 0
    slow_max = 0.0
    for i in range(n):
        if not valid[i]:
            continue
        if rho[i] <= cut:
            slow[n_slow] = i
            n_slow += 1
            slow_max = max(slow_max, rho[i])
        else:
            fast[n_fast] = i
            n_fast += 1
    side = (2.0 * slow_max + threshold_km) * (1.0 + CELL_MARGIN) + CELL_MARGIN
    inv_side = 1.0 / side
    bits = _table_bits(n_slow)
    shift = 64 - bits
    size = 1 << bits
    # counting sort of the slow objects by column bucket, then by (column, z) in each bucket
    start = np.zeros(size + 1, np.int64)
    key_of = np.empty(n_slow, np.int64)
    bucket_of = np.empty(n_slow, np.int64)
    for k in range(n_slow):
        i = slow[k]
        key = _column(np.int64(math.floor(a0[i, 0] * inv_side)),
                      np.int64(math.floor(a0[i, 1] * inv_side)))
        key_of[k] = key
        b = _bucket(key, shift)
        bucket_of[k] = b
        start[b + 1] += 1
    for b in range(size):
        start[b + 1] += start[b]
    fill = start[:size].copy()
    keys = np.empty(n_slow, np.int64)
    slot = np.empty((n_slow, 4))  # per sorted row: x, y, z, ρ [km]
    ids = np.empty(n_slow, np.int64)
    for k in range(n_slow):
        at = fill[bucket_of[k]]
        fill[bucket_of[k]] += 1
        i = slow[k]
        keys[at] = key_of[k]
        ids[at] = i
        slot[at, 0] = a0[i, 0]
        slot[at, 1] = a0[i, 1]
        slot[at, 2] = a0[i, 2]
        slot[at, 3] = rho[i]
    for b in range(size):
        for at in range(start[b] + 1, start[b + 1]):  # insertion sort: buckets are small
            k_key, k_id = keys[at], ids[at]
            x, y, z, r = slot[at, 0], slot[at, 1], slot[at, 2], slot[at, 3]
            p = at - 1
            while p >= start[b] and (keys[p] > k_key or (keys[p] == k_key and slot[p, 2] > z)):
                keys[p + 1] = keys[p]
                ids[p + 1] = ids[p]
                slot[p + 1, 0] = slot[p, 0]
                slot[p + 1, 1] = slot[p, 1]
                slot[p + 1, 2] = slot[p, 2]
                slot[p + 1, 3] = slot[p, 3]
                p -= 1
            keys[p + 1] = k_key
            ids[p + 1] = k_id
            slot[p + 1, 0] = x
            slot[p + 1, 1] = y
            slot[p + 1, 2] = z
            slot[p + 1, 3] = r
    # the narrow phase's data in the same order (pairs met in a sweep are near in memory)
    coef = np.empty((n_slow, 10))  # per sorted row: a₁, a₂, a₃ [km], err [km]
    for at in range(n_slow):
        i = ids[at]
        for c in range(3):
            coef[at, c] = a1[i, c]
            coef[at, 3 + c] = a2[i, c]
            coef[at, 6 + c] = a3[i, c]
        coef[at, 9] = err[i]
    # runs: the rows of one column, sorted by z; the runs of a bucket are consecutive
    run_start = np.empty(n_slow + 1, np.int64)
    run_key = np.empty(n_slow, np.int64)
    first_run = np.zeros(size + 1, np.int64)
    n_runs = 0
    for at in range(n_slow):
        if at == 0 or keys[at] != keys[at - 1]:
            run_start[n_runs] = at
            run_key[n_runs] = keys[at]
            first_run[_bucket(keys[at], shift) + 1] += 1
            n_runs += 1
    run_start[n_runs] = n_slow
    for b in range(size):
        first_run[b + 1] += first_run[b]
    slack = 1.0 + SLACK_REL

    n_broad = 0
    if not primary:
        # each column with itself and its 4 neighbours of one half-plane; a z-sweep in each
        for ra in range(n_runs):
            a_lo, a_hi = run_start[ra], run_start[ra + 1]
            ax = np.int64(np.int32(run_key[ra] & 0xFFFFFFFF))
            ay = np.int64(np.int32(run_key[ra] >> 32))
            for nb in range(5):
                if nb == 0:
                    b_lo, b_hi = a_lo, a_hi
                else:
                    dx = 1 if nb < 4 else 0
                    dy = nb - 2 if nb < 4 else 1
                    rb = _find_run(_column(ax + dx, ay + dy), shift, first_run, run_key)
                    if rb < 0:
                        continue
                    b_lo, b_hi = run_start[rb], run_start[rb + 1]
                    # z ranges of the two columns too far apart: nothing to sweep
                    if slot[b_lo, 2] > slot[a_hi - 1, 2] + side \
                            or slot[b_hi - 1, 2] < slot[a_lo, 2] - side:
                        continue
                lo = b_lo
                for pa in range(a_lo, a_hi):
                    xs, ys, zs, rs = slot[pa, 0], slot[pa, 1], slot[pa, 2], slot[pa, 3]
                    z_top = zs + side
                    if nb == 0:
                        lo = pa + 1
                    else:
                        z_bottom = zs - side
                        while lo < b_hi and slot[lo, 2] < z_bottom:
                            lo += 1
                    s_id = ids[pa]
                    for pb in range(lo, b_hi):
                        zb = slot[pb, 2]
                        if zb > z_top:
                            break
                        ex = xs - slot[pb, 0]
                        ey = ys - slot[pb, 1]
                        ez = zs - zb
                        reach = (rs + slot[pb, 3] + threshold_km) * slack + SLACK_KM
                        if ex * ex + ey * ey + ez * ez > reach * reach:
                            continue
                        o_id = ids[pb]
                        i, j = (s_id, o_id) if s_id < o_id else (o_id, s_id)
                        if not source[i]:
                            continue
                        n_broad += 1
                        if not narrow or _narrow_rows(pa, pb, slot, coef, threshold_km):
                            buf = _push(buf, count, i, j, q)
                            count += 1
    else:
        # each slow source against the 9 columns around it
        for pa in range(n_slow):
            s = ids[pa]
            if not source[s]:
                continue
            xs, ys, zs, rs = slot[pa, 0], slot[pa, 1], slot[pa, 2], slot[pa, 3]
            cx = np.int64(math.floor(xs * inv_side))
            cy = np.int64(math.floor(ys * inv_side))
            for nb in range(9):
                rb = _find_run(_column(cx + nb // 3 - 1, cy + nb % 3 - 1), shift, first_run,
                               run_key)
                if rb < 0:
                    continue
                b_hi = run_start[rb + 1]
                for pb in range(_lower_bound(slot, run_start[rb], b_hi, zs - side), b_hi):
                    ez = zs - slot[pb, 2]
                    if ez < -side:
                        break
                    o = ids[pb]
                    if o == s or (source[o] and o < s):
                        continue
                    ex = xs - slot[pb, 0]
                    ey = ys - slot[pb, 1]
                    reach = (rs + slot[pb, 3] + threshold_km) * slack + SLACK_KM
                    if ex * ex + ey * ey + ez * ez > reach * reach:
                        continue
                    n_broad += 1
                    if not narrow or _narrow_rows(pa, pb, slot, coef, threshold_km):
                        buf = _push(buf, count, s, o, q)
                        count += 1
    # fast against slow: a wider box of columns (or every slow object), z window by bisection.
    # The five-line candidate test below is written out in each loop on purpose: a shared numba
    # helper returning (buf, count, n_broad) made the sieve 8–20 % slower (0.5-day screen).
    for k in range(n_fast):
        f = fast[k]
        reach_f = (rho[f] + slow_max + threshold_km) * (1.0 + CELL_MARGIN) + CELL_MARGIN
        span = np.int64(reach_f * inv_side) + 1
        zf = a0[f, 2]
        if (2.0 * span + 1.0) ** 2 >= n_runs:  # (floats: no overflow for huge reaches)
            for pb in range(n_slow):
                i, j = _orient(f, ids[pb], source, primary)
                if i >= 0 and _sphere(i, j, a0, rho, threshold_km):
                    n_broad += 1
                    if not narrow or _narrow(i, j, a0, a1, a2, a3, err, threshold_km):
                        buf = _push(buf, count, i, j, q)
                        count += 1
            continue
        fx = np.int64(math.floor(a0[f, 0] * inv_side))
        fy = np.int64(math.floor(a0[f, 1] * inv_side))
        for dx in range(-span, span + 1):
            for dy in range(-span, span + 1):
                rb = _find_run(_column(fx + dx, fy + dy), shift, first_run, run_key)
                if rb < 0:
                    continue
                b_hi = run_start[rb + 1]
                for pb in range(_lower_bound(slot, run_start[rb], b_hi, zf - reach_f), b_hi):
                    if slot[pb, 2] > zf + reach_f:
                        break
                    i, j = _orient(f, ids[pb], source, primary)
                    if i >= 0 and _sphere(i, j, a0, rho, threshold_km):
                        n_broad += 1
                        if not narrow or _narrow(i, j, a0, a1, a2, a3, err, threshold_km):
                            buf = _push(buf, count, i, j, q)
                            count += 1
    # fast against fast: all pairs
    for k in range(n_fast):
        for p in range(k + 1, n_fast):
            i, j = _orient(fast[k], fast[p], source, primary)
            if i >= 0 and _sphere(i, j, a0, rho, threshold_km):
                n_broad += 1
                if not narrow or _narrow(i, j, a0, a1, a2, a3, err, threshold_km):
                    buf = _push(buf, count, i, j, q)
                    count += 1
    return buf, count, n_broad


@njit(cache=True)
def sphere_pairs(
    centre: NDArray[np.float64], rho: NDArray[np.float64], threshold_km: float,
    source: NDArray[np.bool_], primary: bool, quantile: float,
) -> NDArray[np.int64]:
    """Rows ``(i, j)`` (k, 2) of all reported pairs with ``|cᵢ − cⱼ| ≤ ρᵢ + ρⱼ + D`` (plus the
    slack of the module docstring); ``centre`` (n, 3) and ``rho`` (n,) [km] finite."""
    n = rho.shape[0]
    valid = np.ones(n, np.bool_)
    cut = slow_cut(rho, valid, quantile)
    zeros = np.zeros((n, 3))
    buf = np.empty((_MIN_BUFFER, 3), np.int64)
    buf, count, _ = substep_pairs(centre, zeros, zeros, zeros, rho, np.zeros(n), valid,
                                  threshold_km, source, primary, cut, False, 0, buf, 0)
    return buf[:count, :2].copy()


@njit(cache=True, error_model="numpy")
def sieve_steps(
    r: NDArray[np.float64], err: NDArray[np.float64], a3_max_km: float, threshold_km: float,
    substeps: int, source: NDArray[np.bool_], primary: bool, quantile: float,
) -> tuple[NDArray[np.int64], int]:
    """Candidate ``(i, j, q)`` rows (pair, step) of steps ``q = 0 … m−1`` and the number of
    sphere-test passes.

    ``r`` (m + 3, n, 3): positions [km] sampled at the step ends, step ``q`` spanning rows
    ``q + 1`` and ``q + 2`` (NaN: no state). Fuses, per step, :func:`sieve.cubic_power`, the
    ``a₃`` sanity check (``|D| ≤ a3_max_km``), and per sub-step :func:`sieve.recentre`, the
    swept-sphere radius ``ρ = |a₁|/2 + |a₂|/4 + |a₃|/8 + err`` and :func:`substep_pairs`.
    A pair may appear once per sub-step of a step.
    """
    m = r.shape[0] - 3
    n = r.shape[1]
    pa = np.empty((n, 3))
    pb = np.empty((n, 3))
    pc = np.empty((n, 3))
    pd = np.empty((n, 3))
    a0 = np.empty((n, 3))
    a1 = np.empty((n, 3))
    a2 = np.empty((n, 3))
    a3 = np.empty((n, 3))
    rho = np.empty(n)
    step_ok = np.empty(n, np.bool_)
    valid = np.empty(n, np.bool_)
    buf = np.empty((_MIN_BUFFER, 3), np.int64)
    count = 0
    n_broad = 0
    cut = -1.0
    width = 1.0 / substeps
    for q in range(m):
        for i in range(n):
            d2 = 0.0
            for c in range(3):
                before, r0, r1, after = r[q, i, c], r[q + 1, i, c], r[q + 2, i, c], r[q + 3, i, c]
                pa[i, c] = r0
                pb[i, c] = (-2.0 * before - 3.0 * r0 + 6.0 * r1 - after) / 6.0
                pc[i, c] = 0.5 * (before - 2.0 * r0 + r1)
                pd[i, c] = (3.0 * (r0 - r1) + after - before) / 6.0
                d2 += pd[i, c] * pd[i, c]
            step_ok[i] = math.sqrt(d2) <= a3_max_km  # False for NaN
        for sub in range(substeps):
            sm = (sub + 0.5) * width
            for i in range(n):
                n1 = 0.0
                n2 = 0.0
                n3 = 0.0
                for c in range(3):
                    a, b, cc, d = pa[i, c], pb[i, c], pc[i, c], pd[i, c]
                    if substeps == 1:
                        a0[i, c] = a + 0.5 * b + 0.25 * cc + 0.125 * d
                        a1[i, c] = b + cc + 0.75 * d
                        a2[i, c] = cc + 1.5 * d
                        a3[i, c] = d
                    else:
                        a0[i, c] = a + sm * (b + sm * (cc + sm * d))
                        a1[i, c] = width * (b + sm * (2.0 * cc + 3.0 * sm * d))
                        a2[i, c] = width**2 * (cc + 3.0 * sm * d)
                        a3[i, c] = width**3 * d
                    n1 += a1[i, c] * a1[i, c]
                    n2 += a2[i, c] * a2[i, c]
                    n3 += a3[i, c] * a3[i, c]
                rho[i] = 0.5 * math.sqrt(n1) + 0.25 * math.sqrt(n2) + 0.125 * math.sqrt(n3) \
                    + err[i]
                valid[i] = step_ok[i] and np.isfinite(rho[i]) and np.isfinite(a0[i, 0]) \
                    and np.isfinite(a0[i, 1]) and np.isfinite(a0[i, 2])
            if cut < 0.0:
                cut = slow_cut(rho, valid, quantile)
                if cut < 0.0:
                    continue
            buf, count, nb = substep_pairs(a0, a1, a2, a3, rho, err, valid, threshold_km,
                                           source, primary, cut, True, q, buf, count)
            n_broad += nb
    return buf[:count].copy(), n_broad
