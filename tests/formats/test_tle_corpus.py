"""Malformed-input corpus for the TLE reader: every failure kind, with exact expected reports."""

from __future__ import annotations

import pytest

from sweepers.formats import checksum, parse_bytes, parse_tle
from sweepers.records import Rejected

# Two real, valid records (VANGUARD 1 and 2, Space-Track 3LE 2023-10).
N1 = "0 VANGUARD 1"
A1 = "1 00005U 58002B   23282.54072583  .00000274  00000-0  37082-3 0  9997"
A2 = "2 00005  34.2426 102.8218 1844295  34.3480 336.3609 10.85092911336586"
N2 = "0 VANGUARD 2"
B1 = "1 00011U 59001A   23282.45536547  .00000769  00000-0  38457-3 0  9995"
B2 = "2 00011  32.8753 192.6096 1461832 242.1575 102.3451 11.87333740418574"


def fixed(line: str) -> str:
    """The line with a correct checksum (so a test isolates one fault)."""
    return line[:68] + str(checksum(line))


def run(lines: list[str], **kwargs: bool) -> tuple[list[int], list[tuple[int, str]]]:
    parsed = parse_tle("\r\n".join(lines) + "\r\n", "t.tle", **kwargs)
    assert all(r.source == "t.tle" for r in parsed.rejected)
    return [e.norad_id for e in parsed.records], [(r.line, r.reason) for r in parsed.rejected]


