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

Structure of one mission file — the submission page's preliminary-validation rules as third-party
re-implementations state them (and as ESA's two example files pass them; GTOC9.md, "File
structure"). ESA's ``gtoc9-data.zip`` examples could not be fetched from this machine, so the
structure below follows that statement of the rules, not a byte-level comparison with them:

1. Every debris D of the mission appears on **exactly two consecutive lines with its id**: the
   arrival (state before the impulse = the ship coming in; state after = the debris) and, at least
   t_w = 5 days later, the departure (state before the impulse = the debris at that epoch: the
   ship co-orbits with it during the stay; the impulse starts the next transfer).
2. The **first two lines** are the arrival at and the departure from the first debris D1. The
   arrival is where the launcher delivers the ship: its epoch is the mission start t_s, its mass
   is m0, its Δv is **zero**.
3. The **last two lines** are the arrival at and the departure from the last debris DN. The
   departure closes the last ≥ 5-day stay: its epoch is the mission end t_f (the one the 30-day
   gap to the next mission counts from), its Δv is **zero**, its mass the final mass (≥ m_dry).
4. DSM lines (id −1) only between a departure and the next arrival.
5. 2 ≤ lines ≤ 856; epochs strictly increase.

A one-debris mission is two lines: the delivery at D1 and the end of the stay, both without Δv.

Mass: the 30 kg package leaves *at the departure line*, so the mass on a departure line is the
mass after the arrival impulse minus 30 kg (the first departure: m0 − 30 kg).

The solver and ``sweepers gtoc9 restructure`` write no comment or blank lines (the format is one
event per line); the reader skips ``#`` lines and blank lines. :func:`submission_events` turns
the solver's open chain (departure from D1 first, arrival at DN last) into this structure.
``sweepers.gtoc9.check`` enforces the structure and every rule; this module only reads and
writes.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sweepers.formats._text import BLANKS, damage
from sweepers.gtoc9 import rules

if TYPE_CHECKING:
    from sweepers.gtoc9.debris import DebrisSet

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
        stripped = raw.strip(BLANKS)
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
    """Write one mission file (UTF-8, ``\\n`` line ends) whole or not at all (a temporary file
    beside it, then renamed over it: a kill mid-write leaves the old file); returns the path."""
    file_path = Path(path)
    tmp = file_path.with_name(f".{file_path.name}.tmp")
    tmp.write_text(format_mission(events, comment), encoding="utf-8")
    os.replace(tmp, file_path)
    return file_path


def is_visit_pair(first: Event, second: Event) -> bool:
    """Whether two lines are the arrival at and the departure from one debris."""
    return not first.is_dsm and first.debris_id == second.debris_id


def submission_events(events: Sequence[Event], debris: DebrisSet) -> list[Event]:
    """The events of one mission in the submission structure (module docstring).

    ``events`` is either already in that structure (returned unchanged) or the solver's open
    chain: the departure from the first debris D1 first, the arrival at the last debris DN last
    (a one-debris mission: the single departure line). What is missing is added, on the debris'
    own ephemeris, with Δv = 0:

    * the delivery at D1, t_w = 5 days before the first departure, mass m0 = first mass + 30 kg
      (the package left at D1 leaves at the departure line);
    * the end of the stay at DN, 5 days after the last arrival, mass = the mass after the
      arrival impulse − 30 kg (the final mass).

    So t_s and t_f, m0 and the final mass are those the open chain implied. Raises
    ``ValueError`` for an empty list or a chain that starts or ends with a DSM.
    """
    out = [replace(e, line=0) for e in events]
    if not out:
        raise ValueError("a mission needs at least one event")
    if out[0].is_dsm or out[-1].is_dsm:
        raise ValueError("a mission starts and ends at a debris, not with a DSM line")
    t_w = rules.STAY_MIN_DAYS
    if len(out) < 2 or not is_visit_pair(out[0], out[1]):
        first = out[0]
        t = first.epoch_mjd2000 - t_w
        r, v = debris.states(first.debris_id, t)
        m0 = first.mass_kg + rules.M_DEORBIT_KG
        out.insert(0, Event.from_arrays(t, r, v, m0, (0.0, 0.0, 0.0), first.debris_id))
    if not is_visit_pair(out[-2], out[-1]):
        last = out[-1]
        t = last.epoch_mjd2000 + t_w
        r, v = debris.states(last.debris_id, t)
        burnt = last.mass_kg * math.exp(-float(np.linalg.norm(last.dv())) / rules.VE_M_S)
        final = burnt - rules.M_DEORBIT_KG
        out.append(Event.from_arrays(t, r, v, final, (0.0, 0.0, 0.0), last.debris_id))
    return out
