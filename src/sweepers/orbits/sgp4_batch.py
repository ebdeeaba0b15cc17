"""Batch SGP4/SDP4: many element sets × many UTC epochs → TEME (or GCRS/ITRS) states.

Two engines, chosen per object (measured in ``benchmarks/propagation.py``):

* **heyoka** (``heyoka.model.sgp4_propagator``): SIMD, multi-threaded SGP4, near-Earth only
  (period < 225 min). It is fed minutes since epoch, which it evaluates ~4× faster than Julian
  dates; it agrees with python-sgp4 to ~1e-8 km on the Vallado near-Earth cases.
* **python-sgp4** ``SatrecArray`` (the reference, Vallado's C++): every object the other engine
  cannot take — deep-space (SDP4) objects and those whose initialisation failed — and every object
  when ``engine="sgp4"``. It holds the GIL, so big calls are split over worker processes
  (see :mod:`sweepers.orbits._workers`) while heyoka's own threads run in this process.

Status codes are python-sgp4's (:class:`Sgp4Status`); where a status is non-zero the state is NaN.
Positions are km, velocities km/s, epochs UTC.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sgp4.api import SatrecArray

from sweepers.epochs import datetime64_to_jd, minutes_since
from sweepers.orbits import _workers
from sweepers.orbits.sgp4_init import COL, build_satrecs, element_array
from sweepers.records import ElementSet

Engine = Literal["auto", "sgp4"]
Frame = Literal["teme", "gcrs", "itrs"]
Times = ArrayLike | Sequence[datetime] | tuple[ArrayLike, ArrayLike]

DEFAULT_CHUNK_OBJECTS = 2048
# Below this many SatrecArray propagations per chunk, worker processes cost more than they save.
POOL_MIN_PROPS = 400_000
HEYOKA_TIME_BLOCK = 128  # epochs per heyoka call (see _heyoka_into)
# heyoka's input rows, in its order (heyoka.model.sgp4_propagator docs).
_HEYOKA_ROWS = (
    "no_kozai", "ecco", "inclo", "nodeo", "argpo", "mo", "bstar", "jd_epoch", "fr_epoch",
)


class Sgp4Status(IntEnum):
    """Per-state outcome, python-sgp4 / Vallado error codes (``SGP4_ERRORS``)."""

    OK = 0
    MEAN_ECCENTRICITY = 1  # mean eccentricity outside [0, 1)
    MEAN_MOTION = 2  # mean motion below zero
    PERTURBED_ECCENTRICITY = 3  # perturbed eccentricity outside [0, 1]
    SEMI_LATUS_RECTUM = 4  # semi-latus rectum below zero
    SUBORBITAL = 5  # no longer produced by SGP4
    DECAYED = 6  # mean radius below one Earth radius: the satellite has decayed


@dataclass(frozen=True)
class Ephemeris:
    """States of ``n`` objects at ``m`` epochs.

    ``r`` [km] and ``v`` [km/s] are ``(n, m, 3)`` in ``frame``; ``status`` ``(n, m)`` int8 holds
    :class:`Sgp4Status` codes (NaN states where non-zero). ``jd``/``fr`` ``(m,)`` are the UTC
    epochs when the call shared them across objects (None for per-object ``tsince`` calls).
    ``start`` is the index of the first object within the prepared set (chunked iteration).
    """

    norad_ids: NDArray[np.int64]
    r: NDArray[np.float64]
    v: NDArray[np.float64]
    status: NDArray[np.int8]
    frame: str = "teme"
    jd: NDArray[np.float64] | None = None
    fr: NDArray[np.float64] | None = None
    start: int = 0


@dataclass
class _Chunk:
    """Engines for objects ``[start, stop)`` of a prepared set."""

    start: int
    stop: int
    heyoka_rows: NDArray[np.intp]  # local indices propagated by heyoka
    sgp4_rows: NDArray[np.intp]  # local indices propagated by SatrecArray
    heyoka: object | None  # heyoka.model.sgp4_propagator_dbl over heyoka_rows
    satrecs: SatrecArray | None  # in-process SatrecArray over sgp4_rows


class PreparedSet:
    """Element sets made ready to propagate repeatedly (Satrecs and heyoka propagators cached).

    ``engine="auto"`` sends near-Earth objects to heyoka and the rest to python-sgp4;
    ``engine="sgp4"`` sends everything to python-sgp4 (the exact reference path).
    """

    def __init__(self, elsets: Sequence[ElementSet], engine: Engine = "auto") -> None:
        if engine not in ("auto", "sgp4"):
            raise ValueError(f"unknown engine {engine!r} (expected 'auto' or 'sgp4')")
        self.engine: Engine = engine
        self.norad_ids = np.array([e.norad_id for e in elsets], dtype=np.int64)
        self.elements = element_array(elsets)
        self.satrecs = build_satrecs(self.elements)
        self.deep_space = np.array([s.method == "d" for s in self.satrecs], dtype=bool)
        init_failed = np.array([s.error != 0 for s in self.satrecs], dtype=bool)
        self.uses_heyoka = ~self.deep_space & ~init_failed & (engine == "auto")
        self._chunks: dict[tuple[int, int], _Chunk] = {}

    def __len__(self) -> int:
        return len(self.norad_ids)

    @property
    def epoch_jd(self) -> NDArray[np.float64]:
        """Midnight Julian date of each epoch [days, UTC] (python-sgp4's ``jdsatepoch``)."""
        return self.elements[:, COL["jd_epoch"]]

    @property
    def epoch_fr(self) -> NDArray[np.float64]:
        """Day fraction of each epoch [days] (python-sgp4's ``jdsatepochF``)."""
        return self.elements[:, COL["fr_epoch"]]

    def chunk(self, start: int, stop: int) -> _Chunk:
        """The (cached) engines for objects ``[start, stop)``."""
        key = (start, stop)
        if key not in self._chunks:
            local = self.uses_heyoka[start:stop]
            hy_rows = np.flatnonzero(local)
            sg_rows = np.flatnonzero(~local)
            prop = None
            if hy_rows.size:
                import heyoka

                cols = [COL[name] for name in _HEYOKA_ROWS]
                data = np.ascontiguousarray(self.elements[start + hy_rows][:, cols].T)
                prop = heyoka.model.sgp4_propagator(data)
            sats = [self.satrecs[start + i] for i in sg_rows]
            self._chunks[key] = _Chunk(
                start, stop, hy_rows, sg_rows, prop, SatrecArray(sats) if sats else None
            )
        return self._chunks[key]


def prepare(elsets: Sequence[ElementSet] | PreparedSet, engine: Engine = "auto") -> PreparedSet:
    """A :class:`PreparedSet` for ``elsets`` (returned unchanged if it already is one)."""
    if isinstance(elsets, PreparedSet):
        return elsets
    return PreparedSet(elsets, engine)


def as_jd(times: Times) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """UTC epochs → two-part Julian date arrays ``(jd, fr)`` [days].

    ``times`` is a ``datetime64`` array, a sequence of datetimes, or a ``(jd, fr)`` pair.
    """
    if isinstance(times, tuple) and len(times) == 2 and not isinstance(times[0], datetime):
        jd = np.atleast_1d(np.asarray(times[0], dtype=np.float64))
        fr = np.atleast_1d(np.asarray(times[1], dtype=np.float64))
        jd, fr = np.broadcast_arrays(jd, fr)
        return np.ascontiguousarray(jd), np.ascontiguousarray(fr)
    return datetime64_to_jd(times)  # type: ignore[arg-type]


def iter_propagate(
    elsets: Sequence[ElementSet] | PreparedSet,
    times: Times,
    frame: Frame = "teme",
    *,
    engine: Engine = "auto",
    chunk_objects: int = DEFAULT_CHUNK_OBJECTS,
    workers: int | None = None,
) -> Iterator[Ephemeris]:
    """Propagate in chunks of ``chunk_objects`` objects; yields one :class:`Ephemeris` per chunk.

    Every chunk shares the UTC epochs ``times``; memory stays at a few chunks' worth of states
    whatever the number of objects. ``workers`` processes (default: CPU count) share the
    python-sgp4 part of big chunks; ``workers=1`` keeps everything in this process.
    """
    prepared = prepare(elsets, engine)
    jd, fr = as_jd(times)
    if workers is None:
        workers = os.cpu_count() or 1
    for start in range(0, len(prepared), max(1, chunk_objects)):
        stop = min(start + chunk_objects, len(prepared))
        r, v, status = _propagate_chunk(prepared, prepared.chunk(start, stop), jd, fr, workers)
        if frame != "teme":
            from sweepers.orbits.frames import teme_to

            r, v = teme_to(frame, r, v, jd, fr)
        yield Ephemeris(prepared.norad_ids[start:stop], r, v, status, frame, jd, fr, start)


def propagate(
    elsets: Sequence[ElementSet] | PreparedSet,
    times: Times,
    frame: Frame = "teme",
    *,
    engine: Engine = "auto",
    chunk_objects: int = DEFAULT_CHUNK_OBJECTS,
    workers: int | None = None,
) -> Ephemeris:
    """States of every object at every UTC epoch in ``times``: ``r`` [km], ``v`` [km/s] (n, m, 3).

    ``frame`` is ``"teme"`` (SGP4's own), ``"gcrs"`` or ``"itrs"`` (see :mod:`.frames`). The whole
    result is held in memory (48 bytes per state); use :func:`iter_propagate` for big grids.
    """
    parts = list(iter_propagate(elsets, times, frame, engine=engine,
                                chunk_objects=chunk_objects, workers=workers))
    prepared = prepare(elsets, engine)
    jd, fr = as_jd(times)
    if len(parts) == 1:
        return parts[0]
    m = jd.size
    if not parts:
        empty = np.empty((0, m, 3))
        return Ephemeris(prepared.norad_ids, empty, empty.copy(), np.empty((0, m), np.int8),
                         frame, jd, fr)
    return Ephemeris(
        prepared.norad_ids,
        np.concatenate([p.r for p in parts]),
        np.concatenate([p.v for p in parts]),
        np.concatenate([p.status for p in parts]),
        frame,
        jd,
        fr,
    )


def propagate_tsince(
    elsets: Sequence[ElementSet] | PreparedSet,
    tsince_min: ArrayLike,
    *,
    engine: Engine = "auto",
) -> Ephemeris:
    """TEME states at per-object times ``tsince_min`` (n, m) [minutes since each object's epoch].

    This is the form of the Vallado verification table. python-sgp4 objects are evaluated one
    object at a time (vectorised over their m times), so this path suits tests and small sets.
    """
    prepared = prepare(elsets, engine)
    tsince = np.atleast_2d(np.asarray(tsince_min, dtype=np.float64))
    n, m = tsince.shape
    if n != len(prepared):
        raise ValueError(f"tsince has {n} rows for {len(prepared)} objects")
    chunk = prepared.chunk(0, n)
    r = np.empty((n, m, 3))
    v = np.empty((n, m, 3))
    status = np.empty((n, m), dtype=np.int8)
    if chunk.heyoka_rows.size:
        by_epoch = np.ascontiguousarray(tsince[chunk.heyoka_rows].T)  # (m, k)
        _heyoka_into(chunk, lambda t0, t1: by_epoch[t0:t1], m, r, v, status)
    for i in chunk.sgp4_rows:
        sat = prepared.satrecs[i]
        jd = np.full(m, sat.jdsatepoch)
        # python-sgp4 rebuilds tsince as (jd − jdsatepoch)·1440 + (fr − jdsatepochF)·1440.
        e, ri, vi = sat.sgp4_array(jd, sat.jdsatepochF + tsince[i] / 1440.0)
        r[i], v[i], status[i] = ri, vi, e
    _blank_failures(r, v, status)
    return Ephemeris(prepared.norad_ids, r, v, status, "teme")


def _propagate_chunk(
    prepared: PreparedSet,
    chunk: _Chunk,
    jd: NDArray[np.float64],
    fr: NDArray[np.float64],
    workers: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int8]]:
    """One chunk: python-sgp4 rows in worker processes (if worth it) while heyoka runs here."""
    n, m = chunk.stop - chunk.start, jd.size
    sg_rows = chunk.sgp4_rows
    use_pool = workers > 1 and sg_rows.size * m >= POOL_MIN_PROPS
    if use_pool:
        buffer = _workers.SharedBuffer.create(n, m)
        r, v, status = buffer.arrays()
        executor = _workers.pool(workers)
        elements = prepared.elements[chunk.start + sg_rows]
        futures = [
            executor.submit(_workers.sgp4_rows, elements[part], jd, fr, buffer, sg_rows[part])
            for part in np.array_split(np.arange(sg_rows.size), workers)
            if part.size
        ]
    else:
        r, v = np.empty((n, m, 3)), np.empty((n, m, 3))
        status = np.empty((n, m), dtype=np.int8)
    try:
        if chunk.heyoka_rows.size:
            ep_jd = prepared.epoch_jd[chunk.start + chunk.heyoka_rows]
            ep_fr = prepared.epoch_fr[chunk.start + chunk.heyoka_rows]
            _heyoka_into(
                chunk,
                lambda t0, t1: minutes_since(
                    jd[t0:t1, None], fr[t0:t1, None], ep_jd[None, :], ep_fr[None, :]
                ),
                m, r, v, status,
            )
        if use_pool:
            for future in futures:
                future.result()
        elif chunk.satrecs is not None:
            e, rs, vs = chunk.satrecs.sgp4(jd, fr)
            r[sg_rows], v[sg_rows], status[sg_rows] = rs, vs, e
    finally:
        if use_pool:
            buffer.unlink()
    _blank_failures(r, v, status)
    return r, v, status


