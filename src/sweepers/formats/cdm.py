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
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sweepers.epochs import parse_epoch
from sweepers.errors import FormatError
from sweepers.formats import _xml
from sweepers.formats._ndm import (
    LEFT_OUT,
    XSD_DOUBLE,
    XSD_EPOCH,
    XSD_POSITIVE_INTEGER,
    check_xml_text,
    left_out,
)
from sweepers.formats._text import BLANKS, without_unit

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



def format_epoch(t: datetime) -> str:
    """UTC calendar epoch with milliseconds, or microseconds when needed."""
    t = t.astimezone(UTC) if t.tzinfo else t
    if t.microsecond % 1000 == 0:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}"
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _num(text: str) -> float:
    return float(text.strip())


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


def _file_comment(cdm: Cdm, section: str, text: str,
                  cov: dict[tuple[int, int], float] | None) -> None:
    """Put one COMMENT where it belongs: the first HBR comment sets :attr:`Cdm.hbr_m`, a
    keyword the writer left out (``left out (reason): KEY = VALUE``) goes back to its section,
    any other comment to the comments of ``section``."""
    hbr = _hbr_from_comment(text)
    kept = LEFT_OUT.match(text)
    if hbr is not None and cdm.hbr_m is None:
        cdm.hbr_m = hbr
    elif kept is not None and section == "object" and cov is not None:
        _set_object(cdm.objects[-1], kept.group(2), kept.group(3), cov)
    elif kept is not None and section == "relative":
        _set_relative(cdm, kept.group(2), kept.group(3))
    elif section == "object":
        cdm.objects[-1].comments.append(text)
    elif section == "relative":
        cdm.relative_comments.append(text)
    else:
        cdm.header_comments.append(text)


def loads_kvn(text: str, source: str = "<string>") -> Cdm:
    """Decode a KVN CDM. Raises :class:`FormatError` (with line number) on a malformed line.

    A COMMENT belongs to the section of the keyword that follows it (comments open a section in
    CCSDS 508.0-B-1: those before ``OBJECT`` are that object's metadata comments)."""
    cdm = Cdm(objects=[])
    covs: list[dict[tuple[int, int], float]] = []
    section = "header"
    pending: list[str] = []

    def flush() -> None:
        for comment in pending:
            _file_comment(cdm, section, comment, covs[-1] if covs else None)
        pending.clear()

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip(BLANKS)
        if not line:
            continue
        if line.startswith("COMMENT"):
            pending.append(line[7:].strip())
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
                flush()
            elif section == "object":
                flush()
                _set_object(cdm.objects[-1], key, value, covs[-1])
            elif key in _HEADER_KEYS:
                flush()
                _set_header(cdm, key, value)
            else:
                section = "relative"
                flush()
                _set_relative(cdm, key, value)
        except ValueError as exc:
            raise FormatError(f"{source}:{lineno}: bad value for {key}: {exc}") from exc
    try:
        flush()
    except ValueError as exc:
        raise FormatError(f"{source}: bad value in a comment: {exc}") from exc
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
                _file_comment(cdm, section, text_, covs[-1] if covs else None)
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
#
# Keyword order of CCSDS 508.0-B-1 (tables 3-2 … 3-8); the NDM/XML 2.0.0 schema
# (``ndmxml-2.0.0-cdm-1.0.xsd``) repeats it element by element, nesting the relative position and
# velocity in ``relativeStateVector``, the OD parameters in ``odParameters`` and the additional
# parameters in ``additionalParameters``. Both writers emit keywords in this order only.

_RELATIVE_ORDER = ("TCA", "MISS_DISTANCE", "RELATIVE_SPEED", *_REL_VEC,
                   "START_SCREEN_PERIOD", "STOP_SCREEN_PERIOD", "SCREEN_VOLUME_FRAME",
                   "SCREEN_VOLUME_SHAPE", "SCREEN_VOLUME_X", "SCREEN_VOLUME_Y", "SCREEN_VOLUME_Z",
                   "SCREEN_ENTRY_TIME", "SCREEN_EXIT_TIME", "COLLISION_PROBABILITY",
                   "COLLISION_PROBABILITY_METHOD")
