"""Screening a ship's OEM against the catalog, checked against an independent brute force.

The case is real: the primary is catalog object 30244 (a Fengyun-1C fragment, CelesTrak TLE of
2025-02, ``$SWEEPERS_DATA/catalog/debris-clouds``) flown by its own SGP4 states for six hours,
then — after a 2 m/s along-track impulse — by a two-body arc for six more (two OEM segments), so
it crosses the same dense shell as its cloud; the catalog is the Fengyun-1C and Cosmos-2251
clouds of the same date (2,559 objects), screened at 30 km.

The brute force (written here, sharing nothing with the screener but the OEM codec's own
interpolant, which *defines* the primary's path, and python-sgp4 ``Satrec``, which defines the
secondaries'): ranges on a 5 s grid per segment, every discrete local minimum within
``threshold + 15 km/s × 5 s`` (no true minimum ≤ threshold can sample higher: relative speeds
stay below 15 km/s), then bounded Brent minimisation of the range over the two neighbouring
samples. Tolerances: TCA 1 ms and miss 1 m (the issue's bar); the two sides differ by the
primary's microsecond grid in the brute force (7.5 mm, 1 µs) and Brent's tolerances.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import erfa
import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from sgp4.api import Satrec, SatrecArray

from sweepers import formats
from sweepers.conjunctions.ephemeris import (
    OEM_PRIMARY_ID,
    EphemerisScreenError,
    primary_pieces,
    screen_ephemeris,
)
from sweepers.conjunctions.events import Conjunction
from sweepers.epochs import datetime64_to_jd
from sweepers.errors import FormatError
from sweepers.formats import oem as oem_codec
from sweepers.orbits.frames import teme_to_gcrs, teme_to_itrs
from sweepers.orbits.kepler import kepler_propagate
from sweepers.records import ElementSet

CLOUDS = ("catalog/debris-clouds/celestrak_fengyun-1c-debris_2025-02.txt",
          "catalog/debris-clouds/celestrak_cosmos-2251-debris_2025-02.txt")
PRIMARY = 30244
T0 = np.datetime64("2025-02-15T00:00:00", "us")  # the clouds' median epoch (data README)
ARC_S = 6 * 3600
SAMPLE_S = 60
DV_KM_S = 0.002
THRESHOLD_KM = 30.0
BRUTE_STEP_S = 5.0
MAX_REL_SPEED_KM_S = 15.0
TCA_TOL_S = 1e-3
MISS_TOL_KM = 1e-3
SECOND = np.timedelta64(1, "s")
US = np.timedelta64(1, "us")
T0_JD = 2460721.5  # Julian date of T0 (checked in test_jd_of_t0)


@pytest.fixture(scope="module")
def catalog(shared_data: Path) -> tuple[list[ElementSet], dict[int, tuple[str, str]]]:
    """The two clouds as element sets, and each object's TLE lines (for the brute force)."""
    elsets: list[ElementSet] = []
    lines: dict[int, tuple[str, str]] = {}
    for name in CLOUDS:
        path = shared_data / name
        data = path.read_bytes()
        elsets += formats.parse_bytes(data, str(path)).records
        text = path.read_text().splitlines()
        for k in range(0, len(text) - 2, 3):
            lines[int(text[k + 1][2:7])] = (text[k + 1], text[k + 2])
    return elsets, lines


def segment(epochs: np.ndarray, r: np.ndarray, v: np.ndarray, frame: str = "TEME",
            object_id: str = str(PRIMARY)) -> oem_codec.OemSegment:
    return oem_codec.OemSegment(
        object_name="TEST SHIP", object_id=object_id, center_name="EARTH", ref_frame=frame,
        time_system="UTC", start_time=epochs[0], stop_time=epochs[-1], epochs=epochs,
        positions_km=r, velocities_km_s=v, interpolation="HERMITE", interpolation_degree=5)


