"""Fuzz targets for every reader of the package: seeds, byte mutators and the crash oracle.

Shared by the suite (``test_fuzz_readers.py``: a small fixed budget per reader) and by
``benchmarks/fuzz.py`` (millions of inputs, several processes). Not a test module itself.

A *reader* is a name, a list of seeds and a function ``run(bytes)``. A seed is a real sample from
``$SWEEPERS_DATA`` (or, where the data folder has none, a message our writers make from real
data: OMM XML/KVN and CDM XML from the bundled 3LE catalog and CARA's CDMs, OEM from an SGP4
propagation of a bundled 3LE record) cut into a prefix, record chunks and a suffix. A mutation
changes **one chunk** only, so every other chunk is a good record that must survive.

A *crash* (``check`` returns its description) is

* any exception other than the reader's reported rejection (``FormatError`` for the catalog
  codecs' binary refusal and for the single-message CDM/OEM readers, ``ShipError`` for the ship
  file; the catalog codecs and the GTOC9 reader report everything as data and never raise);
* a good record lost: a record that the untouched chunk gives on its own is missing from the
  output of the mutated input;
* a damaged record dropped silently: the mutated chunk gives neither a record nor a rejection.

Hangs (over 1 s of CPU per input) are measured by the benchmark, not here (the suite has no timed
assertions).
"""

from __future__ import annotations

import json
import random
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from sweepers.config import data_dir
from sweepers.errors import FormatError

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Seed:
    """A sample cut into ``prefix + sep.join(chunks) + suffix``; each chunk holds one record."""

    prefix: bytes
    chunks: list[bytes]
    sep: bytes
    suffix: bytes
    expected: list[list[Any]] = field(default_factory=list)  # records each chunk gives alone
    names: bool = True  # False for 2LE: a damaged line before a pair is read as its name line

    def join(self, chunks: list[bytes]) -> bytes:
        return self.prefix + self.sep.join(chunks) + self.suffix


@dataclass
class Reader:
    """One reader under fuzz: ``run(data)`` returns the records it kept and how many rejections."""

    name: str
    run: Callable[[bytes], tuple[list[Any], int]]
    allowed: tuple[type[BaseException], ...]  # the reader's reported rejection
    seeds: Callable[[], list[Seed]]
    multi: bool = True  # records are independent: the good-record oracle applies


# ------------------------------------------------------------------------------------- runners


def _codec(fmt: str) -> Callable[[bytes], tuple[list[Any], int]]:
    from sweepers.formats import parse_bytes

    def run(data: bytes) -> tuple[list[Any], int]:
        parsed = parse_bytes(data, "fuzz", fmt)
        return parsed.records, len(parsed.rejected)

    return run


def _cdm(data: bytes) -> tuple[list[Any], int]:
    from sweepers.formats import cdm

    cdm.loads(data.decode("utf-8", "replace"), "fuzz")  # as cdm.load reads a file
    return [], 0


def _oem(data: bytes) -> tuple[list[Any], int]:
    from sweepers.formats import oem

    oem.loads(data.decode("utf-8", "replace"), "fuzz")  # as oem.load reads a file
    return [], 0


def _gtoc9(data: bytes) -> tuple[list[Any], int]:
    from sweepers.gtoc9.solution import parse_mission

    mission = parse_mission(data.decode("utf-8", "surrogateescape"), "fuzz")  # as read_mission
    events = [(e.epoch_mjd2000, e.position_m, e.velocity_m_s, e.mass_kg, e.dv_m_s, e.debris_id)
              for e in mission.events]
    return events, len(mission.issues)


def _ship(data: bytes) -> tuple[list[Any], int]:
    from sweepers.salvage.planner.ship import ShipError, loads_ship

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # load_ship's own refusal of non-UTF-8 bytes
        raise ShipError(f"not UTF-8 ({exc.reason})") from None
    return [loads_ship(text, "fuzz")], 0


# --------------------------------------------------------------------------------------- seeds


