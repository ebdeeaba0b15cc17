"""Record containers shared by several formats: JSON arrays of objects and CSV tables.

Both return ``(number, mapping)`` pairs plus the rejections found at container level, so each
format module only maps one record's keys to one record type. Nothing here raises on content.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sweepers.formats._text import iter_lines, to_text, undecodable
from sweepers.records import Parsed, Rejected

T = TypeVar("T")
Row = dict[str, Any]


def _salvage_json_array(text: str, source: str) -> tuple[list[tuple[int, Any]], list[Rejected]]:
    """Objects of a damaged JSON array up to the first syntax error, and that error."""
    decoder = json.JSONDecoder()
    items: list[tuple[int, Any]] = []
    ws = " \t\r\n"
    i = len(text) - len(text.lstrip(ws))
    single = not text.startswith("[", i)
    i += 0 if single else 1
    try:
        while True:
            while i < len(text) and text[i] in ws:
                i += 1
            if not single and text.startswith("]", i) and not items:
                break
            obj, i = decoder.raw_decode(text, i)
            items.append((len(items) + 1, obj))
            while i < len(text) and text[i] in ws:
                i += 1
            if single or text.startswith("]", i):
                break
            if not text.startswith(",", i):
                raise json.JSONDecodeError("expected ',' or ']' after a record", text, i)
            i += 1
    except json.JSONDecodeError as exc:
        number = len(items) + 1
        bad = undecodable(text[max(0, exc.pos - 40): exc.pos + 40])
        why = bad if bad else exc.msg
        return items, [Rejected(
            source, number,
            f"record {number}: invalid JSON at line {exc.lineno} column {exc.colno} ({why}); "
            "the rest of the input was skipped")]
    return items, []


def json_records(data: bytes | str, source: str) -> tuple[list[tuple[int, Row]], list[Rejected]]:
    """``(record number, object)`` for each object of a JSON array (or a single JSON object).

    Record numbers are 1-based positions in the array. A syntax error keeps the records before it
    and reports the rest as skipped; a non-object item or a string with undecodable bytes is
    rejected on its own.
    """
    text, clean = to_text(data)
    if not text.strip():
        return [], []
    rejected: list[Rejected] = []
    try:
        loaded = json.loads(text)
        items = list(enumerate(loaded, 1)) if isinstance(loaded, list) else [(1, loaded)]
        if not isinstance(loaded, list | dict):
            return [], [Rejected(source, 1, "expected a JSON array of objects, found "
                                 f"{type(loaded).__name__}")]
    except json.JSONDecodeError:
        items, rejected = _salvage_json_array(text, source)
    out: list[tuple[int, Row]] = []
    for number, obj in items:
        if not isinstance(obj, dict):
            rejected.append(Rejected(source, number, f"record {number}: expected a JSON object, "
                                     f"found {type(obj).__name__}"))
            continue
        if not clean:
            bad = next(((k, r) for k, v in obj.items()
                        if isinstance(v, str) and (r := undecodable(v))), None)
            if bad:
                rejected.append(Rejected(source, number, f"record {number}: {bad[0]}: {bad[1]}"))
                continue
        out.append((number, obj))
    rejected.sort(key=lambda r: r.line)
    return out, rejected


def csv_records(data: bytes | str, source: str, required: Iterable[str] = ()
                ) -> tuple[list[str], list[tuple[int, Row]], list[Rejected]]:
    """Header and ``(line number, {column: text})`` rows of a CSV table with a header row.

    Blank lines are skipped. A row whose field count differs from the header's, or that holds
    undecodable bytes, is rejected with its line number. If the header lacks a ``required``
    column, the whole table is one rejection at line 1 and no rows are returned.
    """
    text, clean = to_text(data)
    numbered: list[tuple[int, str]] = []
    rejected: list[Rejected] = []
    for number, line in iter_lines(text):
        if not line.strip():
            continue
        if not clean and (bad := undecodable(line)):
            rejected.append(Rejected(source, number, bad))
            continue
        numbered.append((number, line))
    if not numbered:
        return [], [], rejected
    reader = csv.reader(line for _, line in numbered)
    header = [name.strip() for name in next(reader)]
    header_line = numbered[0][0]
    missing = [key for key in required if key not in header]
    if missing:
        rejected.append(Rejected(source, header_line,
                                 f"header lacks required column(s) {', '.join(missing)}"))
        return header, [], rejected
    rows: list[tuple[int, Row]] = []
    width = len(header)
    try:
        for row in reader:
            number = numbered[reader.line_num - 1][0]
            if len(row) != width:
                rejected.append(Rejected(source, number,
                                         f"expected {width} fields, found {len(row)}"))
                continue
            rows.append((number, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        number = numbered[min(reader.line_num, len(numbered)) - 1][0]
        rejected.append(Rejected(source, number, f"bad CSV ({exc}); the rest was skipped"))
    rejected.sort(key=lambda r: r.line)
    return header, rows, rejected


def collect(rows: Iterable[tuple[int, Row]], convert: Callable[[Row], T], source: str,
            rejected: list[Rejected], prefix: str = "") -> Parsed[T]:
    """Apply ``convert`` to each row; a ``ValueError`` becomes a ``Rejected`` with its message.

    ``prefix`` (e.g. ``"record"``) puts ``"record N: "`` before each reason.
    """
    out: Parsed[T] = Parsed(rejected=list(rejected))
    for number, row in rows:
        try:
            out.records.append(convert(row))
        except ValueError as exc:
            reason = f"{prefix} {number}: {exc}" if prefix else str(exc)
            out.rejected.append(Rejected(source, number, reason))
    out.rejected.sort(key=lambda r: r.line)
    return out
