"""Conventions shared by the CCSDS writers for NDM/XML 2.0.0 (CDM 1.0, OEM 2.0, OMM 2.0).

The schemas (``ndmxml-2.0.0-*.xsd``) type many elements more narrowly than the KVN text a reader
accepts. When an optional keyword's value (or a keyword the schema does not know) cannot be held
by its element, the writers leave the element out and keep the keyword in a COMMENT of the same
section, ``left out (reason): KEY = VALUE``; the readers put it back. Nothing is lost silently and
the document still validates.
"""

from __future__ import annotations

import re

LEFT_OUT = re.compile(r"^left out \(([^()]*)\): ([A-Z0-9_]+) = (.*)$")
"""A kept keyword: groups (reason, keyword, value)."""

# Lexical spaces of XML Schema 1.0 types used by the NDM schemas.
XSD_DOUBLE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN")
XSD_POSITIVE_INTEGER = re.compile(r"\+?0*[1-9]\d*")
# epochType of ndmxml-2.0.0-common-2.0.xsd, less its empty alternative (an epoch is obligatory).
XSD_EPOCH = re.compile(r"-?\d{4}\d*-(?:\d{2}-\d{2}|\d{3})T\d{2}:\d{2}:\d{2}(?:\.\d*)?"
                       r"(?:Z|[+|\-]\d{2}:\d{2})?")
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters that XML 1.0 cannot carry, not even escaped."""


def left_out(key: str, value: str, reason: str) -> str:
    """The COMMENT text that keeps ``key = value`` which the message cannot hold (``reason``
    without parentheses)."""
    return f"left out ({reason}): {key} = {value}"


def check_xml_text(key: str, value: str) -> str:
    """``value`` unchanged; ``ValueError`` naming ``key`` if XML 1.0 cannot carry it."""
    if XML_ILLEGAL.search(value):
        raise ValueError(f"{key}: {value!r} holds characters XML 1.0 cannot carry")
    return value
