"""Two- and three-line element sets (TLE / 3LE): reader and writer.

Reading (``parse_tle``) accepts 2LE and 3LE, LF or CRLF, Space-Track name lines (``0 NAME``) and
CelesTrak ones (no prefix, padded to 24 columns; a line longer than ``MAX_NAME_LENGTH`` or holding
damaged text is reported, never taken as a name, and the element set after it is kept unnamed),
zero- or space-padded and Alpha-5 catalog numbers, ``+``/``-``/blank mantissa signs, ``+0``/``-0``
exponents, blank lines (skipped) and lines starting with ``#`` (comments, skipped). Trailing blanks
after column 69 are ignored; other text after column 69 is an error unless ``sgp4_ver=True``
(Vallado's ``SGP4-VER.TLE`` puts start, stop
and step times there). Every bad record becomes one ``Rejected`` at the line number of the
record's first line (its name line in a 3LE); reasons say "line 1" and "line 2" for the TLE's own
lines. Reading resynchronises on the next line 1, so one bad record never hides a good one.

Writing (``format_tle``, ``write_tle``) produces the canonical form, which is what a reader of
any TLE gets back byte for byte except for these normalisations (measured on the full 2023-10
Space-Track catalog, see ``tests/formats/test_real_files.py``):

1. catalog numbers are zero-padded (``1 00107U``, not ``1   107U``);
2. mantissa signs are blank or ``-``, never ``+`` (``+.00038111`` → `` .00038111``);
3. a zero exponent field is `` 00000-0`` (``00000+0`` and ``+00000+0`` become it); a non-zero
   value with exponent 0 is written ``+0`` (``50000+0``);
4. the checksum is recomputed (it changes only through rule 3);
5. a blank classification, ephemeris type, element set number or revolution number (old TLEs)
   is written ``U``, ``0``, ``0``, ``0``.

A negative zero (``-.00000000``) is kept: it survives as ``-0.0``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from math import copysign

from sweepers.errors import FormatError
from sweepers.formats._text import (
    damage,
    designator_to_object_id,
    is_blank,
    iter_lines,
    object_id_to_designator,
    to_text,
)
from sweepers.formats.alpha5 import decode_alpha5, encode_alpha5
from sweepers.records import ElementSet, Parsed, Rejected

TLE_LINE_LENGTH = 69
US_PER_DAY_FRACTION_UNIT = 864
"""A TLE epoch prints the day fraction to 1e-8 day = 864 µs exactly, so conversion is exact."""

_UNITS_PER_DAY = 100_000_000
_YEAR_START = {yy: datetime(1900 + yy if yy >= 57 else 2000 + yy, 1, 1, tzinfo=UTC)
               for yy in range(100)}


def _epoch(year_text: str, day_text: str) -> datetime:
    """UTC epoch from the TLE's two-digit year and ``DDD.DDDDDDDD`` (exact to the microsecond)."""
    base = _YEAR_START[int(year_text)]
    day, frac = int(day_text[:3]), int(day_text[4:])
    epoch = base + timedelta(days=day - 1, microseconds=frac * US_PER_DAY_FRACTION_UNIT)
    if day < 1 or epoch.year != base.year:
        raise ValueError(f"epoch day {day} is out of range for {base.year} on line 1 "
                         f"(columns 19-32): {year_text + day_text!r}")
    return epoch


def _exp_field(text: str) -> float:
    sign = "-" if text[0] == "-" else ""
    return float(f"{sign}0.{text[1:6]}e{text[6:8]}")


def _int_or_zero(text: str) -> int:
    return int(text) if text.strip() else 0


