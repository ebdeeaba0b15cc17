"""The codecs on the real reference files of ``$SWEEPERS_DATA`` (counts from their READMEs).

python-sgp4's ``sgp4.omm`` and ``Satrec.twoline2rv`` serve as independent oracles only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from math import pi
from pathlib import Path

import pytest
from sgp4 import omm as sgp4_omm
from sgp4.api import Satrec

from sweepers.formats import (
    detect_format,
    parse_bytes,
    parse_tle,
    write_omm_xml,
    write_tle,
)
from sweepers.formats.tle import checksum
from sweepers.records import ElementSet

FULL_3LE = "catalog/spacetrack_3le_full_catalog_2023-10.txt"


@pytest.fixture(scope="module")
def full_3le(shared_data: Path) -> tuple[bytes, list[ElementSet]]:
    data = (shared_data / FULL_3LE).read_bytes()
    parsed = parse_tle(data, FULL_3LE)
    assert parsed.rejected == []
    return data, parsed.records


def test_full_catalog_counts(full_3le: tuple[bytes, list[ElementSet]]) -> None:
    # Numbers stated in $SWEEPERS_DATA/catalog/README.md, section 1: 26,140 objects, 266 Alpha-5
    # analyst numbers T0000–T0288 (= 270000–270288), 488 space-padded catalog numbers.
    data, records = full_3le
    assert len(records) == 26_140
    assert len({es.norad_id for es in records}) == 26_140
    alpha5 = [es.norad_id for es in records if es.norad_id >= 100_000]
    assert len(alpha5) == 266 and min(alpha5) >= 270_000 and max(alpha5) <= 270_288
    lines1 = [line for line in data.decode().split("\r\n") if line.startswith("1 ")]
    assert sum(line[2] == " " for line in lines1) == 488
    assert {line[2:7] for line in lines1 if line[2] == "T"} == {
        f"T{es.norad_id - 270_000:04d}" for es in records if es.norad_id >= 100_000}
    assert all(es.object_name for es in records)


def normalise(line: str) -> str:
    """The documented canonical form of a real TLE line (see ``sweepers.formats.tle``)."""
    head = line[:2] + line[2:7].replace(" ", "0")
    body = head + line[7:]
    if line[0] == "1":
        chars = list(body)
        for start in (33, 44, 53):  # rule 2: '+' mantissa sign → blank
            if chars[start] == "+":
                chars[start] = " "
        body = "".join(chars)
        for start in (44, 53):  # rule 3: zero with '+0' exponent → ' 00000-0' (sign kept)
            field = body[start:start + 8]
            if field[1:6] == "00000":
                body = body[:start] + field[0] + "00000-0" + body[start + 8:]
    return body[:68] + str(checksum(body))  # rule 4


def test_full_catalog_round_trip_is_exact_modulo_normalisation(
        full_3le: tuple[bytes, list[ElementSet]]) -> None:
    data, records = full_3le
    original = data.decode().split("\r\n")
    written = write_tle(records, newline="\r\n").split("\r\n")
    assert written[-1] == "" and len(written) - 1 == len(original)
    expected = [normalise(line) if line[:2] in ("1 ", "2 ") else line for line in original]
    assert written[:-1] == expected
    changed = Counter(line[0] for line, new in zip(original, written, strict=False) if line != new)
    # Measured: which lines need a normalisation at all (id padding, '+' signs, '+0' zeros).
    assert changed == {"1": 1501, "2": 488}


def test_full_catalog_against_sgp4_twoline2rv(full_3le: tuple[bytes, list[ElementSet]]) -> None:
    data, records = full_3le
    lines = [line for line in data.decode().split("\r\n") if line[:2] in ("1 ", "2 ")]
    epoch0 = datetime(1949, 12, 31, tzinfo=UTC)
    for es, l1, l2 in list(zip(records, lines[0::2], lines[1::2], strict=True))[::13]:
        sat = Satrec.twoline2rv(l1, l2)
        assert sat.satnum == es.norad_id
        assert sat.ecco == es.eccentricity and sat.bstar == pytest.approx(es.bstar, rel=1e-12)
        assert sat.no_kozai == pytest.approx(es.mean_motion_rev_day * pi / 720, rel=1e-15)
        days = (es.epoch - epoch0) / timedelta(days=1)
        assert (sat.jdsatepoch - 2433281.5) + sat.jdsatepochF == pytest.approx(days, abs=1e-8)


def test_sgp4_verification_file(shared_data: Path) -> None:
    data = (shared_data / "sgp4-verification/SGP4-VER.TLE").read_bytes()
    parsed = parse_tle(data, "SGP4-VER.TLE", sgp4_ver=True)
    # Vallado's hand-edited error cases 33333-33335 carry wrong line-1 checksums.
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (100, "checksum mismatch on line 1 (expected 2, found 4)"),
        (103, "checksum mismatch on line 1 (expected 6, found 9)"),
        (106, "checksum mismatch on line 1 (expected 3, found 0)")]
    unchecked = parse_tle(data, "SGP4-VER.TLE", sgp4_ver=True, verify_checksums=False)
    assert unchecked.rejected == [] and len(unchecked.records) == 33
    assert [es.norad_id for es in unchecked.records].count(20413) == 2
    strict = parse_tle(data, "SGP4-VER.TLE")
    assert strict.records == [] and len(strict.rejected) == 33
    assert strict.rejected[0].reason.startswith("line 2 is too long (")


def _assert_matches_sgp4_fields(es: ElementSet, fields: dict[str, str]) -> None:
    """Compare with python-sgp4's own OMM reading (sgp4.omm.initialize) as the oracle."""
    sat = Satrec()
    sgp4_omm.initialize(sat, fields)
    assert sat.satnum == es.norad_id
    assert sat.no_kozai == pytest.approx(es.mean_motion_rev_day * pi / 720, rel=1e-15)
    assert sat.ecco == es.eccentricity and sat.bstar == es.bstar
    assert sat.inclo == pytest.approx(es.inclination_deg * pi / 180, rel=1e-15)
    assert sat.revnum == es.rev_at_epoch and sat.elnum == es.element_set_no
    assert datetime.strptime(fields["EPOCH"], "%Y-%m-%dT%H:%M:%S.%f").replace(
        tzinfo=UTC) == es.epoch
    assert fields["OBJECT_NAME"] == es.object_name and fields["OBJECT_ID"] == es.object_id