@pytest.fixture(scope="module")
def teme_oem(catalog: tuple[list[ElementSet], dict[int, tuple[str, str]]]) -> oem_codec.Oem:
    """Two segments: SGP4 of the primary for 6 h, then two-body after a 2 m/s impulse."""
    sat = Satrec.twoline2rv(*catalog[1][PRIMARY])
    offsets = np.arange(0, ARC_S + 1, SAMPLE_S)
    first = T0 + offsets * SECOND
    err, r1, v1 = sat.sgp4_array(*datetime64_to_jd(first))
    assert not err.any()
    v_burn = v1[-1] + DV_KM_S * v1[-1] / np.linalg.norm(v1[-1])
    r2, v2 = kepler_propagate(r1[-1], v_burn, offsets.astype(float))
    second = first[-1] + offsets * SECOND
    return oem_codec.Oem(originator="sweepers tests", creation_date=T0,
                         segments=[segment(first, r1, v1), segment(second, r2, v2)])


def to_frame(oem: oem_codec.Oem, frame: str) -> oem_codec.Oem:
    """The same OEM with its samples rotated from TEME into GCRF, EME2000 or ITRF."""
    segments = []
    for seg in oem.segments:
        jd, fr = datetime64_to_jd(seg.epochs)
        rotate = teme_to_itrs if frame == "ITRF" else teme_to_gcrs
        r, v = rotate(seg.positions_km, seg.velocities_km_s, jd, fr)
        if frame == "EME2000":  # r_J2000 = B · r_GCRS, B the IAU 2006 frame bias
            bias = erfa.bp06(2451545.0, 0.0)[0]
            r, v = r @ bias.T, v @ bias.T
        segments.append(replace(seg, ref_frame=frame, positions_km=r, velocities_km_s=v))
    return replace(oem, segments=segments)


# ------------------------------------------------------------------------------ brute force

def _teme(seg: oem_codec.OemSegment, t: np.ndarray) -> np.ndarray:
    """The OEM interpolant at datetime64 ``t`` in TEME (independent rotation: the forward
    matrices of :mod:`sweepers.orbits.frames`, transposed here)."""
    r, _ = seg.interpolate(t)
    if seg.ref_frame == "TEME":
        return r
    from sweepers.orbits.frames import teme_to_gcrs_matrix, teme_to_itrs_matrix

    jd, fr = datetime64_to_jd(t)
    m = (teme_to_gcrs_matrix if seg.ref_frame == "GCRF" else teme_to_itrs_matrix)(jd, fr)
    return np.einsum("mji,mj->mi", m, r)


def brute_force(oem: oem_codec.Oem, lines: dict[int, tuple[str, str]], threshold_km: float,
                exclude: int) -> list[tuple[int, float, float]]:
    """(secondary, TCA [s after T0], miss [km]) of every range minimum ≤ threshold."""
    ids = [i for i in sorted(lines) if i != exclude]
    sats = [Satrec.twoline2rv(*lines[i]) for i in ids]
    grids, dists = [], []
    for seg in oem.segments:
        span_s = (seg.epochs[-1] - seg.epochs[0]) / SECOND
        t = seg.epochs[0] + np.round(np.arange(0.0, span_s + 1e-9, BRUTE_STEP_S) * 1e6) * US
        rp = _teme(seg, t)
        _, rs, _ = SatrecArray(sats).sgp4(*datetime64_to_jd(t))
        grids.append(t)
        dists.append(np.linalg.norm(rs - rp[None], axis=2))
    # one sequence over the whole OEM; the junction sample appears once (the later segment's)
    t_all = np.concatenate([grids[0][:-1], grids[1]])
    d_all = np.concatenate([dists[0][:, :-1], dists[1]], axis=1)
    found = []
    margin = threshold_km + MAX_REL_SPEED_KM_S * BRUTE_STEP_S
    interior = (d_all[:, 1:-1] <= d_all[:, :-2]) & (d_all[:, 1:-1] <= d_all[:, 2:]) \
        & (d_all[:, 1:-1] <= margin)
    for row, k in zip(*np.nonzero(interior), strict=True):
        k += 1
        best = None
        for seg in oem.segments:
            lo, hi = max(t_all[k - 1], seg.epochs[0]), min(t_all[k + 1], seg.epochs[-1])
            if hi <= lo:
                continue
            res = _minimise(seg, sats[row], lo, hi)
            if best is None or res[1] < best[1]:
                best = res
        assert best is not None
        tca, miss = best
        at_edge = min(abs(tca - (t_all[0] - T0) / SECOND), abs(tca - (t_all[-1] - T0) / SECOND))
        if miss <= threshold_km and at_edge > 1e-3:
            found.append((ids[row], tca, miss))
    return _merge(found)