def _data(*parts: str) -> bytes:
    return data_dir().joinpath(*parts).read_bytes()


def _lines(blob: bytes, sep: bytes = b"\n") -> list[bytes]:
    return [line for line in blob.split(sep) if line.strip()]


def _pick(items: list[Any], count: int, seed: int) -> list[Any]:
    rng = random.Random(seed)
    return sorted(rng.sample(range(len(items)), count))


@cache
def _catalog_3le() -> list[bytes]:
    lines = _data("catalog", "spacetrack_3le_full_catalog_2023-10.txt").split(b"\r\n")
    return [b"\r\n".join(lines[i:i + 3]) for i in range(0, len(lines) - 2, 3)]


def _tle_seeds() -> list[Seed]:
    records = _catalog_3le()
    seeds = [Seed(b"", [records[i] for i in _pick(records, 5, k)], b"\r\n", b"\r\n")
             for k in range(3)]
    cel = _lines(_data("catalog", "debris-clouds", "celestrak_iridium-33-debris_2025-02.txt"))
    cel = [b"\n".join(cel[i:i + 3]) for i in range(0, len(cel) - 2, 3)]
    seeds.append(Seed(b"", cel[:4], b"\n", b"\n"))
    two_line = [b"\n".join(r.split(b"\r\n")[1:]) for r in records[100:104]]
    seeds.append(Seed(b"", two_line, b"\n", b"", names=False))
    return seeds


def _element_sets(count: int, seed: int) -> list[Any]:
    from sweepers.formats import parse_tle

    records = _catalog_3le()
    picked = b"\r\n".join(records[i] for i in _pick(records, count, seed))
    return parse_tle(picked).records


def _json_seed(objects: list[Any]) -> Seed:
    return Seed(b"[", [json.dumps(o).encode() for o in objects], b",\n", b"]")


def _omm_json_seeds() -> list[Seed]:
    objs = json.loads(_data("catalog", "debris-clouds",
                            "celestrak_gp_iridium-33-debris_2026-08.json"))
    return [_json_seed([objs[i] for i in _pick(objs, 4, k)]) for k in range(3)]


def _csv_seed(blob: bytes, count: int, seed: int) -> Seed:
    lines = _lines(blob.replace(b"\r\n", b"\n"))
    rows = lines[1:]
    return Seed(lines[0] + b"\n", [rows[i] for i in _pick(rows, count, seed)], b"\n", b"\n")


def _omm_csv_seeds() -> list[Seed]:
    blob = _data("catalog", "celestrak_gp_active_2026-07.csv")
    return [_csv_seed(blob, 4, k) for k in range(3)]


def element_set_seed(fmt: str, records: list[Any]) -> Seed:
    """A seed of ``records`` (``ElementSet``) written by the package's writer for ``fmt``."""
    from datetime import UTC, datetime

    from sweepers.formats import (
        element_set_to_omm,
        format_tle,
        write_omm_csv,
        write_omm_kvn,
        write_omm_xml,
    )

    created = datetime(2023, 10, 9, tzinfo=UTC)
    if fmt == "tle":
        return Seed(b"", [("0 " + (r.object_name or "") + "\n" + "\n".join(format_tle(r))).encode()
                          for r in records], b"\n", b"\n")
    if fmt == "omm-json":
        return _json_seed([element_set_to_omm(r) for r in records])
    if fmt == "omm-csv":
        head, *rows = write_omm_csv(records).strip().split("\n")
        return Seed((head + "\n").encode(), [r.encode() for r in rows], b"\n", b"\n")
    if fmt == "omm-kvn":
        text = write_omm_kvn(records, creation_date=created)
        return Seed(b"", [m.strip().encode() for m in text.split("\n\n")], b"\n\n", b"\n")
    text = write_omm_xml(records, creation_date=created)
    head, rest = text.split("<omm ", 1)
    body, tail = ("<omm " + rest).rsplit("</ndm>", 1)
    chunks = [("<omm " + c).strip() for c in body.split("<omm ") if c.strip()]
    return Seed(head.encode(), [c.encode() for c in chunks], b"\n", ("\n</ndm>" + tail).encode())


