"""The committed GTOC9 campaign (``results/gtoc9``) passes the independent checker.

Rules: ../shared/GTOC9.md (Kelvins "The Kessler Run" problem statement, and the file structure of
the submission page's validation); the checker re-integrates every leg under full J2 and enforces
each of them.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sweepers.cli.main import app

RESULTS = Path(__file__).resolve().parents[2] / "results" / "gtoc9"


def test_committed_campaign_is_valid_and_complete(shared_data: Path) -> None:
    result = CliRunner().invoke(app, ["gtoc9", "check", str(RESULTS), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["debris_removed"] == 123
    assert report["errors"] == []
    # J of the committed campaign: 915.8705728049082 MEUR as `sweepers gtoc9 check` computed it on
    # the files of run N (2026-12-08, `sweepers gtoc9 refly DIR --out DIR2 --workers 2` on run M's
    # 916.7109268577449, itself the same command on run L's 927.1479792987045: 47 of the 108 legs
    # re-flown with the one-ship planner's legs, results/gtoc9/README.md).
    assert report["J"] == pytest.approx(915.8705728049082, abs=1e-9)
    assert report["n_missions"] == 15
    readme = (RESULTS / "README.md").read_text()
    assert f"{report['J']:.2f}" in readme
    # the mission end is the last (departure) line: the 30-day gaps between missions hold
    missions = sorted(report["missions"], key=lambda m: m["start_mjd2000"])
    gaps = [b["start_mjd2000"] - a["end_mjd2000"] for a, b in itertools.pairwise(missions)]
    assert min(gaps) >= 30.0


def test_committed_files_have_the_submission_structure() -> None:
    """Every file: no comment line; first two and last two lines one debris each; Δv 0 on the
    first and the last line (the checker enforces all of it; this reads the text directly)."""
    for path in sorted(RESULTS.glob("m*.txt")):
        rows = [line.split() for line in path.read_text().splitlines()]
        assert all(len(row) == 12 for row in rows), path
        assert rows[0][11] == rows[1][11] != "-1" and rows[-2][11] == rows[-1][11] != "-1", path
        assert rows[0][8:11] == ["0.0"] * 3 and rows[-1][8:11] == ["0.0"] * 3, path
        assert float(rows[-1][7]) >= 2000.0 - 1e-8, path
