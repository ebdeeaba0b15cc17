"""Constants against the Kelvins GTOC9 "Constants" table (https://kelvins.esa.int/
gtoc9-kessler-run/constants) as quoted in GTOC9.md."""

from __future__ import annotations

import pytest

from sweepers.gtoc9 import rules


def test_constants_match_the_problem_statement() -> None:
    assert rules.MU_M3_S2 == 398600.4418e9
    assert rules.R_EQ_M == 6378137.0
    assert rules.J2 == 1.08262668e-3
    assert (rules.ISP_S, rules.G0_M_S2) == (340.0, 9.80665)
    assert (rules.M_DRY_KG, rules.M_DEORBIT_KG, rules.M_PROPELLANT_MAX_KG) == (2000, 30, 5000)
    assert rules.ALPHA_MEUR_KG2 == 2.0e-6
    assert (rules.C_MIN_MEUR, rules.C_MAX_MEUR, rules.C_BASE_MEUR) == (45, 55, 55)
    assert (rules.WINDOW_START_MJD2000, rules.WINDOW_END_MJD2000) == (23467, 26419)
    assert rules.STAY_MIN_DAYS == 5
    assert rules.ARRIVAL_TO_ARRIVAL_MAX_DAYS == rules.BETWEEN_MISSIONS_MIN_DAYS == 30
    assert rules.R_PERICENTRE_MIN_M == 6600000.0
    assert (rules.TOL_POSITION_M, rules.TOL_VELOCITY_M_S, rules.TOL_MASS_KG) == (100, 1, 1e-8)
    assert rules.DAY_S == 86400.0


def test_mission_cost() -> None:
    """C_i = c_i + α (m0 − m_dry)²: a ship launched with 1000 kg above dry costs 55 + 2 MEUR."""
    assert rules.mission_cost_meur(3000.0) == pytest.approx(57.0)
    assert rules.mission_cost_meur(3000.0, c_base_meur=45.0) == pytest.approx(47.0)
