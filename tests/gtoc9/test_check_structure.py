"""The structure of a mission file: one hand-made file per broken structure rule, each asserting
the file, the line and the rule the checker reports.

Rule source: the submission page's preliminary validation as third-party re-implementations state
it (GTOC9.md, "File structure"; our reading of its open points in ``sweepers.gtoc9.rules``): the
first two lines are the arrival at and the departure from the first debris, the last two the
arrival at and the departure from the last debris; the first and the last Δv are zero; every
debris appears exactly twice, on consecutive lines; DSM lines only between a departure and the
next arrival; 2 ≤ lines ≤ 856; epochs strictly increase.

The files here have no comment line: event k (0-based) is on file line k + 1. The valid mission
122 → 7 → 48 (``conftest.valid_events``) has six lines: delivery at 122, departure from 122,
arrival at 7, departure from 7, arrival at 48, end of the stay at 48.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check import CheckReport, Rule, check_solution
from sweepers.gtoc9.check_dynamics import integrate_j2
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.solution import DSM_ID, Event

from .builders import CHAIN, Leg, at_debris, burn, edit, open_chain, rebook, solo, write


def reported(report: CheckReport) -> list[tuple[str, int, Rule]]:
    """(file name, line, rule) of every violation, in report order."""
    return [(Path(v.file).name, v.line, v.rule) for v in report.errors]


def check_one(folder: Path, debris: DebrisSet, events: list[Event]) -> CheckReport:
    """Write ``events`` as ``m1.txt`` (no comment line) and check the folder."""
    write(folder, "m1.txt", events)
    return check_solution(folder, debris)


def test_valid_mission_passes(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    report = check_one(tmp_path, debris, valid_events)
    assert report.valid, [str(v) for v in report.errors]
    assert report.missions[0].debris_lines == [1, 3, 5]


def test_former_open_layout_is_refused(tmp_path: Path, debris: DebrisSet, legs: list[Leg]) -> None:
    """The layout results/gtoc9 had before: first line the departure from 122 (with its Δv),
    last line the arrival at 48 (with its Δv). Not checked further, adds nothing to J."""
    report = check_one(tmp_path, debris, open_chain(legs, CHAIN))
    assert reported(report) == [
        ("m1.txt", 1, Rule.START),
        ("m1.txt", 1, Rule.ZERO_DV),
        ("m1.txt", 1, Rule.DEBRIS_PAIRS),
        ("m1.txt", 4, Rule.END),
        ("m1.txt", 4, Rule.ZERO_DV),
        ("m1.txt", 4, Rule.DEBRIS_PAIRS),
    ]
    assert not report.missions[0].checked and report.cost_meur == 0.0


def test_start_without_the_delivery(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule ``start``: the file begins with the departure from 122 (the delivery line missing)."""
    report = check_one(tmp_path, debris, valid_events[1:])
    assert reported(report) == [
        ("m1.txt", 1, Rule.START),
        ("m1.txt", 1, Rule.ZERO_DV),  # the departure's impulse is now on the first line
        ("m1.txt", 1, Rule.DEBRIS_PAIRS),
    ]
    assert "found line 1 (debris 122) and line 2 (debris 7)" in report.errors[0].message


