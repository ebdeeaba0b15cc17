"""Exact counts on a small synthetic catalogue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from sweepers.census import CensusObject, catalog_date, compute
from sweepers.census.model import AGE_BINS_DAYS, NONE_LABEL, tabulate
from sweepers.records import SatcatEntry

from .helpers import make_object

AS_OF = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return AS_OF - timedelta(days=days)


@pytest.fixture
def objects() -> list[CensusObject]:
    """12 objects: 7 LEO (3 debris clouds), 1 NSO, 1 GEO, 1 GTO, 1 LMO, 1 with no SATCAT entry."""
    return [
        make_object(1, 520.0, 530.0, 53.0, epoch=ago(0.2), rcs_size="LARGE"),
        make_object(2, 540.0, 545.0, 53.0, epoch=ago(0.99), rcs_size="MEDIUM"),
        make_object(
            3,
            760.0,
            870.0,
            98.8,
            epoch=ago(1.0),
            object_type="DEBRIS",
            rcs_size="SMALL",
            name="FENGYUN 1C DEB",
        ),
        make_object(
            4,
            780.0,
            800.0,
            74.0,
            epoch=ago(2.99),
            object_type="DEBRIS",
            rcs_size="SMALL",
            name="COSMOS  2251 DEB",
        ),  # double space, still counted
        make_object(
            5,
            770.0,
            790.0,
            86.4,
            epoch=ago(3.0),
            object_type="DEBRIS",
            rcs_size="SMALL",
            name="IRIDIUM 33 DEB",
        ),
        make_object(
            6, 525.0, 535.0, 53.0, epoch=ago(6.5), object_type="ROCKET BODY", rcs_size="LARGE"
        ),
        make_object(7, 20_150.0, 20_220.0, 55.0, epoch=ago(7.0), rcs_size="LARGE"),
        make_object(8, 35_780.0, 35_792.0, 0.05, epoch=ago(29.9), rcs_size="LARGE"),
        make_object(9, 300.0, 35_700.0, 20.0, epoch=ago(30.0), object_type="ROCKET BODY"),
        make_object(10, 650.0, 3_800.0, 34.0, epoch=ago(400.0), object_type="unknown"),
        make_object(11, 1_400.0, 1_420.0, 52.0, epoch=ago(-0.1), object_type=None),
        make_object(12, 560.0, 565.0, 97.6, epoch=ago(0.5), object_type="", name="SAT"),
    ]


def test_counts(objects: list[CensusObject]) -> None:
    c = compute(objects, AS_OF)
    assert c.total == 12
    assert c.by_type == {"PAYLOAD": 4, "ROCKET BODY": 2, "DEBRIS": 3, "UNKNOWN": 1, NONE_LABEL: 2}
    assert {k: v for k, v in c.by_regime.items() if v} == {
        "NSO": 1,
        "GEO": 1,
        "GTO": 1,
        "LEO": 8,
        "LMO": 1,
    }
    assert sum(c.by_regime.values()) == 12
    assert c.by_rcs == {"SMALL": 3, "MEDIUM": 1, "LARGE": 4, NONE_LABEL: 4}
    assert c.regime_by_type["LEO"] == {
        "PAYLOAD": 2,
        "ROCKET BODY": 1,
        "DEBRIS": 3,
        "UNKNOWN": 0,
        NONE_LABEL: 2,
    }
    assert c.regime_by_type["GTO"]["ROCKET BODY"] == 1
    assert c.debris_clouds == {
        "FENGYUN 1C DEB": 1,
        "COSMOS 2251 DEB": 1,
        "IRIDIUM 33 DEB": 1,
        "COSMOS 1408 DEB": 0,
    }
    assert c.invalid_elements == 0


def test_age_bins_are_lower_inclusive(objects: list[CensusObject]) -> None:
    c = compute(objects, AS_OF)
    assert [label for label, _, _ in AGE_BINS_DAYS] == ["<1d", "1-3d", "3-7d", "7-30d", ">30d"]
    assert c.by_age == {"<1d": 3, "1-3d": 2, "3-7d": 2, "7-30d": 2, ">30d": 2, "future": 1}


def test_densest_leo_band(objects: list[CensusObject]) -> None:
    band = compute(objects, AS_OF).densest_leo_band
    assert band is not None
    # Objects 1, 2 and 6 have mean altitudes 525–543 km (±7 km un-Kozai shift, far from edges).
    assert (band.lower_km, band.upper_km, band.count) == (500.0, 550.0, 3)


def test_to_dict_is_json(objects: list[CensusObject]) -> None:
    c = compute(objects, AS_OF, source="test data")
    d = json.loads(json.dumps(c.to_dict()))
    assert d["as_of"] == "2024-03-01T12:00:00Z"
    assert d["total"] == 12 and d["source"] == "test data"
    assert d["by_regime"]["LEO"] == 8
    assert d["regime_names"]["NSO"] == "Navigation Satellites Orbit"
    assert len(d["leo_mean_altitude_bands_50km"]) == 40
    assert any("500–550 km" in fact for fact in d["notable_facts"])
    assert d["epoch"]["newest"] == "2024-03-01T14:24:00Z"


def test_empty_catalogue() -> None:
    c = compute([], AS_OF)
    assert c.total == 0 and c.densest_leo_band is None and c.epoch_median is None
    json.dumps(c.to_dict())


def test_naive_as_of_is_refused(objects: list[CensusObject]) -> None:
    with pytest.raises(ValueError, match="UTC"):
        compute(objects, datetime(2024, 3, 1))


def test_catalog_date_is_end_of_modal_day(objects: list[CensusObject]) -> None:
    # Three epochs fall on 2024-03-01 (objects 1, 11, 12), two on 02-29, one on each other day.
    assert catalog_date(objects) == datetime(2024, 3, 2, tzinfo=UTC)


def test_from_records_joins_satcat(objects: list[CensusObject]) -> None:
    es = objects[0].elements
    entry = SatcatEntry(
        norad_id=1, object_name="SATCAT NAME", object_type="PAYLOAD", rcs_size="SMALL"
    )
    obj = CensusObject.from_records(es, entry)
    assert (obj.object_type, obj.rcs_size, obj.name) == ("PAYLOAD", "SMALL", es.object_name)
    bare = CensusObject.from_records(es)
    assert bare.object_type is None and bare.rcs_size is None
    assert tabulate([bare], AS_OF).object_type.tolist() == [NONE_LABEL]
