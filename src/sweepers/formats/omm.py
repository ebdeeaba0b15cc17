"""CCSDS Orbit Mean-Elements Messages (OMM, SGP4 theory): JSON, CSV, XML and KVN.

Readers take bytes or text and return ``Parsed[ElementSet]``; they never raise on content. They
accept CelesTrak JSON (JSON numbers), Space-Track JSON (every value a string, extra keys such as
``TLE_LINE1`` or ``GP_ID`` ignored), CelesTrak CSV (numbers like ``.40393571E-3``), CCSDS XML
(``ndm``/``omm`` or a bare ``omm`` root, any namespace or prefix) and KVN (``KEY = VALUE``, units in
brackets, ``COMMENT`` lines, several messages in one file).

Mandatory keys: NORAD_CAT_ID, EPOCH, MEAN_MOTION, ECCENTRICITY, INCLINATION, RA_OF_ASC_NODE,
ARG_OF_PERICENTER, MEAN_ANOMALY, BSTAR. The others default as in ``ElementSet``. A present
TIME_SYSTEM must be UTC, REF_FRAME TEME and MEAN_ELEMENT_THEORY SGP4 (or SGP4-XP). An empty value
(JSON ``null``, empty CSV cell) counts as absent. Catalog numbers run 0 … 999,999,999.

Writers emit the 17 CelesTrak keys in CelesTrak's order, floats as Python's shortest round-trip
``repr`` and epochs as ``YYYY-MM-DDThh:mm:ss.ffffff``, so writer → reader gives back equal records.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from sweepers.errors import FormatError
from sweepers.formats import _xml
from sweepers.formats._ndm import check_xml_text
from sweepers.formats._tables import collect, csv_records, json_records
from sweepers.formats._text import (
    BLANKS,
    damage,
    format_epoch,
    iter_lines,
    parse_epoch,
    to_text,
    without_unit,
)
from sweepers.formats._xml import XmlRefusedError, XmlTooDeepError
from sweepers.records import ElementSet, Parsed, Rejected

MAX_CATALOG_NUMBER = 999_999_999

# (OMM key, ElementSet attribute, kind) in CelesTrak's column order.
OMM_KEYS: tuple[tuple[str, str, str], ...] = (
    ("OBJECT_NAME", "object_name", "str"),
    ("OBJECT_ID", "object_id", "str"),
    ("EPOCH", "epoch", "epoch"),
    ("MEAN_MOTION", "mean_motion_rev_day", "float"),
    ("ECCENTRICITY", "eccentricity", "float"),
    ("INCLINATION", "inclination_deg", "float"),
    ("RA_OF_ASC_NODE", "raan_deg", "float"),
    ("ARG_OF_PERICENTER", "arg_pericenter_deg", "float"),
    ("MEAN_ANOMALY", "mean_anomaly_deg", "float"),
    ("EPHEMERIS_TYPE", "ephemeris_type", "int"),
    ("CLASSIFICATION_TYPE", "classification", "str"),
    ("NORAD_CAT_ID", "norad_id", "int"),
    ("ELEMENT_SET_NO", "element_set_no", "int"),
    ("REV_AT_EPOCH", "rev_at_epoch", "int"),
    ("BSTAR", "bstar", "float"),
    ("MEAN_MOTION_DOT", "mean_motion_dot", "float"),
    ("MEAN_MOTION_DDOT", "mean_motion_ddot", "float"),
)
MANDATORY_KEYS = (
    "NORAD_CAT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER", "MEAN_ANOMALY", "BSTAR",
)
_METADATA_RULES = (("TIME_SYSTEM", ("UTC",)), ("REF_FRAME", ("TEME",)),
                   ("MEAN_ELEMENT_THEORY", ("SGP4", "SGP4-XP")))


def _number(key: str, value: Any, kind: str) -> float | int:
    """A JSON number or numeric text as float or int; ``ValueError`` names the key."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"non-numeric {key}: {value!r}")
    if kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"non-integer {key}: {value!r}")
            return int(value)
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"non-integer {key}: {value!r}") from None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # OverflowError: a JSON integer beyond 1.8e308
        raise ValueError(f"non-numeric {key}: {str(value)[:40]!r}") from None
    if not math.isfinite(number) or (isinstance(value, str) and "_" in value):
        raise ValueError(f"non-numeric {key}: {value!r}")
    return number