CASES = {
    "checksum line 1": ([N1, A1[:68] + "3", A2, N2, B1, B2],
                        [(1, "checksum mismatch on line 1 (expected 7, found 3)")]),
    "checksum line 2": ([N1, A1, A2[:68] + "0", N2, B1, B2],
                        [(1, "checksum mismatch on line 2 (expected 6, found 0)")]),
    "truncated line 1": ([N1, A1[:60], A2, N2, B1, B2],
                         [(1, "line 1 is truncated (60 characters, expected 69)")]),
    "truncated line 2": ([N1, A1, A2[:40], N2, B1, B2],
                         [(1, "line 2 is truncated (40 characters, expected 69)")]),
    "too long": ([N1, A1, A2 + "  12.0", N2, B1, B2],
                 [(1, "line 2 is too long (75 characters, expected 69)")]),
    "catalog mismatch": ([N1, A1, B2, N2, B1, B2],
                         [(1, "catalog number mismatch: line 1 has 00005, line 2 has 00011")]),
    "non-numeric BSTAR": ([N1, fixed(A1.replace("37082-3", "3708X-3")), A2, N2, B1, B2],
                          [(1, "non-numeric BSTAR on line 1 (columns 54-61): ' 3708X-3'")]),
    "non-numeric epoch": ([N1, fixed(A1.replace("23282.5", "23282,5")), A2, N2, B1, B2],
                          [(1, "non-numeric epoch day on line 1 (columns 21-32): "
                               "'282,54072583'")]),
    "non-numeric mean motion": ([N1, A1, fixed(A2.replace("10.8509", "1O.8509")), N2, B1, B2],
                                [(1, "non-numeric MEAN_MOTION on line 2 (columns 53-63): "
                                     "'1O.85092911'")]),
    "bad catalog number": ([N1, fixed("1 0O005" + A1[7:]), A2, N2, B1, B2],
                           [(1, "non-numeric catalog number on line 1 (columns 3-7): '0O005'")]),
    "bad classification": ([N1, fixed(A1[:7] + "X" + A1[8:]), A2, N2, B1, B2],
                           [(1, "invalid classification on line 1 (column 8): 'X'")]),
    "bad designator": ([N1, fixed(A1.replace("58002B  ", "5800 2B ")), A2, N2, B1, B2],
                       [(1, "invalid international designator on line 1 (columns 10-17): "
                            "'5800 2B '")]),
    "missing blank": ([N1, fixed(A1[:17] + "x" + A1[18:]), A2, N2, B1, B2],
                      [(1, "expected a blank at column 18 of line 1, found 'x'")]),
    "epoch day out of range": ([N1, fixed(A1.replace("23282.", "23366.")), A2, N2, B1, B2],
                               [(1, "epoch day 366 is out of range for 2023 on line 1 "
                                    "(columns 19-32): '23366.54072583'")]),
    "orphan line 1": ([N1, A1, N2, B1, B2], [(1, "line 1 is not followed by a line 2")]),
    "orphan line 2": ([N1, A2, N2, B1, B2], [(1, "line 2 without a preceding line 1")]),
    "orphan line 1 at end": ([N2, B1, B2, N1, A1], [(4, "line 1 is not followed by a line 2")]),
    "two line 1s": ([A1, B1, B2], [(1, "line 1 is not followed by a line 2")]),
    "orphan name": ([N1, N2, B1, B2],
                    [(1, "name line '0 VANGUARD 1' is not followed by TLE lines 1 and 2")]),
    "junk run": ([N1, A1, A2, "hello", "world", "!!", N2, B1, B2],
                 [(4, "lines 4-6 are not TLE lines (3 lines of unrecognised text)")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_corpus_case(name: str) -> None:
    lines, expected = CASES[name]
    ids, rejected = run(lines)
    assert rejected == expected
    assert ids[-1] == 11  # the good record after the bad one is kept (resynchronised)


def test_all_cases_in_one_file_keep_every_good_record() -> None:
    lines: list[str] = []
    for bad_lines, _ in CASES.values():
        lines += bad_lines
    ids, rejected = run(lines)
    assert len(rejected) == len(CASES)
    assert ids.count(11) == len(CASES)


def test_undecodable_bytes_reported_and_rest_kept() -> None:
    data = "\r\n".join([N1, A1, A2, "", N2, B1, B2]).encode()
    data = data.replace(b"VANGUARD 1", b"VA\xffGUARD 1").replace(b"59001A", b"59001\xfe")
    parsed = parse_tle(data, "u.tle")
    # the damaged name line is reported and the element set after it kept, without a name
    assert [(e.norad_id, e.object_name) for e in parsed.records] == [(5, None)]
    assert parsed.rejected == [
        Rejected("u.tle", 1, "damaged text (line 1: undecodable byte 0xff at column 5 (not "
                             "UTF-8)) is not followed by TLE lines 1 and 2"),
        Rejected("u.tle", 5, "line 1 (line 6): undecodable byte 0xfe at column 15 (not UTF-8)"),
    ]
    ok = parse_tle(data.replace(b"\xfe", b"A"), "u.tle")
    assert [e.norad_id for e in ok.records] == [5, 11]


def test_binary_junk_in_the_middle() -> None:
    junk = bytes(range(256)) * 3  # holds three LF bytes: four lines of junk
    head, tail = ("\n".join(lines).encode() for lines in ([N1, A1, A2], [N2, B1, B2]))
    data = head + b"\n" + junk + b"\n" + tail
    parsed = parse_tle(data, "j.tle")
    assert [e.norad_id for e in parsed.records] == [5, 11]
    assert parsed.rejected == [Rejected(
        "j.tle", 4, "lines 4-7 are not TLE lines (4 lines of unrecognised text; "
        "line 4: control character U+0000 at column 1)")]


def test_binary_file_auto_is_a_format_error() -> None:
    from sweepers.errors import FormatError

    with pytest.raises(FormatError, match=r"^junk\.bin: binary data, not a text format \(61% "):
        parse_bytes(bytes(range(256)) * 40, "junk.bin")


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"   \n"])
def test_empty_file_is_zero_records_zero_rejections(data: bytes) -> None:
    for fmt in ("auto", "tle"):
        parsed = parse_bytes(data, "e.tle", fmt)
        assert parsed.records == [] and parsed.rejected == []


def test_all_bad_file() -> None:
    ids, rejected = run([N1, A1[:68] + "0", A2, N2, B1, A2])
    assert ids == []
    assert rejected == [
        (1, "checksum mismatch on line 1 (expected 7, found 0)"),
        (4, "catalog number mismatch: line 1 has 00011, line 2 has 00005"),
    ]


def test_two_line_lf_and_comment_lines() -> None:
    parsed = parse_tle("# a comment\n" + "\n".join([A1, A2, B1, B2]) + "\n", "2le")
    assert [(e.norad_id, e.object_name) for e in parsed.records] == [(5, None), (11, None)]
    assert parsed.rejected == []


def test_sgp4_ver_option_allows_extra_columns_only_when_asked() -> None:
    lines = [A1, A2 + "      0.0      4320.0        360.00"]
    assert run(lines) == ([], [(1, "line 2 is too long (104 characters, expected 69)")])
    assert run(lines, sgp4_ver=True) == ([5], [])
