"""``sweepers screen --all`` screens every object of the store, whatever its epoch (issue 11, 2).

The store: the first 1,500 Fengyun-1C debris by catalog number of the Space-Track full catalog
of 2023-10 (``$SWEEPERS_DATA/catalog/spacetrack_3le_full_catalog_2023-10.txt``, README there:
epochs 2023-07-12 … 2023-10-18, median 2023-10-09). The window starts at 2023-10-09T00:00Z,
inside the spread of their epochs, so a good part of the objects have their only element set
*after* the start; before the fix ``screen --all`` screened only the others, without a word.

The reference is the all-pairs brute force of :mod:`.brute_force` over all 1,500 objects (raw
TLE lines, python-sgp4 forwards and backwards from each epoch, 10 s sampling, Brent
minimisation), which must give the same set of conjunctions (pair, and TCA within 1 ms: the
tolerance of ``test_screen_reference.py``) as the CLI's JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sweepers.catalog.ingest import ingest_files
from sweepers.catalog.store import CatalogStore
from sweepers.cli.main import app
from sweepers.conjunctions.catalog_screen import screen_catalog

from .brute_force import Event, brute_force, jd_parts

CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"
N_OBJECTS = 1500
START = datetime(2023, 10, 9, tzinfo=UTC)
HOURS = 6.0
THRESHOLD_KM = 10.0
runner = CliRunner()


@pytest.fixture(scope="module")
def straddling(shared_data: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[str, dict[int, tuple[str, str]]]:
    """A store of the 1,500 debris, and their raw TLE lines (for the brute force)."""
    lines = [ln.rstrip() for ln in (shared_data / CATALOG).read_text().splitlines()]
    records: dict[int, tuple[str, str, str]] = {}
    for k in range(len(lines) - 2):
        if (lines[k].startswith("0 ") and "FENGYUN 1C DEB" in lines[k]
                and lines[k + 1].startswith("1 ") and lines[k + 2].startswith("2 ")):
            records[int(lines[k + 1][2:7])] = (lines[k], lines[k + 1], lines[k + 2])
    chosen = sorted(records)[:N_OBJECTS]
    assert len(chosen) == N_OBJECTS
    folder = tmp_path_factory.mktemp("straddle")
    path = folder / "fengyun.3le"
    path.write_text("".join(f"{a}\n{b}\n{c}\n" for a, b, c in (records[i] for i in chosen)))
    url = f"sqlite:///{folder / 'store.sqlite'}"
    with CatalogStore.open(url) as store:
        report = ingest_files(store, [path])
        assert all(f.error is None and not f.rejected for f in report.files)
    return url, {i: records[i][1:] for i in chosen}


def _epoch(line1: str) -> datetime:
    """The epoch of TLE line 1 (columns 19-32: two-digit year, fractional day of year), UTC."""
    year = 2000 + int(line1[18:20])
    day = float(line1[20:32])
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=day - 1)


def _matches(got: list[Event], reference: list[Event]) -> tuple[list[Event], list[Event]]:
    """(reference events missing from ``got``, events of ``got`` not in the reference)."""
    def unmatched(a: list[Event], b: list[Event]) -> list[Event]:
        by_pair: dict[tuple[int, int], list[float]] = {}
        for p, s, t, _ in b:
            by_pair.setdefault((p, s), []).append(t)
        return [e for e in a if not any(abs(t - e[2]) < 1e-3 for t in by_pair.get(e[:2], []))]

    return unmatched(reference, got), unmatched(got, reference)


def _events(conjunctions: list[dict]) -> list[Event]:
    jd0, fr0 = jd_parts(START)
    return sorted((min(c["primary_id"], c["secondary_id"]), max(c["primary_id"], c["secondary_id"]),
                   ((c["tca_jd"] - jd0) + (c["tca_fr"] - fr0)) * 86400.0, c["miss_km"])
                  for c in conjunctions)


def test_screen_all_covers_objects_with_sets_after_the_start(straddling) -> None:  # type: ignore[no-untyped-def]
    url, lines = straddling
    after = {i for i, (l1, _) in lines.items() if _epoch(l1) > START}
    assert 300 < len(after) < N_OBJECTS - 300  # the epochs really straddle the start
    result = runner.invoke(app, ["screen", "--db", url, "--all", "--start", START.isoformat(),
                                 "--days", str(HOURS / 24), "--threshold-km", str(THRESHOLD_KM),
                                 "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    selection = data["selection"]
    assert selection["in_store"] == N_OBJECTS
    assert selection["from_set_after_start"] == len(after)
    left_out = selection["left_out"]
    assert left_out["no_set_before_start"] == left_out["filtered"] == left_out["decayed"] == 0
    assert selection["screened"] == data["objects"] == N_OBJECTS - left_out["sgp4_error"]

    reference = brute_force(lines, START, HOURS * 3600.0, THRESHOLD_KM)
    assert len(reference) > 100
    assert any(a in after or b in after for a, b, _, _ in reference)
    missed, extra = _matches(_events(data["conjunctions"]), reference)
    assert not missed, f"{len(missed)} of {len(reference)} brute-force events missed: {missed[:5]}"
    assert not extra, f"{len(extra)} events not in the brute force: {extra[:5]}"
    assert data["count"] == len(reference)


def test_strict_epochs_is_the_back_test_and_says_so(straddling) -> None:  # type: ignore[no-untyped-def]
    url, lines = straddling
    before = {i: pair for i, pair in lines.items() if _epoch(pair[0]) <= START}
    report = screen_catalog(url, start=START, days=HOURS / 24, threshold_km=THRESHOLD_KM,
                            strict_epochs=True)
    population = report.population
    assert population.strict_epochs and population.after_start == ()
    assert set(population.left_out["no_set_before_start"]) == set(lines) - set(before)
    assert report.objects + len(population.left_out["sgp4_error"]) == len(before)
    reference = brute_force(before, START, HOURS * 3600.0, THRESHOLD_KM)
    missed, extra = _matches(_events([e.to_dict() for e in report.events]), reference)
    assert not missed and not extra

    result = runner.invoke(app, ["screen", "--db", url, "--all", "--start", START.isoformat(),
                                 "--days", "0.01", "--strict-epochs"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert f"{len(lines) - len(before):,} no set before start" in result.stdout
    assert "--strict-epochs" in result.stdout
