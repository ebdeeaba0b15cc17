"""Alembic environment of the service tables (run by :func:`sweepers.service.db.migrate`).

A chain of its own beside the catalog's (version table ``alembic_version_service``): the catalog
store knows nothing of crews, and its schema test keeps comparing only its own tables.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from sweepers.service.models import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic CLI
    raise RuntimeError("service migrations run through sweepers.service.db.migrate()")

if connection.dialect.name == "postgresql":
    # Two processes (server and worker) opening a fresh database at once.
    connection.execute(text("SELECT pg_advisory_xact_lock(5427002)"))

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
