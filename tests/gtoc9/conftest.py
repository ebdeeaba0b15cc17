"""Fixtures of the GTOC9 tests: a valid three-debris mission on the real debris table (the
``debris`` fixture of ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.solution import Event

from .builders import CHAIN, Leg, chain_legs, mission_from_legs


@pytest.fixture(scope="session")
def legs(debris: DebrisSet) -> list[Leg]:
    """J2 transfers 122 → 7 → 48 (solved once per session)."""
    return chain_legs(debris)


@pytest.fixture()
def valid_events(legs: list[Leg], debris: DebrisSet) -> list[Event]:
    """Events of the valid mission 122 → 7 → 48 (six lines: arrival and departure per debris)."""
    return mission_from_legs(legs, CHAIN, debris)
