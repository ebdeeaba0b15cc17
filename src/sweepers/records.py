"""The shared vocabulary: records that codecs produce and the store, physics and CLI consume.

This module sits below ``formats/`` and ``catalog/`` (DESIGN.md puts records in ``catalog/``, but
``formats/`` must produce them and arrows only point right, so they live here, importing nothing
from the package).

OMM is the canonical element-set record (CCSDS 502.0-B-3 mean elements, SGP4 theory); a TLE is one
serialisation of it. Field names follow the OMM keywords, with units in the names where a reader
could doubt. Angles are degrees here, exactly as OMM/TLE print them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar


@dataclass(frozen=True, slots=True)
class ElementSet:
    """One general-perturbations element set (OMM mean elements for SGP4/SDP4).

    ``epoch`` is a timezone-aware UTC ``datetime`` with microsecond resolution (a TLE's 8-decimal
    day fraction is 0.864 ms, so it is represented exactly to its printed precision).
    """

    norad_id: int  # catalog number, 0 … 999,999,999 (Alpha-5 decoded)
    epoch: datetime  # UTC, tz-aware
    mean_motion_rev_day: float  # MEAN_MOTION [rev/day] (Kozai, as TLE/OMM)
    eccentricity: float  # ECCENTRICITY [-]
    inclination_deg: float  # INCLINATION [deg]
    raan_deg: float  # RA_OF_ASC_NODE [deg]
    arg_pericenter_deg: float  # ARG_OF_PERICENTER [deg]
    mean_anomaly_deg: float  # MEAN_ANOMALY [deg]
    bstar: float  # BSTAR [1/earth radii]
    mean_motion_dot: float = 0.0  # MEAN_MOTION_DOT [rev/day²] (already the TLE's ṅ/2)
    mean_motion_ddot: float = 0.0  # MEAN_MOTION_DDOT [rev/day³] (already the TLE's n̈/6)
    object_name: str | None = None  # OBJECT_NAME (3LE line 0)
    object_id: str | None = None  # OBJECT_ID, international designator "1998-067A"
    classification: str = "U"  # CLASSIFICATION_TYPE
    ephemeris_type: int = 0  # EPHEMERIS_TYPE (0 = SGP4)
    element_set_no: int = 999  # ELEMENT_SET_NO
    rev_at_epoch: int = 0  # REV_AT_EPOCH


@dataclass(frozen=True, slots=True)
class SatcatEntry:
    """One SATCAT row (Space-Track ``class/satcat`` / CelesTrak SATCAT)."""

    norad_id: int
    object_name: str | None = None
    object_id: str | None = None  # international designator "1998-067A"
    object_type: str | None = None  # PAYLOAD | ROCKET BODY | DEBRIS | UNKNOWN
    country: str | None = None  # owner code, e.g. "US", "PRC", "CIS"
    launch_date: date | None = None
    launch_site: str | None = None
    decay_date: date | None = None
    period_min: float | None = None
    inclination_deg: float | None = None
    apogee_km: float | None = None  # altitude above the equatorial radius
    perigee_km: float | None = None
    rcs_size: str | None = None  # SMALL | MEDIUM | LARGE | None


@dataclass(frozen=True, slots=True)
class SizeMassEstimate:
    """One row of NASA CARA's hard-body-radius and mass estimates (1-sigma values)."""

    norad_id: int
    hbr_m: float | None = None
    hbr_sigma_m: float | None = None
    hbr_source: str | None = None
    mass_kg: float | None = None
    mass_sigma_kg: float | None = None
    mass_source: str | None = None


@dataclass(frozen=True, slots=True)
class GcatPayload:
    """One row of Jonathan McDowell's GCAT ``psatcat`` (payload operational data)."""

    jcat: str  # GCAT id, e.g. "S00005"
    norad_id: int | None  # from a JCAT of the form S<digits>; None for other id kinds
    name: str | None = None
    launch_date: date | None = None
    last_seen: date | None = None  # TLast
    operation_end: date | None = None  # TOp (None also when GCAT writes "*", see below)
    program: str | None = None
    category: str | None = None
    result: str | None = None
    control: str | None = None
    attitude: str | None = None
    maneuver: str | None = None
    un_state: str | None = None
    comment: str | None = None
    piece: str | None = None  # GCAT's launch piece, e.g. "1957 ALP 2"
    end_date: date | None = None  # TDate (end of life in orbit: decay, landing, …)
    owner_class: str | None = None  # Class: A amateur, B business, C civil, D defence
    operation_ongoing: bool = False  # TOp is "*" (no end of operations recorded yet)


_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffd\ufeff\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by ``surrogateescape``
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` safe for one terminal line: controls, undecodable bytes, U+FFFD and direction
    overrides written as escapes (``\\x00``, ``\\xff`` for an undecodable byte 0xFF, ``\\ufffd``).
    """
    return _UNPRINTABLE.sub(_escape_char, text)


@dataclass(frozen=True, slots=True)
class Rejected:
    """One input record that was refused: where it is and why (one clear line to a person)."""

    source: str  # file name (or URL) the record came from
    line: int  # 1-based line number of the record's first line (record number for JSON arrays)
    reason: str  # e.g. "checksum mismatch on line 2 (expected 7, found 3)"

    def __str__(self) -> str:
        """``file:line: reason``, with bad input escaped (see :func:`printable`)."""
        return printable(f"{self.source}:{self.line}: {self.reason}")


T = TypeVar("T")


@dataclass(slots=True)
class Parsed(Generic[T]):
    """What a codec returns: every good record, and every rejected one with its reason."""

    records: list[T] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
