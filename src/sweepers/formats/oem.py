"""CCSDS Orbit Ephemeris Message (OEM) codec, KVN and XML, plus ephemeris interpolation.

Standard: CCSDS 502.0-B-3 *Orbit Data Messages* (April 2023), section 5 (OEM); read as well
are files of 502.0-B-2 (2009, OEM version 2.0) and version 1.0. Section numbers below are those of
B-3; B-2 numbers its OEM section the same way (5.2.2 header … 5.2.5 covariance).

* §5.2.2 header: ``CCSDS_OEM_VERS``, ``CREATION_DATE``, ``ORIGINATOR`` mandatory;
  ``MESSAGE_ID`` optional (new in version 3.0); other header keywords (``CLASSIFICATION``) are kept
  in :attr:`Oem.extra`.
* §5.2.3 metadata, between ``META_START`` and ``META_STOP``: ``OBJECT_NAME``, ``OBJECT_ID``,
  ``CENTER_NAME``, ``REF_FRAME``, ``TIME_SYSTEM``, ``START_TIME``, ``STOP_TIME``
  mandatory; ``REF_FRAME_EPOCH``, ``USEABLE_START_TIME``, ``USEABLE_STOP_TIME``, ``INTERPOLATION``,
  ``INTERPOLATION_DEGREE`` optional. Unknown keywords are kept in :attr:`OemSegment.extra`.
* §5.2.4 ephemeris data lines: ``epoch X Y Z X_DOT Y_DOT Z_DOT [X_DDOT Y_DDOT Z_DDOT]`` separated
  by any run of blanks or tabs, in km, km/s, km/s² in ``REF_FRAME``; epochs increasing and inside
  ``START_TIME … STOP_TIME``. The optional ``DATA_START``/``DATA_STOP`` markers some producers
  write around them are accepted (the writers leave them out, as §5.2 does).
* §5.2.5 covariance, between ``COVARIANCE_START`` and ``COVARIANCE_STOP``: per block ``EPOCH``,
  optional ``COV_REF_FRAME`` and the 6x6 lower triangle as six lines of 1…6 numbers
  (km², km²/s, km²/s²); in XML the elements ``CX_X`` … ``CZ_DOT_Z_DOT``.
* KVN syntax (B-3 §7, B-2 §6): ``KEY = VALUE`` (``KEY =VALUE`` and padded keys tolerated),
  ``COMMENT`` lines, epochs ``YYYY-MM-DDThh:mm:ss[.f]`` or day-of-year ``YYYY-DDDThh:mm:ss[.f]``,
  optional ``Z``. XML: an ``<oem>`` root, or the first ``<oem>`` in an ``<ndm>``, any namespace or
  prefix; errors name the line of the element.

Epochs are ``numpy.datetime64[us]`` on the segment's ``TIME_SYSTEM`` scale (UTC in this project;
a codec converts nothing). Numbers are written as Python's shortest round-trip ``repr`` and epochs
with microseconds, so write → read gives back an equal message.

Errors: every reader raises :class:`~sweepers.errors.FormatError` naming ``source:line`` and the
reason (bad data line, missing mandatory keyword, epochs not increasing, epoch outside
``START_TIME … STOP_TIME``, incomplete covariance block).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.parsers import expat

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.epochs import as_datetime64
from sweepers.errors import FormatError, SweepersError
from sweepers.formats._ndm import LEFT_OUT, check_xml_text, left_out
from sweepers.formats._text import BLANKS, parse_epoch
from sweepers.formats._xml import MAX_DEPTH, XmlRefusedError, XmlTooDeepError, harden

__all__ = [
    "COVARIANCE_KEYS",
    "EphemerisRangeError",
    "Oem",
    "OemCovariance",
    "OemSegment",
    "dumps_kvn",
    "dumps_xml",
    "load",
    "loads",
    "loads_kvn",
    "loads_xml",
]

FloatArray = NDArray[np.float64]
TimeArray = NDArray[np.datetime64]

_HEADER_KEYS = ("CCSDS_OEM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID")
_HEADER_MANDATORY = ("CCSDS_OEM_VERS", "CREATION_DATE", "ORIGINATOR")
# (keyword, attribute, kind) in the order of §5.2.3; kind: str | epoch | int.
_META_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("OBJECT_NAME", "object_name", "str"),
    ("OBJECT_ID", "object_id", "str"),
    ("CENTER_NAME", "center_name", "str"),
    ("REF_FRAME", "ref_frame", "str"),
    ("REF_FRAME_EPOCH", "ref_frame_epoch", "epoch"),
    ("TIME_SYSTEM", "time_system", "str"),
    ("START_TIME", "start_time", "epoch"),
    ("USEABLE_START_TIME", "useable_start_time", "epoch"),
    ("USEABLE_STOP_TIME", "useable_stop_time", "epoch"),
    ("STOP_TIME", "stop_time", "epoch"),
    ("INTERPOLATION", "interpolation", "str"),
    ("INTERPOLATION_DEGREE", "interpolation_degree", "int"),
)
_META_MANDATORY = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM",
                   "START_TIME", "STOP_TIME")
_STATE_KEYS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT", "X_DDOT", "Y_DDOT", "Z_DDOT")
_AXES = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
COVARIANCE_KEYS: tuple[str, ...] = tuple(f"C{_AXES[i]}_{_AXES[j]}"
                                         for i in range(6) for j in range(i + 1))
"""XML element names of the covariance lower triangle, row by row (§5.2.5)."""
_COV_INDEX = dict(zip(COVARIANCE_KEYS, [(i, j) for i in range(6) for j in range(i + 1)],
                      strict=True))
_KVN_LINE = re.compile(r"([A-Z0-9_]+)\s*=\s*(.*)")  # on stripped lines: no trailing blanks
_MARKERS = {"META_START", "META_STOP", "DATA_START", "DATA_STOP", "COVARIANCE_START",
            "COVARIANCE_STOP"}
# Interpolation samples default to degree + 1 (as Orekit and STK read INTERPOLATION_DEGREE).
_DEFAULT_DEGREE = {"HERMITE": 5, "LAGRANGE": 7, "LINEAR": 1}


class EphemerisRangeError(SweepersError, ValueError):
    """A requested time lies outside the span an ephemeris segment may be interpolated over."""


# ----------------------------------------------------------------------------------- records

@dataclass(slots=True)
class OemCovariance:
    """One covariance block (§5.2.5): symmetric 6x6 position/velocity covariance at ``epoch``.

    ``matrix`` in km², km²/s, km²/s² (order X, Y, Z, X_DOT, Y_DOT, Z_DOT); frame ``ref_frame``
    (``COV_REF_FRAME``), or the segment's ``REF_FRAME`` when ``None``.
    """

    epoch: np.datetime64
    matrix: FloatArray
    ref_frame: str | None = None
    comments: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OemSegment:
    """One OEM segment: metadata (§5.2.3), ephemeris data lines (§5.2.4), covariances (§5.2.5).

    ``epochs`` ``(n,)`` ``datetime64[us]`` on the ``time_system`` scale; ``positions_km`` ``(n, 3)``
    [km], ``velocities_km_s`` ``(n, 3)`` [km/s], ``accelerations_km_s2`` ``(n, 3)`` [km/s²] or
    ``None``, all in ``ref_frame`` centred on ``center_name``. ``meta_comments`` precede the
    metadata keywords and ``data_comments`` the data lines; ``extra`` keeps other metadata keywords.
    """

    object_name: str
    object_id: str
    center_name: str
    ref_frame: str
    time_system: str
    start_time: np.datetime64
    stop_time: np.datetime64
    epochs: TimeArray
    positions_km: FloatArray
    velocities_km_s: FloatArray
    accelerations_km_s2: FloatArray | None = None
    ref_frame_epoch: np.datetime64 | None = None
    useable_start_time: np.datetime64 | None = None
    useable_stop_time: np.datetime64 | None = None
    interpolation: str | None = None
    interpolation_degree: int | None = None
    covariances: list[OemCovariance] = field(default_factory=list)
    meta_comments: list[str] = field(default_factory=list)
    data_comments: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise ``ValueError`` unless the segment obeys §5.2.3–5.2.4 (see :func:`_problem`)."""
        problem = _problem(self)
        if problem is not None:
            raise ValueError(problem[1])

    @property
    def interpolation_span(self) -> tuple[np.datetime64, np.datetime64]:
        """Times ``interpolate`` accepts: the data span cut to the useable span when given."""
        lo, hi = self.epochs[0], self.epochs[-1]
        if self.useable_start_time is not None:
            lo = max(lo, self.useable_start_time)
        if self.useable_stop_time is not None:
            hi = min(hi, self.useable_stop_time)
        return lo, hi

    def interpolate(self, times: ArrayLike | datetime | Iterable[datetime],
                    ) -> tuple[FloatArray, FloatArray]:
        """Position [km] and velocity [km/s] at ``times``, in ``ref_frame``.

        ``times``: ``datetime64`` scalar or array, or ``datetime`` (naive = the segment's time
        scale, aware = converted to UTC). Returns arrays of shape ``(m, 3)``, ``(3,)`` for a
        scalar time.

        Method from ``INTERPOLATION``: ``HERMITE`` (default; positions and velocities of each
        sample, velocity from the derivative of the position polynomial), ``LAGRANGE`` or
        ``LINEAR`` (positions and velocities interpolated separately). ``INTERPOLATION_DEGREE`` d
        selects d + 1 consecutive samples centred on each time (Orekit's and STK's reading; the
        Hermite polynomial then has degree 2d + 1); without it d = 5 (Hermite) or 7 (Lagrange).
        Raises :class:`EphemerisRangeError` outside :attr:`interpolation_span`.
        """
        scalar = isinstance(times, datetime | np.datetime64) or (
            isinstance(times, np.ndarray) and times.ndim == 0)
        t = as_datetime64(times)
        lo, hi = self.interpolation_span
        bad = np.isnat(t) | (t < lo) | (t > hi)
        if bad.any():
            raise EphemerisRangeError(
                f"{np.datetime_as_string(t[bad][0], unit='us')} is outside the ephemeris span "
                f"{np.datetime_as_string(lo, unit='us')} … {np.datetime_as_string(hi, unit='us')} "
                f"of {self.object_name!r}")
        method = (self.interpolation or "HERMITE").strip().upper()
        if method not in _DEFAULT_DEGREE:
            raise ValueError(f"INTERPOLATION {self.interpolation!r} is not HERMITE, LAGRANGE or "
                             "LINEAR")
        degree = self.interpolation_degree or _DEFAULT_DEGREE[method]
        n = min(len(self.epochs), (1 if method == "LINEAR" else degree) + 1)
        t0 = self.epochs[0]
        nodes_s = _seconds(self.epochs - t0)
        query_s = _seconds(t - t0)
        # Window of n samples around each time: the interval index k, then k - (n-1)//2 ... clipped.
        k = np.clip(np.searchsorted(nodes_s, query_s, side="right") - 1, 0, len(nodes_s) - 1)
        first = np.clip(k - (n - 1) // 2, 0, len(nodes_s) - n)
        window = first[:, None] + np.arange(n)
        ts = nodes_s[window]
        if method == "HERMITE":
            r, v = _newton(ts, self.positions_km[window], self.velocities_km_s[window], query_s)
        else:
            r, _ = _newton(ts, self.positions_km[window], None, query_s)
            v, _ = _newton(ts, self.velocities_km_s[window], None, query_s)
        return (r[0], v[0]) if scalar else (r, v)


@dataclass(slots=True)
class Oem:
    """An Orbit Ephemeris Message: header (§5.2.2) and one or more segments.

    ``creation_date`` ``datetime64[us]`` (UTC); ``extra`` keeps other header keywords in order.
    """

    originator: str
    creation_date: np.datetime64
    segments: list[OemSegment]
    version: str = "3.0"
    message_id: str | None = None
    comments: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------- interpolation

def _seconds(delta: NDArray[np.timedelta64]) -> FloatArray:
    return delta.astype("timedelta64[us]").astype(np.int64) * 1e-6


def _newton(ts: FloatArray, f: FloatArray, df: FloatArray | None,
            t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Newton-form interpolation of ``f`` (and, if given, its derivative ``df``) and derivative.

    ``ts`` ``(m, n)`` node times [s], ``f``/``df`` ``(m, n, 3)``, ``t`` ``(m,)``. With ``df`` each
    node counts twice (Hermite, divided differences with repeated nodes); without it, Lagrange.
    Returns the value and its time derivative at ``t``, each ``(m, 3)``.
    """
    if df is not None:
        z = np.repeat(ts, 2, axis=1)
        coef = np.repeat(f, 2, axis=1)
    else:
        z, coef = ts, f.copy()
    size = z.shape[1]
    for j in range(1, size):
        span = (z[:, j:] - z[:, :-j])[..., None]
        diff = coef[:, j:] - coef[:, j - 1:-1]
        if j == 1 and df is not None:
            diff[:, ::2] = df  # repeated node: the first divided difference is the derivative
            span[:, ::2] = 1.0
        coef[:, j:] = diff / span
    value = coef[:, -1].copy()
    rate = np.zeros_like(value)
    for i in range(size - 2, -1, -1):
        h = (t - z[:, i])[:, None]
        rate = rate * h + value
        value = value * h + coef[:, i]
    return value, rate


# -------------------------------------------------------------------------------- validation

def _problem(seg: OemSegment) -> tuple[int | None, str] | None:
    """First rule of §5.2.3–5.2.4 the segment breaks: ``(data row or None, reason)``, or None."""
    for key, attr, _ in _META_FIELDS:
        value = getattr(seg, attr)
        if key in _META_MANDATORY and (value is None or (isinstance(value, str) and not value)):
            return None, f"missing mandatory metadata {key}"
    n = len(seg.epochs)
    if n == 0:
        return None, "segment without ephemeris data lines (§5.2.4)"
    shapes = [seg.positions_km.shape, seg.velocities_km_s.shape]
    if seg.accelerations_km_s2 is not None:
        shapes.append(seg.accelerations_km_s2.shape)
    if any(s != (n, 3) for s in shapes):
        return None, f"data arrays must be ({n}, 3), got {shapes}"
    start, stop = seg.start_time, seg.stop_time
    if start > stop:
        return None, "START_TIME is after STOP_TIME"
    lo = seg.useable_start_time if seg.useable_start_time is not None else start
    hi = seg.useable_stop_time if seg.useable_stop_time is not None else stop
    if not start <= lo <= hi <= stop:
        return None, "USEABLE_START_TIME … USEABLE_STOP_TIME must lie in START_TIME … STOP_TIME"
    if seg.interpolation_degree is not None and seg.interpolation_degree < 1:
        return None, f"INTERPOLATION_DEGREE {seg.interpolation_degree} is not a positive integer"
    steps = np.flatnonzero(np.diff(seg.epochs) <= np.timedelta64(0, "us"))
    if steps.size:
        i = int(steps[0]) + 1
        return i, (f"epoch {_fmt_epoch(seg.epochs[i])} does not increase on the previous "
                   f"{_fmt_epoch(seg.epochs[i - 1])}")
    outside = np.flatnonzero((seg.epochs < start) | (seg.epochs > stop))
    if outside.size:
        i = int(outside[0])
        return i, (f"epoch {_fmt_epoch(seg.epochs[i])} is outside START_TIME … STOP_TIME "
                   f"({_fmt_epoch(start)} … {_fmt_epoch(stop)})")
    for cov in seg.covariances:
        if cov.matrix.shape != (6, 6):
            return None, f"covariance at {_fmt_epoch(cov.epoch)} is not 6x6"
    if not (np.isfinite(seg.positions_km).all() and np.isfinite(seg.velocities_km_s).all()):
        return None, "non-finite position or velocity"
    return None


# -------------------------------------------------------------------------------------- read

def _epoch64(text: str) -> np.datetime64:
    return np.datetime64(parse_epoch(text).replace(tzinfo=None), "us")


def _fmt_epoch(t: np.datetime64) -> str:
    return str(np.datetime_as_string(t, unit="us"))


def _finite(text: str) -> float:
    x = float(text)
    if not math.isfinite(x):
        raise ValueError("not finite")
    return x


class _SegmentBuilder:
    """Collects one segment's keywords and data rows with their line numbers."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.extra: dict[str, str] = {}
        self.meta_comments: list[str] = []
        self.data_comments: list[str] = []
        self.epochs: list[np.datetime64] = []
        self.rows: list[list[float]] = []
        self.row_lines: list[int] = []
        self.covariances: list[OemCovariance] = []

    def set_meta(self, key: str, value: str, line: int) -> None:
        if any(key == k for k, _, _ in _META_FIELDS):
            self.meta[key] = value
            self.meta_lines[key] = line
        else:
            self.extra[key] = value

    def add_row(self, epoch: np.datetime64, values: list[float], line: int, where: str) -> None:
        if self.rows and len(values) != len(self.rows[0]):
            raise FormatError(f"{where}: {len(values) + 1} fields where the segment's first data "
                              f"line has {len(self.rows[0]) + 1} (accelerations in all or none)")
        self.epochs.append(epoch)
        self.rows.append(values)
        self.row_lines.append(line)

    def build(self, where: str) -> OemSegment:
        """The segment, validated; ``where`` is ``source`` (line numbers are appended)."""
        missing = [k for k in _META_MANDATORY if not self.meta.get(k)]
        if missing:
            raise FormatError(f"{where}:{self.line}: segment lacks mandatory metadata "
                              f"{', '.join(missing)} (§5.2.3)")
        kwargs: dict[str, Any] = {}
        for key, attr, kind in _META_FIELDS:
            value = self.meta.get(key)
            if value is None:
                continue
            try:
                kwargs[attr] = (value if kind == "str" else
                                _epoch64(value) if kind == "epoch" else int(value))
            except ValueError as exc:
                raise FormatError(f"{where}:{self.meta_lines[key]}: bad {key} {value!r}: {exc}"
                                  ) from None
        table = np.array(self.rows, dtype=float) if self.rows else np.zeros((0, 6))
        seg = OemSegment(
            **kwargs,
            epochs=np.array(self.epochs, dtype="datetime64[us]"),
            positions_km=table[:, 0:3].reshape(-1, 3),
            velocities_km_s=table[:, 3:6].reshape(-1, 3),
            accelerations_km_s2=table[:, 6:9] if table.shape[1] == 9 else None,
            covariances=self.covariances, meta_comments=self.meta_comments,
            data_comments=self.data_comments, extra=self.extra)
        problem = _problem(seg)
        if problem is not None:
            row, reason = problem
            line = self.row_lines[row] if row is not None else self.line
            raise FormatError(f"{where}:{line}: {reason}")
        return seg


def _data_row(fields: Sequence[str], where: str) -> tuple[np.datetime64, list[float]]:
    """Epoch and numbers of one §5.2.4 data line; ``FormatError`` naming the bad field."""
    if len(fields) not in (7, 10):
        raise FormatError(
            f"{where}: ephemeris data line needs 7 fields (epoch X Y Z X_DOT Y_DOT Z_DOT) or 10 "
            f"(with X_DDOT Y_DDOT Z_DDOT), found {len(fields)}")
    try:
        epoch = _epoch64(fields[0])
    except ValueError as exc:
        raise FormatError(f"{where}: {exc}") from None
    values = []
    for key, text in zip(_STATE_KEYS, fields[1:], strict=False):
        try:
            values.append(_finite(text))
        except ValueError:
            raise FormatError(f"{where}: {key} {text!r} is not a finite number") from None
    return epoch, values


class _CovarianceBuilder:
    """Rows of one KVN covariance block, lower triangle, checked as they come."""

    def __init__(self, epoch: np.datetime64, comments: list[str]) -> None:
        self.epoch = epoch
        self.comments = comments
        self.ref_frame: str | None = None
        self.rows: list[list[float]] = []

    def add_row(self, fields: list[str], where: str) -> None:
        i = len(self.rows)
        if i == 6:
            raise FormatError(f"{where}: a seventh covariance row (the block has six)")
        if len(fields) != i + 1:
            raise FormatError(f"{where}: covariance row {i + 1} needs {i + 1} numbers, found "
                              f"{len(fields)}")
        try:
            self.rows.append([_finite(x) for x in fields])
        except ValueError:
            raise FormatError(f"{where}: covariance row {i + 1} has a non-number") from None

    def build(self, where: str) -> OemCovariance:
        if len(self.rows) != 6:
            raise FormatError(f"{where}: covariance block ends after {len(self.rows)} of 6 rows")
        m = np.zeros((6, 6))
        for i, row in enumerate(self.rows):
            m[i, : i + 1] = row
            m[: i + 1, i] = row
        return OemCovariance(self.epoch, m, self.ref_frame, self.comments)


class _KvnReader:
    """Line-by-line state machine of a KVN OEM: header → (meta → data [→ covariance])+."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.header: dict[str, str] = {}
        self.header_extra: dict[str, str] = {}
        self.header_comments: list[str] = []
        self.segments: list[OemSegment] = []
        self.seg: _SegmentBuilder | None = None
        self.cov: _CovarianceBuilder | None = None
        self.pending: list[str] = []  # comments of the next covariance block
        self.section = "header"  # header | meta | data | covariance

    def read(self, text: str) -> Oem:
        lineno = 0
        for lineno, raw in enumerate(text.split("\n"), start=1):
            line = raw.strip(BLANKS).lstrip("\ufeff")
            if not line:
                continue
            where = f"{self.source}:{lineno}"
            word = (line.split(None, 1) or [line])[0]  # a line of Unicode spaces: itself
            if word == "COMMENT":
                self.comment(line[7:].strip())
            elif word in _MARKERS:
                if line != word:
                    raise FormatError(f"{where}: {word} must stand alone on its line")
                self.marker(word, lineno, where)
            elif self.section == "data":
                self.data_line(line, lineno, where)
            elif self.section == "covariance":
                self.covariance_line(line, where)
            else:
                self.keyword(line, lineno, where)
        if self.section in ("meta", "covariance"):
            raise FormatError(f"{self.source}:{lineno}: input ends inside a {self.section} "
                              "section")
        if self.seg is None:
            raise FormatError(f"{self.source}: no segment (META_START) in the OEM")
        self.segments.append(self.seg.build(self.source))
        return _message(self.header, self.header_extra, self.header_comments, self.segments,
                        self.source)

    def comment(self, text: str) -> None:
        if self.seg is None:
            self.header_comments.append(text)
        elif self.section == "meta":
            self.seg.meta_comments.append(text)
        elif self.section == "covariance":
            # a comment after a complete block (or before the first) introduces the next one
            block = self.cov
            (block.comments if block is not None and len(block.rows) < 6 else self.pending
             ).append(text)
        else:
            self.seg.data_comments.append(text)

    def marker(self, word: str, lineno: int, where: str) -> None:
        section = self.section
        if word == "META_START":
            if section in ("meta", "covariance"):
                raise FormatError(f"{where}: META_START inside a {section} section")
            if self.seg is None:
                _check_header(self.header, where)
            else:
                self.segments.append(self.seg.build(self.source))
            self.seg, self.section = _SegmentBuilder(lineno), "meta"
        elif word == "META_STOP":
            if section != "meta":
                raise FormatError(f"{where}: META_STOP without META_START")
            self.section = "data"
        elif word in ("DATA_START", "DATA_STOP"):
            if section != "data":
                raise FormatError(f"{where}: {word} outside a data section")
        elif word == "COVARIANCE_START":
            if section != "data":
                raise FormatError(f"{where}: COVARIANCE_START outside a segment's data")
            self.section, self.cov, self.pending = "covariance", None, []
        else:  # COVARIANCE_STOP
            if section != "covariance":
                raise FormatError(f"{where}: COVARIANCE_STOP without COVARIANCE_START")
            self.close_covariance(where)
            self.section = "data"

    def data_line(self, line: str, lineno: int, where: str) -> None:
        m = _KVN_LINE.match(line)
        if m is not None:
            raise FormatError(f"{where}: keyword {m.group(1)} inside ephemeris data "
                              "(missing META_START or COVARIANCE_START?)")
        assert self.seg is not None
        epoch, values = _data_row(line.split(), where)
        self.seg.add_row(epoch, values, lineno, where)

    def close_covariance(self, where: str) -> None:
        if self.cov is not None:
            assert self.seg is not None
            self.seg.covariances.append(self.cov.build(where))
            self.cov = None

    def covariance_line(self, line: str, where: str) -> None:
        m = _KVN_LINE.match(line)
        if m is None:
            if self.cov is None:
                raise FormatError(f"{where}: covariance row before its EPOCH")
            self.cov.add_row(line.split(), where)
        elif m.group(1) == "EPOCH":
            self.close_covariance(where)
            try:
                self.cov = _CovarianceBuilder(_epoch64(m.group(2)), self.pending)
            except ValueError as exc:
                raise FormatError(f"{where}: bad covariance EPOCH: {exc}") from None
            self.pending = []
        elif m.group(1) == "COV_REF_FRAME" and self.cov is not None and not self.cov.rows:
            self.cov.ref_frame = m.group(2)
        else:
            raise FormatError(f"{where}: unexpected {m.group(1)} in a covariance block")

    def keyword(self, line: str, lineno: int, where: str) -> None:
        m = _KVN_LINE.match(line)
        if m is None:
            raise FormatError(f"{where}: not a KEY = VALUE line: {line!r}")
        key, value = m.group(1), m.group(2)
        if self.section == "meta":
            assert self.seg is not None
            self.seg.set_meta(key, value, lineno)
        elif key in _HEADER_KEYS:
            self.header[key] = value
        else:
            self.header_extra[key] = value


def loads_kvn(text: str, source: str = "<string>") -> Oem:
    """Decode a KVN OEM (§5). Raises :class:`FormatError` naming ``source:line`` and why."""
    return _KvnReader(source).read(text)


def _check_header(header: dict[str, str], where: str) -> None:
    missing = [k for k in _HEADER_MANDATORY if not header.get(k)]
    if missing:
        raise FormatError(f"{where}: header lacks {', '.join(missing)} (§5.2.2)")


def _message(header: dict[str, str], extra: dict[str, str], comments: list[str],
             segments: list[OemSegment], source: str) -> Oem:
    _check_header(header, source)
    try:
        created = _epoch64(header["CREATION_DATE"])
    except ValueError as exc:
        raise FormatError(f"{source}: bad CREATION_DATE: {exc}") from None
    return Oem(originator=header["ORIGINATOR"], creation_date=created, segments=segments,
               version=header["CCSDS_OEM_VERS"], message_id=header.get("MESSAGE_ID"),
               comments=comments, extra=extra)


@dataclass(slots=True)
class _Node:
    """Element of a tiny XML tree that remembers the line it starts on."""

    tag: str
    line: int
    attrs: dict[str, str]
    children: list[_Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()

    def find(self, tag: str) -> _Node | None:
        if self.tag == tag:
            return self
        for child in self.children:
            hit = child.find(tag)
            if hit is not None:
                return hit
        return None


def _parse_xml(text: str, source: str) -> _Node:
    """XML → ``_Node`` tree with local tag names (namespaces dropped) and line numbers."""
    parser = expat.ParserCreate(namespace_separator="}")
    harden(parser)
    stack: list[_Node] = [_Node("", 0, {})]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) > MAX_DEPTH:
            raise XmlTooDeepError(f"refused: elements nested deeper than {MAX_DEPTH} levels")
        node = _Node(tag.rsplit("}", 1)[-1], parser.CurrentLineNumber, attrs)
        stack[-1].children.append(node)
        stack.append(node)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _tag: stack.pop()
    parser.CharacterDataHandler = lambda data: stack[-1].parts.append(data)
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise FormatError(f"{source}:{exc.lineno}: not well-formed XML: "
                          f"{expat.ErrorString(exc.code)}") from None
    except XmlRefusedError as exc:
        raise FormatError(f"{source}:{parser.CurrentLineNumber}: XML {exc}") from None
    return stack[0]


def loads_xml(text: str, source: str = "<string>") -> Oem:
    """Decode an XML OEM (NDM/XML ``<oem>``, §5 with the element names of the KVN keywords)."""
    root = _parse_xml(text, source).find("oem")
    if root is None:
        raise FormatError(f"{source}: no <oem> element")
    header: dict[str, str] = {}
    header_extra: dict[str, str] = {}
    comments: list[str] = []
    head = next((c for c in root.children if c.tag == "header"), None)
    for child in head.children if head is not None else []:
        kept = LEFT_OUT.match(child.text) if child.tag == "COMMENT" else None
        if kept is not None:  # a keyword dumps_xml could not write as an element
            (header if kept[2] in _HEADER_KEYS else header_extra)[kept[2]] = kept[3]
        elif child.tag == "COMMENT":
            comments.append(child.text)
        elif child.tag in _HEADER_KEYS:
            header[child.tag] = child.text
        else:
            header_extra[child.tag] = child.text
    header.setdefault("CCSDS_OEM_VERS", root.attrs.get("version", ""))
    body = next((c for c in root.children if c.tag == "body"), None)
    segments = [_xml_segment(node, source) for node in (body.children if body else [])
                if node.tag == "segment"]
    if not segments:
        raise FormatError(f"{source}:{root.line}: no <segment> in the OEM")
    return _message(header, header_extra, comments, segments, source)


def _xml_segment(node: _Node, source: str) -> OemSegment:
    seg = _SegmentBuilder(node.line)
    for part in node.children:
        for child in part.children:
            where = f"{source}:{child.line}"
            if part.tag == "metadata":
                kept = LEFT_OUT.match(child.text) if child.tag == "COMMENT" else None
                if kept is not None:
                    seg.set_meta(kept[2], kept[3], child.line)
                elif child.tag == "COMMENT":
                    seg.meta_comments.append(child.text)
                else:
                    seg.set_meta(child.tag, child.text, child.line)
            elif child.tag == "COMMENT":
                seg.data_comments.append(child.text)
            elif child.tag == "stateVector":
                values = {c.tag: c.text for c in child.children}
                fields = [values.get(k, "") for k in ("EPOCH", *_STATE_KEYS)]
                count = 10 if any(k in values for k in _STATE_KEYS[6:]) else 7
                if "" in fields[:count]:
                    missing = [k for k, v in zip(("EPOCH", *_STATE_KEYS), fields, strict=True)
                               if not v][:1]
                    raise FormatError(f"{where}: stateVector lacks {missing[0]}")
                epoch, row = _data_row(fields[:count], where)
                seg.add_row(epoch, row, child.line, where)
            elif child.tag == "covarianceMatrix":
                seg.covariances.append(_xml_covariance(child, source))
    return seg.build(source)


def _xml_covariance(node: _Node, source: str) -> OemCovariance:
    cov = OemCovariance(np.datetime64("NaT", "us"), np.zeros((6, 6)))
    seen: set[str] = set()
    for child in node.children:
        try:
            if child.tag == "COMMENT":
                cov.comments.append(child.text)
            elif child.tag == "EPOCH":
                cov.epoch = _epoch64(child.text)
            elif child.tag == "COV_REF_FRAME":
                cov.ref_frame = child.text
            elif child.tag in _COV_INDEX:
                i, j = _COV_INDEX[child.tag]
                cov.matrix[i, j] = cov.matrix[j, i] = _finite(child.text)
                seen.add(child.tag)
        except ValueError as exc:
            raise FormatError(f"{source}:{child.line}: bad {child.tag} {child.text!r}: {exc}"
                              ) from None
    lacking = (["EPOCH"] if np.isnat(cov.epoch) else []) + [
        k for k in COVARIANCE_KEYS if k not in seen]
    if lacking:
        raise FormatError(f"{source}:{node.line}: covarianceMatrix lacks {', '.join(lacking)}")
    return cov


def loads(text: str, source: str = "<string>") -> Oem:
    """Decode an OEM, KVN or XML (sniffed from the first non-blank character)."""
    body = text.lstrip("\ufeff \t\r\n")
    return loads_xml(text, source) if body.startswith("<") else loads_kvn(text, source)


def load(path: str | Path) -> Oem:
    """Read an OEM file (KVN or XML)."""
    p = Path(path)
    return loads(p.read_text(encoding="utf-8", errors="replace"), str(p))


# ------------------------------------------------------------------------------------- write

def _num(x: float) -> str:
    return repr(float(x))


def _header_items(oem: Oem) -> list[tuple[str, str]]:
    items = [*oem.extra.items(), ("CREATION_DATE", _fmt_epoch(oem.creation_date)),
             ("ORIGINATOR", oem.originator)]
    if oem.message_id is not None:
        items.append(("MESSAGE_ID", oem.message_id))
    return items


def _meta_items(seg: OemSegment) -> list[tuple[str, str]]:
    items = []
    for key, attr, kind in _META_FIELDS:
        value = getattr(seg, attr)
        if value is not None:
            items.append((key, _fmt_epoch(value) if kind == "epoch" else str(value)))
    return items + list(seg.extra.items())


def _checked(seg: OemSegment) -> OemSegment:
    problem = _problem(seg)
    if problem is not None:
        raise FormatError(f"segment {seg.object_name!r} cannot be written: {problem[1]}")
    return seg


def _data_table(seg: OemSegment) -> tuple[list[str], list[list[str]]]:
    columns = [seg.positions_km, seg.velocities_km_s]
    if seg.accelerations_km_s2 is not None:
        columns.append(seg.accelerations_km_s2)
    table = np.hstack(columns).tolist()
    epochs = np.datetime_as_string(seg.epochs, unit="us").tolist()
    return epochs, [[repr(x) for x in row] for row in table]


def dumps_kvn(oem: Oem) -> str:
    """Encode as KVN: header, then per segment metadata, data lines and covariance blocks."""
    out = [f"CCSDS_OEM_VERS = {oem.version}"]
    out += [f"COMMENT {c}" for c in oem.comments]
    out += [f"{k} = {v}" for k, v in _header_items(oem)]
    for seg in map(_checked, oem.segments):
        out += ["", "META_START"]
        out += [f"COMMENT {c}" for c in seg.meta_comments]
        out += [f"{k} = {v}" for k, v in _meta_items(seg)]
        out += ["META_STOP", ""]
        out += [f"COMMENT {c}" for c in seg.data_comments]
        epochs, rows = _data_table(seg)
        out += [" ".join((e, *row)) for e, row in zip(epochs, rows, strict=True)]
        if seg.covariances:
            out += ["", "COVARIANCE_START"]
            for cov in seg.covariances:
                out += [f"COMMENT {c}" for c in cov.comments]
                out.append(f"EPOCH = {_fmt_epoch(cov.epoch)}")
                if cov.ref_frame is not None:
                    out.append(f"COV_REF_FRAME = {cov.ref_frame}")
                out += [" ".join(_num(x) for x in cov.matrix[i, : i + 1]) for i in range(6)]
            out.append("COVARIANCE_STOP")
    return "\n".join(out) + "\n"


def dumps_xml(oem: Oem) -> str:
    """Encode as CCSDS NDM/XML 2.0.0 (``<oem id="CCSDS_OEM_VERS" version="2.0">``), valid
    against ``ndmxml-2.0.0-oem-2.0.xsd``.

    That schema holds OEM 2.0, whose body is the body of 3.0: a 3.0 message is written as 2.0,
    and what 2.0 XML has no element for (its version, ``MESSAGE_ID``, ``CLASSIFICATION``, other
    header or metadata keywords) is kept as a COMMENT ``left out (reason): KEY = VALUE`` of the
    header or metadata, which :func:`loads_xml` reads back. Raises ``ValueError`` for text XML 1.0
    cannot carry."""
    root = ET.Element("oem", {"id": "CCSDS_OEM_VERS", "version": "2.0"})

    def add(parent: ET.Element, key: str, value: str) -> None:
        ET.SubElement(parent, key).text = check_xml_text(key, value)

    def element(parent: ET.Element, tag: str, comments: list[str],
                items: Iterable[tuple[str, str]] = ()) -> ET.Element:
        node = ET.SubElement(parent, tag)
        for item in [("COMMENT", c) for c in comments] + list(items):
            add(node, *item)
        return node

    kept = [] if oem.version == "2.0" else [
        left_out("CCSDS_OEM_VERS", oem.version, "NDM/XML 2.0.0 holds OEM 2.0")]
    header = [item for item in _header_items(oem) if item[0] in _HEADER_KEYS[1:3]]
    kept += [left_out(k, v, "not in the OEM 2.0 XML header") for k, v in _header_items(oem)
             if k not in _HEADER_KEYS[1:3]]
    element(root, "header", oem.comments + kept, header)
    body = ET.SubElement(root, "body")
    for seg in map(_checked, oem.segments):
        node = ET.SubElement(body, "segment")
        meta = [item for item in _meta_items(seg) if item[0] not in seg.extra]
        kept = [left_out(k, v, "not an OEM 2.0 metadata keyword") for k, v in seg.extra.items()]
        element(node, "metadata", seg.meta_comments + kept, meta)
        data = element(node, "data", seg.data_comments)
        epochs, rows = _data_table(seg)
        for epoch, row in zip(epochs, rows, strict=True):
            sv = ET.SubElement(data, "stateVector")
            add(sv, "EPOCH", epoch)
            for key, value in zip(_STATE_KEYS, row, strict=False):
                add(sv, key, value)
        for cov in seg.covariances:
            cm = element(data, "covarianceMatrix", cov.comments)
            add(cm, "EPOCH", _fmt_epoch(cov.epoch))
            if cov.ref_frame is not None:
                add(cm, "COV_REF_FRAME", cov.ref_frame)
            for key, (i, j) in _COV_INDEX.items():
                add(cm, key, _num(cov.matrix[i, j]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

