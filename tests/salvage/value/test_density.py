"""Spatial density from the catalog and each object's exposure to the others."""

from __future__ import annotations

import math

import numpy as np

from sweepers.orbits.constants import RE_WGS72_KM
from sweepers.salvage.value import density_profile, exposure_km3
from sweepers.salvage.value.density import residence_weights, shell_volumes_km3, time_below


def test_time_below_follows_kepler() -> None:
    hp, ha = 500.0, 1500.0
    a = RE_WGS72_KM + 1000.0
    e = 500.0 / a
    assert time_below(hp, ha, hp) == 0.0 and time_below(hp, ha, ha) == 1.0
    # at r = a the eccentric anomaly is 90°: M = π/2 − e, a fraction (π/2 − e)/π of the period
    assert math.isclose(float(time_below(hp, ha, 1000.0)), (math.pi / 2 - e) / math.pi)


def test_weights_sum_to_one_and_circular_orbits_sit_in_one_shell() -> None:
    obj, shell, w = residence_weights([805.0, 300.0, math.nan], [805.0, 20000.0, 900.0])
    assert set(obj) == {0, 1}  # the NaN orbit is left out
    assert np.isclose(w[obj == 0].sum(), 1.0) and np.isclose(w[obj == 1].sum(), 1.0)
    assert list(shell[obj == 0]) == [80] and w[obj == 0][0] == 1.0  # the 800–810 km shell


def test_density_and_exposure_of_a_hand_made_catalog() -> None:
    # two objects in the 800–810 km shell, one at 1200 km
    hp = np.array([805.0, 806.0, 1200.0])
    profile = density_profile(hp, hp)
    v800 = shell_volumes_km3(np.array([800.0, 810.0]))[0]
    assert math.isclose(float(profile.at(805.0)), 2.0 / v800)
    assert math.isclose(float((profile.density_km3 * profile.volume_km3).sum()), 3.0)
    assert float(profile.at(900.0)) == 0.0
    rho = exposure_km3(profile, hp, hp)
    assert math.isclose(rho[0], 1.0 / v800) and math.isclose(rho[1], 1.0 / v800)
    assert rho[2] == 0.0  # alone in its shell: itself does not count
    assert math.isclose(exposure_km3(profile, hp, hp, exclude_self=False)[2],
                        float(profile.at(1200.0)))
