"""Candidate transfer pairs for evaluating cost models: similar orbits, a small node gap.

Used by ``benchmarks/transfer_errors.py`` and the tests to draw the same kind of pairs: ordered
pairs with |Δa| < 100 km and |Δi| < 1.5°, departing at a random epoch of a window at which
their node gap is below 3° (JPL's winning GTOC9 chains had 0.5–3.6°), with a flight time drawn
uniformly from a range of days. Times are seconds since MJD2000 (the GTOC9 debris' time scale;
the debris themselves are ``sweepers.gtoc9.debris.load_debris()``, a secular-J2 ephemeris).
"""

from __future__ import annotations

import numpy as np

from sweepers.epochs import DAY_S
from sweepers.orbits.kepler import SecularJ2Ephemeris

WINDOW_MJD2000 = (23467.0, 26419.0)


def sample_candidate_pairs(
    eph: SecularJ2Ephemeris, n_pairs: int, days: tuple[float, float], seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(from ids, to ids, t_depart_s, t_arrive_s) of ``n_pairs`` candidate transfers."""
    rng = np.random.default_rng(seed)
    n = eph.a_km.size
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    cand = (
        (ii != jj)
        & (np.abs(eph.a_km[ii] - eph.a_km[jj]) < 100.0)
        & (np.abs(eph.i_rad[ii] - eph.i_rad[jj]) < np.radians(1.5))
    )
    pi, pj = ii[cand], jj[cand]
    grid = np.linspace(WINDOW_MJD2000[0], WINDOW_MJD2000[1] - days[1] - 1, 6000) * DAY_S
    out_i, out_j, out_t = [], [], []
    for k in rng.permutation(pi.size):
        ea = eph.take(np.full(grid.size, pi[k])).elements_at(grid)
        eb = eph.take(np.full(grid.size, pj[k])).elements_at(grid)
        gap = np.remainder(eb.raan_rad - ea.raan_rad + np.pi, 2 * np.pi) - np.pi
        ok = np.flatnonzero(np.abs(gap) < np.radians(3.0))
        if ok.size:
            out_i.append(pi[k])
            out_j.append(pj[k])
            out_t.append(grid[rng.choice(ok)])
        if len(out_i) == n_pairs:
            break
    t0 = np.array(out_t)
    tof = rng.uniform(days[0], days[1], t0.size) * DAY_S
    return np.array(out_i), np.array(out_j), t0, t0 + tof
