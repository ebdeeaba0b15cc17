"""The compiled broad + narrow phase against brute force over all pairs.

:mod:`sweepers.conjunctions._sieve_kernel` must report every pair the swept-sphere inequality
admits (and, in the sieve, exactly the pairs the narrow-phase inequality admits, as computed by
:func:`sieve.narrow_mask` on all pairs), whatever the object is: slow ones in the hash grid, fast
ones (large ρ) through their wider box or the brute-force fallback, co-located ones in one cell.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from sweepers.conjunctions import _sieve_kernel, sieve
from sweepers.formats import parse_bytes
from sweepers.orbits.sgp4_batch import prepare, propagate
from sweepers.records import ElementSet

THRESHOLD_KM = 5.0


def _brute_sphere(centre: np.ndarray, rho: np.ndarray, threshold_km: float) -> set[tuple[int, int]]:
    """All i < j with |cᵢ − cⱼ| ≤ ρᵢ + ρⱼ + D (exact inequality, no slack)."""
    d = np.linalg.norm(centre[:, None, :] - centre[None, :, :], axis=2)
    i, j = np.nonzero(np.triu(d <= rho[:, None] + rho[None, :] + threshold_km, k=1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


def _within_slack(pairs: set[tuple[int, int]], centre: np.ndarray, rho: np.ndarray,
                  threshold_km: float) -> bool:
    """Pairs reported beyond the exact inequality are only those within the kernel's slack."""
    for i, j in pairs:
        reach = (rho[i] + rho[j] + threshold_km) * (1 + _sieve_kernel.SLACK_REL) \
            + _sieve_kernel.SLACK_KM
        if np.linalg.norm(centre[i] - centre[j]) > reach:
            return False
    return True


