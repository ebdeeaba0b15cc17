"""The checker on genuinely valid missions and on one hand-made file per broken rule of the
problem (the structure rules of the file: ``test_check_structure.py``).

Rule sources: the Kelvins GTOC9 problem statement (https://kelvins.esa.int/gtoc9-kessler-run/
problem, /constants, /equations, /submission-format), summarised in GTOC9.md. Each mission file
here starts with one ``#`` comment line, so event k (0-based) is on file line k + 2. The valid
mission 122 → 7 → 48 has six lines: delivery at 122 (k = 0), departure from 122 (1), arrival at 7
(2), departure from 7 (3), arrival at 48 (4), end of the stay at 48 (5).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check import CheckReport, Rule, Violation, check_solution
from sweepers.gtoc9.check_dynamics import integrate_j2
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.solution import Event

from .builders import (
    CHAIN,
    M0_KG,
    Leg,
    at_debris,
    burn,
    edit,
    mission_from_legs,
    rebook,
    solo,
    write,
)


def line_of(k: int) -> int:
    """File line of event k (one comment line first)."""
    return k + 2


def only(report: CheckReport, rule: Rule) -> list[Violation]:
    """Assert every violation is of ``rule`` (the defect is isolated) and return them."""
    assert not report.valid
    assert report.errors, "expected at least one violation"
    assert {v.rule for v in report.errors} == {rule}, [str(v) for v in report.errors]
    return report.errors


# --- valid solutions -----------------------------------------------------------------------


def test_valid_three_debris_mission(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    write(tmp_path, "m1.txt", valid_events, "valid: 122 -> 7 -> 48 under full J2")
    report = check_solution(tmp_path, debris)
    assert report.valid, [str(v) for v in report.errors]
    assert not report.complete  # 3 of 123: valid but partial
    (mission,) = report.missions
    assert mission.debris == list(CHAIN)
    assert mission.debris_lines == [line_of(0), line_of(2), line_of(4)]
    assert mission.m0_kg == M0_KG
    dv = sum(float(np.linalg.norm(e.dv())) for e in valid_events)
    assert mission.dv_total_m_s == pytest.approx(dv, rel=1e-12)
    assert 150.0 < dv < 300.0  # two cheap near-coplanar transfers
    assert mission.propellant_kg == pytest.approx(M0_KG - 2000.0 - 90.0)
    expected_cost = 55.0 + 2.0e-6 * (M0_KG - 2000.0) ** 2
    assert report.cost_meur == pytest.approx(expected_cost)
    assert report.mass_term_meur == pytest.approx(0.5)
    assert report.debris_removed == 3
    assert len(report.missing) == 120
    # t_s: the delivery line, 5 days before the first departure; t_f: the last (departure) line
    assert mission.start_mjd2000 == valid_events[0].epoch_mjd2000
    assert mission.start_mjd2000 == pytest.approx(valid_events[1].epoch_mjd2000 - 5.0)
    assert mission.end_mjd2000 == valid_events[5].epoch_mjd2000
    assert mission.end_mjd2000 == pytest.approx(valid_events[4].epoch_mjd2000 + 5.0)


def test_valid_one_debris_mission_and_campaign(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    # One debris: two lines, the delivery and the end of the stay, no impulse.
    t_s = valid_events[-1].epoch_mjd2000 + rules.BETWEEN_MISSIONS_MIN_DAYS + 0.01
    write(tmp_path, "m1.txt", valid_events, "valid")
    write(tmp_path, "m2.txt", solo(debris, 0, t_s), "valid: remove debris 0 only")
    report = check_solution(tmp_path, debris)
    assert report.valid, [str(v) for v in report.errors]
    assert report.debris_removed == 4
    assert report.missions[1].m0_kg == 2030.0
    assert report.missions[1].propellant_kg == 0.0
    assert report.cost_meur == pytest.approx(110.0 + 2e-6 * (500.0**2 + 30.0**2))


def test_valid_with_longer_first_and_last_stays(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Stays longer than 5 days at the first and the last debris: t_s and t_f are the lines'."""
    events = list(valid_events)
    events[0] = edit(at_debris(debris, CHAIN[0], events[1].epoch_mjd2000 - 6.0, M0_KG), line=0)
    events[5] = at_debris(debris, CHAIN[-1], events[4].epoch_mjd2000 + 5.5, events[5].mass_kg)
    write(tmp_path, "m1.txt", events, "valid")
    report = check_solution(tmp_path, debris)
    assert report.valid, [str(v) for v in report.errors]
    (mission,) = report.missions
    assert mission.m0_kg == M0_KG
    assert mission.start_mjd2000 == events[0].epoch_mjd2000
    assert mission.end_mjd2000 == events[5].epoch_mjd2000


