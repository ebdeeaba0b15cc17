"""Orbit size from mean elements, checked against python-sgp4's own initialisation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import WGS72, Satrec

from sweepers.census.geometry import (
    MU_WGS72_KM3_S2,
    RE_WGS72_KM,
    brouwer_sma_km,
    geometry_from_arrays,
    orbit_geometry,
)

from .helpers import element_set, read_3le_lines

# ISS (ZARYA), a published element set (CelesTrak, 2008 example used across the SGP4 literature).
ISS = (
    "0 ISS (ZARYA)",
    "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927",
    "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537",
)


def test_iss_matches_sgp4_initialisation() -> None:
    sat = Satrec.twoline2rv(ISS[1], ISS[2], WGS72)
    geo = orbit_geometry([element_set(*ISS)])
    # Same theory, same constants: agreement to rounding (1 mm is far below any use here).
    assert geo.sma_km[0] == pytest.approx(sat.a * RE_WGS72_KM, abs=1e-6)
    assert geo.perigee_alt_km[0] == pytest.approx(sat.altp * RE_WGS72_KM, abs=1e-6)
    assert geo.apogee_alt_km[0] == pytest.approx(sat.alta * RE_WGS72_KM, abs=1e-6)
    assert geo.period_min[0] == pytest.approx(1440.0 / 15.72125391)
    assert 340.0 < geo.perigee_alt_km[0] < geo.apogee_alt_km[0] < 370.0


@pytest.mark.parametrize(
    ("inclination_deg", "low_km", "high_km"),
    [(0.0, 5.0, 7.5), (54.7356, -0.01, 0.01), (98.0, -3.5, -2.5)],
)
def test_un_kozai_differs_from_plain_kepler_by_kilometres_in_leo(
    inclination_deg: float, low_km: float, high_km: float
) -> None:
    # The J2 term scales with 3cos²i − 1: +2 equatorial, 0 at 54.74°, about −1 polar. A 500 km
    # LEO orbit moves by −3 … +7 km: a sixth of a 50 km band, why the census un-Kozais.
    n = 15.2
    kepler_km = (MU_WGS72_KM3_S2 / (n * 2.0 * math.pi / 86400.0) ** 2) ** (1.0 / 3.0)
    brouwer_km = float(brouwer_sma_km(np.array([n]), np.zeros(1), np.array([inclination_deg]))[0])
    assert low_km < brouwer_km - kepler_km < high_km


def test_sample_of_real_catalogue_matches_sgp4(full_catalog_path: Path) -> None:
    records = read_3le_lines(full_catalog_path)[::97]  # ~270 objects, every regime represented
    geo = orbit_geometry([element_set(*rec) for rec in records])
    sats = [Satrec.twoline2rv(l1, l2, WGS72) for _, l1, l2 in records]
    np.testing.assert_allclose(geo.sma_km, [s.a * RE_WGS72_KM for s in sats], atol=1e-6)
    np.testing.assert_allclose(geo.perigee_alt_km, [s.altp * RE_WGS72_KM for s in sats], atol=1e-6)


def test_invalid_elements_give_nan() -> None:
    geo = geometry_from_arrays(
        np.array([0.0, -1.0, 15.0, 15.0]), np.array([0.0, 0.0, 1.0, -0.1]), np.full(4, 50.0)
    )
    assert np.isnan(geo.sma_km).all()
    assert np.isnan(geo.period_min).all()
    assert np.isnan(geo.perigee_alt_km).all()
