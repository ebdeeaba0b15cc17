"""ESA regime classes on hand-made orbits, at and around their boundaries."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sweepers.census.geometry import geometry_from_arrays
from sweepers.census.regimes import Regime, classify, classify_arrays, classify_orbit
from sweepers.orbits.constants import RE_WGS72_KM


def regime(hp: float, ha: float, inc: float) -> Regime:
    """Class of the orbit with apsis altitudes hp ≤ ha [km] and inclination [deg]."""
    a = RE_WGS72_KM + 0.5 * (hp + ha)
    return classify_orbit(hp, ha, a, (ha - hp) / (2.0 * a), inc)


@pytest.mark.parametrize(
    ("label", "hp", "ha", "inc", "expected"),
    [
        ("ISS", 415.0, 422.0, 51.64, Regime.LEO),
        ("Starlink", 545.0, 552.0, 53.05, Regime.LEO),
        ("Sun-synchronous", 700.0, 705.0, 98.2, Regime.LEO),
        ("GPS IIF (i = 55°: ESA's navigation class)", 20_100.0, 20_300.0, 55.0, Regime.NSO),
        ("Galileo", 23_220.0, 23_225.0, 56.0, Regime.NSO),
        ("LAGEOS-1 (MEO, i = 109.8°)", 5_800.0, 5_950.0, 109.8, Regime.MEO),
        ("O3b (MEO, equatorial)", 8_060.0, 8_070.0, 0.04, Regime.MEO),
        ("GEO, station-kept", 35_780.0, 35_792.0, 0.05, Regime.GEO),
        ("GEO graveyard +300 km", 36_080.0, 36_100.0, 1.0, Regime.EGO),
        ("GEO drifting, i = 40°", 35_700.0, 35_900.0, 40.0, Regime.IGO),
        ("GTO, Kourou", 250.0, 35_786.0, 6.0, Regime.GTO),
        # ESA's table puts a Molniya orbit with apogee below 40,002 km in GTO, one above in HEO.
        ("Molniya (apogee 39,700 km)", 600.0, 39_700.0, 63.4, Regime.GTO),
        ("Molniya (apogee 40,100 km)", 600.0, 40_100.0, 63.4, Regime.HEO),
        ("Chandra-like HEO", 16_000.0, 133_000.0, 65.0, Regime.HEO),
        ("supersynchronous transfer", 35_000.0, 60_000.0, 10.0, Regime.GHO),
        ("TESS-like", 108_000.0, 375_000.0, 37.0, Regime.HAO),
        ("MEO-GEO crosser", 19_000.0, 35_000.0, 10.0, Regime.MGO),
        ("LEO-MEO crosser (Vanguard 1)", 650.0, 3_820.0, 34.3, Regime.LMO),
    ],
)
def test_named_orbits(label: str, hp: float, ha: float, inc: float, expected: Regime) -> None:
    assert regime(hp, ha, inc) is expected, label


@pytest.mark.parametrize(
    ("hp", "ha", "inc", "expected"),
    [
        (500.0, 1_999.9, 50.0, Regime.LEO),
        (500.0, 2_000.0, 50.0, Regime.LMO),  # ESA's shared bound goes to the higher class
        (2_000.0, 2_500.0, 50.0, Regime.MEO),
        (1_999.9, 2_500.0, 50.0, Regime.LMO),
        (20_000.0, 20_200.0, 49.9, Regime.MEO),
        (20_000.0, 20_200.0, 50.0, Regime.NSO),
        (20_000.0, 20_200.0, 70.0, Regime.NSO),
        (20_000.0, 20_200.0, 70.1, Regime.MEO),
        (35_586.0, 35_986.0, 25.0, Regime.GEO),
        (35_586.0, 35_986.0, 25.1, Regime.IGO),
        (35_585.9, 35_986.0, 0.0, Regime.EGO),
        (1_000.0, 31_569.9, 20.0, Regime.LMO),
        (1_000.0, 31_570.0, 20.0, Regime.GTO),
        (1_000.0, 40_002.0, 20.0, Regime.GTO),
        (1_000.0, 40_002.1, 20.0, Regime.HEO),
        (1_000.0, 35_786.0, 90.0, Regime.UFO),  # GTO-shaped but polar: ESA leaves it undefined
        (40_002.1, 40_010.0, 0.0, Regime.HAO),
    ],
)
def test_boundaries(hp: float, ha: float, inc: float, expected: Regime) -> None:
    assert regime(hp, ha, inc) is expected


def test_nan_is_undefined() -> None:
    assert classify_orbit(math.nan, math.nan, math.nan, math.nan, math.nan) is Regime.UFO


def test_from_mean_motion() -> None:
    # ISS-like, GPS-like, GEO and GTO element sets: n [rev/day], e, i [deg].
    geo = geometry_from_arrays(
        np.array([15.50, 2.0056, 1.00272, 2.27]),
        np.array([0.0005, 0.005, 0.0002, 0.73]),
        np.array([51.6, 55.0, 0.03, 6.0]),
    )
    assert classify(geo).tolist() == ["LEO", "NSO", "GEO", "GTO"]


@given(
    hp=st.floats(-200.0, 400_000.0),
    span=st.floats(0.0, 400_000.0),
    inc=st.floats(0.0, 180.0),
)
def test_every_orbit_has_one_class_and_only_polar_gto_is_undefined(
    hp: float, span: float, inc: float
) -> None:
    ha = hp + span
    a = RE_WGS72_KM + 0.5 * (hp + ha)
    code = classify_arrays(
        np.array([hp]), np.array([ha]), np.array([a]), np.array([span / (2 * a)]), np.array([inc])
    )[0]
    polar_gto = hp < 2_000.0 and 31_570.0 <= ha <= 40_002.0 and inc >= 90.0
    assert (code == "UFO") == polar_gto
