"""Salvage value and criticality of every catalogued object, and the ranked target list.

**Salvage value** — what removing the object is worth to a crew, in notional k$ (thousands of
US dollars): the cost of launching the same usable material to orbit::

    value_k$ = m · P · u(material) · f(class)

* ``m`` [kg]: the mass estimate (:mod:`~sweepers.salvage.value.mass`).
* ``P = 2.72 k$/kg``: the Falcon 9 list price per kg to LEO (H. W. Jones, "The Recent Large
  Reduction in Space Launch Cost", ICES-2018-81, 2018) — the price a crew in orbit avoids.
* ``u``: usable fraction of the mass as feedstock, by main material — titanium 0.9 (solid-motor
  cases, high value per kg), aluminium 0.8 (liquid-stage tanks and structure), stainless steel 0.7
  (Centaur balloon tanks: heavier to cut), spacecraft 0.6 (structure plus electronics, batteries,
  solar cells, mixed), composite 0.3 (hard to reuse). Material from the family table, else
  aluminium for rocket bodies and fragments, spacecraft for payloads. These fractions are this
  project's choice, written down so they can be argued with.
* ``f``: 1.0 for intact objects (payloads, rocket bodies: known shape, one capture, one mass);
  0.5 for fragments (irregular, tumbling, unknown alloy mix: half the usable yield per capture).

**Criticality** — the risk the object poses to others, after McKnight et al. (2021): mass
(fragments a collision would release) × the traffic it meets × how long it stays::

    criticality = (m / 1 t) · (ρ̄ / 10⁻⁸ km⁻³) · L_yr

* ``ρ̄`` [objects/km³]: residence-weighted density of *other* catalogued objects along the
  object's perigee–apogee range (:mod:`~sweepers.salvage.value.density`);
* ``L_yr``: remaining orbital lifetime, capped at 200 yr (:mod:`~sweepers.salvage.value.lifetime`).

So one tonne at a density of 10⁻⁸ km⁻³ (the 800 km shell holds a few times that) for one year
scores 1.

Objects that are scored but never ranked as targets (``excluded`` says why): crewed stations and
their modules; CARA's *protected primaries* (``MassSource`` ``CARA Protected Primary``: NASA
missions CARA screens for, so operating spacecraft); payloads GCAT records as still operating
(when the store has GCAT rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, Protocol

import numpy as np

from sweepers.census.geometry import orbit_geometry
from sweepers.records import ElementSet, SatcatEntry, SizeMassEstimate
from sweepers.salvage.value.density import density_profile, exposure_km3
from sweepers.salvage.value.families import (
    Family,
    Material,
    is_crewed_station,
    launch_key,
    launch_rocket_families,
    match_family,
)
from sweepers.salvage.value.lifetime import area_to_mass_m2_kg, orbital_lifetime_yr
from sweepers.salvage.value.mass import ObjectClass, estimate_mass, object_class

LAUNCH_PRICE_KUSD_PER_KG = 2.72
USABLE_FRACTION: dict[Material, float] = {
    "titanium": 0.9,
    "aluminium": 0.8,
    "stainless steel": 0.7,
    "spacecraft": 0.6,
    "composite": 0.3,
}
INTACT_FACTOR: dict[ObjectClass, float] = {"PAYLOAD": 1.0, "ROCKET BODY": 1.0, "FRAGMENT": 0.5}
CRITICALITY_MASS_UNIT_KG = 1000.0
CRITICALITY_DENSITY_UNIT_KM3 = 1e-8

RankBy = Literal["value", "criticality"]


class ObjectMeta(Protocol):
    """What scoring needs to know about an object (``catalog.store.ObjectInfo`` fits)."""

    norad_id: int
    name: str | None
    object_id: str | None
    satcat: SatcatEntry | None
    size_mass: SizeMassEstimate | None


@dataclass(frozen=True, slots=True)
class ScoredObject:
    """One object with its mass, orbit, lifetime and both scores."""

    norad_id: int
    name: str | None
    object_type: str  # SATCAT type, "UNKNOWN" when absent
    object_class: ObjectClass
    rcs_size: str | None
    mass_kg: float
    mass_source: str
    family: str | None  # family label, if the name matched one
    material: Material
    perigee_km: float
    apogee_km: float
    inclination_deg: float
    area_to_mass_m2_kg: float
    lifetime_yr: float
    density_km3: float  # exposure ρ̄ [objects/km³]
    value_kusd: float
    criticality: float
    excluded: str | None = None  # why the object is never a target (e.g. "crewed station")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields in declaration order, floats rounded as ``_JSON_ROUNDING`` says.

        ``object_class`` is internal (``object_type`` carries the SATCAT word) and is left out.
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "object_class":
                continue
            value = getattr(self, f.name)
            rule = _JSON_ROUNDING.get(f.name)
            if rule is not None:
                value = round(value, rule) if isinstance(rule, int) else float(f"{value:{rule}}")
            out[f.name] = value
        return out


# JSON precision per float field of ScoredObject: decimals (int) or a format spec (str).
_JSON_ROUNDING: dict[str, int | str] = {
    "mass_kg": 3,
    "perigee_km": 1,
    "apogee_km": 1,
    "inclination_deg": 3,
    "area_to_mass_m2_kg": 5,
    "lifetime_yr": 2,
    "density_km3": ".4g",
    "value_kusd": 2,
    "criticality": ".4g",
}


def material_of(cls: ObjectClass, family: Family | None) -> Material:
    """The family's material, else spacecraft for payloads and aluminium otherwise."""
    if family is not None:
        return family.material
    return "spacecraft" if cls == "PAYLOAD" else "aluminium"


