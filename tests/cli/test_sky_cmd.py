"""``sweepers where`` and ``sweepers sweep`` end to end on a small real store.

The store holds 40 objects of the real 2023-10 catalog (``$SWEEPERS_DATA/catalog``), including
deep-space ones, plus their SATCAT rows. The oracle for positions is python-sgp4's own TLE path
(``Satrec.twoline2rv`` + ``sgp4``), independent of the project's OMM → ``sgp4init`` batch path.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import Satrec, jday
from typer.testing import CliRunner

from sweepers.catalog.ingest import ingest_bytes
from sweepers.catalog.store import CatalogStore
from sweepers.cli.main import app

ISS = 25544  # near-Earth, heyoka engine
GEO_SAT = 28884  # deep space (SDP4), SatrecArray engine
AT = "2023-10-09T12:00:00Z"


def _three_line_records(path: Path) -> dict[int, tuple[str, str, str]]:
    lines = path.read_text().splitlines()
    out = {}
    for k in range(0, len(lines) - 2, 3):
        name, l1, l2 = lines[k], lines[k + 1], lines[k + 2]
        out[int(l2[2:7].replace(" ", "0")) if l2[2:7].strip().isdigit() else -1] = (name, l1, l2)
    return out


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[str, dict]:
    records = _three_line_records(
        shared_data / "catalog" / "spacetrack_3le_full_catalog_2023-10.txt"
    )
    wanted = [ISS, GEO_SAT, *sorted(k for k in records if 0 < k < 90000)[::700][:38]]
    text = "\r\n".join("\r\n".join(records[k]) for k in wanted) + "\r\n"
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'small.sqlite'}"
    with CatalogStore.open(url) as store:
        report = ingest_bytes(store, text.encode(), "small.3le")
        assert report.accepted == len(wanted) and not report.rejected
        satcat = (shared_data / "satcat" / "spacetrack_satcat_current_2025-03-16.json").read_bytes()
        ingest_bytes(store, satcat, "satcat.json")
    return url, {k: records[k] for k in wanted}


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_where_teme_matches_python_sgp4_tle_path(small_store: tuple[str, dict]) -> None:
    url, records = small_store
    code, out = _invoke("where", str(ISS), str(GEO_SAT), "--at", AT, "--db", url, "--json")
    assert code == 0, out
    data = json.loads(out)
    rows = {row["norad_id"]: row for row in data["states"]}
    assert data["selection"]["objects"] == data["selection"]["located"] == 2
    jd, fr = jday(2023, 10, 9, 12, 0, 0.0)
    for norad_id in (ISS, GEO_SAT):
        _, l1, l2 = records[norad_id]
        err, r, v = Satrec.twoline2rv(l1, l2).sgp4(jd, fr)
        assert err == 0
        assert rows[norad_id]["frame"] == "TEME"
        # 1 mm / 1 µm/s: the two paths differ only in epoch rounding (µs) and float order
        np.testing.assert_allclose(rows[norad_id]["r_km"], r, atol=1e-6)
        np.testing.assert_allclose(rows[norad_id]["v_km_s"], v, atol=1e-9)


def test_where_before_the_element_set_runs_sgp4_backwards(small_store: tuple[str, dict]) -> None:
    """Issue 11, 2: an object whose only set is after the epoch is located (SGP4 backwards from
    it), flagged; --strict-epochs leaves it out, counted, exit 3."""
    url, records = small_store
    _, l1, l2 = records[ISS]
    sat = Satrec.twoline2rv(l1, l2)
    at = datetime(2023, 10, 9, tzinfo=UTC) + timedelta(days=sat.epochdays - 282 - 2)  # 2 d early
    code, out = _invoke("where", str(ISS), "--at", at.isoformat(), "--db", url, "--json")
    assert code == 0, out
    data = json.loads(out)
    row = data["states"][0]
    assert row["element_set_after_epoch"] and row["element_set_age_days"] == pytest.approx(-2)
    err, r, _ = sat.sgp4(*jday(at.year, at.month, at.day, at.hour, at.minute,
                               at.second + at.microsecond * 1e-6))
    assert err == 0
    np.testing.assert_allclose(row["r_km"], r, atol=1e-6)
    assert data["selection"]["from_set_after_epoch"] == 1
    code, out = _invoke("where", str(ISS), str(GEO_SAT), "--at", at.isoformat(), "--db", url,
                        "--strict-epochs", "--json")
    assert code == 3
    data = json.loads(out)
    assert data["states"][0]["status"] == "NO_SET_BEFORE_EPOCH"
    assert data["states"][0]["r_km"] is None
    assert data["selection"]["left_out"] == {"NO_SET_BEFORE_EPOCH": 2 - data["selection"][
        "located"]}
    result = CliRunner().invoke(app, ["where", str(ISS), "--at", at.isoformat(), "--db", url,
                                      "--strict-epochs"], env={"COLUMNS": "200"})
    assert result.exit_code == 3
    assert "0 of 1 objects located" in result.stdout and "1 NO_SET_BEFORE_EPOCH" in result.stdout


def test_where_frames_preserve_radius_and_rotate(small_store: tuple[str, dict]) -> None:
    url, _ = small_store
    states = {}
    for frame in ("teme", "gcrs", "itrs"):
        code, out = _invoke("where", str(ISS), "--at", AT, "--frame", frame, "--db", url, "--json")
        assert code == 0, out
        states[frame] = json.loads(out)["states"][0]
    radii = {f: np.linalg.norm(s["r_km"]) for f, s in states.items()}
    assert radii["gcrs"] == pytest.approx(radii["teme"], abs=1e-9)
    assert radii["itrs"] == pytest.approx(radii["teme"], abs=1e-9)
    # TEME and GCRS differ by precession-nutation since J2000 (~0.33 deg in 2023) → ~40 km at ISS
    shift = np.linalg.norm(np.subtract(states["gcrs"]["r_km"], states["teme"]["r_km"]))
    assert 10.0 < shift < 80.0
    # ITRS velocity is Earth-relative: smaller than the inertial speed for a prograde orbit
    assert np.linalg.norm(states["itrs"]["v_km_s"]) < np.linalg.norm(states["teme"]["v_km_s"])


def test_where_unknown_object_and_bad_epoch_are_one_line_errors(
    small_store: tuple[str, dict],
) -> None:
    url, _ = small_store
    result = CliRunner().invoke(app, ["where", "999999", "--at", AT, "--db", url])
    assert result.exit_code == 2
    assert "999999" in result.stderr and "Traceback" not in result.stderr
    result = CliRunner().invoke(app, ["where", str(ISS), "--at", "yesterday", "--db", url])
    assert result.exit_code == 2
    assert "ISO 8601" in result.stderr


def test_sweep_writes_report_and_json(small_store: tuple[str, dict], tmp_path: Path) -> None:
    url, records = small_store
    out_dir = tmp_path / "report"
    code, out = _invoke("sweep", "--db", url, "--out", str(out_dir), "--json")
    assert code == 0, out
    summary = json.loads(out)
    assert summary["census"]["total"] == len(records)
    selection = summary["selection"]  # issue 11, 2: who was screened, who was left out and why
    assert selection["in_store"] == len(records)
    left = selection["left_out"]
    assert selection["screened"] == len(records) - left["decayed"] - left["sgp4_error"] - left[
        "filtered"] > 1
    day = summary["day_ahead"]
    assert day["objects"] == len(records)
    assert day["propagations"] == len(records) * 1440
    assert day["ok_all_day"] + sum(day["failed"].values()) == len(records)
    close = summary["conjunctions_24h"]
    assert close["threshold_km"] == 10.0
    assert all(e["miss_km"] <= 10.0 for e in close["events"])
    assert json.loads((out_dir / "conjunctions_24h.json").read_text()) == close["events"]
    for name in ("census.json", "summary.md", "gabbard.png", "altitude_inclination.png",
                 "sky_snapshot.png"):
        path = out_dir / name
        assert path.is_file() and path.stat().st_size > 1000, name
    assert (out_dir / "sky_snapshot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_on_empty_store_says_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    CatalogStore.open(url).close()
    result = CliRunner().invoke(app, ["sweep", "--db", url, "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "catalog ingest" in result.stderr


def test_parse_utc_forms() -> None:
    from sweepers.cli.common import parse_utc

    assert parse_utc("2023-10-09T12:00:00Z") == datetime(2023, 10, 9, 12, tzinfo=UTC)
    assert parse_utc("2023-10-09 12:00") == datetime(2023, 10, 9, 12, tzinfo=UTC)
    assert parse_utc("2023-10-09T14:00:00+02:00") == datetime(2023, 10, 9, 12, tzinfo=UTC)


# rocket bodies within 250 km and 3 deg of the Victory's 780 km Sun-synchronous orbit
SSO_BODIES = (25400, 37932, 54641, 39771, 28480, 39154)


@pytest.fixture(scope="module")
def sso_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> str:
    records = _three_line_records(
        shared_data / "catalog" / "spacetrack_3le_full_catalog_2023-10.txt"
    )
    wanted = [ISS, *SSO_BODIES]
    text = "\r\n".join("\r\n".join(records[k]) for k in wanted) + "\r\n"
    url = f"sqlite:///{tmp_path_factory.mktemp('sso') / 'sso.sqlite'}"
    with CatalogStore.open(url) as store:
        ingest_bytes(store, text.encode(), "sso.3le")
        satcat = (shared_data / "satcat" / "spacetrack_satcat_current_2025-03-16.json").read_bytes()
        ingest_bytes(store, satcat, "satcat.json")
    return url


def test_sweep_ends_with_a_flyable_victory_route(sso_store: str, tmp_path: Path) -> None:
    out_dir = tmp_path / "report"
    code, out = _invoke("sweep", "--db", sso_store, "--out", str(out_dir), "--json")
    assert code == 0, out
    route = json.loads(out)["route"]
    assert route is not None and route["ship"] == "Victory"
    assert route == json.loads((out_dir / "route.json").read_text()) | {"files": route["files"]}
    ids = [t["id"] for t in route["targets"]]
    assert ids and set(ids) <= {str(k) for k in SSO_BODIES} and len(set(ids)) == len(ids)
    # every leg an exact full-J2 rendezvous, arrival within the GTOC9 bar (100 m, 1 m/s)
    assert route["settings"]["exact_legs"] and len(route["legs"]) == len(ids)
    for leg in route["legs"]:
        assert leg["miss_m"] <= 100.0 and leg["miss_m_s"] <= 1.0
    # budgets: propellant, the rocket equation burn by burn, stays, the 12-month window
    assert 0 < route["totals"]["propellant_kg"] <= 1000.0
    assert route["totals"]["value"] == pytest.approx(sum(t["value"] for t in route["targets"]))
    ve = 320.0 * 9.80665e-3
    for burn in route["burns"]:
        ratio = burn["mass_after_kg"] / burn["mass_before_kg"]
        assert ratio == pytest.approx(np.exp(-burn["dv_magnitude_km_s"] / ve), abs=1e-6)
    times = [(np.datetime64(t["arrival"][:-1]), np.datetime64(t["departure"][:-1]))
             for t in route["targets"]]
    for arrive, depart in times:
        assert depart - arrive >= np.timedelta64(2, "D")
    assert all(times[k][1] <= times[k + 1][0] for k in range(len(times) - 1))
    assert times[-1][1] <= np.datetime64(route["window"]["end"][:-1])
    assert (out_dir / "route.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (out_dir / "summary.md").read_text()
    assert "## The Victory's best salvage route" in summary and "route.png" in summary
    assert all(k in summary for k in ids)


def test_sweep_without_candidates_says_so(shared_data: Path, tmp_path: Path) -> None:
    records = _three_line_records(
        shared_data / "catalog" / "spacetrack_3le_full_catalog_2023-10.txt"
    )
    url = f"sqlite:///{tmp_path / 'far.sqlite'}"
    with CatalogStore.open(url) as store:  # the ISS (51.6 deg) and a GEO satellite only
        ingest_bytes(store, ("\r\n".join("\r\n".join(records[k]) for k in (ISS, GEO_SAT))
                             + "\r\n").encode(), "far.3le")
    code, out = _invoke("sweep", "--db", url, "--out", str(tmp_path / "r"))
    assert code == 0, out
    assert "no catalogued object within 250 km and 3 deg" in out
    summary = (tmp_path / "r" / "summary.md").read_text()
    assert "## The Victory's best salvage route" in summary
    assert not (tmp_path / "r" / "route.png").exists()
