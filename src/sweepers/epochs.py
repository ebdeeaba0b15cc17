"""UTC epochs in every form the package uses, and the one ISO 8601 parser.

This is the package's only time module. It sits at the bottom of the layering (beside
``records.py``, importing nothing from the package) because the lowest layer, ``formats/``, must
parse and print epochs, and the arrows only point upward from there; ``orbits/``, ``conjunctions/``,
``salvage/`` and the CLI import it from here.

The forms:

* ``datetime`` — timezone-aware UTC (naive means UTC) at the user's edge and in records;
* ``numpy.datetime64[us]`` — arrays of epochs at the user's edge (:func:`as_datetime64`);
* two-part Julian dates ``(jd, fr)`` [days] — what SGP4 and ERFA take;
* seconds since MJD2000 (2000-01-01T00:00 UTC) — the planner's and GTOC9's time scale;
* text — ISO 8601 / CCSDS (:func:`parse_epoch`, :func:`format_epoch`).

A Julian date split as ``jd + fr`` keeps microseconds exactly: ``jd`` is the Julian date of the
preceding UTC midnight (it always ends in ``.5``) and ``fr`` the fraction of the day in ``[0, 1)``.
A single float64 Julian date near 2.46e6 resolves only ~40 µs, which at 7.5 km/s is 0.3 m.

UTC "days" here are 86,400 s long whatever the leap seconds (the SGP4 convention, shared by
python-sgp4 and heyoka); a span that crosses a leap second is therefore off by that second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

DAY_S = 86_400.0  # seconds in a (UTC, SGP4-convention) day [s]
MINUTES_PER_DAY = 1440.0
US_PER_DAY = 86_400_000_000
JD_UNIX_EPOCH = 2440587.5  # Julian date of 1970-01-01T00:00 UTC
JD_MJD2000 = 2451544.5  # Julian date of 2000-01-01T00:00 UTC (MJD2000 = 0)
MJD2000_UTC = datetime(2000, 1, 1, tzinfo=UTC)
_MJD2000_64 = np.datetime64("2000-01-01T00:00:00", "us")

FloatArray = NDArray[np.float64]

# ----------------------------------------------------------------------------------- text

_ISO_EPOCH = re.compile(
    r"(\d{4})-(?:(\d\d)-(\d\d)|(\d{3}))"  # calendar date, or CCSDS day of year
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?"  # time of day, seconds optional
    r"(Z|z|[+-]\d\d:\d\d)?"  # UTC designator or offset; none means UTC
)


def parse_epoch(text: str) -> datetime:
    """Timezone-aware UTC ``datetime`` from ISO 8601 / CCSDS epoch text — the package's one parser.

    Grammar (one set of rules for every reader and every command line)::

        YYYY-MM-DD | YYYY-DDD            calendar date, or CCSDS day of year (001-366)
        [ (T|space) hh:mm [:ss [.f…]] ]  time of day; absent means midnight
        [ Z | ±hh:mm ]                   UTC designator or offset; absent means UTC

    Every CCSDS ASCII time code (CCSDS 301.0-B-4 §3.5, the form OMM/OEM/CDM epochs take,
    ``YYYY-MM-DDThh:mm:ss[.d…][Z]`` and ``YYYY-DDDThh:mm:ss[.d…][Z]``) is accepted. Fractions
    beyond microseconds are rounded half-up to the nearest microsecond; a leap second ``:60``
    rolls into the next minute (UTC days are 86,400 s here). Offsets are converted to UTC.
    Raises ``ValueError`` naming the text on anything else.
    """
    m = _ISO_EPOCH.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"bad epoch {text!r} (expected YYYY-MM-DDThh:mm:ss.ffffff)")
    year, month, day, doy, hh, mm, ss, frac, zone = m.groups()
    try:
        if doy is not None:
            base = datetime(int(year), 1, 1, tzinfo=UTC) + timedelta(days=int(doy) - 1)
            if base.year != int(year) or int(doy) < 1:
                raise ValueError("day of year out of range")
        else:
            base = datetime(int(year), int(month), int(day), tzinfo=UTC)
        hours, minutes, seconds = int(hh or 0), int(mm or 0), int(ss or 0)
        if hours > 23 or minutes > 59 or seconds > 60:
            raise ValueError("time of day out of range")
        offset = timedelta(0)
        if zone is not None and zone not in "Zz":
            oh, om = int(zone[1:3]), int(zone[4:6])
            if oh > 23 or om > 59:
                raise ValueError("UTC offset out of range")
            offset = timedelta(hours=oh, minutes=om) * (-1 if zone[0] == "-" else 1)
    except ValueError as exc:
        raise ValueError(f"bad epoch {text!r} ({exc})") from None
    micro = 0
    if frac:
        digits = (frac + "000000")[:7]
        micro = (int(digits) + 5) // 10  # half-up on the 7th digit
    local = timedelta(hours=hours, minutes=minutes, seconds=seconds, microseconds=micro)
    return base + local - offset


def format_epoch(epoch: datetime) -> str:
    """Epoch text ``YYYY-MM-DDThh:mm:ss.ffffff`` (UTC, microseconds, no zone suffix; the OMM
    form, which :func:`parse_epoch` reads back exactly)."""
    if epoch.tzinfo is not None:
        epoch = epoch.astimezone(UTC)
    return epoch.strftime("%Y-%m-%dT%H:%M:%S.%f")


def as_utc(t: datetime) -> datetime:
    """A ``datetime`` as timezone-aware UTC (naive means UTC; other zones are converted)."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


