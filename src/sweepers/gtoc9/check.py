"""An independent checker of GTOC9 solutions: every rule of the Kelvins problem statement, with
full J2 integration between events (heyoka Taylor, tol 1e-15; see ``check_dynamics``).

It trusts nothing in the files and shares nothing with any solver except the equations of the rules
(``rules``, ``debris``, ``check_dynamics``).

Rules enforced; the names are the ``rule`` of each :class:`Violation`, reported with the file and
the line. First the structure of a mission file (``solution`` docstring: the submission page's
preliminary validation as third-party re-implementations state it, GTOC9.md; our reading of its
open points in ``rules``). A violation of ``start``, ``end``, ``debris-pairs`` or
``dsm-placement``, or fewer than 2 lines, leaves the roles of the lines undefined: the mission is
reported but not checked further.

* ``format`` — every non-comment line is 12 finite numbers with an integral id.
* ``line-count`` — 2 ≤ event lines ≤ 856 (reported at line 857, or at the single line).
* ``time-order`` — epochs strictly increase from line to line.
* ``start`` — the first two lines are the arrival at and the departure from the first debris
  (reported at the first line).
* ``end`` — the last two lines are the arrival at and the departure from the last debris
  (reported at the last line).
* ``zero-dv`` — the first and the last line have Δv = 0 exactly: the launcher delivers the ship
  onto the first debris, and the mission ends with the departure line that closes the last stay.
* ``debris-pairs`` — every debris of the mission appears exactly twice, arrival then departure on
  consecutive lines (reported at a lone arrival, or at a debris' third and later lines).
* ``dsm-placement`` — DSM lines (id −1) only between a departure and the next arrival: not before
  the first arrival, not inside a stay, not after the last departure.

Then the rules of the problem:

* ``debris-id`` — ids are −1 or a debris of ``debris.csv``.
* ``window`` — every event lies within MJD2000 23467–26419 (so do t_s and t_f, which are events).
* ``rendezvous`` — at an arrival (the delivery on the first line included) the position before
  the impulse and the velocity *after* it match the debris ephemeris within 100 m and 1 m/s.
* ``departure`` — at a departure the state before the impulse matches the debris within 100 m and
  1 m/s (the ship co-orbits with the debris during the stay).
* ``dynamics`` — outside stays, each event's state (before its impulse) follows from the previous
  event's state after its impulse under full J2 dynamics, within 100 m and 1 m/s.
* ``stay`` — departure − arrival ≥ 5 days at every debris.
* ``arrival-interval`` — at most 30 days from one arrival to the next, stay included. The first
  arrival is the delivery at t_s (the first line).
* ``mission-spacing`` — with missions sorted by t_s (first line), each starts ≥ 30 days after the
  previous one ended (t_f: its last line, the departure closing its last stay).
* ``pericentre`` — osculating pericentre ≥ 6600 km before and after the impulse of every event
  (checked at events only, as the rule states).
* ``mass`` — m_next = m·exp(−|Δv|/(Isp·g0)), minus 30 kg from an arrival to its departure line
  (the package leaves at the departure line), to 1e-8 kg; the final mass (the last line's, after
  its impulse) is ≥ m_dry.
* ``propellant`` — m0 − m_dry − 30·N ≤ 5000 kg, with m0 the mass on the first line.
* ``duplicate`` — each debris is removed once over the whole campaign (reported at the later one).

A mission with unreadable lines or a broken structure is reported but not checked further, and adds
nothing to J or to the debris count. ``valid`` means no violation at all; ``complete`` means valid
*and* all 123 debris removed: a partial campaign can be valid. Cost per mission:
c_i + α (m0 − m_dry)² with c_i = 55 MEUR (``rules``).
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check_dynamics import PropagationError, integrate_j2, pericentre_radius_m
from sweepers.gtoc9.debris import DebrisSet, load_debris
from sweepers.gtoc9.solution import Event, MissionFile, read_solution


class Rule(enum.StrEnum):
    """The rule a violation breaks (see the module docstring)."""

    FORMAT = "format"
    LINE_COUNT = "line-count"
    TIME_ORDER = "time-order"
    START = "start"
    END = "end"
    ZERO_DV = "zero-dv"
    DEBRIS_PAIRS = "debris-pairs"
    DSM_PLACEMENT = "dsm-placement"
    DEBRIS_ID = "debris-id"
    WINDOW = "window"
    RENDEZVOUS = "rendezvous"
    DEPARTURE = "departure"
    DYNAMICS = "dynamics"
    STAY = "stay"
    ARRIVAL_INTERVAL = "arrival-interval"
    MISSION_SPACING = "mission-spacing"
    PERICENTRE = "pericentre"
    MASS = "mass"
    PROPELLANT = "propellant"
    DUPLICATE = "duplicate"


class Role(enum.Enum):
    """What an event is within its mission."""

    ARRIVAL = "arrival"
    DEPARTURE = "departure"
    DSM = "dsm"


@dataclass(frozen=True)
class Violation:
    """One broken rule: file, 1-based line (0: the whole file), rule and a readable message."""

    file: str
    line: int
    rule: Rule
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.rule}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "file": self.file,
            "line": self.line,
            "rule": str(self.rule),
            "message": self.message,
        }


@dataclass
class MissionReport:
    """Outcome for one mission file (masses kg, Δv m/s, epochs MJD2000, cost MEUR)."""

    file: str
    checked: bool = False
    debris: list[int] = field(default_factory=list)
    debris_lines: list[int] = field(default_factory=list)
    start_mjd2000: float = math.nan
    end_mjd2000: float = math.nan
    m0_kg: float = math.nan
    dv_total_m_s: float = math.nan
    propellant_kg: float = math.nan
    cost_meur: float = math.nan
    violations: list[Violation] = field(default_factory=list)

    @property
    def n_debris(self) -> int:
        """Number of debris this mission removes."""
        return len(self.debris)

    @property
    def mass_term_meur(self) -> float:
        """α (m0 − m_dry)² [MEUR]."""
        return rules.ALPHA_MEUR_KG2 * (self.m0_kg - rules.M_DRY_KG) ** 2

    @property
    def valid(self) -> bool:
        """Checked and without violations (campaign-level ones included once attached)."""
        return self.checked and not self.violations

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN → None)."""

        def num(x: float) -> float | None:
            return None if math.isnan(x) else x

        return {
            "file": self.file,
            "valid": self.valid,
            "checked": self.checked,
            "n": self.n_debris,
            "debris": self.debris,
            "start_mjd2000": num(self.start_mjd2000),
            "end_mjd2000": num(self.end_mjd2000),
            "m0_kg": num(self.m0_kg),
            "dv_total_m_s": num(self.dv_total_m_s),
            "propellant_kg": num(self.propellant_kg),
            "cost_meur": num(self.cost_meur),
            "n_violations": len(self.violations),
        }


