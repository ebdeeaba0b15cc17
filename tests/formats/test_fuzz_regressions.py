"""One test per crash that fuzzing found (``fuzz_targets``, ``benchmarks/fuzz.py``), with its input.

Each input is the found one, reduced to what triggers it, built on the real sample it came from.
The docstring of each test says what the reader did on main at 70ba30a. The slow cases are sized
so that the old quadratic or worse behaviour would take minutes while the fixed reader takes
milliseconds (no timed assertion: a regression shows as a hung test run).
"""

from __future__ import annotations

import json

import fuzz_targets as targets
import pytest

from sweepers.errors import FormatError
from sweepers.formats import cdm, oem, parse_bytes, parse_omm_json, parse_omm_kvn, parse_tle
from sweepers.gtoc9.solution import parse_mission
from sweepers.salvage.planner.ship import ShipError, loads_ship


def _seed(name: str, k: int = 0) -> targets.Seed:
    return targets.seeds(name)[k]


def _replace_chunk(seed: targets.Seed, hit: int, chunk: bytes) -> bytes:
    chunks = list(seed.chunks)
    chunks[hit] = chunk
    return seed.join(chunks)


def _kept_all_but(name: str, seed: targets.Seed, hit: int, chunk: bytes) -> None:
    data = _replace_chunk(seed, hit, chunk)
    assert targets.check(name, data, seed, hit, chunk) is None


# ----------------------------------------------------------------------------------- CDM KVN


def _cdm_with(line_key: str, new_line: str) -> str:
    text = (targets.data_dir() / "pc-reference/cdm/SampleCDMs/AlfanoTestCase01.cdm").read_text()
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(line_key))
    lines[at] = new_line
    return "\n".join(lines)


def test_cdm_hbr_comment_with_a_long_digit_run() -> None:
    """main: the HBR comment regex backtracked for minutes (the fuzzed file never finished)."""
    text = _cdm_with("COMMENT", "COMMENT HBR" + " " * 23 + "1" * 5000 + " x")
    message = cdm.loads(text, "a.cdm")
    assert message.hbr_m is None  # not an HBR comment: kept as a comment
    comments = [*message.header_comments, *message.relative_comments,
                *(c for o in message.objects for c in o.comments)]
    assert sum(c.endswith("1 x") for c in comments) == 1


def test_cdm_value_of_brackets() -> None:
    """main: the unit-tail regex took 5.4 s for 20,000 ``[`` and ``]`` (quadratic)."""
    text = _cdm_with("ORIGINATOR", "ORIGINATOR = " + "[" * 50_000 + "]" * 50_000)
    assert cdm.loads(text, "a.cdm").originator == "[" * 50_000 + "]" * 50_000  # no unit in it
    text = _cdm_with("ORIGINATOR", "ORIGINATOR = JSPOC [x]")
    assert cdm.loads(text, "a.cdm").originator == "JSPOC"


@pytest.mark.parametrize("reader", ["cdm", "oem"])
def test_deep_xml_is_a_format_error(reader: str) -> None:
    """main: ``RecursionError`` from the recursive tree walk (CDM) and ``_Node.find`` (OEM)."""
    module = cdm if reader == "cdm" else oem
    with pytest.raises(FormatError, match="nested deeper than 64 levels"):
        module.loads_xml(f"<{reader}>" + "<a>" * 5000 + "</a>" * 5000 + f"</{reader}>")


# -------------------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("data", [
    "[" * 100_000,  # main: RecursionError
    '[{"NORAD_CAT_ID": ' + "9" * 5000 + "}]",  # main: ValueError (int digit limit)
])
def test_json_that_python_cannot_hold_is_a_rejection(data: str) -> None:
    parsed = parse_omm_json(data, "x.json")
    assert parsed.records == [] and len(parsed.rejected) == 1


def test_json_integer_beyond_float_range_is_a_rejection() -> None:
    """main: ``OverflowError: int too large to convert to float`` (a MEAN_MOTION of 400 digits)."""
    seed = _seed("omm-json")
    obj = json.loads(seed.chunks[1])
    obj["MEAN_MOTION"] = 10**400
    _kept_all_but("omm-json", seed, 1, json.dumps(obj).encode())


