"""Census fixtures: the real 2023-10 Space-Track catalogue, read once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweepers.census import CensusObject

from .helpers import FULL_CATALOG, element_set, read_3le_lines


@pytest.fixture(scope="session")
def full_catalog_path(shared_data: Path) -> Path:
    """The 26,140-object Space-Track 3LE catalogue of 2023-10 (see its README)."""
    return shared_data / FULL_CATALOG


@pytest.fixture(scope="session")
def full_catalog(full_catalog_path: Path) -> list[CensusObject]:
    """Every object of the real catalogue, without SATCAT metadata (types are None)."""
    return [
        CensusObject(es.norad_id, es.object_name, None, None, es)
        for es in (element_set(*rec) for rec in read_3le_lines(full_catalog_path))
    ]
