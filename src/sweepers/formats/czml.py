"""CZML writer (Cesium's JSON scene format): trajectories and event markers, built on czml3.

A CZML document is a JSON list of packets; the first is the ``document`` packet carrying the
version (``"1.0"``) and the clock. Each :class:`Trajectory` becomes one packet whose ``position``
holds time-tagged samples ``cartesian = [t0, x0, y0, z0, t1, …]``: t in seconds after the
property's ``epoch`` (ISO 8601 UTC), x, y, z in **metres** in the packet's ``referenceFrame``:

* ``INERTIAL`` — Cesium's inertial frame is the ICRF; GCRF/EME2000/J2000 positions qualify (they
  differ by milliarcseconds). TEME does **not**: its axes drift from the ICRF by precession and
  nutation (~0.4° by 2026, tens of km in LEO); convert with :mod:`sweepers.orbits.frames` first.
* ``FIXED`` — Earth-fixed (ITRF/ECEF).

Each trajectory packet has an ``availability`` interval from its first to its last sample, a point,
an optional label and an optional path (styling in :class:`Trajectory`). :class:`Event` markers
(rendezvous points, conjunctions, burns) are fixed points with an HTML description, shown over a
window around their epoch. :func:`read_czml_positions` reads the samples of such a document back.

Built on czml3 (pydantic models of the CZML packets): it checks the packet structure, writes
floats with Python's round-trip ``repr`` and times as ISO 8601 UTC with microseconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from czml3 import (
    Clock,
    Color,
    Document,
    Label,
    Packet,
    Path,
    Point,
    PolylineMaterial,
    Position,
    SolidColorMaterial,
    TimeInterval,
)
from czml3.enums import ClockRanges, ClockSteps, HorizontalOrigins
from czml3.types import Cartesian2Value
from numpy.typing import ArrayLike, NDArray

from sweepers.epochs import as_datetime64
from sweepers.formats.oem import OemSegment

__all__ = ["CZML_VERSION", "Event", "Trajectory", "read_czml_positions", "write_czml"]

CZML_VERSION = "1.0"
RGBA = tuple[int, int, int, int]
_PALETTE: tuple[RGBA, ...] = ((0, 200, 255, 255), (255, 170, 0, 255), (120, 220, 90, 255),
                              (255, 90, 200, 255), (200, 200, 200, 255), (255, 255, 90, 255))
_FRAME_ALIASES = {"INERTIAL": "INERTIAL", "ICRF": "INERTIAL", "GCRF": "INERTIAL",
                  "EME2000": "INERTIAL", "J2000": "INERTIAL", "FIXED": "FIXED", "ECEF": "FIXED"}
_INTERPOLATIONS = ("LAGRANGE", "HERMITE", "LINEAR")


@dataclass(slots=True)
class Trajectory:
    """One object's path for CZML.

    ``epochs`` ``(n,)`` UTC (``datetime64`` or ``datetime``), strictly increasing;
    ``positions_km`` ``(n, 3)`` [km] in ``frame`` (``INERTIAL``: ICRF/GCRF/EME2000 axes, or
    ``FIXED``: ITRF; see the module docstring). ``interpolation`` / ``interpolation_degree`` tell
    Cesium how to draw between samples. ``color`` RGBA 0–255 (None: next of a palette);
    ``lead_time_s`` / ``trail_time_s`` limit the drawn path around the current time [s] (None:
    whole path); ``description`` is HTML shown in Cesium's info box.
    """

    id: str
    epochs: ArrayLike
    positions_km: ArrayLike
    name: str | None = None
    frame: str = "INERTIAL"
    interpolation: str = "LAGRANGE"
    interpolation_degree: int = 5
    color: RGBA | None = None
    point_size_px: float = 6.0
    show_label: bool = True
    show_path: bool = True
    path_width_px: float = 1.5
    lead_time_s: float | None = None
    trail_time_s: float | None = None
    description: str | None = None

    @classmethod
    def from_oem(cls, segment: OemSegment, **style: Any) -> Trajectory:
        """The samples of an Earth-centred OEM segment (id ``OBJECT_ID``, name ``OBJECT_NAME``,
        frame ``REF_FRAME``, interpolation as the segment says); ``style``: other fields."""
        if segment.center_name.strip().upper() != "EARTH":
            raise ValueError(f"OEM segment centred on {segment.center_name!r}, not EARTH")
        fields: dict[str, Any] = {
            "id": segment.object_id, "name": segment.object_name, "frame": segment.ref_frame,
            "epochs": segment.epochs, "positions_km": segment.positions_km}
        if segment.interpolation:
            fields["interpolation"] = segment.interpolation
        if segment.interpolation_degree:
            fields["interpolation_degree"] = segment.interpolation_degree
        return cls(**{**fields, **style})


@dataclass(slots=True)
class Event:
    """A marker at a fixed point: a rendezvous, a conjunction, a burn.

    ``epoch`` UTC; ``position_km`` ``(3,)`` [km] in ``frame`` (as :class:`Trajectory`); shown from
    ``epoch - before_s`` to ``epoch + after_s`` [s]; ``description`` HTML.
    """

    id: str
    epoch: np.datetime64 | datetime
    position_km: ArrayLike
    name: str | None = None
    description: str | None = None
    frame: str = "INERTIAL"
    color: RGBA = (255, 60, 60, 255)
    point_size_px: float = 10.0
    before_s: float = 600.0
    after_s: float = 600.0


def _frame(frame: str, what: str) -> str:
    key = frame.strip().upper()
    if key in _FRAME_ALIASES:
        return _FRAME_ALIASES[key]
    if key.startswith("ITRF"):
        return "FIXED"
    raise ValueError(f"{what}: frame {frame!r} is not INERTIAL (ICRF, GCRF, EME2000) or FIXED "
                     "(ITRF); convert TEME and others first")


def _datetime(t: np.datetime64) -> datetime:
    return t.astype("datetime64[us]").item().replace(tzinfo=UTC)


def _interval(start: np.datetime64, stop: np.datetime64) -> TimeInterval:
    return TimeInterval(start=_datetime(start), end=_datetime(stop))


def _color(rgba: RGBA) -> Color:
    return Color(rgba=list(rgba))


def _label(text: str, rgba: RGBA) -> Label:
    return Label(text=text, font="11pt sans-serif", fillColor=_color(rgba),
                 horizontalOrigin=HorizontalOrigins.LEFT,
                 pixelOffset=Cartesian2Value(values=[10.0, 0.0]))


def _trajectory_packet(tr: Trajectory, rgba: RGBA) -> Packet:
    epochs = as_datetime64(tr.epochs)
    pos = np.asarray(tr.positions_km, dtype=float)
    n = epochs.size
    if n == 0 or pos.shape != (n, 3):
        raise ValueError(f"trajectory {tr.id!r}: positions_km must be ({n}, 3) with n >= 1, "
                         f"got {pos.shape}")
    if np.any(np.diff(epochs) <= np.timedelta64(0, "us")):
        raise ValueError(f"trajectory {tr.id!r}: epochs must increase strictly")
    if not np.isfinite(pos).all():
        raise ValueError(f"trajectory {tr.id!r}: non-finite position")
    method = tr.interpolation.strip().upper()
    if method not in _INTERPOLATIONS or tr.interpolation_degree < 1:
        raise ValueError(f"trajectory {tr.id!r}: interpolation {tr.interpolation!r} degree "
                         f"{tr.interpolation_degree} (expected one of {_INTERPOLATIONS}, >= 1)")
    seconds = (epochs - epochs[0]).astype(np.int64) / 1e6
    samples = np.column_stack([seconds, pos * 1000.0]).ravel().tolist()
    position = Position(epoch=_datetime(epochs[0]), cartesian=samples,
                        referenceFrame=_frame(tr.frame, f"trajectory {tr.id!r}"),
                        interpolationAlgorithm=method,
                        interpolationDegree=tr.interpolation_degree)
    path = None
    if tr.show_path:
        path = Path(show=True, width=tr.path_width_px, leadTime=tr.lead_time_s,
                    trailTime=tr.trail_time_s, resolution=60.0,
                    material=PolylineMaterial(solidColor=SolidColorMaterial(color=_color(rgba))))
    name = tr.name if tr.name is not None else tr.id
    return Packet(id=tr.id, name=name, description=tr.description,
                  availability=_interval(epochs[0], epochs[-1]), position=position,
                  point=Point(pixelSize=tr.point_size_px, color=_color(rgba)),
                  label=_label(name, rgba) if tr.show_label else None, path=path)


def _event_packet(ev: Event) -> Packet:
    epoch = as_datetime64(ev.epoch)[0]
    pos = np.asarray(ev.position_km, dtype=float)
    if pos.shape != (3,) or not np.isfinite(pos).all():
        raise ValueError(f"event {ev.id!r}: position_km must be 3 finite numbers")
    if not (ev.before_s >= 0 and ev.after_s >= 0):
        raise ValueError(f"event {ev.id!r}: before_s and after_s must be >= 0")
    start = epoch - np.timedelta64(round(ev.before_s * 1e6), "us")
    stop = epoch + np.timedelta64(round(ev.after_s * 1e6), "us")
    name = ev.name if ev.name is not None else ev.id
    return Packet(id=ev.id, name=name, description=ev.description,
                  availability=_interval(start, stop),
                  position=Position(referenceFrame=_frame(ev.frame, f"event {ev.id!r}"),
                                    cartesian=(pos * 1000.0).tolist()),
                  point=Point(pixelSize=ev.point_size_px, color=_color(ev.color),
                              outlineColor=_color((255, 255, 255, 255)), outlineWidth=1.0),
                  label=_label(name, ev.color))


def write_czml(trajectories: Sequence[Trajectory], events: Sequence[Event] = (), *,
               name: str = "sweepers", multiplier: float = 60.0, indent: int | None = None,
               ) -> str:
    """CZML document (JSON text) showing ``trajectories`` and ``events``.

    The document packet's clock spans every trajectory and event window, starts at its beginning
    and runs ``multiplier`` times real time, looping. Packet ids must be unique (and not
    ``"document"``). Raises ``ValueError`` for bad input (shape, non-increasing epochs, frame,
    duplicate id).
    """
    if not trajectories and not events:
        raise ValueError("nothing to write: no trajectory and no event")
    ids = [t.id for t in trajectories] + [e.id for e in events]
    dupes = sorted({i for i in ids if ids.count(i) > 1 or i == "document"})
    if dupes:
        raise ValueError(f"packet ids must be unique and not 'document': {dupes}")
    packets = [_trajectory_packet(tr, tr.color or _PALETTE[k % len(_PALETTE)])
               for k, tr in enumerate(trajectories)]
    packets += [_event_packet(ev) for ev in events]
    bounds = [p.availability for p in packets]
    start = min(b.start for b in bounds)  # ISO strings of one format sort as times
    stop = max(b.end for b in bounds)
    clock = Clock(currentTime=start, multiplier=multiplier, range=ClockRanges.LOOP_STOP,
                  step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER,
                  interval=TimeInterval(start=start, end=stop))
    document = Packet(id="document", name=name, version=CZML_VERSION, clock=clock)
    return Document(packets=[document, *packets]).dumps(indent=indent)


def read_czml_positions(text: str) -> dict[str, tuple[NDArray[np.datetime64], NDArray[np.float64],
                                                      str]]:
    """Sampled positions of a CZML document: id → (epochs ``datetime64[us]``, km ``(n, 3)``, frame).

    Reads packets whose ``position`` has an ``epoch`` and time-tagged ``cartesian`` samples (as
    :func:`write_czml` writes them); constant positions give one sample at ``epoch`` = NaT.
    Raises ``ValueError`` if a ``cartesian`` list is not a multiple of 4 (or 3 when constant).
    """
    out: dict[str, tuple[NDArray[np.datetime64], NDArray[np.float64], str]] = {}
    for packet in json.loads(text):
        position = packet.get("position")
        if not isinstance(position, dict) or "cartesian" not in position:
            continue
        values = np.asarray(position["cartesian"], dtype=float)
        frame = position.get("referenceFrame", "FIXED")
        if "epoch" not in position:
            if values.size != 3:
                raise ValueError(f"packet {packet['id']!r}: constant cartesian needs 3 numbers")
            out[packet["id"]] = (np.array(["NaT"], dtype="datetime64[us]"),
                                 values.reshape(1, 3) / 1000.0, frame)
            continue
        if values.size % 4:
            raise ValueError(f"packet {packet['id']!r}: cartesian length {values.size} is not a "
                             "multiple of 4")
        table = values.reshape(-1, 4)
        epoch = np.datetime64(position["epoch"].rstrip("Z"), "us")
        offsets = np.array([round(s * 1e6) for s in table[:, 0]], dtype="timedelta64[us]")
        out[packet["id"]] = (epoch + offsets, table[:, 1:] / 1000.0, frame)
    return out
