"""Salvage value and criticality on hand-made objects, exactly per the documented formulas."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from sweepers.census.geometry import orbit_geometry
from sweepers.orbits.constants import RE_WGS72_KM
from sweepers.records import ElementSet, SatcatEntry, SizeMassEstimate
from sweepers.salvage.value import (
    criticality,
    orbital_lifetime_yr,
    rank_targets,
    salvage_value_kusd,
    score_objects,
)
from sweepers.salvage.value.density import shell_volumes_km3

from ..conftest import Meta

EPOCH = datetime(2023, 10, 1, tzinfo=UTC)
MU = 398600.8


def circular(norad_id: int, alt_km: float, inc_deg: float = 98.0) -> ElementSet:
    """A circular orbit (Kepler mean motion; the Brouwer altitude differs by a few km)."""
    n = math.sqrt(MU / (RE_WGS72_KM + alt_km) ** 3) * 86400.0 / (2.0 * math.pi)
    return ElementSet(norad_id, EPOCH, n, 0.0, inc_deg, 0.0, 0.0, 0.0, 0.0)


def meta(norad_id: int, name: str, object_type: str, rcs: str = "LARGE",
         cara_mass: float | None = None, cara_source: str = "SFK RCS Estimate") -> Meta:
    sm = None
    if cara_mass is not None:
        sm = SizeMassEstimate(norad_id, 0.5, 0.0, cara_source, cara_mass, 0.0, cara_source)
    return Meta(norad_id, name, None, SatcatEntry(norad_id, name, None, object_type,
                                                  rcs_size=rcs), sm)


def test_salvage_value_formula() -> None:
    # m · 2.72 k$/kg · u(material) · f(class)
    assert math.isclose(salvage_value_kusd(1400.0, "aluminium", "ROCKET BODY"), 1400 * 2.72 * 0.8)
    assert math.isclose(salvage_value_kusd(130.0, "titanium", "ROCKET BODY"), 130 * 2.72 * 0.9)
    assert math.isclose(salvage_value_kusd(1000.0, "spacecraft", "PAYLOAD"), 1000 * 2.72 * 0.6)
    assert math.isclose(salvage_value_kusd(10.0, "aluminium", "FRAGMENT"), 10 * 2.72 * 0.8 * 0.5)
    assert math.isclose(criticality(2000.0, 3e-8, 50.0), 2.0 * 3.0 * 50.0)


def test_scores_of_a_hand_made_catalog() -> None:
    elements = [circular(1, 805.0), circular(2, 805.0, 71.0), circular(3, 1500.0),
                circular(4, 805.0)]
    metas = {
        1: meta(1, "SL-8 R/B", "ROCKET BODY"),  # family: 1,400 kg, aluminium
        2: meta(2, "COSMOS 1408 DEB", "DEBRIS", "MEDIUM", cara_mass=2.0),  # CARA, fragment
        3: meta(3, "MYSAT", "PAYLOAD"),  # default PAYLOAD/LARGE 1,300 kg, alone at 1,500 km
        4: meta(4, "ISS (ZARYA)", "PAYLOAD"),  # a crewed station: scored, never ranked
    }
    scored = {s.norad_id: s for s in score_objects(elements, metas)}
    geo = orbit_geometry(elements)
    shell_km = 10.0 * math.floor(geo.perigee_alt_km[0] / 10.0)
    assert all(shell_km <= geo.perigee_alt_km[k] < shell_km + 10.0 for k in (0, 1, 3))
    volume = shell_volumes_km3([shell_km, shell_km + 10.0])[0]  # objects 1, 2, 4 share it

    rb = scored[1]
    assert (rb.mass_kg, rb.mass_source, rb.material) == (1400.0, "family SL-8 R/B", "aluminium")
    assert math.isclose(rb.value_kusd, 1400.0 * 2.72 * 0.8)
    assert math.isclose(rb.density_km3, 2.0 / volume)  # the two others
    life = float(orbital_lifetime_yr(rb.perigee_km, rb.apogee_km, 0.007))
    assert rb.lifetime_yr == life
    assert math.isclose(rb.criticality, 1.4 * (2.0 / volume / 1e-8) * life)

    deb = scored[2]
    assert (deb.mass_kg, deb.mass_source, deb.object_class) == (2.0, "CARA SFK RCS Estimate",
                                                                "FRAGMENT")
    assert math.isclose(deb.value_kusd, 2.0 * 2.72 * 0.8 * 0.5)
    assert math.isclose(deb.area_to_mass_m2_kg, 0.556945 * 1.0**2.0047077 / 2.0)

    pay = scored[3]
    assert (pay.mass_kg, pay.mass_source) == (1300.0, "default PAYLOAD/LARGE")
    assert pay.density_km3 == 0.0 and pay.criticality == 0.0
    assert scored[4].excluded == "crewed station"

    by_value = rank_targets(scored.values(), by="value", top=None)
    assert [s.norad_id for s in by_value] == [1, 3, 2]  # 3,046 > 2,122 > 2.2 k$; no station
    assert [s.norad_id for s in rank_targets(scored.values(), by="criticality", top=1)] == [1]
    assert [s.norad_id for s in rank_targets(scored.values(), object_type="debris")] == [2]
    assert [s.norad_id for s in rank_targets(scored.values(), alt_km=(1000.0, 2000.0))] == [3]
    assert [s.norad_id for s in rank_targets(scored.values(), inc_deg=(70.0, 72.0))] == [2]


def test_operating_spacecraft_are_not_targets() -> None:
    m = meta(7, "HST", "PAYLOAD", cara_mass=12000.0, cara_source="CARA Protected Primary")
    [s] = score_objects([circular(7, 530.0)], {7: m})
    assert s.mass_kg == 12000.0 and s.excluded == "operational (CARA protected primary)"
    assert rank_targets([s]) == []
    assert score_objects([circular(7, 530.0)], {7: replace(m, size_mass=None)})[0].excluded is None


def test_rank_rejects_unknown_key() -> None:
    with pytest.raises(ValueError, match="rank by"):
        rank_targets([], by="mass")  # type: ignore[arg-type]
