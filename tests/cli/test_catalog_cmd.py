"""``sweepers catalog …`` via typer's CliRunner (and one real subprocess): exit codes, output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sweepers.cli.catalog_cmd import app

CLOUDS = "catalog/debris-clouds"
TLE_1408 = f"{CLOUDS}/celestrak_cosmos-1408-debris_2025-02.txt"
JSON_1408 = f"{CLOUDS}/celestrak_gp_cosmos-1408-debris_2026-08.json"

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_stats_show_happy_path(db_url: str, shared_data: Path) -> None:
    code, out, _ = run("ingest", str(shared_data / TLE_1408), str(shared_data / JSON_1408),
                       "--db", db_url, "--json")
    assert code == 0
    report = json.loads(out)
    assert [f["added"] for f in report["files"]] == [10, 3] and report["rejected"] == []

    code, out, _ = run("ingest", str(shared_data / TLE_1408), "--db", db_url)
    assert code == 0 and "duplicates" in out  # idempotent, table on stdout

    code, out, _ = run("stats", "--db", db_url, "--json")
    stats = json.loads(out)
    assert code == 0 and stats["element_sets"] == 13 and stats["by_type"] == {"NOT IN SATCAT": 10}
    assert stats["objects"] == 10  # the 2026 sets belong to 3 of the 10 objects

    code, out, _ = run("show", "49527", "--db", db_url, "--json", "--history")
    shown = json.loads(out)
    assert code == 0 and shown["latest"]["omm"]["NORAD_CAT_ID"] == 49527
    assert shown["latest"]["tle"][0].startswith("1 49527U")
    assert len(shown["history"]) == shown["element_sets"]

    code, out, _ = run("show", "49527", "--db", db_url, "--history")
    assert code == 0 and "MEAN_MOTION" in out and "history" in out


def test_rejected_records_exit_3(db_url: str, shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / TLE_1408).read_text().splitlines()
    lines[1] = lines[1][:-1] + str((int(lines[1][-1]) + 1) % 10)  # break record 1's checksum
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(lines) + "\n")
    code, out, err = run("ingest", str(bad), "--db", db_url)
    assert code == 3
    assert f"{bad}:1: " in err and "checksum" in err and "Traceback" not in err
    code, out, _ = run("ingest", str(bad), "--db", db_url, "--json")
    report = json.loads(out)
    assert code == 3 and report["rejected"][0]["file"] == str(bad)
    assert report["rejected"][0]["line"] == 1 and report["files"][0]["accepted"] == 9


def test_fatal_errors_exit_2(db_url: str, shared_data: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    code, _, err = run("ingest", str(missing), str(shared_data / TLE_1408), "--db", db_url)
    assert code == 2 and f"{missing}: no such file" in err
    code, out, _ = run("stats", "--db", db_url, "--json")
    assert json.loads(out)["objects"] == 10  # the good file was still ingested

    code, _, err = run("ingest", str(shared_data / TLE_1408), "--format", "fits")
    assert code == 2 and "unknown format 'fits'" in err
    code, _, err = run("ingest", "--db", db_url)
    assert code == 2 and "at least one file" in err
    code, _, err = run("show", "424242", "--db", db_url)
    assert code == 2 and "424242 is not in the store" in err
    code, _, err = run("show", "nonsense", "--db", db_url)
    assert code == 2 and "not a catalog number" in err
    code, _, err = run("stats", "--db", f"sqlite:///{tmp_path / 'nothing.sqlite'}")
    assert code == 2 and "no store at" in err
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"garbage" * 1000)
    code, _, err = run("stats", "--db", f"sqlite:///{junk}")
    assert code == 2 and "not a database" in err and "Traceback" not in err
    code, _, err = run("fetch", "--group", "a", "--catnr", "5", "--db", db_url)
    assert code == 2 and "exactly one of" in err


def test_fetch_refused_connection_is_one_line(db_url: str) -> None:
    code, _, err = run("fetch", "--group", "stations", "--db", db_url,
                       "--base-url", "http://127.0.0.1:9")
    assert code == 2 and "cannot connect" in err and len(err.strip().splitlines()) <= 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_real_subprocess_through_the_main_command(db_url: str, shared_data: Path) -> None:
    """The installed entry point: exit status and stderr as a shell sees them."""
    cmd = [sys.executable, "-m", "sweepers.cli.main", "catalog", "show", "5", "--db", db_url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "error:" in done.stderr and "Traceback" not in done.stderr
