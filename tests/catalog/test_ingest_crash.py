"""``kill -9`` in the middle of a file's transaction leaves the store exactly as before that file.

A real child process ingests two files; the store's per-chunk seam (``_chunk_written``) is
replaced in the child so that it announces itself and sleeps once 10,000 rows of the second file
(the full 3LE catalog) are written inside the open transaction. The parent then SIGKILLs it,
reopens the store and checks counts and integrity, and that the store still takes writes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import text

from sweepers.catalog.ingest import ingest_files
from sweepers.catalog.store import CatalogStore

CHILD = textwrap.dedent(
    """
    import sys, time
    import sweepers.catalog.store as store_module
    from sweepers.catalog.ingest import ingest_files
    from sweepers.catalog.store import CatalogStore

    url, *paths = sys.argv[1:]
    calls = []

    def pause_mid_second_file(conn, table, rows):
        calls.append(rows)
        if len(calls) == 3:  # file 1 is one chunk; file 2 is paused after two chunks
            print("PAUSED", flush=True)
            time.sleep(300)

    store_module._chunk_written = pause_mid_second_file
    ingest_files(CatalogStore.open(url), paths)
    print("FINISHED", flush=True)
    """
)


def test_kill_9_mid_transaction(db_url: str, shared_data: Path) -> None:
    small = shared_data / "catalog/debris-clouds/celestrak_iridium-33-debris_2025-02.txt"
    big = shared_data / "catalog/spacetrack_3le_full_catalog_2023-10.txt"
    CatalogStore.open(db_url).close()  # migrate first, so the child only ingests
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, str(small), str(big)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "PAUSED", f"child did not pause: {line!r} {child.stderr.read()}"  # type: ignore[union-attr]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    with CatalogStore.open(db_url) as store:
        counts = store.counts()
        assert counts["element_sets"] == counts["objects"] == 119  # file 1 only
        assert [Path(e.source).name for e in store.ingest_log()] == [small.name]
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        # the store is not wedged: the interrupted file now goes in whole
        report = ingest_files(store, [big])
        assert report.files[0].added == 26_140 and report.files[0].error is None
        assert store.counts()["element_sets"] == 119 + 26_140
