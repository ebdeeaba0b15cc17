"""The checker on genuinely valid missions and on one hand-made file per broken rule.

Rule sources: the Kelvins GTOC9 problem statement (https://kelvins.esa.int/gtoc9-kessler-run/
problem, /constants, /equations, /submission-format), summarised in GTOC9.md. Each mission file
here starts with one ``#`` comment line, so event k (0-based) is on file line k + 2.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check import CheckReport, Rule, Violation, check_solution
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.solution import Event

from .builders import CHAIN, M0_KG, at_debris, burn, edit, write


def line_of(k: int) -> int:
    """File line of event k (one comment line first)."""
    return k + 2


def only(report: CheckReport, rule: Rule) -> list[Violation]:
    """Assert every violation is of ``rule`` (the defect is isolated) and return them."""
    assert not report.valid
    assert report.errors, "expected at least one violation"
    assert {v.rule for v in report.errors} == {rule}, [str(v) for v in report.errors]
    return report.errors


def end_of(events: list[Event]) -> float:
    """t_f of a mission whose last line is an arrival: last arrival + 5 days [MJD2000]."""
    return events[-1].epoch_mjd2000 + rules.STAY_MIN_DAYS


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
    assert mission.start_mjd2000 == pytest.approx(valid_events[0].epoch_mjd2000 - 5.0)
    assert mission.end_mjd2000 == pytest.approx(end_of(valid_events))


def test_valid_one_debris_mission_and_campaign(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    # One debris: a single line, the end of the stay at the debris where the ship was delivered.
    t = end_of(valid_events) + rules.BETWEEN_MISSIONS_MIN_DAYS + rules.STAY_MIN_DAYS + 0.01
    write(tmp_path, "m1.txt", valid_events, "valid")
    write(tmp_path, "m2.txt", [at_debris(debris, 0, t, 2000.0)], "valid: remove debris 0 only")
    report = check_solution(tmp_path, debris)
    assert report.valid, [str(v) for v in report.errors]
    assert report.debris_removed == 4
    assert report.missions[1].m0_kg == 2030.0
    assert report.missions[1].propellant_kg == 0.0
    assert report.cost_meur == pytest.approx(110.0 + 2e-6 * (500.0**2 + 30.0**2))


def test_valid_with_explicit_delivery_and_final_stay(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Optional layout: a first line for the delivery, a last line for the end of the last stay."""
    first = valid_events[0]
    delivery = at_debris(debris, CHAIN[0], first.epoch_mjd2000 - 6.0, M0_KG)
    last = valid_events[-1]
    after_last = burn(last.mass_kg, last.dv()) - rules.M_DEORBIT_KG
    end = at_debris(debris, CHAIN[-1], last.epoch_mjd2000 + 5.5, after_last)
    write(tmp_path, "m1.txt", [delivery, *valid_events, end], "valid")
    report = check_solution(tmp_path, debris)
    assert report.valid, [str(v) for v in report.errors]
    (mission,) = report.missions
    assert mission.m0_kg == M0_KG
    assert mission.start_mjd2000 == delivery.epoch_mjd2000
    assert mission.end_mjd2000 == end.epoch_mjd2000


