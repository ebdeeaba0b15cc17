"""``sweepers plan`` via typer's CliRunner on a small store of real catalog records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.conftest import small_store, write_three_line
from sweepers.cli.plan_cmd import plan
from sweepers.formats import oem as oem_codec

# Kosmos 1833 and two SL-16 fragments near 71 deg, nodes within 0.6 deg of each other (2023-10)
IDS = (17589, 22416, 22375)

app = typer.Typer()
app.command()(plan)
runner = CliRunner()


@pytest.fixture(scope="module")
def db_url(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("plan")
    return small_store(folder, [write_three_line(shared_data, IDS, folder)])


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "120"})
    return result.exit_code, result.stdout, result.stderr


def test_plan_json_and_files(db_url: str, tmp_path: Path) -> None:
    code, out, err = run("--db", db_url, "--from", "17589", "--candidates", "22416",
                         "--months", "1", "--out", str(tmp_path), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["ship"] == "Victory" and data["frame"] == "TEME"
    assert [t["id"] for t in data["targets"]] == ["22416"]
    assert len(data["legs"]) == 1 and data["legs"][0]["from"] == "start"
    assert data["legs"][0]["miss_m"] < 100 and data["legs"][0]["miss_m_s"] < 1
    assert data["totals"]["propellant_kg"] <= 1000.0
    assert sorted(data["files"]) == ["czml", "json", "oem", "plot"]
    oem = oem_codec.load(tmp_path / "ship.oem")
    assert {s.ref_frame for s in oem.segments} == {"GCRF"}
    assert json.loads((tmp_path / "plan.json").read_text())["targets"] == data["targets"]


def test_plan_table_output_with_a_too_short_window(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "--from", "17589", "--months", "0.1",
                       "--propellant-kg", "10")
    assert code == 0
    assert "Plan for Victory: 0 targets" in out and "greedy" in out


@pytest.mark.parametrize(("args", "message"), [
    (("--candidates", "1,x"), "--candidates"),
    (("--candidates", "99999"), "no element set"),
    (("--from", "99999"), "--from 99999"),
])
def test_plan_errors_are_one_line(db_url: str, args: tuple[str, ...], message: str) -> None:
    code, _, err = run("--db", db_url, *args)
    assert code == 2 and message in err and "Traceback" not in err