@dataclass
class CheckReport:
    """Outcome for a whole solution (campaign)."""

    missions: list[MissionReport]
    errors: list[Violation]
    debris_removed: int
    missing: list[int]

    @property
    def valid(self) -> bool:
        """At least one mission and no violation of any rule."""
        return bool(self.missions) and not self.errors

    @property
    def complete(self) -> bool:
        """Valid and every debris removed."""
        return self.valid and not self.missing

    @property
    def cost_meur(self) -> float:
        """J = Σ [c_i + α (m0_i − m_dry)²] over the checked missions [MEUR]."""
        return float(sum(m.cost_meur for m in self.missions if m.checked))

    @property
    def mass_term_meur(self) -> float:
        """Σ α (m0_i − m_dry)² over the checked missions [MEUR]."""
        return float(sum(m.mass_term_meur for m in self.missions if m.checked))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: valid, complete, J, mass term, missions, debris counts, errors."""
        return {
            "valid": self.valid,
            "complete": self.complete,
            "J": self.cost_meur,
            "mass_term_meur": self.mass_term_meur,
            "c_base_meur": rules.C_BASE_MEUR,
            "n_missions": len(self.missions),
            "debris_removed": self.debris_removed,
            "missing": len(self.missing),
            "missing_ids": self.missing,
            "missions": [m.to_dict() for m in self.missions],
            "errors": [v.to_dict() for v in self.errors],
        }


_BLOCKING = frozenset({Rule.START, Rule.END, Rule.DEBRIS_PAIRS, Rule.DSM_PLACEMENT})
"""Structure rules whose violation leaves the roles of the lines undefined (so does a file of
fewer than 2 lines)."""


def _ids(event: Event) -> str:
    """``line N (debris D)`` or ``line N (DSM)`` for messages."""
    return f"line {event.line} ({'DSM' if event.is_dsm else f'debris {event.debris_id}'})"


def _is_pair(first: Event, second: Event) -> bool:
    """Arrival at and departure from one debris on consecutive lines."""
    return not first.is_dsm and first.debris_id == second.debris_id


def _structure(mission: MissionFile) -> tuple[list[Role] | None, list[Violation]]:
    """Roles of the lines of one mission and the structure violations (module docstring).

    Roles are ``None`` when a blocking structure rule is broken."""
    events = mission.events
    problems: list[Violation] = []

    def bad(event: Event, rule: Rule, message: str) -> None:
        problems.append(Violation(mission.path, event.line, rule, message))

    n = len(events)
    if n < rules.MISSION_LINES_MIN:
        bad(
            events[0],
            Rule.LINE_COUNT,
            f"{n} event line; a mission has at least {rules.MISSION_LINES_MIN} (the arrival at "
            f"and the departure from its first debris)",
        )
        return None, problems
    if n > rules.MISSION_LINES_MAX:
        bad(
            events[rules.MISSION_LINES_MAX],
            Rule.LINE_COUNT,
            f"{n} event lines; a mission file has at most {rules.MISSION_LINES_MAX}",
        )
    for prev, nxt in itertools.pairwise(events):
        if not nxt.epoch_mjd2000 > prev.epoch_mjd2000:
            bad(
                nxt,
                Rule.TIME_ORDER,
                f"epoch {nxt.epoch_mjd2000!r} is not after {prev.epoch_mjd2000!r} on line "
                f"{prev.line} (epochs strictly increase)",
            )
    first, last = events[0], events[-1]
    if not _is_pair(events[0], events[1]):
        bad(
            first,
            Rule.START,
            f"the first two lines must be the arrival at and the departure from the first debris "
            f"(one id); found {_ids(events[0])} and {_ids(events[1])}",
        )
    if not _is_pair(events[-2], events[-1]):
        bad(
            last,
            Rule.END,
            f"the last two lines must be the arrival at and the departure from the last debris "
            f"(one id); found {_ids(events[-2])} and {_ids(events[-1])}",
        )
    for event, which, why in (
        (first, "first", "the launcher delivers the ship onto the first debris"),
        (last, "last", "the mission ends at the departure that closes the last stay"),
    ):
        if any(c != 0.0 for c in event.dv_m_s):
            bad(
                event,
                Rule.ZERO_DV,
                f"the {which} line must have Δv = 0 ({why}); found "
                f"|Δv| = {float(np.linalg.norm(event.dv())):.9g} m/s",
            )

    roles = [Role.DSM] * n
    last_debris_line = max((k for k, e in enumerate(events) if not e.is_dsm), default=-1)
    seen: dict[int, int] = {}  # debris id -> line of its arrival
    open_k: int | None = None  # an arrival waiting for its departure
    for k, event in enumerate(events):
        if event.is_dsm:
            where = ""
            if open_k is not None:
                arrival = events[open_k]
                where = (
                    f"inside the stay at debris {arrival.debris_id} (arrival on line "
                    f"{arrival.line}, no departure yet)"
                )
            elif not seen:
                where = "before the arrival at the first debris"
            elif k > last_debris_line:
                where = "after the departure from the last debris"
            if where:
                bad(
                    event,
                    Rule.DSM_PLACEMENT,
                    f"DSM line {where}; DSMs go only between a departure and the next arrival",
                )
            continue
        if open_k is not None and event.debris_id == events[open_k].debris_id:
            roles[k] = Role.DEPARTURE
            open_k = None
            continue
        if open_k is not None:
            lone = events[open_k]
            bad(
                lone,
                Rule.DEBRIS_PAIRS,
                f"debris {lone.debris_id} appears once: its arrival is not followed by a "
                f"departure line with the same id (next: {_ids(event)})",
            )
        if event.debris_id in seen:
            bad(
                event,
                Rule.DEBRIS_PAIRS,
                f"debris {event.debris_id} appears again (arrival on line "
                f"{seen[event.debris_id]}); each debris of a mission appears exactly twice",
            )
        else:
            seen[event.debris_id] = event.line
        roles[k] = Role.ARRIVAL
        open_k = k
    if open_k is not None:
        lone = events[open_k]
        bad(lone, Rule.DEBRIS_PAIRS, f"debris {lone.debris_id} appears once: no departure line")
    blocked = any(v.rule in _BLOCKING for v in problems)
    problems.sort(key=lambda v: v.line)
    return (None if blocked else roles), problems


Finding = tuple[Event, Rule, str]
"""A violation before the file name is attached: (event, rule, message)."""


def _mismatch(r_m: np.ndarray, v_m_s: np.ndarray, r_ref: np.ndarray, v_ref: np.ndarray) -> str:
    """Empty if the state matches the reference within 100 m and 1 m/s, else a description."""
    dr = float(np.linalg.norm(r_m - r_ref))
    dv = float(np.linalg.norm(v_m_s - v_ref))
    if dr <= rules.TOL_POSITION_M and dv <= rules.TOL_VELOCITY_M_S:
        return ""
    return (
        f"|Δr| = {dr:.6g} m (max {rules.TOL_POSITION_M:g}), "
        f"|Δv| = {dv:.6g} m/s (max {rules.TOL_VELOCITY_M_S:g})"
    )


def _mass_after_burn(event: Event) -> float:
    """Mass just after the event's impulse (rocket equation, Isp 340 s) [kg]."""
    return event.mass_kg * math.exp(-float(np.linalg.norm(event.dv())) / rules.VE_M_S)


