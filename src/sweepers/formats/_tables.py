"""Record containers shared by several formats: JSON arrays of objects and CSV tables.

Both return ``(number, mapping)`` pairs plus the rejections found at container level, so each
format module only maps one record's keys to one record type. Nothing here raises on content.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sweepers.formats._text import damage, is_blank, iter_lines, to_text
from sweepers.records import Parsed, Rejected

T = TypeVar("T")
Row = dict[str, Any]


_WS = " \t\r\n"
_NEXT_OBJECT = re.compile(r",[ \t\r\n]*(?=\{)")
_BOUNDARY = re.compile(r"\}[ \t\r\n]*,[ \t\r\n]*\{")


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _decode_one(decoder: json.JSONDecoder, text: str, i: int) -> tuple[Any, int]:
    """One JSON value at ``i``; every failure is a ``JSONDecodeError`` (with a position).

    ``json`` raises plain ``ValueError`` for integers longer than Python's digit limit and
    ``RecursionError`` for very deep nesting: both are bad input, not a crash.
    """
    try:
        return decoder.raw_decode(text, i)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise json.JSONDecodeError(f"unreadable value ({exc})", text, i) from None
    except RecursionError:
        raise json.JSONDecodeError("nesting too deep", text, i) from None


def _resync(decoder: json.JSONDecoder, text: str, pos: int) -> int | None:
    """Start of the first object after ``pos`` that follows a comma and decodes, else ``None``."""
    for m in _NEXT_OBJECT.finditer(text, pos):
        try:
            obj, _end = _decode_one(decoder, text, m.end())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return m.end()
    return None


def _salvage_json_array(text: str, source: str) -> tuple[list[tuple[int, Any]], list[Rejected]]:
    """Objects of a damaged JSON array: every record that decodes, and one rejection per damage.

    After a syntax error the reader resynchronises on the next ``, {`` after the start of the
    failing record that starts an object that decodes, so one damaged record does not hide the
    ones after it; text after the closing ``]`` is reported and searched the same way. Record
    numbers after the damage count the ``}, {`` boundaries inside the skipped text (each skipped
    boundary is one record lost, and said so).
    """
    decoder = json.JSONDecoder()
    items: list[tuple[int, Any]] = []
    rejected: list[Rejected] = []
    i = _skip_ws(text, 0)
    single = not text.startswith("[", i)
    i += 0 if single else 1
    number = 0
    while True:
        i = _skip_ws(text, i)
        if (single and number) or (not single and text.startswith("]", i)):
            end = _skip_ws(text, i + (not single))
            if end >= len(text):
                break
            # text after the end of the JSON value: report it and look for more records in it
            resume = _resync(decoder, text, end)
            what = "object" if single else "array"
            reason = (f"record {number + 1}: text after the end of the JSON {what} "
                      f"at line {text.count(chr(10), 0, end) + 1}")
            if resume is None:
                rejected.append(Rejected(source, number + 1, f"{reason}; it was skipped"))
                break
            rejected.append(Rejected(source, number + 1, f"{reason}; reading resumed at line "
                                     f"{text.count(chr(10), 0, resume) + 1}"))
            single, i = False, resume
            continue
        if i >= len(text):
            if not single:
                rejected.append(Rejected(source, number + 1, f"record {number + 1}: input ends "
                                         "before the closing ] (truncated JSON?)"))
            break
        number += 1
        start = i
        try:
            obj, i = _decode_one(decoder, text, i)
            i = _skip_ws(text, i)
            if not single and not text.startswith((",", "]"), i) and i < len(text):
                raise json.JSONDecodeError("expected ',' or ']' after a record", text, i)
        except json.JSONDecodeError as exc:
            resume = _resync(decoder, text, start)
            stop = len(text) if resume is None else resume
            lost = len(_BOUNDARY.findall(text, start, stop))
            why = damage(text[max(0, exc.pos - 40): exc.pos + 40]) or exc.msg
            what = f"record {number}" if not lost else f"records {number}-{number + lost}"
            rest = ("the rest of the input was skipped" if resume is None else
                    f"reading resumed at line {text.count(chr(10), 0, resume) + 1}")
            rejected.append(Rejected(
                source, number,
                f"{what}: invalid JSON at line {exc.lineno} column {exc.colno} ({why}); {rest}"))
            if resume is None:
                break
            number += lost
            i = resume
            continue
        items.append((number, obj))
        if not single and text.startswith(",", i):
            i += 1
    return items, rejected


def _unnest(items: list[tuple[int, Any]], source: str,
            rejected: list[Rejected]) -> list[tuple[int, Any]]:
    """``items`` with every array found in the place of a record replaced by its items (at any
    depth), each such array reported once: a stray ``[`` (``[{A}, [{B}, {C}]``) must not take
    the good records after it down with it. The unnested items keep the record number of the
    array they were in."""
    out: list[tuple[int, Any]] = []
    stack = list(reversed(items))
    while stack:
        number, obj = stack.pop()
        if isinstance(obj, list):
            rejected.append(Rejected(source, number, f"record {number}: a JSON array in the place "
                                     f"of a record (a stray '['?); its {len(obj)} items were read "
                                     "as records"))
            stack.extend((number, inner) for inner in reversed(obj))
            continue
        out.append((number, obj))
    return out


def json_records(data: bytes | str, source: str) -> tuple[list[tuple[int, Row]], list[Rejected]]:
    """``(record number, object)`` for each object of a JSON array (or a single JSON object).

    Record numbers are 1-based positions in the array. A syntax error rejects the record it is in
    and reading resumes at the next record that decodes; a non-object item is rejected on its
    own (damaged strings are found by :func:`collect`).
    """
    text = to_text(data)
    if not text.strip():
        return [], []
    rejected: list[Rejected] = []
    try:
        loaded = json.loads(text)
    except (ValueError, RecursionError):
        items, rejected = _salvage_json_array(text, source)
    else:
        if not isinstance(loaded, list | dict):
            return [], [Rejected(source, 1, "expected a JSON array of objects, found "
                                 f"{type(loaded).__name__}")]
        items = list(enumerate(loaded, 1)) if isinstance(loaded, list) else [(1, loaded)]
    out: list[tuple[int, Row]] = []
    for number, obj in _unnest(items, source, rejected):
        if not isinstance(obj, dict):
            rejected.append(Rejected(source, number, f"record {number}: expected a JSON object, "
                                     f"found {type(obj).__name__}"))
            continue
        out.append((number, obj))
    rejected.sort(key=lambda r: r.line)
    return out, rejected


def _csv_row(line: str) -> list[str]:
    """Fields of one CSV line; ``csv.Error`` for an unterminated quote or other bad quoting.

    Each physical line is read on its own: catalog CSVs never hold line breaks inside a field,
    and reading them so keeps a stray quote from swallowing the lines after it.
    """
    return next(csv.reader((line,), strict=True))


def csv_records(data: bytes | str, source: str, required: Iterable[str] = ()
                ) -> tuple[list[str], list[tuple[int, Row]], list[Rejected]]:
    """Header and ``(line number, {column: text})`` rows of a CSV table with a header row.

    Blank lines are skipped. A row whose field count differs from the header's, that is badly
    quoted, or that holds damaged text (undecodable bytes, control characters) is rejected with
    its line number. If the header lacks a ``required`` column, the whole table is one rejection
    at its line and no rows are returned.
    """
    text = to_text(data)
    rejected: list[Rejected] = []
    header: list[str] | None = None
    rows: list[tuple[int, Row]] = []
    for number, line in iter_lines(text):
        if is_blank(line):
            continue
        if bad := damage(line):
            rejected.append(Rejected(source, number, bad))
            continue
        try:
            fields = _csv_row(line)
        except csv.Error as exc:
            rejected.append(Rejected(source, number, f"bad CSV ({exc})"))
            continue
        if header is None:
            header = [name.strip() for name in fields]
            missing = [key for key in required if key not in header]
            if missing:
                rejected.append(Rejected(source, number,
                                         f"header lacks required column(s) {', '.join(missing)}"))
                return header, [], rejected
            continue
        if len(fields) != len(header):
            rejected.append(Rejected(source, number,
                                     f"expected {len(header)} fields, found {len(fields)}"))
            continue
        rows.append((number, dict(zip(header, fields, strict=True))))
    return header or [], rows, rejected


def collect(rows: Iterable[tuple[int, Row]], convert: Callable[[Row], T], source: str,
            rejected: list[Rejected], prefix: str = "") -> Parsed[T]:
    """Apply ``convert`` to each row; a ``ValueError`` becomes a ``Rejected`` with its message.

    A row with a damaged key or text value (see :func:`damage`) is rejected before conversion, so
    no control character or undecodable byte reaches a record. ``prefix`` (e.g. ``"record"``)
    puts ``"record N: "`` before each reason.
    """
    out: Parsed[T] = Parsed(rejected=list(rejected))
    for number, row in rows:
        try:
            texts = [t for kv in row.items() for t in kv if isinstance(t, str)]
            if damage("\n".join(texts)):  # one search per row; find the field only if damaged
                for key, value in row.items():
                    if bad := damage(key):
                        raise ValueError(f"key {key!a}: {bad}")
                    if isinstance(value, str) and (bad := damage(value)):
                        raise ValueError(f"{key}: {bad}")
            out.records.append(convert(row))
        except ValueError as exc:
            reason = f"{prefix} {number}: {exc}" if prefix else str(exc)
            out.rejected.append(Rejected(source, number, reason))
    out.rejected.sort(key=lambda r: r.line)
    return out
