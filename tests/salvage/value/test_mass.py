"""Masses and their sources: CARA estimate over family table over RCS-class default."""

from __future__ import annotations

import statistics
from collections import defaultdict

import pytest

from sweepers.records import SatcatEntry, SizeMassEstimate
from sweepers.salvage.value import DEFAULT_MASS_KG, estimate_mass, match_family
from sweepers.salvage.value.mass import cara_mass_kg, object_class

from ..conftest import RealCatalog

SL16 = match_family("SL-16 R/B")


def satcat(object_type: str | None, rcs: str | None, name: str = "X") -> SatcatEntry:
    return SatcatEntry(norad_id=1, object_name=name, object_type=object_type, rcs_size=rcs)


def cara(mass: float | None, source: str) -> SizeMassEstimate:
    return SizeMassEstimate(norad_id=1, hbr_m=1.0, hbr_source=source, mass_kg=mass,
                            mass_source=source)


def test_cara_estimate_wins_over_family() -> None:
    est = estimate_mass(satcat("ROCKET BODY", "LARGE"), cara(3300.0, "SFK RCS Estimate"), SL16)
    assert (est.mass_kg, est.kind, est.source) == (3300.0, "cara", "CARA SFK RCS Estimate")
    assert est.family is SL16  # the family is still reported (material, label)


def test_cara_source_is_not_doubled() -> None:
    est = estimate_mass(None, cara(1457.0, "CARA Protected Primary"), None)
    assert est.source == "CARA Protected Primary"


@pytest.mark.parametrize("placeholder", ["Default", "DISCOS DB"])
def test_cara_placeholders_fall_through_to_family(placeholder: str) -> None:
    # CARA's "Default" is one fill value per type (448.3 kg for any debris), not an estimate;
    # "DISCOS DB" rows carry no value.
    row = cara(448.3 if placeholder == "Default" else None, placeholder)
    assert cara_mass_kg(row) is None
    est = estimate_mass(satcat("ROCKET BODY", "LARGE"), row, SL16)
    assert (est.mass_kg, est.kind, est.source) == (9000.0, "family", "family SL-16 R/B")


def test_family_wins_over_default_and_default_by_class_and_rcs() -> None:
    assert estimate_mass(satcat("ROCKET BODY", "LARGE"), None, SL16).mass_kg == 9000.0
    est = estimate_mass(satcat("ROCKET BODY", "MEDIUM"), None, None)
    assert (est.mass_kg, est.source) == (150.0, "default ROCKET BODY/MEDIUM")
    est = estimate_mass(satcat("DEBRIS", "SMALL"), cara(448.3, "Default"), None)
    assert (est.mass_kg, est.source) == (0.07, "default FRAGMENT/SMALL")
    est = estimate_mass(None, None, None)  # analyst object: no SATCAT, no CARA
    assert (est.mass_kg, est.source) == (0.05, "default FRAGMENT/no RCS")
    assert object_class("UNKNOWN") == object_class(None) == "FRAGMENT"


def test_default_table_matches_the_measured_cara_medians(real_catalog: RealCatalog) -> None:
    """The documented defaults are the medians of CARA's real estimates where n ≥ 20.

    (Rows with fewer samples are engineering choices, documented in ``mass.py``.) A factor of
    1.25 allows the rounding in the table and CARA's monthly updates.
    """
    masses: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    for m in real_catalog.meta.values():
        mass = cara_mass_kg(m.size_mass)
        if mass is not None:
            cls = object_class(m.satcat.object_type if m.satcat else None)
            masses[(cls, m.satcat.rcs_size if m.satcat else None)].append(mass)
    checked = 0
    for key, values in masses.items():
        if len(values) >= 20:
            median = statistics.median(values)
            assert median / 1.25 <= DEFAULT_MASS_KG[key] <= median * 1.25, (key, median)
            checked += 1
    assert checked >= 5  # fragment SMALL/MEDIUM/LARGE/none, payload MEDIUM/LARGE