def _is_stay(roles: Sequence[Role], k: int) -> bool:
    """Whether events k and k + 1 open and close a stay at one debris."""
    return roles[k] is Role.ARRIVAL and roles[k + 1] is Role.DEPARTURE


def _fill_summary(report: MissionReport, events: Sequence[Event], roles: Sequence[Role]) -> None:
    """Mission extent t_s (first line), t_f (last line), removed debris (one per arrival line),
    m0 (first line's mass), Δv, propellant and cost."""
    report.start_mjd2000 = events[0].epoch_mjd2000
    report.end_mjd2000 = events[-1].epoch_mjd2000
    arrivals = [e for e, role in zip(events, roles, strict=True) if role is Role.ARRIVAL]
    report.debris = [e.debris_id for e in arrivals]
    report.debris_lines = [e.line for e in arrivals]
    report.m0_kg = events[0].mass_kg
    report.dv_total_m_s = float(sum(np.linalg.norm(e.dv()) for e in events))
    report.propellant_kg = report.m0_kg - rules.M_DRY_KG - rules.M_DEORBIT_KG * report.n_debris
    report.cost_meur = rules.mission_cost_meur(report.m0_kg)


def _check_mission_level(
    report: MissionReport, events: Sequence[Event], roles: Sequence[Role]
) -> list[Finding]:
    """Propellant at launch, final mass, arrival intervals."""
    found: list[Finding] = []
    first, last = events[0], events[-1]
    if report.propellant_kg > rules.M_PROPELLANT_MAX_KG + rules.TOL_MASS_KG:
        found.append(
            (
                first,
                Rule.PROPELLANT,
                f"propellant at launch m0 − m_dry − {rules.M_DEORBIT_KG:g}·N = "
                f"{report.propellant_kg:.9g} kg > {rules.M_PROPELLANT_MAX_KG:g} kg "
                f"(m0 = {report.m0_kg:.9g} kg, N = {report.n_debris})",
            )
        )
    final_mass = _mass_after_burn(last)  # the last line's Δv is 0 when the structure holds
    if final_mass < rules.M_DRY_KG - rules.TOL_MASS_KG:
        found.append(
            (
                last,
                Rule.MASS,
                f"final mass {final_mass:.9g} kg is below the dry mass {rules.M_DRY_KG:g} kg",
            )
        )
    arrivals = [
        (e.epoch_mjd2000, e) for e, role in zip(events, roles, strict=True) if role is Role.ARRIVAL
    ]
    for (t0, _), (t1, event) in itertools.pairwise(arrivals):
        if t1 - t0 > rules.ARRIVAL_TO_ARRIVAL_MAX_DAYS:
            found.append(
                (
                    event,
                    Rule.ARRIVAL_INTERVAL,
                    f"arrival at debris {event.debris_id} is {t1 - t0:.9g} days after the "
                    f"previous arrival (max {rules.ARRIVAL_TO_ARRIVAL_MAX_DAYS:g}, "
                    f"stay included)",
                )
            )
    return found


