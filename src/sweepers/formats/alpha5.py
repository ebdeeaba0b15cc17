"""Alpha-5 catalog numbers: the five-column TLE id field for catalog numbers 0 … 339,999.

Numbers below 100,000 print as five digits (``00005``). From 100,000 the first column is a letter
standing for the ten-thousands: ``A`` = 10, ``B`` = 11, …, ``Z`` = 33, skipping ``I`` and ``O``
(they look like 1 and 0), so ``A0000`` = 100,000, ``T0002`` = 270,002 and ``Z9999`` = 339,999.
Larger numbers exist only in OMM.
"""

from __future__ import annotations

ALPHA5_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
"""The 24 letters used, in order; ``ALPHA5_LETTERS[k]`` stands for ten-thousands ``10 + k``."""

MAX_TLE_CATALOG_NUMBER = 339_999
"""The largest catalog number a TLE can carry (``Z9999``)."""

_LETTER_VALUE = {c: 10 + k for k, c in enumerate(ALPHA5_LETTERS)}


def decode_alpha5(field: str) -> int:
    """Catalog number from a TLE id field (``"T0002"`` → 270002, ``"00005"`` or ``"    5"`` → 5).

    Leading blanks are allowed (space-padded ids, as Space-Track sometimes prints them).
    Raises ``ValueError`` with a readable message for anything else.
    """
    text = field.strip()
    if not text:
        raise ValueError("catalog number is blank")
    head, tail = text[0], text[1:]
    if head.isdigit() and text.isdigit() and text.isascii():
        return int(text)
    if head in _LETTER_VALUE and len(text) == 5 and tail.isdigit() and tail.isascii():
        return _LETTER_VALUE[head] * 10_000 + int(tail)
    raise ValueError(f"{field!r} is not a catalog number (digits or Alpha-5)")


def encode_alpha5(number: int) -> str:
    """Five-column TLE id for a catalog number 0 … 339,999 (zero-padded, Alpha-5 from 100,000).

    Raises ``ValueError`` for negative numbers or numbers above 339,999 (OMM only).
    """
    if not 0 <= number <= MAX_TLE_CATALOG_NUMBER:
        raise ValueError(
            f"catalog number {number} cannot be written in a TLE "
            f"(Alpha-5 covers 0-{MAX_TLE_CATALOG_NUMBER}); write OMM instead"
        )
    if number < 100_000:
        return f"{number:05d}"
    high, low = divmod(number, 10_000)
    return f"{ALPHA5_LETTERS[high - 10]}{low:04d}"