@pytest.mark.parametrize("chunk", [b"", b"}]x", b'{"OBJECT_NAME": "A\x00"}'])
@pytest.mark.parametrize("hit", [0, 1, 3])
def test_json_damage_costs_only_its_record(chunk: bytes, hit: int) -> None:
    """main: an empty record (``[,`` / ``,,``), text after a stray ``]`` or a NUL in a string lost
    every record after it (``the rest of the input was skipped``, or silently)."""
    _kept_all_but("omm-json", _seed("omm-json"), hit, chunk)
    _kept_all_but("satcat", _seed("satcat"), hit, chunk)


@pytest.mark.parametrize("prefix", [b"[", b"[[", b"[[[["])
@pytest.mark.parametrize("hit", [0, 2])
@pytest.mark.parametrize("name", ["satcat", "omm-json"])
def test_json_stray_bracket_costs_no_record(name: str, hit: int, prefix: bytes) -> None:
    """0aee4c5: a stray ``[`` before a record (found by ``benchmarks/fuzz.py``, satcat, 2026-12-07:
    ``,\n[{"INTLDES": "2024-041K", …``) made the records after it one nested array, rejected
    whole as "expected a JSON object, found list": the good record after it was lost."""
    seed = _seed(name, 1 if name == "satcat" else 0)
    chunk = prefix + seed.chunks[hit]
    _kept_all_but(name, seed, hit, chunk)
    parsed = parse_bytes(_replace_chunk(seed, hit, chunk), "s.json", name)
    if prefix == b"[":  # the array closes at the end: every record, the damaged one too, is read
        assert len(parsed.records) == len(seed.chunks)
        assert any("stray '['" in r.reason for r in parsed.rejected)
    else:  # the inner array never closes: only the damaged record is rejected
        assert len(parsed.records) == len(seed.chunks) - 1
        assert [r.line for r in parsed.rejected] == [hit + 1]


def test_json_stray_bracket_found_by_the_fuzzer() -> None:
    """The found input itself (satcat seed 1, chunk 2 with ``[`` and a fullwidth digit)."""
    seed = _seed("satcat", 1)
    fullwidth_one = "\uff11".encode()
    chunk = b"[" + seed.chunks[2].replace(b'"RCS_SIZE": "LARGE"',
                                          b'"RCS_SIZE": "LAR' + fullwidth_one + b'GE"')
    _kept_all_but("satcat", seed, 2, chunk)


@pytest.mark.parametrize("space", ["\u0085", "\u2028", "\u00a0", "\u3000", "\x0c"])
@pytest.mark.parametrize("name", [n for n in targets.READER_NAMES if targets.reader(n).multi])
def test_a_record_of_unicode_space_is_reported(name: str, space: str) -> None:
    """0f8ca5f: a record replaced by a line of U+0085 (NEL; found by ``benchmarks/fuzz.py``,
    cara-mass, 2026-12-07) vanished unreported: the readers took ``str.strip()`` (which removes
    Unicode spaces) for their blank-line test. Now only ASCII blanks make a blank line."""
    seed = _seed(name)
    _kept_all_but(name, seed, 1, space.encode())


# --------------------------------------------------------------------------------------- TLE


def test_damaged_line_is_not_the_name_of_the_next_pair() -> None:
    """main: in a 2LE, line 2 of a record cut to ``0121022 287.4143 …`` became the name of the
    next element set; with a NUL in front (``\\x002 00329 …``) the next set was rejected."""
    seed = next(s for s in targets.seeds("tle") if not s.names)
    line1, line2 = seed.chunks[1].split(b"\n")
    for damaged in (line2[26:], b"\x00" + line2):
        data = _replace_chunk(seed, 1, line1 + b"\n" + damaged)
        parsed = parse_tle(data)
        assert parsed.records == [e for i, es in enumerate(seed.expected) if i != 1 for e in es]
        assert all(e.object_name is None for e in parsed.records)
        assert len(parsed.rejected) == 2  # line 1 without its line 2; the damaged line


