"""Alembic environment of the catalog store.

Run programmatically by :func:`sweepers.catalog.store.migrate` with an open connection passed in
``config.attributes["connection"]``; there is no ``alembic.ini`` for users. Developers write a new
revision by hand in ``versions/`` (``down_revision`` = the previous one) and keep
``sweepers.catalog.schema`` in step; ``tests/catalog/test_store.py`` checks that the two agree.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from sweepers.catalog.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic CLI
    raise RuntimeError("sweepers migrations run through sweepers.catalog.store.migrate()")

if connection.dialect.name == "postgresql":
    # Two processes opening a fresh database at once must not both create the tables.
    connection.execute(text("SELECT pg_advisory_xact_lock(5427001)"))

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER TABLE via copy-and-move
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
