"""A mass for every catalogued object, and where it comes from.

Priority, first that applies:

1. **CARA** — NASA CARA's radar-based or curated estimate (``SizeMassEstimate.mass_kg``) when it
   has one: source ``"CARA SFK RCS Estimate"``, ``"CARA Protected Primary"``, ``"CARA Override"``.
   CARA's ``Default`` rows are *not* used: CARA fills them with one conservative placeholder per
   type for collision screening (448.3 kg for every debris piece whatever its size, 5,000 kg for
   every rocket body), which says nothing about the object; its ``DISCOS DB`` rows have no value.
2. **Family** — the object's name matches a row of :mod:`~sweepers.salvage.value.families`
   (published dry masses of well-known stages and platforms): source ``"family SL-16 R/B"``.
3. **Default** — a typical mass for the object's class × SATCAT RCS size class
   (:data:`DEFAULT_MASS_KG`): source ``"default ROCKET BODY/LARGE"``.

How the defaults were chosen (measured on the 2023-10 catalog joined with CARA's 2026-06 table,
CARA ``SFK RCS Estimate`` / ``CARA Protected Primary`` / ``CARA Override`` masses, per class):

============  =======  =============  =====  =============================================
class         RCS      median [kg]    n      default [kg] and why
============  =======  =============  =====  =============================================
fragment      SMALL    0.072          9217   0.07 (the median)
fragment      MEDIUM   2.84           1161   3 (the median)
fragment      LARGE    429            131    400 (the median)
fragment      none     0.050          483    0.05 (the median)
payload       SMALL    0.5            1      4: too few; a 3U CubeSat (CDS rev. 14: ≤1.33 kg/U)
payload       MEDIUM   82.7           20     80 (the median)
payload       LARGE    1331           107    1300 (the median; CARA-protected, mostly active)
payload       none     —              0      80 (as MEDIUM)
rocket body   SMALL    —              0      30: small solid kick motors (Altair/Orion class)
rocket body   MEDIUM   —              0      150: solid upper stages (Star-48B ≈ 130 kg)
rocket body   LARGE    3299           4      1400: too few; the SL-8 stage, the commonest
rocket body   none     —              0      1400 (as LARGE)
============  =======  =============  =====  =============================================

Medians, not means: the distributions are heavy-tailed (fragment SMALL mean 0.41 kg), and a
ranking should not let one unknown object inherit the tail. "Fragment" is SATCAT ``DEBRIS``,
``UNKNOWN`` or an object missing from the SATCAT (analyst objects). The test suite re-measures
the medians on the real data and checks the table against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sweepers.records import SatcatEntry, SizeMassEstimate
from sweepers.salvage.value.families import Family

ObjectClass = Literal["PAYLOAD", "ROCKET BODY", "FRAGMENT"]
MassKind = Literal["cara", "family", "default"]

DEFAULT_MASS_KG: dict[tuple[ObjectClass, str | None], float] = {
    ("FRAGMENT", "SMALL"): 0.07,
    ("FRAGMENT", "MEDIUM"): 3.0,
    ("FRAGMENT", "LARGE"): 400.0,
    ("FRAGMENT", None): 0.05,
    ("PAYLOAD", "SMALL"): 4.0,
    ("PAYLOAD", "MEDIUM"): 80.0,
    ("PAYLOAD", "LARGE"): 1300.0,
    ("PAYLOAD", None): 80.0,
    ("ROCKET BODY", "SMALL"): 30.0,
    ("ROCKET BODY", "MEDIUM"): 150.0,
    ("ROCKET BODY", "LARGE"): 1400.0,
    ("ROCKET BODY", None): 1400.0,
}
"""Typical mass [kg] per object class × SATCAT RCS size class (see the module docstring)."""

CARA_PLACEHOLDER_SOURCE = "Default"  # CARA's fill value for objects it knows nothing about


@dataclass(frozen=True, slots=True)
class MassEstimate:
    """An object's mass [kg], the kind of evidence, and a one-line source for people."""

    mass_kg: float
    kind: MassKind
    source: str  # e.g. "CARA SFK RCS Estimate", "family SL-16 R/B", "default PAYLOAD/LARGE"
    family: Family | None = None  # the matched family (also when CARA's mass was used)


def object_class(object_type: str | None) -> ObjectClass:
    """PAYLOAD and ROCKET BODY as in the SATCAT; DEBRIS, UNKNOWN and missing → FRAGMENT."""
    if object_type in ("PAYLOAD", "ROCKET BODY"):
        return object_type  # type: ignore[return-value]
    return "FRAGMENT"


def cara_mass_kg(size_mass: SizeMassEstimate | None) -> float | None:
    """CARA's mass [kg] when it is a real estimate (not a ``Default`` placeholder), else None."""
    if size_mass is None or size_mass.mass_kg is None or not size_mass.mass_kg > 0.0:
        return None
    if (size_mass.mass_source or "").strip() == CARA_PLACEHOLDER_SOURCE:
        return None
    return size_mass.mass_kg


def cara_source(size_mass: SizeMassEstimate) -> str:
    """``"CARA <MassSource>"`` without doubling CARA's own prefix."""
    src = (size_mass.mass_source or "unknown").strip()
    return f"CARA {src.removeprefix('CARA ')}"


def default_mass_kg(cls: ObjectClass, rcs_size: str | None) -> float:
    """:data:`DEFAULT_MASS_KG` for ``cls`` and an RCS class (unknown classes count as none)."""
    rcs = rcs_size if rcs_size in ("SMALL", "MEDIUM", "LARGE") else None
    return DEFAULT_MASS_KG[(cls, rcs)]


def estimate_mass(
    satcat: SatcatEntry | None, size_mass: SizeMassEstimate | None, family: Family | None
) -> MassEstimate:
    """The best mass for one object: CARA estimate, else family, else class default."""
    cara = cara_mass_kg(size_mass)
    if cara is not None and size_mass is not None:
        return MassEstimate(cara, "cara", cara_source(size_mass), family)
    if family is not None:
        return MassEstimate(family.mass_kg, "family", f"family {family.label}", family)
    cls = object_class(satcat.object_type if satcat else None)
    rcs = satcat.rcs_size if satcat else None
    rcs_label = rcs if rcs in ("SMALL", "MEDIUM", "LARGE") else "no RCS"
    return MassEstimate(default_mass_kg(cls, rcs), "default", f"default {cls}/{rcs_label}")