# (label, 0-based start, end, fixed-width pattern, converter or None, numeric?)
_Field = tuple[str, int, int, str, Callable[[str], object] | None, bool]
_LINE1: list[_Field] = [
    ("catalog number", 2, 7, r"[0-9A-Z ]{5}", decode_alpha5, True),
    ("classification", 7, 8, r"[UCS ]", None, False),
    ("international designator", 9, 17, r"[0-9A-Z ]{8}", designator_to_object_id, False),
    ("epoch year", 18, 20, r"\d\d", int, True),
    ("epoch day", 20, 32, r"\d{3}\.\d{8}", None, True),
    ("MEAN_MOTION_DOT", 33, 43, r"[ +-]\.\d{8}", float, True),
    ("MEAN_MOTION_DDOT", 44, 52, r"[ +-]\d{5}[+-]\d", _exp_field, True),
    ("BSTAR", 53, 61, r"[ +-]\d{5}[+-]\d", _exp_field, True),
    ("ephemeris type", 62, 63, r"[0-9 ]", _int_or_zero, True),
    ("element set number", 64, 68, r"[0-9 ]{4}", _int_or_zero, True),
    ("checksum", 68, 69, r"\d", int, True),
]
_LINE2: list[_Field] = [
    ("catalog number", 2, 7, r"[0-9A-Z ]{5}", decode_alpha5, True),
    ("INCLINATION", 8, 16, r"[ \d]{3}\.\d{4}", float, True),
    ("RA_OF_ASC_NODE", 17, 25, r"[ \d]{3}\.\d{4}", float, True),
    ("ECCENTRICITY", 26, 33, r"\d{7}", int, True),
    ("ARG_OF_PERICENTER", 34, 42, r"[ \d]{3}\.\d{4}", float, True),
    ("MEAN_ANOMALY", 43, 51, r"[ \d]{3}\.\d{4}", float, True),
    ("MEAN_MOTION", 52, 63, r"[ \d]{2}\.\d{8}", float, True),
    ("REV_AT_EPOCH", 63, 68, r"[0-9 ]{5}", _int_or_zero, True),
    ("checksum", 68, 69, r"\d", int, True),
]


def _line_regex(number: str, fields: list[_Field]) -> re.Pattern[str]:
    parts, column = [number], 1
    for _label, start, end, pattern, _conv, _num in fields:
        parts.append(" " * (start - column))
        parts.append(f"(?:{pattern})")
        column = end
    return re.compile("".join(parts))


_LINE1_RE = _line_regex("1", _LINE1)
_LINE2_RE = _line_regex("2", _LINE2)


def checksum(line: str) -> int:
    """TLE checksum of the first 68 columns: sum of digits, each ``-`` counts 1, modulo 10."""
    s = line[:68]
    return (
        s.count("1") + 2 * s.count("2") + 3 * s.count("3") + 4 * s.count("4")
        + 5 * s.count("5") + 6 * s.count("6") + 7 * s.count("7") + 8 * s.count("8")
        + 9 * s.count("9") + s.count("-")
    ) % 10


def _diagnose(line: str, which: int, fields: list[_Field]) -> str:
    """The precise reason a TLE line failed the fast path (only called on bad lines)."""
    if len(line) < TLE_LINE_LENGTH:
        return f"line {which} is truncated ({len(line)} characters, expected {TLE_LINE_LENGTH})"
    if len(line) > TLE_LINE_LENGTH:
        return f"line {which} is too long ({len(line)} characters, expected {TLE_LINE_LENGTH})"
    column = 1
    for label, start, end, pattern, conv, numeric in fields:
        for i in range(column, start):
            if line[i] != " ":
                return f"expected a blank at column {i + 1} of line {which}, found {line[i]!r}"
        column = end
        text = line[start:end]
        cols = f"column {end}" if end - start == 1 else f"columns {start + 1}-{end}"
        where = f"on line {which} ({cols}): {text!r}"
        if re.fullmatch(pattern, text) is None:
            return f"{'non-numeric' if numeric else 'invalid'} {label} {where}"
        if conv is not None:
            try:
                conv(text)
            except ValueError:
                return f"{'non-numeric' if numeric else 'invalid'} {label} {where}"
    return f"line {which} is malformed"  # unreachable for lines that failed the fast path


