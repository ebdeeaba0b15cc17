"""An independent checker of GTOC9 solutions: every rule of the Kelvins problem statement, with
full J2 integration between events (heyoka Taylor, tol 1e-15; see ``dynamics``).

It trusts nothing in the files and shares nothing with any solver except the equations of the rules
(``rules``, ``debris``, ``dynamics``). Layout of events in a mission file: see ``solution``.

Rules enforced (names are the ``rule`` of each :class:`Violation`):

* ``format`` — every non-comment line is 12 finite numbers with an integral id.
* ``layout`` — the mission starts at a debris, ends at a debris, and each intermediate debris has
  an arrival line and a departure line (``solution`` docstring).
* ``debris-id`` — ids are −1 or a debris of ``debris.csv``.
* ``time-order`` — event epochs never decrease within a mission.
* ``window`` — every event, and the implied mission start t_s and end t_f, lie within MJD2000
  23467–26419.
* ``rendezvous`` — at an arrival (and an explicit delivery line) the position before the impulse
  and the velocity *after* it match the debris ephemeris within 100 m and 1 m/s.
* ``departure`` — at a departure the state before the impulse matches the debris within 100 m and
  1 m/s (the ship co-orbits with the debris during the stay).
* ``dynamics`` — outside stays, each event's state (before its impulse) follows from the previous
  event's state after its impulse under full J2 dynamics, within 100 m and 1 m/s.
* ``stay`` — departure − arrival ≥ 5 days at every debris.
* ``arrival-interval`` — at most 30 days from one arrival to the next, stay included. The first
  "arrival" is the delivery at t_s (t_s = first departure − 5 days when implicit), so the first gap
  is t(arrival at D2) − t_s.
* ``mission-spacing`` — with missions sorted by t_s, each starts ≥ 30 days after the previous one
  ended (t_f = last arrival + 5 days, or the explicit end-of-stay line).
* ``pericentre`` — osculating pericentre ≥ 6600 km before and after the impulse of every event
  (checked at events only, as the rule states).
* ``mass`` — m_next = m·exp(−|Δv|/(Isp·g0)), minus 30 kg across each stay (the package is left
  while the ship stays with the debris), to 1e-8 kg; the mass after the last impulse and the last
  package is ≥ m_dry.
* ``propellant`` — m0 − m_dry − 30·N ≤ 5000 kg, with m0 = first mass + 30 kg (implicit delivery).
* ``duplicate`` — each debris is removed once over the whole campaign (reported at the later one).

A mission with unreadable lines or a broken layout is reported but not checked further, and adds
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
from sweepers.gtoc9.debris import DebrisSet, load_debris
from sweepers.gtoc9.dynamics import PropagationError, integrate_j2, pericentre_radius_m
from sweepers.gtoc9.solution import Event, MissionFile, read_solution


class Rule(enum.StrEnum):
    """The rule a violation breaks (see the module docstring)."""

    FORMAT = "format"
    LAYOUT = "layout"
    DEBRIS_ID = "debris-id"
    TIME_ORDER = "time-order"
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

    DELIVERY = "delivery"
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


def _assign_roles(
    mission: MissionFile,
) -> tuple[list[Role], list[Violation]]:
    """Roles of the events of one mission (layout rules of ``solution``), or layout violations."""
    events = mission.events
    problems: list[Violation] = []

    def bad(event: Event, message: str) -> None:
        problems.append(Violation(mission.path, event.line, Rule.LAYOUT, message))

    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(events):
        if events[i].is_dsm:
            i += 1
            continue
        j = i
        while j + 1 < len(events) and events[j + 1].debris_id == events[i].debris_id:
            j += 1
        runs.append((i, j))
        i = j + 1
    roles = [Role.DSM] * len(events)
    if not runs:
        bad(events[0], "the mission visits no debris")
        return roles, problems
    if events[0].is_dsm:
        bad(events[0], "a mission starts at a debris (the launcher delivers the ship there)")
    if events[-1].is_dsm:
        bad(events[-1], "a mission ends at a debris (arrival at the last debris)")
    for k, (i, j) in enumerate(runs):
        length = j - i + 1
        first, last = k == 0, k == len(runs) - 1
        if length > 2:
            bad(events[i], f"debris {events[i].debris_id} on {length} consecutive lines (max 2)")
        elif first and length == 1:
            roles[i] = Role.DEPARTURE
        elif first:
            roles[i], roles[j] = Role.DELIVERY, Role.DEPARTURE
        elif length == 2:
            roles[i], roles[j] = Role.ARRIVAL, Role.DEPARTURE
        elif last:
            roles[i] = Role.ARRIVAL
        else:
            bad(events[i], f"arrival at debris {events[i].debris_id} without a departure line")
    return roles, problems


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
    return roles[k] in (Role.ARRIVAL, Role.DELIVERY) and roles[k + 1] is Role.DEPARTURE


def _fill_summary(report: MissionReport, events: Sequence[Event], roles: Sequence[Role]) -> None:
    """Mission extent t_s, t_f, removed debris, m0, Δv, propellant and cost."""
    implicit_delivery = roles[0] is Role.DEPARTURE
    t_w = rules.STAY_MIN_DAYS
    report.start_mjd2000 = events[0].epoch_mjd2000 - (t_w if implicit_delivery else 0.0)
    report.end_mjd2000 = events[-1].epoch_mjd2000 + (t_w if roles[-1] is Role.ARRIVAL else 0.0)
    visits = [
        k
        for k, e in enumerate(events)
        if not e.is_dsm and (k == 0 or events[k - 1].debris_id != e.debris_id)
    ]
    report.debris = [events[k].debris_id for k in visits]
    report.debris_lines = [events[k].line for k in visits]
    report.m0_kg = events[0].mass_kg + (rules.M_DEORBIT_KG if implicit_delivery else 0.0)
    report.dv_total_m_s = float(sum(np.linalg.norm(e.dv()) for e in events))
    report.propellant_kg = report.m0_kg - rules.M_DRY_KG - rules.M_DEORBIT_KG * report.n_debris
    report.cost_meur = rules.mission_cost_meur(report.m0_kg)


def _check_mission_level(
    report: MissionReport, events: Sequence[Event], roles: Sequence[Role]
) -> list[Finding]:
    """Propellant at launch, final mass, implied t_s / t_f in the window, arrival intervals."""
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
    final_mass = _mass_after_burn(last) - (rules.M_DEORBIT_KG if roles[-1] is Role.ARRIVAL else 0.0)
    if final_mass < rules.M_DRY_KG - rules.TOL_MASS_KG:
        found.append(
            (
                last,
                Rule.MASS,
                f"final mass {final_mass:.9g} kg is below the dry mass {rules.M_DRY_KG:g} kg",
            )
        )
    if report.start_mjd2000 < rules.WINDOW_START_MJD2000 <= first.epoch_mjd2000:
        found.append(
            (
                first,
                Rule.WINDOW,
                f"mission start t_s = {report.start_mjd2000:.9g} (first departure − "
                f"{rules.STAY_MIN_DAYS:g} days) is before the window start "
                f"{rules.WINDOW_START_MJD2000:g} MJD2000",
            )
        )
    if report.end_mjd2000 > rules.WINDOW_END_MJD2000 >= last.epoch_mjd2000:
        found.append(
            (
                last,
                Rule.WINDOW,
                f"mission end t_f = {report.end_mjd2000:.9g} (last arrival + "
                f"{rules.STAY_MIN_DAYS:g} days) is after the window end "
                f"{rules.WINDOW_END_MJD2000:g} MJD2000",
            )
        )
    arrivals = [(report.start_mjd2000, first)] + [
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
    """From one event to the next: mass bookkeeping, time order, then the stay length or the J2
    transfer (the state before ``nxt``'s impulse must follow from ``prev``'s state after its
    own)."""
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
    if dt_days < 0.0:
        found.append(
            (nxt, Rule.TIME_ORDER, f"epoch {nxt.epoch_mjd2000!r} is before line {prev.line}")
        )
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
    roles, layout_problems = _assign_roles(mission)
    if layout_problems:
        report.violations.extend(layout_problems)
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
