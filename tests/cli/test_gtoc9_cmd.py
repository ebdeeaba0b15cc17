"""``sweepers gtoc9 check`` and ``restructure`` (exit 0 valid / all written, 3 violations / some
file refused, 2 usage error; cli.common convention)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gtoc9.builders import CHAIN, Leg, edit, open_chain, write
from sweepers.cli.gtoc9_cmd import app
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.solution import Event, format_event

runner = CliRunner()


@pytest.fixture(autouse=True)
def _data(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWEEPERS_DATA", str(shared_data))


def test_valid_solution_json(tmp_path: Path, valid_events: list[Event]) -> None:
    write(tmp_path, "m1.txt", valid_events, "valid")
    result = runner.invoke(app, ["check", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["valid"] is True and out["complete"] is False
    assert out["J"] == pytest.approx(55.5)
    assert out["debris_removed"] == 3 and out["missing"] == 120
    assert out["missions"][0]["n"] == 3
    assert out["errors"] == []


def test_invalid_solution_table(
    tmp_path: Path, debris: DebrisSet, valid_events: list[Event]
) -> None:
    events = list(valid_events)
    events[4] = edit(events[4], debris_id=100)  # arrives where 48 is, claims 100
    events[5] = edit(events[5], debris_id=100)
    write(tmp_path, "m1.txt", events, "wrong debris")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 3
    assert "INVALID" in result.stdout
    assert "m1.txt:6" in result.stdout and "[rendezvous]" in result.stdout
    result = runner.invoke(app, ["check", str(tmp_path), "--json"])
    assert result.exit_code == 3
    errors = json.loads(result.stdout)["errors"]
    assert [(e["line"], e["rule"]) for e in errors] == [(6, "rendezvous"), (7, "departure")]


def test_usage_errors(tmp_path: Path) -> None:
    assert runner.invoke(app, ["check", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(app, ["check", str(tmp_path)]).exit_code == 2  # no *.txt


def test_restructure_rewrites_the_former_layout(
    tmp_path: Path, debris: DebrisSet, legs: list[Leg], valid_events: list[Event]
) -> None:
    """A file of the former open layout (comment line, departure first, arrival last) is refused
    by ``check``; ``restructure`` rewrites it in the submission structure, after which it passes
    with the same m0, t_s and t_f that layout implied; a second run changes nothing."""
    folder = tmp_path / "sol"
    write(folder, "m1.txt", open_chain(legs, CHAIN), "GTOC9 mission 1: debris [122, 7, 48]")
    before = runner.invoke(app, ["check", str(folder), "--json"])
    assert before.exit_code == 3
    rules_seen = {(e["line"], e["rule"]) for e in json.loads(before.stdout)["errors"]}
    assert {(2, "start"), (2, "zero-dv"), (5, "end"), (5, "zero-dv")} <= rules_seen
    result = runner.invoke(app, ["restructure", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["refused"] == []
    assert [(w["lines_before"], w["lines_after"]) for w in out["written"]] == [(4, 6)]
    text = (folder / "m1.txt").read_text()
    assert not text.startswith("#")  # one event per line, as the format has it
    assert text == "".join(f"{format_event(e)}\n" for e in valid_events)
    after = runner.invoke(app, ["check", str(folder), "--json"])
    assert after.exit_code == 0, after.output
    mission = json.loads(after.stdout)["missions"][0]
    first = open_chain(legs, CHAIN)[0]
    assert mission["m0_kg"] == first.mass_kg + 30.0
    assert mission["start_mjd2000"] == first.epoch_mjd2000 - 5.0
    assert runner.invoke(app, ["restructure", str(folder)]).exit_code == 0
    assert (folder / "m1.txt").read_text() == text


def test_restructure_refuses_unreadable_files(tmp_path: Path, valid_events: list[Event]) -> None:
    """A file with a bad line is reported (file:line: reason) and left as it is; the good file
    next to it is written; exit 3."""
    write(tmp_path, "m1.txt", valid_events)
    bad = tmp_path / "m2.txt"
    bad.write_text("23700.0 1 2 three 4 5 6 7 8 9 10 11\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["restructure", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 3
    assert f"{bad}:1: not a number" in result.stdout.replace("\n", "")
    assert "1 files written, 1 refused" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["m1.txt"]
    assert bad.read_text() == "23700.0 1 2 three 4 5 6 7 8 9 10 11\n"
