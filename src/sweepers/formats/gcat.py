"""Jonathan McDowell's GCAT tables (``psatcat.tsv``): tab-separated, ``#`` comment lines.

The column names come from the header line that starts with ``#JCAT``; fields are space-padded and
``-`` means empty. GCAT dates carry their precision and uncertainty in the text (``1957 Oct  4``,
``2023 Jan 12 0400?``, ``1990 Mar``, ``2001?``, ``2010 Q3``, ``1990s?``; month names in any
case); each becomes the first ``date`` of the period it names (time of day and ``?`` dropped).
``*`` in TOp/TDate (no end recorded yet) becomes ``None`` (and ``operation_ongoing`` for TOp).
Data: CC-BY, credit "Jonathan McDowell, https://planet4589.org";
check column meanings against its documentation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from sweepers.formats._tables import collect
from sweepers.formats._text import damage, is_blank, iter_lines, to_text
from sweepers.records import GcatPayload, Parsed, Rejected

_MONTHS = {m: k for k, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_GCAT_DATE = re.compile(
    r"(\d{4})(s)?(?:\s+(?:Q([1-4])|([A-Za-z]{3})(?:\s+(\d{1,2})(?:\s+\d{4}(?::\d\d)?)?)?))?"
    r"\s*\??"
)
_REQUIRED = ("JCAT", "Name", "LDate")


def parse_gcat_date(text: str) -> date | None:
    """First day of the period a GCAT date names; ``None`` for ``-``, ``*`` or empty.

    Raises ``ValueError`` for text that is not a GCAT date.
    """
    text = text.strip()
    if text in ("", "-", "*"):
        return None
    m = _GCAT_DATE.fullmatch(text)
    if m is None or (m.group(4) and m.group(4).capitalize() not in _MONTHS):
        raise ValueError(f"{text!r} is not a GCAT date")
    year, _decade, quarter, month, day = m.groups()
    month_number = 3 * int(quarter) - 2 if quarter else _MONTHS[month.capitalize()] if month else 1
    return date(int(year), month_number, int(day) if day else 1)


def _value(row: Mapping[str, str], key: str) -> str | None:
    value = row.get(key, "-").strip()
    return None if value in ("", "-") else value


def _date(row: Mapping[str, str], key: str) -> date | None:
    try:
        return parse_gcat_date(row.get(key, "-"))
    except ValueError as exc:
        raise ValueError(f"bad {key}: {exc}") from None


def gcat_payload_from_row(row: Mapping[str, str]) -> GcatPayload:
    """One ``GcatPayload`` from a psatcat row (column name → raw text). Raises ``ValueError``."""
    jcat = _value(row, "JCAT")
    if jcat is None:
        raise ValueError("missing JCAT")
    digits = jcat[1:]
    return GcatPayload(
        jcat=jcat,
        norad_id=int(digits) if jcat[0] == "S" and digits.isdigit() else None,
        name=_value(row, "Name"),
        launch_date=_date(row, "LDate"),
        last_seen=_date(row, "TLast"),
        operation_end=_date(row, "TOp"),
        program=_value(row, "Program"),
        category=_value(row, "Category"),
        result=_value(row, "Result"),
        control=_value(row, "Control"),
        attitude=_value(row, "Att"),
        maneuver=_value(row, "Mvr"),
        un_state=_value(row, "UNState"),
        comment=_value(row, "Comment"),
        piece=_value(row, "Piece"),
        end_date=_date(row, "TDate"),
        owner_class=_value(row, "Class"),
        operation_ongoing=row.get("TOp", "").strip() == "*",
    )


def parse_gcat(data: bytes | str, source: str = "<memory>") -> Parsed[GcatPayload]:
    """Payload rows of a GCAT psatcat TSV; ``Rejected.line`` is the line number.

    A file without a ``#JCAT`` header line is one rejection at line 1 and no records.
    """
    text = to_text(data)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    rejected: list[Rejected] = []
    for number, line in iter_lines(text):
        if bad := damage(line):
            rejected.append(Rejected(source, number, bad))
            continue
        if line.startswith("#"):
            if header is None and line.startswith("#JCAT"):
                header = [name.strip() for name in line[1:].split("\t")]
            continue
        if is_blank(line):
            continue
        if header is None:
            rejected.append(Rejected(source, number, "no #JCAT header line before the data"))
            return Parsed(rejected=rejected)
        fields = line.split("\t")
        if len(fields) != len(header):
            rejected.append(Rejected(source, number,
                                     f"expected {len(header)} fields, found {len(fields)}"))
            continue
        rows.append((number, dict(zip(header, fields, strict=True))))
    if header is not None and (missing := [k for k in _REQUIRED if k not in header]):
        reason = f"header lacks column(s) {', '.join(missing)}"
        return Parsed(rejected=[Rejected(source, 1, reason)])
    return collect(rows, gcat_payload_from_row, source, rejected)
