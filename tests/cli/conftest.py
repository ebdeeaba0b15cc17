"""Fixtures of the CLI tests that other test packages own: a valid three-debris mission
(``tests/gtoc9/conftest.py``) on GTOC9's real debris table (``debris``, ``tests/conftest.py``)."""

from pathlib import Path

from gtoc9.conftest import legs, valid_events
from salvage.conftest import three_line_records
from sweepers.catalog.ingest import ingest_files
from sweepers.catalog.store import CatalogStore

__all__ = ["legs", "small_store", "valid_events", "write_three_line"]


def write_three_line(shared_data: Path, ids: object, folder: Path) -> Path:
    """``folder/few.txt``: the 3LE records of ``ids`` from the bundled catalog."""
    path = folder / "few.txt"
    path.write_text("\n".join(three_line_records(shared_data, ids)) + "\n")
    return path


def small_store(folder: Path, files: list[Path]) -> str:
    """URL of a new SQLite store in ``folder`` holding ``files``, every record accepted."""
    url = f"sqlite:///{folder / 'store.sqlite'}"
    with CatalogStore.open(url) as store:
        report = ingest_files(store, files)
        assert all(f.error is None and not f.rejected for f in report.files)
    return url
