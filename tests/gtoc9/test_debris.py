"""The debris table and its ephemeris (Kelvins "Data" and "Equations" pages; data README)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepers.errors import FormatError, NotFoundError
from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet, load_debris
from sweepers.orbits.kepler import kepler_equation

MU = rules.MU_M3_S2


def test_table_matches_the_data_readme(debris: DebrisSet) -> None:
    """Plausibility figures of data/gtoc9/README.md."""
    assert len(debris) == 123
    assert debris.a_m.min() == pytest.approx(6996.1e3, abs=100)
    assert debris.a_m.max() == pytest.approx(7274.0e3, abs=100)
    perigee_alt_km = (debris.a_m * (1 - debris.e) - rules.R_EQ_M) / 1e3
    assert perigee_alt_km.min() == pytest.approx(600.7, abs=0.1)
    assert perigee_alt_km.max() == pytest.approx(892.5, abs=0.1)
    raan_dot, _ = debris.secular_rates_rad_s()
    deg_per_day = np.degrees(raan_dot) * rules.DAY_S
    assert deg_per_day.min() == pytest.approx(0.751, abs=1e-3)
    assert deg_per_day.max() == pytest.approx(1.305, abs=1e-3)


def _elements_from_state(r: np.ndarray, v: np.ndarray) -> tuple[float, float, float, float]:
    """a, e, i, Ω from a Keplerian state (an independent textbook inversion)."""
    rn = np.linalg.norm(r)
    a = 1.0 / (2.0 / rn - v @ v / MU)
    h = np.cross(r, v)
    e_vec = np.cross(v, h) / MU - r / rn
    inc = math.acos(h[2] / np.linalg.norm(h))
    raan = math.atan2(h[0], -h[1])
    return a, float(np.linalg.norm(e_vec)), inc, raan % (2 * math.pi)


@pytest.mark.parametrize("debris_id", [0, 61, 122])
@pytest.mark.parametrize("days_after_t0", [0.0, 1500.0, 4000.5])
def test_ephemeris_keeps_a_e_i_and_drifts_the_node(
    debris: DebrisSet, debris_id: int, days_after_t0: float
) -> None:
    """a, e, i fixed; Ω = Ω0 + Ω̇ Δt; the velocity is the Keplerian one (Ω̇, ω̇ terms neglected on
    purpose), so vis-viva gives back a exactly."""
    t = float(debris.epoch_mjd2000[debris_id]) + days_after_t0
    r, v = debris.states(debris_id, t)
    a, e, i, raan = _elements_from_state(r, v)
    assert a == pytest.approx(debris.a_m[debris_id], rel=1e-12)
    assert e == pytest.approx(debris.e[debris_id], rel=1e-8)
    assert i == pytest.approx(debris.i_rad[debris_id], abs=1e-12)
    raan_dot, _ = debris.secular_rates_rad_s()
    expected = debris.raan_rad[debris_id] + raan_dot[debris_id] * days_after_t0 * rules.DAY_S
    assert math.remainder(raan - expected, 2 * math.pi) == pytest.approx(0.0, abs=1e-11)


def test_mean_anomaly_at_reference_epoch(debris: DebrisSet) -> None:
    """Column 7 is the mean anomaly: r = a (1 − e cos E) with E from Kepler's equation."""
    k = 1  # the most eccentric debris of the three in test_ephemeris (e ≈ 0.0168)
    r, _ = debris.states(k, debris.epoch_mjd2000[k])
    ecc_anomaly = kepler_equation(debris.m_rad[k], debris.e[k])
    expected = debris.a_m[k] * (1 - debris.e[k] * math.cos(float(ecc_anomaly)))
    assert np.linalg.norm(r) == pytest.approx(expected, rel=1e-14)


def test_vectorised_grid_equals_single_calls(debris: DebrisSet) -> None:
    ids = np.array([3, 17, 99])
    times = np.array([23467.0, 24000.25, 26419.0])
    r, v = debris.states(ids[:, None], times[None, :])
    assert r.shape == v.shape == (3, 3, 3)
    for a, k in enumerate(ids):
        for b, t in enumerate(times):
            r1, v1 = debris.states(int(k), float(t))
            np.testing.assert_array_equal(r[a, b], r1)
            np.testing.assert_array_equal(v[a, b], v1)
    with pytest.raises(IndexError):
        debris.states(123, 23467.0)


@settings(max_examples=200, deadline=None)
@given(m=st.floats(-50.0, 50.0), e=st.floats(0.0, 0.9))
def test_kepler_solution(m: float, e: float) -> None:
    """The debris ephemeris solves Kepler's equation with ``orbits.kepler`` (any M, e < 1)."""
    ecc_anomaly = float(kepler_equation(m, e))
    residual = ecc_anomaly - e * math.sin(ecc_anomaly) - m
    assert abs(residual) < 1e-12


def test_missing_or_bad_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_debris(tmp_path / "nope.csv")
    bad = tmp_path / "debris.csv"
    bad.write_text("id,epoch_mjd2000,a_m,e,i_rad,raan_rad,argp_rad,M_rad\n0,1,2,x,4,5,6,7\n")
    with pytest.raises(FormatError, match=":2:"):
        load_debris(bad)
