"""Salvage-value fixtures: the real 2023-10 catalog joined with the SATCAT and CARA's estimates.

Decoded once per session with ``sweepers.formats`` (about 2 s), without a store: scoring is a pure
function of element sets and per-object metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sweepers import formats
from sweepers.records import ElementSet, SatcatEntry, SizeMassEstimate
from sweepers.salvage.value import ScoredObject, score_objects

CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"
SATCAT = (
    "satcat/spacetrack_satcat_current_2025-03-16.json",
    "satcat/spacetrack_satcat_decayed_2025-03-16.json",
)
CARA = "satcat/nasa_cara_hbr_mass_estimates_2026-06-01.csv"


@dataclass(frozen=True, slots=True)
class Meta:
    """What ``CatalogStore.objects()`` gives per object, for the fields scoring reads."""

    norad_id: int
    name: str | None
    object_id: str | None
    satcat: SatcatEntry | None
    size_mass: SizeMassEstimate | None


def _records(path: Path) -> list:
    data = path.read_bytes()
    return formats.parse_bytes(data, str(path), formats.detect_format(data, str(path))).records


@dataclass(frozen=True, slots=True)
class RealCatalog:
    elements: list[ElementSet]
    meta: dict[int, Meta]


@pytest.fixture(scope="session")
def real_catalog(shared_data: Path) -> RealCatalog:
    """The 26,140 objects of 2023-10 with SATCAT (2025) and CARA (2026-06) rows joined by id."""
    elements = _records(shared_data / CATALOG)
    satcat = {r.norad_id: r for p in SATCAT for r in _records(shared_data / p)}
    cara = {r.norad_id: r for r in _records(shared_data / CARA)}
    meta = {}
    for e in elements:
        s = satcat.get(e.norad_id)
        meta[e.norad_id] = Meta(
            e.norad_id,
            (s.object_name if s else None) or e.object_name,
            (s.object_id if s else None) or e.object_id,
            s,
            cara.get(e.norad_id),
        )
    return RealCatalog(elements, meta)


@pytest.fixture(scope="session")
def real_scores(real_catalog: RealCatalog) -> list[ScoredObject]:
    """Every object of the real catalog, scored."""
    return score_objects(real_catalog.elements, real_catalog.meta)


def three_line_records(shared_data: Path, ids: object) -> list[str]:
    """The 3LE lines (name, line 1, line 2) of the objects ``ids`` in the real 2023-10 catalog."""
    lines = (shared_data / CATALOG).read_text().splitlines()
    picked: list[str] = []
    for k in range(0, len(lines) - 2, 3):
        field = lines[k + 1][2:7]
        if field.strip().isdigit() and int(field) in ids:  # type: ignore[operator]
            picked += lines[k : k + 3]
    return picked