def parse_tle_lines(line1: str, line2: str, name: str | None = None, *,
                    verify_checksums: bool = True) -> ElementSet:
    """One ``ElementSet`` from TLE lines 1 and 2 (69 columns each, trailing blanks ignored).

    ``name`` is the 3LE line 0 with or without its ``0 `` prefix. Raises ``ValueError`` whose
    message is the precise reason (field, columns, expected vs found checksum).
    ``verify_checksums=False`` skips the checksum test (the column must still be a digit).
    """
    line1, line2 = line1.rstrip(), line2.rstrip()
    if _LINE1_RE.fullmatch(line1) is None:
        raise ValueError(_diagnose(line1, 1, _LINE1))
    if _LINE2_RE.fullmatch(line2) is None:
        raise ValueError(_diagnose(line2, 2, _LINE2))
    try:
        norad1 = decode_alpha5(line1[2:7])
        object_id = designator_to_object_id(line1[9:17])
        ndot = float(line1[33:43])
        nddot = _exp_field(line1[44:52])
        bstar = _exp_field(line1[53:61])
        eph = _int_or_zero(line1[62])
        elnum = _int_or_zero(line1[64:68])
    except ValueError:
        raise ValueError(_diagnose(line1, 1, _LINE1)) from None
    epoch = _epoch(line1[18:20], line1[20:32])
    try:
        norad2 = decode_alpha5(line2[2:7])
        inclination = float(line2[8:16])
        raan = float(line2[17:25])
        ecc = int(line2[26:33]) / 1e7
        argp = float(line2[34:42])
        anomaly = float(line2[43:51])
        n = float(line2[52:63])
        rev = _int_or_zero(line2[63:68])
    except ValueError:
        raise ValueError(_diagnose(line2, 2, _LINE2)) from None
    for which, line in ((1, line1), (2, line2)) if verify_checksums else ():
        expected = checksum(line)
        if int(line[68]) != expected:
            raise ValueError(
                f"checksum mismatch on line {which} (expected {expected}, found {line[68]})"
            )
    if norad1 != norad2:
        raise ValueError(
            f"catalog number mismatch: line 1 has {line1[2:7].strip()}, "
            f"line 2 has {line2[2:7].strip()}"
        )
    return ElementSet(
        norad_id=norad1,
        epoch=epoch,
        mean_motion_rev_day=n,
        eccentricity=ecc,
        inclination_deg=inclination,
        raan_deg=raan,
        arg_pericenter_deg=argp,
        mean_anomaly_deg=anomaly,
        bstar=bstar,
        mean_motion_dot=ndot,
        mean_motion_ddot=nddot,
        object_name=_clean_name(name),
        object_id=object_id,
        classification=line1[7] if line1[7] != " " else "U",
        ephemeris_type=eph,
        element_set_no=elnum,
        rev_at_epoch=rev,
    )


def _clean_name(line: str | None) -> str | None:
    if line is None:
        return None
    if line == "0" or line.startswith("0 "):
        line = line[2:]
    return line.strip() or None


MAX_NAME_LENGTH = 30
"""Longest line 0 (after ``0 ``) read as a name. Space-Track and CelesTrak print names in 24
columns (CelesTrak's GP format page: "Name of Satellite [24 characters]"; the bundled catalogs
hold none longer); a longer line is damaged TLE text, not a name, and must not become the name
of the next element set."""


def _is_name_line(line: str) -> bool:
    """Whether ``line`` can be a 3LE line 0: at most ``MAX_NAME_LENGTH`` characters, undamaged."""
    name = line[2:] if line == "0" or line.startswith("0 ") else line
    return len(name.rstrip()) <= MAX_NAME_LENGTH and damage(line) is None


_Pending = tuple[int, str]  # (line number, text)


