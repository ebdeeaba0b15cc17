"""OMM element sets → python-sgp4 ``Satrec`` objects, bit-for-bit like ``Satrec.twoline2rv``.

python-sgp4 refuses catalog numbers above 339,999 in ``twoline2rv``, so every ``Satrec`` here is
built with ``sgp4init`` (WGS72, opsmode ``'i'``, the combination the Vallado vectors use) from the
OMM fields, with a dummy catalog number when the real one does not fit. Propagation never reads the
number; the caller keeps the real ids.

To reproduce ``twoline2rv`` exactly (the Vallado vectors are checked to 1 mm, and deep-space
terms depend on the epoch through the sidereal angle), the epoch is rebuilt the way the reference
C++ code does (Vallado et al. 2006, AIAA 2006-6753, ``twoline2rv``): the TLE day-of-year with its 8
decimals → month/day/hour/minute/second (``days2mdhms``) → two-part Julian date (``jday``); the sum
of the two parts minus 2433281.5 is the ``sgp4init`` epoch [days since 1949-12-31 00:00 UT], and
python-sgp4 then stores the day fraction rounded to the TLE's 8 decimals. An ``ElementSet`` epoch
(µs) that lies within 0.5 µs of an 8-decimal day fraction is snapped to it — it came from a TLE;
any other epoch moves by less than its own resolution.

Unit conversions are also twoline2rv's: rev/day → rad/min through ``xpdotp = 1440 / 2π``, ṅ/2
[rev/day²] → rad/min², n̈/6 [rev/day³] → rad/min³, degrees → radians through ``π/180``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from sgp4.api import WGS72, Satrec

from sweepers.epochs import DAY_S
from sweepers.records import ElementSet

XPDOTP = 1440.0 / (2.0 * math.pi)  # [rev/day] per [rad/min]
DEG2RAD = math.pi / 180.0
SGP4_EPOCH0_JD = 2433281.5  # 1949-12-31 00:00 UT, origin of the sgp4init epoch
MAX_TLE_SATNUM = 339_999  # largest catalog number python-sgp4 accepts (Alpha-5 "Z9999")
DUMMY_SATNUM = 0

# Columns of the per-object float64 array that crosses process boundaries.
COLUMNS = (
    "sgp4_epoch",  # [days since 1949-12-31 00:00 UT], passed to sgp4init
    "jd_epoch",  # midnight Julian date of the epoch [days]
    "fr_epoch",  # day fraction of the epoch, 8 decimals as in the TLE [days]
    "bstar",  # [1/earth radii]
    "ndot",  # [rad/min²]
    "nddot",  # [rad/min³]
    "ecco",  # [-]
    "argpo",  # [rad]
    "inclo",  # [rad]
    "mo",  # [rad]
    "no_kozai",  # [rad/min]
    "nodeo",  # [rad]
    "satnum",  # catalog number handed to sgp4init (dummy above 339,999)
)
COL = {name: i for i, name in enumerate(COLUMNS)}

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days2mdhms(year: int, days: float) -> tuple[int, int, int, int, float]:
    """Day of year (1-based, fractional) → month, day, hour, minute, second (C++ SGP4 order)."""
    day_of_year = math.floor(days)
    lengths = list(_MONTH_DAYS)
    if year % 4 == 0:
        lengths[1] = 29
    month, before = 1, 0
    while day_of_year > before + lengths[month - 1] and month < 12:
        before += lengths[month - 1]
        month += 1
    temp = (days - day_of_year) * 24.0
    hour = math.floor(temp)
    temp = (temp - hour) * 60.0
    minute = math.floor(temp)
    sec = (temp - minute) * 60.0
    return month, day_of_year - before, hour, minute, sec


def _jday(year: int, mon: int, day: int, hr: int, minute: int, sec: float) -> tuple[float, float]:
    """Calendar date → two-part Julian date, with the reference code's float operation order."""
    jd = (
        367.0 * year
        - math.floor((7 * (year + math.floor((mon + 9) / 12.0))) * 0.25)
        + math.floor(275 * mon / 9.0)
        + day
        + 1721013.5
    )
    frac = (sec + minute * 60.0 + hr * 3600.0) / DAY_S
    if abs(frac) > 1.0:
        whole = math.floor(frac)
        jd += whole
        frac -= whole
    return jd, frac


def tle_epoch(epoch: datetime) -> tuple[float, float, float]:
    """UTC epoch → ``(sgp4_epoch, jd_epoch, fr_epoch)`` exactly as ``twoline2rv`` derives them.

    ``sgp4_epoch`` is in days since 1949-12-31 00:00 UT; ``jd_epoch + fr_epoch`` is the
    two-part Julian date python-sgp4 stores (``jdsatepoch``, ``jdsatepochF``).
    """
    t = epoch.astimezone(UTC) if epoch.tzinfo is not None else epoch
    day_start = t.replace(hour=0, minute=0, second=0, microsecond=0)
    us_of_day = (t - day_start) // _ONE_US
    days = t.timetuple().tm_yday + us_of_day / 86_400e6
    days8 = round(days, 8)
    if abs(days8 - days) * 86_400e6 <= 0.5 + 1e-6:
        days = days8
    jd, frac = _jday(t.year, *_days2mdhms(t.year, days))
    return (jd + frac) - SGP4_EPOCH0_JD, jd, round(frac, 8)


_ONE_US = datetime(2000, 1, 1, 0, 0, 0, 1) - datetime(2000, 1, 1)


def element_array(elsets: Sequence[ElementSet]) -> NDArray[np.float64]:
    """``(n, len(COLUMNS))`` float64 array of sgp4init arguments, in the units of ``COLUMNS``."""
    out = np.empty((len(elsets), len(COLUMNS)), dtype=np.float64)
    for i, e in enumerate(elsets):
        sgp4_epoch, jd, fr = tle_epoch(e.epoch)
        satnum = e.norad_id if 0 <= e.norad_id <= MAX_TLE_SATNUM else DUMMY_SATNUM
        out[i] = (
            sgp4_epoch,
            jd,
            fr,
            e.bstar,
            e.mean_motion_dot / (XPDOTP * 1440.0),
            e.mean_motion_ddot / (XPDOTP * 1440.0 * 1440.0),
            e.eccentricity,
            e.arg_pericenter_deg * DEG2RAD,
            e.inclination_deg * DEG2RAD,
            e.mean_anomaly_deg * DEG2RAD,
            e.mean_motion_rev_day / XPDOTP,
            e.raan_deg * DEG2RAD,
            satnum,
        )
    return out


def build_satrecs(elements: NDArray[np.float64]) -> list[Satrec]:
    """One initialised ``Satrec`` per row of an :func:`element_array` (WGS72, opsmode 'i')."""
    sats = []
    for row in elements:
        sat = Satrec()
        sat.sgp4init(
            WGS72,
            "i",
            int(row[COL["satnum"]]),
            row[COL["sgp4_epoch"]],
            row[COL["bstar"]],
            row[COL["ndot"]],
            row[COL["nddot"]],
            row[COL["ecco"]],
            row[COL["argpo"]],
            row[COL["inclo"]],
            row[COL["mo"]],
            row[COL["no_kozai"]],
            row[COL["nodeo"]],
        )
        # sgp4init derives the split epoch from the single float; put back twoline2rv's.
        sat.jdsatepoch = row[COL["jd_epoch"]]
        sat.jdsatepochF = row[COL["fr_epoch"]]
        sats.append(sat)
    return sats
