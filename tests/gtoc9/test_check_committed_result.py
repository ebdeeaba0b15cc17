"""The committed GTOC9 campaign (``results/gtoc9``) passes the independent checker.

Rules: ../shared/GTOC9.md (Kelvins "The Kessler Run" problem statement); the checker
re-integrates every leg under full J2 and enforces each of them.
"""

from __future__ import annotations

import json
from pathlib import Path

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
    # the J recorded in results/gtoc9/README.md (c_i = 55 MEUR per mission)
    readme = (RESULTS / "README.md").read_text()
    assert f"{report['J']:.2f}" in readme
