"""Damaged text vs binary (issue 11.1): both sides of ``BINARY_SHARE`` for every catalog format.

For each text format ingest accepts, a real sample (``$SWEEPERS_DATA``; OMM XML and KVN are
written by our writers from the bundled 3LE catalog, the data folder has none) is damaged inside
one record by the bytes of a corrupted download: the format is still detected, that record alone
is rejected, the others are kept. The same sample compressed (gzip, zip, bzip2, xz) or re-encoded
as UTF-16 is binary: one ``FormatError`` naming what it is, with ``auto`` and with the format
named. The measured shares behind the threshold are in ``sweepers.formats.BINARY_SHARE``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sweepers.errors import FormatError
from sweepers.formats import (
    BINARY_SHARE,
    binary_kind,
    detect_format,
    non_text_share,
    parse_bytes,
    parse_tle,
    write_omm_kvn,
    write_omm_xml,
)

DAMAGE = b"\x00\xff\xfe\x9c"  # NUL, a UTF-16 BOM, a stray high byte
N = 20  # records per sample


def _catalog(shared_data: Path) -> bytes:
    lines = (shared_data / "catalog/spacetrack_3le_full_catalog_2023-10.txt").read_bytes()
    return b"\r\n".join(lines.split(b"\r\n")[: 3 * N]) + b"\r\n"


def _json_lines(objects: list[object]) -> bytes:
    return json.dumps(objects).encode()  # CelesTrak and Space-Track write one line


def _sample(fmt: str, data: Path) -> bytes:
    created = datetime(2023, 10, 9, tzinfo=UTC)
    if fmt == "tle":
        return _catalog(data)
    if fmt == "omm-xml":
        return write_omm_xml(parse_tle(_catalog(data)).records, creation_date=created).encode()
    if fmt == "omm-kvn":
        return write_omm_kvn(parse_tle(_catalog(data)).records, creation_date=created).encode()
    if fmt == "omm-json":
        path = data / "catalog/debris-clouds/celestrak_gp_iridium-33-debris_2026-08.json"
        return _json_lines(json.loads(path.read_bytes())[:N])
    if fmt == "satcat":
        path = data / "satcat/spacetrack_satcat_current_2025-03-16.json"
        return _json_lines(json.loads(path.read_bytes())[:N])
    name = {"omm-csv": "catalog/celestrak_gp_active_2026-07.csv",
            "cara-mass": "satcat/nasa_cara_hbr_mass_estimates_2026-06-01.csv",
            "gcat": "satcat/gcat_psatcat_2025-07-30.tsv"}[fmt]
    lines = (data / name).read_bytes().split(b"\n")
    head = [line for line in lines[:5] if line.startswith(b"#")] if fmt == "gcat" else []
    rows = [line for line in lines if line.strip() and not line.startswith(b"#")][: N + 1]
    if fmt == "gcat":
        rows = rows[:N]
    return b"\n".join(head + rows) + b"\n"


# Where record 10 can be hit without touching the structure around it: inside a value.
ANCHORS = {
    "tle": b"\r\n1 ", "omm-xml": b"<OBJECT_NAME>", "omm-kvn": b"OBJECT_NAME = ",
    "omm-json": b'"OBJECT_NAME": "', "satcat": b'"SATNAME": "', "omm-csv": b"\n",
    "cara-mass": b"\n", "gcat": b"\n",
}
FORMATS = tuple(ANCHORS)


def _damage(data: bytes, anchor: bytes, nth: int = 10) -> bytes:
    at = -1
    for _ in range(nth):
        at = data.index(anchor, at + 1)
    at += len(anchor) + 1
    return data[:at] + DAMAGE + data[at + len(DAMAGE):]


@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_record_is_text_and_costs_one_record(fmt: str, shared_data: Path) -> None:
    clean = _sample(fmt, shared_data)
    good = parse_bytes(clean, "s", fmt)
    assert len(good.records) == N and good.rejected == []
    damaged = _damage(clean, ANCHORS[fmt])
    assert 0 < non_text_share(damaged) < BINARY_SHARE / 10  # far below the threshold
    assert detect_format(damaged, "s") == fmt
    parsed = parse_bytes(damaged, "s", "auto")
    assert len(parsed.records) == N - 1
    assert len(parsed.rejected) == 1
    lost = set(good.records) - set(parsed.records)
    assert len(lost) == 1  # exactly the damaged record, the others unchanged


def _zip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("catalog.txt", data)
    return buffer.getvalue()


PACKED = {
    "gzip-compressed data": gzip.compress,
    "a zip archive": _zip,
    "bzip2-compressed data": bz2.compress,
    "xz-compressed data": lzma.compress,
    "UTF-16 text": lambda data: data.decode().encode("utf-16"),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", PACKED)
def test_compressed_or_utf16_sample_is_one_clear_error(fmt: str, kind: str,
                                                       shared_data: Path) -> None:
    packed = PACKED[kind](_sample(fmt, shared_data))
    assert non_text_share(packed) > 2 * BINARY_SHARE  # far above the threshold
    with pytest.raises(FormatError, match=rf"^s: {kind} .*not a text format \(\d+% "):
        parse_bytes(packed, "s", "auto")
    with pytest.raises(FormatError, match=rf"^s: {kind} .*not {fmt} text$"):
        parse_bytes(packed, "s", fmt)


def test_threshold_both_sides() -> None:
    rng = random.Random(11)
    text = bytearray(b"".join(rng.choice((b"abc ", b"123\n", b"x,y\t")) for _ in range(250)))
    below, above = bytearray(text), bytearray(text)
    for i in range(0, 1000, 11):  # 91 controls in 1000 bytes: 9.1 %
        below[i] = 0x01
    for i in range(0, 1000, 9):  # 112 controls: 11.2 %
        above[i] = 0x01
    assert non_text_share(bytes(below)) == pytest.approx(0.091)
    assert binary_kind(bytes(below)) is None
    assert non_text_share(bytes(above)) == pytest.approx(0.112)
    assert binary_kind(bytes(above)) == "binary data"
    assert binary_kind(random.Random(1).randbytes(300)) == "binary data"


def test_nul_padding_of_a_cut_download_is_not_binary(shared_data: Path) -> None:
    cut = _catalog(shared_data)[:2000]  # 12 records, then the download stops inside record 13
    data = cut + b"\x00" * 4096  # 67 % NUL, all at the end
    assert binary_kind(data) is None
    parsed = parse_bytes(data, "cut.3le")
    assert parsed.records == parse_tle(cut).records and len(parsed.records) == 12
    assert [r.line for r in parsed.rejected] == [37]  # record 13, its line 1 cut and padded