def parse_tle(data: bytes | str, source: str = "<memory>", *, sgp4_ver: bool = False,
              verify_checksums: bool = True) -> Parsed[ElementSet]:
    """Every element set of a 2LE or 3LE text, and every bad record with its reason.

    ``sgp4_ver=True`` ignores columns after 69 (Vallado's ``SGP4-VER.TLE``; note that its
    hand-edited error cases 33333–33335 also carry wrong line-1 checksums, so loading all 33 cases
    needs ``verify_checksums=False`` too). An empty input gives zero records and zero rejections.
    Never raises on content.
    """
    text = to_text(data)
    out: Parsed[ElementSet] = Parsed()
    reject = out.rejected.append
    name: _Pending | None = None
    line1: _Pending | None = None
    junk: list[_Pending] = []  # consecutive lines that belong to no record

    def flush_junk() -> None:
        if not junk:
            return
        first, last = junk[0][0], junk[-1][0]
        bad = next((f"line {n}: {r}" for n, t in junk if (r := damage(t))), None)
        if len(junk) == 1:
            line = junk[0][1].strip()
            what = (f"damaged text ({bad})" if bad else f"name line {line!r}"
                    if _is_name_line(line) else f"text {line[:40]!r}")
            reject(Rejected(source, first, f"{what} is not followed by TLE lines 1 and 2"))
        else:
            what = f"; {bad}" if bad else ""
            reject(Rejected(source, first,
                            f"lines {first}-{last} are not TLE lines "
                            f"({len(junk)} lines of unrecognised text{what})"))
        junk.clear()

    for number, raw in iter_lines(text):
        head = raw[:2]
        if head == "1 ":
            flush_junk()
            if line1 is not None:
                first = name[0] if name else line1[0]
                reject(Rejected(source, first, "line 1 is not followed by a line 2"))
                name = None
            line1 = (number, raw)
        elif head == "2 ":
            flush_junk()
            if line1 is None:
                first = name[0] if name else number
                reject(Rejected(source, first, "line 2 without a preceding line 1"))
                name = None
                continue
            first = name[0] if name else line1[0]
            l1, l2 = line1[1], raw
            if sgp4_ver:
                l1, l2 = l1[:TLE_LINE_LENGTH], l2[:TLE_LINE_LENGTH]
            try:
                for label, at, t in (("line 1", line1[0], l1), ("line 2", number, l2)):
                    if (bad := damage(t)) is not None:
                        raise ValueError(f"{label} (line {at}): {bad}")
                out.records.append(parse_tle_lines(l1, l2, name[1] if name else None,
                                                   verify_checksums=verify_checksums))
            except ValueError as exc:
                reject(Rejected(source, first, str(exc)))
            name = line1 = None
        elif is_blank(raw) or raw.startswith("#"):
            continue
        else:
            if line1 is not None:
                first = name[0] if name else line1[0]
                reject(Rejected(source, first, "line 1 is not followed by a line 2"))
                line1 = None
            elif name is not None:
                junk.append(name)
            name = (number, raw)
            if not _is_name_line(raw):
                junk.append(name)
                name = None
    if line1 is not None:
        flush_junk()
        first = name[0] if name else line1[0]
        reject(Rejected(source, first, "line 1 is not followed by a line 2"))
    elif name is not None:
        junk.append(name)
    flush_junk()
    out.rejected.sort(key=lambda r: r.line)
    return out


def _exp_text(value: float, label: str) -> str:
    """Eight-column implied-decimal field ``±MMMMM±E`` (value = ±0.MMMMM × 10^±E)."""
    sign = "-" if copysign(1.0, value) < 0 else " "
    magnitude = abs(value)
    if magnitude == 0.0:
        return f"{sign}00000-0"
    mantissa, exponent = f"{magnitude:.4e}".split("e")
    exp = int(exponent) + 1
    digits = mantissa.replace(".", "")
    if exp > 9:
        raise FormatError(f"{label} {value!r} is too large for a TLE (|value| < 1e9)")
    if exp < -9:  # below 1e-10: denormalised mantissa at exponent -9, possibly zero
        k = round(magnitude * 1e14)
        if k == 0:
            return f"{sign}00000-0"
        digits, exp = f"{k:05d}", -9
    return f"{sign}{digits}{'-' if exp < 0 else '+'}{abs(exp)}"


