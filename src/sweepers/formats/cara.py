"""NASA CARA hard-body-radius and mass estimates (``HBR_Mass_Estimates_*_ForDistribution.csv``).

Columns ``ObjectID,HBR,HBRSigma,HBRSource,Mass,MassSigma,MassSource``: HBR and its 1-sigma in
metres, mass and its 1-sigma in kg. An empty cell is ``None``; other values are kept as printed
(rows whose source is ``DISCOS DB`` have blank HBR and Mass but a sigma of 0, kept as 0.0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sweepers.formats._tables import collect, csv_records
from sweepers.records import Parsed, SizeMassEstimate

CARA_COLUMNS = ("ObjectID", "HBR", "HBRSigma", "HBRSource", "Mass", "MassSigma", "MassSource")


def _float(row: Mapping[str, str], key: str) -> float | None:
    value = row[key].strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"non-numeric {key}: {value[:40]!r}") from None
    if not math.isfinite(number):  # "nan", "inf", or digits beyond 1.8e308
        raise ValueError(f"non-finite {key}: {value[:40]!r}")
    return number


def size_mass_from_cara(row: Mapping[str, str]) -> SizeMassEstimate:
    """One ``SizeMassEstimate`` from a CARA CSV row. Raises ``ValueError`` with a reason."""
    text = row["ObjectID"].strip()
    if not text:
        raise ValueError("missing ObjectID")
    try:
        norad = int(text)
    except ValueError:
        raise ValueError(f"non-integer ObjectID: {text!r}") from None
    return SizeMassEstimate(
        norad_id=norad,
        hbr_m=_float(row, "HBR"),
        hbr_sigma_m=_float(row, "HBRSigma"),
        hbr_source=row["HBRSource"].strip() or None,
        mass_kg=_float(row, "Mass"),
        mass_sigma_kg=_float(row, "MassSigma"),
        mass_source=row["MassSource"].strip() or None,
    )


def parse_cara(data: bytes | str, source: str = "<memory>") -> Parsed[SizeMassEstimate]:
    """Size and mass estimates of a CARA CSV; ``Rejected.line`` is the line number (header = 1)."""
    _header, rows, rejected = csv_records(data, source, required=CARA_COLUMNS)
    return collect(rows, size_mass_from_cara, source, rejected)
