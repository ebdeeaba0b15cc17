"""``sweepers pc --cdm FILE`` on NASA CARA's sample CDMs (``$SWEEPERS_DATA/pc-reference``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sweepers.cli.main import app

SAMPLES = Path("pc-reference") / "cdm" / "SampleCDMs"


def test_pc_2d_matches_cara_reference(shared_data: Path) -> None:
    # cases.json id "omitron_3d_vs_2d_disagreement": Pc2D_Foster = 2.2660816e-20, HBR 20 m,
    # rel_tol 1e-3 (CARA Pc3D_Hall_UnitTest.m, OmitronTestCase_Test08_3DNc.cdm).
    cdm = shared_data / SAMPLES / "OmitronTestCase_Test08_3DNc.cdm"
    result = CliRunner().invoke(
        app, ["pc", "--cdm", str(cdm), "--method", "2d", "--hbr-m", "20", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["pc"] == pytest.approx(2.2660816e-20, rel=1e-3)
    assert out["method"] == "foster-2d"
    assert out["hbr_m"] == 20
    assert out["miss_m"] > 0


def test_pc_reads_hbr_from_cdm_comment(shared_data: Path) -> None:
    # cases.json "mc_OmitronTestCase_Test01_HighPc": HBR 20 m, two-body MC Pc 0.42 (±10 %).
    cdm = shared_data / SAMPLES / "OmitronTestCase_Test01_HighPc.cdm"
    result = CliRunner().invoke(app, ["pc", "--cdm", str(cdm), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["hbr_m"] == 20
    assert out["pc"] == pytest.approx(0.42, rel=0.1)


def test_pc_errors_are_one_line(tmp_path: Path, shared_data: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["pc", "--cdm", str(tmp_path / "nope.cdm")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    bad_method = runner.invoke(
        app, ["pc", "--cdm", str(shared_data / SAMPLES / "AlfanoTestCase05.cdm"), "--method", "x"]
    )
    assert bad_method.exit_code == 2 and "unknown method" in bad_method.stderr
    garbage = tmp_path / "garbage.cdm"
    garbage.write_bytes(b"\x00\x01 not a cdm at all\n")
    result = runner.invoke(app, ["pc", "--cdm", str(garbage)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_pc_3d_is_hall_nc_and_matches_cara(shared_data: Path) -> None:
    # cases.json "omitron_3d_vs_2d_disagreement": Pc3D_Hall = 1.9271201e-05, rel_tol 1e-3
    # (CARA Pc3D_Hall_UnitTest.m); 2D gives 2.27e-20 for this 67 m/s encounter.
    cdm = shared_data / SAMPLES / "OmitronTestCase_Test08_3DNc.cdm"
    result = CliRunner().invoke(
        app, ["pc", "--cdm", str(cdm), "--method", "3d", "--hbr-m", "20", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["method"] == "hall-3d"
    assert out["pc"] == pytest.approx(1.9271201e-05, rel=1e-3)
