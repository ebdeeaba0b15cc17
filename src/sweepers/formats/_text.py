"""Shared text helpers of the codecs: decoding bytes line by line, epochs, designators.

Nothing here knows a file layout; the format modules do. Epoch text is parsed and printed by
:mod:`sweepers.epochs` (the package's one ISO 8601 parser), re-exported here for the codecs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from sweepers.epochs import format_epoch, parse_epoch

__all__ = [
    "damage",
    "designator_to_object_id",
    "format_epoch",
    "iter_lines",
    "object_id_to_designator",
    "parse_date",
    "parse_epoch",
    "to_text",
    "without_unit",
]

UTF8_BOM = "\ufeff"


def to_text(data: bytes | str) -> str:
    """Whole input as text (UTF-8, BOM dropped), whatever bytes it holds.

    The replacement policy of every reader: undecodable bytes are kept as lone surrogates
    (``surrogateescape``), so a reader finds them with :func:`damage` and rejects the one line or
    record that holds them, with its number, instead of failing the whole input.
    """
    text = data if isinstance(data, str) else data.decode("utf-8", "surrogateescape")
    return text[1:] if text.startswith(UTF8_BOM) else text


_DAMAGE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Characters no catalog or message text holds: C0 controls other than TAB and LF, DEL, C1
controls, and lone surrogates (``surrogateescape`` bytes from ``to_text`` or JSON ``\\ud800``
escapes). A stray CR inside a line is damage too (``iter_lines`` strips only a line-ending
one)."""


BLANKS = " \t\r\n"
"""What a blank line may hold. ``str.strip()`` also removes U+0085, U+2028, NBSP, FF and other
Unicode spaces: a line of those is damage to report (``damage``), not a blank line to skip."""


def is_blank(line: str) -> bool:
    """Whether ``line`` holds nothing but :data:`BLANKS`."""
    return not line.strip(BLANKS)


def damage(text: str) -> str | None:
    """Reason string for the first damaged character of ``text`` (see ``_DAMAGE``), else ``None``.

    Undecodable bytes read ``undecodable byte 0xff at column 7 (not UTF-8)``; controls read
    ``control character U+0000 at column 7``. Fast on clean text (one regex search).
    """
    m = _DAMAGE.search(text)
    if m is None:
        return None
    char, column = m.group(), m.start() + 1
    if "\udc80" <= char <= "\udcff":
        return f"undecodable byte 0x{ord(char) - 0xDC00:02x} at column {column} (not UTF-8)"
    if "\ud800" <= char <= "\udfff":
        return f"lone surrogate U+{ord(char):04X} at column {column} (not text)"
    return f"control character U+{ord(char):04X} at column {column}"


def without_unit(value: str) -> str:
    """KVN ``value`` without a trailing unit ``[km]`` (or an unclosed ``[km``), blanks stripped.

    The unit starts at the first ``[`` after the last ``]`` that is not the final character. Done
    with ``str`` methods: a regex for it backtracks quadratically on ``[[[[…`` or long blank runs.
    """
    text = value.strip()
    body = text[:-1] if text.endswith("]") else text
    start = body.find("[", body.rfind("]") + 1)
    return text if start < 0 else text[:start].rstrip()


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(1-based line number, line)`` for LF or CRLF text; only ``\\n`` ends a line.

    ``str.splitlines`` is avoided on purpose: it also breaks at form feeds and other controls,
    which would shift the line numbers reported for binary junk.
    """
    for number, line in enumerate(text.split("\n"), 1):
        yield number, line[:-1] if line.endswith("\r") else line


_OBJECT_ID = re.compile(r"(\d{4})-(\d{3})([A-Z]{0,3})")
_DESIGNATOR = re.compile(r"(\d\d)(\d{3})([A-Z]{0,3}) *")


def designator_to_object_id(field: str) -> str | None:
    """OMM ``OBJECT_ID`` from a TLE international designator (``"98067A  "`` → ``"1998-067A"``).

    Blank → ``None``. Two-digit years 57–99 are 19xx, 00–56 are 20xx. Raises ``ValueError``.
    """
    if not field.strip():
        return None
    m = _DESIGNATOR.fullmatch(field)
    if m is None:
        raise ValueError(f"{field!r} is not YYNNNPPP")
    yy, number, piece = m.groups()
    century = "19" if int(yy) >= 57 else "20"
    return f"{century}{yy}-{number}{piece}"


def object_id_to_designator(object_id: str | None) -> str:
    """Eight-column TLE designator from ``OBJECT_ID`` (``"1998-067A"`` → ``"98067A  "``).

    ``None`` → blanks. Raises ``ValueError`` for ids that are not ``YYYY-NNN[P[P[P]]]`` with a
    year 1957–2056 (the two-digit-year window of a TLE).
    """
    if object_id is None:
        return " " * 8
    m = _OBJECT_ID.fullmatch(object_id)
    if m is None or not 1957 <= int(m.group(1)) <= 2056:
        raise ValueError(f"OBJECT_ID {object_id!r} cannot be written as a TLE designator")
    year, number, piece = m.groups()
    return f"{year[2:]}{number}{piece}".ljust(8)


def parse_date(text: str) -> date:
    """``date`` from ``YYYY-MM-DD`` (SATCAT launch and decay dates). Raises ``ValueError``."""
    return date.fromisoformat(text.strip())
