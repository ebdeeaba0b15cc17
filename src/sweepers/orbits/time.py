"""UTC epochs as two-part Julian dates, the form SGP4 and ERFA take.

A Julian date split as ``jd + fr`` keeps microseconds exactly: ``jd`` is the Julian date of the
preceding UTC midnight (it always ends in ``.5``) and ``fr`` the fraction of the day in ``[0, 1)``.
A single float64 Julian date near 2.46e6 resolves only ~40 µs, which at 7.5 km/s is 0.3 m.

UTC "days" here are 86,400 s long whatever the leap seconds (the SGP4 convention, shared by
python-sgp4 and heyoka); a span that crosses a leap second is therefore off by that second.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

JD_UNIX_EPOCH = 2440587.5  # Julian date of 1970-01-01T00:00 UTC
US_PER_DAY = 86_400_000_000
MINUTES_PER_DAY = 1440.0

FloatArray = NDArray[np.float64]


def as_datetime64(times: ArrayLike | Iterable[datetime] | datetime) -> NDArray[np.datetime64]:
    """UTC epochs as a 1-D ``datetime64[us]`` array.

    Accepts a ``datetime`` (tz-aware UTC, or naive meaning UTC), a sequence of them, or anything
    NumPy turns into ``datetime64``. Timezone-aware datetimes in another zone are converted.
    """
    if isinstance(times, datetime):
        times = [times]
    if isinstance(times, np.datetime64 | np.ndarray) and np.issubdtype(times.dtype, np.datetime64):
        return np.atleast_1d(times.astype("datetime64[us]"))
    items = list(times)  # type: ignore[arg-type]
    if items and isinstance(items[0], datetime):
        items = [_naive_utc(t) for t in items]
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