def _minimise(seg: oem_codec.OemSegment, sat: Satrec, lo: np.datetime64,
              hi: np.datetime64) -> tuple[float, float]:
    """Bounded Brent on the range over ``[lo, hi]``: (TCA [s after T0], miss [km])."""
    base = (lo - T0) / SECOND

    def dist(x: float) -> float:
        t = lo + np.round(x * 1e6) * US
        rp = _teme(seg, np.array([t]))[0]
        jd, fr = datetime64_to_jd(np.array([t]))
        _, rs, _ = sat.sgp4(jd[0], fr[0])
        return float(np.linalg.norm(np.array(rs) - rp))

    span = (hi - lo) / SECOND
    res = minimize_scalar(dist, bounds=(0.0, span), method="bounded",
                          options={"xatol": 1e-7, "maxiter": 500})
    x = min([0.0, span, float(res.x)], key=dist)
    return base + x, dist(x)


def _merge(found: list[tuple[int, float, float]]) -> list[tuple[int, float, float]]:
    """One entry per (secondary, TCA): neighbouring samples may converge on the same minimum."""
    out: list[tuple[int, float, float]] = []
    for item in sorted(found):
        if out and out[-1][0] == item[0] and abs(out[-1][1] - item[1]) < TCA_TOL_S:
            continue
        out.append(item)
    return out


def compare(events: list[Conjunction], truth: list[tuple[int, float, float]]
            ) -> tuple[float, float]:
    """Assert the same minima on both sides; return the largest TCA [s] and miss [km] gaps."""
    # seconds after T0 from the two-part Julian date (the datetime is rounded to 1 µs)
    mine = [(e.secondary_id, ((e.tca_jd - T0_JD) + e.tca_fr) * 86400.0, e.miss_km)
            for e in events]
    dt_max = dm_max = 0.0
    unmatched = list(mine)
    for sid, tca, miss in truth:
        hits = [m for m in unmatched if m[0] == sid and abs(m[1] - tca) <= TCA_TOL_S]
        assert hits, f"missed: {sid} at {tca:.3f} s, {miss:.3f} km"
        hit = hits[0]
        unmatched.remove(hit)
        dt_max, dm_max = max(dt_max, abs(hit[1] - tca)), max(dm_max, abs(hit[2] - miss))
    assert not unmatched, f"extra events: {unmatched}"
    return dt_max, dm_max


# ------------------------------------------------------------------------------------ tests

def test_jd_of_t0() -> None:
    # compare() counts seconds from T0 through its Julian date 2460721.5 (2025-02-15 00:00 UTC)
    jd, fr = datetime64_to_jd(np.array([T0]))
    assert (jd[0], fr[0]) == (T0_JD, 0.0)


@pytest.fixture(scope="module")
def truth(catalog: tuple[list[ElementSet], dict[int, tuple[str, str]]],
          teme_oem: oem_codec.Oem) -> list[tuple[int, float, float]]:
    return brute_force(teme_oem, catalog[1], THRESHOLD_KM, exclude=PRIMARY)


# 120 s: the default sieve step; 600 s: swept spheres and bounds five times coarser (h⁴: 625×)
@pytest.mark.parametrize("step_s", [120.0, 600.0])
def test_two_segment_oem_matches_brute_force(
        catalog: tuple[list[ElementSet], dict[int, tuple[str, str]]],
        teme_oem: oem_codec.Oem, truth: list[tuple[int, float, float]], step_s: float) -> None:
    elsets, _ = catalog
    stats: dict[str, float] = {}
    events = screen_ephemeris(teme_oem, elsets, threshold_km=THRESHOLD_KM, stats=stats,
                              step_s=step_s)
    assert len(truth) >= 20  # a real, busy case
    dt_max, dm_max = compare(events, truth)
    assert dt_max <= TCA_TOL_S and dm_max <= MISS_TOL_KM
    assert all(e.primary_id == PRIMARY and e.secondary_id != PRIMARY for e in events)
    assert all(e.pc_method == "alfano-max" and 0.0 < e.pc < 1.0 for e in events)
    junction = teme_oem.segments[1].epochs[0]
    assert any((np.datetime64(e.tca.replace(tzinfo=None), "us") > junction) for e in events)
    assert any((np.datetime64(e.tca.replace(tzinfo=None), "us") < junction) for e in events)
    print(f"\nstep {step_s:g} s: {len(events)} events, brute force {len(truth)}; max |ΔTCA| "
          f"{dt_max * 1e3:.4f} ms, max |Δmiss| {dm_max * 1e3:.4f} m; {stats}")