def element_set_from_omm(fields: Mapping[str, Any]) -> ElementSet:
    """One ``ElementSet`` from OMM keyword → value (strings, numbers or ``None``).

    Raises ``ValueError`` with the reason: missing mandatory key, non-numeric value, bad epoch,
    catalog number out of range, or a TIME_SYSTEM / REF_FRAME / MEAN_ELEMENT_THEORY we cannot use.
    """
    for key in MANDATORY_KEYS:
        value = fields.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(f"missing mandatory key {key}")
    for key, allowed in _METADATA_RULES:
        value = fields.get(key)
        if isinstance(value, str) and value.strip() and value.strip().upper() not in allowed:
            raise ValueError(f"{key} {value!r} is not {' or '.join(allowed)}")
    kwargs: dict[str, Any] = {}
    for key, attr, kind in OMM_KEYS:
        value = fields.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        if kind == "str":
            kwargs[attr] = str(value)
        elif kind == "epoch":
            kwargs[attr] = parse_epoch(str(value))
        else:
            kwargs[attr] = _number(key, value, kind)
    norad = kwargs["norad_id"]
    if not 0 <= norad <= MAX_CATALOG_NUMBER:
        raise ValueError(f"NORAD_CAT_ID {norad} is out of range (0-{MAX_CATALOG_NUMBER})")
    return ElementSet(**kwargs)


def element_set_to_omm(element_set: ElementSet) -> dict[str, Any]:
    """The 17 CelesTrak OMM keys of one element set (numbers as numbers, ``None`` kept)."""
    out: dict[str, Any] = {}
    for key, attr, kind in OMM_KEYS:
        value = getattr(element_set, attr)
        out[key] = format_epoch(value) if kind == "epoch" else value
    return out


def _text_value(value: Any) -> str:
    """Text of one OMM value for CSV, XML and KVN (floats as their shortest exact ``repr``)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FormatError(f"cannot write the non-finite value {value!r}")
        return repr(value)
    return str(value)


# ---------------------------------------------------------------- JSON


def parse_omm_json(data: bytes | str, source: str = "<memory>") -> Parsed[ElementSet]:
    """Element sets of a JSON array of OMM objects (CelesTrak or Space-Track style).

    ``Rejected.line`` is the 1-based record number in the array.
    """
    rows, rejected = json_records(data, source)
    return collect(rows, element_set_from_omm, source, rejected, prefix="record")


def write_omm_json(records: Iterable[ElementSet]) -> str:
    """CelesTrak-style OMM JSON: one array of objects with the 17 GP keys, numbers as numbers."""
    try:
        return json.dumps([element_set_to_omm(es) for es in records], allow_nan=False)
    except ValueError as exc:
        raise FormatError(f"cannot write OMM JSON: {exc}") from None


# ---------------------------------------------------------------- CSV


def parse_omm_csv(data: bytes | str, source: str = "<memory>") -> Parsed[ElementSet]:
    """Element sets of an OMM CSV table with a header row (CelesTrak GP CSV).

    ``Rejected.line`` is the physical line number (the header is line 1).
    """
    _header, rows, rejected = csv_records(data, source, required=MANDATORY_KEYS)
    return collect(rows, element_set_from_omm, source, rejected)


def write_omm_csv(records: Iterable[ElementSet]) -> str:
    """OMM CSV with CelesTrak's header and column order, LF line ends, empty cell for ``None``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(key for key, _, _ in OMM_KEYS)
    for es in records:
        writer.writerow(_text_value(v) for v in element_set_to_omm(es).values())
    return buffer.getvalue()


# ---------------------------------------------------------------- XML