def test_mass_tolerance_is_1e8_kg(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """ε_m = 1e-8 kg (Kelvins constants): 1e-9 kg off passes, 1e-7 kg off fails (last line, so
    no later line inherits the error)."""
    events = list(valid_events)
    events[3] = edit(events[3], mass_kg=events[3].mass_kg + 1e-9)
    write(tmp_path / "ok", "m1.txt", events, "mass off by 1e-9 kg: within tolerance")
    assert check_solution(tmp_path / "ok", debris).valid
    events[3] = edit(events[3], mass_kg=valid_events[3].mass_kg + 1e-7)
    write(tmp_path / "bad", "m1.txt", events, "mass off by 1e-7 kg")
    (v,) = only(check_solution(tmp_path / "bad", debris), Rule.MASS)
    assert v.line == line_of(3)


# --- one file per broken rule ----------------------------------------------------------------


def test_wrong_debris_at_arrival(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: at rendezvous the ship's position and velocity match the debris within 100 m, 1 m/s."""
    events = list(valid_events)
    events[3] = edit(events[3], debris_id=100)  # arrives where 48 is, claims 100
    write(tmp_path, "m1.txt", events, "arrival state is not debris 100's")
    (v,) = only(check_solution(tmp_path, debris), Rule.RENDEZVOUS)
    assert v.line == line_of(3)
    assert "debris 100" in v.message


def test_arrival_velocity_off(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Rule: the velocity after the arrival impulse matches the debris within 1 m/s."""
    events = list(valid_events)
    dv = events[3].dv() + np.array([0.0, 0.0, 1.5])
    events[3] = edit(events[3], dv_m_s=tuple(dv))
    write(tmp_path, "m1.txt", events, "arrival impulse 1.5 m/s short")
    (v,) = only(check_solution(tmp_path, debris), Rule.RENDEZVOUS)
    assert v.line == line_of(3)
    assert "|Δv| = 1.5" in v.message


def test_state_not_following_j2(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: between events the ship follows full J2 dynamics (100 m, 1 m/s). The departure
    impulse is turned by 0.5° at equal magnitude, so the mass bookkeeping stays right."""
    events = list(valid_events)
    dv = events[0].dv()
    angle = math.radians(0.5)
    axis = np.cross(dv, events[0].r())
    axis /= np.linalg.norm(axis)
    turned = dv * math.cos(angle) + np.cross(axis, dv) * math.sin(angle)
    events[0] = edit(events[0], dv_m_s=tuple(turned))
    write(tmp_path, "m1.txt", events, "departure impulse turned by 0.5 deg")
    (v,) = only(check_solution(tmp_path, debris), Rule.DYNAMICS)
    assert v.line == line_of(1)
    assert "line 2" in v.message


def test_stay_shorter_than_5_days(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: the ship stays t_w ≥ 5 days with each debris."""
    arrival = valid_events[1]
    mass = burn(arrival.mass_kg, arrival.dv()) - rules.M_DEORBIT_KG
    leave = at_debris(debris, CHAIN[1], arrival.epoch_mjd2000 + 3.0, mass)
    write(tmp_path, "m1.txt", [*valid_events[:2], leave], "leaves debris 7 after 3 days")
    (v,) = only(check_solution(tmp_path, debris), Rule.STAY)
    assert v.line == line_of(2)
    assert "3 days < 5" in v.message


def test_more_than_30_days_arrival_to_arrival(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: at most Δt_R = 30 days from one arrival to the next (stay included). Delivered at
    debris 122 40 days before leaving it, the ship reaches debris 7 > 30 days after its delivery."""
    first = valid_events[0]
    delivery = at_debris(debris, CHAIN[0], first.epoch_mjd2000 - 40.0, M0_KG)
    write(tmp_path, "m1.txt", [delivery, *valid_events], "40-day stay at the first debris")
    (v,) = only(check_solution(tmp_path, debris), Rule.ARRIVAL_INTERVAL)
    assert v.line == line_of(2)
    assert "debris 7" in v.message


def test_less_than_30_days_between_missions(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: Δt_M ≥ 30 days between the end of a mission and the start of the next."""
    t_start = end_of(valid_events) + 10.0  # delivery 10 days after the first mission's end
    write(tmp_path, "m1.txt", valid_events, "valid")
    write(tmp_path, "m2.txt", [at_debris(debris, 0, t_start + 5.0, 2000.0)], "10 days later")
    (v,) = only(check_solution(tmp_path, debris), Rule.MISSION_SPACING)
    assert Path(v.file).name == "m2.txt"
    assert v.line == 2
    assert "10 days" in v.message


@pytest.mark.parametrize(
    ("epoch", "why"),
    [(23469.0, "delivery t_s = 23464 is before 23467"), (26430.0, "event after 26419")],
)
def test_event_outside_window(tmp_path: Path, debris: DebrisSet, epoch: float, why: str) -> None:
    """Rule: every event (and the implied mission start and end) within MJD2000 23467–26419."""
    write(tmp_path, "m1.txt", [at_debris(debris, 0, epoch, 2000.0)], why)
    (v,) = only(check_solution(tmp_path, debris), Rule.WINDOW)
    assert v.line == 2


def test_pericentre_below_6600_km(tmp_path: Path, debris: DebrisSet) -> None:
    """Rule: osculating pericentre ≥ 6600 km at every event, before and after the impulse."""
    event = at_debris(debris, 0, 23700.0, 2300.0)
    brake = -400.0 * event.v() / np.linalg.norm(event.v())
    write(tmp_path, "m1.txt", [edit(event, dv_m_s=tuple(brake))], "400 m/s retrograde burn")
    (v,) = only(check_solution(tmp_path, debris), Rule.PERICENTRE)
    assert v.line == 2
    assert "after the impulse" in v.message


def test_mass_bookkeeping_wrong(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Rule: m_after = m·exp(−|Δv|/(Isp g0)) and 30 kg per debris, to 1e-8 kg. Here the 30 kg
    package at debris 7 was forgotten."""
    events = list(valid_events)
    events[2] = edit(events[2], mass_kg=events[2].mass_kg + 30.0)
    events[3] = edit(events[3], mass_kg=burn(events[2].mass_kg, events[2].dv()))
    write(tmp_path, "m1.txt", events, "no package left at debris 7")
    (v,) = only(check_solution(tmp_path, debris), Rule.MASS)
    assert v.line == line_of(2)
    assert "minus the 30 kg package" in v.message


def test_propellant_above_5000_kg(tmp_path: Path, debris: DebrisSet) -> None:
    """Rule: m0 − m_dry − 30·N ≤ m_p = 5000 kg."""
    write(tmp_path, "m1.txt", [at_debris(debris, 0, 23700.0, 7100.0)], "m0 = 7130 kg, N = 1")
    (v,) = only(check_solution(tmp_path, debris), Rule.PROPELLANT)
    assert v.line == 2
    assert "5100 kg > 5000 kg" in v.message


def test_final_mass_below_dry(tmp_path: Path, debris: DebrisSet) -> None:
    """Rule: propellant cannot go negative — the ship never weighs less than m_dry."""
    event = at_debris(debris, 0, 23700.0, 2000.0, dv_m_s=(0.0, 0.0, 5.0))
    write(tmp_path, "m1.txt", [event], "burns 5 m/s with no propellant")
    (v,) = only(check_solution(tmp_path, debris), Rule.MASS)
    assert "below the dry mass" in v.message


def test_debris_removed_twice(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Rule: each debris is removed exactly once over the campaign."""
    t = end_of(valid_events) + 40.0
    write(tmp_path, "m1.txt", valid_events, "valid")
    write(tmp_path, "m2.txt", [at_debris(debris, CHAIN[1], t, 2000.0)], "debris 7 again")
    report = check_solution(tmp_path, debris)
    (v,) = only(report, Rule.DUPLICATE)
    assert (Path(v.file).name, v.line) == ("m2.txt", 2)
    assert "m1.txt:3" in v.message
    assert report.debris_removed == 3


def test_malformed_lines(tmp_path: Path, debris: DebrisSet, valid_events: list[Event]) -> None:
    """Format: 12 numbers per line; bad lines are reported with their line numbers."""
    path = write(tmp_path, "m1.txt", valid_events, "two bad lines follow the events")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n# a comment and a blank line are fine\n")
        handle.write("23700.0 1 2 three 4 5 6 7 8 9 10 11\n")
        handle.write("23700.0 1 2 3 4 5 6 7 8 9 10\n")
    report = check_solution(tmp_path, debris)
    errors = only(report, Rule.FORMAT)
    assert [v.line for v in errors] == [8, 9]  # line 6 blank, line 7 a comment
    assert "not a number" in errors[0].message
    assert "found 11" in errors[1].message
    assert not report.missions[0].checked


def test_layout_arrival_without_departure(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    """Layout: an intermediate debris needs an arrival and a departure line."""
    events = [valid_events[0], valid_events[1], valid_events[3]]
    write(tmp_path, "m1.txt", events, "departure from debris 7 missing")
    (v,) = only(check_solution(tmp_path, debris), Rule.LAYOUT)
    assert v.line == line_of(1)
