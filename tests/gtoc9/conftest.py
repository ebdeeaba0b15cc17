"""Fixtures of the GTOC9 tests: the real debris table and a valid three-debris mission."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweepers.gtoc9.debris import DebrisSet, load_debris
from sweepers.gtoc9.solution import Event

from .builders import CHAIN, Leg, chain_legs, mission_from_legs


@pytest.fixture(scope="session")
def debris(shared_data: Path) -> DebrisSet:
    """The 123 GTOC9 debris from ``$SWEEPERS_DATA/gtoc9/debris.csv``."""
    return load_debris(shared_data / "gtoc9" / "debris.csv")


@pytest.fixture(scope="session")
def legs(debris: DebrisSet) -> list[Leg]:
    """J2 transfers 122 → 7 → 48 (solved once per session)."""
    return chain_legs(debris)


@pytest.fixture()
def valid_events(legs: list[Leg], debris: DebrisSet) -> list[Event]:
    """Events of the valid mission 122 → 7 → 48 (six lines: arrival and departure per debris)."""
    return mission_from_legs(legs, CHAIN, debris)