# ------------------------------------------------------------------------------------ OMM KVN


@pytest.mark.parametrize(("hit", "edit"), [
    (3, lambda m: m[:3]),  # the last message cut to "CCS": took the message before with it
    (2, lambda m: m.replace(b"CCSDS_OMM_VERS = 2.0", b"CCSDS_OMM_VERS\x00= 2.0")),
    (1, lambda m: m.replace(b"CCSDS_OMM_VERS = 2.0\n", b"CCSDS_OMM_FERS = 2.0\n\x00")),
    (1, lambda m: m.replace(b"CCSDS_OMM_VERS = 2.0", b"CCSDS_DS_OMM_VERS = 2OMM_VE")[:40]),
])
def test_kvn_bad_line_belongs_to_its_own_message(hit: int, edit: object) -> None:
    """main: a bad line between two messages was charged to the message before it (a good
    record lost), or a cut message merged into the one before (dropped silently)."""
    seed = _seed("omm-kvn")
    chunk = edit(seed.chunks[hit])  # type: ignore[operator]
    _kept_all_but("omm-kvn", seed, hit, chunk)
    assert len(parse_omm_kvn(_replace_chunk(seed, hit, chunk)).rejected) == 1


# ------------------------------------------------------------------------------------ OMM XML


def test_xml_damaged_omm_tag_is_reported() -> None:
    """main: ``<omm`` re-encoded as UTF-16 hid its element: the record vanished unreported; a
    control character after the previous ``</omm>`` then also rejected that good block. A
    message cut to bare text (``Aomm id``, ``&amp;``) left a well-formed document: unreported."""
    seed = _seed("omm-xml")
    for chunk in (seed.chunks[2].replace(b"<omm ", "<omm ".encode("utf-16-le"), 1),
                  seed.chunks[2].replace(b"<omm ", b"<oXm ", 1), b"Aomm id", b"&amp;"):
        _kept_all_but("omm-xml", seed, 2, chunk)
        parsed = parse_bytes(_replace_chunk(seed, 2, chunk), "m.xml", "omm-xml")
        assert any("text outside any <omm> element" in r.reason for r in parsed.rejected)


# ------------------------------------------------------------------------------ GTOC9, ship


def test_gtoc9_undecodable_byte_spoils_one_line() -> None:
    """main: ``read_mission`` refused the whole file (``UnicodeDecodeError``) for one bad byte."""
    seed = _seed("gtoc9")
    data = _replace_chunk(seed, 1, seed.chunks[1][:10] + b"\xff" + seed.chunks[1][11:])
    mission = parse_mission(data.decode("utf-8", "surrogateescape"), "m01.txt")
    assert len(mission.events) == len(seed.chunks) - 1
    assert [str(i) for i in mission.issues] == [
        f"m01.txt:{len(seed.prefix.splitlines()) + 2}: undecodable byte 0xff at column 11 "
        "(not UTF-8)"]


@pytest.mark.parametrize(("toml", "reason"), [
    ("[orbit]\naltitude_km = " + "9" * 400, "altitude_km must be finite"),  # OverflowError
    ("months = " + "9" * 5000, "bad TOML"),  # ValueError (int digit limit)
    ("months = " + "[" * 2000, "nested too deep"),  # RecursionError
    ('[orbit]\nfrom_norad_id = "ISS"', "from_norad_id must be an integer"),  # ValueError
    ("orbit = 5", "orbit must be a table"),  # TypeError
    ("isp_s = true", "isp_s must be a number"),  # accepted as 1.0 s
    ("isp_s = inf", "isp_s must be finite"),  # accepted
])
def test_ship_file_errors_are_ship_errors(toml: str, reason: str) -> None:
    """main: each raised the exception named in the comment instead of ``ShipError``, or took
    the value."""
    with pytest.raises(ShipError, match=reason):
        loads_ship(toml, "ship.toml")


def test_ship_seed_reads() -> None:
    ship = loads_ship(targets.SHIP_TOML.decode(), "ship.toml")
    assert ship.name == "Broom" and ship.capacity == 4

