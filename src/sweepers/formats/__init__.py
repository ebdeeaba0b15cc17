"""File formats: pure codecs between text/bytes and the records of ``sweepers.records``.

The only place that knows a file layout. No database, no network, no file writes: readers take
``bytes`` (or ``str``) plus a ``source`` name used in reports, and return ``Parsed`` (good records
and one ``Rejected(source, line, reason)`` per bad record). Readers never raise on content; a bad
record never hides the good ones around it. Writers return ``str`` and raise ``FormatError`` for a
record the format cannot hold.

Front door::

    parse_bytes(data, source, fmt="auto")   # fmt: auto | tle | omm-json | omm-csv | omm-xml |
                                            #      omm-kvn | satcat | cara-mass | gcat
    detect_format(data, name)               # sniffs the content (the name only labels errors)

Empty or blank input is zero records and zero rejections in every format (``auto`` included).

Units: as the records print them (OMM/TLE): degrees, rev/day, 1/earth-radii for BSTAR, UTC epochs
as timezone-aware ``datetime`` with microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sweepers.errors import FormatError
from sweepers.formats.alpha5 import decode_alpha5, encode_alpha5
from sweepers.formats.cara import parse_cara
from sweepers.formats.gcat import parse_gcat, parse_gcat_date
from sweepers.formats.omm import (
    element_set_from_omm,
    element_set_to_omm,
    parse_omm_csv,
    parse_omm_json,
    parse_omm_kvn,
    parse_omm_xml,
    write_omm_csv,
    write_omm_json,
    write_omm_kvn,
    write_omm_xml,
)
from sweepers.formats.satcat import parse_satcat
from sweepers.formats.tle import checksum, format_tle, parse_tle, parse_tle_lines, write_tle
from sweepers.records import Parsed

__all__ = [
    "FORMATS",
    "checksum",
    "decode_alpha5",
    "detect_format",
    "element_set_from_omm",
    "element_set_to_omm",
    "encode_alpha5",
    "format_tle",
    "parse_bytes",
    "parse_cara",
    "parse_gcat",
    "parse_gcat_date",
    "parse_omm_csv",
    "parse_omm_json",
    "parse_omm_kvn",
    "parse_omm_xml",
    "parse_satcat",
    "parse_tle",
    "parse_tle_lines",
    "write_omm_csv",
    "write_omm_json",
    "write_omm_kvn",
    "write_omm_xml",
    "write_tle",
]

_READERS: dict[str, Callable[[bytes, str], Parsed[Any]]] = {
    "tle": parse_tle,
    "omm-json": parse_omm_json,
    "omm-csv": parse_omm_csv,
    "omm-xml": parse_omm_xml,
    "omm-kvn": parse_omm_kvn,
    "satcat": parse_satcat,
    "cara-mass": parse_cara,
    "gcat": parse_gcat,
}
FORMATS: tuple[str, ...] = ("auto", *_READERS)
"""Accepted values of ``parse_bytes(fmt=...)``."""

_SNIFF_BYTES = 65_536
_JSON_KEY = re.compile(r'"([A-Za-z_]+)"\s*:')
_SATCAT_KEYS = {"RCS_SIZE", "SATNAME", "INTLDES", "OBJECT_TYPE", "LAUNCH", "DECAY", "COUNTRY"}
_XML_ROOT = re.compile(r"<(?:[\w.-]+:)?(?:omm|ndm)[\s>/]")
_KVN_KEY = re.compile(r"^\s*(?:CCSDS_OMM_VERS|EPOCH|MEAN_MOTION)\s*=", re.MULTILINE)
_TLE_LINE1 = re.compile(r"^1 [0-9A-Z ]{5}[A-Z ] ", re.MULTILINE)
_TLE_LINE2 = re.compile(r"^2 [0-9A-Z ]{5} ", re.MULTILINE)


def _is_binary(head: bytes) -> bool:
    """NUL bytes, or more than 5 % control bytes other than tab/LF/CR/FF."""
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 0x20 and b not in (9, 10, 12, 13))
    return controls > 0.05 * len(head)


def detect_format(data: bytes, name: str = "<memory>") -> str:
    """The ``fmt`` of ``data``, sniffed from its content (``name`` is only used in errors).

    JSON is OMM when its first object has EPOCH or MEAN_MOTION and SATCAT when it has SATCAT keys
    (RCS_SIZE, SATNAME, OBJECT_TYPE, …); CSV is told apart by its header. Raises ``FormatError``
    for empty, binary or unrecognised input.
    """
    head = data[:_SNIFF_BYTES]
    if not head.strip():
        raise FormatError(f"{name}: empty input, nothing to detect")
    if _is_binary(head):
        raise FormatError(f"{name}: binary data, not a text format")
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{"):
        keys = set(_JSON_KEY.findall(stripped[:8192]))
        if keys & {"EPOCH", "MEAN_MOTION"}:
            return "omm-json"
        if keys & _SATCAT_KEYS:
            return "satcat"
        raise FormatError(f"{name}: JSON with neither OMM keys (EPOCH, MEAN_MOTION) nor SATCAT "
                          "keys (RCS_SIZE, OBJECT_TYPE, …)")
    if stripped[:1] == "<":
        if _XML_ROOT.search(text):
            return "omm-xml"
        raise FormatError(f"{name}: XML without an <ndm> or <omm> element")
    first_line = stripped.split("\n", 1)[0].strip()
    if first_line.startswith("#JCAT"):
        return "gcat"
    if "," in first_line:
        columns = {c.strip().strip('"') for c in first_line.split(",")}
        if columns >= {"ObjectID", "HBR", "Mass"}:
            return "cara-mass"
        if columns >= {"EPOCH", "MEAN_MOTION"}:
            return "omm-csv"
        if "NORAD_CAT_ID" in columns and columns & {"OBJECT_TYPE", "RCS", "LAUNCH_DATE"}:
            return "satcat"
    if _KVN_KEY.search(text):
        return "omm-kvn"
    if _TLE_LINE1.search(text) and _TLE_LINE2.search(text):
        return "tle"
    raise FormatError(
        f"{name}: cannot detect the format (not TLE, OMM JSON/CSV/XML/KVN, SATCAT, CARA or "
        f"GCAT); pass fmt= one of {', '.join(_READERS)}"
    )


def parse_bytes(data: bytes, source: str, fmt: str = "auto") -> Parsed[Any]:
    """Records of one input in format ``fmt`` (see ``FORMATS``; ``auto`` sniffs the content).

    Returns ``Parsed`` of ``ElementSet`` (tle, omm-*), ``SatcatEntry``, ``SizeMassEstimate`` or
    ``GcatPayload``. Raises ``FormatError`` only for an unknown ``fmt`` or, with ``auto``, input
    whose format cannot be detected (binary, unrecognised); blank input is an empty ``Parsed``.
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "auto":
        if not data.strip():
            return Parsed()
        fmt = detect_format(data, source)
    return _READERS[fmt](data, source)
