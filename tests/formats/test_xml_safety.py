"""XML readers refuse entity expansion and external entities (issue 12, "Bad input, measured").

Each reader gets a good message (OMM from our writer on the bundled 3LE catalog, CDM from CARA's
``AlfanoTestCase01.cdm`` through our XML writer, OEM from the CCSDS-style example of
``test_oem.py``) that first reads fine, then the same message with a DTD in front and an entity
reference in a value: the "billion laughs" bomb (10⁹ "lol" if expanded) and an external entity
``file:///etc/passwd``. Both are refused with one clear reason; nothing of /etc/passwd appears.
Nesting deeper than ``MAX_DEPTH`` is one reported rejection too (it was a ``RecursionError`` in
the CDM and OEM readers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_oem import XML as OEM_XML

from sweepers.errors import FormatError
from sweepers.formats import cdm, oem, parse_bytes, parse_tle, write_omm_xml
from sweepers.formats._xml import MAX_DEPTH

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10 if k > 1 else "&lol;" * 10}">'
              for k in range(1, 10))
    + "]>"
)
PASSWD = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
BOMBS = {"billion laughs": (LAUGHS, "&lol9;"), "external entity": (PASSWD, "&xxe;")}


def _omm(shared_data: Path) -> str:
    lines = (shared_data / "catalog/spacetrack_3le_full_catalog_2023-10.txt").read_bytes()
    records = parse_tle(b"\r\n".join(lines.split(b"\r\n")[:6])).records
    return write_omm_xml(records, creation_date=datetime(2023, 10, 9, tzinfo=UTC))


def _cdm(shared_data: Path) -> str:
    sample = shared_data / "pc-reference/cdm/SampleCDMs/AlfanoTestCase01.cdm"
    return cdm.dumps_xml(cdm.load(sample))


def _armed(text: str, dtd: str, reference: str, tag: str) -> str:
    """``text`` with ``dtd`` after the XML declaration and ``reference`` in the first ``<tag>``."""
    declaration, rest = text.split("\n", 1) if text.startswith("<?xml") else ("", text)
    rest = rest.replace(f"<{tag}>", f"<{tag}>{reference}", 1)
    return f"{declaration}\n{dtd}\n{rest}"


def _read_omm(text: str) -> str:
    parsed = parse_bytes(text.encode(), "m.xml", "auto")
    assert parsed.records == [] and len(parsed.rejected) == 1
    return str(parsed.rejected[0])


def _read_cdm(text: str) -> str:
    with pytest.raises(FormatError) as info:
        cdm.loads(text, "c.xml")
    return str(info.value)


def _read_oem(text: str) -> str:
    with pytest.raises(FormatError) as info:
        oem.loads(text, "o.xml")
    return str(info.value)


READERS: dict[str, tuple[Callable[[Path], str], Callable[[str], str], str]] = {
    "omm": (_omm, _read_omm, "OBJECT_NAME"),
    "cdm": (_cdm, _read_cdm, "ORIGINATOR"),
    "oem": (lambda _data: OEM_XML.replace("<n:", "<").replace("</n:", "</"), _read_oem,
            "ORIGINATOR"),
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("bomb", BOMBS)
def test_entities_are_refused(reader: str, bomb: str, shared_data: Path) -> None:
    make, read, tag = READERS[reader]
    good = make(shared_data)
    assert f"<{tag}>" in good
    if reader == "omm":
        assert len(parse_bytes(good.encode(), "m.xml").records) == 2  # the control: it reads
    elif reader == "cdm":
        assert cdm.loads(good).originator
    else:
        assert oem.loads(good).originator == "SWEEPERS"
    dtd, reference = BOMBS[bomb]
    message = read(_armed(good, dtd, reference, tag))
    assert "refused: the document has a DTD (<!DOCTYPE>)" in message
    assert "root:" not in message and "lollol" not in message


@pytest.mark.parametrize("reader", READERS)
def test_deep_nesting_is_a_rejection_not_a_recursion_error(reader: str,
                                                           shared_data: Path) -> None:
    make, read, tag = READERS[reader]
    deep = "<a>" * 5000 + "x" + "</a>" * 5000
    text = make(shared_data).replace(f"<{tag}>", f"<{tag}>{deep}", 1)
    if reader == "omm":  # one <omm> of two is deep: it alone is rejected, the other kept
        parsed = parse_bytes(text.encode(), "m.xml")
        assert [e.norad_id for e in parsed.records] == [11] and len(parsed.rejected) == 1
        message = str(parsed.rejected[0])
    else:
        message = read(text)
    assert f"nested deeper than {MAX_DEPTH} levels" in message
