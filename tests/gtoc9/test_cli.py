"""``sweepers gtoc9 check`` (exit 0 valid, 3 violations, 2 usage error; cli.common convention)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sweepers.cli.gtoc9_cmd import app
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.solution import Event

from .builders import edit, write

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
    events[3] = edit(events[3], debris_id=100)
    write(tmp_path, "m1.txt", events, "wrong debris")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 3
    assert "INVALID" in result.stdout
    assert "m1.txt:5" in result.stdout and "[rendezvous]" in result.stdout
    result = runner.invoke(app, ["check", str(tmp_path), "--json"])
    assert result.exit_code == 3
    (error,) = json.loads(result.stdout)["errors"]
    assert (error["line"], error["rule"]) == (5, "rendezvous")


def test_usage_errors(tmp_path: Path) -> None:
    assert runner.invoke(app, ["check", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(app, ["check", str(tmp_path)]).exit_code == 2  # no *.txt