def test_primary_interpolation_bound_holds(teme_oem: oem_codec.Oem) -> None:
    # point 3 of the module docstring, virtual end samples included: the primary's cubic on
    # every step stays within the bound at 64 points a step (the bound's own residual check
    # looks at 7), for the default and a coarse step
    from sweepers.conjunctions.ephemeris import _primary_error, _primary_samples

    for step_s in (120.0, 600.0):
        for piece in primary_pieces(teme_oem, step_s=step_s):
            r, check, factor = _primary_samples(piece, 0, piece.steps)
            bound = _primary_error(piece, 0, piece.steps, check, factor)
            s = (np.arange(64) + 0.5) / 64
            for q in range(piece.steps):
                truth_r, _ = piece.states((q + s) * piece.step_s)
                a, b, c, d = (r[q + 1], (-2 * r[q] - 3 * r[q + 1] + 6 * r[q + 2] - r[q + 3]) / 6,
                              (r[q] - 2 * r[q + 1] + r[q + 2]) / 2,
                              (3 * (r[q + 1] - r[q + 2]) + r[q + 3] - r[q]) / 6)
                cubic = a + s[:, None] * (b + s[:, None] * (c + s[:, None] * d))
                assert np.linalg.norm(truth_r - cubic, axis=1).max() <= bound[q]


def test_gcrf_and_itrf_oems_give_the_same_events(
        catalog: tuple[list[ElementSet], dict[int, tuple[str, str]]],
        teme_oem: oem_codec.Oem) -> None:
    elsets, _ = catalog
    base = screen_ephemeris(teme_oem, elsets, threshold_km=THRESHOLD_KM)
    for frame in ("GCRF", "EME2000", "ITRF"):
        other = screen_ephemeris(to_frame(teme_oem, frame), elsets, threshold_km=THRESHOLD_KM)
        assert [e.secondary_id for e in other] == [e.secondary_id for e in base]
        for a, b in zip(base, other, strict=True):
            # the interpolant of rotated samples, rotated back, is the TEME interpolant to
            # well under a millimetre (slow rotation for GCRF; for ITRF the Hermite error of the
            # Earth-fixed path, ~1e-6 km at 60 s sampling)
            dt = abs((a.tca_jd - b.tca_jd) + (a.tca_fr - b.tca_fr)) * 86400.0
            assert dt <= TCA_TOL_S and abs(a.miss_km - b.miss_km) <= MISS_TOL_KM
            assert np.allclose(a.r1_km, b.r1_km, atol=MISS_TOL_KM)


def test_kink_minimum_at_a_segment_junction(
        catalog: tuple[list[ElementSet], dict[int, tuple[str, str]]]) -> None:
    # The ship closes on Fengyun 1C (25730) at 10 m/s along u, burns 20 m/s at T and recedes:
    # range |c + w|t − T| u| with c·u > 0 has its minimum |c| = 2 km at the junction itself, a
    # kink no smooth minimum finder sees (range rate < 0 before, > 0 after).
    elsets, lines = catalog
    target = 25730
    sat = Satrec.twoline2rv(*lines[target])
    junction = T0 + 1800 * SECOND
    offsets = np.arange(-1800, 1801, 30)
    epochs = junction + offsets * SECOND
    _, r, v = sat.sgp4_array(*datetime64_to_jd(epochs))
    u = np.array([0.0, 0.0, 1.0])
    w = 0.01
    c = 2.0 * u
    away = np.abs(offsets)[:, None] * w * u
    pos = r + c + away
    half = offsets.size // 2
    oem = oem_codec.Oem(originator="t", creation_date=T0, segments=[
        segment(epochs[:half + 1], pos[:half + 1], v[:half + 1] - w * u, object_id="SHIP-1"),
        segment(epochs[half:], pos[half:], v[half:] + w * u, object_id="SHIP-1")])
    few = [e for e in elsets if e.norad_id == target]
    events = screen_ephemeris(oem, few, threshold_km=5.0)
    assert len(events) == 1
    e = events[0]
    assert e.primary_id == OEM_PRIMARY_ID and e.secondary_id == target
    assert np.datetime64(e.tca.replace(tzinfo=None), "us") == junction
    assert e.miss_km == pytest.approx(2.0, abs=1e-6)