_METADATA_ORDER = ("OBJECT", "OBJECT_DESIGNATOR", "CATALOG_NAME", "OBJECT_NAME",
                   "INTERNATIONAL_DESIGNATOR", "OBJECT_TYPE", "OPERATOR_CONTACT_POSITION",
                   "OPERATOR_ORGANIZATION", "OPERATOR_PHONE", "OPERATOR_EMAIL", "EPHEMERIS_NAME",
                   "COVARIANCE_METHOD", "MANEUVERABLE", "ORBIT_CENTER", "REF_FRAME",
                   "GRAVITY_MODEL", "ATMOSPHERIC_MODEL", "N_BODY_PERTURBATIONS",
                   "SOLAR_RAD_PRESSURE", "EARTH_TIDES", "INTRACK_THRUST")
# Obligatory metadata kept in ``CdmObject.extra`` (the others are dataclass fields).
_METADATA_OBLIGATORY = ("EPHEMERIS_NAME", "COVARIANCE_METHOD", "MANEUVERABLE")
_OD_ORDER = ("TIME_LASTOB_START", "TIME_LASTOB_END", "RECOMMENDED_OD_SPAN", "ACTUAL_OD_SPAN",
             "OBS_AVAILABLE", "OBS_USED", "TRACKS_AVAILABLE", "TRACKS_USED",
             "RESIDUALS_ACCEPTED", "WEIGHTED_RMS")
_ADDITIONAL_ORDER = ("AREA_PC", "AREA_DRG", "AREA_SRP", "MASS", "CD_AREA_OVER_MASS",
                     "CR_AREA_OVER_MASS", "THRUST_ACCELERATION", "SEDR")
KEYWORD_ORDER: tuple[str, ...] = (*_HEADER_KEYS, *_RELATIVE_ORDER, *_METADATA_ORDER, *_OD_ORDER,
                                  *_ADDITIONAL_ORDER, *_STATE_KEYS, *COVARIANCE_KEYS)
"""Every CDM 1.0 keyword in the standard's order (one object's block once)."""

# Value types of the schema that are narrower than a string: (kind, units attribute).
_XML_TYPES: dict[str, tuple[str, str]] = {
    "TCA": ("epoch", ""), "MISS_DISTANCE": ("double", "m"), "RELATIVE_SPEED": ("double", "m/s"),
    **{k: ("double", "m" if i < 3 else "m/s") for i, k in enumerate(_REL_VEC)},
    "START_SCREEN_PERIOD": ("epoch", ""), "STOP_SCREEN_PERIOD": ("epoch", ""),
    "SCREEN_VOLUME_X": ("double", "m"), "SCREEN_VOLUME_Y": ("double", "m"),
    "SCREEN_VOLUME_Z": ("double", "m"), "SCREEN_ENTRY_TIME": ("epoch", ""),
    "SCREEN_EXIT_TIME": ("epoch", ""), "COLLISION_PROBABILITY": ("probability", ""),
    "TIME_LASTOB_START": ("epoch", ""), "TIME_LASTOB_END": ("epoch", ""),
    "RECOMMENDED_OD_SPAN": ("positive", "d"), "ACTUAL_OD_SPAN": ("positive", "d"),
    "OBS_AVAILABLE": ("positive integer", ""), "OBS_USED": ("positive integer", ""),
    "TRACKS_AVAILABLE": ("positive integer", ""), "TRACKS_USED": ("positive integer", ""),
    "RESIDUALS_ACCEPTED": ("percentage", "%"), "WEIGHTED_RMS": ("non-negative", ""),
    "AREA_PC": ("non-negative", "m**2"), "AREA_DRG": ("non-negative", "m**2"),
    "AREA_SRP": ("non-negative", "m**2"), "MASS": ("non-negative", "kg"),
    "CD_AREA_OVER_MASS": ("non-negative", "m**2/kg"),
    "CR_AREA_OVER_MASS": ("non-negative", "m**2/kg"),
    "THRUST_ACCELERATION": ("double", "m/s**2"), "SEDR": ("non-negative", "W/kg"),
}
_YES_NO = ("YES", "NO")
_XML_ENUMS: dict[str, tuple[str, ...]] = {
    "SCREEN_VOLUME_FRAME": ("RTN", "TVN"), "SCREEN_VOLUME_SHAPE": ("ELLIPSOID", "BOX"),
    "OBJECT": ("OBJECT1", "OBJECT2"),
    "OBJECT_TYPE": ("PAYLOAD", "ROCKET BODY", "UPPER STAGE", "DEBRIS", "UNKNOWN", "OTHER"),
    "COVARIANCE_METHOD": ("CALCULATED", "DEFAULT"), "MANEUVERABLE": ("YES", "NO", "N/A"),
    "REF_FRAME": ("EME2000", "GCRF", "ITRF"), "SOLAR_RAD_PRESSURE": _YES_NO,
    "EARTH_TIDES": _YES_NO, "INTRACK_THRUST": _YES_NO,
}
_NUMERIC_RANGES = {"probability": (0.0, 1.0, True),
                   "positive": (0.0, math.inf, False), "non-negative": (0.0, math.inf, True),
                   "percentage": (0.0, 100.0, True)}