def test_celestrak_csv_against_sgp4_omm(shared_data: Path) -> None:
    path = shared_data / "catalog/celestrak_gp_active_2026-07.csv"
    data = path.read_bytes()
    assert detect_format(data, path.name) == "omm-csv"
    parsed = parse_bytes(data, path.name)
    assert parsed.rejected == [] and len(parsed.records) == 15_985  # catalog/README.md §2
    oracle = list(sgp4_omm.parse_csv(io.StringIO(data.decode())))
    assert len(oracle) == len(parsed.records)
    for es, fields in list(zip(parsed.records, oracle, strict=True))[::7]:
        _assert_matches_sgp4_fields(es, fields)
        assert es.mean_motion_dot == float(fields["MEAN_MOTION_DOT"])


def test_celestrak_json_debris_against_sgp4_omm(shared_data: Path) -> None:
    folder = shared_data / "catalog/debris-clouds"
    counts = {}
    for path in sorted(folder.glob("celestrak_gp_*.json")):
        data = path.read_bytes()
        parsed = parse_bytes(data, path.name)
        assert parsed.rejected == []
        for es, fields in zip(parsed.records, json.loads(data), strict=True):
            _assert_matches_sgp4_fields(es, fields)
        counts[path.name.split("_")[2]] = len(parsed.records)
    # catalog/README.md §3: 1,938 / 595 / 111 / 3 objects (August 2026).
    assert counts == {"fengyun-1c-debris": 1938, "cosmos-2251-debris": 595,
                      "iridium-33-debris": 111, "cosmos-1408-debris": 3}


