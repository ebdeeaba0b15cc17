"""Ship descriptions: defaults, TOML loading, errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sweepers.orbits.kepler import j2_secular_rates
from sweepers.salvage.planner.ship import (
    VICTORY,
    Ship,
    ShipError,
    load_ship,
    sso_inclination_rad,
)


def test_victory_defaults_are_documented_values() -> None:
    assert (VICTORY.dry_mass_kg, VICTORY.propellant_kg, VICTORY.isp_s, VICTORY.months) == (
        2000.0, 1000.0, 320.0, 12.0)
    assert VICTORY.orbit.a_km == pytest.approx(6378.137 + 780.0)
    # 780 km Sun-synchronous: ~98.5 deg, and the node really turns 360 deg per tropical year
    inc = VICTORY.orbit.inclination_rad
    assert math.degrees(inc) == pytest.approx(98.5, abs=0.1)
    raan_dot = float(j2_secular_rates(VICTORY.orbit.a_km, 0.0, inc)[0])
    assert raan_dot * 365.2422 * 86400 == pytest.approx(2 * math.pi, rel=1e-9)
    assert VICTORY.exhaust_velocity_km_s == pytest.approx(3.138128)
    assert VICTORY.launch_mass_kg() == 2000 + 1000 + 12 * 30


def test_sso_inclination_refuses_impossible_orbit() -> None:
    with pytest.raises(ShipError):
        sso_inclination_rad(6378.137 + 8000.0)


def test_toml_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "ship.toml"
    path.write_text('name = "Broom"\npropellant_kg = 500\ncapacity = 4\n'
                    'start = "2023-10-01T00:00:00Z"\nmonths = 3\n'
                    '[orbit]\naltitude_km = 800\ni_deg = 71.0\nraan_deg = 20\n')
    ship = load_ship(path)
    assert ship.name == "Broom" and ship.propellant_kg == 500 and ship.capacity == 4
    assert ship.dry_mass_kg == VICTORY.dry_mass_kg  # default kept
    assert ship.start is not None and ship.start.isoformat() == "2023-10-01T00:00:00+00:00"
    assert math.degrees(ship.orbit.inclination_rad) == pytest.approx(71.0)
    assert math.degrees(ship.orbit.raan_rad or 0.0) == pytest.approx(20.0)
    assert ship.duration_s == pytest.approx(3 * 365.25 / 12 * 86400)
    path.write_text("[orbit]\nfrom_norad_id = 25544\n")
    assert load_ship(path).orbit.from_norad_id == 25544


@pytest.mark.parametrize("text", ['propellant_kg = -1\n', 'tank = 3\n', '[orbit]\nfoo = 1\n',
                                  'start = "yesterday"\n', 'capacity = "x"\n', 'name = \n'])
def test_bad_toml_is_one_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ShipError, match=r"bad\.toml"):
        load_ship(path)


def test_with_ignores_none() -> None:
    ship = Ship().with_(propellant_kg=None, months=2.0)
    assert ship.propellant_kg == 1000.0 and ship.months == 2.0
