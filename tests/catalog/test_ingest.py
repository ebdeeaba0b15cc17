"""Ingest of real files: counts, idempotence, rejected records, per-file failures, full catalog."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sweepers import config
from sweepers.catalog.ingest import ingest_files
from sweepers.catalog.store import CatalogStore
from sweepers.errors import FormatError

CLOUDS = "catalog/debris-clouds"
TLE_1408 = f"{CLOUDS}/celestrak_cosmos-1408-debris_2025-02.txt"  # 10 objects, 2025-02
JSON_1408 = f"{CLOUDS}/celestrak_gp_cosmos-1408-debris_2026-08.json"  # 3 objects, 2026-08
TLE_IRIDIUM = f"{CLOUDS}/celestrak_iridium-33-debris_2025-02.txt"  # 119 objects


def test_real_files_and_idempotence(store: CatalogStore, shared_data: Path) -> None:
    paths = [shared_data / TLE_1408, shared_data / JSON_1408, shared_data / TLE_IRIDIUM]
    first = ingest_files(store, paths)
    assert [f.error for f in first.files] == [None, None, None]
    assert [f.format for f in first.files] == ["tle", "omm-json", "tle"]
    assert [f.accepted for f in first.files] == [10, 3, 119]
    assert first.added == 132 and first.rejected == []
    assert first.files[0].sha256 == hashlib.sha256(paths[0].read_bytes()).hexdigest()
    counts = store.counts()
    ids_1408 = {e.norad_id for e in store.latest()} - {
        e.norad_id for e in store.latest(as_of=datetime(2026, 1, 1, tzinfo=UTC))
    }
    assert len(ids_1408) <= 3  # only the 2026 sets are newer than 2026-01-01

    second = ingest_files(store, paths)
    assert second.added == 0 and second.duplicates == 132
    after = store.counts()
    assert {k: v for k, v in after.items() if k != "ingests"} == {
        k: v for k, v in counts.items() if k != "ingests"
    }
    assert after["ingests"] == counts["ingests"] + 3  # the log records each attempt


def test_rejected_records_and_failed_files(store: CatalogStore, shared_data: Path,
                                           tmp_path: Path) -> None:
    lines = (shared_data / TLE_1408).read_text().splitlines()
    bad = [*lines[:4], lines[4][:-1] + str((int(lines[4][-1]) + 1) % 10), lines[5]]
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("\n".join(bad) + "\n")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 20)
    missing = tmp_path / "missing.txt"

    report = ingest_files(store, [missing, mixed, garbage, shared_data / JSON_1408])
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["missing.txt"].error == "no such file"
    assert by_name["garbage.bin"].error
    assert by_name["mixed.txt"].accepted == 1 and len(by_name["mixed.txt"].rejected) == 1
    rej = by_name["mixed.txt"].rejected[0]
    assert (rej.source, rej.line) == (str(mixed), 4) and "checksum" in rej.reason
    assert by_name[Path(JSON_1408).name].added == 3  # the others were still ingested
    assert store.counts()["element_sets"] == 4
    as_json = report.as_dict()
    assert as_json["rejected"] == [{"file": str(mixed), "line": 4, "reason": rej.reason}]
    assert {e["file"] for e in as_json["errors"]} == {str(missing), str(garbage)}


def test_unknown_format_and_progress(store: CatalogStore, shared_data: Path) -> None:
    with pytest.raises(FormatError, match="unknown format"):
        ingest_files(store, [shared_data / TLE_1408], fmt="fits")
    seen: list[tuple[str, int, int]] = []
    ingest_files(store, [shared_data / TLE_IRIDIUM], fmt="tle",
                 progress=lambda _p, stage, done, total: seen.append((stage, done, total)))
    stages = [s for s, _, _ in seen]
    assert stages[0] == "read" and stages[-1] == "done" and "parse" in stages
    assert ("store", 119, 119) in seen


@pytest.fixture(scope="session")
def full_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path
               ) -> Iterator[CatalogStore]:
    """The bundled full catalog + SATCAT + CARA in one SQLite store, built once per session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('full') / 'full.sqlite'}"
    store = CatalogStore.open(url)
    report = ingest_files(store, config.default_catalog_files())
    assert [f.error for f in report.files] == [None] * 4
    yield store
    store.close()


def test_full_bundled_catalog_matches_the_readmes(full_store: CatalogStore) -> None:
    """Counts and the SATCAT join quoted in data/catalog/README.md and data/satcat/README.md."""
    st = full_store.stats()
    assert st["objects"] == 26_140 and st["element_sets"] == 26_140
    assert st["satcat"] == 30_142 + 32_966 and st["size_mass"] == 58_609
    assert st["by_type"] == {"DEBRIS": 11_673, "PAYLOAD": 11_223, "ROCKET BODY": 2_168,
                             "NOT IN SATCAT": 608, "UNKNOWN": 468}
    assert st["epochs"]["latest_median"].startswith("2023-10-09")
    assert st["epochs"]["latest_min"].startswith("2023-07-12")
    assert st["epochs"]["latest_max"].startswith("2023-10-18")
    # "733 sets are older than 2023-10-01": the as-of query sees exactly those
    old = full_store.latest(as_of=datetime(2023, 10, 1, tzinfo=UTC))
    assert len(old) == 733
    alpha5 = full_store.latest([270_000, 270_288])
    assert [e.norad_id for e in alpha5] == [270_000, 270_288]


def test_full_catalog_metadata_join(full_store: CatalogStore) -> None:
    vanguard = full_store.object_info(5)
    assert vanguard.object_type == "PAYLOAD" and vanguard.rcs_size == "SMALL"
    assert vanguard.satcat is not None and vanguard.satcat.country == "US"
    infos = full_store.objects()
    assert len(infos) == 26_140
    with_mass = [o for o in infos if o.mass_kg is not None]
    assert len(with_mass) == full_store.stats()["with_mass_estimate"] > 0
