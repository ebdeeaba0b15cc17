"""Shared fixtures: the reference-data folder, and stores on SQLite and on PostgreSQL.

Every store test runs on SQLite and on PostgreSQL (``db_url``). PostgreSQL comes from
``$SWEEPERS_TEST_PG_URL`` (a database the test role may create schemas in), or else from a
throwaway cluster started here with ``initdb``/``pg_ctl`` (as the ``postgres`` user when running
as root) on a free port, stopped at session end; one cluster serves the whole session. If neither
works the PostgreSQL cases are skipped with the reason. Each test gets its own schema
(``search_path``), dropped after.
"""


from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, make_url

from sweepers.catalog.store import CatalogStore
from sweepers.config import data_dir

if TYPE_CHECKING:
    from sweepers.gtoc9.debris import DebrisSet


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``$SWEEPERS_DATA`` (default ``../shared/data``); the suite needs it and says so if absent."""
    path = data_dir()
    if not (path / "README.md").exists():
        pytest.fail(f"reference data not found at {path}: set SWEEPERS_DATA")
    return path


@pytest.fixture(scope="session")
def debris(shared_data: Path) -> DebrisSet:
    """The 123 GTOC9 debris from ``$SWEEPERS_DATA/gtoc9/debris.csv`` (also a secular-J2
    ephemeris in km and s since MJD2000: the salvage engine's tests use them as targets)."""
    from sweepers.gtoc9.debris import load_debris  # imported here: most sessions need no GTOC9

    return load_debris(shared_data / "gtoc9" / "debris.csv")


PG_ENV = "SWEEPERS_TEST_PG_URL"


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        if self.bin is None:
            raise RuntimeError("no initdb found (PATH, /usr/lib/postgresql/*/bin)")
        self.root = Path(tempfile.mkdtemp(prefix="sweepers-pg-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            if shutil.which("runuser") is None:
                raise RuntimeError("running as root and runuser is missing")
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise RuntimeError("running as root and there is no 'postgres' user") from exc
            shutil.chown(self.root, "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.port = _free_port()
        self.data = self.root / "data"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                  "postgres", "-E", "UTF8", "--no-sync")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                  str(self.root / "log"), "-w", "-t", "60", "start")
        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE sweepers_test")
        admin.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/sweepers_test"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """Base URL of a PostgreSQL database for tests (or skip, saying why)."""
    env = os.environ.get(PG_ENV)
    if env:
        yield env
        return
    try:
        cluster = _Cluster()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL unavailable: set {PG_ENV} or install initdb ({exc})")
    try:
        url = cluster.start()
    except Exception as exc:  # any failure to start means: skip, and say why
        log = cluster.root / "log"
        tail = log.read_text(errors="replace")[-300:] if log.exists() else ""
        cluster.stop()
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"PostgreSQL unavailable: could not start a local cluster ({exc}; "
                    f"{detail.decode(errors='replace')[-300:]} {tail}); set {PG_ENV}")
    yield url
    cluster.stop()


@pytest.fixture
def pg_schema_url(pg_url: str) -> Iterator[str]:
    """A URL whose connections see a fresh, empty schema first on their search_path."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty store: SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def store(db_url: str) -> Iterator[CatalogStore]:
    """An open, migrated, empty store (both dialects)."""
    s = CatalogStore.open(db_url)
    yield s
    s.close()

