"""The family table: patterns match the real catalog names they are meant for, and only those."""

from __future__ import annotations

from collections import Counter

import pytest

from sweepers.salvage.value import FAMILIES, is_crewed_station, match_family
from sweepers.salvage.value.families import launch_key, launch_rocket_families

from ..conftest import RealCatalog


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("SL-8 R/B", "SL-8 R/B"),
        ("SL-16 R/B", "SL-16 R/B"),
        ("sl-16 r/b *", "SL-16 R/B"),  # case and Space-Track's trailing marker
        ("CZ-2C R/B", "CZ-2C R/B"),
        ("CZ-4C R/B", "CZ-4 R/B"),
        ("ENVISAT", "ENVISAT"),
        ("SL-12 R/B(2)", "SL-12 R/B(2)"),
        ("SL-6 R/B(2)", "SL-6 R/B(2)"),
        ("DELTA 2 R/B(2) (PAM-D)", "DELTA 1/2 R/B(2)"),
        ("DELTA 2 R/B(1)", "DELTA 1/2 R/B"),
        ("ATLAS 5 CENTAUR R/B", "ATLAS 5 CENTAUR R/B"),
        ("ATLAS 2AS CENTAUR R/B", "CENTAUR R/B"),
        ("ARIANE 44LP R/B", "ARIANE 1-4 R/B"),
        ("ARIANE 5 R/B", "ARIANE 5 R/B"),
        ("IRIDIUM 33", "IRIDIUM"),
        ("IRIDIUM 106", "IRIDIUM NEXT"),
        ("ORBCOMM FM 5", "ORBCOMM"),
        ("ORBCOMM FM 107", "ORBCOMM OG2"),
    ],
)
def test_real_names_match_their_family(name: str, label: str) -> None:
    fam = match_family(name)
    assert fam is not None and fam.label == label


@pytest.mark.parametrize(
    "name",
    ["SL-8 DEB", "COSMOS 1408 DEB", "SL-12 R/B(AUX MOTOR)", "SL-16 DEB", "ERS 15", "ENVISAT DEB",
     "COSMOS 2251", "", None],
)
def test_fragments_and_lookalikes_match_nothing(name: str | None) -> None:
    assert match_family(name) is None


def test_tselina_needs_a_zenit_on_the_same_launch() -> None:
    assert match_family("COSMOS 1943") is None
    assert match_family("COSMOS 1943", {"SL-16 R/B"}).label == "TSELINA-2"  # type: ignore[union-attr]
    launches = launch_rocket_families(["SL-16 R/B", "COSMOS 1943", "SL-8 R/B"],
                                      ["1988-039B", "1988-039A", "1990-001B"])
    assert launches == {"1988-039": {"SL-16 R/B"}, "1990-001": {"SL-8 R/B"}}
    assert launch_key("1988-039A") == "1988-039" and launch_key(None) is None


def test_crewed_stations() -> None:
    assert is_crewed_station("ISS (ZARYA)") and is_crewed_station("CSS (TIANHE)")
    assert not is_crewed_station("ISS DEB (EP BATTERY)") and not is_crewed_station("ENVISAT")


def test_every_row_is_documented() -> None:
    labels = [f.label for f in FAMILIES]
    assert len(labels) == len(set(labels))
    for f in FAMILIES:
        assert f.mass_kg > 0 and f.source and f.what, f.label


# How many objects of the real 2023-10 catalog each key family covers (names from the SATCAT).
EXPECTED_COUNTS = {"SL-8 R/B": 286, "SL-16 R/B": 22, "SL-3 R/B": 49, "SL-14 R/B": 109,
                   "CZ-2C R/B": 32, "ENVISAT": 1, "TSELINA-2": 18, "STARLINK": 4864}


def test_coverage_on_the_real_catalog(real_catalog: RealCatalog) -> None:
    """Every row matches at least one object of the real catalog (no dead patterns), the key
    families match exactly the counts found when the table was written, and the table covers
    most rocket bodies in orbit."""
    metas = list(real_catalog.meta.values())
    launches = launch_rocket_families([m.name for m in metas], [m.object_id for m in metas])
    counts: Counter[str] = Counter()
    rb_total = rb_matched = 0
    for m in metas:
        fam = match_family(m.name, launches.get(launch_key(m.object_id) or "", frozenset()))
        if fam is not None:
            counts[fam.label] += 1
        if m.satcat and m.satcat.object_type == "ROCKET BODY":
            rb_total += 1
            rb_matched += fam is not None
    assert all(counts[f.label] >= 1 for f in FAMILIES), [f.label for f in FAMILIES
                                                        if not counts[f.label]]
    assert {k: counts[k] for k in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert rb_matched / rb_total > 0.7  # 76 % (1,643 of 2,168) when the table was written
