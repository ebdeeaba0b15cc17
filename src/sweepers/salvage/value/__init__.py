"""What each catalogued object is worth to a crew (salvage value) and how dangerous it is to others
(criticality), with the mass, lifetime and traffic models behind both.

Pure functions on plain inputs (no store, no network)::

    from sweepers.salvage.value import score_objects, rank_targets
    scored = score_objects(store.latest(), {o.norad_id: o for o in store.objects()})
    top = rank_targets(scored, by="criticality", object_type="rb", alt_km=(700, 1000), top=20)

Modules, one idea each (formulas and sources in their docstrings):

* :mod:`.families` — well-known rocket-body / platform families by name, published masses;
* :mod:`.mass` — a mass and its source for every object (CARA → family → RCS-class default);
* :mod:`.lifetime` — remaining orbital lifetime (exponential atmosphere, King-Hele decay);
* :mod:`.density` — the catalog's spatial density by altitude and each object's exposure;
* :mod:`.scores` — salvage value [k$], criticality, ranking.

Units: kg, km, years, objects/km³, k$ (thousands of US dollars).
"""

from sweepers.salvage.value.density import DensityProfile, density_profile, exposure_km3
from sweepers.salvage.value.families import FAMILIES, Family, is_crewed_station, match_family
from sweepers.salvage.value.lifetime import area_to_mass_m2_kg, orbital_lifetime_yr
from sweepers.salvage.value.mass import DEFAULT_MASS_KG, MassEstimate, estimate_mass
from sweepers.salvage.value.scores import (
    TYPE_CHOICES,
    ScoredObject,
    criticality,
    rank_targets,
    salvage_value_kusd,
    score_objects,
)

__all__ = [
    "DEFAULT_MASS_KG",
    "FAMILIES",
    "TYPE_CHOICES",
    "DensityProfile",
    "Family",
    "MassEstimate",
    "ScoredObject",
    "area_to_mass_m2_kg",
    "criticality",
    "density_profile",
    "estimate_mass",
    "exposure_km3",
    "is_crewed_station",
    "match_family",
    "orbital_lifetime_yr",
    "rank_targets",
    "salvage_value_kusd",
    "score_objects",
]
