"""The catalog store: element-set history and object metadata in SQLite or PostgreSQL.

Open it with :meth:`CatalogStore.open` (any SQLAlchemy URL; default ``config.default_db_url()``).
Opening migrates the schema to the newest Alembic revision shipped in ``migrations/``.

Model: an *object* is a catalog number with at least one element set. Its metadata (SATCAT type,
RCS size class, country, launch/decay dates; CARA hard-body radius and mass; GCAT payload data) is
joined at query time, so the order in which files are ingested does not matter.

Write rules (one transaction per :meth:`CatalogStore.write` call):

* element sets are identified by ``(norad_id, epoch)``; the first one stored wins and a repeat is
  counted as a duplicate (``INSERT … ON CONFLICT DO NOTHING``);
* SATCAT, CARA size/mass and GCAT rows are one per key; a re-ingest replaces a row whose values
  differ (latest wins, counted as *updated*) and leaves an identical row alone (*duplicate*).

Units as in :mod:`sweepers.records` (degrees, rev/day, metres for HBR, kg, km); epochs are UTC,
microsecond resolution, returned tz-aware.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    Select,
    Table,
    and_,
    case,
    create_engine,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from sweepers import config
from sweepers.catalog import schema
from sweepers.catalog.schema import element_sets, gcat_payloads, ingests, satcat, size_mass
from sweepers.errors import NotFoundError, StoreError
from sweepers.records import ElementSet, GcatPayload, SatcatEntry, SizeMassEstimate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SUPPORTED_DIALECTS = ("sqlite", "postgresql")
CHUNK_ROWS = 5000  # rows per executemany: bounds memory and paces the progress callback
_IN_CHUNK = 5000  # ids per IN (…) list (SQLite allows 32,766 bound parameters per statement)

_ROWCOUNT = {"preserve_rowcount": True}  # SQLAlchemy keeps INSERT rowcounts only when asked
Record = ElementSet | SatcatEntry | SizeMassEstimate | GcatPayload
RowProgress = Callable[[int, int], None]
"""``progress(rows_done, rows_total)`` called while a write is in progress."""


@dataclass(frozen=True, slots=True)
class WriteCounts:
    """What one write did: records offered, rows added, rows replaced, records already present."""

    accepted: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.accepted + other.accepted,
            self.added + other.added,
            self.updated + other.updated,
            self.duplicates + other.duplicates,
        )


@dataclass(frozen=True, slots=True)
class WindowSets:
    """Each object's element set for a window starting at ``start`` (see ``for_window``).

    ``elsets``: one per object, sorted by catalog number. ``after_start``: catalog numbers whose
    set has an epoch after ``start`` (no set at or before it; SGP4 runs them backwards).
    ``no_set_before``: with ``strict``, the catalog numbers left out because all their sets
    come after ``start`` (empty otherwise). ``start`` None means each object's newest set.
    """

    elsets: list[ElementSet]
    start: datetime | None
    strict: bool
    after_start: tuple[int, ...]
    no_set_before: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class IngestLogEntry:
    """One row of the ``ingests`` table: a file (or URL) written to the store."""

    id: int
    source: str
    sha256: str
    format: str
    accepted: int
    added: int
    updated: int
    duplicates: int
    rejected: int
    started_at: datetime
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One catalogued object: its element-set history span and the metadata joined to it."""

    norad_id: int
    name: str | None  # SATCAT name, else the latest element set's OBJECT_NAME
    object_id: str | None  # international designator
    element_sets: int  # number of stored element sets
    first_epoch: datetime  # UTC
    last_epoch: datetime  # UTC
    satcat: SatcatEntry | None = None
    size_mass: SizeMassEstimate | None = None
    gcat: GcatPayload | None = None

    @property
    def object_type(self) -> str | None:
        """SATCAT type: PAYLOAD | ROCKET BODY | DEBRIS | UNKNOWN (None: not in the SATCAT)."""
        return self.satcat.object_type if self.satcat else None

    @property
    def rcs_size(self) -> str | None:
        """SATCAT radar-cross-section class: SMALL | MEDIUM | LARGE | None."""
        return self.satcat.rcs_size if self.satcat else None

    @property
    def mass_kg(self) -> float | None:
        """CARA mass estimate [kg] (None where CARA has none, e.g. ``DISCOS DB`` rows)."""
        return self.size_mass.mass_kg if self.size_mass else None

    @property
    def hbr_m(self) -> float | None:
        """CARA hard-body radius estimate [m]."""
        return self.size_mass.hbr_m if self.size_mass else None


