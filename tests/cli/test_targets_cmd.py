"""``sweepers targets`` via typer's CliRunner on a small store of real catalog records."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.conftest import small_store, write_three_line
from salvage.conftest import CARA, SATCAT
from sweepers.catalog.store import CatalogStore
from sweepers.cli.targets_cmd import targets

IDS = {
    17590: "SL-16 R/B",
    27386: "ENVISAT",
    35637: "SL-8 R/B",
    25544: "ISS (ZARYA)",  # crewed station: never listed
    20580: "HST",  # CARA protected primary: operating, never listed
    20855: "CZ-4 DEB",  # fragment with a CARA radar estimate (2.4 t)
}

app = typer.Typer()
app.command()(targets)
runner = CliRunner()


@pytest.fixture(scope="module")
def db_url(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with the 3LE, SATCAT and CARA rows of the objects in ``IDS``."""
    folder = tmp_path_factory.mktemp("targets")
    few = write_three_line(shared_data, IDS, folder)
    rows = [r for r in json.loads((shared_data / SATCAT[0]).read_text())
            if int(r["NORAD_CAT_ID"]) in IDS]
    (folder / "satcat.json").write_text(json.dumps(rows))
    text = (shared_data / CARA).read_text()
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(r for r in reader if int(r[0]) in IDS)
    (folder / "cara.csv").write_text(out.getvalue())
    url = small_store(folder, [few, folder / "satcat.json", folder / "cara.csv"])
    with CatalogStore.open(url) as store:
        assert store.counts()["objects"] == len(IDS)
    return url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "120"})
    return result.exit_code, result.stdout, result.stderr


def test_json_by_value_and_by_criticality(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "--json")
    assert code == 0
    rows = json.loads(out)
    # 9 t and 8.2 t intact; the 1.4 t SL-8 (3,046 k$) beats the 2.4 t fragment (half yield)
    assert [r["name"] for r in rows] == ["SL-16 R/B", "ENVISAT", "SL-8 R/B", "CZ-4 DEB"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    first = rows[0]
    assert first["mass_kg"] == 9000.0 and first["mass_source"] == "family SL-16 R/B"
    assert rows[3]["mass_source"] == "CARA SFK RCS Estimate"
    for key in ("norad_id", "object_type", "perigee_km", "apogee_km", "inclination_deg",
                "lifetime_yr", "value_kusd", "criticality"):
        assert key in first
    code, out, _ = run("--db", db_url, "--json", "--by", "criticality", "--top", "2")
    crit = json.loads(out)
    assert code == 0 and len(crit) == 2
    assert crit[0]["criticality"] >= crit[1]["criticality"]


def test_filters(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "--json", "--type", "rb", "--alt-km", "900:1100")
    assert code == 0 and [r["name"] for r in json.loads(out)] == ["SL-8 R/B"]
    code, out, _ = run("--db", db_url, "--json", "--inc-deg", "98:99", "--type", "payload")
    assert code == 0 and [r["name"] for r in json.loads(out)] == ["ENVISAT"]
    code, out, _ = run("--db", db_url, "--json", "--alt-km", "2000:")
    assert code == 0 and json.loads(out) == []


def test_table(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "--top", "3")
    assert code == 0
    assert "SL-16 R/B" in out and "ENVISAT" in out and "ISS" not in out and "HST" not in out
    code, out, _ = run("--db", db_url, "--alt-km", "5000:6000")
    assert code == 0 and "no object matches" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alt-km", "800"], "--alt-km wants a range LO:HI"),
        (["--alt-km", "900:800"], "must not exceed"),
        (["--inc-deg", "a:b"], "cannot read"),
        (["--type", "station"], "--type must be one of"),
        (["--by", "mass"], "--by must be"),
    ],
)
def test_bad_options_give_one_clear_line(db_url: str, args: list[str], message: str) -> None:
    code, _, err = run("--db", db_url, *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_store(tmp_path: Path) -> None:
    code, _, err = run("--db", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert code == 2 and "no store" in err
