"""``sweepers screen --oem FILE --cdm-dir DIR`` through typer's CliRunner, on a store of real
debris (the Fengyun-1C and Cosmos-2251 clouds, CelesTrak TLE 2025-02, ``$SWEEPERS_DATA``).

The OEM is a ship on Fengyun-1C fragment 30244's orbit (its SGP4 states, 60 s ahead of it) for
three hours, then a 2 m/s impulse and three hours of two-body flight, written in GCRF as the
planner writes it (screened at 50 km to get a handful of conjunctions in six hours). The
screening itself is proven against a brute force in ``tests/conjunctions/test_ephemeris.py``;
here: the options, the JSON, the CDM files (one per conjunction, read back identically, accepted
by ``sweepers pc``), and one-line errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import Satrec
from typer.testing import CliRunner

from sweepers.catalog.ingest import ingest_files
from sweepers.catalog.store import CatalogStore
from sweepers.cli.main import app
from sweepers.epochs import datetime64_to_jd
from sweepers.formats import cdm as cdm_codec
from sweepers.formats import oem as oem_codec
from sweepers.orbits.frames import teme_to_gcrs
from sweepers.orbits.kepler import kepler_propagate

CLOUDS = ("catalog/debris-clouds/celestrak_fengyun-1c-debris_2025-02.txt",
          "catalog/debris-clouds/celestrak_cosmos-2251-debris_2025-02.txt")
SHIP = 30244
T0 = np.datetime64("2025-02-15T00:00:00", "us")
ARC_S = 3 * 3600
LEAD_S = 60  # the ship flies 30244's orbit 60 s (~450 km) ahead of it: a distinct object
SECOND = np.timedelta64(1, "s")
runner = CliRunner()


@pytest.fixture(scope="module")
def db_url(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('screen') / 'store.sqlite'}"
    with CatalogStore.open(url) as store:
        report = ingest_files(store, [shared_data / name for name in CLOUDS])
        assert all(f.error is None and not f.rejected for f in report.files)
    return url


def _tle(shared_data: Path, norad_id: int) -> tuple[str, str]:
    lines = (shared_data / CLOUDS[0]).read_text().splitlines()
    k = next(k for k in range(1, len(lines), 3) if int(lines[k][2:7]) == norad_id)
    return lines[k], lines[k + 1]


@pytest.fixture(scope="module")
def oem_file(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    sat = Satrec.twoline2rv(*_tle(shared_data, SHIP))
    offsets = np.arange(0, ARC_S + 1, 60)
    first = T0 + offsets * SECOND
    _, r1, v1 = sat.sgp4_array(*datetime64_to_jd(first + LEAD_S * SECOND))
    v_burn = v1[-1] + 0.002 * v1[-1] / np.linalg.norm(v1[-1])
    r2, v2 = kepler_propagate(r1[-1], v_burn, offsets.astype(float))
    second = first[-1] + offsets * SECOND
    segments = []
    for epochs, r, v in ((first, r1, v1), (second, r2, v2)):
        rg, vg = teme_to_gcrs(r, v, *datetime64_to_jd(epochs))
        segments.append(oem_codec.OemSegment(
            object_name="TEST SHIP", object_id="2025-999A", center_name="EARTH",
            ref_frame="GCRF", time_system="UTC", start_time=epochs[0], stop_time=epochs[-1],
            epochs=epochs, positions_km=rg, velocities_km_s=vg, interpolation="HERMITE",
            interpolation_degree=5))
    path = tmp_path_factory.mktemp("oem") / "ship.oem"
    oem = oem_codec.Oem(originator="tests", creation_date=T0, segments=segments)
    path.write_text(oem_codec.dumps_kvn(oem), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


def test_oem_screening_writes_one_cdm_per_conjunction(db_url: str, oem_file: Path,
                                                      tmp_path: Path) -> None:
    cdm_dir = tmp_path / "cdms"
    code, out, err = run("screen", "--db", db_url, "--oem", str(oem_file), "--threshold-km",
                         "50", "--hbr-m", "5", "--cdm-dir", str(cdm_dir), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["oem"]["object_id"] == "2025-999A" and data["oem"]["segments"] == 2
    assert data["start"].startswith("2025-02-15T00:00:00") and data["days"] == 0.25
    events = data["conjunctions"]
    assert data["count"] == len(events) >= 5
    assert [(-e["pc"], e["miss_km"]) for e in events] == sorted(
        (-e["pc"], e["miss_km"]) for e in events)  # ranked by Pc, then miss
    assert all(e["primary_id"] == 0 for e in events)  # OBJECT_ID is not a catalog number
    files = sorted(cdm_dir.glob("*.cdm"))
    assert [str(p) for p in files] == sorted(data["cdm_files"])
    assert len(files) == len(events) == len({p.name for p in files})
    assert not list(cdm_dir.glob(".*"))  # no temporary file left behind
    by_name = {Path(p).name: e for p, e in zip(data["cdm_files"], events, strict=True)}
    for path in files:
        text = path.read_text()
        cdm = cdm_codec.load(path)
        assert cdm_codec.dumps_kvn(cdm) == text  # reads back identically
        event = by_name[path.name]
        assert path.name.startswith(event["tca"].replace("-", "").replace(":", "")[:15])
        assert path.name.endswith(f"_2025-999A_{event['secondary_id']}.cdm")
        assert cdm.miss_distance_m == pytest.approx(event["miss_km"] * 1e3, rel=1e-12)
        assert np.allclose(cdm.relative_position_rtn_m, np.array(event["miss_rtn_km"]) * 1e3)
        assert np.linalg.norm(cdm.relative_velocity_rtn_m_s) == pytest.approx(
            event["relative_speed_km_s"] * 1e3, rel=1e-9)
        # GCRF states: same miss as the TEME record (a rotation keeps distances)
        assert np.linalg.norm(cdm.object2.position_km - cdm.object1.position_km) \
            == pytest.approx(event["miss_km"], abs=1e-9)
        assert cdm.hbr_m == event["hbr_m"] and cdm.hbr_m >= 5.0
        assert "COMMENT HBR = " in text and "[m]" in text.split("COMMENT HBR = ")[1][:30]
        assert cdm.collision_probability == event["pc"]
        assert cdm.collision_probability_method == "ALFANO_MAX_PROBABILITY"
        assert cdm.object1.object_designator == "2025-999A"
        assert cdm.object2.object_designator == str(event["secondary_id"])
        assert cdm.object1.ref_frame == cdm.object2.ref_frame == "GCRF"

    # ``sweepers pc`` accepts it (states, HBR comment). The CDM has no covariance (TLEs carry
    # none): the default method answers with Alfano's maximum Pc, which must be the number the
    # screening wrote into the CDM; a method that needs a covariance is refused in one line.
    for method in ("auto", "max"):
        code, out, err = run("pc", "--cdm", str(files[0]), "--method", method, "--json")
        assert code == 0, err
        result = json.loads(out)
        assert result["method"] == "alfano-max"
        assert result["pc"] == pytest.approx(cdm_codec.load(files[0]).collision_probability,
                                             rel=1e-9)
        assert any("no covariance" in n for n in result["notes"])
    code, out, err = run("pc", "--cdm", str(files[0]), "--method", "2d")
    assert code != 0 and "no covariance" in err and "--method max" in err
    assert "Traceback" not in err


def test_primary_screening_writes_cdms_too(db_url: str, tmp_path: Path) -> None:
    code, out, err = run("screen", "--db", db_url, "--primary", str(SHIP), "--start",
                         "2025-02-16T00:00:00Z", "--days", "0.25", "--threshold-km", "30",
                         "--cdm-dir", str(tmp_path), "--json")
    assert code == 0, err
    data = json.loads(out)
    files = sorted(tmp_path.glob("*.cdm"))
    assert len(files) == data["count"] > 0
    for path in files:
        cdm = cdm_codec.load(path)
        assert cdm_codec.dumps_kvn(cdm) == path.read_text()
        assert cdm.object1.catalog_name == "SATCAT"
        assert cdm.object1.object_designator == str(SHIP)
        assert cdm.object1.international_designator  # from the store (TLE line 1)


def test_table_output(db_url: str, oem_file: Path) -> None:
    code, out, err = run("screen", "--db", db_url, "--oem", str(oem_file), "--threshold-km",
                         "30", "--days", "0.1")
    assert code == 0, err
    assert "conjunctions ≤ 30 km" in out and "2025-999A" in out


def test_errors_are_one_line(db_url: str, oem_file: Path, tmp_path: Path) -> None:
    bad_frame = tmp_path / "mod.oem"
    bad_frame.write_text(oem_file.read_text().replace("REF_FRAME = GCRF", "REF_FRAME = MOD"))
    broken = tmp_path / "broken.oem"
    broken.write_text(oem_file.read_text().replace("CENTER_NAME = EARTH\n", "", 1))
    cases = [
        (("--oem", str(oem_file), "--all"), "exclude each other"),
        (("--oem", str(oem_file), "--primary", "5"), "exclude each other"),
        (("--oem", str(tmp_path / "missing.oem")), "no such file"),
        (("--oem", str(bad_frame)), "REF_FRAME 'MOD' is not supported"),
        (("--oem", str(broken)), "CENTER_NAME"),
        (("--oem", str(oem_file), "--start", "2030-01-01T00:00:00Z"), "does not overlap"),
        (("--all", "--hbr-m", "3"), "needs --oem"),
    ]
    for args, message in cases:
        code, _, err = run("screen", "--db", db_url, *args)
        assert code == 2, (args, err)
        assert message in err and "Traceback" not in err, (args, err)
        assert len(err.strip().splitlines()) == 1, err
