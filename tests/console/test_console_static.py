"""The built console as the service serves it (no browser): ``/`` is the page, its hashed assets
are served with a year's immutable cache and the page itself revalidated, every file the page
loads is local (no CDN, no third-party origin), and the static mount does not shadow the API."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sweepers.service.app import create_app
from sweepers.service.console import DIST


@pytest.fixture
def client() -> Iterator[TestClient]:
    db = f"sqlite:///{Path(tempfile.mkdtemp(prefix='sweepers-console-static-')) / 's.sqlite'}"
    app = create_app(db)
    yield TestClient(app)
    app.state.services.store.close()


def test_page_and_assets_are_served_with_cache_headers(client: TestClient):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assets = re.findall(r'(?:src|href)="\./(assets/[^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for a in assets:
        r = client.get(f"/{a}")
        assert r.status_code == 200, a
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    # the SGP4 worker is loaded by the page's script: it must be in the build and served
    workers = sorted(p.name for p in (DIST / "assets").glob("sgp4.worker-*.js"))
    assert len(workers) == 1 and client.get(f"/assets/{workers[0]}").status_code == 200


def test_nothing_loads_from_another_origin():
    files = [p for p in DIST.rglob("*") if p.is_file()]
    assert files
    for p in files:
        text = p.read_text("utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), p.name


def test_api_routes_are_not_shadowed_by_the_console(client: TestClient):
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/me").status_code == 401  # the API, asking for a key
    assert client.get("/api/v1/catalog/elements").json() == []  # the API (a public read)
    assert client.get("/openapi.json").json()["info"]["title"]
    assert client.get("/no-such-file.js").status_code == 404
