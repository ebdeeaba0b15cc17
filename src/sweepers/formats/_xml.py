"""XML input without entity expansion: the one way every reader of the package parses XML.

CCSDS NDM/XML messages have no DTD (the schemas are XSD), so a document with a ``<!DOCTYPE>`` —
the carrier of the "billion laughs" expansion bomb, of external entities such as
``file:///etc/passwd`` and of external DTDs — is refused with :class:`XmlRefusedError` before
anything is expanded or fetched. ElementTree input goes through ``defusedxml``; readers that drive
``pyexpat`` themselves (to keep line numbers) call :func:`harden` on their parser, which installs
the same refusals. Nesting is limited to :data:`MAX_DEPTH` levels (NDM needs six), so deep junk is
one clear error, not a recursion crash.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, NoReturn
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _defused_fromstring

MAX_DEPTH = 64
"""Deepest element nesting accepted (an NDM ``<ndm><omm><body><segment><data><…>`` is 6)."""


class XmlRefusedError(ValueError):
    """The document declares entities, refers to an external DTD or is nested too deep."""


class XmlTooDeepError(XmlRefusedError):
    """Elements nested deeper than :data:`MAX_DEPTH` (the rest of the document may be good)."""


def fromstring(text: str) -> ET.Element:
    """Root element of ``text``; ``ET.ParseError`` if not well-formed, ``XmlRefusedError`` for
    entity declarations, external references or nesting deeper than :data:`MAX_DEPTH`."""
    try:
        root = _defused_fromstring(text, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise XmlRefusedError(f"refused: {_why(exc)}") from None
    level: list[tuple[ET.Element, int]] = [(root, 1)]
    while level:
        element, depth = level.pop()
        if depth > MAX_DEPTH:
            raise XmlTooDeepError(f"refused: elements nested deeper than {MAX_DEPTH} levels")
        level.extend((child, depth + 1) for child in element)
    return root


_DTD = "the document has a DTD (<!DOCTYPE>), which NDM/XML never uses (no entity is expanded)"


def _why(exc: DefusedXmlException) -> str:
    name = type(exc).__name__
    if name == "EntitiesForbidden":
        return "the document declares an entity (entity expansion is not allowed)"
    if name == "DTDForbidden":
        return _DTD
    if name == "ExternalReferenceForbidden":
        return "the document refers to an external DTD or entity"
    return f"unsafe XML ({name})"


def _refuse(what: str) -> NoReturn:
    raise XmlRefusedError(f"refused: {what}")


def harden(parser: Any) -> None:
    """Make a ``pyexpat`` parser refuse DTDs, entity declarations and external references.

    Handlers raise :class:`XmlRefusedError`, which ``Parse`` passes on to the caller.
    """
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = lambda *_a: _refuse(_DTD)
    parser.EntityDeclHandler = lambda *_a: _refuse(
        "the document declares an entity (entity expansion is not allowed)")
    parser.UnparsedEntityDeclHandler = lambda *_a: _refuse(
        "the document declares an unparsed entity")
    parser.ExternalEntityRefHandler = lambda *_a: _refuse(
        "the document refers to an external DTD or entity")