# ----------------------------------------------------------------------------- datetime64

def as_datetime64(times: Any | datetime | Iterable[datetime]) -> NDArray[np.datetime64]:
    """UTC epochs as a 1-D ``datetime64[us]`` array.

    Accepts a ``datetime`` (tz-aware, or naive meaning UTC), a sequence of them, ISO strings,
    or anything NumPy turns into ``datetime64``. Timezone-aware datetimes are converted to UTC.
    """
    if isinstance(times, datetime):
        times = [times]
    if isinstance(times, np.datetime64 | np.ndarray) and np.issubdtype(times.dtype, np.datetime64):
        return np.atleast_1d(times.astype("datetime64[us]"))
    items = list(times) if not isinstance(times, np.ndarray | np.datetime64 | str) else times
    if isinstance(items, list):
        items = [_naive_utc(t) if isinstance(t, datetime) else t for t in items]
    return np.atleast_1d(np.asarray(items, dtype="datetime64[us]"))


def _naive_utc(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo is not None else t


def datetime64_to_jd(times: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """UTC ``datetime64`` array → two-part Julian date ``(jd, fr)`` [days], exact to 1 µs.

    ``jd`` is the midnight Julian date (``…​.5``), ``fr`` ∈ [0, 1) the day fraction.
    """
    us = as_datetime64(times).astype(np.int64)
    days, rem = np.divmod(us, US_PER_DAY)
    return JD_UNIX_EPOCH + days.astype(np.float64), rem / float(US_PER_DAY)


def datetime_to_jd(t: datetime) -> tuple[float, float]:
    """One UTC ``datetime`` → ``(jd, fr)`` [days] (see :func:`datetime64_to_jd`)."""
    jd, fr = datetime64_to_jd(as_datetime64(t))
    return float(jd[0]), float(fr[0])


def jd_to_datetime(jd: float, fr: float = 0.0) -> datetime:
    """Two-part Julian date [days, UTC] → timezone-aware UTC ``datetime`` (to the microsecond)."""
    return jd_to_datetime64(jd, fr).astype("datetime64[us]").item().replace(tzinfo=UTC)


def jd_to_datetime64(jd: ArrayLike, fr: ArrayLike = 0.0) -> NDArray[np.datetime64]:
    """Two-part Julian date [days, UTC] → ``datetime64[us]``, rounded to the microsecond."""
    jd = np.asarray(jd, dtype=np.float64)
    fr = np.asarray(fr, dtype=np.float64)
    whole = np.floor(jd - JD_UNIX_EPOCH)
    frac = (jd - JD_UNIX_EPOCH - whole) + fr  # exact when jd is a midnight date
    us = whole.astype(np.int64) * US_PER_DAY + np.rint(frac * US_PER_DAY).astype(np.int64)
    return us.astype("datetime64[us]")


def minutes_since(
    jd: ArrayLike, fr: ArrayLike, epoch_jd: ArrayLike, epoch_fr: ArrayLike
) -> FloatArray:
    """Minutes from an epoch ``(epoch_jd, epoch_fr)`` to ``(jd, fr)``, by broadcasting.

    The two parts are differenced separately (as python-sgp4 does) so that nothing is lost to
    the magnitude of the Julian date: ``((jd − epoch_jd) + (fr − epoch_fr)) · 1440``.
    """
    jd_a, fr_a = np.asarray(jd, np.float64), np.asarray(fr, np.float64)
    ep_jd, ep_fr = np.asarray(epoch_jd, np.float64), np.asarray(epoch_fr, np.float64)
    return ((jd_a - ep_jd) + (fr_a - ep_fr)) * MINUTES_PER_DAY


def minute_grid(
    start: datetime | np.datetime64, count: int, step_s: float = 60.0
) -> NDArray[np.datetime64]:
    """``count`` UTC epochs from ``start``, ``step_s`` seconds apart, as ``datetime64[us]``."""
    t0 = as_datetime64(start)[0]
    step = np.timedelta64(round(step_s * 1e6), "us")
    return t0 + np.arange(count) * step


# --------------------------------------------------------------------- seconds since MJD2000

def seconds_since_mjd2000(t: datetime) -> float:
    """UTC ``datetime`` (naive = UTC) → seconds since MJD2000 [s] (86,400 s per day)."""
    return (as_utc(t) - MJD2000_UTC).total_seconds()


def mjd2000_s_to_datetime64(t_s: ArrayLike) -> NDArray[np.datetime64]:
    """Seconds since MJD2000 [s] → UTC ``datetime64[us]`` (same shape)."""
    us = np.round(np.asarray(t_s, float) * 1e6).astype(np.int64)
    return _MJD2000_64 + us.astype("timedelta64[us]")
