"""File formats: pure codecs between text/bytes and the records of ``sweepers.records``.

The only place that knows a file layout. No database, no network, no file writes: readers take
``bytes`` (or ``str``) plus a ``source`` name used in reports, and return ``Parsed`` (good records
and one ``Rejected(source, line, reason)`` per bad record). Readers never raise on content; a bad
record never hides the good ones around it. Damaged text (undecodable bytes, NUL and other
controls, from a cut or corrupted download) costs only the lines or records that hold it;
``parse_bytes`` refuses input as a whole only when it is binary (a compressed file, an image;
threshold and measurements in :data:`BINARY_SHARE`). XML input never expands entities or reads a
DTD (``_xml``). Writers return ``str`` and raise ``FormatError`` for a record the format cannot
hold.

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
    "BINARY_SHARE",
    "FORMATS",
    "binary_kind",
    "checksum",
    "decode_alpha5",
    "detect_format",
    "element_set_from_omm",
    "element_set_to_omm",
    "encode_alpha5",
    "format_tle",
    "non_text_share",
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
_TLE_LINE = re.compile(r"^(?:1 [0-9A-Z ]{5}[A-Z ] |2 [0-9A-Z ]{5} )", re.MULTILINE)
_NON_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\udc80-\udcff]")

BINARY_SHARE = 0.10
"""Share of non-text bytes above which an input is binary rather than damaged text.

Non-text bytes: C0 controls other than TAB, LF, FF and CR, DEL, and bytes that are not valid
UTF-8, counted in the first 64 KiB once trailing NUL padding is dropped (a truncated download
padded with NULs is damaged text, not binary). Measured (the reference data of
``$SWEEPERS_DATA`` and common binaries; ``tests/formats/test_binary_threshold.py`` keeps the
cases):

* every text file of the data folder (3LE, CelesTrak CSV/JSON, SATCAT JSON, GCAT TSV, CARA CSV,
  CDMs, XSDs, SGP4-VER): 0 %;
* damaged text: one 3LE line of 900 with 6 bad bytes 0.01 %; 200 of 1,226 lines damaged 1.8 %;
  a single 3LE record with 6 bad bytes 3.9 %; the same record with 2 of its 3 lines hit 5.2 %;
* binary: gzip, bzip2, xz and zip of the 3LE catalog 54 %, a PNG 54 %, random bytes 52-54 %,
  the same 3LE catalog in UTF-16 50 %, an ELF executable 74 %, a SQLite store 94 %, CPython
  ``.pyc`` files 20-51 %.

10 % sits a factor of two from each side (5.2 % damaged text, 20.5 % the least binary file).
"""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
    (b"PK\x03\x04", "a zip archive (extract it first)"),
    (b"BZh", "bzip2-compressed data (decompress it first)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (decompress it first)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (decompress it first)"),
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"SQLite format 3\x00", "a SQLite database (use --db to open a store)"),
    (b"\x7fELF", "an executable"),
    (b"\xff\xfe", "UTF-16 text (convert it to UTF-8)"),
    (b"\xfe\xff", "UTF-16 text (convert it to UTF-8)"),
)


def non_text_share(data: bytes) -> float:
    """Share of non-text bytes in the first 64 KiB of ``data`` (see :data:`BINARY_SHARE`)."""
    head = data[:_SNIFF_BYTES].rstrip(b"\x00")
    if not head:
        return 1.0 if data[:1] == b"\x00" else 0.0
    return len(_NON_TEXT.findall(head.decode("utf-8", "surrogateescape"))) / len(head)


def binary_kind(data: bytes) -> str | None:
    """What a binary input is (``"gzip-compressed data …"``, ``"binary data"``), or ``None``
    for text, damaged text included (threshold and measurements: :data:`BINARY_SHARE`)."""
    if non_text_share(data) <= BINARY_SHARE:
        return None
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), "binary data")


def detect_format(data: bytes, name: str = "<memory>") -> str:
    """The ``fmt`` of ``data``, sniffed from its content (``name`` is only used in errors).

    JSON is OMM when its first object has EPOCH or MEAN_MOTION and SATCAT when it has SATCAT keys
    (RCS_SIZE, SATNAME, OBJECT_TYPE, …); CSV is told apart by its header; one TLE line 1 or 2
    (even in a truncated record) makes TLE. Raises ``FormatError`` for empty, binary or
    unrecognised input; damaged text is detected as its format (the readers reject the damaged
    records).
    """
    head = data[:_SNIFF_BYTES]
    if not head.strip():
        raise FormatError(f"{name}: empty input, nothing to detect")
    kind = binary_kind(data)
    if kind is not None:
        raise FormatError(f"{name}: {kind}, not a text format "
                          f"({non_text_share(data):.0%} of the first bytes are not text)")
    text = head.decode("utf-8", "surrogateescape").lstrip("\ufeff")
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
    if _TLE_LINE.search(text):
        return "tle"
    raise FormatError(
        f"{name}: cannot detect the format (not TLE, OMM JSON/CSV/XML/KVN, SATCAT, CARA or "
        f"GCAT); name it with --format, one of {', '.join(_READERS)}"
    )


def parse_bytes(data: bytes, source: str, fmt: str = "auto") -> Parsed[Any]:
    """Records of one input in format ``fmt`` (see ``FORMATS``; ``auto`` sniffs the content).

    Returns ``Parsed`` of ``ElementSet`` (tle, omm-*), ``SatcatEntry``, ``SizeMassEstimate`` or
    ``GcatPayload``. Raises ``FormatError`` only for an unknown ``fmt``, binary input (whatever
    ``fmt``; see :data:`BINARY_SHARE`) or, with ``auto``, input whose format cannot be detected;
    blank input is an empty ``Parsed``. Damaged text is not an error: each damaged line or
    record is one ``Rejected``.
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "auto":
        if not data.strip():
            return Parsed()
        fmt = detect_format(data, source)
    elif isinstance(data, bytes) and (kind := binary_kind(data)) is not None:
        raise FormatError(f"{source}: {kind}, not {fmt} text")
    return _READERS[fmt](data, source)
