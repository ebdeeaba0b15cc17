"""CelesTrak fetch against a real HTTP server on 127.0.0.1 serving real files and failures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from sweepers.catalog.fetch import Query, fetch_into
from sweepers.catalog.store import CatalogStore
from sweepers.errors import FetchError

CLOUDS = "catalog/debris-clouds"
SLOW_S = 3.0  # the slow endpoint sleeps this long; the client times out after 0.5 s


class _Handler(BaseHTTPRequestHandler):
    data: Path  # set on the subclass made per server

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/plain",
              length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        group, fmt = q.get("GROUP", ""), q.get("FORMAT", "")
        clouds = self.data / CLOUDS
        if url.path == "/satcat/records.php" and q.get("CATNR") == "5":
            rows = json.loads((self.data / "satcat/spacetrack_satcat_current_2025-03-16.json")
                              .read_bytes())
            return self._send(200, json.dumps(rows[:1]).encode(), "application/json")
        if url.path != "/NORAD/elements/gp.php":
            return self._send(404, b"Not Found")
        if group == "fengyun-1c-debris" and fmt == "json":
            body = (clouds / "celestrak_gp_fengyun-1c-debris_2026-08.json").read_bytes()
            return self._send(200, body, "application/json")
        if group == "cosmos-1408-debris" and fmt == "tle":
            return self._send(200, (clouds / "celestrak_cosmos-1408-debris_2025-02.txt")
                              .read_bytes())
        if group == "nodata":
            return self._send(200, b"No GP data found")
        if group.startswith("status-"):
            return self._send(int(group[7:]), b"<html>busy</html>", "text/html")
        if group == "slow":
            time.sleep(SLOW_S)
            return self._send(200, b"[]", "application/json")
        if group == "html":
            return self._send(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>",
                              "text/html")
        if group == "truncated":
            body = (clouds / "celestrak_gp_cosmos-1408-debris_2026-08.json").read_bytes()
            return self._send(200, body[: len(body) // 2], "application/json")
        if group == "cut-off":  # promises more bytes than it sends, then hangs up
            return self._send(200, b'[{"OBJECT_NAME":', "application/json", length=100_000)
        return self._send(404, b"Not Found")


@pytest.fixture(scope="module")
def celestrak(shared_data: Path) -> Iterator[str]:
    """Base URL of a local fake CelesTrak on an ephemeral port."""
    handler = type("Handler", (_Handler,), {"data": shared_data})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_json_and_tle_into_store(store: CatalogStore, celestrak: str,
                                       tmp_path: Path) -> None:
    out = tmp_path / "fy1c.json"
    report = fetch_into(store, Query.make(group="fengyun-1c-debris"), base=celestrak, out=out)
    assert report.added == 1938 and report.rejected == [] and report.format == "omm-json"
    assert out.read_bytes().startswith(b"[{") and not list(tmp_path.glob(".*.part"))
    tle = fetch_into(store, Query.make(group="cosmos-1408-debris", fmt="tle"), base=celestrak)
    assert tle.added == 10
    log = store.ingest_log()
    assert log[0].source == f"{celestrak}/NORAD/elements/gp.php?GROUP=fengyun-1c-debris&FORMAT=json"
    again = fetch_into(store, Query.make(group="fengyun-1c-debris"), base=celestrak)
    assert again.added == 0 and again.duplicates == 1938


def test_fetch_satcat_and_env_base_url(store: CatalogStore, celestrak: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWEEPERS_CELESTRAK_URL", celestrak)
    report = fetch_into(store, Query.make(catnr=5, satcat=True))
    assert report.added == 1 and store.counts()["satcat"] == 1


@pytest.mark.parametrize(
    ("group", "message"),
    [
        ("status-404", "not found (HTTP 404)"),
        ("status-500", "server error (HTTP 500"),
        ("status-503", "server error (HTTP 503"),
        ("slow", "no answer within 0.5 s"),
        ("html", "got an HTML page, not JSON"),
        ("truncated", "body is not valid JSON"),
        ("nodata", "CelesTrak says 'No GP data found' for GP GROUP=nodata"),
        ("cut-off", "connection broke before the full body arrived"),
    ],
)
def test_failures_write_nothing(store: CatalogStore, celestrak: str, tmp_path: Path,
                                group: str, message: str) -> None:
    out = tmp_path / "saved" / "out.json"
    before = store.counts()
    with pytest.raises(FetchError) as err:
        fetch_into(store, Query.make(group=group), base=celestrak, out=out, timeout_s=0.5)
    assert message in str(err.value)
    assert store.counts() == before
    assert not out.parent.exists() or list(out.parent.iterdir()) == []  # no file, no temporary


def test_connection_refused_and_bad_queries(store: CatalogStore) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect"):
        fetch_into(store, Query.make(group="x"), base=f"http://127.0.0.1:{port}")
    with pytest.raises(ValueError, match="exactly one"):
        Query.make(group="a", catnr=5)
    with pytest.raises(ValueError, match="SATCAT data come as json or csv"):
        Query.make(catnr=5, satcat=True, fmt="tle")
    assert Query.make(intdes="1998-067", fmt="csv").url("https://x.org/") == (
        "https://x.org/NORAD/elements/gp.php?INTDES=1998-067&FORMAT=csv"
    )