def _xml_problem(key: str, text: str) -> str | None:
    """Why ``text`` is not a valid NDM/XML 2.0.0 value of CDM keyword ``key`` (None if valid)."""
    if key in _XML_ENUMS:
        allowed = _XML_ENUMS[key]
        ok = text in allowed or text in (a.lower() for a in allowed)
        return None if ok else f"{key} must be one of {'/'.join(allowed)}"
    kind = _XML_TYPES.get(key, ("string", ""))[0]
    if kind == "string":
        return None
    if kind == "epoch":
        return None if XSD_EPOCH.fullmatch(text) else "not a CCSDS epoch"
    if kind == "positive integer":
        return None if XSD_POSITIVE_INTEGER.fullmatch(text) else "not a positive integer"
    if not XSD_DOUBLE.fullmatch(text):
        return "not a number"
    if kind == "double":  # xsd:double holds NaN and ±INF; the range facets below do not
        return None
    low, high, closed = _NUMERIC_RANGES[kind]
    x = float(text)
    inside = (low <= x <= high) if closed else (low < x <= high)
    return None if inside else f"not a {kind} number"


def _fmt(x: float) -> str:
    """A float as KVN and xsd:double both spell it (``NaN``, ``INF``, ``-INF``, repr)."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "INF" if x > 0 else "-INF"
    return repr(x)


def _cov_unit(i: int, j: int) -> str:
    """Unit of covariance element (i, j), i >= j, axes R,T,N,RDOT,TDOT,NDOT,DRG,SRP,THR."""
    if i < 6:
        return {0: "m**2", 1: "m**2/s", 2: "m**2/s**2"}[(i >= 3) + (j >= 3)]
    if j < 3:
        return "m**3/kg" if i < 8 else "m**2/s**2"
    if j < 6:
        return "m**3/(kg*s)" if i < 8 else "m**2/s**3"
    return "m**4/kg**2" if i < 8 else ("m**3/(kg*s**2)" if j < 8 else "m**2/s**4")


_Item = tuple[str, str, str]  # keyword, value text, unit ("" when none)


@dataclass(slots=True)
class _Block:
    """One section of the message in the standard's order, ready for either encoding."""

    comments: list[str]
    groups: list[tuple[str, list[_Item]]]  # (XML element of the group or "", items)


def _unit(key: str) -> str:
    return _XML_TYPES.get(key, ("", ""))[1]


