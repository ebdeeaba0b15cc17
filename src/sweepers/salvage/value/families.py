"""Well-known rocket-body and spacecraft families, recognised by catalog name, with public masses.

NASA CARA publishes mass estimates for debris, but leaves payloads and rocket bodies blank
(``DISCOS DB``: ESA's values may not be redistributed). Intact objects are the heavy ones, so this
table fills the gap for the families that dominate the mass in orbit. Each row gives the dry mass
of the stage or spacecraft left in orbit, its main structural material, and the public source the
value was taken from. Values are approximate published figures (dry/burn-out mass, kg); where the
sources disagree the row says so in ``what``. Nothing here is copied from a database: the values
are facts from the cited pages.

Sources, abbreviated in ``source``:

* **McKnight 2021**: D. McKnight et al., "Identifying the 50 statistically-most-concerning derelict
  objects in LEO", *Acta Astronautica* 181 (2021) 282–291 (masses used in its composite list).
* **Wikipedia "X"**: the English Wikipedia article named, stage/spacecraft infobox.
* **Gunter**: Gunter's Space Page (space.skyrocket.de), the launcher or spacecraft page.
* **ESA**: the mission page at esa.int / earth.esa.int.
* **DLR**: DLR Earth Observation Center, "ERS" mission page (dlr.de/eoc), mission parameters.

Checked against retrieved public pages on 2026-11-24 (the rest are as the cited sources are
remembered and should be re-checked before they drive money): Envisat 8211 kg (ESA's mass
budget: service module 2673, payload equipment bay 1021, payload carrier 2078, instruments 2118,
fuel 319 kg, total 8211 kg; also quoted by Flight International as "8.2 t"); ERS-2 2.52 t (DLR);
ERS-1: DLR gives a total mass of 2.16 t, Wikidata (Q987402) a launch mass of 2384 kg — the row
keeps the larger value and says so.

Matching: the catalog name (SATCAT ``OBJECT_NAME``/``SATNAME`` or the 3LE line 0) is upper-cased,
a trailing ``*`` (Space-Track's marker) and blanks are removed, and the first row whose ``pattern``
matches the *whole* name wins (so ``SL-8 DEB`` is not an ``SL-8 R/B``, and the more specific rows
come first). A row with ``launched_with`` also requires a rocket body of that family among the
objects of the same launch (same international-designator prefix ``YYYY-NNN``): a ``COSMOS`` put
up by a Zenit-2 (``SL-16 R/B``) is a Tselina-2, whatever its number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Material = Literal["aluminium", "stainless steel", "titanium", "composite", "spacecraft"]


@dataclass(frozen=True, slots=True)
class Family:
    """One recognised family: a name pattern and what an object of it is."""

    label: str  # short name shown to people, e.g. "SL-16 R/B"
    pattern: str  # regular expression matched against the whole normalised name
    mass_kg: float  # dry / burn-out mass left in orbit [kg]
    material: Material  # main structural material (drives salvage value)
    what: str  # what the object is, e.g. "Zenit-2 second stage"
    source: str  # where the mass comes from (see the module docstring)
    launched_with: str | None = None  # label of a rocket-body family required on the same launch
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern))


_RB = r" R/B"  # the SATCAT's rocket-body suffix

FAMILIES: tuple[Family, ...] = (
    # --- Soviet / Russian / Ukrainian rocket bodies -------------------------------------------
    Family("SL-16 R/B", r"SL-16" + _RB, 9000.0, "aluminium",
           "Zenit-2 second stage (Wikipedia gives ~8.3 t dry; McKnight uses 9 t)",
           "McKnight 2021; Wikipedia \"Zenit-2\""),
    Family("SL-8 R/B", r"SL-8" + _RB, 1400.0, "aluminium",
           "Kosmos-3M second stage (11S65M)", "McKnight 2021; Wikipedia \"Kosmos-3M\""),
    Family("SL-3 R/B", r"SL-3" + _RB, 1440.0, "aluminium",
           "Vostok-2M / Vostok Blok E upper stage", "McKnight 2021; Wikipedia \"Vostok-2M\""),
    Family("SL-14 R/B", r"SL-14" + _RB, 1407.0, "aluminium",
           "Tsyklon-3 third stage (S5M)", "McKnight 2021; Gunter \"Tsiklon-3\""),
    Family("SL-4 R/B", r"SL-4" + _RB, 2355.0, "aluminium",
           "Soyuz Blok I third stage", "Wikipedia \"Soyuz-U\""),
    Family("SL-6 R/B(2)", r"SL-6" + _RB + r"(\(2\))?", 1100.0, "aluminium",
           "Molniya-M Blok L / Blok ML fourth stage, ~1.1 t dry", "Wikipedia \"Blok L\""),
    Family("SL-12 R/B(2)", r"SL-12" + _RB + r"\(2\)", 3000.0, "aluminium",
           "Proton Blok D / DM fourth stage (2.3-3.5 t dry across variants)",
           "Wikipedia \"Blok D\""),
    Family("SL-19 R/B", r"SL-19" + _RB, 1600.0, "aluminium",
           "Rokot Briz-KM upper stage", "Wikipedia \"Briz-KM\""),
    Family("BREEZE-KM R/B", r"BREEZE-KM" + _RB, 1600.0, "aluminium",
           "Briz-KM upper stage (Rokot)", "Wikipedia \"Briz-KM\""),
    Family("BREEZE-M R/B", r"BREEZE-M" + _RB, 2370.0, "aluminium",
           "Briz-M upper stage (Proton, Angara)", "Wikipedia \"Briz-M\""),
    Family("FREGAT R/B", r"FREGAT" + _RB, 930.0, "aluminium",
           "Fregat upper stage (Soyuz)", "Wikipedia \"Fregat\""),
    # --- Chinese rocket bodies --------------------------------------------------------------------
    Family("CZ-2C R/B", r"CZ-2C" + _RB, 3800.0, "aluminium",
           "Long March 2C second stage (~4 t class)", "McKnight 2021; Wikipedia \"Long March 2C\""),
    Family("CZ-2D R/B", r"CZ-2D" + _RB, 3000.0, "aluminium",
           "Long March 2D second stage", "Wikipedia \"Long March 2D\""),
    Family("CZ-4 R/B", r"CZ-4[BC]?" + _RB, 1500.0, "aluminium",
           "Long March 4/4B/4C third stage", "Wikipedia \"Long March 4B\""),
    Family("CZ-6 R/B", r"CZ-6" + _RB, 1000.0, "aluminium",
           "Long March 6 third stage (order of magnitude)", "Gunter \"CZ-6 (Chang Zheng-6)\""),
    Family("CZ-3 R/B", r"CZ-3[ABC]?" + _RB, 2800.0, "aluminium",
           "Long March 3A/3B/3C H18 third stage (cryogenic)", "Wikipedia \"Long March 3B\""),
    # --- European, Japanese, Indian rocket bodies ---------------------------------------------
    Family("ARIANE 5 R/B", r"ARIANE 5" + _RB, 4540.0, "aluminium",
           "Ariane 5 ESC-A upper stage (the 5G's EPS was ~1.2 t)", "Wikipedia \"Ariane 5\""),
    Family("ARIANE 1-4 R/B", r"ARIANE [1-4][0-9A-Z+]*" + _RB, 1200.0, "aluminium",
           "Ariane 1-4 H8/H10 third stage", "Wikipedia \"Ariane 4\""),
    Family("H-2A R/B", r"H-2A" + _RB, 3000.0, "aluminium",
           "H-IIA second stage", "Wikipedia \"H-IIA\""),
    Family("PSLV R/B", r"PSLV" + _RB, 920.0, "aluminium",
           "PSLV fourth stage (PS4)", "Wikipedia \"PSLV\""),
    # --- US rocket bodies -----------------------------------------------------------------------
    Family("FALCON 9 R/B", r"FALCON 9" + _RB, 4000.0, "aluminium",
           "Falcon 9 second stage (Al-Li tanks)", "Wikipedia \"Falcon 9\""),
    Family("DELTA 1/2 R/B(2)", r"DELTA [12]" + _RB + r"\(2\)( \(PAM-D\))?", 130.0, "titanium",
           "Delta third stage: Star-48B (PAM-D) solid motor, titanium case",
           "Wikipedia \"Star 48\""),
    Family("DELTA 1/2 R/B", r"(THOR )?DELTA( [12])?" + _RB + r"(\(1\))?", 950.0, "aluminium",
           "Delta second stage (Delta-K class)", "Wikipedia \"Delta II\""),
    Family("DELTA 4 R/B", r"DELTA 4" + _RB, 2850.0, "aluminium",
           "Delta IV cryogenic second stage (4 m)", "Wikipedia \"Delta Cryogenic Second Stage\""),
    Family("AGENA R/B", r"(THOR|THORAD|ATLAS) AGENA( [ABD])?" + _RB, 673.0, "aluminium",
           "Agena D upper stage", "Wikipedia \"RM-81 Agena\""),
    Family("ATLAS 5 CENTAUR R/B", r"ATLAS 5 CENTAUR" + _RB, 2247.0, "stainless steel",
           "Centaur III (stainless-steel balloon tanks)", "Wikipedia \"Centaur (rocket stage)\""),
    Family("CENTAUR R/B", r"ATLAS( [12][AS]*)? CENTAUR( 2)?" + _RB, 2000.0, "stainless steel",
           "Centaur D / Centaur I-II (stainless-steel balloon tanks)",
           "Wikipedia \"Centaur (rocket stage)\""),
    Family("TRANSTAGE R/B", r"TITAN 3[AC]? TRANSTAGE" + _RB + r"|TITAN 34D TRANSTAGE" + _RB,
           1950.0, "aluminium", "Titan III Transtage", "Wikipedia \"Transtage\""),
    # --- Spacecraft platforms -------------------------------------------------------------------
    Family("ENVISAT", r"ENVISAT", 8211.0, "spacecraft",
           "ESA Envisat (lost contact 2012)", "ESA; Wikipedia \"Envisat\""),
    Family("ERS-1", r"ERS 1", 2384.0, "spacecraft",
           "ESA ERS-1 (launch mass 2384 kg per Wikidata; DLR gives 2.16 t total)",
           "Wikidata Q987402; DLR"),
    Family("ERS-2", r"ERS 2", 2516.0, "spacecraft", "ESA ERS-2 (DLR: 2.52 t)",
           "DLR; Wikipedia \"ERS-2\""),
    Family("ADEOS", r"ADEOS( 2| II)?", 3600.0, "spacecraft",
           "NASDA ADEOS / ADEOS-II (3.56 / 3.68 t)", "Wikipedia \"ADEOS II\""),
    Family("SPOT 1-3", r"SPOT [123]", 1830.0, "spacecraft",
           "CNES SPOT 1-3", "Wikipedia \"SPOT (satellite)\""),
    Family("SPOT 4", r"SPOT 4", 2755.0, "spacecraft", "CNES SPOT 4",
           "Wikipedia \"SPOT (satellite)\""),
    Family("TSELINA-2", r"COSMOS \d+", 3250.0, "spacecraft",
           "Tselina-2 ELINT satellite (every Zenit-2 launch to LEO carried one)",
           "Wikipedia \"Tselina\"; Gunter \"Tselina-2\"", launched_with="SL-16 R/B"),
    Family("METEOR-2", r"METEOR 2-\d+", 1300.0, "spacecraft",
           "Meteor-2 weather satellite", "Wikipedia \"Meteor (satellite)\""),
    Family("METEOR-3", r"METEOR 3-\d+", 2150.0, "spacecraft",
           "Meteor-3 weather satellite", "Wikipedia \"Meteor (satellite)\""),
    Family("IRIDIUM", r"IRIDIUM [1-9]\d?", 689.0, "spacecraft",
           "Iridium Block 1 (first generation)", "Wikipedia \"Iridium satellite constellation\""),
    Family("IRIDIUM NEXT", r"IRIDIUM 1\d\d", 860.0, "spacecraft",
           "Iridium NEXT", "Wikipedia \"Iridium satellite constellation\""),
    Family("STARLINK", r"STARLINK-\d+", 306.0, "spacecraft",
           "Starlink v1.5 (v1.0 260 kg; v2 mini ~800 kg)", "Wikipedia \"Starlink\""),
    Family("ONEWEB", r"ONEWEB-\d+", 147.0, "spacecraft",
           "OneWeb first generation", "Wikipedia \"OneWeb\""),
    Family("GLOBALSTAR", r"GLOBALSTAR M0[0-6]\d", 450.0, "spacecraft",
           "Globalstar first generation", "Wikipedia \"Globalstar\""),
    Family("GLOBALSTAR-2", r"GLOBALSTAR M(0[7-9]|1)\d", 700.0, "spacecraft",
           "Globalstar second generation", "Wikipedia \"Globalstar\""),
    Family("ORBCOMM OG2", r"ORBCOMM FM ?1\d\d", 172.0, "spacecraft",
           "ORBCOMM Generation 2", "Wikipedia \"Orbcomm (satellite)\""),
    Family("ORBCOMM", r"ORBCOMM FM ?\d{1,2}", 42.0, "spacecraft",
           "ORBCOMM first generation", "Wikipedia \"Orbcomm (satellite)\""),
)

CREWED_STATIONS = re.compile(r"(ISS|CSS|TIANGONG)( \(.*\))?|TIANHE")
"""Crewed stations and their modules: never salvage targets, whatever their mass."""


def normalise_name(name: str | None) -> str:
    """Upper-case, no trailing ``*`` marker, single spaces (``"SL-8 R/B *"`` → ``"SL-8 R/B"``)."""
    if not name:
        return ""
    return " ".join(name.upper().replace("*", " ").split())


def launch_key(object_id: str | None) -> str | None:
    """The launch part ``YYYY-NNN`` of an international designator (``"1990-046B"``)."""
    if not object_id:
        return None
    m = re.match(r"\s*(\d{4}-\d{3})", object_id)
    return m.group(1) if m else None


_ANY_FAMILY = re.compile("|".join(f"(?P<f{k}>{fam.pattern})" for k, fam in enumerate(FAMILIES)))
# Alternation under fullmatch tries the rows in table order, so its group is the first full match.


def match_family(name: str | None, launched_with: Iterable[str] = ()) -> Family | None:
    """The first family whose pattern matches the whole normalised ``name`` (None if none).

    ``launched_with`` are the family labels of rocket bodies of the same launch (see
    :func:`launch_rocket_families`); rows that require one are skipped without it.
    """
    text = normalise_name(name)
    m = _ANY_FAMILY.fullmatch(text) if text else None
    if m is None:
        return None
    group = next(g for g, v in m.groupdict().items() if v is not None)
    first = FAMILIES[int(group[1:])]
    if first.launched_with is None:
        return first
    with_ = set(launched_with)  # rare: walk the table, honouring the launch conditions
    for fam in FAMILIES:
        if fam.launched_with is not None and fam.launched_with not in with_:
            continue
        if fam.regex.fullmatch(text):
            return fam
    return None


def launch_rocket_families(
    names: Iterable[str | None], object_ids: Iterable[str | None]
) -> dict[str, frozenset[str]]:
    """For every launch (``YYYY-NNN``), the labels of the rocket-body families it left in orbit."""
    found: dict[str, set[str]] = {}
    for name, oid in zip(names, object_ids, strict=True):
        key = launch_key(oid)
        if key is None:
            continue
        fam = match_family(name) if name and _RB in name else None
        if fam is not None and _RB in fam.label:
            found.setdefault(key, set()).add(fam.label)
    return {k: frozenset(v) for k, v in found.items()}


def is_crewed_station(name: str | None) -> bool:
    """Whether ``name`` is a crewed station or one of its modules (``ISS (ZARYA)``)."""
    return CREWED_STATIONS.fullmatch(normalise_name(name)) is not None
