"""Orbital lifetime: monotone in altitude and area-to-mass, capped, and the right order of size."""

from __future__ import annotations

import math

import numpy as np

from sweepers.salvage.value import area_to_mass_m2_kg, orbital_lifetime_yr
from sweepers.salvage.value.lifetime import (
    LIFETIME_CAP_YR,
    density_kg_m3,
    sbm_area_m2,
)


def test_monotone_in_altitude() -> None:
    h = np.arange(150.0, 2000.0, 5.0)
    life = orbital_lifetime_yr(h, h, 0.01)
    assert np.all(np.diff(life) >= 0.0)
    assert life[0] < 0.1 and life[-1] == LIFETIME_CAP_YR


def test_monotone_in_area_to_mass() -> None:
    am = np.geomspace(1e-3, 1.0, 40)
    life = orbital_lifetime_yr(600.0, 600.0, am)
    assert np.all(np.diff(life) <= 0.0) and life[-1] < life[0]
    # below the cap, lifetime is exactly inversely proportional to the ballistic coefficient
    assert math.isclose(orbital_lifetime_yr(500.0, 500.0, 0.02),
                        orbital_lifetime_yr(500.0, 500.0, 0.01) / 2.0, rel_tol=1e-12)


def test_eccentric_orbits_live_between_their_apsides() -> None:
    circ_p, ecc, circ_a = orbital_lifetime_yr([400.0, 400.0, 900.0], [400.0, 900.0, 900.0], 0.02)
    assert circ_p < ecc < circ_a


def test_order_of_magnitude_anchors() -> None:
    """Rules of thumb for a 0.01 m²/kg satellite at moderate solar activity (e.g. ESA's Space
    Debris Office and NASA ODPO figures): months to a few years at 400 km, decades at 600 km,
    more than a century at 800 km. The model is accurate to a factor of ~3, so ranges are wide.
    """
    at_400, at_600, at_800 = orbital_lifetime_yr([400.0, 600.0, 800.0], [400.0, 600.0, 800.0],
                                                 0.01)
    assert 0.1 < at_400 < 3.0
    assert 5.0 < at_600 < 60.0
    assert at_800 > 100.0


def test_edges() -> None:
    assert orbital_lifetime_yr(90.0, 90.0, 0.01) == 0.0
    assert math.isnan(float(orbital_lifetime_yr(math.nan, 500.0, 0.01)))
    assert orbital_lifetime_yr(35786.0, 35786.0, 0.01) == LIFETIME_CAP_YR


def test_atmosphere_is_the_tabulated_one() -> None:
    # Vallado (2013) Table 8-4 base values are reproduced exactly at the layer bases.
    assert density_kg_m3(400.0) == 3.725e-12 and density_kg_m3(1000.0) == 3.019e-15
    assert np.all(np.diff(density_kg_m3(np.arange(0.0, 1500.0, 1.0))) < 0.0)


def test_area_to_mass() -> None:
    assert area_to_mass_m2_kg("ROCKET BODY", 9000.0) == 0.007
    assert area_to_mass_m2_kg("PAYLOAD", 8211.0) == 0.01
    # fragment: NASA SBM area of L_c = 2·HBR over its mass
    assert math.isclose(area_to_mass_m2_kg("FRAGMENT", 2.0, 0.25),
                        0.556945 * 0.5**2.0047077 / 2.0)
    assert math.isclose(area_to_mass_m2_kg("FRAGMENT", 0.07, None, "SMALL"),
                        float(sbm_area_m2(0.116)) / 0.07)
