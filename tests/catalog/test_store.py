"""The store on SQLite and PostgreSQL: schema, precision, as-of queries, write rules, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from sweepers.catalog.schema import metadata
from sweepers.catalog.store import CatalogStore
from sweepers.errors import NotFoundError, StoreError
from sweepers.records import ElementSet, GcatPayload, SatcatEntry, SizeMassEstimate

T0 = datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def es(norad_id: int, epoch: datetime, **kw: object) -> ElementSet:
    """A plausible LEO element set (values are irrelevant to the store)."""
    fields: dict[str, object] = dict(
        mean_motion_rev_day=15.5, eccentricity=0.0012, inclination_deg=98.7, raan_deg=10.0,
        arg_pericenter_deg=20.0, mean_anomaly_deg=30.0, bstar=1.5e-4,
        object_name=f"OBJ {norad_id}",
    )
    fields.update(kw)
    return ElementSet(norad_id=norad_id, epoch=epoch, **fields)  # type: ignore[arg-type]


def write(store: CatalogStore, records: list, source: str = "test") -> object:
    return store.write(records, source=source, sha256="0" * 64, fmt="test")


def test_migrated_schema_matches_metadata(store: CatalogStore) -> None:
    """The Alembic history builds exactly the tables the code queries (no drift)."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_reopen_is_a_no_op_and_keeps_data(db_url: str) -> None:
    with CatalogStore.open(db_url) as s:
        write(s, [es(5, T0)])
    with CatalogStore.open(db_url) as s:
        assert s.counts()["element_sets"] == 1


def test_epoch_roundtrip_microseconds_utc_and_big_ids(store: CatalogStore) -> None:
    """µs precision, tz-aware UTC out whatever zone went in, 9-digit catalog numbers."""
    east = timezone(timedelta(hours=5, minutes=30))
    t_local = datetime(2024, 3, 1, 17, 30, 0, 123457, tzinfo=east)  # = 12:00:00.123457 UTC
    write(store, [es(999_999_999, T0), es(270_288, t_local), es(1, T0.replace(tzinfo=None))])
    got = {e.norad_id: e for e in store.latest()}
    assert got[999_999_999].epoch == T0 and got[999_999_999].epoch.tzinfo is not None
    assert got[270_288].epoch == T0 + timedelta(microseconds=1)
    assert got[270_288].epoch.utcoffset() == timedelta(0)
    assert got[1].epoch == T0  # naive input is taken as UTC
    assert got[999_999_999] == es(999_999_999, T0)  # every field survives


def test_latest_as_of_whole_catalog_ids_and_one(store: CatalogStore) -> None:
    days = [T0 + timedelta(days=d) for d in range(4)]
    write(store, [es(n, t, element_set_no=i) for n in (10, 20, 30) for i, t in enumerate(days)])
    write(store, [es(40, days[3])])
    assert [e.epoch for e in store.latest()] == [days[3]] * 4
    as_of = days[1] + timedelta(hours=1)
    got = store.latest(as_of=as_of)
    assert [(e.norad_id, e.epoch) for e in got] == [(10, days[1]), (20, days[1]), (30, days[1])]
    assert [e.element_set_no for e in got] == [1, 1, 1]
    assert [e.norad_id for e in store.latest([30, 10, 99], as_of=days[0])] == [10, 30]
    assert store.latest([20], as_of=days[2])[0].epoch == days[2]  # epoch == T counts
    assert store.latest_one(40).epoch == days[3]
    with pytest.raises(NotFoundError, match="40"):
        store.latest_one(40, as_of=days[2])
    many = list(range(1, 12_000))  # more ids than one IN list holds
    assert [e.norad_id for e in store.latest(many)] == [10, 20, 30, 40]


def test_history_is_every_epoch_in_order(store: CatalogStore) -> None:
    days = [T0 + timedelta(days=d) for d in (3, 1, 2, 0)]
    write(store, [es(7, t) for t in days] + [es(8, T0)])
    assert [e.epoch for e in store.history(7)] == sorted(days)
    assert [e.epoch for e in store.history(7, start=days[1], end=days[2])] == sorted(days[1:3])
    assert store.history(12345) == []


def test_element_sets_first_wins_and_idempotent(store: CatalogStore) -> None:
    first = write(store, [es(5, T0), es(5, T0 + timedelta(days=1)), es(5, T0, bstar=9.0)])
    assert (first.accepted, first.added, first.duplicates) == (3, 2, 1)
    again = write(store, [es(5, T0), es(5, T0 + timedelta(days=1))])
    assert (again.accepted, again.added, again.duplicates) == (2, 0, 2)
    assert store.history(5)[0].bstar == 1.5e-4
    assert store.counts()["element_sets"] == 2