def _cloud(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A LEO-like shell with clusters, exact duplicates and a few fast (large-ρ) objects."""
    rng = np.random.default_rng(seed)
    n = 1500
    u = rng.normal(size=(n, 3))
    centre = u / np.linalg.norm(u, axis=1)[:, None] * rng.uniform(6700, 7400, n)[:, None]
    rho = rng.uniform(20.0, 60.0, n)
    centre[100:160] = centre[100] + rng.normal(scale=3.0, size=(60, 3))  # one crowded cell
    centre[200:210] = centre[200]  # co-located: identical centres
    rho[300:310] = rng.uniform(150.0, 900.0, 10)  # fast: wider boxes
    rho[310] = 5.0e4  # fast: brute-force fallback (its box holds more columns than objects)
    centre[311] = centre[310] + 1e3  # ...with a neighbour far outside any slow reach
    return centre, rho


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sphere_pairs_match_brute_force_all_vs_all(seed: int) -> None:
    centre, rho = _cloud(seed)
    expected = _brute_sphere(centre, rho, THRESHOLD_KM)
    i, j = sieve.broad_pairs(centre, rho, THRESHOLD_KM, None)
    got = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(got) == len(set(got)), "a pair reported twice"
    assert all(a < b for a, b in got)
    assert expected <= set(got)
    assert _within_slack(set(got) - expected, centre, rho, THRESHOLD_KM)
    assert any(a in range(200, 210) and b in range(200, 210) for a, b in got)  # co-located
    assert any(310 in (a, b) for a, b in got)  # the very fast one meets somebody


def test_sphere_pairs_primaries_and_object_blocks() -> None:
    centre, rho = _cloud(4)
    expected = _brute_sphere(centre, rho, THRESHOLD_KM)
    rng = np.random.default_rng(5)
    left = rng.random(len(rho)) < 0.05
    left[[100, 101, 200, 305, 310]] = True
    i, j = sieve.broad_pairs(centre, rho, THRESHOLD_KM, left)
    got = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(got) == len(set(got))
    assert all(left[a] and (not left[b] or a < b) for a, b in got)  # orientation
    with_left = {(a, b) for a, b in expected if left[a] or left[b]}
    assert with_left <= {(min(a, b), max(a, b)) for a, b in got}
    # all-vs-all restricted to an object block: pairs i < j with i in the block
    block = np.zeros(len(rho), dtype=bool)
    block[400:900] = True
    pairs = _sieve_kernel.sphere_pairs(centre, rho, THRESHOLD_KM, block, False,
                                       sieve.SLOW_QUANTILE)
    got_block = set(map(tuple, pairs.tolist()))
    assert len(got_block) == len(pairs)
    assert {(a, b) for a, b in expected if block[a]} <= got_block
    assert all(block[a] and a < b for a, b in got_block)


@pytest.fixture(scope="module")
def real_states(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    """Sampled positions (m + 3, n, 3) of a dense real slice (Fengyun-1C/Cosmos-2251 shells
    and every deep-space and eccentric object in the first part of the catalog) + errors."""
    path = shared_data / "catalog" / "spacetrack_3le_full_catalog_2023-10.txt"
    records: list[ElementSet] = parse_bytes(path.read_bytes(), path.name).records
    records = sorted({e.norad_id: e for e in records}.values(), key=lambda e: e.norad_id)
    clouds = [e for e in records if any(n in (e.object_name or "")
                                        for n in ("FENGYUN 1C", "COSMOS 2251"))][:900]
    eccentric = [e for e in records if e.eccentricity > 0.3][:150]
    geo = [e for e in records if 0.99 < e.mean_motion_rev_day < 1.01][:150]
    objects = clouds + eccentric + geo
    prepared = prepare(objects)
    start = max(e.epoch for e in clouds).replace(tzinfo=None)
    step_s, steps = 120.0, 12
    grid = np.array([start + timedelta(seconds=step_s * k) for k in range(steps + 3)],
                    dtype="datetime64[us]")
    r = np.ascontiguousarray(propagate(prepared, grid, workers=1).r.transpose(1, 0, 2))
    sieve.blank_unphysical(r)
    return r, sieve.interpolation_error_km(prepared.elements, step_s)


@pytest.mark.parametrize("substeps", [1, 2, 4])
def test_sieve_steps_match_brute_force_narrow_phase(
    real_states: tuple[np.ndarray, np.ndarray], substeps: int,
) -> None:
    r, err = real_states
    threshold_km = 20.0
    n = r.shape[1]
    source = np.ones(n, dtype=bool)
    a3_max = sieve.max_cubic_term_km(120.0)
    found, n_broad = _sieve_kernel.sieve_steps(r, err, a3_max, threshold_km, substeps, source,
                                               False, sieve.SLOW_QUANTILE)
    got = set(map(tuple, found.tolist()))
    i_all, j_all = (np.array(x, dtype=np.int64) for x in zip(*itertools.combinations(range(n), 2),
                                                                strict=True))
    expected: set[tuple[int, int, int]] = set()
    for q in range(r.shape[0] - 3):
        power = sieve.cubic_power(r[q], r[q + 1], r[q + 2], r[q + 3])
        ok = np.isfinite(power[3]).all(axis=1) & (np.linalg.norm(power[3], axis=1) <= a3_max)
        for sub in range(substeps):
            coeffs = sieve.recentre(power, sub, substeps)
            size = [np.linalg.norm(c, axis=1) for c in coeffs]
            rho = 0.5 * size[1] + 0.25 * size[2] + 0.125 * size[3] + err
            good = ok & np.isfinite(rho)
            keep = good[i_all] & good[j_all]
            i, j = i_all[keep], j_all[keep]
            hit = sieve.narrow_mask(i, j, coeffs, err, threshold_km)
            expected.update(zip(i[hit].tolist(), j[hit].tolist(), [q] * int(hit.sum()),
                                strict=True))
    assert len(expected) > 20  # the slice is dense enough to mean something
    assert got == expected
    assert n_broad >= len(found)
    # primaries: the same pairs, restricted to and oriented on the primaries
    primary = np.zeros(n, dtype=bool)
    primary[::7] = True
    found_p, _ = _sieve_kernel.sieve_steps(r, err, a3_max, threshold_km, substeps, primary,
                                           True, sieve.SLOW_QUANTILE)
    assert all(primary[a] and (not primary[b] or a < b) for a, b, _ in found_p.tolist())
    assert {(min(a, b), max(a, b), q) for a, b, q in found_p.tolist()} == {
        (a, b, q) for a, b, q in expected if primary[a] or primary[b]}