def salvage_value_kusd(mass_kg: float, material: Material, cls: ObjectClass) -> float:
    """``m · P · u(material) · f(class)`` [k$] (see the module docstring)."""
    return mass_kg * LAUNCH_PRICE_KUSD_PER_KG * USABLE_FRACTION[material] * INTACT_FACTOR[cls]


def criticality(mass_kg: Any, density_km3: Any, lifetime_yr: Any) -> Any:
    """``(m/1 t) · (ρ̄/10⁻⁸ km⁻³) · L_yr`` (scalars or arrays)."""
    return (
        np.asarray(mass_kg) / CRITICALITY_MASS_UNIT_KG
        * (np.asarray(density_km3) / CRITICALITY_DENSITY_UNIT_KM3)
        * np.asarray(lifetime_yr)
    )


def _fragment_hbr_m(size_mass: SizeMassEstimate | None) -> float | None:
    """CARA's HBR when it is an estimate (not a ``Default`` or ``DISCOS DB`` placeholder)."""
    if size_mass is None or size_mass.hbr_m is None:
        return None
    if (size_mass.hbr_source or "").strip() in ("Default", "DISCOS DB"):
        return None
    return size_mass.hbr_m


CARA_PROTECTED = "CARA Protected Primary"


def exclusion(name: str | None, info: ObjectMeta | None) -> str | None:
    """Why an object is never a salvage target, or None (see the module docstring)."""
    if is_crewed_station(name):
        return "crewed station"
    size_mass = info.size_mass if info is not None else None
    if size_mass is not None and CARA_PROTECTED in (size_mass.mass_source, size_mass.hbr_source):
        return "operational (CARA protected primary)"
    gcat = getattr(info, "gcat", None)
    if gcat is not None and getattr(gcat, "operation_ongoing", False):
        return "operational (GCAT)"
    return None


