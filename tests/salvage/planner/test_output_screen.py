"""``screen_plan``: a real small plan's trajectory screened against real catalog objects.

The plan is the one ``test_planner_cli.py`` asks of ``sweepers plan`` (the cheapest real-catalog
case): the Victory starts on Kosmos 1833's orbit (17589) and visits the SL-16 fragment 22416,
one month from the 2023-10 catalog's epochs. It is screened against the 188 objects of that
catalog near its shell (inclination 70.5–71.5°, 14.0–14.6 rev/day), at 40 km: wide enough to
catch the rendezvous itself and the co-located start (the planner meets 22416 at its SGP4
state, so the rendezvous is a near-zero miss).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sgp4.api import Satrec

from sweepers import formats
from sweepers.epochs import JD_MJD2000, datetime64_to_jd, seconds_since_mjd2000
from sweepers.formats import oem as oem_codec
from sweepers.orbits.frames import gcrs_to_teme
from sweepers.records import ElementSet
from sweepers.salvage.planner import VICTORY, Plan, make_candidates, plan_job
from sweepers.salvage.planner.output import plan_oem, screen_plan
from sweepers.salvage.planner.targets import ephemeris_from_elsets

from ..conftest import CATALOG, three_line_records

START, TARGET = 17589, 22416
THRESHOLD_KM = 40.0


@pytest.fixture(scope="module")
def shell(shared_data: Path) -> list[ElementSet]:
    path = shared_data / CATALOG
    records = formats.parse_bytes(path.read_bytes(), path.name).records
    return [e for e in records
            if abs(e.inclination_deg - 71.0) < 0.5 and 14.0 < e.mean_motion_rev_day < 14.6]


@pytest.fixture(scope="module")
def plan_and_oem(shell: list[ElementSet]) -> tuple[Plan, oem_codec.Oem]:
    by_id = {e.norad_id: e for e in shell}
    ship = VICTORY.with_(months=1)
    target = by_id[TARGET]
    cands = make_candidates(ship, ephemeris_from_elsets([target]), [str(TARGET)], ["SL-16 DEB"],
                            [1.0], [1000.0], seconds_since_mjd2000(target.epoch),
                            start=ephemeris_from_elsets([by_id[START]]))
    plan = plan_job(ship, cands)
    assert [s.target_id for s in plan.stops] == [str(TARGET)]
    return plan, plan_oem(plan)


@pytest.fixture(scope="module")
def screened(plan_and_oem: tuple[Plan, oem_codec.Oem], shell: list[ElementSet]
             ) -> dict[str, object]:
    plan, oem = plan_and_oem
    # no start_id: the start object is recognised from the start node's elements; the whole
    # month (the rendezvous is in its last week), not the default first week
    return screen_plan(plan, oem, shell, THRESHOLD_KM, days=None)


def test_without_a_catalog_the_hook_says_why(plan_and_oem: tuple[Plan, oem_codec.Oem]) -> None:
    plan, oem = plan_and_oem
    assert screen_plan(plan, oem, None) == {"status": "unavailable",
                                            "reason": "no catalog given", "close_approaches": []}


def test_the_default_span_is_the_first_week(
        plan_and_oem: tuple[Plan, oem_codec.Oem], shell: list[ElementSet],
        screened: dict[str, object]) -> None:
    plan, oem = plan_and_oem
    week = screen_plan(plan, oem, shell, THRESHOLD_KM)
    assert week["status"] == "screened" and week["days"] == 7.0
    found = screened["close_approaches"]
    assert isinstance(found, list)

    def t_s(c: dict) -> float:  # TCA [s since the OEM's first epoch]
        return ((c["tca_jd"] - JD_MJD2000) + c["tca_fr"]) * 86400.0 - start_s

    jd0, fr0 = datetime64_to_jd(oem.segments[0].epochs[:1])
    start_s = ((float(jd0[0]) - JD_MJD2000) + float(fr0[0])) * 86400.0
    # The ship rides the start object's orbit (a co-located pair: shallow range ripples whose
    # minima depend on the step phase) — compare everything else: misses to 1 mm, TCAs to 2 ms
    # or, when the pass is slow, to the time over which its range changes by 1 mm. Near the
    # minimum the range is r(Δt) ≈ miss + v² Δt² / (2 miss), so the TCA is defined by range only
    # to Δt = √(2 miss · 1 mm) / v: 0.19 s at 37 m/s and 24 km (the 2026-12-07 plan's slow pass
    # after a small drift burn, whose week and month TCAs are 3.8 ms apart, misses equal to
    # 1e-11 km), below 2 ms for every pass faster than ≈ 3.5 km/s at a 24 km miss.
    def key(c: dict) -> tuple[int, float, float, float]:
        return (c["secondary_id"], t_s(c), c["miss_km"], c["relative_speed_km_s"])

    first_week = sorted(key(c) for c in found
                        if t_s(c) <= 7 * 86400.0 and c["rendezvous"] != "start orbit")
    got = sorted(key(c) for c in week["close_approaches"] if c["rendezvous"] != "start orbit")
    assert first_week and len(first_week) < len(found)
    assert max(c[1] for c in got) <= 7 * 86400.0
    assert len(got) == len(first_week)
    for a, b in zip(sorted(got, key=lambda x: x[1]), sorted(first_week, key=lambda x: x[1]),
                    strict=True):
        assert a[0] == b[0] and abs(a[2] - b[2]) <= 1e-6
        flat_s = (2.0 * a[2] * 1e-6) ** 0.5 / max(a[3], 1e-9)
        assert abs(a[1] - b[1]) <= max(2e-3, flat_s)
    assert screen_plan(plan, oem, shell, THRESHOLD_KM, days=0)["status"] == "skipped"


def test_rendezvous_approaches_are_marked_not_counted_as_hazards(
        plan_and_oem: tuple[Plan, oem_codec.Oem], screened: dict[str, object]) -> None:
    plan, _ = plan_and_oem
    assert screened["status"] == "screened" and screened["primary"] == "VICTORY"
    found = screened["close_approaches"]
    assert isinstance(found, list) and screened["count"] == len(found)
    tcas = [((c["tca_jd"] - JD_MJD2000) + c["tca_fr"]) * 86400.0 for c in found]
    assert tcas == sorted(tcas)
    leg, stop = plan.legs[0], plan.stops[0]
    kinds = set()
    for c, t in zip(found, tcas, strict=True):
        assert c["miss_km"] <= THRESHOLD_KM and c["pc_method"] == "alfano-max"
        if c["secondary_id"] == TARGET and leg.t_depart_s <= t <= stop.t_depart_s + 7200.0:
            want = "target"
        elif c["secondary_id"] == START and t <= leg.t_depart_s + 7200.0:
            want = "start orbit"
        else:
            want = None
        assert c["rendezvous"] == want and c["target"] == (want == "target")
        kinds.add(want)
    assert kinds == {"target", "start orbit", None}
    assert screened["hazards"] == sum(1 for c in found if c["rendezvous"] is None)


def test_a_hazard_is_a_true_range_minimum(
        plan_and_oem: tuple[Plan, oem_codec.Oem], screened: dict[str, object],
        shared_data: Path) -> None:
    # independent check of the closest hazard: the OEM's own interpolant (GCRF → TEME) and
    # python-sgp4 from the catalog's TLE lines give the same miss, and a larger range 0.5 s
    # either side
    _, oem = plan_and_oem
    found = screened["close_approaches"]
    assert isinstance(found, list)
    hazard = min((c for c in found if c["rendezvous"] is None), key=lambda c: c["miss_km"])
    sat = Satrec.twoline2rv(*three_line_records(shared_data, {hazard["secondary_id"]})[1:3])
    tca = np.datetime64(hazard["tca"].rstrip("Z"), "us")

    def miss_km(dt_s: float) -> float:
        t = tca + np.timedelta64(round(dt_s * 1e6), "us")
        seg = next(s for s in oem.segments if s.epochs[0] <= t <= s.epochs[-1])
        r, v = seg.interpolate(np.array([t]))
        jd, fr = datetime64_to_jd(np.array([t]))
        r_teme, _ = gcrs_to_teme(r, v, jd, fr)
        _, rs, _ = sat.sgp4(jd[0], fr[0])
        return float(np.linalg.norm(np.array(rs) - r_teme[0]))

    # TCA rounded to 1 µs in the record: < 1 cm at 10 km/s
    assert miss_km(0.0) == pytest.approx(hazard["miss_km"], abs=1e-3)
    assert miss_km(-0.5) > miss_km(0.0) < miss_km(0.5)
