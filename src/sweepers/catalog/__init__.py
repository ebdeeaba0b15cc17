"""The catalog: the store of element-set history and object metadata, atomic ingest, and fetch.

Front door::

    from sweepers.catalog import CatalogStore, ingest_files

    with CatalogStore.open() as store:          # $SWEEPERS_DB or the default SQLite file
        report = ingest_files(store, ["catalog.3le"])
        sets = store.latest(as_of=when)          # newest ElementSet per object at `when` (UTC)

Units as in :mod:`sweepers.records`; epochs UTC, tz-aware, microsecond resolution.
"""

from sweepers.catalog.fetch import Query, fetch, fetch_into
from sweepers.catalog.ingest import FileReport, IngestReport, ingest_bytes, ingest_files
from sweepers.catalog.store import CatalogStore, IngestLogEntry, ObjectInfo, WriteCounts

__all__ = [
    "CatalogStore",
    "FileReport",
    "IngestLogEntry",
    "IngestReport",
    "ObjectInfo",
    "Query",
    "WriteCounts",
    "fetch",
    "fetch_into",
    "ingest_bytes",
    "ingest_files",
]