# --------------------------------------------------------------------------------------------
# Opening and migrating
# --------------------------------------------------------------------------------------------


def _sqlite_setup(engine: Engine) -> None:
    """Real transactions on pysqlite, WAL, and the pragmas that make bulk writes fast but safe.

    Python's sqlite3 module opens transactions lazily and never around DDL; we take over: no
    implicit BEGIN, and SQLAlchemy's begin emits ``BEGIN`` (``BEGIN IMMEDIATE`` for writes, so two
    writers queue on the busy timeout instead of failing on a read-to-write lock upgrade).
    WAL + ``synchronous=NORMAL`` is atomic and consistent after a crash or ``kill -9``; only the
    last commits may be lost on power failure.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sweepers_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def mask_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic ``upgrade head``); no-op when current."""
    cfg = _alembic_config()
    script = ScriptDirectory.from_config(cfg)
    heads = set(script.get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return
    known = {rev.revision for rev in script.walk_revisions()}
    if current - known:
        raise StoreError(
            f"store {mask_url(str(engine.url))} has schema revision {sorted(current - known)}, "
            "newer than this version of sweepers knows; upgrade sweepers"
        )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class CatalogStore:
    """Element sets and object metadata in one SQL database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine whose schema is already migrated; prefer :meth:`open`."""
        self.engine = engine
        self._dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> CatalogStore:
        """Open (and migrate) the store at ``url`` (default ``config.default_db_url()``).

        With ``create`` a missing SQLite file (and its folder) is created; without, a missing
        file is an error (for read-only commands). Raises :class:`StoreError` when the
        URL is malformed, the driver is missing, the database cannot be reached or is not a
        database, or its schema is newer than this code.
        """
        url = url or config.default_db_url()
        try:
            parsed = make_url(url)
            if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
                raise StoreError(
                    f"unsupported database {parsed.get_backend_name()!r} in {mask_url(url)}: "
                    "use sqlite:///FILE or postgresql+psycopg://…"
                )
            db = parsed.database
            if parsed.get_backend_name() == "sqlite" and db and db != ":memory:" and not (
                db.startswith("file:")
            ):
                if create:
                    Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
                elif not Path(db).expanduser().is_file():
                    raise StoreError(f"no store at {db} (ingest something first, or check --db)")
            kwargs: dict[str, Any] = {}
            if parsed.get_backend_name() == "postgresql":
                kwargs["pool_pre_ping"] = True
            engine = create_engine(parsed, **kwargs)
        except (ArgumentError, NoSuchModuleError, ValueError, OSError) as exc:
            raise StoreError(f"cannot open store {mask_url(url)}: {exc}") from exc
        if engine.dialect.name == "sqlite":
            _sqlite_setup(engine)
        try:
            migrate(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"cannot open store {mask_url(url)}: {reason}") from exc
        except StoreError:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def url(self) -> str:
        """The store's URL, password hidden."""
        return mask_url(self.engine.url.render_as_string(hide_password=False))

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def __enter__(self) -> CatalogStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error) as exc:
            # (raw DBAPI errors come from the PostgreSQL COPY path)
            raise StoreError(f"store {self.url}: {getattr(exc, 'orig', None) or exc}") from exc

    # ----------------------------------------------------------------------------------------
    # Writing
    # ----------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction: everything inside commits together or not at all."""
        try:
            with (
                self.engine.connect().execution_options(sweepers_write=True) as conn,
                conn.begin(),
            ):
                yield conn
        except (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error) as exc:
            # (raw DBAPI errors come from the PostgreSQL COPY path)
            raise StoreError(f"store {self.url}: {getattr(exc, 'orig', None) or exc}") from exc

    def write(
        self,
        records: Sequence[Record],
        *,
        source: str,
        sha256: str,
        fmt: str,
        rejected: int = 0,
        progress: RowProgress | None = None,
    ) -> WriteCounts:
        """Store ``records`` from one input in a single transaction and log it in ``ingests``.

        ``source`` (file path or URL), ``sha256`` (of its bytes), ``fmt`` and the number of
        ``rejected`` records are kept in the log. Returns the counts; nothing is written if any
        statement fails (the error is raised as :class:`StoreError`).
        """
        started = datetime.now(UTC)
        with self.transaction() as conn:
            ingest_id = conn.execute(
                ingests.insert().returning(ingests.c.id),
                dict(
                    source=source, sha256=sha256, format=fmt, accepted=0, added=0, updated=0,
                    duplicates=0, rejected=rejected, started_at=started, finished_at=started,
                ),
            ).scalar_one()
            counts = self.write_in(conn, records, ingest_id=ingest_id, progress=progress)
            conn.execute(
                update(ingests)
                .where(ingests.c.id == ingest_id)
                .values(
                    accepted=counts.accepted, added=counts.added, updated=counts.updated,
                    duplicates=counts.duplicates, finished_at=datetime.now(UTC),
                )
            )
        return counts

    def write_in(
        self,
        conn: Connection,
        records: Sequence[Record],
        *,
        ingest_id: int,
        progress: RowProgress | None = None,
    ) -> WriteCounts:
        """Write ``records`` on an open transaction ``conn`` (see :meth:`write`)."""
        groups: dict[type, list[Record]] = {}
        for rec in records:
            groups.setdefault(type(rec), []).append(rec)
        unknown = set(groups) - set(_TABLES)
        if unknown:
            raise TypeError(f"cannot store records of type {sorted(t.__name__ for t in unknown)}")
        total = len(records)
        done = 0
        counts = WriteCounts()

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        if progress is not None:
            progress(0, total)
        for rtype, (table, columns, key) in _TABLES.items():
            recs = groups.get(rtype)
            if not recs:
                continue
            if key is None:  # element sets: the first stored (id, epoch) wins
                added = self._bulk_write(conn, table, columns, None, recs, ingest_id, advance)
                counts += WriteCounts(len(recs), added, 0, len(recs) - added)
                continue
            latest: dict[Any, Any] = {}
            for r in recs:  # one statement may not touch a row twice: last record of a key wins
                latest[getattr(r, key)] = r
            unique = list(latest.values())
            advance(len(recs) - len(unique))
            before = _count(conn, table)
            changed = self._bulk_write(conn, table, columns, key, unique, ingest_id, advance)
            added = _count(conn, table) - before
            counts += WriteCounts(len(recs), added, changed - added, len(recs) - changed)
        return counts

    def _bulk_write(
        self,
        conn: Connection,
        table: Table,
        columns: tuple[str, ...],
        key: str | None,
        recs: list[Any],
        ingest_id: int,
        advance: Callable[[int], None],
    ) -> int:
        """Insert ``recs`` (``key`` None: skip existing keys; else replace differing rows).

        Returns the number of rows inserted or changed. SQLite: ``executemany`` of
        ``INSERT … ON CONFLICT`` per chunk (its rowcount sums the rows changed). PostgreSQL:
        ``COPY`` into a temporary table, then one ``INSERT … SELECT … ON CONFLICT`` — an order of
        magnitude faster than row-wise inserts, and its rowcount is exact.
        """
        getter = attrgetter(*columns)
        if self._dialect == "sqlite":
            stmt = _on_conflict(sqlite.insert(table), table, columns, key)
            changed = 0
            for start in range(0, len(recs), CHUNK_ROWS):
                chunk = recs[start : start + CHUNK_ROWS]
                rows = [
                    dict(zip(columns, getter(r), strict=True), ingest_id=ingest_id) for r in chunk
                ]
                changed += conn.execute(stmt, rows, execution_options=_ROWCOUNT).rowcount
                _chunk_written(conn, table.name, len(chunk))
                advance(len(chunk))
            return changed

        staging = f"_sweepers_staging_{table.name}"
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {staging}")
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {staging} (LIKE {table.name}) ON COMMIT DROP"
        )
        names = (*columns, "ingest_id")
        epoch_at = columns.index("epoch") if "epoch" in columns else None
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(recs), CHUNK_ROWS):
                chunk = recs[start : start + CHUNK_ROWS]
                with cursor.copy(f"COPY {staging} ({', '.join(names)}) FROM STDIN") as copy:
                    for r in chunk:
                        row = [*getter(r), ingest_id]
                        if epoch_at is not None:
                            epoch = row[epoch_at]
                            if epoch is not None and epoch.tzinfo is None:
                                row[epoch_at] = epoch.replace(tzinfo=UTC)  # naive means UTC
                        copy.write_row(row)
                _chunk_written(conn, table.name, len(chunk))
                advance(len(chunk))
        finally:
            cursor.close()
        source = Table(staging, MetaData(), *(Column(c.name, c.type) for c in table.c))
        ins = postgresql.insert(table).from_select(
            list(names), select(*(source.c[n] for n in names))
        )
        stmt = _on_conflict(ins, table, columns, key)
        return conn.execute(stmt, execution_options=_ROWCOUNT).rowcount

    # ----------------------------------------------------------------------------------------
    # Element sets
    # ----------------------------------------------------------------------------------------

    def latest(
        self, norad_ids: Iterable[int] | None = None, as_of: datetime | None = None
    ) -> list[ElementSet]:
        """The newest element set with epoch ≤ ``as_of`` (UTC; None = newest) of each object.

        ``norad_ids`` None means the whole catalog. One SQL query (per 5,000 ids); objects with
        no element set at or before ``as_of`` are simply absent. Sorted by catalog number.
        """
        if norad_ids is None:
            with self._read() as conn:
                return [_element_set(row) for row in conn.execute(_latest_stmt(None, as_of))]
        ids = sorted(set(norad_ids))
        out: list[ElementSet] = []
        with self._read() as conn:
            for start in range(0, len(ids), _IN_CHUNK):
                stmt = _latest_stmt(ids[start : start + _IN_CHUNK], as_of)
                out.extend(_element_set(row) for row in conn.execute(stmt))
        return out

    def for_window(
        self,
        start: datetime | None,
        norad_ids: Iterable[int] | None = None,
        *,
        strict: bool = False,
    ) -> WindowSets:
        """Every object's best element set for a window that starts at ``start`` (UTC).

        The best set is the newest with epoch ≤ ``start``, else (no set at or before it) the
        oldest after it: SGP4 propagates backwards as well as forwards, and an operator screen
        covers every object in the catalog, not only those seen before the window. With
        ``strict`` (back-tests: use only what was known at ``start``) objects with no set at or
        before ``start`` are left out and listed in ``no_set_before``. ``start`` None: each
        object's newest set. ``norad_ids`` None means the whole store. One SQL query per 5,000
        ids; nothing is dropped silently: every object of the store (or of ``norad_ids`` that
        has a set) is either in ``elsets`` or in ``no_set_before``.
        """
        if start is None:
            sets = self.latest(norad_ids)
            return WindowSets(sets, None, strict, (), ())
        chunks: list[list[int] | None]
        if norad_ids is None:
            chunks = [None]
        else:
            ids = sorted(set(norad_ids))
            chunks = [ids[k : k + _IN_CHUNK] for k in range(0, len(ids), _IN_CHUNK)]
        sets: list[ElementSet] = []
        after: list[int] = []
        missing: list[int] = []
        with self._read() as conn:
            for chunk in chunks:
                for row in conn.execute(_window_stmt(chunk, start, strict)):
                    values = dict(row._mapping)
                    later, before = values.pop("w_after"), values.pop("w_before")
                    if values["norad_id"] is None:  # strict: outer join found no set before
                        missing.append(row.w_id)
                        continue
                    del values["w_id"]
                    sets.append(ElementSet(**values))
                    if before is None and later is not None:
                        after.append(values["norad_id"])
        return WindowSets(sets, start, strict, tuple(after), tuple(sorted(missing)))

    def latest_one(self, norad_id: int, as_of: datetime | None = None) -> ElementSet:
        """The newest element set of one object at or before ``as_of``; NotFoundError if none."""
        found = self.latest([norad_id], as_of)
        if not found:
            when = f" at or before {as_of.isoformat()}" if as_of else ""
            raise NotFoundError(f"no element set for catalog number {norad_id}{when}")
        return found[0]

    def history(
        self, norad_id: int, start: datetime | None = None, end: datetime | None = None
    ) -> list[ElementSet]:
        """All element sets of one object (optionally with start ≤ epoch ≤ end), oldest first."""
        e = element_sets
        stmt = select(*_element_cols()).where(e.c.norad_id == norad_id)
        if start is not None:
            stmt = stmt.where(e.c.epoch >= start)
        if end is not None:
            stmt = stmt.where(e.c.epoch <= end)
        with self._read() as conn:
            return [_element_set(row) for row in conn.execute(stmt.order_by(e.c.epoch))]

    # ----------------------------------------------------------------------------------------
    # Objects and metadata
    # ----------------------------------------------------------------------------------------

    def objects(self, norad_ids: Iterable[int] | None = None) -> list[ObjectInfo]:
        """Metadata of catalogued objects (all, or those of ``norad_ids`` that have element sets).

        Joins each object's element-set span with its SATCAT, CARA and GCAT rows. Sorted by
        catalog number.
        """
        if norad_ids is None:
            with self._read() as conn:
                return _object_infos(conn, None)
        ids = sorted(set(norad_ids))
        out: list[ObjectInfo] = []
        with self._read() as conn:
            for start in range(0, len(ids), _IN_CHUNK):
                out.extend(_object_infos(conn, ids[start : start + _IN_CHUNK]))
        return out

    def object_info(self, norad_id: int) -> ObjectInfo:
        """Metadata of one object; :class:`NotFoundError` if it has no element set."""
        found = self.objects([norad_id])
        if not found:
            raise NotFoundError(f"catalog number {norad_id} is not in the store {self.url}")
        return found[0]

    def ingest_log(self) -> list[IngestLogEntry]:
        """Every ingest so far, oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(ingests).order_by(ingests.c.id))
            return [IngestLogEntry(**row._mapping) for row in rows]

    def counts(self) -> dict[str, int]:
        """Row counts: objects, element_sets, satcat, size_mass, gcat_payloads, ingests."""
        with self._read() as conn:
            out = {
                "objects": conn.execute(
                    select(func.count(func.distinct(element_sets.c.norad_id)))
                ).scalar_one()
            }
            for table in (element_sets, satcat, size_mass, gcat_payloads, ingests):
                out[table.name] = conn.execute(
                    select(func.count()).select_from(table)
                ).scalar_one()
        return out

    def stats(self) -> dict[str, Any]:
        """A summary of the catalog (JSON-ready; epochs as ISO strings, UTC).

        Keys: ``objects``, ``element_sets``, ``by_type`` (SATCAT type, ``NOT IN SATCAT`` for
        analyst objects), ``by_rcs_size`` (``UNKNOWN`` when the SATCAT has none),
        ``with_mass_estimate``, ``decayed`` (objects with a SATCAT decay date), ``epochs``
        (min/median/max of each object's latest epoch, and min/max over all element sets), row
        counts of ``satcat``, ``size_mass`` (and ``mass_estimates``, ``hbr_estimates`` with a
        value), ``gcat_payloads``, and ``ingests`` with the time of the last one.
        """
        e, s, m = element_sets, satcat, size_mass
        objs = select(e.c.norad_id, func.max(e.c.epoch).label("last")).group_by(e.c.norad_id)
        objs = objs.subquery("objs")
        with self._read() as conn:
            counts = self.counts()
            by_type = conn.execute(
                select(s.c.object_type, func.count())
                .select_from(objs.outerjoin(s, s.c.norad_id == objs.c.norad_id))
                .group_by(s.c.object_type)
            ).all()
            by_rcs = conn.execute(
                select(s.c.rcs_size, func.count())
                .select_from(objs.outerjoin(s, s.c.norad_id == objs.c.norad_id))
                .group_by(s.c.rcs_size)
            ).all()
            with_mass = conn.execute(
                select(func.count())
                .select_from(objs.join(m, m.c.norad_id == objs.c.norad_id))
                .where(m.c.mass_kg.is_not(None))
            ).scalar_one()
            decayed = conn.execute(
                select(func.count())
                .select_from(objs.join(s, s.c.norad_id == objs.c.norad_id))
                .where(s.c.decay_date.is_not(None))
            ).scalar_one()
            latest = sorted(conn.execute(select(objs.c.last)).scalars())
            first_all, last_all = conn.execute(
                select(func.min(e.c.epoch), func.max(e.c.epoch))
            ).one()
            mass_rows = conn.execute(
                select(func.count()).select_from(m).where(m.c.mass_kg.is_not(None))
            ).scalar_one()
            hbr_rows = conn.execute(
                select(func.count()).select_from(m).where(m.c.hbr_m.is_not(None))
            ).scalar_one()
            last_ingest = conn.execute(select(func.max(ingests.c.finished_at))).scalar_one()

        def iso(t: datetime | None) -> str | None:
            return t.isoformat() if t is not None else None

        median = None
        if latest:
            stamps = [t.timestamp() for t in latest]
            median = datetime.fromtimestamp(statistics.median(stamps), UTC)
        return {
            "objects": counts["objects"],
            "element_sets": counts["element_sets"],
            "by_type": _sorted_counts(by_type, "NOT IN SATCAT"),
            "by_rcs_size": _sorted_counts(by_rcs, "UNKNOWN"),
            "with_mass_estimate": with_mass,
            "decayed": decayed,
            "epochs": {
                "latest_min": iso(latest[0]) if latest else None,
                "latest_median": iso(median),
                "latest_max": iso(latest[-1]) if latest else None,
                "all_min": iso(first_all),
                "all_max": iso(last_all),
            },
            "satcat": counts["satcat"],
            "size_mass": counts["size_mass"],
            "mass_estimates": mass_rows,
            "hbr_estimates": hbr_rows,
            "gcat_payloads": counts["gcat_payloads"],
            "ingests": counts["ingests"],
            "last_ingest": iso(last_ingest),
            "store": self.url,
        }


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

# record type -> (table, columns filled from the record, upsert key or None for insert-only)
_TABLES: dict[type, tuple[Table, tuple[str, ...], str | None]] = {
    ElementSet: (element_sets, schema.ELEMENT_COLUMNS, None),
    SatcatEntry: (satcat, schema.SATCAT_COLUMNS, "norad_id"),
    SizeMassEstimate: (size_mass, schema.SIZE_MASS_COLUMNS, "norad_id"),
    GcatPayload: (gcat_payloads, schema.GCAT_COLUMNS, "jcat"),
}


def _on_conflict(ins: Any, table: Table, columns: tuple[str, ...], key: str | None) -> Any:
    """``ON CONFLICT DO NOTHING`` (key None), else update only the rows whose values differ."""
    if key is None:
        return ins.on_conflict_do_nothing()
    values = [c for c in columns if c != key]
    return ins.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={**{c: ins.excluded[c] for c in values}, "ingest_id": ins.excluded.ingest_id},
        where=or_(*(table.c[c].is_distinct_from(ins.excluded[c]) for c in values)),
    )


def _count(conn: Connection, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _chunk_written(conn: Connection, table: str, rows: int) -> None:
    """Called inside the open write transaction after each chunk; does nothing.

    A seam for the crash test, which replaces it to stop the process mid-transaction.
    """


def _element_cols() -> list[Any]:
    return [element_sets.c[name] for name in schema.ELEMENT_COLUMNS]


def _element_set(row: Any) -> ElementSet:
    return ElementSet(**row._mapping)


def _latest_stmt(ids: Sequence[int] | None, as_of: datetime | None) -> Select[Any]:
    """Newest element set per object with epoch ≤ as_of: a group-by max joined back on the key."""
    e = element_sets
    newest = select(e.c.norad_id, func.max(e.c.epoch).label("epoch"))
    if as_of is not None:
        newest = newest.where(e.c.epoch <= as_of)
    if ids is not None:
        newest = newest.where(e.c.norad_id.in_(ids))
    sub = newest.group_by(e.c.norad_id).subquery("newest")
    return (
        select(*_element_cols())
        .join(sub, and_(e.c.norad_id == sub.c.norad_id, e.c.epoch == sub.c.epoch))
        .order_by(e.c.norad_id)
    )


def _window_stmt(ids: Sequence[int] | None, start: datetime, strict: bool) -> Select[Any]:
    """Per object: the newest epoch ≤ start (``w_before``) and the oldest after (``w_after``),
    joined back to the chosen set — ``w_before``, else (not ``strict``) ``w_after``. In strict
    mode the join is an outer one, so objects without a set before ``start`` come back with
    NULL columns (and their ``w_id``) to be counted, not silently lost."""
    e = element_sets
    span = select(
        e.c.norad_id.label("w_id"),
        func.max(case((e.c.epoch <= start, e.c.epoch))).label("w_before"),
        func.min(case((e.c.epoch > start, e.c.epoch))).label("w_after"),
    )
    if ids is not None:
        span = span.where(e.c.norad_id.in_(ids))
    sub = span.group_by(e.c.norad_id).subquery("window")
    chosen = sub.c.w_before if strict else func.coalesce(sub.c.w_before, sub.c.w_after)
    on = and_(e.c.norad_id == sub.c.w_id, e.c.epoch == chosen)
    return (
        select(*_element_cols(), sub.c.w_id, sub.c.w_before, sub.c.w_after)
        .select_from(sub.outerjoin(e, on) if strict else sub.join(e, on))
        .order_by(sub.c.w_id)
    )


def _sorted_counts(rows: Iterable[Any], none_label: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for label, n in rows:
        key = label if label is not None else none_label
        out[key] = out.get(key, 0) + n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def _row_record(cls: type, row: Any, prefix: str, columns: tuple[str, ...]) -> Any:
    return cls(**{c: row._mapping[f"{prefix}{c}"] for c in columns})


def _object_infos(conn: Connection, ids: Sequence[int] | None) -> list[ObjectInfo]:
    """One query joining each object's span, latest name, SATCAT and CARA rows; GCAT by id."""
    e, s, m = element_sets, satcat, size_mass
    span = select(
        e.c.norad_id,
        func.count().label("n"),
        func.min(e.c.epoch).label("first"),
        func.max(e.c.epoch).label("last"),
    )
    if ids is not None:
        span = span.where(e.c.norad_id.in_(ids))
    span = span.group_by(e.c.norad_id).subquery("span")
    cols = [
        span.c.norad_id, span.c.n, span.c.first, span.c.last,
        e.c.object_name.label("es_name"), e.c.object_id.label("es_object_id"),
        s.c.norad_id.label("s_present"),
        *(s.c[c].label(f"s_{c}") for c in schema.SATCAT_COLUMNS if c != "norad_id"),
        m.c.norad_id.label("m_present"),
        *(m.c[c].label(f"m_{c}") for c in schema.SIZE_MASS_COLUMNS if c != "norad_id"),
    ]
    stmt = (
        select(*cols)
        .select_from(
            span.join(e, and_(e.c.norad_id == span.c.norad_id, e.c.epoch == span.c.last))
            .outerjoin(s, s.c.norad_id == span.c.norad_id)
            .outerjoin(m, m.c.norad_id == span.c.norad_id)
        )
        .order_by(span.c.norad_id)
    )
    rows = conn.execute(stmt).all()
    gq = select(gcat_payloads).where(gcat_payloads.c.norad_id.is_not(None))
    if ids is not None:
        gq = gq.where(gcat_payloads.c.norad_id.in_(ids))
    gcat: dict[int, GcatPayload] = {}
    for g in conn.execute(gq.order_by(gcat_payloads.c.jcat)):
        gcat.setdefault(g.norad_id, _row_record(GcatPayload, g, "", schema.GCAT_COLUMNS))
    out = []
    for r in rows:
        nid = r.norad_id
        sat = None
        if r.s_present is not None:
            sat = SatcatEntry(
                norad_id=nid,
                **{c: r._mapping[f"s_{c}"] for c in schema.SATCAT_COLUMNS if c != "norad_id"},
            )
        est = None
        if r.m_present is not None:
            est = SizeMassEstimate(
                norad_id=nid,
                **{c: r._mapping[f"m_{c}"] for c in schema.SIZE_MASS_COLUMNS if c != "norad_id"},
            )
        out.append(
            ObjectInfo(
                norad_id=nid,
                name=(sat.object_name if sat and sat.object_name else None) or r.es_name,
                object_id=(sat.object_id if sat and sat.object_id else None) or r.es_object_id,
                element_sets=r.n,
                first_epoch=_utc(r.first),
                last_epoch=_utc(r.last),
                satcat=sat,
                size_mass=est,
                gcat=gcat.get(nid),
            )
        )
    return out


def _utc(value: Any) -> datetime:
    """Aggregates (min/max) of the epoch column, as tz-aware UTC whatever the driver returns."""
    if isinstance(value, str):  # SQLite text, if a driver skips the type's result processor
        value = datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
