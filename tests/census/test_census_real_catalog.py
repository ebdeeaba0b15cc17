"""The census of the real 2023-10 Space-Track catalogue (26,140 objects; see its README)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sweepers.census import CensusObject, catalog_date, compute, write_report
from sweepers.census.report import FIGURE_NAMES

from .test_report import png_size


def test_full_catalogue_census(full_catalog: list[CensusObject]) -> None:
    as_of = catalog_date(full_catalog)
    assert as_of == datetime(2023, 10, 10, tzinfo=UTC)  # 82 % of epochs are on 2023-10-09
    c = compute(full_catalog, as_of)
    assert c.total == 26_140
    assert c.invalid_elements == 0 and c.by_regime["UFO"] == 0
    # Shares: LEO is the large majority; the GEO ring (GEO + EGO) holds well over a thousand.
    assert 0.75 < c.share(c.by_regime["LEO"]) < 0.88
    assert 1_200 < c.by_regime["GEO"] + c.by_regime["EGO"] < 2_200
    assert 250 < c.by_regime["NSO"] < 500  # GPS, GLONASS, Galileo, BeiDou MEO
    assert sum(c.by_age.values()) == 26_140
    assert c.by_age["<1d"] > 20_000
    # The cloud sizes printed in the data README (names containing the prefix).
    assert c.debris_clouds == {
        "FENGYUN 1C DEB": 2_307,
        "COSMOS 2251 DEB": 858,
        "IRIDIUM 33 DEB": 209,
        "COSMOS 1408 DEB": 105,
    }
    band = c.densest_leo_band
    assert band is not None and band.lower_km == 500.0  # the Starlink shells
    json.dumps(c.to_dict())


def test_full_catalogue_report(full_catalog: list[CensusObject], tmp_path: Path) -> None:
    census = compute(full_catalog, catalog_date(full_catalog))
    write_report(census, full_catalog, tmp_path)
    for name in FIGURE_NAMES.values():
        width, _height = png_size((tmp_path / name).read_bytes())
        assert width >= 1200
