"""Warm start from committed mission files (``sweepers.gtoc9.solve_warm``): the plan read back
from the committed campaign (``results/gtoc9``, valid under the checker:
``test_check_committed_result``) bounds the files' epochs by its grid days, keeps the rules of
the search, and a warm run that changes nothing writes the same files."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import CAMPAIGN_RULES, leg_costs
from sweepers.gtoc9.solution import read_mission
from sweepers.gtoc9.solve import SolveOptions
from sweepers.gtoc9.solve_costs import DayGrid, cost_block, plane_drift
from sweepers.gtoc9.solve_warm import (
    WarmStartError,
    chain_from_events,
    read_warm_campaign,
    solve_from,
)
from sweepers.salvage.engine.campaign import chain_m0_kg
from sweepers.salvage.engine.eliminate import EliminateConfig
from sweepers.salvage.engine.model import LegCosts, split_rotation_saving

COMMITTED = Path(__file__).resolve().parents[2] / "results" / "gtoc9"
FIRST_TWO = ("m01.txt", "m02.txt")
"""The committed missions of the first 240 days (4 and 4 debris)."""


@pytest.fixture(scope="module")
def early_costs(debris: DebrisSet) -> LegCosts:
    """Cost rows of the debris of m01–m02 on the first 400 grid days (others +inf), with the
    split plane-change constants, as the solver and the warm start price legs (``--plane-split``,
    the default)."""
    ids = sorted({e.debris_id for name in FIRST_TWO for e in read_mission(COMMITTED / name).events})
    grid = DayGrid(n=400)
    table = np.full((len(debris), len(debris), grid.n), np.inf, dtype=np.float32)
    table[ids] = cost_block(debris, grid, ids)
    return leg_costs(table, plane_drift(debris, grid))


def test_plan_bounds_the_committed_epochs(tmp_path: Path, early_costs: LegCosts) -> None:
    for name in FIRST_TWO:
        shutil.copy(COMMITTED / name, tmp_path / name)
    warm = read_warm_campaign(tmp_path, early_costs)
    assert [Path(m.path).name for m in warm] == list(FIRST_TWO)
    t0 = rules.WINDOW_START_MJD2000
    for mission in warm:
        chain, events = mission.chain, mission.events
        visits = [e for e in events if not e.is_dsm]
        assert chain.ids == [e.debris_id for e in visits[::2]]
        departures, arrivals = visits[1:-1:2], visits[2::2]
        for leg, dep, arr in zip(chain.legs, departures, arrivals, strict=True):
            # exact legs only move departures later and arrivals earlier, by < 1 day
            assert leg.departure_day <= dep.epoch_mjd2000 - t0 < leg.departure_day + 1
            assert leg.arrival_day - 1 < arr.epoch_mjd2000 - t0 <= leg.arrival_day
            # priced in the search's cheapest mode: one end, or "mix" (arrival less the split
            # saving of the linearised model)
            tau = leg.arrival_day - leg.departure_day
            one_end = {
                mode: float(early_costs[leg.from_id, leg.to_id, d])
                + float(CAMPAIGN_RULES.phasing_cost(float(tau)))
                for mode, d in (("dep", leg.departure_day), ("arr", leg.arrival_day))
            }
            saving = split_rotation_saving(
                early_costs.drift, np.array([leg.from_id]), np.array([leg.to_id]),
                np.array([float(leg.departure_day)]), np.array([float(tau)]),
            )
            options = {**one_end, "mix": one_end["arr"] - float(saving[0])}
            assert leg.mode == min(options, key=lambda m: options[m])
            assert leg.dv_est_m_s == pytest.approx(options[leg.mode])
        # the search's rule: arrivals ≤ 29 grid days apart, the first 5 days after delivery
        arrival = chain.start_day - CAMPAIGN_RULES.stay_days
        for leg in chain.legs:
            assert leg.arrival_day - arrival <= 29
            arrival = leg.arrival_day
        # the estimate is the solver's: within 10 % of the flown launch mass (run L's m01 and m02:
        # +6.5 % and +1.6 %; run K's m02 priced one end only, without the split saving: +10.5 %)
        assert chain_m0_kg(CAMPAIGN_RULES, chain) == pytest.approx(events[0].mass_kg, rel=0.1)
    for a, b in itertools.pairwise(warm):
        assert b.chain.start_day - a.chain.end_day >= CAMPAIGN_RULES.mission_gap_days


def test_file_out_of_structure_is_refused(tmp_path: Path, early_costs: LegCosts) -> None:
    lines = (COMMITTED / "m02.txt").read_text().splitlines()
    (tmp_path / "m02.txt").write_text("\n".join(lines[1:]) + "\n")  # delivery line dropped
    with pytest.raises(WarmStartError, match=r"m02\.txt"):
        chain_from_events(early_costs, read_mission(tmp_path / "m02.txt"))
    with pytest.raises(WarmStartError, match="no mission files"):
        read_warm_campaign(tmp_path / "empty", early_costs)


def test_warm_run_without_change_copies_the_files(
    tmp_path: Path, debris: DebrisSet, shared_data: Path
) -> None:
    source = tmp_path / "from"
    source.mkdir()
    shutil.copy(COMMITTED / "m02.txt", source / "m01.txt")
    options = SolveOptions(
        out_dir=tmp_path / "out", hours=0.05, debris_path=shared_data / "gtoc9" / "debris.csv"
    )
    result = solve_from(options, source, EliminateConfig(window_sizes=()))
    assert result.report.valid and result.report.debris_removed == 4
    assert (tmp_path / "out" / "m01.txt").read_bytes() == (source / "m01.txt").read_bytes()
    assert (tmp_path / "out" / ".solve" / "costs.npy").is_file()  # cached for the next run


def test_cli_solve_offers_the_warm_start() -> None:
    from typer.testing import CliRunner

    from sweepers.cli.gtoc9_cmd import app

    result = CliRunner().invoke(app, ["solve", "--help"])
    assert result.exit_code == 0 and "--from" in result.output
