"""A tiny TLE → ElementSet reader for these tests only (``sweepers.formats`` owns the real codec).

It reads the fixed columns of a TLE the way the reference C++ ``twoline2rv`` does (Vallado et al.
2006, AIAA 2006-6753): implied-decimal exponent fields for ṅ/2's neighbours n̈/6 and B*, the
two-digit year pivot at 57, and the day-of-year epoch turned into a UTC datetime to the µs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sweepers.records import ElementSet


def _implied(field: str) -> float:
    """' 12345-3' → 0.12345e-3 (TLE implied decimal point and exponent)."""
    field = field.strip()
    if not field:
        return 0.0
    sign = -1.0 if field[0] == "-" else 1.0
    body = field.lstrip("+-")
    mantissa, exp = body[:-2], body[-2:]
    # mantissa × 10**exp, in this order, as the reference parser computes it (bit-for-bit).
    return sign * float(f"0.{mantissa.strip()}") * 10.0 ** int(exp)


def _catalog_number(field: str) -> int:
    """Five-character catalog number, Alpha-5 ('T0002' → 270002) allowed."""
    field = field.strip()
    if field[0].isalpha():
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are not used
        return (10 + letters.index(field[0].upper())) * 10_000 + int(field[1:])
    return int(field)


def tle_epoch_datetime(field: str) -> datetime:
    """TLE epoch field 'YYDDD.DDDDDDDD' → tz-aware UTC datetime rounded to the microsecond."""
    yy = int(field[:2])
    year = 2000 + yy if yy < 57 else 1900 + yy
    day, frac = field[2:].split(".")
    us = round(int(frac.ljust(8, "0")[:8]) * 864)  # 1e-8 day = 864 µs exactly
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=int(day) - 1, microseconds=us)


def parse_tle(line1: str, line2: str, name: str | None = None) -> ElementSet:
    """Two TLE lines (line 2 may carry extra columns after 69) → ElementSet."""
    epoch_field = line1[18:32]
    if len(epoch_field.split(".")[1]) > 8:
        raise ValueError("epoch has more than 8 decimals")
    return ElementSet(
        norad_id=_catalog_number(line1[2:7]),
        epoch=tle_epoch_datetime(epoch_field),
        mean_motion_rev_day=float(line2[52:63]),
        eccentricity=float("0." + line2[26:33].strip()),
        inclination_deg=float(line2[8:16]),
        raan_deg=float(line2[17:25]),
        arg_pericenter_deg=float(line2[34:42]),
        mean_anomaly_deg=float(line2[43:51]),
        bstar=_implied(line1[53:61]),
        mean_motion_dot=float(line1[33:43]),
        mean_motion_ddot=_implied(line1[44:52]),
        object_name=name,
    )


def read_3le(path: str) -> tuple[list[ElementSet], list[tuple[str, str]]]:
    """Every element set of a 3LE/TLE file, with its raw line pair (for cross-checks)."""
    with open(path, encoding="ascii", errors="replace") as fh:
        lines = [ln.rstrip("\r\n") for ln in fh]
    elsets, pairs, name = [], [], None
    for i, line in enumerate(lines):
        if line.startswith("1 ") and i + 1 < len(lines) and lines[i + 1].startswith("2 "):
            elsets.append(parse_tle(line, lines[i + 1], name))
            pairs.append((line, lines[i + 1]))
        elif line.startswith("0 "):
            name = line[2:].strip()
    return elsets, pairs
