"""Service fixtures: a store (SQLite, and PostgreSQL under the ``postgres`` marker) holding a
small slice of the real 2023-10 catalog, apps on it, crews with keys, and a real uvicorn server
on loopback.

PostgreSQL comes from the shared fixtures of ``tests/conftest.py`` (``$SWEEPERS_TEST_PG_URL`` or
one throwaway cluster for the whole session).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sweepers.catalog.ingest import ingest_files
from sweepers.service.app import create_app
from sweepers.service.auth import create_crew
from sweepers.service.db import open_store

CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"
SATCAT = "satcat/spacetrack_satcat_current_2025-03-16.json"
# The first 120 objects of the file (Vanguard 1 onwards: mixed regimes and types), the ISS
# and three vehicles docked to it in 2023-10 (Cygnus NG-19, Progress MS-24, Dragon Endurance),
# and Kosmos 1833 with two SL-16 fragments near 71° (the planner tests' trio).
FIRST_N = 120
EXTRA_IDS = {25544, 57488, 57691, 57697, 17589, 22416, 22375}


def catalog_slice(shared_data: Path, folder: Path) -> Path:
    """A 3LE file with :data:`FIRST_N` + :data:`EXTRA_IDS` objects of the real catalog."""
    lines = (shared_data / CATALOG).read_text().splitlines()
    picked: list[str] = []
    for k in range(0, len(lines) - 2, 3):
        field = lines[k + 1][2:7]
        nid = int(field) if field.strip().isdigit() else -1  # Alpha-5 ids: not wanted
        if k // 3 < FIRST_N or nid in EXTRA_IDS:
            picked += lines[k : k + 3]
    path = folder / "slice.3le"
    path.write_text("\n".join(picked) + "\n")
    return path


def satcat_slice(shared_data: Path, folder: Path, ids: set[int]) -> Path:
    """The SATCAT (2025-03 current file) rows of ``ids``, as a JSON file."""
    rows = json.loads((shared_data / SATCAT).read_text())
    path = folder / "satcat.json"
    path.write_text(json.dumps([r for r in rows if int(r["NORAD_CAT_ID"]) in ids]))
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of an empty SQLite database (for tests that need only one dialect)."""
    return f"sqlite:///{tmp_path / 'service.sqlite'}"


@pytest.fixture
def catalog_url(db_url: str, shared_data: Path, tmp_path: Path) -> str:
    """``db_url`` with the catalog slice ingested and the service tables migrated."""
    with open_store(db_url) as store:
        elements = catalog_slice(shared_data, tmp_path)
        ids = {int(line[2:7]) for line in elements.read_text().splitlines()
               if line.startswith("1 ")}
        report = ingest_files(store, [elements, satcat_slice(shared_data, tmp_path, ids)])
        assert all(f.error is None and not f.rejected for f in report.files)
    return db_url


@pytest.fixture
def app(catalog_url: str) -> Iterator[FastAPI]:
    """The service on the catalog slice (rate limit high enough not to interfere)."""
    application = create_app(catalog_url, rate_limit="1000/1000")
    yield application
    application.state.services.store.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process client of :func:`app`."""
    with TestClient(app) as c:
        yield c


def new_crew(app: FastAPI, name: str) -> dict[str, str]:
    """Create a crew directly in the store; the bearer header of its captain."""
    _, key = create_crew(app.state.services.engine, name)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def crews(app: FastAPI) -> tuple[dict[str, str], dict[str, str]]:
    """Two crews, "alpha" and "bravo": their captains' auth headers."""
    return new_crew(app, "alpha"), new_crew(app, "bravo")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread (real sockets, real HTTP)."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def live(app: FastAPI) -> Iterator[LiveServer]:
    """The app on a real loopback server."""
    with LiveServer(app) as server:
        yield server


def get_json(url: str, headers: dict[str, str]) -> object:
    """GET ``url`` and decode JSON (raises on HTTP errors)."""
    r = httpx.get(url, headers=headers, timeout=30)
    r.raise_for_status()
    return r.json()