def _omm_xml_seeds() -> list[Seed]:
    return [element_set_seed("omm-xml", _element_sets(4, k)) for k in range(2)]


def _omm_kvn_seeds() -> list[Seed]:
    return [element_set_seed("omm-kvn", _element_sets(4, k)) for k in range(2)]


def _satcat_seeds() -> list[Seed]:
    objs = json.loads(_data("satcat", "spacetrack_satcat_current_2025-03-16.json"))
    dead = json.loads(_data("satcat", "spacetrack_satcat_decayed_2025-03-16.json"))
    return [_json_seed([objs[i] for i in _pick(objs, 4, 1)]),
            _json_seed([dead[i] for i in _pick(dead, 4, 2)])]


def _cara_seeds() -> list[Seed]:
    blob = _data("satcat", "nasa_cara_hbr_mass_estimates_2026-06-01.csv")
    return [_csv_seed(blob, 5, k) for k in range(2)]


def _gcat_seeds() -> list[Seed]:
    lines = _data("satcat", "gcat_psatcat_2025-07-30.tsv").split(b"\n")
    head = [line for line in lines[:5] if line.startswith(b"#")]
    rows = [line for line in lines if line.strip() and not line.startswith(b"#")]
    return [Seed(b"\n".join(head) + b"\n", [rows[i] for i in _pick(rows, 4, k)], b"\n", b"\n")
            for k in range(2)]


def _cdm_files() -> list[Path]:
    return sorted(data_dir().joinpath("pc-reference", "cdm", "SampleCDMs").glob("*.cdm"))


def _cdm_kvn_seeds() -> list[Seed]:
    files = _cdm_files()
    return [Seed(b"", [files[i].read_bytes()], b"", b"") for i in (0, 11, 19)]


def _cdm_xml_seeds() -> list[Seed]:
    from sweepers.formats import cdm

    files = _cdm_files()
    return [Seed(b"", [cdm.dumps_xml(cdm.load(files[i])).encode()], b"", b"") for i in (0, 19)]


@cache
def _oem_message() -> Any:
    """An OEM of the ISS (catalog 25544 of the bundled 3LE) propagated by SGP4: 8 states, 60 s
    apart, TEME, with one covariance block."""
    import numpy as np
    from sgp4.api import Satrec, jday

    from sweepers.formats import oem

    record = next(r for r in _catalog_3le() if r.split(b"\r\n")[1][2:7] == b"25544")
    _name, line1, line2 = record.decode().split("\r\n")
    sat = Satrec.twoline2rv(line1, line2)
    t0 = np.datetime64("2023-10-09T12:00:00", "us")
    epochs = t0 + np.arange(8) * np.timedelta64(60, "s")
    jd, fr = jday(2023, 10, 9, 12, 0, 0)
    states = [sat.sgp4(jd, fr + k * 60 / 86400) for k in range(8)]
    segment = oem.OemSegment(
        object_name="ISS (ZARYA)", object_id="1998-067A", center_name="EARTH", ref_frame="TEME",
        time_system="UTC", start_time=epochs[0], stop_time=epochs[-1], epochs=epochs,
        positions_km=np.array([s[1] for s in states]),
        velocities_km_s=np.array([s[2] for s in states]),
        interpolation="HERMITE", interpolation_degree=5,
        covariances=[oem.OemCovariance(epochs[0], np.diag([1e-2, 1e-2, 1e-2, 1e-6, 1e-6, 1e-6]))])
    return oem.Oem(originator="SWEEPERS", creation_date=t0, segments=[segment])


def _oem_kvn_seeds() -> list[Seed]:
    from sweepers.formats import oem

    return [Seed(b"", [oem.dumps_kvn(_oem_message()).encode()], b"", b"")]


