"""Re-flying a campaign's legs with the planner's exact legs (``sweepers.gtoc9.solve_refly``,
``sweepers gtoc9 refly``), checked by the independent checker (every GTOC9 rule:
../shared/GTOC9.md) and against the schedule rules the stage promises (module docstring).

The mission used: the first two legs of run L's ``m02.txt`` (``data/run_l_m02.txt``: the committed
``results/gtoc9/m02.txt`` at 695eefc, before run M re-flew it; debris 68 → 80 → 40), cut out with
their own masses recomputed — a valid three-debris mission whose second leg
(80 → 40, flown for 154.1 m/s by the solver's plane-change variants) the planner flies as a
drift leg for less (134.5 m/s on 2026-12-08, four hints; the test asks only for "less").
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sweepers.cli.main import app
from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import CAMPAIGN_RULES, leg_costs
from sweepers.gtoc9.solution import read_mission, submission_events, write_mission
from sweepers.gtoc9.solve_costs import DayGrid, cost_block, plane_drift
from sweepers.gtoc9.solve_exact import mission_events
from sweepers.gtoc9.solve_refly import file_legs, refly_mission
from sweepers.gtoc9.solve_warm import chain_from_events

COMMITTED = Path(__file__).resolve().parents[2] / "results" / "gtoc9"
RUN_L_M02 = Path(__file__).resolve().parent / "data" / "run_l_m02.txt"


def test_file_legs_give_back_the_file(debris: DebrisSet) -> None:
    """Legs read from a file and written again (masses backwards from the impulses, the
    submission structure) give the file's own lines: the stage's reading of a file loses
    nothing, so a mission whose legs are all kept is the same mission."""
    events = read_mission(COMMITTED / "m02.txt").events
    _, legs = file_legs(events)
    again = submission_events(mission_events(legs), debris)
    assert len(again) == len(events)
    for a, b in zip(again, events, strict=True):
        assert a.debris_id == b.debris_id
        assert a.epoch_mjd2000 == pytest.approx(b.epoch_mjd2000, abs=1e-9)
        np.testing.assert_allclose(a.r(), b.r(), atol=1e-6)
        np.testing.assert_allclose(a.v() + a.dv(), b.v() + b.dv(), atol=1e-9)
        assert a.mass_kg == pytest.approx(b.mass_kg, abs=1e-6)


@pytest.fixture(scope="module")
def reflown(tmp_path_factory: pytest.TempPathFactory, debris: DebrisSet) -> dict:
    """``sweepers gtoc9 refly`` on a folder with the cut mission and one damaged file."""
    src = tmp_path_factory.mktemp("campaign")
    _, legs = file_legs(read_mission(RUN_L_M02).events)
    write_mission(src / "m01.txt", submission_events(mission_events(legs[:2]), debris))
    (src / "m02.txt").write_text("23500.0 1 2 3\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["gtoc9", "refly", str(src), "--out", str(out),
                                      "--hints", "2", "--json"])
    return {"src": src, "out": out, "result": result, "legs": legs[:2]}


def test_refly_keeps_the_rules_and_lowers_the_cost(reflown: dict, debris: DebrisSet) -> None:
    result = reflown["result"]
    assert result.exit_code == 3, result.output  # the damaged file: reported, not fatal
    report = json.loads(result.stdout)
    (row,) = report["missions"]
    assert row["file"] == "m01.txt" and row["legs"] == 2
    assert row["replaced"] >= 1
    assert row["dv_after_m_s"] < row["dv_before_m_s"]
    mission = next(m for m in report["check"]["missions"] if m["file"].endswith("m01.txt"))
    assert mission["valid"] is True and mission["n_violations"] == 0
    assert not [e for e in report["check"]["errors"] if e["file"].endswith("m01.txt")]
    before = read_mission(reflown["src"] / "m01.txt").events
    after = read_mission(reflown["out"] / "m01.txt").events
    # the mission starts no earlier and ends no later (the 30-day gaps to its neighbours hold)
    assert after[0].epoch_mjd2000 >= before[0].epoch_mjd2000 - 1e-9
    assert after[-1].epoch_mjd2000 <= before[-1].epoch_mjd2000 + 1e-9
    visits = [e for e in after if not e.is_dsm]
    arrivals, departures = visits[0::2], visits[1::2]
    assert [e.debris_id for e in arrivals] == [68, 80, 40]
    for arr, dep in zip(arrivals, departures, strict=True):
        assert dep.epoch_mjd2000 - arr.epoch_mjd2000 >= rules.STAY_MIN_DAYS - 1e-9
    for a, b in itertools.pairwise(arrivals):
        assert b.epoch_mjd2000 - a.epoch_mjd2000 <= rules.ARRIVAL_TO_ARRIVAL_MAX_DAYS + 1e-9
    # a cheaper mission needs a lighter launch
    assert after[0].mass_kg < before[0].mass_kg


def test_the_warm_start_reads_the_reflown_mission_back(reflown: dict, debris: DebrisSet) -> None:
    """The plan read back from the re-flown file (``solve_warm.chain_from_events``: grid days
    ⌊departure⌋, ⌈arrival⌉) keeps the search's rules — arrivals ≤ 29 grid days apart, departures
    ≥ 5 grid days after the arrival — so a later warm start may fly it again with the engine's
    exact legs and stay inside the 30-day rule."""
    ids = [68, 80, 40]
    grid = DayGrid(n=400)
    table = np.full((len(debris), len(debris), grid.n), np.inf, dtype=np.float32)
    table[ids] = cost_block(debris, grid, ids)
    costs = leg_costs(table, plane_drift(debris, grid))
    chain = chain_from_events(costs, read_mission(reflown["out"] / "m01.txt"))
    rules_ = CAMPAIGN_RULES
    arrival = chain.start_day - rules_.stay_days
    for leg in chain.legs:
        assert leg.departure_day >= arrival + rules_.stay_days
        assert leg.arrival_day - arrival <= rules_.stay_days + rules_.window_days - 1
        arrival = leg.arrival_day


def test_a_mission_out_of_structure_is_left_as_it_was(debris: DebrisSet) -> None:
    """A file in the former open layout (no delivery line) is not guessed at: its legs are not
    tried, the reason is given, and its events come back unchanged."""
    events = read_mission(RUN_L_M02).events[1:]
    done = refly_mission(debris, events)
    assert done.events == events and done.legs == []
    assert done.skipped is not None and "structure" in done.skipped


def test_refly_reports_a_damaged_file_and_copies_it(reflown: dict) -> None:
    report = json.loads(reflown["result"].stdout)
    assert len(report["unreadable"]) == 1
    assert "m02.txt:1" in report["unreadable"][0]
    assert (reflown["out"] / "m02.txt").read_bytes() == (reflown["src"] / "m02.txt").read_bytes()
