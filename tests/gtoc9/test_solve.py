"""The GTOC9 campaign solver on small sub-problems: cost table, beam search, exact legs, the
whole pipeline on a few debris (every mission it writes must pass the independent checker),
and resuming from the checkpoint."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sweepers.gtoc9 import rules
from sweepers.gtoc9.check import check_solution
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.problem import CAMPAIGN_RULES, debris_legs, leg_costs
from sweepers.gtoc9.solution import submission_events, write_mission
from sweepers.gtoc9.solve import SearchSettings, SolveOptions, solve
from sweepers.gtoc9.solve_costs import DayGrid, cost_block
from sweepers.gtoc9.solve_exact import launch_mass_kg, mission_events
from sweepers.salvage.engine.eliminate import EliminateConfig
from sweepers.salvage.engine.exact_legs import LegPlan, exact_leg
from sweepers.salvage.engine.model import LegCosts
from sweepers.salvage.engine.search import BeamConfig, beam_search
from sweepers.salvage.engine.windows import LnsConfig

# Eight debris that the full solver put in one chain (close planes in 2064–2065).
SUBSET = (63, 30, 48, 122, 7, 61, 19, 82)


@pytest.fixture(scope="module")
def small_costs(debris: DebrisSet) -> LegCosts:
    """Cost table restricted to SUBSET (other rows/columns +inf), first 400 days."""
    grid = DayGrid(n=400)
    table = np.full((len(debris), len(debris), grid.n), np.inf, dtype=np.float32)
    table[list(SUBSET)] = cost_block(debris, grid, SUBSET)
    mask = np.ones(len(debris), dtype=bool)
    mask[list(SUBSET)] = False
    table[:, mask, :] = np.inf
    return leg_costs(table)


def test_cost_table_sanity(debris: DebrisSet) -> None:
    block = cost_block(debris, DayGrid(n=30), [0, 1])
    assert block.shape == (2, len(debris), 30)
    assert np.isinf(block[0, 0]).all() and np.isinf(block[1, 1]).all()
    finite = block[np.isfinite(block)]
    # v·θ for the planes (θ ≤ π) plus the small a and e terms, v ≈ 7.5 km/s
    assert finite.min() > 0.0 and finite.max() < np.pi * 7600.0 + 1000.0
    assert CAMPAIGN_RULES.phasing_cost(20.0) < CAMPAIGN_RULES.phasing_cost(5.0)


def test_beam_search_respects_the_timing_rules(small_costs: LegCosts) -> None:
    available = np.zeros(small_costs.shape[0], dtype=bool)
    available[list(SUBSET)] = True
    chains = beam_search(small_costs, available, 5, 390, 5, BeamConfig(width=50), seed=1)
    chain = chains[-1]
    assert len(chain.ids) == 5 and len(set(chain.ids)) == 5
    assert set(chain.ids) <= set(SUBSET)
    arrival = chain.start_day - CAMPAIGN_RULES.stay_days
    for leg in chain.legs:
        assert leg.departure_day >= arrival + CAMPAIGN_RULES.stay_days
        assert leg.arrival_day - arrival <= 29
        assert leg.arrival_day - leg.departure_day >= 3
        arrival = leg.arrival_day
    # deterministic for a seed
    again = beam_search(small_costs, available, 5, 390, 5, BeamConfig(width=50), seed=1)[-1]
    assert again.legs == chain.legs


def test_exact_leg_passes_the_checker(tmp_path: Path, debris: DebrisSet) -> None:
    plan = LegPlan(38, 103, 23500.0 * rules.DAY_S, 23507.0 * rules.DAY_S, "dep")
    legs = [exact_leg(debris_legs(debris), plan)]
    assert legs[0].dv_total_km_s < 0.2
    events = submission_events(mission_events(legs), debris)
    assert [e.debris_id for e in events][:2] == [38, 38] and events[-1].debris_id == 103
    write_mission(tmp_path / "m01.txt", events)
    report = check_solution(tmp_path, debris)
    assert report.valid, [str(v) for v in report.errors]
    assert report.missions[0].m0_kg == pytest.approx(launch_mass_kg(legs))


def test_estimated_mass_matches_exact_bookkeeping() -> None:
    # no Δv: the ship carries only the packages
    m0 = CAMPAIGN_RULES.launch_mass_kg([0.0, 0.0])
    assert m0 == pytest.approx(rules.M_DRY_KG + 3 * rules.M_DEORBIT_KG)


def test_solver_on_a_subset_resumes(tmp_path: Path, debris: DebrisSet, shared_data: Path) -> None:
    subset = SUBSET[:4]
    options = SolveOptions(
        out_dir=tmp_path,
        search=SearchSettings(plans=1, beam_width=20, start_step_days=400),
        subset=subset,
        debris_path=shared_data / "gtoc9" / "debris.csv",
    )
    result = solve(options)
    assert result.report.valid, [str(v) for v in result.report.errors]
    assert result.report.debris_removed == len(subset)
    first = sorted(p.read_text() for p in tmp_path.glob("m*.txt"))
    for text in first:  # the solver writes the submission structure: no comment, Δv 0 at both ends
        lines = text.splitlines()
        assert not any(line.startswith("#") for line in lines)
        assert lines[0].split()[8:11] == ["0.0"] * 3 and lines[-1].split()[8:11] == ["0.0"] * 3
    again = solve(options)  # from the checkpoint: same plan, legs not solved again
    assert again.report.valid
    assert sorted(p.read_text() for p in tmp_path.glob("m*.txt")) == first
    # a priced window stage resumes from the same checkpoint, after the plain one
    small = LnsConfig(step_days=100, width=20, keep=4, max_length=4, passes=1, pricing_rounds=1)
    priced = solve(replace(options, priced=small))
    assert priced.report.valid and priced.report.debris_removed == len(subset)
    saved = json.loads((tmp_path / ".solve" / "checkpoint.json").read_text())
    assert saved["plans"]["windows_priced"]["pass"] == 1
    assert priced.estimated_j_meur <= result.estimated_j_meur + 1e-9
    # the elimination stage runs after both window stages, in the same command, and resumes
    elim = solve(replace(options, priced=small, eliminate=EliminateConfig()))
    assert elim.report.valid and elim.report.debris_removed == len(subset)
    saved = json.loads((tmp_path / ".solve" / "checkpoint.json").read_text())
    assert saved["plans"]["eliminated"]["finished"] is True
    assert "eliminate" in elim.seconds
    assert elim.estimated_j_meur <= priced.estimated_j_meur + 1e-9
    assert len(elim.chains) <= len(priced.chains)


def test_cli_solve_is_mounted() -> None:
    from typer.testing import CliRunner

    from sweepers.cli.gtoc9_cmd import app

    result = CliRunner().invoke(app, ["solve", "--help"])
    assert result.exit_code == 0
    for option in ("--hours", "--seed", "--workers", "--out"):
        assert option in result.output


def test_checkpoint_redoes_legs_of_another_leg_model(tmp_path: Path) -> None:
    from sweepers.gtoc9.solve_checkpoint import Checkpoint

    path = tmp_path / "checkpoint.json"
    settings = {"seed": 0}
    ckpt = Checkpoint(path, settings)
    ckpt.plans["plan0"] = {"chains": []}
    ckpt.legs["1-2-3-4-arr"] = None  # a checkpoint written before legs had a model name
    ckpt.save()
    model = SolveOptions(out_dir=tmp_path).legs_model
    again = Checkpoint(path, settings)
    again.use_legs_model(model)
    assert again.legs == {} and "plan0" in again.plans
    again.legs["1-2-3-4-arr"] = None
    again.save()
    third = Checkpoint(path, settings)
    third.use_legs_model(model)
    assert "1-2-3-4-arr" in third.legs  # same model: kept
    assert SolveOptions(out_dir=tmp_path, plane_split=False).legs_model != model


def test_checkpoint_settings_keep_their_flat_keys(tmp_path: Path) -> None:
    """The search settings are grouped in ``SolveOptions.search``, but the checkpoint keeps the
    keys it always had: a checkpoint written before the grouping resumes."""
    from sweepers.gtoc9.solve_checkpoint import Checkpoint

    path = tmp_path / "checkpoint.json"
    old = {"seed": 3, "beam_width": 20, "start_step_days": 400, "subset": [63, 30]}
    path.write_text(json.dumps({"settings": old, "plans": {"plan0": {"chains": []}}, "legs": {}}))
    search = SearchSettings(plans=1, beam_width=20, start_step_days=400)
    options = SolveOptions(out_dir=tmp_path, seed=3, subset=(63, 30), search=search)
    assert options.settings() == old
    assert "plan0" in Checkpoint(path, options.settings()).plans
    other = replace(options, search=replace(search, beam_width=21))
    assert Checkpoint(path, other.settings()).plans == {}  # other settings: a fresh start
    priced = replace(options, search=replace(search, time_prices=(0.2, 0.1)))
    assert priced.settings() == {**old, "time_prices": [0.2, 0.1]}


def test_search_settings_refuse_an_empty_search() -> None:
    with pytest.raises(ValueError, match="beam_width"):
        SearchSettings(beam_width=0)
    with pytest.raises(ValueError, match="time price"):
        SearchSettings(time_prices=())
