"""GTOC9 solution files: one mission per text file, one event per line (read, write).

Format (Kelvins "Submission format" page, https://kelvins.esa.int/gtoc9-kessler-run/submission-format;
GTOC9.md): each line is one event — essentially one impulsive manoeuvre — given by 12 numbers,
separated by blanks (commas are tolerated)::

    epoch  x y z  vx vy vz  mass  dvx dvy dvz  id
    MJD2000  m      m/s      kg     m/s         debris id, or -1 for a deep-space manoeuvre (DSM)

The state and the mass are those *just before* the impulse; the impulse Δv is applied immediately
after the event. Lines starting with ``#`` and blank lines are ignored; any other line that is not
12 finite numbers with an integral id is reported (file, line number, reason) and never crashes
the reader.

Event layout of one mission — our reading of the rules. The problem page says "a mission starts
with a launch delivering, at t_s, one spacecraft at a chosen debris"; a debris is removed when the
ship matches its position and velocity and then stays with it for t_w ≥ 5 days while the 30 kg
package is delivered; the submission page says arrival and departure to/from a debris both carry
the debris id. The official example files inside ``gtoc9-data.zip`` could not be fetched from
this machine, so this layout is inferred from those pages, not compared with ESA's examples:

1. The first debris D1 is where the launcher delivers the ship, so the file starts with the
   **departure from D1** (id D1). The delivery itself is implicit: the ship rode with D1 for
   at least t_w, so we take t_s = t(departure) − t_w. Optionally, a file may also give the
   delivery explicitly as a first line with the same id D1 (then t_s is that line's epoch).
2. Every intermediate debris Dk appears on **two consecutive lines with the same id**: the
   arrival (state before the impulse = the ship coming in; state after = the debris) and, at
   least t_w later, the departure (state before the impulse = the debris at that epoch, because the
   ship co-orbits with it during the stay; the impulse starts the next transfer).
3. Any number of DSM lines (id −1) may sit between the departure from one debris and the arrival
   at the next.
4. The last debris DN appears as a **single arrival line**: the mission ends when its package is
   delivered, t_f = t(arrival) + t_w. A second line with the same id (an explicit end of the
   stay) is accepted, and then t_f is that line's epoch.
5. A one-debris mission is a single line: the departure from (end of stay at) D1.

Mass: the 30 kg package is left *during* each stay, so the mass on a departure line is the mass
after the arrival impulse minus 30 kg, and the first line (departure from D1) already carries
m0 − 30 kg. ``sweepers.gtoc9.check`` enforces this layout and the rules; this module only reads
and writes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sweepers.formats._text import damage

DSM_ID = -1
"""Event id of a deep-space manoeuvre."""

_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Event:
    """One line of a mission file (MJD2000, m, m/s, kg; state and mass before the impulse)."""

    epoch_mjd2000: float
    position_m: tuple[float, float, float]
    velocity_m_s: tuple[float, float, float]
    mass_kg: float
    dv_m_s: tuple[float, float, float]
    debris_id: int
    line: int = 0
    """1-based line number in the file (0 when built in memory)."""

    @property
    def is_dsm(self) -> bool:
        """Whether this is a deep-space manoeuvre (id −1)."""
        return self.debris_id == DSM_ID

    def r(self) -> NDArray[np.float64]:
        """Position [m] as an array of shape ``(3,)``."""
        return np.array(self.position_m, dtype=np.float64)

    def v(self) -> NDArray[np.float64]:
        """Velocity before the impulse [m/s], shape ``(3,)``."""
        return np.array(self.velocity_m_s, dtype=np.float64)

    def dv(self) -> NDArray[np.float64]:
        """Impulse [m/s], shape ``(3,)``."""
        return np.array(self.dv_m_s, dtype=np.float64)

    def state_after(self) -> NDArray[np.float64]:
        """State just after the impulse, ``(x, y, z, vx + dvx, ...)`` [m, m/s], shape ``(6,)``."""
        return np.concatenate([self.r(), self.v() + self.dv()])

    @classmethod
    def from_arrays(
        cls,
        epoch_mjd2000: float,
        position_m: Sequence[float] | NDArray[np.float64],
        velocity_m_s: Sequence[float] | NDArray[np.float64],
        mass_kg: float,
        dv_m_s: Sequence[float] | NDArray[np.float64],
        debris_id: int,
        line: int = 0,
    ) -> Event:
        """Build an event from array-likes (converted to plain floats)."""

        def vec(values: Sequence[float] | NDArray[np.float64]) -> tuple[float, float, float]:
            x, y, z = (float(c) for c in values)
            return (x, y, z)

        return cls(
            float(epoch_mjd2000),
            vec(position_m),
            vec(velocity_m_s),
            float(mass_kg),
            vec(dv_m_s),
            int(debris_id),
            line,
        )


@dataclass(frozen=True)
class LineIssue:
    """A line that could not be read: file, 1-based line number and reason."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class MissionFile:
    """The events of one mission file, in file order, and the lines that could not be read."""

    path: str
    events: list[Event] = field(default_factory=list)
    issues: list[LineIssue] = field(default_factory=list)


