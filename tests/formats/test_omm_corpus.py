"""Malformed-input corpus for the OMM, SATCAT, CARA and GCAT readers (exact expected reports)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from sweepers.errors import FormatError
from sweepers.formats import (
    detect_format,
    parse_bytes,
    parse_cara,
    parse_gcat,
    parse_gcat_date,
    parse_omm_csv,
    parse_omm_json,
    parse_omm_kvn,
    parse_omm_xml,
    parse_satcat,
)

GOOD = {"OBJECT_NAME": "ISS (ZARYA)", "OBJECT_ID": "1998-067A",
        "EPOCH": "2024-01-01T12:00:00.000000", "MEAN_MOTION": 15.5, "ECCENTRICITY": 0.0005,
        "INCLINATION": 51.64, "RA_OF_ASC_NODE": 10.0, "ARG_OF_PERICENTER": 20.0,
        "MEAN_ANOMALY": 30.0, "EPHEMERIS_TYPE": 0, "CLASSIFICATION_TYPE": "U",
        "NORAD_CAT_ID": 25544, "ELEMENT_SET_NO": 999, "REV_AT_EPOCH": 1234, "BSTAR": 1e-4,
        "MEAN_MOTION_DOT": 1e-5, "MEAN_MOTION_DDOT": 0}


def variant(**changes: object) -> dict[str, object]:
    out = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            out.pop(key)
        else:
            out[key] = value
    return out


BAD_RECORDS = [
    (variant(EPOCH=None), "missing mandatory key EPOCH"),
    (variant(MEAN_MOTION="fast"), "non-numeric MEAN_MOTION: 'fast'"),
    (variant(EPOCH="2024-13-01T00:00:00"),
     "bad epoch '2024-13-01T00:00:00' (month must be in 1..12)"),
    (variant(NORAD_CAT_ID="25544.5"), "non-integer NORAD_CAT_ID: '25544.5'"),
    (variant(NORAD_CAT_ID=1_000_000_000), "NORAD_CAT_ID 1000000000 is out of range (0-999999999)"),
]


def test_json_bad_records_rejected_good_kept() -> None:
    records = [GOOD] + [bad for bad, _ in BAD_RECORDS] + [variant(NORAD_CAT_ID=123456789)]
    parsed = parse_omm_json(json.dumps(records).encode(), "o.json")
    assert [e.norad_id for e in parsed.records] == [25544, 123456789]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (k, f"record {k}: {reason}") for k, (_, reason) in enumerate(BAD_RECORDS, 2)]


def test_spacetrack_json_all_strings_and_extra_keys() -> None:
    row = {k: (None if v is None else str(v)) for k, v in GOOD.items()}
    row |= {"TLE_LINE1": "1 25544U ...", "GP_ID": "1", "TIME_SYSTEM": "UTC", "REF_FRAME": "TEME",
            "MEAN_ELEMENT_THEORY": "SGP4", "DECAY_DATE": None}
    [es] = parse_omm_json(json.dumps([row]), "st.json").records
    assert es == parse_omm_json(json.dumps([GOOD]), "ct.json").records[0]
    bad = parse_omm_json(json.dumps([row | {"TIME_SYSTEM": "TAI"}]), "st.json")
    assert [r.reason for r in bad.rejected] == ["record 1: TIME_SYSTEM 'TAI' is not UTC"]


def test_json_truncated_keeps_records_before_the_cut() -> None:
    text = json.dumps([GOOD, variant(NORAD_CAT_ID=7), variant(NORAD_CAT_ID=8)])
    parsed = parse_omm_json(text[: text.rindex("{") + 30], "cut.json")
    assert [e.norad_id for e in parsed.records] == [25544, 7]
    [rej] = parsed.rejected
    assert (rej.line, rej.reason) == (3, "record 3: invalid JSON at line 1 column 868 "
                                         "(Expecting property name enclosed in double quotes); "
                                         "the rest of the input was skipped")


def test_json_wrong_container_and_non_objects() -> None:
    assert [r.reason for r in parse_omm_json("42", "n.json").rejected] == [
        "expected a JSON array of objects, found int"]
    parsed = parse_omm_json(json.dumps([GOOD, "x", 3]), "m.json")
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (2, "record 2: expected a JSON object, found str"),
        (3, "record 3: expected a JSON object, found int")]


def test_json_undecodable_bytes_in_one_record() -> None:
    data = json.dumps([GOOD, variant(OBJECT_NAME="BAD NAME")]).encode().replace(b"BAD", b"B\xffD")
    parsed = parse_omm_json(data, "u.json")
    assert len(parsed.records) == 1
    assert [r.reason for r in parsed.rejected] == [
        "record 2: OBJECT_NAME: undecodable byte 0xff at column 2 (not UTF-8)"]


CSV_HEADER = ",".join(GOOD)


def csv_row(row: dict[str, object]) -> str:
    return ",".join("" if row.get(k) is None else str(row[k]) for k in GOOD)


def test_csv_bad_rows() -> None:
    lines = [CSV_HEADER, csv_row(GOOD), csv_row(variant(EPOCH="")),
             csv_row(variant(BSTAR="1.0E-4x")), "25544,1998-067A", "",
             csv_row(variant(NORAD_CAT_ID=900, MEAN_MOTION=".40393571E-3"))]
    parsed = parse_omm_csv("\n".join(lines) + "\n", "o.csv")
    assert [(e.norad_id, e.mean_motion_rev_day) for e in parsed.records] == [
        (25544, 15.5), (900, 0.40393571e-3)]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (3, "missing mandatory key EPOCH"), (4, "non-numeric BSTAR: '1.0E-4x'"),
        (5, "expected 17 fields, found 2")]


def test_csv_without_required_columns() -> None:
    parsed = parse_omm_csv("A,B\n1,2\n", "h.csv")
    assert [(r.line, r.reason) for r in parsed.rejected] == [(1, (
        "header lacks required column(s) NORAD_CAT_ID, EPOCH, MEAN_MOTION, ECCENTRICITY, "
        "INCLINATION, RA_OF_ASC_NODE, ARG_OF_PERICENTER, MEAN_ANOMALY, BSTAR"))]


XML_OMM = """<omm id="CCSDS_OMM_VERS" version="2.0"><body><segment>
<metadata><OBJECT_NAME>SAT</OBJECT_NAME><OBJECT_ID>2000-001A</OBJECT_ID></metadata>
<data><meanElements><EPOCH>2024-01-01T00:00:00</EPOCH><MEAN_MOTION>15</MEAN_MOTION>
<ECCENTRICITY>.001</ECCENTRICITY><INCLINATION>51</INCLINATION><RA_OF_ASC_NODE>1</RA_OF_ASC_NODE>
<ARG_OF_PERICENTER>2</ARG_OF_PERICENTER><MEAN_ANOMALY>3</MEAN_ANOMALY></meanElements>
<tleParameters><NORAD_CAT_ID>{id}</NORAD_CAT_ID><BSTAR>{bstar}</BSTAR></tleParameters>
</data></segment></body></omm>
"""


def test_xml_namespaces_and_bad_record() -> None:
    doc = ('<?xml version="1.0"?>\n<n:ndm xmlns:n="urn:x">\n'
           + XML_OMM.format(id=1, bstar="1e-4").replace("<omm", "<n:omm").replace(
               "</omm>", "</n:omm>")
           + XML_OMM.format(id=2, bstar="x") + XML_OMM.format(id=3, bstar="0") + "</n:ndm>\n")
    parsed = parse_omm_xml(doc, "o.xml")
    assert [e.norad_id for e in parsed.records] == [1, 3]
    assert [(r.line, r.reason) for r in parsed.rejected] == [(10, "non-numeric BSTAR: 'x'")]


def test_xml_not_well_formed_keeps_the_good_blocks() -> None:
    doc = ("<ndm>\n" + XML_OMM.format(id=1, bstar="0")
           + XML_OMM.format(id=2, bstar="0").replace("</EPOCH>", "</EPOCHX>")
           + XML_OMM.format(id=3, bstar="0") + "</ndm>\n")
    parsed = parse_omm_xml(doc, "b.xml")
    assert [e.norad_id for e in parsed.records] == [1, 3]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (9, "XML is not well-formed at line 11: mismatched tag")]


KVN = """CCSDS_OMM_VERS = 2.0
COMMENT made by hand
CREATION_DATE = 2024-01-02T00:00:00
ORIGINATOR = ME
OBJECT_NAME = SAT [A]
OBJECT_ID = 2000-001A
EPOCH = 2024-01-01T00:00:00
MEAN_MOTION = 15.0 [rev/day]
ECCENTRICITY = .001
INCLINATION =51.0 [deg]
RA_OF_ASC_NODE = 1
ARG_OF_PERICENTER = 2
MEAN_ANOMALY = 3
NORAD_CAT_ID = {id}
BSTAR = {bstar}
"""


def test_kvn_multiple_messages_and_bad_ones() -> None:
    text = (KVN.format(id=1, bstar="1e-4") + "\n" + KVN.format(id=2, bstar="1e-4").replace(
        "EPOCH = 2024-01-01T00:00:00", "EPOCH = yesterday") + KVN.format(id=3, bstar="0")
        + KVN.format(id=4, bstar="0").replace("COMMENT made by hand", "garbage line"))
    parsed = parse_omm_kvn(text, "o.kvn")
    assert [(e.norad_id, e.object_name, e.inclination_deg) for e in parsed.records] == [
        (1, "SAT [A]", 51.0), (3, "SAT [A]", 51.0)]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (17, "bad epoch 'yesterday' (expected YYYY-MM-DDThh:mm:ss.ffffff)"),
        (47, "line 48: not KEY = VALUE: 'garbage line'")]


def test_kvn_messages_without_version_line_split_on_repeated_key() -> None:
    one = KVN.format(id=1, bstar="0").split("\n", 1)[1]
    assert [e.norad_id for e in parse_omm_kvn(one + one.replace("= 1\nBSTAR", "= 9\nBSTAR"),
                                              "k").records] == [1, 9]


SATCAT_ROW = {"INTLDES": "1958-002B", "NORAD_CAT_ID": "5", "OBJECT_TYPE": "PAYLOAD",
              "SATNAME": "VANGUARD 1", "COUNTRY": "US", "LAUNCH": "1958-03-17", "SITE": "AFETR",
              "DECAY": None, "PERIOD": "132.61", "INCLINATION": "34.26", "APOGEE": "3822",
              "PERIGEE": "650", "RCS_SIZE": "SMALL", "OBJECT_NAME": "VANGUARD 1",
              "OBJECT_ID": "1958-002B", "OBJECT_NUMBER": "5"}


def test_satcat_json_and_bad_rows() -> None:
    rows = [SATCAT_ROW, SATCAT_ROW | {"LAUNCH": "17 Mar 1958"}, SATCAT_ROW | {"PERIOD": "?"},
            SATCAT_ROW | {"NORAD_CAT_ID": None, "OBJECT_NUMBER": None}]
    parsed = parse_satcat(json.dumps(rows), "s.json")
    [entry] = parsed.records
    assert (entry.norad_id, entry.launch_date, entry.decay_date, entry.apogee_km,
            entry.rcs_size) == (5, date(1958, 3, 17), None, 3822.0, "SMALL")
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (2, "record 2: bad LAUNCH date '17 Mar 1958' (expected YYYY-MM-DD)"),
        (3, "record 3: non-numeric PERIOD: '?'"),
        (4, "record 4: missing mandatory key NORAD_CAT_ID")]


def test_celestrak_satcat_csv() -> None:
    text = ("OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,OPS_STATUS_CODE,OWNER,LAUNCH_DATE,"
            "LAUNCH_SITE,DECAY_DATE,PERIOD,INCLINATION,APOGEE,PERIGEE,RCS,DATA_STATUS_CODE,"
            "ORBIT_CENTER,ORBIT_TYPE\n"
            "VANGUARD 1,1958-002B,5,PAY,,US,1958-03-17,AFETR,,132.61,34.26,3822,650,0.0855,,"
            "EA,ORB\n")
    assert detect_format(text.encode(), "satcat.csv") == "satcat"
    [entry] = parse_satcat(text, "satcat.csv").records
    assert (entry.object_type, entry.country, entry.rcs_size) == ("PAYLOAD", "US", "SMALL")


def test_cara_rows() -> None:
    text = ("ObjectID,HBR,HBRSigma,HBRSource,Mass,MassSigma,MassSource\n"
            "1,,0,DISCOS DB,,0,DISCOS DB\n"
            "270001,0.5,0.1,SFK RCS Estimate,12.5,3,SFK RCS Estimate\n"
            "x,1,1,a,1,1,a\n2,big,0,a,,0,a\n3,1\n")
    parsed = parse_cara(text, "c.csv")
    assert [(e.norad_id, e.hbr_m, e.mass_kg, e.hbr_source) for e in parsed.records] == [
        (1, None, None, "DISCOS DB"), (270001, 0.5, 12.5, "SFK RCS Estimate")]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (4, "non-integer ObjectID: 'x'"), (5, "non-numeric HBR: 'big'"),
        (6, "expected 7 fields, found 2")]


GCAT_HEADER = ("#JCAT\tPiece\tName\tLDate\tTLast\tTOp\tTDate\tTF\tProgram\tPlane\tAtt\tMvr\t"
               "Class\tCategory\tResult\tControl\tDiscipline\tUNState\tUNReg\tUNPeriod\tUNPerigee\t"
               "UNApogee\tUNInc\tDispEpoch\tDispPeri\tDispApo\tDispInc\tComment")


def gcat_row(jcat: str, ldate: str, top: str) -> str:
    return "\t".join([jcat, "1957 ALP 2", "Sat", ldate, "1957 Oct 27", top, "2023 Jan 12 0400?"]
                     + ["-"] * 20 + ["First"])


def test_gcat_rows_and_dates() -> None:
    text = "\n".join([GCAT_HEADER, "# Updated 2025 Jul 30", gcat_row("S00002", "1957 Oct  4 ", "*"),
                      gcat_row("S00003", "someday", "-"), "S4\tshort",
                      gcat_row("A00001", "1990s?", "2010 Q3?")]) + "\n"
    parsed = parse_gcat(text, "g.tsv")
    assert [(p.jcat, p.norad_id, p.launch_date, p.operation_end, p.operation_ongoing, p.end_date)
            for p in parsed.records] == [
        ("S00002", 2, date(1957, 10, 4), None, True, date(2023, 1, 12)),
        ("A00001", None, date(1990, 1, 1), date(2010, 7, 1), False, date(2023, 1, 12))]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (4, "bad LDate: 'someday' is not a GCAT date"), (5, "expected 28 fields, found 2")]
    assert parse_gcat("S1\tx\n", "n.tsv").rejected[0].reason == (
        "no #JCAT header line before the data")


@pytest.mark.parametrize(("text", "expected"), [
    ("1957 Oct  4", date(1957, 10, 4)), ("2023 Jan 12 0400?", date(2023, 1, 12)),
    ("2023 Jan 12 0400:15", date(2023, 1, 12)), ("2001 Mar?", date(2001, 3, 1)),
    ("2001?", date(2001, 1, 1)), ("2025 jan  3?", date(2025, 1, 3)), ("-", None), ("*", None)])
def test_gcat_dates(text: str, expected: date | None) -> None:
    assert parse_gcat_date(text) == expected


def test_detect_format_errors() -> None:
    with pytest.raises(FormatError, match=r"^x\.txt: cannot detect the format"):
        detect_format(b"hello world\n", "x.txt")
    with pytest.raises(FormatError, match=r"^x: JSON with neither OMM keys"):
        detect_format(b'[{"A": 1}]', "x")
    with pytest.raises(FormatError, match=r"^unknown format 'tle3'; expected one of auto, tle"):
        parse_bytes(b"", "x", "tle3")


def test_detect_format_by_content_not_extension() -> None:
    assert detect_format(json.dumps([GOOD]).encode(), "data.txt") == "omm-json"
    assert detect_format(json.dumps([SATCAT_ROW]).encode(), "data.json") == "satcat"
    assert detect_format(KVN.encode(), "x.json") == "omm-kvn"
    assert detect_format(XML_OMM.encode(), "x") == "omm-xml"
    assert detect_format((CSV_HEADER + "\n").encode(), "x") == "omm-csv"