def test_mass_tolerance_is_1e8_kg(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """ε_m = 1e-8 kg (Kelvins constants): 1e-9 kg off passes, 1e-7 kg off fails (last line, so
    no later line inherits the error)."""
    events = list(valid_events)
    events[5] = edit(events[5], mass_kg=events[5].mass_kg + 1e-9)
    write(tmp_path / "ok", "m1.txt", events, "mass off by 1e-9 kg: within tolerance")
    assert check_solution(tmp_path / "ok", debris).valid
    events[5] = edit(events[5], mass_kg=valid_events[5].mass_kg + 1e-7)
    write(tmp_path / "bad", "m1.txt", events, "mass off by 1e-7 kg")
    (v,) = only(check_solution(tmp_path / "bad", debris), Rule.MASS)
    assert v.line == line_of(5)


# --- one file per broken rule ----------------------------------------------------------------


def test_wrong_debris_at_arrival(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: at rendezvous the ship's position and velocity match the debris within 100 m, 1 m/s
    (and at departure the ship is still with it)."""
    events = list(valid_events)
    events[4] = edit(events[4], debris_id=100)  # arrives where 48 is, claims 100
    events[5] = edit(events[5], debris_id=100)
    write(tmp_path, "m1.txt", events, "arrival state is not debris 100's")
    report = check_solution(tmp_path, debris)
    assert [(v.line, v.rule) for v in report.errors] == [
        (line_of(4), Rule.RENDEZVOUS),
        (line_of(5), Rule.DEPARTURE),
    ]
    assert "debris 100" in report.errors[0].message


def test_arrival_velocity_off(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Rule: the velocity after the arrival impulse matches the debris within 1 m/s."""
    events = list(valid_events)
    dv = events[4].dv() + np.array([0.0, 0.0, 1.5])
    events[4] = edit(events[4], dv_m_s=tuple(dv))
    events = rebook(events, 5)
    write(tmp_path, "m1.txt", events, "arrival impulse 1.5 m/s short")
    (v,) = only(check_solution(tmp_path, debris), Rule.RENDEZVOUS)
    assert v.line == line_of(4)
    assert "|Δv| = 1.5" in v.message


def test_state_not_following_j2(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: between events the ship follows full J2 dynamics (100 m, 1 m/s). The departure
    impulse is turned by 0.5° at equal magnitude, so the mass bookkeeping stays right."""
    events = list(valid_events)
    dv = events[1].dv()
    angle = math.radians(0.5)
    axis = np.cross(dv, events[1].r())
    axis /= np.linalg.norm(axis)
    turned = dv * math.cos(angle) + np.cross(axis, dv) * math.sin(angle)
    events[1] = edit(events[1], dv_m_s=tuple(turned))
    write(tmp_path, "m1.txt", events, "departure impulse turned by 0.5 deg")
    (v,) = only(check_solution(tmp_path, debris), Rule.DYNAMICS)
    assert v.line == line_of(2)
    assert f"line {line_of(1)}" in v.message


def test_stay_shorter_than_5_days(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: the ship stays t_w ≥ 5 days with each debris."""
    arrival = valid_events[2]
    mass = burn(arrival.mass_kg, arrival.dv()) - rules.M_DEORBIT_KG
    leave = at_debris(debris, CHAIN[1], arrival.epoch_mjd2000 + 3.0, mass)
    write(tmp_path, "m1.txt", [*valid_events[:3], leave], "leaves debris 7 after 3 days")
    (v,) = only(check_solution(tmp_path, debris), Rule.STAY)
    assert v.line == line_of(3)
    assert "3 days < 5" in v.message


def test_more_than_30_days_arrival_to_arrival(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: at most Δt_R = 30 days from one arrival to the next (stay included). Delivered at
    debris 122 40 days before leaving it, the ship reaches debris 7 > 30 days after its delivery."""
    events = list(valid_events)
    events[0] = at_debris(debris, CHAIN[0], events[1].epoch_mjd2000 - 40.0, M0_KG)
    write(tmp_path, "m1.txt", events, "40-day stay at the first debris")
    (v,) = only(check_solution(tmp_path, debris), Rule.ARRIVAL_INTERVAL)
    assert v.line == line_of(2)
    assert "debris 7" in v.message


@pytest.mark.parametrize(("gap", "ok"), [(10.0, False), (29.99, False), (30.0, True)])
def test_30_days_between_missions(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event], gap: float, ok: bool
) -> None:
    """Rule: Δt_M ≥ 30 days from the end of a mission (its last line, the departure closing its
    last stay) to the start of the next (its first line, the delivery)."""
    t_s = valid_events[-1].epoch_mjd2000 + gap
    write(tmp_path, "m1.txt", valid_events, "valid")
    write(tmp_path, "m2.txt", solo(debris, 0, t_s), f"{gap} days later")
    report = check_solution(tmp_path, debris)
    if ok:
        assert report.valid, [str(v) for v in report.errors]
        return
    (v,) = only(report, Rule.MISSION_SPACING)
    assert Path(v.file).name == "m2.txt"
    assert v.line == line_of(0)
    assert f"{gap:g} days" in v.message


@pytest.mark.parametrize(
    ("t_s", "k"),
    [(23466.5, 0), (26416.0, 1)],
    ids=["delivery before 23467", "end of stay after 26419"],
)
def test_event_outside_window(tmp_path: Path, debris: DebrisSet, t_s: float, k: int) -> None:
    """Rule: every event (t_s and t_f are events) within MJD2000 23467–26419."""
    write(tmp_path, "m1.txt", solo(debris, 0, t_s), "outside the window")
    (v,) = only(check_solution(tmp_path, debris), Rule.WINDOW)
    assert v.line == line_of(k)


def test_pericentre_below_6600_km(tmp_path: Path, debris: DebrisSet, legs: list[Leg]) -> None:
    """Rule: osculating pericentre ≥ 6600 km at every event, before and after the impulse. On the
    leg 7 → 48, 10 s after the departure, a DSM brakes by 400 m/s (pericentre far below 6600 km)
    and a second DSM 0.01 s later restores the velocity of the original arc (the position is then
    4 m off it, well inside the 100 m tolerance at the arrival)."""
    events = mission_from_legs(legs, CHAIN, debris, m0_kg=3500.0)
    dep = events[3]
    t1 = dep.epoch_mjd2000 + 10.0 / rules.DAY_S
    s1 = integrate_j2(dep.state_after(), 10.0)
    brake = -400.0 * s1[3:] / np.linalg.norm(s1[3:])
    dsm1 = Event.from_arrays(t1, s1[:3], s1[3:], 0.0, brake, -1)
    t2 = t1 + 0.01 / rules.DAY_S
    s2 = integrate_j2(dsm1.state_after(), 0.01)
    on_arc = integrate_j2(dep.state_after(), 10.01)
    dsm2 = Event.from_arrays(t2, s2[:3], s2[3:], 0.0, on_arc[3:] - s2[3:], -1)
    events = rebook([*events[:4], dsm1, dsm2, *events[4:]], 4)
    write(tmp_path, "m1.txt", events, "400 m/s retrograde DSM, undone 0.01 s later")
    violations = only(check_solution(tmp_path, debris), Rule.PERICENTRE)
    assert [(v.line, v.message.split(" the impulse")[0]) for v in violations] == [
        (line_of(4), "osculating pericentre after"),
        (line_of(5), "osculating pericentre before"),
    ]


def test_mass_bookkeeping_wrong(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: m_after = m·exp(−|Δv|/(Isp g0)) and 30 kg per debris, to 1e-8 kg. Here the 30 kg
    package at debris 7 was forgotten."""
    events = list(valid_events)
    events[3] = edit(events[3], mass_kg=events[3].mass_kg + 30.0)
    events = rebook(events, 4)
    write(tmp_path, "m1.txt", events, "no package left at debris 7")
    (v,) = only(check_solution(tmp_path, debris), Rule.MASS)
    assert v.line == line_of(3)
    assert "minus the 30 kg package" in v.message


def test_propellant_above_5000_kg(tmp_path: Path, debris: DebrisSet) -> None:
    """Rule: m0 − m_dry − 30·N ≤ m_p = 5000 kg."""
    write(tmp_path, "m1.txt", solo(debris, 0, 23700.0, m0_kg=7130.0), "m0 = 7130 kg, N = 1")
    (v,) = only(check_solution(tmp_path, debris), Rule.PROPELLANT)
    assert v.line == line_of(0)
    assert "5100 kg > 5000 kg" in v.message


def test_final_mass_below_dry(tmp_path: Path, debris: DebrisSet) -> None:
    """Rule: propellant cannot go negative — the ship never weighs less than m_dry. Delivered
    with 2020 kg, it leaves the 30 kg package and ends at 1990 kg."""
    write(tmp_path, "m1.txt", solo(debris, 0, 23700.0, m0_kg=2020.0), "ends at 1990 kg")
    (v,) = only(check_solution(tmp_path, debris), Rule.MASS)
    assert v.line == line_of(1)
    assert "final mass 1990 kg is below the dry mass" in v.message


def test_debris_removed_twice(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Rule: each debris is removed exactly once over the campaign."""
    t_s = valid_events[-1].epoch_mjd2000 + 40.0
    write(tmp_path, "m1.txt", valid_events, "valid")
    write(tmp_path, "m2.txt", solo(debris, CHAIN[1], t_s), "debris 7 again")
    report = check_solution(tmp_path, debris)
    (v,) = only(report, Rule.DUPLICATE)
    assert (Path(v.file).name, v.line) == ("m2.txt", line_of(0))
    assert f"m1.txt:{line_of(2)}" in v.message
    assert report.debris_removed == 3


def test_malformed_lines(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Format: 12 numbers per line; bad lines are reported with their line numbers."""
    path = write(tmp_path, "m1.txt", valid_events, "two bad lines follow the events")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n# a comment and a blank line are skipped\n")
        handle.write("23700.0 1 2 three 4 5 6 7 8 9 10 11\n")
        handle.write("23700.0 1 2 3 4 5 6 7 8 9 10\n")
    report = check_solution(tmp_path, debris)
    errors = only(report, Rule.FORMAT)
    assert [v.line for v in errors] == [10, 11]  # line 8 blank, line 9 a comment
    assert "not a number" in errors[0].message
    assert "found 11" in errors[1].message
    assert not report.missions[0].checked
