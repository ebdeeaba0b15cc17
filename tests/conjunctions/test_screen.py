"""Screening pieces: the interpolation bound, sub-steps, blocking invariance, primaries, records.

The end-to-end recall/accuracy proof is ``test_screen_reference.py`` (dense brute force).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from sweepers.conjunctions import sieve
from sweepers.conjunctions.events import Conjunction, max_pc, rtn_components
from sweepers.conjunctions.pc.maxpc import max_pc_plane
from sweepers.conjunctions.screen import ScreenError, dedupe, screen, shell_overlap_mask
from sweepers.formats import parse_bytes
from sweepers.orbits.sgp4_batch import prepare, propagate
from sweepers.parallel import ProcessPool
from sweepers.records import ElementSet


@pytest.fixture(scope="module")
def catalog(shared_data: Path) -> list[ElementSet]:
    path = shared_data / "catalog" / "spacetrack_3le_full_catalog_2023-10.txt"
    return parse_bytes(path.read_bytes(), path.name).records


@pytest.fixture(scope="module")
def cloud(catalog: list[ElementSet]) -> tuple[list[ElementSet], datetime]:
    """Fresh Cosmos-2251 and Fengyun-1C debris (epochs within 3 days of the newest) + a start."""
    names = ("COSMOS 2251", "FENGYUN 1C")
    debris = [e for e in catalog if any(n in (e.object_name or "") for n in names)]
    newest = max(e.epoch for e in debris)
    fresh = sorted((e for e in debris if newest - e.epoch < timedelta(days=3)),
                   key=lambda e: e.norad_id)
    return fresh[::4][:200], newest


def _keys(events: list[Conjunction]) -> list[tuple[int, int, float, float]]:
    return [(e.primary_id, e.secondary_id, round(e.tca.timestamp(), 3), round(e.miss_km, 6))
            for e in events]


def test_interpolation_error_bound_holds_on_real_orbits(catalog: list[ElementSet]) -> None:
    # LEO, eccentric LEO-crossing (GTO, Molniya, Vela) and GEO objects, sampled on 60 and 120 s
    # steps and checked at every 7.5 s inside each step against sieve.interpolation_error_km.
    eccentric = sorted((e for e in catalog if e.eccentricity > 0.5), key=lambda e: e.norad_id)
    leo = sorted((e for e in catalog if e.mean_motion_rev_day > 15.0), key=lambda e: e.norad_id)
    geo = [e for e in catalog if 0.99 < e.mean_motion_rev_day < 1.01]
    objects = eccentric[:60] + leo[:40] + geo[:20]
    prepared = prepare(objects)
    fine_s, fine_steps = 7.5, 8 * 240
    start = max(e.epoch for e in objects).replace(tzinfo=None)
    grid = np.array([start + timedelta(seconds=fine_s * k) for k in range(fine_steps + 1)],
                    dtype="datetime64[us]")
    r = propagate(prepared, grid, workers=1).r.transpose(1, 0, 2)
    worst = 0.0
    for h in (60.0, 120.0):
        err = sieve.interpolation_error_km(prepared.elements, h)
        w = round(h / fine_s)
        for q in range(1, fine_steps // w - 2):
            power = sieve.cubic_power(r[w * q - w], r[w * q], r[w * q + w], r[w * q + 2 * w])
            for k in range(1, w):
                s = k / w
                interp = power[0] + s * (power[1] + s * (power[2] + s * power[3]))
                gap = np.linalg.norm(r[w * q + k] - interp, axis=1)
                ok = np.isfinite(gap)
                assert (gap[ok] <= err[ok]).all()
                worst = max(worst, float(np.max(gap[ok] / err[ok])))
    assert worst > 0.05  # the bound is not vacuous


def test_recentre_is_the_same_cubic() -> None:
    rng = np.random.default_rng(1)
    power = tuple(rng.normal(size=(5, 3)) for _ in range(4))
    for parts in (1, 3):
        for sub in range(parts):
            a0, a1, a2, a3 = sieve.recentre(power, sub, parts)  # type: ignore[arg-type]
            for u in (-0.5, -0.1, 0.5):
                s = (sub + 0.5 + u) / parts
                whole = power[0] + s * (power[1] + s * (power[2] + s * power[3]))
                np.testing.assert_allclose(a0 + u * (a1 + u * (a2 + u * a3)), whole, atol=1e-12)


def test_blocks_substeps_and_executor_do_not_change_events(
    cloud: tuple[list[ElementSet], datetime],
) -> None:
    elsets, start = cloud
    base = screen(elsets, start=start, days=0.125, threshold_km=25.0)
    assert len(base) > 10
    variants = [
        screen(elsets, start=start, days=0.125, threshold_km=25.0, block_steps=7,
               object_blocks=3),
        screen(elsets, start=start, days=0.125, threshold_km=25.0, substeps=1),
        screen(elsets, start=start, days=0.125, threshold_km=25.0, substeps=4,
               executor=ProcessPool(2)),
    ]
    for events in variants:
        assert _keys(events) == _keys(base)
    end = start + timedelta(days=0.125)
    assert all(start < e.tca <= end and e.miss_km <= 25.0 for e in base)


def test_primaries_see_the_same_events_as_all_vs_all(
    cloud: tuple[list[ElementSet], datetime],
) -> None:
    elsets, start = cloud
    everything = screen(elsets, start=start, days=0.125, threshold_km=25.0)
    busiest = max({e.primary_id for e in everything} | {e.secondary_id for e in everything},
                  key=lambda i: sum(i in (e.primary_id, e.secondary_id) for e in everything))
    chosen = [busiest, elsets[0].norad_id]
    progress: list[tuple[int, int]] = []
    mine = screen(elsets, start=start, days=0.125, threshold_km=25.0, primaries=chosen,
                  progress=lambda done, total: progress.append((done, total)))
    expected = [e for e in everything if e.primary_id in chosen or e.secondary_id in chosen]
    assert {(frozenset((e.primary_id, e.secondary_id)), round(e.tca.timestamp(), 3))
            for e in mine} == {(frozenset((e.primary_id, e.secondary_id)),
                                round(e.tca.timestamp(), 3)) for e in expected}
    assert all(e.primary_id in chosen for e in mine)
    assert progress[0] == (0, progress[-1][1]) and progress[-1][0] == progress[-1][1]
    with pytest.raises(ScreenError, match="primaries not in the catalog"):
        screen(elsets, start=start, days=0.01, primaries=[999_999_999])


def test_shell_filter_keeps_overlapping_shells_only(cloud: tuple[list[ElementSet], datetime],
                                                    catalog: list[ElementSet]) -> None:
    geo = next(e for e in catalog if 0.99 < e.mean_motion_rev_day < 1.01)
    leo = cloud[0][:5]
    mask = shell_overlap_mask([*leo, geo], np.array([True, False, False, False, False, False]),
                              5.0, 7.0)
    assert mask[0] and not mask[-1]


def test_record_fields_json_and_dedupe(cloud: tuple[list[ElementSet], datetime]) -> None:
    elsets, start = cloud
    events = screen(elsets, start=start, days=0.05, threshold_km=25.0, hbr_m={
        elsets[0].norad_id: 3.0})
    e = events[0]
    assert e.tca.tzinfo is UTC or e.tca.utcoffset() == timedelta(0)
    dr = np.subtract(e.r2_km, e.r1_km)
    assert math.isclose(float(np.linalg.norm(dr)), e.miss_km, rel_tol=1e-12)
    assert math.isclose(float(np.linalg.norm(e.miss_rtn_km)), e.miss_km, rel_tol=1e-9)
    assert abs(float(np.dot(dr, np.subtract(e.v2_km_s, e.v1_km_s)))) < 1e-3 * e.miss_km
    assert e.pc_method == "alfano-max" and 0.0 < e.pc < 1.0
    text = json.dumps(e.to_dict())
    assert json.loads(text)["tca"].endswith("Z")
    twin = Conjunction(**{**e.__dict__} if hasattr(e, "__dict__") else {
        f: getattr(e, f) for f in e.__dataclass_fields__})
    assert len(dedupe([e, twin])) == 1


def test_max_pc_closed_form_and_rtn() -> None:
    r1, v1 = np.array([7000.0, 0, 0]), np.array([0, 7.5, 0])
    r2, v2 = np.array([7000.0, 0, 0.2]), np.array([0, 0, 7.5])  # 200 m miss, normal
    closed = max_pc(r1, v1, r2, v2, 2.0)  # HBR/miss = 0.01: closed form R²/(e d²)
    assert math.isclose(closed, 1.0 / (math.e * 100.0**2), rel_tol=1e-12)
    exact = max_pc_plane(0.0, 200.0, 1.0, 1.0, 2.0)[0]  # numerical maximum over the scale
    assert math.isclose(closed, exact, rel_tol=1e-3)
    assert max_pc(r1, v1, r2, v2, 20.0) == max_pc_plane(0.0, 200.0, 1.0, 1.0, 20.0)[0]
    assert max_pc(r1, v1, r2, v2, 500.0) == 1.0
    np.testing.assert_allclose(rtn_components(r1, v1, r2 - r1), [0, 0, 0.2], atol=1e-15)