def test_our_xml_is_read_by_sgp4_omm(full_3le: tuple[bytes, list[ElementSet]]) -> None:
    records = [es for es in full_3le[1][:300] if es.object_id is not None]
    xml = write_omm_xml(records, creation_date=datetime(2026, 1, 1, tzinfo=UTC))
    oracle = list(sgp4_omm.parse_xml(io.StringIO(xml)))
    assert len(oracle) == len(records)
    for es, fields in zip(records, oracle, strict=True):
        _assert_matches_sgp4_fields(es, fields)


def test_celestrak_3le_debris(shared_data: Path) -> None:
    folder = shared_data / "catalog/debris-clouds"
    counts = {}
    for path in sorted(folder.glob("celestrak_*-debris_2025-02.txt")):
        data = path.read_bytes()
        assert detect_format(data, path.name) == "tle"
        parsed = parse_tle(data, path.name)
        assert parsed.rejected == []
        assert all(es.object_name and es.object_name == es.object_name.strip()
                   for es in parsed.records)
        # CelesTrak style (24-column names, '+0' zero exponents) written back verbatim except
        # rule 3 of the canonical form.
        back = write_tle(parsed.records, name_style="celestrak", newline="\r\n")
        fix = re.compile(r"([ -])00000\+0")
        expected = [fix.sub(r"\g<1>00000-0", line) for line in data.decode().split("\r\n")]
        expected = [e[:68] + str(checksum(e)) if e[:2] == "1 " else e for e in expected]
        assert back.split("\r\n") == expected
        counts[path.name.split("_")[1]] = len(parsed.records)
    # catalog/README.md §3: 1,918 / 641 / 119 / 10 objects (February 2025).
    assert counts == {"fengyun-1c-debris": 1918, "cosmos-2251-debris": 641,
                      "iridium-33-debris": 119, "cosmos-1408-debris": 10}


@pytest.mark.parametrize(("name", "count"), [
    ("spacetrack_satcat_current_2025-03-16.json", 30_142),  # satcat/README.md §1
    ("spacetrack_satcat_decayed_2025-03-16.json", 32_966),
])
def test_spacetrack_satcat(shared_data: Path, name: str, count: int) -> None:
    data = (shared_data / "satcat" / name).read_bytes()
    assert detect_format(data, name) == "satcat"
    parsed = parse_bytes(data, name)
    assert parsed.rejected == [] and len(parsed.records) == count
    if "current" in name:
        types = Counter(e.object_type for e in parsed.records)
        assert types == {"PAYLOAD": 13_957, "DEBRIS": 13_222, "ROCKET BODY": 2_375,
                         "UNKNOWN": 588}
        sizes = Counter(e.rcs_size for e in parsed.records)
        assert sizes == {"LARGE": 13_352, "MEDIUM": 4_163, "SMALL": 11_223, None: 1_404}
    else:
        assert all(e.decay_date is not None for e in parsed.records)


def test_cara(shared_data: Path) -> None:
    name = "nasa_cara_hbr_mass_estimates_2026-06-01.csv"
    data = (shared_data / "satcat" / name).read_bytes()
    assert detect_format(data, name) == "cara-mass"
    parsed = parse_bytes(data, name)
    # satcat/README.md §2: 58,609 rows, 449 ids ≥ 100000, 35,931 DISCOS rows with blank mass.
    assert parsed.rejected == [] and len(parsed.records) == 58_609
    assert sum(e.norad_id >= 100_000 for e in parsed.records) == 449
    assert sum(e.mass_source == "DISCOS DB" and e.mass_kg is None
               for e in parsed.records) == 35_931
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert [str(e.norad_id) for e in parsed.records[::97]] == [r["ObjectID"] for r in rows[::97]]


def test_gcat(shared_data: Path) -> None:
    name = "gcat_psatcat_2025-07-30.tsv"
    data = (shared_data / "satcat" / name).read_bytes()
    assert detect_format(data, name) == "gcat"
    parsed = parse_bytes(data, name)
    assert parsed.rejected == [] and len(parsed.records) == 23_191  # satcat/README.md §3
    first = parsed.records[0]
    assert (first.jcat, first.norad_id, first.name, str(first.launch_date)) == (
        "S00002", 2, "First Sputnik", "1957-10-04")