def _check_event(event: Event, role: Role, debris: DebrisSet) -> list[Finding]:
    """Window, pericentre before/after the impulse, debris id, and the debris state match."""
    found: list[Finding] = []
    t = event.epoch_mjd2000
    if not rules.WINDOW_START_MJD2000 <= t <= rules.WINDOW_END_MJD2000:
        found.append(
            (
                event,
                Rule.WINDOW,
                f"epoch {t:.9g} outside {rules.WINDOW_START_MJD2000:g}–"
                f"{rules.WINDOW_END_MJD2000:g} MJD2000",
            )
        )
    r, v, dv = event.r(), event.v(), event.dv()
    for label, vel in (("before", v), ("after", v + dv)):
        rp = float(pericentre_radius_m(r, vel))
        if not rp >= rules.R_PERICENTRE_MIN_M:  # also catches NaN
            found.append(
                (
                    event,
                    Rule.PERICENTRE,
                    f"osculating pericentre {label} the impulse {rp / 1e3:.6f} km < "
                    f"{rules.R_PERICENTRE_MIN_M / 1e3:g} km",
                )
            )
    if role is Role.DSM:
        return found
    if not 0 <= event.debris_id < len(debris):
        found.append((event, Rule.DEBRIS_ID, f"no debris with id {event.debris_id}"))
        return found
    r_deb, v_deb = debris.states(event.debris_id, t)
    if role is Role.DEPARTURE:
        msg = _mismatch(r, v, r_deb, v_deb)
        if msg:
            found.append(
                (
                    event,
                    Rule.DEPARTURE,
                    f"state at departure from debris {event.debris_id} does not match the "
                    f"debris (the ship co-orbits with it during the stay): {msg}",
                )
            )
    else:
        msg = _mismatch(r, v + dv, r_deb, v_deb)
        if msg:
            found.append(
                (
                    event,
                    Rule.RENDEZVOUS,
                    f"position (before) / velocity (after the impulse) at arrival do not "
                    f"match debris {event.debris_id}: {msg}",
                )
            )
    return found