_OMM_TAG = re.compile(r"<(?:[\w.-]+:)?omm[\s>/]")
_PREFIXED_TAG = re.compile(r"<(/?)[\w.-]+:")
_OMM_END = re.compile(r"</(?:[\w.-]+:)?omm\s*>")
_OUTSIDE_OMM = re.compile(  # what may sit between <omm> elements: declaration, comments, <ndm>
    r"[ \t\r\n]*(?:(?:<\?xml[^>]*\?>|<!--.*?-->|</?(?:[\w.-]+:)?ndm(?:[ \t\r\n][^>]*)?>)"
    r"[ \t\r\n]*)*", re.DOTALL)  # XML's white space only: U+0085, U+2028 … are text


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _omm_fields(element: ET.Element) -> dict[str, str]:
    return {_local(e.tag): (e.text or "").strip() for e in element.iter() if len(e) == 0}


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parse_omm_xml(data: bytes | str, source: str = "<memory>") -> Parsed[ElementSet]:
    """Element sets of a CCSDS OMM XML document (``<ndm>`` of ``<omm>``, or one ``<omm>``).

    Namespaces and prefixes are ignored. ``Rejected.line`` is the line of the ``<omm>`` tag. If the
    document is not well-formed, each ``<omm>…</omm>`` block is parsed on its own so the good
    messages are kept and the broken block is reported.
    """
    text = to_text(data)
    if not text.strip():
        return Parsed()
    starts = [m.start() for m in _OMM_TAG.finditer(text)]
    try:
        root = _xml.fromstring(text)
    except (ET.ParseError, UnicodeEncodeError, XmlTooDeepError) as exc:
        return _salvage_xml(text, starts, source, exc)
    except XmlRefusedError as exc:
        return Parsed(rejected=[Rejected(source, 1, f"XML {exc}")])
    elements = [root] if _local(root.tag) == "omm" else [
        e for e in root.iter() if _local(e.tag) == "omm"]
    if not elements:
        return Parsed(rejected=[Rejected(source, 1, "no <omm> element in the XML document")])
    if _local(root.tag) != "omm" and starts and any(
            (t or "").strip(BLANKS) for t in (root.text, *(child.tail for child in root))):
        # text between the messages: what is left of a damaged <omm>; salvage reports it by line
        return _salvage_xml(text, starts, source, ValueError("text outside <omm>"))
    lines = [_line_of(text, s) for s in starts]
    if len(lines) != len(elements):  # e.g. "omm" inside a comment: fall back to record numbers
        lines = list(range(1, len(elements) + 1))
    rows = [(line, _omm_fields(e)) for line, e in zip(lines, elements, strict=True)]
    return collect(rows, element_set_from_omm, source, [])


def _salvage_xml(text: str, starts: list[int], source: str, error: Exception) -> Parsed[ElementSet]:
    """Parse each ``<omm>`` block of a document that is not well-formed as a whole."""
    if not starts:
        where = getattr(error, "position", (1, 0))[0]
        return Parsed(rejected=[Rejected(source, where, f"XML is not well-formed: {error}")])
    rows: list[tuple[int, dict[str, str]]] = []
    rejected: list[Rejected] = []
    gaps = [(0, starts[0])]  # text outside the blocks: must hold no data (a damaged <omm> tag)
    bounds = [*starts[1:], len(text)]
    for start, stop in zip(starts, bounds, strict=True):
        line = _line_of(text, start)
        block = text[start:stop]
        m = _OMM_END.search(block)
        if m is not None:
            gaps.append((start + m.end(), stop))
            block = block[: m.end()]
        bad = damage(block)
        if bad or m is None:
            reason = bad or "<omm> element is not closed"
            rejected.append(Rejected(source, line, f"XML is not well-formed: {reason}"))
            continue
        block = _PREFIXED_TAG.sub(r"<\1", block)
        try:
            rows.append((line, _omm_fields(_xml.fromstring(block))))
        except XmlRefusedError as exc:
            rejected.append(Rejected(source, line, f"XML {exc}"))
        except ET.ParseError as exc:
            at = line + exc.position[0] - 1
            message = str(exc).rsplit(": line", 1)[0]
            rejected.append(Rejected(source, line, f"XML is not well-formed at line {at}: "
                                                   f"{message}"))
    for lo, hi in gaps:
        if not _OUTSIDE_OMM.fullmatch(text, lo, hi):
            at = lo + len(text[lo:hi]) - len(text[lo:hi].lstrip())
            rejected.append(Rejected(source, _line_of(text, at),
                                     "text outside any <omm> element (a damaged <omm> tag?): "
                                     f"{text[at:min(at + 40, hi)]!r}"))
    return collect(rows, element_set_from_omm, source, rejected)