def _oem_xml_seeds() -> list[Seed]:
    from sweepers.formats import oem

    return [Seed(b"", [oem.dumps_xml(_oem_message()).encode()], b"", b"")]


def _gtoc9_seeds() -> list[Seed]:
    seeds = []
    for name in ("m01.txt", "m07.txt"):
        lines = (REPO / "results" / "gtoc9" / name).read_bytes().split(b"\n")
        head = [line for line in lines if line.startswith(b"#")]
        rows = [line for line in lines if line.strip() and not line.startswith(b"#")]
        seeds.append(Seed(b"\n".join(head) + b"\n", rows, b"\n", b"\n"))
    return seeds


SHIP_TOML = (b'name = "Broom"\npropellant_kg = 500\ncapacity = 4\n'
             b'start = "2023-10-01T00:00:00Z"\nmonths = 3\n'
             b'[orbit]\naltitude_km = 800\ni_deg = 71.0\nraan_deg = 20\n')
"""The ship file of ``tests/salvage/test_planner_ship.py`` (the project has no other)."""


def _ship_seeds() -> list[Seed]:
    return [Seed(b"", [SHIP_TOML], b"", b""),
            Seed(b"", [b"[orbit]\nfrom_norad_id = 25544\n"], b"", b"")]


def _readers() -> dict[str, Reader]:
    from sweepers.salvage.planner.ship import ShipError

    catalog = (FormatError,)  # only the binary refusal
    return {r.name: r for r in (
        Reader("tle", _codec("tle"), catalog, _tle_seeds),
        Reader("omm-json", _codec("omm-json"), catalog, _omm_json_seeds),
        Reader("omm-csv", _codec("omm-csv"), catalog, _omm_csv_seeds),
        Reader("omm-xml", _codec("omm-xml"), catalog, _omm_xml_seeds),
        Reader("omm-kvn", _codec("omm-kvn"), catalog, _omm_kvn_seeds),
        Reader("satcat", _codec("satcat"), catalog, _satcat_seeds),
        Reader("cara-mass", _codec("cara-mass"), catalog, _cara_seeds),
        Reader("gcat", _codec("gcat"), catalog, _gcat_seeds),
        Reader("cdm-kvn", _cdm, (FormatError,), _cdm_kvn_seeds, multi=False),
        Reader("cdm-xml", _cdm, (FormatError,), _cdm_xml_seeds, multi=False),
        Reader("oem-kvn", _oem, (FormatError,), _oem_kvn_seeds, multi=False),
        Reader("oem-xml", _oem, (FormatError,), _oem_xml_seeds, multi=False),
        Reader("gtoc9", _gtoc9, (), _gtoc9_seeds),
        Reader("ship", _ship, (ShipError,), _ship_seeds, multi=False),
    )}


READER_NAMES = ("tle", "omm-json", "omm-csv", "omm-xml", "omm-kvn", "satcat", "cara-mass",
                "gcat", "cdm-kvn", "cdm-xml", "oem-kvn", "oem-xml", "gtoc9", "ship")


@cache
def reader(name: str) -> Reader:
    """The reader ``name`` (one of :data:`READER_NAMES`)."""
    return _readers()[name]


def with_expected(name: str, seed: Seed) -> Seed:
    """``seed`` with the records each chunk gives on its own (``AssertionError`` if unclean)."""
    r = reader(name)
    seed.expected = []
    for chunk in seed.chunks:
        records, rejected = r.run(seed.join([chunk]))
        if rejected:
            raise AssertionError(f"{name}: seed chunk is not clean: {chunk[:80]!r}")
        seed.expected.append(records)
    return seed


@cache
def seeds(name: str) -> list[Seed]:
    """The seeds of reader ``name`` with the records each chunk gives on its own."""
    return [with_expected(name, seed) for seed in reader(name).seeds()]


