"""CCSDS Conjunction Data Message (CDM, CCSDS 508.0-B-1) codec: KVN and XML, read and write.

Pure text ⇄ records; no physics (RTN→inertial rotation and Pc live in
:mod:`sweepers.conjunctions.pc`). Units are the CDM's own: relative position/miss in m, relative
velocity/speed in m/s, object state in km and km/s, covariance (RTN of each object, lower triangle
``CR_R … CNDOT_NDOT``, optionally up to ``CSRP_SRP``) in m², m²/s, m²/s², … exactly as written.

Accepted KVN variance (seen in real files): ``KEY = VALUE``, ``KEY =VALUE``, padded keys, units in
brackets after the value (``[km]``, ``[m**2/s]``, even an unclosed ``[``), ``COMMENT`` lines
anywhere, day-of-year epochs (``2017-033T23:14:54.330``) as well as calendar epochs, ``NaN``.
The combined hard-body radius is not a CDM keyword; CARA's files carry it in a comment
(``COMMENT HBR = 20.0``, ``COMMENT HBR                        = 20.0``); :attr:`Cdm.hbr_m` is
read from such comments (``HBR``/``HARD_BODY_RADIUS``, ``=`` or ``:``, optional ``[m]``/``[km]``)
and written back as ``COMMENT HBR = <value> [m]``.
Keywords without a dedicated field are kept, in order, in ``extra`` dictionaries (raw text), so a
written file carries everything that was read.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sweepers.errors import FormatError
from sweepers.formats import _xml
from sweepers.formats._text import without_unit

# Covariance keywords in CDM order: row i (0-based) holds columns 0..i of the lower triangle.
_COV_ROW_KEYS = ("R", "T", "N", "RDOT", "TDOT", "NDOT", "DRG", "SRP", "THR")
_COV_PREFIX = ("CR", "CT", "CN", "CRDOT", "CTDOT", "CNDOT", "CDRG", "CSRP", "CTHR")
COVARIANCE_KEYS: tuple[str, ...] = tuple(
    f"{_COV_PREFIX[i]}_{_COV_ROW_KEYS[j]}" for i in range(9) for j in range(i + 1)
)
_COV_INDEX = {
    f"{_COV_PREFIX[i]}_{_COV_ROW_KEYS[j]}": (i, j) for i in range(9) for j in range(i + 1)
}
_STATE_KEYS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_STATE_UNITS = ("km", "km", "km", "km/s", "km/s", "km/s")
_HEADER_KEYS = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_FOR", "MESSAGE_ID")
_REL_VEC = ("RELATIVE_POSITION_R", "RELATIVE_POSITION_T", "RELATIVE_POSITION_N",
            "RELATIVE_VELOCITY_R", "RELATIVE_VELOCITY_T", "RELATIVE_VELOCITY_N")
_OBJ_META_KEYS = ("OBJECT", "OBJECT_DESIGNATOR", "CATALOG_NAME", "OBJECT_NAME",
                  "INTERNATIONAL_DESIGNATOR", "REF_FRAME")
_HBR_RE = re.compile(
    r"^\s*(?:HBR|HARD[\s_-]*BODY[\s_-]*RADIUS)\s*[=:]?\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
    r"\s*(?:\[?\s*(m|km)\s*\]?)?\s*$",
    re.IGNORECASE,
)
_KVN_LINE = re.compile(r"\s*([A-Z0-9_]+)\s*=(.*)")  # value stripped after: no backtracking



def parse_epoch(text: str) -> datetime:
    """CCSDS epoch (``YYYY-MM-DDThh:mm:ss[.f]`` or ``YYYY-DDDThh:mm:ss[.f]``, optional Z) → UTC."""
    s = text.strip().rstrip("Zz")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d*)?", s)
    doy = None
    if m is None:
        m = re.fullmatch(r"(\d{4})-(\d{3})T(\d{2}):(\d{2}):(\d{2})(\.\d*)?", s)
        if m is None:
            raise ValueError(f"not a CCSDS epoch: {text!r}")
        year, doy, hh, mi, ss, frac = m.groups()
        base = datetime(int(year), 1, 1, tzinfo=UTC) + timedelta(days=int(doy) - 1)
    else:
        year, mo, dd, hh, mi, ss, frac = m.groups()
        base = datetime(int(year), int(mo), int(dd), tzinfo=UTC)
    micro = round(float(frac) * 1e6) if frac and frac != "." else 0
    return base + timedelta(hours=int(hh), minutes=int(mi), seconds=int(ss), microseconds=micro)


def format_epoch(t: datetime) -> str:
    """UTC calendar epoch with milliseconds, or microseconds when needed."""
    t = t.astimezone(UTC) if t.tzinfo else t
    if t.microsecond % 1000 == 0:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}"
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _num(text: str) -> float:
    return float(text.strip())


def _fmt(x: float) -> str:
    return "NaN" if math.isnan(x) else repr(float(x))


@dataclass(slots=True)
class CdmObject:
    """One object's segment: metadata, OD/additional parameters, state and covariance.

    ``state_km`` is ``[X, Y, Z, X_DOT, Y_DOT, Z_DOT]`` in km, km/s (frame ``ref_frame``).
    ``covariance_rtn`` is the symmetric 6x6 (or 7x7…9x9 when drag/SRP/thrust terms are given)
    RTN covariance in m-based units as in the file (m², m²/s, m²/s², m³/kg, …).
    ``extra`` keeps every other keyword (raw text) in file order.
    """

    object: str = "OBJECT1"
    object_designator: str = ""
    catalog_name: str = ""
    object_name: str = ""
    international_designator: str = ""
    ref_frame: str = "EME2000"
    state_km: NDArray[np.float64] = field(default_factory=lambda: np.full(6, np.nan))
    covariance_rtn: NDArray[np.float64] = field(default_factory=lambda: np.full((6, 6), np.nan))
    comments: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def position_km(self) -> NDArray[np.float64]:
        """Position [km]."""
        return self.state_km[:3]

    @property
    def velocity_km_s(self) -> NDArray[np.float64]:
        """Velocity [km/s]."""
        return self.state_km[3:]


@dataclass(slots=True)
class Cdm:
    """A conjunction data message: header, relative metadata/data and two objects.

    Units: ``miss_distance_m`` [m], ``relative_speed_m_s`` [m/s], ``relative_position_rtn_m`` [m],
    ``relative_velocity_rtn_m_s`` [m/s] (RTN of object 1); ``tca``/``creation_date`` UTC.
    ``hbr_m`` is the combined hard-body radius from a ``COMMENT HBR`` line (None when absent).
    """

    version: str = "1.0"
    creation_date: datetime | None = None
    originator: str = ""
    message_for: str | None = None
    message_id: str = ""
    tca: datetime | None = None
    miss_distance_m: float = math.nan
    relative_speed_m_s: float = math.nan
    relative_position_rtn_m: NDArray[np.float64] = field(default_factory=lambda: np.full(3, np.nan))
    relative_velocity_rtn_m_s: NDArray[np.float64] = field(
        default_factory=lambda: np.full(3, np.nan))
    collision_probability: float | None = None
    collision_probability_method: str | None = None
    hbr_m: float | None = None
    header_comments: list[str] = field(default_factory=list)
    relative_comments: list[str] = field(default_factory=list)
    relative_extra: dict[str, str] = field(default_factory=dict)
    objects: list[CdmObject] = field(default_factory=lambda: [CdmObject("OBJECT1"),
                                                              CdmObject("OBJECT2")])

    @property
    def object1(self) -> CdmObject:
        """The primary (``OBJECT = OBJECT1``)."""
        return self.objects[0]

    @property
    def object2(self) -> CdmObject:
        """The secondary (``OBJECT = OBJECT2``)."""
        return self.objects[1]


def _hbr_from_comment(text: str) -> float | None:
    # Blank runs squeezed first: the pattern's adjacent optional blanks would otherwise backtrack
    # polynomially on a long run (a fuzzed "COMMENT HBR   1111…" took minutes).
    m = _HBR_RE.match(" ".join(text.split()))
    if m is None:
        return None
    value = float(m.group(1))
    return value * 1e3 if (m.group(2) or "m").lower() == "km" else value


# ----------------------------------------------------------------------------------------- read

def _set_relative(cdm: Cdm, key: str, value: str) -> None:
    if key == "TCA":
        cdm.tca = parse_epoch(value)
    elif key == "MISS_DISTANCE":
        cdm.miss_distance_m = _num(value)
    elif key == "RELATIVE_SPEED":
        cdm.relative_speed_m_s = _num(value)
    elif key in _REL_VEC:
        i = _REL_VEC.index(key)
        target = cdm.relative_position_rtn_m if i < 3 else cdm.relative_velocity_rtn_m_s
        target[i % 3] = _num(value)
    elif key == "COLLISION_PROBABILITY":
        cdm.collision_probability = _num(value)
    elif key == "COLLISION_PROBABILITY_METHOD":
        cdm.collision_probability_method = value
    else:
        cdm.relative_extra[key] = value


def _set_header(cdm: Cdm, key: str, value: str) -> None:
    if key == "CCSDS_CDM_VERS":
        cdm.version = value
    elif key == "CREATION_DATE":
        cdm.creation_date = parse_epoch(value)
    elif key == "ORIGINATOR":
        cdm.originator = value
    elif key == "MESSAGE_FOR":
        cdm.message_for = value
    else:
        cdm.message_id = value


def _set_object(obj: CdmObject, key: str, value: str, cov: dict[tuple[int, int], float]) -> None:
    if key in _STATE_KEYS:
        obj.state_km[_STATE_KEYS.index(key)] = _num(value)
    elif key in _COV_INDEX:
        cov[_COV_INDEX[key]] = _num(value)
    elif key in _OBJ_META_KEYS:
        setattr(obj, key.lower(), value)
    else:
        obj.extra[key] = value


def _covariance_matrix(cov: dict[tuple[int, int], float]) -> NDArray[np.float64]:
    n = 6
    for i in range(8, 5, -1):
        if any((i, j) in cov for j in range(i + 1)):
            n = i + 1
            break
    m = np.full((n, n), np.nan)
    for (i, j), val in cov.items():
        if i < n:
            m[i, j] = m[j, i] = val
    return m


def _finish(cdm: Cdm, covs: list[dict[tuple[int, int], float]], source: str) -> Cdm:
    if len(cdm.objects) != 2:
        raise FormatError(f"{source}: a CDM needs two objects, found {len(cdm.objects)}")
    for obj, cov in zip(cdm.objects, covs, strict=True):
        obj.covariance_rtn = _covariance_matrix(cov)
    if cdm.tca is None:
        raise FormatError(f"{source}: TCA missing")
    return cdm


def loads_kvn(text: str, source: str = "<string>") -> Cdm:
    """Decode a KVN CDM. Raises :class:`FormatError` (with line number) on a malformed line."""
    cdm = Cdm(objects=[])
    covs: list[dict[tuple[int, int], float]] = []
    section = "header"
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("COMMENT"):
            comment = line[7:].strip()
            hbr = _hbr_from_comment(comment)
            if hbr is not None and cdm.hbr_m is None:
                cdm.hbr_m = hbr
                continue
            if section == "object":
                cdm.objects[-1].comments.append(comment)
            elif section == "relative":
                cdm.relative_comments.append(comment)
            else:
                cdm.header_comments.append(comment)
            continue
        m = _KVN_LINE.fullmatch(line)
        if m is None:
            raise FormatError(f"{source}:{lineno}: not a KEY = VALUE line: {raw[:80]!r}")
        key, value = m.group(1), without_unit(m.group(2))
        try:
            if key == "OBJECT":
                section = "object"
                cdm.objects.append(CdmObject(object=value))
                covs.append({})
            elif section == "object":
                _set_object(cdm.objects[-1], key, value, covs[-1])
            elif key in _HEADER_KEYS:
                _set_header(cdm, key, value)
            else:
                section = "relative"
                _set_relative(cdm, key, value)
        except ValueError as exc:
            raise FormatError(f"{source}:{lineno}: bad value for {key}: {exc}") from exc
    return _finish(cdm, covs, source)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def loads_xml(text: str, source: str = "<string>") -> Cdm:
    """Decode an XML CDM (CCSDS NDM/XML ``<cdm>``; element names are the KVN keywords)."""
    try:
        root = _xml.fromstring(text)
    except (ET.ParseError, UnicodeEncodeError) as exc:
        raise FormatError(f"{source}: not well-formed XML: {exc}") from None
    except _xml.XmlRefusedError as exc:
        raise FormatError(f"{source}: XML {exc}") from None
    cdm = Cdm(objects=[])
    covs: list[dict[tuple[int, int], float]] = []
    cdm.version = root.get("version", "1.0")

    def walk(elem: ET.Element, section: str) -> None:
        for child in elem:
            tag = _local(child.tag)
            text_ = (child.text or "").strip()
            if tag == "segment":
                cdm.objects.append(CdmObject(object=""))
                covs.append({})
                walk(child, "object")
            elif tag == "relativeMetadataData":
                walk(child, "relative")
            elif len(child):
                walk(child, section)
            elif tag == "COMMENT":
                hbr = _hbr_from_comment(text_)
                if hbr is not None and cdm.hbr_m is None:
                    cdm.hbr_m = hbr
                elif section == "object":
                    cdm.objects[-1].comments.append(text_)
                elif section == "relative":
                    cdm.relative_comments.append(text_)
                else:
                    cdm.header_comments.append(text_)
            elif section == "object":
                _set_object(cdm.objects[-1], tag, text_, covs[-1])
            elif tag in _HEADER_KEYS:
                _set_header(cdm, tag, text_)
            else:
                _set_relative(cdm, tag, text_)

    try:
        walk(root, "header")
    except ValueError as exc:
        raise FormatError(f"{source}: bad value: {exc}") from exc
    return _finish(cdm, covs, source)


def loads(text: str, source: str = "<string>") -> Cdm:
    """Decode a CDM, KVN or XML (sniffed from the first non-blank character)."""
    return loads_xml(text, source) if text.lstrip().startswith("<") else loads_kvn(text, source)


def load(path: str | Path) -> Cdm:
    """Read a CDM file (KVN or XML)."""
    p = Path(path)
    return loads(p.read_text(encoding="utf-8", errors="replace"), str(p))


# ---------------------------------------------------------------------------------------- write

def _relative_items(cdm: Cdm) -> list[tuple[str, str, str]]:
    items: list[tuple[str, str, str]] = []
    if cdm.tca is None:
        raise ValueError("CDM without TCA cannot be written")
    items.append(("TCA", format_epoch(cdm.tca), ""))
    items.append(("MISS_DISTANCE", _fmt(cdm.miss_distance_m), "m"))
    items.append(("RELATIVE_SPEED", _fmt(cdm.relative_speed_m_s), "m/s"))
    for i, key in enumerate(_REL_VEC):
        vec = cdm.relative_position_rtn_m if i < 3 else cdm.relative_velocity_rtn_m_s
        items.append((key, _fmt(vec[i % 3]), "m" if i < 3 else "m/s"))
    if cdm.collision_probability is not None:
        items.append(("COLLISION_PROBABILITY", _fmt(cdm.collision_probability), ""))
    if cdm.collision_probability_method is not None:
        items.append(("COLLISION_PROBABILITY_METHOD", cdm.collision_probability_method, ""))
    items.extend((k, v, "") for k, v in cdm.relative_extra.items())
    return items


def _cov_unit(i: int, j: int) -> str:
    """Unit of covariance element (i, j), i >= j, axes R,T,N,RDOT,TDOT,NDOT,DRG,SRP,THR."""
    if i < 6:
        return {0: "m**2", 1: "m**2/s", 2: "m**2/s**2"}[(i >= 3) + (j >= 3)]
    if j < 3:
        return "m**3/kg" if i < 8 else "m**2/s**2"
    if j < 6:
        return "m**3/(kg*s)" if i < 8 else "m**2/s**3"
    return "m**4/kg**2" if i < 8 else ("m**2/(kg*s**2)" if j < 8 else "m**2/s**4")


def _object_items(obj: CdmObject) -> tuple[list[tuple[str, str, str]], ...]:
    meta = [(k, str(getattr(obj, k.lower())), "") for k in _OBJ_META_KEYS]
    extra = [(k, v, "") for k, v in obj.extra.items()]
    state = [(k, _fmt(obj.state_km[i]), _STATE_UNITS[i]) for i, k in enumerate(_STATE_KEYS)]
    n = obj.covariance_rtn.shape[0]
    cov = [(key, _fmt(obj.covariance_rtn[i, j]), _cov_unit(i, j))
           for key, (i, j) in _COV_INDEX.items() if i < n]
    return meta, extra, state, cov


def dumps_kvn(cdm: Cdm) -> str:
    """Encode as KVN (``KEY = VALUE [unit]``, one keyword per line)."""
    out: list[str] = []

    def put(key: str, value: str, unit: str = "") -> None:
        out.append(f"{key:<34s} = {value}" + (f" [{unit}]" if unit else ""))

    put("CCSDS_CDM_VERS", cdm.version)
    out.extend(f"COMMENT {c}" for c in cdm.header_comments)
    put("CREATION_DATE", format_epoch(cdm.creation_date) if cdm.creation_date else "")
    put("ORIGINATOR", cdm.originator)
    if cdm.message_for is not None:
        put("MESSAGE_FOR", cdm.message_for)
    put("MESSAGE_ID", cdm.message_id)
    out.extend(f"COMMENT {c}" for c in cdm.relative_comments)
    if cdm.hbr_m is not None:
        out.append(f"COMMENT HBR = {_fmt(cdm.hbr_m)} [m]")
    for item in _relative_items(cdm):
        put(*item)
    for obj in cdm.objects:
        meta, extra, state, cov = _object_items(obj)
        put(*meta[0])
        out.extend(f"COMMENT {c}" for c in obj.comments)
        for item in meta[1:] + extra + state + cov:
            put(*item)
    return "\n".join(out) + "\n"


def dumps_xml(cdm: Cdm) -> str:
    """Encode as CCSDS NDM/XML (``<cdm id="CCSDS_CDM_VERS" version=...>``)."""
    root = ET.Element("cdm", {"id": "CCSDS_CDM_VERS", "version": cdm.version})

    def add(parent: ET.Element, key: str, value: str, unit: str = "") -> None:
        e = ET.SubElement(parent, key, {"units": unit} if unit else {})
        e.text = value

    header = ET.SubElement(root, "header")
    for c in cdm.header_comments:
        add(header, "COMMENT", c)
    add(header, "CREATION_DATE", format_epoch(cdm.creation_date) if cdm.creation_date else "")
    add(header, "ORIGINATOR", cdm.originator)
    if cdm.message_for is not None:
        add(header, "MESSAGE_FOR", cdm.message_for)
    add(header, "MESSAGE_ID", cdm.message_id)
    body = ET.SubElement(root, "body")
    rel = ET.SubElement(body, "relativeMetadataData")
    for c in cdm.relative_comments:
        add(rel, "COMMENT", c)
    if cdm.hbr_m is not None:
        add(rel, "COMMENT", f"HBR = {_fmt(cdm.hbr_m)} [m]")
    for item in _relative_items(cdm):
        add(rel, *item)
    for obj in cdm.objects:
        meta, extra, state, cov = _object_items(obj)
        seg = ET.SubElement(body, "segment")
        md = ET.SubElement(seg, "metadata")
        for c in obj.comments:
            add(md, "COMMENT", c)
        for item in meta:
            add(md, *item)
        data = ET.SubElement(seg, "data")
        other = ET.SubElement(data, "additionalParameters")
        for item in extra:
            add(other, *item)
        sv = ET.SubElement(data, "stateVector")
        for item in state:
            add(sv, *item)
        cm = ET.SubElement(data, "covarianceMatrix")
        for item in cov:
            add(cm, *item)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def dump(cdm: Cdm, path: str | Path, *, xml: bool = False) -> None:
    """Write a CDM file (KVN unless ``xml``)."""
    Path(path).write_text(dumps_xml(cdm) if xml else dumps_kvn(cdm), encoding="utf-8")