_XML_GROUPS = (
    ("metadata", ("OBJECT_NAME", "OBJECT_ID")),
    ("meanElements", ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
                      "ARG_OF_PERICENTER", "MEAN_ANOMALY")),
    ("tleParameters", ("EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO",
                       "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT")),
)
_FIXED_METADATA = (("CENTER_NAME", "EARTH"), ("REF_FRAME", "TEME"), ("TIME_SYSTEM", "UTC"),
                   ("MEAN_ELEMENT_THEORY", "SGP4"))


def _creation(creation_date: datetime | None) -> str:
    return format_epoch(creation_date or datetime.now(UTC))


# Value ranges of ndmxml-2.0.0-omm-2.0.xsd narrower than xsd:double / xsd:integer.
_XML_RANGES = (("ECCENTRICITY", 0.0, math.inf), ("INCLINATION", 0.0, 180.0),
               ("ELEMENT_SET_NO", 0, 9999), ("REV_AT_EPOCH", 0, math.inf))
_XML_ANGLES = ("RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY")


def schema_angle(deg: float) -> float:
    """``deg`` unchanged inside the schema's angle range [-180, 360), else the same direction
    brought inside it (``math.fmod`` is exact; 360 → 0, -190 → 170)."""
    if -180.0 <= deg < 360.0:
        return deg
    wrapped = math.fmod(deg, 360.0)
    return wrapped + 360.0 if wrapped < -180.0 else wrapped


def _schema_fields(es: ElementSet) -> dict[str, Any]:
    """OMM fields of ``es`` for the XML writer: angles brought into [-180, 360); ``ValueError``
    naming the object when another value is outside the schema's range."""
    fields = element_set_to_omm(es)
    for key in _XML_ANGLES:
        fields[key] = schema_angle(fields[key])
    for key, low, high in _XML_RANGES:
        if not low <= fields[key] <= high:
            raise ValueError(f"NORAD {es.norad_id}: {key} = {fields[key]!r} is outside the "
                             f"range [{low}, {high}] of the NDM/XML OMM schema")
    return fields