def _check_step(prev: Event, nxt: Event, stay: bool) -> list[Finding]:
    """From one event to the next: mass bookkeeping, then the stay length or the J2 transfer (the
    state before ``nxt``'s impulse must follow from ``prev``'s state after its own). Epochs that
    do not increase are reported by the structure pass (``time-order``) and not propagated."""
    found: list[Finding] = []
    expected_mass = _mass_after_burn(prev) - (rules.M_DEORBIT_KG if stay else 0.0)
    if not abs(nxt.mass_kg - expected_mass) <= rules.TOL_MASS_KG:
        found.append(
            (
                nxt,
                Rule.MASS,
                f"mass {nxt.mass_kg!r} kg, expected {expected_mass!r} kg from line "
                f"{prev.line} (Isp {rules.ISP_S:g} s"
                f"{', minus the 30 kg package' if stay else ''}); "
                f"off by {nxt.mass_kg - expected_mass:.3e} kg",
            )
        )
    dt_days = nxt.epoch_mjd2000 - prev.epoch_mjd2000
    if not dt_days > 0.0:
        return found
    if stay:
        if dt_days < rules.STAY_MIN_DAYS:
            found.append(
                (
                    nxt,
                    Rule.STAY,
                    f"stay at debris {nxt.debris_id} lasts {dt_days:.9g} days < "
                    f"{rules.STAY_MIN_DAYS:g} days",
                )
            )
        return found
    try:
        predicted = integrate_j2(prev.state_after(), dt_days * rules.DAY_S)
    except PropagationError as exc:
        found.append((nxt, Rule.DYNAMICS, f"J2 propagation from line {prev.line} failed: {exc}"))
        return found
    msg = _mismatch(nxt.r(), nxt.v(), predicted[:3], predicted[3:])
    if msg:
        found.append(
            (
                nxt,
                Rule.DYNAMICS,
                f"state does not follow from line {prev.line} under J2 dynamics: {msg}",
            )
        )
    return found


