"""Census test helpers: a tiny 3LE reader and synthetic objects.

The 3LE reader reads only the columns the census needs (catalogue number, epoch, mean elements);
it checks nothing. The real codec is ``sweepers.formats``; this keeps the census tests
independent of it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sweepers.census import CensusObject
from sweepers.orbits.constants import MU_WGS72_KM3_S2, RE_WGS72_KM
from sweepers.records import ElementSet

FULL_CATALOG = Path("catalog") / "spacetrack_3le_full_catalog_2023-10.txt"
_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # Alpha-5 leading letters (no I, no O); A = 10


def catalog_number(field: str) -> int:
    """TLE columns 3–7, Alpha-5 decoded ("T0002" → 270002)."""
    field = field.strip()
    if field[:1].isalpha():
        return (_ALPHA5.index(field[0].upper()) + 10) * 10000 + int(field[1:])
    return int(field)


def tle_epoch(field: str) -> datetime:
    """TLE columns 19–32 (YYDDD.DDDDDDDD) as UTC; two-digit years 57–99 are 19xx."""
    yy = int(field[:2])
    year = 1900 + yy if yy >= 57 else 2000 + yy
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=float(field[2:]) - 1.0)


def read_3le_lines(path: Path) -> list[tuple[str, str, str]]:
    """(name line, line 1, line 2) triples of a 3LE file."""
    lines = [ln.rstrip() for ln in path.read_text(encoding="ascii").splitlines() if ln.strip()]
    return list(zip(lines[0::3], lines[1::3], lines[2::3], strict=True))


def element_set(name: str, line1: str, line2: str) -> ElementSet:
    """One 3LE record as an ElementSet (columns only, no checksum test)."""
    return ElementSet(
        norad_id=catalog_number(line1[2:7]),
        epoch=tle_epoch(line1[18:32]),
        mean_motion_rev_day=float(line2[52:63]),
        eccentricity=float("0." + line2[26:33].strip()),
        inclination_deg=float(line2[8:16]),
        raan_deg=float(line2[17:25]),
        arg_pericenter_deg=float(line2[34:42]),
        mean_anomaly_deg=float(line2[43:51]),
        bstar=0.0,
        object_name=name[2:].strip() if name.startswith("0 ") else name.strip(),
    )


def kepler_mean_motion_rev_day(perigee_alt_km: float, apogee_alt_km: float) -> float:
    """Two-body mean motion [rev/day] of the orbit with these apsis altitudes (WGS72)."""
    a = RE_WGS72_KM + 0.5 * (perigee_alt_km + apogee_alt_km)
    return math.sqrt(MU_WGS72_KM3_S2 / a**3) * 86400.0 / (2.0 * math.pi)


def make_object(
    norad_id: int,
    perigee_alt_km: float,
    apogee_alt_km: float,
    inclination_deg: float,
    *,
    epoch: datetime,
    object_type: str | None = "PAYLOAD",
    rcs_size: str | None = None,
    name: str | None = None,
) -> CensusObject:
    """A synthetic object on the orbit with these apsides (mean motion by two-body Kepler)."""
    a = RE_WGS72_KM + 0.5 * (perigee_alt_km + apogee_alt_km)
    elements = ElementSet(
        norad_id=norad_id,
        epoch=epoch,
        mean_motion_rev_day=kepler_mean_motion_rev_day(perigee_alt_km, apogee_alt_km),
        eccentricity=(apogee_alt_km - perigee_alt_km) / (2.0 * a),
        inclination_deg=inclination_deg,
        raan_deg=0.0,
        arg_pericenter_deg=0.0,
        mean_anomaly_deg=0.0,
        bstar=0.0,
        object_name=name or f"OBJECT {norad_id}",
    )
    return CensusObject(norad_id, name or f"OBJECT {norad_id}", object_type, rcs_size, elements)