def score_objects(
    elements: Sequence[ElementSet], meta: Mapping[int, ObjectMeta]
) -> list[ScoredObject]:
    """Score every object with an element set (``meta`` by catalog number; missing is fine).

    The density profile is built from all of ``elements``, so pass the whole catalog and filter
    afterwards (:func:`rank_targets`).
    """
    geo = orbit_geometry(elements)
    infos = [meta.get(e.norad_id) for e in elements]
    pairs = list(zip(elements, infos, strict=True))
    names = [(m.name if m is not None else None) or e.object_name for e, m in pairs]
    oids = [(m.object_id if m is not None else None) or e.object_id for e, m in pairs]
    launches = launch_rocket_families(names, oids)

    n = len(elements)
    mass = np.empty(n)
    am = np.empty(n)
    rows: list[tuple[Any, ...]] = []
    for k, (info, name, oid) in enumerate(zip(infos, names, oids, strict=True)):
        satcat = info.satcat if info is not None else None
        size_mass = info.size_mass if info is not None else None
        family = match_family(name, launches.get(launch_key(oid) or "", frozenset()))
        est = estimate_mass(satcat, size_mass, family)
        cls = object_class(satcat.object_type if satcat else None)
        rcs = satcat.rcs_size if satcat else None
        mass[k] = est.mass_kg
        am[k] = area_to_mass_m2_kg(cls, est.mass_kg, _fragment_hbr_m(size_mass), rcs)
        rows.append((satcat, cls, rcs, est, family))

    profile = density_profile(geo.perigee_alt_km, geo.apogee_alt_km)
    rho = exposure_km3(profile, geo.perigee_alt_km, geo.apogee_alt_km)
    life = orbital_lifetime_yr(geo.perigee_alt_km, geo.apogee_alt_km, am)
    crit = np.nan_to_num(criticality(mass, rho, life), nan=0.0)

    out: list[ScoredObject] = []
    for k, (e, name, info, (satcat, cls, rcs, est, family)) in enumerate(
        zip(elements, names, infos, rows, strict=True)
    ):
        material = material_of(cls, family)
        out.append(ScoredObject(
            norad_id=e.norad_id,
            name=name,
            object_type=(satcat.object_type if satcat and satcat.object_type else "UNKNOWN"),
            object_class=cls,
            rcs_size=rcs,
            mass_kg=float(mass[k]),
            mass_source=est.source,
            family=family.label if family else None,
            material=material,
            perigee_km=float(geo.perigee_alt_km[k]),
            apogee_km=float(geo.apogee_alt_km[k]),
            inclination_deg=float(geo.inclination_deg[k]),
            area_to_mass_m2_kg=float(am[k]),
            lifetime_yr=float(life[k]),
            density_km3=float(rho[k]),
            value_kusd=salvage_value_kusd(float(mass[k]), material, cls),
            criticality=float(crit[k]),
            excluded=exclusion(name, info),
        ))
    return out


TYPE_CHOICES: dict[str, tuple[str, ...]] = {
    "rb": ("ROCKET BODY",),
    "payload": ("PAYLOAD",),
    "debris": ("DEBRIS",),
    "unknown": ("UNKNOWN",),
}


def rank_targets(
    scored: Iterable[ScoredObject],
    *,
    by: RankBy = "value",
    object_type: str | None = None,
    alt_km: tuple[float, float] | None = None,
    inc_deg: tuple[float, float] | None = None,
    top: int | None = 20,
) -> list[ScoredObject]:
    """Targets best first by ``value`` or ``criticality``, ties broken by the other score, then
    by catalog number (excluded objects never appear).

    ``object_type``: a key of :data:`TYPE_CHOICES`. ``alt_km``: keep orbits lying wholly inside
    the band (``lo ≤ perigee`` and ``apogee ≤ hi``). ``inc_deg``: ``lo ≤ i ≤ hi``.
    """
    if by not in ("value", "criticality"):
        raise ValueError(f"rank by 'value' or 'criticality', not {by!r}")
    types = TYPE_CHOICES[object_type] if object_type else None
    keep = []
    for s in scored:
        if s.excluded is not None or not np.isfinite(s.perigee_km):
            continue
        if types is not None and s.object_type not in types:
            continue
        if alt_km is not None and not (alt_km[0] <= s.perigee_km and s.apogee_km <= alt_km[1]):
            continue
        if inc_deg is not None and not (inc_deg[0] <= s.inclination_deg <= inc_deg[1]):
            continue
        keep.append(s)
    if by == "value":  # ties (same family, same mass) go to the more critical object
        keep.sort(key=lambda s: (-s.value_kusd, -s.criticality, s.norad_id))
    else:
        keep.sort(key=lambda s: (-s.criticality, -s.value_kusd, s.norad_id))
    return keep if top is None else keep[:top]