def _heyoka_into(
    chunk: _Chunk,
    tsince: Callable[[int, int], NDArray[np.float64]],
    m: int,
    r: NDArray[np.float64],
    v: NDArray[np.float64],
    status: NDArray[np.int8],
) -> None:
    """heyoka over the chunk's rows, ``HEYOKA_TIME_BLOCK`` epochs at a time, into r, v, status.

    ``tsince(t0, t1)`` gives the (t1 − t0, k) minutes since epoch of epochs ``t0:t1``. heyoka
    returns (epochs, 7, objects); turning that into (objects, epochs, 3) is a transpose, which
    runs ~5× faster on blocks that stay in cache than on the whole array (measured).
    """
    rows = chunk.heyoka_rows
    every_row = rows.size == r.shape[0]
    sel = slice(None) if every_row else rows
    out = np.empty((min(HEYOKA_TIME_BLOCK, m), 7, rows.size))
    for t0 in range(0, m, HEYOKA_TIME_BLOCK):
        t1 = min(t0 + HEYOKA_TIME_BLOCK, m)
        block = chunk.heyoka(np.ascontiguousarray(tsince(t0, t1)), out=out[: t1 - t0])  # type: ignore[misc]
        r[sel, t0:t1] = block[:, 0:3, :].transpose(2, 0, 1)
        v[sel, t0:t1] = block[:, 3:6, :].transpose(2, 0, 1)
        status[sel, t0:t1] = block[:, 6, :].T


def _blank_failures(
    r: NDArray[np.float64], v: NDArray[np.float64], status: NDArray[np.int8]
) -> None:
    """NaN the states whose status is non-zero (python-sgp4 leaves numbers for decayed ones)."""
    bad = status != 0
    if bad.any():
        r[bad] = np.nan
        v[bad] = np.nan