def parse_event_line(text: str) -> Event:
    """Decode one event line (12 numbers). Raises ``ValueError`` with a short reason."""
    fields = [f for f in _SPLIT.split(text.strip()) if f]
    if len(fields) != 12:
        raise ValueError(f"expected 12 numbers, found {len(fields)}")
    try:
        values = [float(f) for f in fields]
    except ValueError as exc:
        raise ValueError(f"not a number: {exc}") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError("non-finite number")
    if values[11] != int(values[11]) or values[11] < DSM_ID:
        raise ValueError(f"id must be an integer >= -1, got {fields[11]}")
    return Event.from_arrays(
        values[0], values[1:4], values[4:7], values[7], values[8:11], int(values[11])
    )


def parse_mission(text: str, path: str = "<string>") -> MissionFile:
    """Decode a whole mission file; bad lines go to ``issues``, good ones are kept.

    Lines end at ``\\n`` only (a stray form feed or other control does not shift the numbering);
    undecodable bytes (``surrogateescape``, see :func:`read_mission`) only spoil their own line.
    """
    mission = MissionFile(path)
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            if bad := damage(stripped):
                raise ValueError(bad)
            event = parse_event_line(stripped)
        except ValueError as exc:
            mission.issues.append(LineIssue(path, number, str(exc)))
            continue
        mission.events.append(
            Event(
                event.epoch_mjd2000,
                event.position_m,
                event.velocity_m_s,
                event.mass_kg,
                event.dv_m_s,
                event.debris_id,
                number,
            )
        )
    if not mission.events and not mission.issues:
        mission.issues.append(LineIssue(path, 0, "no events in file"))
    return mission


def read_mission(path: Path | str) -> MissionFile:
    """Read one mission file. An unreadable file becomes one issue at line 0; bytes that are not
    UTF-8 are reported on their own line (the other lines are kept)."""
    file_path = Path(path)
    try:
        text = file_path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        return MissionFile(
            str(file_path), issues=[LineIssue(str(file_path), 0, f"unreadable: {exc}")]
        )
    return parse_mission(text, str(file_path))


def solution_files(path: Path | str) -> list[Path]:
    """The mission files of a solution: ``path`` itself if it is a file, else its ``*.txt`` files
    sorted by name (hidden files skipped)."""
    root = Path(path)
    if root.is_file():
        return [root]
    return sorted(p for p in root.glob("*.txt") if p.is_file() and not p.name.startswith("."))


def read_solution(path: Path | str) -> list[MissionFile]:
    """Read every mission file of a solution folder (see :func:`solution_files`)."""
    return [read_mission(p) for p in solution_files(path)]


def format_event(event: Event) -> str:
    """One line of 12 numbers; floats in shortest round-trip form so reading back is exact."""
    numbers = [
        event.epoch_mjd2000,
        *event.position_m,
        *event.velocity_m_s,
        event.mass_kg,
        *event.dv_m_s,
    ]
    return " ".join(repr(float(x)) for x in numbers) + f" {event.debris_id:d}"


def format_mission(events: Iterable[Event], comment: str | None = None) -> str:
    """Text of a mission file: optional ``#`` comment lines, then one line per event."""
    lines = [f"# {c}" for c in comment.splitlines()] if comment else []
    lines.extend(format_event(e) for e in events)
    return "\n".join(lines) + "\n"


def write_mission(path: Path | str, events: Iterable[Event], comment: str | None = None) -> Path:
    """Write one mission file (UTF-8, ``\\n`` line ends); returns the path."""
    file_path = Path(path)
    file_path.write_text(format_mission(events, comment), encoding="utf-8")
    return file_path