def test_smooth_minima_near_a_junction_are_found_once(
        catalog: tuple[list[ElementSet], dict[int, tuple[str, str]]]) -> None:
    # A 1 km/s fly-by without a burn, split into two segments 0.5 s after the minimum: the
    # minimum lies in the first segment, 0.5 s before its end, and must be reported once.
    elsets, lines = catalog
    target = 25730
    sat = Satrec.twoline2rv(*lines[target])
    tca = T0 + 1800 * SECOND
    offsets = np.arange(-1800.0, 1800.1, 30.0)
    offsets[offsets.size // 2] = 0.5
    epochs = tca + np.round(offsets * 1e6).astype(np.int64) * US
    _, r, v = sat.sgp4_array(*datetime64_to_jd(epochs))
    u = np.array([0.0, 0.0, 1.0])
    c = np.array([2.0, 0.0, 0.0])  # c ⟂ u: a smooth minimum |c| at the TCA
    w = 1.0
    pos = r + c + offsets[:, None] * w * u
    vel = v + w * u
    half = offsets.size // 2
    oem = oem_codec.Oem(originator="t", creation_date=T0, segments=[
        segment(epochs[:half + 1], pos[:half + 1], vel[:half + 1]),
        segment(epochs[half:], pos[half:], vel[half:])])
    few = [e for e in elsets if e.norad_id == target]
    events = screen_ephemeris(oem, few, threshold_km=5.0)
    assert len(events) == 1
    got = (np.datetime64(events[0].tca.replace(tzinfo=None), "us") - tca) / SECOND
    # SGP4's velocities are not exactly its positions' derivative (~1e-6 km/s, refine.py): the
    # Hermite path moves the minimum by ~δv·miss/w² = 2 µs, well inside the 1 ms bar
    assert abs(got) < TCA_TOL_S and events[0].miss_km == pytest.approx(2.0, abs=MISS_TOL_KM)


def test_bad_oems_are_refused_with_a_clear_error(teme_oem: oem_codec.Oem) -> None:
    cases = [
        (replace(teme_oem, segments=[replace(s, ref_frame="MOD") for s in teme_oem.segments]),
         "REF_FRAME 'MOD' is not supported"),
        (replace(teme_oem, segments=[replace(s, center_name="MOON")
                                     for s in teme_oem.segments]), "CENTER_NAME 'MOON'"),
        (replace(teme_oem, segments=[replace(s, time_system="TAI")
                                     for s in teme_oem.segments]), "TIME_SYSTEM 'TAI'"),
        (replace(teme_oem, segments=teme_oem.segments[::-1]), "overlapping segments"),
        (replace(teme_oem, segments=[]), "no segment"),
    ]
    for oem, message in cases:
        with pytest.raises(EphemerisScreenError, match=message):
            primary_pieces(oem)
    with pytest.raises(EphemerisScreenError, match="does not overlap"):
        primary_pieces(teme_oem, datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 2,
                                                                              tzinfo=UTC))
    # a bad file never gets this far: the codec names the line
    with pytest.raises(FormatError, match=r"<string>:\d+: epoch .* does not increase"):
        oem_codec.loads_kvn(oem_codec.dumps_kvn(teme_oem).replace(
            "2025-02-15T00:01:00.000000", "2025-02-15T00:00:00.000000", 1))