def check_mission(mission: MissionFile, debris: DebrisSet) -> MissionReport:
    """Check every per-mission rule of one mission file (campaign rules: :func:`check_missions`)."""
    report = MissionReport(mission.path)
    for issue in mission.issues:
        report.violations.append(Violation(mission.path, issue.line, Rule.FORMAT, issue.reason))
    if mission.issues or not mission.events:
        return report
    roles, structure_problems = _structure(mission)
    report.violations.extend(structure_problems)
    if roles is None:
        return report
    events = mission.events
    report.checked = True
    _fill_summary(report, events, roles)
    found = _check_mission_level(report, events, roles)
    for event, role in zip(events, roles, strict=True):
        found.extend(_check_event(event, role, debris))
    for k in range(len(events) - 1):
        found.extend(_check_step(events[k], events[k + 1], _is_stay(roles, k)))
    report.violations.extend(
        Violation(mission.path, event.line, rule, message) for event, rule, message in found
    )
    report.violations.sort(key=lambda v: v.line)
    return report


def check_missions(missions: Sequence[MissionFile], debris: DebrisSet) -> CheckReport:
    """Check every mission, then the campaign rules (duplicates, spacing); see module docstring."""
    reports = [check_mission(m, debris) for m in missions]
    checked = sorted((r for r in reports if r.checked), key=lambda r: r.start_mjd2000)
    first_removal: dict[int, tuple[str, int]] = {}
    for report in checked:
        for debris_id, line in zip(report.debris, report.debris_lines, strict=True):
            if debris_id in first_removal:
                where = "{}:{}".format(*first_removal[debris_id])
                v = Violation(
                    report.file,
                    line,
                    Rule.DUPLICATE,
                    f"debris {debris_id} is removed again (first removed at {where})",
                )
                report.violations.append(v)
            elif 0 <= debris_id < len(debris):
                first_removal[debris_id] = (report.file, line)
    for before, after in itertools.pairwise(checked):
        gap = after.start_mjd2000 - before.end_mjd2000
        if gap < rules.BETWEEN_MISSIONS_MIN_DAYS:
            v = Violation(
                after.file,
                after.debris_lines[0],
                Rule.MISSION_SPACING,
                f"mission starts {gap:.9g} days after the end of {before.file} "
                f"(t_f = {before.end_mjd2000:.9g}); min "
                f"{rules.BETWEEN_MISSIONS_MIN_DAYS:g} days",
            )
            after.violations.append(v)
    errors = sorted((v for r in reports for v in r.violations), key=lambda v: (v.file, v.line))
    removed = set(first_removal)
    missing = [k for k in range(len(debris)) if k not in removed]
    return CheckReport(reports, errors, len(removed), missing)


def check_solution(path: Path | str, debris: DebrisSet | None = None) -> CheckReport:
    """Read and check a solution: a folder of mission files (``*.txt``) or a single file.

    ``debris`` defaults to :func:`sweepers.gtoc9.debris.load_debris` (``$SWEEPERS_DATA``).
    """
    return check_missions(read_solution(path), debris if debris is not None else load_debris())