def _place(known: dict[str, str], order: tuple[str, ...], left: list[str], xml: bool,
           obligatory: tuple[str, ...] = ()) -> list[_Item]:
    """Items of ``known`` whose keyword is in ``order``, in that order; with ``xml``, a value the
    schema cannot hold is moved to ``left`` as a comment, or refused when obligatory."""
    items = []
    for key in order:
        if key not in known:
            continue
        value = known[key]
        problem = _xml_problem(key, value) if xml else None
        if problem is None:
            items.append((key, value, _unit(key)))
        elif key in obligatory:
            raise ValueError(f"{key} = {value!r} cannot be written in CDM XML: {problem}")
        else:
            left.append(left_out(key, value, f"{problem} in NDM/XML"))
    return items


def _relative_block(cdm: Cdm, xml: bool) -> _Block:
    if cdm.tca is None:
        raise ValueError("CDM without TCA cannot be written")
    values = {"TCA": format_epoch(cdm.tca), "MISS_DISTANCE": _fmt(cdm.miss_distance_m),
              "RELATIVE_SPEED": _fmt(cdm.relative_speed_m_s)}
    for i, key in enumerate(_REL_VEC):
        vec = cdm.relative_position_rtn_m if i < 3 else cdm.relative_velocity_rtn_m_s
        values[key] = _fmt(vec[i % 3])
    if cdm.collision_probability is not None:
        values["COLLISION_PROBABILITY"] = _fmt(cdm.collision_probability)
    if cdm.collision_probability_method is not None:
        values["COLLISION_PROBABILITY_METHOD"] = cdm.collision_probability_method
    comments = list(cdm.relative_comments)
    if cdm.hbr_m is not None:
        comments.append(f"HBR = {_fmt(cdm.hbr_m)} [m]")
    comments += [left_out(k, v, "not a CDM 1.0 relative metadata/data keyword")
                 for k, v in cdm.relative_extra.items() if k not in _RELATIVE_ORDER]
    values.update((k, v) for k, v in cdm.relative_extra.items() if k in _RELATIVE_ORDER)
    obligatory = ("TCA", "MISS_DISTANCE")
    head = _place(values, _RELATIVE_ORDER[:3], comments, xml, obligatory)
    vector = _place(values, _REL_VEC, comments, xml, _REL_VEC)
    tail = _place(values, _RELATIVE_ORDER[9:], comments, xml)
    return _Block(comments, [("", head), ("relativeStateVector", vector), ("", tail)])


def _object_block(obj: CdmObject, xml: bool) -> _Block:
    missing = [k for k in _METADATA_OBLIGATORY if k not in obj.extra]
    if missing:
        raise ValueError(f"{obj.object or 'object'} lacks obligatory {', '.join(missing)}")
    known = {k: str(getattr(obj, k.lower())) for k in _OBJ_META_KEYS}
    placed = set(_METADATA_ORDER + _OD_ORDER + _ADDITIONAL_ORDER) - set(_OBJ_META_KEYS)
    comments = list(obj.comments)
    comments += [left_out(k, v, "not a CDM 1.0 object keyword")
                 for k, v in obj.extra.items() if k not in placed]
    known.update((k, v) for k, v in obj.extra.items() if k in placed)
    obligatory = (*_METADATA_ORDER[:5], *_METADATA_OBLIGATORY, "REF_FRAME")
    meta = _place(known, _METADATA_ORDER, comments, xml, obligatory)
    od = _place(known, _OD_ORDER, comments, xml)
    extra = _place(known, _ADDITIONAL_ORDER, comments, xml)
    state = [(k, _fmt(obj.state_km[i]), _STATE_UNITS[i]) for i, k in enumerate(_STATE_KEYS)]
    n = obj.covariance_rtn.shape[0]
    cov = [(key, _fmt(obj.covariance_rtn[i, j]), _cov_unit(i, j))
           for key, (i, j) in _COV_INDEX.items() if i < n]
    return _Block(comments, [("metadata", meta), ("odParameters", od),
                             ("additionalParameters", extra), ("stateVector", state),
                             ("covarianceMatrix", cov)])


def _check_header(cdm: Cdm) -> str:
    if cdm.creation_date is None:
        raise ValueError("CDM without CREATION_DATE cannot be written")
    return format_epoch(cdm.creation_date)