def write_omm_xml(records: Iterable[ElementSet], *, originator: str = "sweepers",
                  creation_date: datetime | None = None) -> str:
    """CCSDS NDM/XML 2.0.0: one ``<ndm>`` holding an ``<omm>`` per element set (CelesTrak layout),
    valid against ``ndmxml-2.0.0-master-2.0.xsd``.

    ``OBJECT_NAME`` and ``OBJECT_ID`` are obligatory elements: an unknown one is written empty
    (read back as unknown). Angles outside the schema's [-180, 360) are written as the same
    direction inside it (:func:`schema_angle`). ``creation_date`` (UTC) defaults to now; pass it
    for reproducible output. Raises ``ValueError`` for another value outside the schema's range
    (eccentricity < 0, inclination outside [0, 180], ELEMENT_SET_NO outside 0…9999,
    REV_AT_EPOCH < 0) or text XML 1.0 cannot carry.
    """
    created = _creation(creation_date)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">']
    for es in records:
        fields = _schema_fields(es)
        out.append('<omm id="CCSDS_OMM_VERS" version="2.0">')
        out.append(f"<header><CREATION_DATE>{created}</CREATION_DATE>"
                   f"<ORIGINATOR>{escape(check_xml_text('ORIGINATOR', originator))}</ORIGINATOR>"
                   "</header>")
        out.append("<body><segment>")
        for group, keys in _XML_GROUPS:
            if group == "meanElements":
                out.append("<data>")
            out.append(f"<{group}>")
            out.extend(f"<{k}>{escape(check_xml_text(k, _text_value(fields[k])))}</{k}>"
                       for k in keys if fields[k] is not None or group == "metadata")
            if group == "metadata":
                out.extend(f"<{k}>{v}</{k}>" for k, v in _FIXED_METADATA)
            out.append(f"</{group}>")
        out.append("</data></segment></body></omm>")
    out.append("</ndm>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- KVN

_KVN_LINE = re.compile(r"\s*([A-Z][A-Z0-9_]*)\s*=(.*)")  # value stripped after: no backtracking
_TEXT_KEYS = frozenset({"OBJECT_NAME", "OBJECT_ID", "ORIGINATOR", "CLASSIFICATION_TYPE"})


def parse_omm_kvn(data: bytes | str, source: str = "<memory>") -> Parsed[ElementSet]:
    """Element sets of OMM KVN text (``KEY = VALUE`` lines), one or several messages per file.

    A message starts at ``CCSDS_OMM_VERS`` or when a key repeats. ``COMMENT`` and blank lines are
    skipped; any other line that is not ``KEY = VALUE`` rejects its message: the message it
    follows directly, or, after a blank line or just before a repeated key, the message it starts.
    ``Rejected.line`` is the message's first line.
    """
    text = to_text(data)
    blocks: list[tuple[int, dict[str, str], str | None]] = []  # first line, fields, error
    pending: list[tuple[int, str]] = []  # bad lines not yet given to a message

    def attach() -> None:
        first, fields, error = blocks[-1]
        number, why = pending[0]
        blocks[-1] = (first, fields, error or f"line {number}: {why}")
        pending.clear()

    blank = True  # a blank line since the last KEY = VALUE line
    for number, line in iter_lines(text):
        stripped = line.strip(BLANKS)
        if not stripped:
            blank = True
            continue
        if stripped == "COMMENT" or stripped.startswith("COMMENT "):
            continue
        m = _KVN_LINE.fullmatch(line)
        if m is None:
            pending.append((number, damage(line) or f"not KEY = VALUE: {stripped[:40]!r}"))
            if blank and len(pending) == 1:  # after a blank line: the damaged start of a message
                blocks.append((number, {}, None))
                attach()
            continue
        key, value = m.group(1), m.group(2).strip()
        explicit = key == "CCSDS_OMM_VERS"
        current = blocks[-1][1] if blocks else {}
        # a blank line after a message that has every mandatory key ends it
        complete = blank and all(k in current for k in MANDATORY_KEYS)
        blank = False
        if not blocks or explicit or key in current or complete:
            # Bad lines just before CCSDS_OMM_VERS end the message before it; bad lines before a
            # repeated key (a message without CCSDS_OMM_VERS) are the damaged start of the new one.
            if pending and explicit:
                if not blocks:  # bad lines before the first message are a message of their own
                    blocks.append((pending[0][0], {}, None))
                attach()
            blocks.append((pending[0][0] if pending else number, {}, None))
        if pending:
            attach()
        blocks[-1][1][key] = value if key in _TEXT_KEYS else without_unit(value)
    if pending:
        if not blocks:
            blocks.append((pending[0][0], {}, None))
        attach()
    rows = [(first, fields) for first, fields, error in blocks if error is None]
    rejected = [Rejected(source, first, error) for first, _, error in blocks if error]
    return collect(rows, element_set_from_omm, source, rejected)


def write_omm_kvn(records: Iterable[ElementSet], *, originator: str = "sweepers",
                  creation_date: datetime | None = None) -> str:
    """OMM KVN: one message per element set (``KEY = VALUE``), separated by blank lines.

    ``creation_date`` (UTC) defaults to now; pass it for reproducible output.
    """
    created = _creation(creation_date)
    messages = []
    for es in records:
        fields = element_set_to_omm(es)
        lines = ["CCSDS_OMM_VERS = 2.0", f"CREATION_DATE = {created}",
                 f"ORIGINATOR = {originator}"]
        for group, keys in _XML_GROUPS:
            lines.extend(f"{k} = {_text_value(fields[k])}" for k in keys
                         if fields[k] is not None or group == "metadata")
            if group == "metadata":
                lines.extend(f"{k} = {v}" for k, v in _FIXED_METADATA)
        messages.append("\n".join(lines) + "\n")
    return "\n".join(messages)