def test_start_with_a_dsm(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Rules ``start`` and ``dsm-placement``: a DSM line before the delivery."""
    first = valid_events[0]
    dsm = edit(first, epoch_mjd2000=first.epoch_mjd2000 - 0.5, debris_id=DSM_ID)
    report = check_one(tmp_path, debris, [dsm, *valid_events])
    assert reported(report) == [
        ("m1.txt", 1, Rule.START),
        ("m1.txt", 1, Rule.DSM_PLACEMENT),
    ]
    assert "before the arrival at the first debris" in report.errors[1].message


def test_end_without_the_last_departure(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule ``end``: the file ends with the arrival at 48 (the end of its stay missing)."""
    report = check_one(tmp_path, debris, valid_events[:5])
    assert reported(report) == [
        ("m1.txt", 5, Rule.END),
        ("m1.txt", 5, Rule.ZERO_DV),  # the arrival impulse is now on the last line
        ("m1.txt", 5, Rule.DEBRIS_PAIRS),
    ]
    assert "found line 4 (debris 7) and line 5 (debris 48)" in report.errors[0].message


def test_end_with_a_dsm(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Rules ``end`` and ``dsm-placement``: a DSM line (without impulse) after the last
    departure."""
    last = valid_events[-1]
    dsm = edit(last, epoch_mjd2000=last.epoch_mjd2000 + 0.5, debris_id=DSM_ID)
    report = check_one(tmp_path, debris, [*valid_events, dsm])
    assert reported(report) == [
        ("m1.txt", 7, Rule.END),
        ("m1.txt", 7, Rule.DSM_PLACEMENT),
    ]
    assert "after the departure from the last debris" in report.errors[1].message


@pytest.mark.parametrize(("k", "which"), [(0, "first"), (5, "last")])
def test_first_and_last_dv_must_be_zero(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event], k: int, which: str
) -> None:
    """Rule ``zero-dv`` alone: a 2 m/s impulse on the first line (the ship comes in 2 m/s off the
    debris velocity and matches it, so the rendezvous holds) or on the last line (the ship leaves
    the debris with 2 m/s); masses rebooked, so nothing else is wrong."""
    events = list(valid_events)
    kick = np.array([0.0, 0.0, 2.0])
    if k == 0:
        events[0] = edit(events[0], velocity_m_s=tuple(events[0].v() - kick), dv_m_s=tuple(kick))
        events = rebook(events, 1)
    else:
        events[5] = edit(events[5], dv_m_s=tuple(kick))
    report = check_one(tmp_path, debris, events)
    assert reported(report) == [("m1.txt", k + 1, Rule.ZERO_DV)]
    assert f"the {which} line must have Δv = 0" in report.errors[0].message
    assert report.missions[0].checked  # the roles are clear: every other rule was checked


def test_debris_without_departure_line(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule ``debris-pairs``: debris 7 appears once (its departure line is missing)."""
    events = [*valid_events[:3], *valid_events[4:]]
    report = check_one(tmp_path, debris, events)
    assert reported(report) == [("m1.txt", 3, Rule.DEBRIS_PAIRS)]
    assert "debris 7 appears once" in report.errors[0].message


def test_debris_visited_twice_in_a_mission(tmp_path: Path, debris: DebrisSet) -> None:
    """Rule ``debris-pairs``: 122, 7, then 122 again (four lines with id 122)."""
    t = 23600.0
    events = [
        at_debris(debris, 122, t, 2090.0),
        at_debris(debris, 122, t + 5, 2060.0),
        at_debris(debris, 7, t + 6, 2060.0),
        at_debris(debris, 7, t + 11, 2030.0),
        at_debris(debris, 122, t + 12, 2030.0),
        at_debris(debris, 122, t + 17, 2000.0),
    ]
    report = check_one(tmp_path, debris, events)
    assert reported(report) == [("m1.txt", 5, Rule.DEBRIS_PAIRS)]
    assert "debris 122 appears again (arrival on line 1)" in report.errors[0].message


def test_debris_on_three_consecutive_lines(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule ``debris-pairs``: a third line with id 7 right after its departure."""
    extra = edit(valid_events[3], epoch_mjd2000=valid_events[3].epoch_mjd2000 + 0.001)
    events = [*valid_events[:4], extra, *valid_events[4:]]
    report = check_one(tmp_path, debris, events)
    assert reported(report) == [
        ("m1.txt", 5, Rule.DEBRIS_PAIRS),  # 7 appears again
        ("m1.txt", 5, Rule.DEBRIS_PAIRS),  # and that third line has no departure after it
    ]
    assert "debris 7 appears again (arrival on line 3)" in report.errors[0].message


def test_dsm_inside_a_stay(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Rule ``dsm-placement``: a DSM between the arrival at 7 and the departure from 7."""
    arrival = valid_events[2]
    dsm = edit(arrival, epoch_mjd2000=arrival.epoch_mjd2000 + 1.0, debris_id=DSM_ID)
    events = [*valid_events[:3], dsm, *valid_events[3:]]
    report = check_one(tmp_path, debris, events)
    assert reported(report) == [("m1.txt", 4, Rule.DSM_PLACEMENT)]
    assert "inside the stay at debris 7 (arrival on line 3" in report.errors[0].message


def test_epochs_must_strictly_increase(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule ``time-order`` alone: a DSM without impulse at the very epoch of the departure from
    7, on the departure's state after its impulse (so the J2 arc and the masses still hold)."""
    dep = valid_events[3]
    after = dep.state_after()
    dsm = Event.from_arrays(
        dep.epoch_mjd2000, after[:3], after[3:], burn(dep.mass_kg, dep.dv()), (0, 0, 0), DSM_ID
    )
    events = [*valid_events[:4], dsm, *valid_events[4:]]
    report = check_one(tmp_path, debris, events)
    assert reported(report) == [("m1.txt", 5, Rule.TIME_ORDER)]
    assert "not after" in report.errors[0].message


def test_one_line_is_too_few(tmp_path: Path, debris: DebrisSet) -> None:
    """Rule ``line-count``: a lone delivery line (the former one-debris layout was one line)."""
    report = check_one(tmp_path, debris, solo(debris, 0, 23700.0)[:1])
    assert reported(report) == [("m1.txt", 1, Rule.LINE_COUNT)]
    assert not report.missions[0].checked


def _with_coast_dsms(events: list[Event], count: int) -> list[Event]:
    """``count`` DSM lines without impulse on the J2 arc of the leg 7 → 48, one second apart from
    the departure on (each the previous one propagated by 1 s)."""
    dep = events[3]
    state, mass = dep.state_after(), burn(dep.mass_kg, dep.dv())
    dsms = []
    for n in range(1, count + 1):
        state = integrate_j2(state, 1.0)
        t = dep.epoch_mjd2000 + n / rules.DAY_S
        dsms.append(Event.from_arrays(t, state[:3], state[3:], mass, (0, 0, 0), DSM_ID))
    return [*events[:4], *dsms, *events[4:]]


def test_at_most_856_lines(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Rule ``line-count``: 856 lines pass, 857 are reported at line 857 (and nothing else)."""
    events = _with_coast_dsms(valid_events, 851)
    assert len(events) == 857
    ok = check_one(tmp_path / "ok", debris, [*events[:4], *events[5:]])
    assert ok.valid, [str(v) for v in ok.errors[:5]]
    report = check_one(tmp_path / "bad", debris, events)
    assert reported(report) == [("m1.txt", 857, Rule.LINE_COUNT)]
    assert "857 event lines" in report.errors[0].message