def test_metadata_latest_wins_and_joins_in_any_order(store: CatalogStore) -> None:
    # metadata before any element set: the object does not exist yet
    c1 = write(store, [
        SatcatEntry(5, "VANGUARD 1", "1958-002B", "PAYLOAD", "US", date(1958, 3, 17),
                    rcs_size="SMALL"),
        SatcatEntry(6, "OLD", object_type="DEBRIS", decay_date=date(2000, 1, 1)),
        SizeMassEstimate(5, hbr_m=0.08, mass_kg=1.47, mass_source="SFK RCS Estimate"),
        GcatPayload("S00005", 5, name="Vanguard 1", control="-"),
    ])
    assert (c1.added, c1.updated, c1.duplicates) == (4, 0, 0)
    assert store.objects() == []
    write(store, [es(5, T0), es(6, T0)])
    c2 = write(store, [
        SatcatEntry(5, "VANGUARD 1", "1958-002B", "PAYLOAD", "US", date(1958, 3, 17),
                    rcs_size="SMALL"),  # identical
        SatcatEntry(6, "NEW NAME", object_type="DEBRIS", decay_date=date(2000, 1, 1)),
        SatcatEntry(6, "NEWER NAME", object_type="DEBRIS"),  # later record of a key wins
    ])
    assert (c2.accepted, c2.added, c2.updated, c2.duplicates) == (3, 0, 1, 2)
    info = {o.norad_id: o for o in store.objects()}
    assert info[5].object_type == "PAYLOAD" and info[5].rcs_size == "SMALL"
    assert info[5].mass_kg == 1.47 and info[5].hbr_m == 0.08
    assert info[5].gcat is not None and info[5].gcat.jcat == "S00005"
    assert info[5].satcat is not None and info[5].satcat.launch_date == date(1958, 3, 17)
    assert info[6].name == "NEWER NAME" and info[6].satcat.decay_date is None  # type: ignore[union-attr]
    assert store.object_info(5).name == "VANGUARD 1"
    with pytest.raises(NotFoundError):
        store.object_info(4)


def test_failed_write_leaves_nothing(store: CatalogStore) -> None:
    """A record the database refuses rolls back the whole write, log row included."""
    write(store, [es(1, T0)])
    before = store.counts()
    with pytest.raises(StoreError):
        write(store, [es(2, T0), es(3, None)])  # type: ignore[arg-type]  # NOT NULL epoch
    assert store.counts() == before


def test_stats_shape(store: CatalogStore) -> None:
    write(store, [es(5, T0), es(5, T0 + timedelta(days=2)), es(80_001, T0)])
    write(store, [SatcatEntry(5, object_type="PAYLOAD", rcs_size="SMALL"),
                  SizeMassEstimate(5, mass_kg=2.0)])
    st = store.stats()
    assert st["objects"] == 2 and st["element_sets"] == 3
    assert st["by_type"] == {"NOT IN SATCAT": 1, "PAYLOAD": 1}
    assert st["by_rcs_size"] == {"SMALL": 1, "UNKNOWN": 1}
    assert st["with_mass_estimate"] == 1 and st["satcat"] == 1 and st["ingests"] == 2
    assert st["epochs"]["latest_max"] == (T0 + timedelta(days=2)).isoformat()
    assert st["epochs"]["latest_median"] == (T0 + timedelta(days=1)).isoformat()
    assert st["epochs"]["all_min"] == T0.isoformat()
    log = store.ingest_log()
    assert [e.added for e in log] == [3, 2] and log[0].finished_at >= log[0].started_at


def test_open_errors_are_store_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a database"):
        CatalogStore.open(f"sqlite:///{junk}")
    with pytest.raises(StoreError, match="unsupported database"):
        CatalogStore.open("mysql://u@localhost/db")
    with pytest.raises(StoreError, match="cannot open store"):
        CatalogStore.open("not a url at all")
    with pytest.raises(StoreError, match="cannot open store"):
        CatalogStore.open("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'future.sqlite'}"
    CatalogStore.open(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer than this version"):
        CatalogStore.open(url)


def test_password_is_masked_in_errors() -> None:
    with pytest.raises(StoreError) as err:
        CatalogStore.open("postgresql+psycopg://nobody:hunter2@127.0.0.1:1/none")
    assert "hunter2" not in str(err.value)


def test_for_window_takes_newest_before_else_oldest_after(store: CatalogStore) -> None:
    """Window selection (issue 11, 2): every object gets a set; strict mode counts, not drops."""
    days = [T0 + timedelta(days=d) for d in range(4)]
    write(store, [es(10, t, element_set_no=i) for i, t in enumerate(days)])  # straddles
    write(store, [es(20, days[2], element_set_no=2), es(20, days[3], element_set_no=3)])
    write(store, [es(30, days[0], element_set_no=0)])  # before only
    start = days[1] + timedelta(hours=1)
    got = store.for_window(start)
    assert [(e.norad_id, e.epoch) for e in got.elsets] == [
        (10, days[1]), (20, days[2]), (30, days[0])]
    assert got.after_start == (20,) and got.no_set_before == () and not got.strict
    assert store.for_window(days[2], [20]).elsets[0].epoch == days[2]  # epoch == start counts
    strict = store.for_window(start, strict=True)
    assert [(e.norad_id, e.epoch) for e in strict.elsets] == [(10, days[1]), (30, days[0])]
    assert strict.after_start == () and strict.no_set_before == (20,)
    assert [e.norad_id for e in store.for_window(start, [30, 20, 99]).elsets] == [20, 30]
    newest = store.for_window(None)
    assert [e.epoch for e in newest.elsets] == [days[3], days[3], days[0]]
    many = list(range(1, 12_000))  # more ids than one IN list holds
    assert [e.norad_id for e in store.for_window(start, many, strict=True).elsets] == [10, 30]
    assert store.for_window(start, many, strict=True).no_set_before == (20,)