def _epoch_text(epoch: datetime) -> str:
    """``YYDDD.DDDDDDDD`` rounded half-up to 1e-8 day (864 µs)."""
    epoch = epoch.astimezone(UTC) if epoch.tzinfo else epoch.replace(tzinfo=UTC)
    start = datetime(epoch.year, 1, 1, tzinfo=UTC)
    delta = epoch - start
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    units = (micros + US_PER_DAY_FRACTION_UNIT // 2) // US_PER_DAY_FRACTION_UNIT
    day, frac = divmod(units, _UNITS_PER_DAY)
    year = epoch.year
    if start.replace(year=year + 1) - start <= timedelta(days=day):  # rounded into next year
        year, day = year + 1, 0
    if not 1957 <= year <= 2056:
        raise FormatError(f"epoch {epoch.isoformat()} is outside the TLE years 1957-2056")
    return f"{year % 100:02d}{day + 1:03d}.{frac:08d}"


def _fixed(value: float, width: int, decimals: int, label: str) -> str:
    text = f"{value:{width}.{decimals}f}"
    if len(text) != width or value < 0:
        raise FormatError(f"{label} {value!r} does not fit a TLE field of {width} columns")
    return text


def format_tle(element_set: ElementSet) -> tuple[str, str]:
    """Canonical TLE lines 1 and 2 (69 columns each, checksums included) for one element set.

    REV_AT_EPOCH is written modulo 100,000 and ELEMENT_SET_NO modulo 10,000 (the field widths,
    as the TLE format itself wraps them). Raises ``FormatError`` for a value a TLE cannot hold:
    catalog number above 339,999, epoch outside 1957–2056, eccentricity ≥ 1, |ṅ/2| ≥ 1, ….
    """
    es = element_set
    try:
        satnum = encode_alpha5(es.norad_id)
        designator = object_id_to_designator(es.object_id)
    except ValueError as exc:
        raise FormatError(str(exc)) from None
    if es.classification not in ("U", "C", "S"):
        raise FormatError(f"classification {es.classification!r} is not U, C or S")
    ndot_units = round(abs(es.mean_motion_dot) * 1e8)
    if ndot_units >= _UNITS_PER_DAY:
        raise FormatError(f"MEAN_MOTION_DOT {es.mean_motion_dot!r} is too large for a TLE")
    ndot = f"{'-' if copysign(1.0, es.mean_motion_dot) < 0 else ' '}.{ndot_units:08d}"
    if not 0 <= es.ephemeris_type <= 9:
        raise FormatError(f"EPHEMERIS_TYPE {es.ephemeris_type} is not one digit")
    line1 = (
        f"1 {satnum}{es.classification} {designator} {_epoch_text(es.epoch)} {ndot} "
        f"{_exp_text(es.mean_motion_ddot, 'MEAN_MOTION_DDOT')} {_exp_text(es.bstar, 'BSTAR')} "
        f"{es.ephemeris_type} {es.element_set_no % 10_000:4d}"
    )
    ecc_units = round(es.eccentricity * 1e7)
    if not 0 <= ecc_units < 10_000_000:
        raise FormatError(f"ECCENTRICITY {es.eccentricity!r} is outside 0 <= e < 1")
    line2 = (
        f"2 {satnum} {_fixed(es.inclination_deg, 8, 4, 'INCLINATION')} "
        f"{_fixed(es.raan_deg, 8, 4, 'RA_OF_ASC_NODE')} {ecc_units:07d} "
        f"{_fixed(es.arg_pericenter_deg, 8, 4, 'ARG_OF_PERICENTER')} "
        f"{_fixed(es.mean_anomaly_deg, 8, 4, 'MEAN_ANOMALY')} "
        f"{_fixed(es.mean_motion_rev_day, 11, 8, 'MEAN_MOTION')}{es.rev_at_epoch % 100_000:5d}"
    )
    return line1 + str(checksum(line1)), line2 + str(checksum(line2))


def write_tle(records: Iterable[ElementSet], *, three_line: bool = True,
              name_style: str = "spacetrack", newline: str = "\n") -> str:
    """TLE text for element sets, one record after another, ending with ``newline``.

    ``three_line`` adds a name line: ``name_style="spacetrack"`` writes ``0 NAME``,
    ``"celestrak"`` writes the name padded to 24 columns. A record without a name gets ``0 ``
    (Space-Track style) or a blank line (CelesTrak style; a reader skips it).
    Raises ``FormatError`` for a record a TLE cannot hold (see ``format_tle``).
    """
    if name_style not in ("spacetrack", "celestrak"):
        raise FormatError(f"name_style must be 'spacetrack' or 'celestrak', not {name_style!r}")
    lines: list[str] = []
    for es in records:
        if three_line:
            name = es.object_name or ""
            lines.append(f"0 {name}" if name_style == "spacetrack" else name.ljust(24))
        lines.extend(format_tle(es))
    return "".join(line + newline for line in lines)
