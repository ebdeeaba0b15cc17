"""Two-part Julian dates: exact microseconds, and the TLE epoch exactly as twoline2rv forms it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sgp4.api import WGS72, Satrec

from sweepers.epochs import (
    as_datetime64,
    datetime64_to_jd,
    datetime_to_jd,
    jd_to_datetime64,
    minute_grid,
    minutes_since,
)
from sweepers.orbits.sgp4_init import tle_epoch

from .tle_helper import tle_epoch_datetime

US = st.integers(min_value=-2_000_000_000_000_000, max_value=4_000_000_000_000_000)


@given(st.lists(US, min_size=1, max_size=20))
def test_datetime64_round_trip_is_exact(us) -> None:
    times = np.array(us, dtype="datetime64[us]")
    jd, fr = datetime64_to_jd(times)
    assert np.all(jd % 1.0 == 0.5) and np.all((fr >= 0) & (fr < 1))
    np.testing.assert_array_equal(jd_to_datetime64(jd, fr), times)


def test_known_julian_dates() -> None:
    assert datetime_to_jd(datetime(2000, 1, 1, 12, tzinfo=UTC)) == (2451544.5, 0.5)
    jd, fr = datetime_to_jd(datetime(2000, 1, 1, 14, tzinfo=timezone(timedelta(hours=2))))
    assert (jd, fr) == (2451544.5, 0.5)  # 14:00+02:00 is 12:00 UTC


def test_minutes_since_and_grid() -> None:
    grid = minute_grid(np.datetime64("2023-10-09T23:59:00"), 3, 60.0)
    assert grid.tolist()[-1] == datetime(2023, 10, 10, 0, 1)
    jd, fr = datetime64_to_jd(grid)
    ep_jd, ep_fr = datetime64_to_jd(as_datetime64(datetime(2023, 10, 9, 23, 0, tzinfo=UTC)))
    np.testing.assert_allclose(minutes_since(jd, fr, ep_jd, ep_fr), [59.0, 60.0, 61.0], atol=1e-9)


@given(
    st.integers(min_value=1957, max_value=2056),
    st.integers(min_value=1, max_value=365),
    st.integers(min_value=0, max_value=99_999_999),
)
def test_tle_epoch_matches_twoline2rv(year, day, frac) -> None:
    field = f"{year % 100:02d}{day:03d}.{frac:08d}"
    line1 = f"1 00005U 58002B   {field}  .00000023  00000-0  28098-4 0  4753"
    line2 = "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667"
    ref = Satrec.twoline2rv(line1, line2, WGS72)
    sgp4_epoch, jd, fr = tle_epoch(tle_epoch_datetime(field))
    assert (jd, fr) == (ref.jdsatepoch, ref.jdsatepochF)
    sat = Satrec()
    sat.sgp4init(WGS72, "i", 5, sgp4_epoch, ref.bstar, ref.ndot, ref.nddot, ref.ecco,
                 ref.argpo, ref.inclo, ref.mo, ref.no_kozai, ref.nodeo)
    assert sat.gsto == ref.gsto  # the sidereal angle at epoch: the epoch float is identical
