"""SATCAT readers: Space-Track ``class/satcat`` JSON and CelesTrak ``satcat.csv``.

Space-Track JSON: an array of objects whose 24 values are strings or ``null``; the keys used are
NORAD_CAT_ID, OBJECT_NAME (else SATNAME), OBJECT_ID (else INTLDES), OBJECT_TYPE, COUNTRY, LAUNCH,
SITE, DECAY, PERIOD [min], INCLINATION [deg], APOGEE and PERIGEE [km altitude], RCS_SIZE.

CelesTrak CSV: header ``OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,…,RCS,…``. Its short object
types (PAY, R/B, DEB, UNK) become Space-Track's words, and its numeric RCS [m²] becomes
Space-Track's size class (SMALL < 0.1 m² ≤ MEDIUM ≤ 1 m² < LARGE).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from sweepers.formats._tables import collect, csv_records, json_records
from sweepers.formats._text import to_text
from sweepers.records import Parsed, SatcatEntry

_CELESTRAK_TYPES = {"PAY": "PAYLOAD", "R/B": "ROCKET BODY", "DEB": "DEBRIS", "UNK": "UNKNOWN"}


def _text(row: Mapping[str, Any], key: str, alt: str | None = None) -> str | None:
    value = row.get(key)
    if value is None and alt is not None:
        value = row.get(alt)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _float(row: Mapping[str, Any], key: str) -> float | None:
    value = _text(row, key)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"non-numeric {key}: {value[:40]!r}") from None
    if not math.isfinite(number):  # "nan", "inf", or digits beyond 1.8e308
        raise ValueError(f"non-finite {key}: {value[:40]!r}")
    return number


def _date(row: Mapping[str, Any], key: str) -> date | None:
    value = _text(row, key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"bad {key} date {value!r} (expected YYYY-MM-DD)") from None


def _norad(row: Mapping[str, Any], key: str, alt: str | None = None) -> int:
    value = _text(row, key, alt)
    if value is None:
        raise ValueError(f"missing mandatory key {key}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"non-integer {key}: {value!r}") from None


def satcat_entry_from_spacetrack(row: Mapping[str, Any]) -> SatcatEntry:
    """One ``SatcatEntry`` from a Space-Track SATCAT object. Raises ``ValueError`` with a reason."""
    return SatcatEntry(
        norad_id=_norad(row, "NORAD_CAT_ID", "OBJECT_NUMBER"),
        object_name=_text(row, "OBJECT_NAME", "SATNAME"),
        object_id=_text(row, "OBJECT_ID", "INTLDES"),
        object_type=_text(row, "OBJECT_TYPE"),
        country=_text(row, "COUNTRY"),
        launch_date=_date(row, "LAUNCH"),
        launch_site=_text(row, "SITE"),
        decay_date=_date(row, "DECAY"),
        period_min=_float(row, "PERIOD"),
        inclination_deg=_float(row, "INCLINATION"),
        apogee_km=_float(row, "APOGEE"),
        perigee_km=_float(row, "PERIGEE"),
        rcs_size=_text(row, "RCS_SIZE"),
    )


def rcs_size_class(rcs_m2: float | None) -> str | None:
    """Space-Track's RCS size class for a radar cross-section [m²] (None stays None)."""
    if rcs_m2 is None:
        return None
    return "SMALL" if rcs_m2 < 0.1 else "MEDIUM" if rcs_m2 <= 1.0 else "LARGE"


def satcat_entry_from_celestrak(row: Mapping[str, Any]) -> SatcatEntry:
    """One ``SatcatEntry`` from a CelesTrak SATCAT CSV row. Raises ``ValueError`` with a reason."""
    kind = _text(row, "OBJECT_TYPE")
    return SatcatEntry(
        norad_id=_norad(row, "NORAD_CAT_ID"),
        object_name=_text(row, "OBJECT_NAME"),
        object_id=_text(row, "OBJECT_ID"),
        object_type=_CELESTRAK_TYPES.get(kind, kind) if kind else None,
        country=_text(row, "OWNER"),
        launch_date=_date(row, "LAUNCH_DATE"),
        launch_site=_text(row, "LAUNCH_SITE"),
        decay_date=_date(row, "DECAY_DATE"),
        period_min=_float(row, "PERIOD"),
        inclination_deg=_float(row, "INCLINATION"),
        apogee_km=_float(row, "APOGEE"),
        perigee_km=_float(row, "PERIGEE"),
        rcs_size=rcs_size_class(_float(row, "RCS")),
    )


def parse_satcat(data: bytes | str, source: str = "<memory>") -> Parsed[SatcatEntry]:
    """SATCAT entries from Space-Track JSON (``Rejected.line`` = record number) or CelesTrak
    CSV (``Rejected.line`` = line number); the container is told apart by its first character.
    """
    text = to_text(data)
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        rows, rejected = json_records(data, source)
        return collect(rows, satcat_entry_from_spacetrack, source, rejected, prefix="record")
    if not head:
        return Parsed()
    _header, csv_rows, rejected = csv_records(data, source, required=("NORAD_CAT_ID",))
    return collect(csv_rows, satcat_entry_from_celestrak, source, rejected)
