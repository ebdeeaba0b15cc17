"""Hypothesis round trips: TLE ⇄ ElementSet ⇄ each OMM format, and Alpha-5."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepers.errors import FormatError
from sweepers.formats import (
    decode_alpha5,
    encode_alpha5,
    format_tle,
    parse_omm_csv,
    parse_omm_json,
    parse_omm_kvn,
    parse_omm_xml,
    parse_tle,
    parse_tle_lines,
    write_omm_csv,
    write_omm_json,
    write_omm_kvn,
    write_omm_xml,
    write_tle,
)
from sweepers.formats.omm import schema_angle
from sweepers.records import ElementSet

FIXED_CREATION = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def tle_epochs(draw: st.DrawFn) -> datetime:
    """Epochs a TLE prints exactly: 1957–2056, day fraction a multiple of 1e-8 day (864 µs)."""
    year = draw(st.integers(1957, 2056))
    start = datetime(year, 1, 1, tzinfo=UTC)
    days = (start.replace(year=year + 1) - start).days
    units = draw(st.integers(0, days * 100_000_000 - 1))
    return start + timedelta(microseconds=units * 864)


def exp_values() -> st.SearchStrategy[float]:
    """Values of an implied-decimal exponent field: ±0.MMMMM × 10^E, normalised, or ±0."""
    normal = st.builds(lambda s, m, e: float(f"{s}0.{m:05d}e{e}"), st.sampled_from("-+"),
                       st.integers(10_000, 99_999), st.integers(-9, 9))
    return normal | st.sampled_from([0.0, -0.0])


def scaled(limit: int, scale: float) -> st.SearchStrategy[float]:
    return st.integers(0, limit).map(lambda k: k / scale)


names = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20)
object_ids = st.builds(lambda y, n, p: f"{y}-{n:03d}{p}", st.integers(1957, 2056),
                       st.integers(0, 999), st.text("ABCDEFGHJKLMNPQRSTUVWXYZ", max_size=3))

tle_element_sets = st.builds(
    ElementSet,
    norad_id=st.integers(0, 339_999),
    epoch=tle_epochs(),
    mean_motion_rev_day=st.integers(1, 99_99999999).map(lambda k: k / 1e8),
    eccentricity=scaled(9_999_999, 1e7),
    inclination_deg=scaled(1_800_000, 1e4),
    raan_deg=scaled(3_599_999, 1e4),
    arg_pericenter_deg=scaled(3_599_999, 1e4),
    mean_anomaly_deg=scaled(3_599_999, 1e4),
    bstar=exp_values(),
    mean_motion_dot=st.integers(-99_999_999, 99_999_999).map(lambda k: k / 1e8),
    mean_motion_ddot=exp_values(),
    object_name=st.none() | names,
    object_id=st.none() | object_ids,
    classification=st.sampled_from("UCS"),
    ephemeris_type=st.integers(0, 9),
    element_set_no=st.integers(0, 9999),
    rev_at_epoch=st.integers(0, 99_999),
)


@settings(max_examples=400, deadline=None)
@given(tle_element_sets)
def test_tle_round_trip(es: ElementSet) -> None:
    line1, line2 = format_tle(es)
    assert len(line1) == len(line2) == 69
    back = parse_tle_lines(line1, line2, None if es.object_name is None else "0 " + es.object_name)
    assert back == es
    assert format_tle(back) == (line1, line2)


@settings(max_examples=50, deadline=None)
@given(st.lists(tle_element_sets, max_size=5), st.sampled_from(["\n", "\r\n"]))
def test_tle_file_round_trip(records: list[ElementSet], newline: str) -> None:
    text = write_tle(records, newline=newline)
    parsed = parse_tle(text.encode(), "rt")
    assert parsed.rejected == [] and parsed.records == records


def test_celestrak_name_style() -> None:
    es = ElementSet(5, datetime(2023, 1, 1, tzinfo=UTC), 15.0, 0.001, 51.0, 1.0, 2.0, 3.0, 1e-4,
                    object_name="FENGYUN 1C DEB")
    text = write_tle([es], name_style="celestrak", newline="\r\n")
    assert text.startswith("FENGYUN 1C DEB          \r\n1 00005U")
    assert parse_tle(text, "c").records == [es]


def test_tle_writer_refuses_what_a_tle_cannot_hold() -> None:
    es = ElementSet(340_000, datetime(2023, 1, 1, tzinfo=UTC), 15.0, 0.001, 51.0, 1.0, 2.0, 3.0,
                    0.0)
    with pytest.raises(FormatError, match=r"catalog number 340000 cannot be written in a TLE"):
        format_tle(es)
    with pytest.raises(FormatError, match=r"ECCENTRICITY 1.5 is outside 0 <= e < 1"):
        format_tle(ElementSet(**{**_fields(es), "norad_id": 1, "eccentricity": 1.5}))
    with pytest.raises(FormatError, match=r"epoch 2057-01-01T00:00:00\+00:00 is outside"):
        format_tle(ElementSet(**{**_fields(es), "norad_id": 1,
                                 "epoch": datetime(2057, 1, 1, tzinfo=UTC)}))


def _fields(es: ElementSet) -> dict[str, object]:
    return {name: getattr(es, name) for name in ElementSet.__slots__}


def test_epoch_rounds_to_nearest_864_us_and_carries_into_next_year() -> None:
    base = ElementSet(5, datetime(2023, 12, 31, 23, 59, 59, 999_700, tzinfo=UTC), 15.0, 0.0,
                      51.0, 1.0, 2.0, 3.0, 0.0)
    assert format_tle(base)[0][18:32] == "24001.00000000"
    half = base.epoch.replace(month=6, day=1, hour=0, minute=0, second=0, microsecond=432)
    assert format_tle(ElementSet(**{**_fields(base), "epoch": half}))[0][18:32] == "23152.00000001"


finite = st.floats(allow_nan=False, allow_infinity=False)
xml_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                   min_size=1, max_size=30).map(str.strip).filter(bool)

omm_element_sets = st.builds(
    ElementSet,
    norad_id=st.integers(0, 999_999_999),
    epoch=st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC)),
    mean_motion_rev_day=finite, eccentricity=finite, inclination_deg=finite, raan_deg=finite,
    arg_pericenter_deg=finite, mean_anomaly_deg=finite, bstar=finite, mean_motion_dot=finite,
    mean_motion_ddot=finite,
    object_name=st.none() | xml_text, object_id=st.none() | xml_text,
    classification=st.sampled_from("UCS"), ephemeris_type=st.integers(0, 9),
    element_set_no=st.integers(0, 10**6), rev_at_epoch=st.integers(0, 10**7),
)

def _in_schema_ranges(r: ElementSet) -> ElementSet:
    """``r`` with angles, eccentricity, inclination, set and rev numbers in the OMM schema's
    ranges (ndmxml-2.0.0-omm-2.0.xsd)."""
    return replace(r, raan_deg=schema_angle(r.raan_deg),
                   arg_pericenter_deg=schema_angle(r.arg_pericenter_deg),
                   mean_anomaly_deg=schema_angle(r.mean_anomaly_deg),
                   eccentricity=abs(r.eccentricity), inclination_deg=abs(r.inclination_deg) % 180,
                   element_set_no=r.element_set_no % 10_000)


CODECS = {
    "json": (write_omm_json, parse_omm_json),
    "csv": (write_omm_csv, parse_omm_csv),
    "xml": (lambda r: write_omm_xml(r, creation_date=FIXED_CREATION), parse_omm_xml),
    "kvn": (lambda r: write_omm_kvn(r, creation_date=FIXED_CREATION), parse_omm_kvn),
}


@pytest.mark.parametrize("codec", list(CODECS))
@settings(max_examples=150, deadline=None)
@given(records=st.lists(omm_element_sets, min_size=1, max_size=4))
def test_omm_round_trip(codec: str, records: list[ElementSet]) -> None:
    write, read = CODECS[codec]
    if codec == "xml":  # the NDM/XML schema's ranges (write_omm_xml refuses others)
        records = [_in_schema_ranges(r) for r in records]
    text = write(records)
    parsed = read(text.encode(), codec)
    assert parsed.rejected == []
    assert parsed.records == records
    assert write(parsed.records) == text


@settings(max_examples=500)
@given(st.integers(0, 339_999))
def test_alpha5_round_trip(number: int) -> None:
    text = encode_alpha5(number)
    assert len(text) == 5 and "I" not in text and "O" not in text
    assert decode_alpha5(text) == number


@pytest.mark.parametrize(("text", "number"), [
    ("T0002", 270_002), ("A0000", 100_000), ("H9999", 179_999), ("J0000", 180_000),
    ("P0000", 230_000), ("Z9999", 339_999), ("00005", 5), ("  107", 107), ("99999", 99_999)])
def test_alpha5_known_values(text: str, number: int) -> None:
    assert decode_alpha5(text) == number


@pytest.mark.parametrize("text", ["I0000", "O1234", "T00A2", "-0001", "     ", "t0002"])
def test_alpha5_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        decode_alpha5(text)


def test_alpha5_refuses_large_numbers() -> None:
    with pytest.raises(ValueError, match="write OMM instead"):
        encode_alpha5(340_000)