FIELDS: dict[str, re.Pattern[bytes]] = {
    "tle": re.compile(rb"\S+"),
    "omm-json": re.compile(rb'(?<=: )(?:"(?:[^"\\]|\\.)*"|[^,}\s]+)'),
    "omm-csv": re.compile(rb"(?:(?<=^)|(?<=,))[^,\n]*"),
    "omm-xml": re.compile(rb"(?<=>)[^<]+(?=</)"),
    "omm-kvn": re.compile(rb"(?<==)[^\n]*"),
    "satcat": re.compile(rb'(?<=: )(?:"(?:[^"\\]|\\.)*"|[^,}\s]+)'),
    "cara-mass": re.compile(rb"(?:(?<=^)|(?<=,))[^,\n]*"),
    "gcat": re.compile(rb"[^\t\n]+"),
    "cdm-kvn": re.compile(rb"(?<==)[^\n]*"),
    "cdm-xml": re.compile(rb"(?<=>)[^<]+(?=</)"),
    "oem-kvn": re.compile(rb"(?<==)[^\n]*|(?m:^[0-9][^\n=]*$)"),
    "oem-xml": re.compile(rb"(?<=>)[^<]+(?=</)"),
    "gtoc9": re.compile(rb"\S+"),
    "ship": re.compile(rb"(?<== )[^\n]+"),
}
"""What one field of a record looks like in each reader's text (values, cells, tokens)."""


def field_spans(name: str, chunk: bytes) -> list[tuple[int, int]]:
    """Spans of the fields of ``chunk`` (see :data:`FIELDS`)."""
    return [m.span() for m in FIELDS[name].finditer(chunk)]


def break_field(chunk: bytes, span: tuple[int, int], value: bytes) -> bytes:
    """``chunk`` with the field at ``span`` replaced by ``value``."""
    return chunk[:span[0]] + value + chunk[span[1]:]


# ------------------------------------------------------------------------------------ mutation

SPECIALS: tuple[bytes, ...] = (
    b"\x00", b"\r", b"\r\n", b"\n", b"\t", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3",
    b"\xe2\x80", b"\xed\xa0\x80", b"\xc2\x85", b"\x1b[31m", b"\x7f", b"\xe2\x80\xae",
    b"\xef\xbf\xbd", b"NaN", b"nan", b"-Infinity", b"inf", b"1e999", b"-1e-999", b"9" * 400,
    b"1" * 5000, b"-0", b"0x1F", b"1_000", b"\xef\xbc\x91", b"1e308", b"4.9e-324",
    b"99999999999999999999", b"-", b"+", b".", b"e", b",", b";", b"=", b"==", b'"', b"'", b"\\",
    b"[", b"]", b"{", b"}", b"<", b">", b"&", b"&amp;", b"&#0;", b"&#x7f;", b"]]>", b"<!--",
    b"<![CDATA[", b"#", b"COMMENT ", b"[km]", b"META_START", b"META_STOP", b"COVARIANCE_START",
    b"DATA_START", b"CCSDS_OMM_VERS = 2.0", b"OBJECT = OBJECT1", b"1 ", b"2 ", b"0 ",
    b"#JCAT\t", b"\x1f\x8b", b"null", b"true", b"[orbit]", b"[[orbit]]",
)
XML_BOMBS: tuple[bytes, ...] = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
    b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">',
    b"&lol3;", b"&xxe;",
)


