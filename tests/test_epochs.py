"""The time module: the one ISO 8601 / CCSDS parser, and two-part Julian dates exact to 1 µs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sweepers.epochs import (
    as_datetime64,
    datetime64_to_jd,
    datetime_to_jd,
    format_epoch,
    jd_to_datetime,
    jd_to_datetime64,
    minute_grid,
    minutes_since,
    mjd2000_s_to_datetime64,
    parse_epoch,
    seconds_since_mjd2000,
)

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


# CCSDS 301.0-B-4 §3.5.1 (ASCII time code A, calendar) and §3.5.2 (code B, day of year); the OMM,
# OEM and CDM blue books (502.0-B-3, 508.0-B-1) use exactly these for EPOCH / TCA / CREATION_DATE.
@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-01T12:34:56.789012", datetime(2024, 3, 1, 12, 34, 56, 789012, tzinfo=UTC)),
    ("2024-03-01T12:34:56Z", datetime(2024, 3, 1, 12, 34, 56, tzinfo=UTC)),
    ("2024-03-01T12:34:56.5z", datetime(2024, 3, 1, 12, 34, 56, 500000, tzinfo=UTC)),
    ("2024-061T12:34:56.000", datetime(2024, 3, 1, 12, 34, 56, tzinfo=UTC)),  # leap year: day 61
    ("2023-365T00:00:00", datetime(2023, 12, 31, tzinfo=UTC)),
    # half-up to the microsecond on the 7th digit, carrying into the second
    ("2024-03-01T00:00:00.00000049", datetime(2024, 3, 1, 0, 0, 0, 0, tzinfo=UTC)),
    ("2024-03-01T00:00:00.0000005", datetime(2024, 3, 1, 0, 0, 0, 1, tzinfo=UTC)),
    ("2024-03-01T00:00:59.9999995", datetime(2024, 3, 1, 0, 1, tzinfo=UTC)),
    # the user's edge (command lines, ship files): offsets, a space, no seconds, a bare date
    ("2023-10-09T14:00:00+02:00", datetime(2023, 10, 9, 12, tzinfo=UTC)),
    ("2023-10-09T00:30-01:00", datetime(2023, 10, 9, 1, 30, tzinfo=UTC)),
    ("2023-10-09 12:00", datetime(2023, 10, 9, 12, tzinfo=UTC)),
    ("  2023-10-09 ", datetime(2023, 10, 9, tzinfo=UTC)),
])
def test_parse_epoch_forms(text: str, expected: datetime) -> None:
    got = parse_epoch(text)
    assert got == expected and got.tzinfo is UTC


@pytest.mark.parametrize(("text", "reason"), [
    ("yesterday", "expected YYYY-MM-DDThh:mm:ss.ffffff"),
    ("2024-13-01T00:00:00", "month must be in 1..12"),
    ("2023-366T00:00:00", "day of year out of range"),  # 2023 is not a leap year
    ("2024-000T00:00:00", "day of year out of range"),
    ("2024-03-01T24:00:00", "time of day out of range"),
    ("2024-03-01T12:00:00+25:00", "UTC offset out of range"),
    ("2024-03-01T12:00:00.", "expected"),  # a point needs digits
    ("2024-3-1T12:00:00", "expected"),
])
def test_parse_epoch_refuses_with_the_text(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match="bad epoch") as err:
        parse_epoch(text)
    assert repr(text) in str(err.value) and reason in str(err.value)


@given(st.integers(min_value=0, max_value=(2100 - 1958) * 366 * 86_400_000_000))
def test_format_then_parse_is_exact(us: int) -> None:
    t = datetime(1958, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    assert parse_epoch(format_epoch(t)) == t


def test_mjd2000_seconds() -> None:
    # MJD2000 = 0 is 2000-01-01T00:00 UTC = JD 2451544.5 (GTOC9 problem statement)
    assert seconds_since_mjd2000(datetime(2000, 1, 2, tzinfo=UTC)) == 86400.0
    assert seconds_since_mjd2000(datetime(2000, 1, 1, 1)) == 3600.0  # naive means UTC
    assert mjd2000_s_to_datetime64([0.0, 1.5e-6]).tolist() == [
        datetime(2000, 1, 1), datetime(2000, 1, 1, 0, 0, 0, 2)]  # rounded to the microsecond
    assert jd_to_datetime(2451544.5, 0.25) == datetime(2000, 1, 1, 6, tzinfo=UTC)