def dumps_kvn(cdm: Cdm) -> str:
    """Encode as KVN (``KEY = VALUE [unit]``, one keyword per line, CCSDS 508.0-B-1 order).

    Comments open their section (an object's comments come before its ``OBJECT`` line); a
    keyword that is not a CDM 1.0 keyword is written as a ``COMMENT left out (…): KEY = VALUE``
    line, which :func:`loads_kvn` reads back into ``extra``. Raises ``ValueError`` when TCA,
    CREATION_DATE or an obligatory object keyword is missing."""
    out: list[str] = []

    def put(key: str, value: str, unit: str = "") -> None:
        out.append(f"{key:<34s} = {value}" + (f" [{unit}]" if unit else ""))

    created = _check_header(cdm)
    put("CCSDS_CDM_VERS", cdm.version)
    out.extend(f"COMMENT {c}" for c in cdm.header_comments)
    put("CREATION_DATE", created)
    put("ORIGINATOR", cdm.originator)
    if cdm.message_for is not None:
        put("MESSAGE_FOR", cdm.message_for)
    put("MESSAGE_ID", cdm.message_id)
    for block in [_relative_block(cdm, False)] + [_object_block(o, False) for o in cdm.objects]:
        out.extend(f"COMMENT {c}" for c in block.comments)
        for _, items in block.groups:
            for item in items:
                put(*item)
    return "\n".join(out) + "\n"


def dumps_xml(cdm: Cdm) -> str:
    """Encode as CCSDS NDM/XML 2.0.0 (``<cdm id="CCSDS_CDM_VERS" version="1.0">``), valid
    against ``ndmxml-2.0.0-cdm-1.0.xsd``.

    An optional keyword whose value the schema's type cannot hold (``OBS_USED = NaN``, a
    non-standard keyword) is not written as an element: it becomes a COMMENT
    ``left out (reason): KEY = VALUE`` of its section, which :func:`loads_xml` reads back.
    Raises ``ValueError`` when an obligatory value cannot be written (a version other than 1.0,
    a REF_FRAME outside EME2000/GCRF/ITRF, a text with characters XML 1.0 forbids, …)."""
    if cdm.version != "1.0":
        raise ValueError(f"CCSDS_CDM_VERS = {cdm.version!r}: the NDM/XML CDM schema is 1.0")
    root = ET.Element("cdm", {"id": "CCSDS_CDM_VERS", "version": cdm.version})

    def add(parent: ET.Element, key: str, value: str, unit: str = "") -> None:
        e = ET.SubElement(parent, key, {"units": unit} if unit else {})
        e.text = check_xml_text(key, value)

    def fill(parent: ET.Element, items: list[_Item]) -> None:
        for item in items:
            add(parent, *item)

    header = ET.SubElement(root, "header")
    for c in cdm.header_comments:
        add(header, "COMMENT", c)
    add(header, "CREATION_DATE", _check_header(cdm))
    add(header, "ORIGINATOR", cdm.originator)
    if cdm.message_for is not None:
        add(header, "MESSAGE_FOR", cdm.message_for)
    add(header, "MESSAGE_ID", cdm.message_id)
    body = ET.SubElement(root, "body")
    rel_block = _relative_block(cdm, True)
    rel = ET.SubElement(body, "relativeMetadataData")
    for c in rel_block.comments:
        add(rel, "COMMENT", c)
    for tag, items in rel_block.groups:
        fill(ET.SubElement(rel, tag) if tag else rel, items)
    for obj in cdm.objects:
        block = _object_block(obj, True)
        seg = ET.SubElement(body, "segment")
        md = ET.SubElement(seg, "metadata")
        for c in block.comments:
            add(md, "COMMENT", c)
        data = ET.SubElement(seg, "data")
        for tag, items in block.groups:
            if items or tag in ("metadata", "stateVector", "covarianceMatrix"):
                fill(md if tag == "metadata" else ET.SubElement(data, tag), items)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