def _deep(rng: random.Random) -> bytes:
    depth = rng.choice((70, 1000, 20_000))
    kind = rng.randrange(3)
    if kind == 0:
        return b"<a>" * depth + b"x" + b"</a>" * depth
    if kind == 1:
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def mutate(chunk: bytes, rng: random.Random) -> bytes:
    """``chunk`` with one to three random byte-level damages (see the module docstring)."""
    data = bytearray(chunk)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        op = rng.randrange(13)
        n = len(data)
        at = rng.randrange(n + 1)
        if op == 0:  # truncation
            del data[at:]
        elif op == 1 and n:  # bit flip
            i = rng.randrange(n)
            data[i] ^= 1 << rng.randrange(8)
        elif op == 2 and n:  # random byte
            data[rng.randrange(n)] = rng.randrange(256)
        elif op == 3:  # insert random bytes
            data[at:at] = rng.randbytes(rng.randrange(1, 9))
        elif op == 4:  # delete a range
            del data[at:at + rng.randrange(1, 40)]
        elif op == 5 and n:  # duplicate a range (a line, keys, a record part)
            i = rng.randrange(n)
            data[at:at] = data[i:i + rng.randrange(1, 120)]
        elif op == 6:  # special token inserted
            data[at:at] = rng.choice(SPECIALS)
        elif op == 7 and n:  # special token replaces a field-sized span
            data[at:at + rng.randrange(1, 12)] = rng.choice(SPECIALS)
        elif op == 8:  # number replaced by a huge or non-finite one
            spans = [m.span() for m in re.finditer(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", data)]
            if spans:
                a, b = rng.choice(spans)
                data[a:b] = rng.choice((b"NaN", b"inf", b"-inf", b"1e999", b"9" * 5000,
                                        b"1" * 4400, b"-0", b"1e-400", b"123456789012345"))
        elif op == 9 and n:  # another encoding for a stretch of text
            i = rng.randrange(n)
            piece = bytes(data[i:i + rng.randrange(1, 60)]).decode("utf-8", "replace")
            data[i:i + len(piece)] = piece.encode(rng.choice(("utf-16", "utf-16-be", "latin-1",
                                                              "utf-32")), "replace")
        elif op == 10:  # XML entity bombs and external entities
            data[at:at] = rng.choice(XML_BOMBS)
        elif op == 11:  # deep nesting
            data[at:at] = _deep(rng)
        elif op == 12:  # line ends: CR only, stray CRs, NULs
            data[:] = data.replace(b"\n", rng.choice((b"\r", b"\r\r\n", b"\n\x00", b"\x00")))
    return bytes(data)


def check(name: str, data: bytes, seed: Seed | None = None, hit: int | None = None,
          chunk: bytes | None = None) -> str | None:
    """``None`` if reader ``name`` handled ``data`` correctly, else the crash (module docstring).

    ``seed``/``hit``/``chunk``: the input is ``seed`` with chunk ``hit`` replaced by ``chunk``, so
    every other chunk's records must be in the output, and ``chunk``, unless it is blank or only
    comments, must give a record or a rejection.
    """
    r = reader(name)
    try:
        records, rejected = r.run(data)
    except r.allowed:
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    if seed is None or hit is None or not r.multi:
        return None
    key = _key if seed.names else _key_without_name
    kept = set(map(key, records))
    for i, expected in enumerate(seed.expected):
        if i != hit and not all(key(e) in kept for e in expected):
            return f"good record of chunk {i} lost"
    others = sum(len(e) for i, e in enumerate(seed.expected) if i != hit)
    # in a 2LE, a short damaged line before a pair is kept as that pair's name: visible, not lost
    named = not seed.names and any(getattr(r, "object_name", None) for r in records)
    if len(records) <= others and rejected == 0 and _has_content(chunk) and not named:
        return f"damaged chunk {hit} dropped silently"
    return None


_SILENT_LINE = re.compile(rb"\s*(?:#.*|COMMENT(?:\s.*)?)?")


def _has_content(chunk: bytes | None) -> bool:
    """Whether ``chunk`` has a line that is not blank and not a comment (``#``, ``COMMENT``)."""
    return chunk is not None and any(not _SILENT_LINE.fullmatch(line)
                                     for line in chunk.split(b"\n"))


def _key(record: Any) -> Any:
    return repr(record)


def _key_without_name(record: Any) -> Any:
    """A 2LE has no name lines: a short damaged line before a pair is indistinguishable from a
    name, so only the elements are compared."""
    return repr(replace(record, object_name=None))


HOSTILE_FIXED: tuple[bytes, ...] = (
    b"", b" ", b"1e999", b"-1e999", b"NaN", b"Infinity", b"-0.0", b"0" * 80, b"9" * 5000,
    b"\x00" * 3, b"\xff\xfe\x00", b"\xef\xbf\xbd", b"&lol3;", b"</omm>", b"<omm>", b"\n\n",
    b"\r", b"  \t ",
)
"""Broken field values beside :data:`SPECIALS` (drawn by the suite's Hypothesis strategy and by
:func:`hostile_value`)."""


def hostile_value(rng: random.Random) -> bytes:
    """A broken field value: a special token, random bytes, random Unicode text (surrogates
    included), an integer of up to 400 digits, or a float's ``repr`` (NaN, ±inf, subnormals)."""
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(SPECIALS)
    if kind == 1:
        return rng.choice(HOSTILE_FIXED)
    if kind == 2:
        return rng.randbytes(rng.randrange(25))
    if kind == 3:
        points = (rng.choice((rng.randrange(0x80), rng.randrange(0x110000)))
                  for _ in range(rng.randrange(25)))
        return "".join(map(chr, points)).encode("utf-8", "surrogatepass")
    if kind == 4:
        return str(rng.choice((-1, 1)) * rng.randrange(10 ** rng.randrange(1, 400))).encode()
    bits = rng.getrandbits(64).to_bytes(8, "little")
    return repr(struct.unpack("<d", bits)[0]).encode()


def break_one_field(name: str, chunk: bytes, rng: random.Random) -> bytes:
    """``chunk`` with one of its fields (:data:`FIELDS`) replaced by :func:`hostile_value`; a
    chunk without fields gets the value inserted at its start."""
    spans = field_spans(name, chunk)
    span = rng.choice(spans) if spans else (0, 0)
    return break_field(chunk, span, hostile_value(rng))


BUILT_FORMATS = ("tle", "omm-json", "omm-csv", "omm-xml", "omm-kvn")
"""Readers whose records Hypothesis also builds (the element-set round-trip strategy)."""


@cache
def built_seeds(name: str, count: int = 200) -> list[Seed]:
    """``count`` seeds of 2–4 element sets drawn by the suite's Hypothesis round-trip strategy
    (``test_formats_roundtrip.tle_element_sets``, derandomised: the same on every run) and
    written by the package's writer for ``name``; empty for the other readers."""
    if name not in BUILT_FORMATS:
        return []
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from test_formats_roundtrip import tle_element_sets

    drawn: list[list[Any]] = []

    @settings(max_examples=count, database=None, derandomize=True, phases=[Phase.generate],
              deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(tle_element_sets, min_size=2, max_size=4))
    def draw(records: list[Any]) -> None:
        drawn.append(records)

    draw()
    return [with_expected(name, element_set_seed(name, records)) for records in drawn]


MODES = ("bytes", "field")
"""How :func:`fuzz_one` damages a record: byte-level mutation, or one field broken."""


def damaged_input(name: str, rng: random.Random, mode: str = "bytes",
                  built: bool = False) -> tuple[bytes, Seed, int, bytes]:
    """One damaged input for reader ``name``: ``(data, seed, hit, damaged chunk)``.

    ``mode``: ``"bytes"`` (:func:`mutate`) or ``"field"`` (:func:`break_one_field`); ``built``:
    start from a Hypothesis-built seed (:func:`built_seeds`) instead of a real sample."""
    pool = built_seeds(name) if built else seeds(name)
    seed = rng.choice(pool)
    hit = rng.randrange(len(seed.chunks))
    chunks = list(seed.chunks)
    if mode == "field":
        chunks[hit] = break_one_field(name, chunks[hit], rng)
    else:
        chunks[hit] = mutate(chunks[hit], rng)
    return seed.join(chunks), seed, hit, chunks[hit]


def fuzz_one(name: str, rng: random.Random, mode: str = "bytes",
             built: bool = False) -> tuple[bytes, str | None]:
    """One damaged input (:func:`damaged_input`) and its crash description (``None``: handled)."""
    data, seed, hit, chunk = damaged_input(name, rng, mode, built)
    return data, check(name, data, seed, hit, chunk)
