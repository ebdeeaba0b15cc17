"""Opening the service database: the catalog store (migrated by :class:`CatalogStore`) plus the
service tables (migrated here, their own Alembic chain). Write transactions and the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from sweepers.catalog.store import CatalogStore, mask_url
from sweepers.errors import StoreError
from sweepers.service.models import VERSION_TABLE, audit_log

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def utcnow() -> datetime:
    """The current UTC time, tz-aware."""
    return datetime.now(UTC)


def migrate(engine: Engine) -> None:
    """Bring the service tables to the newest revision (no-op when current)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        current = set(ctx.get_current_heads())
    if current == heads:
        return
    if current - heads and not current <= heads:
        known = {r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()}
        if current - known:
            raise StoreError(f"service schema of {mask_url(str(engine.url))} is newer than this "
                             f"sweepers ({sorted(current - known)}); upgrade sweepers")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(url: str | None = None) -> CatalogStore:
    """The catalog store at ``url`` (default ``$SWEEPERS_DB``) with the service tables migrated.
    """
    store = CatalogStore.open(url)
    try:
        migrate(store.engine)
    except Exception:
        store.close()
        raise
    return store


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """One write transaction (``BEGIN IMMEDIATE`` on SQLite: writers queue, never upgrade)."""
    with engine.connect().execution_options(sweepers_write=True) as conn, conn.begin():
        yield conn


def audit(conn: Connection, action: str, subject: str, *, crew_id: int | None,
          member_id: int | None, subject_id: int | None = None, norad_id: int | None = None,
          **detail: Any) -> None:
    """Append one row to the audit log, inside the caller's transaction (so the log and the
    change commit together or not at all)."""
    conn.execute(audit_log.insert().values(
        at=utcnow(), crew_id=crew_id, member_id=member_id, action=action, subject=subject,
        subject_id=subject_id, norad_id=norad_id, detail=json.dumps(detail, default=str)))
