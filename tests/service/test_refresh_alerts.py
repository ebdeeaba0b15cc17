"""Catalog refresh from a real loopback HTTP server, the shared upstream budget (replayed),
re-screening a ship and its alerts: a docked pair reported once as a persistent proximity,
delivered by the SSE stream and by a signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text as sql_text
from sqlalchemy import update

from sweepers import formats
from sweepers.catalog.ingest import ingest_files
from sweepers.formats import oem as oem_codec
from sweepers.formats.omm import write_omm_json
from sweepers.orbits.sgp4_batch import propagate
from sweepers.service.app import create_app
from sweepers.service.db import open_store, write
from sweepers.service.jobs import enqueue
from sweepers.service.models import deliveries
from sweepers.service.refresh import PER_HOUR, PER_MINUTE, reserve_upstream
from sweepers.service.webhooks import deliver_due
from sweepers.service.worker import run_worker

from .conftest import catalog_slice, new_crew

# Cygnus NG-19, Progress MS-24 and Dragon Endurance were docked to the ISS in October 2023
ISS, CYGNUS, PROGRESS, DRAGON = 25544, 57488, 57691, 57697


class Upstream:
    """A CelesTrak-compatible loopback server: GP queries answer ``body``; requests counted."""

    def __init__(self, body: bytes) -> None:
        outer = self
        self.paths: list[str] = []
        self.hooks: list[tuple[dict[str, str], bytes]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # the webhook receiver
                data = self.rfile.read(int(self.headers["Content-Length"]))
                outer.hooks.append((dict(self.headers), data))
                self.send_response(500 if len(outer.hooks) == 1 else 204)  # first one fails
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def world(db_url: str, shared_data: Path, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FastAPI, Upstream]]:
    """A store with the catalog slice minus the ISS; upstream serves the ISS's element set."""
    path = catalog_slice(shared_data, tmp_path)
    records = formats.parse_bytes(path.read_bytes(), str(path), "tle").records
    iss = [r for r in records if r.norad_id == ISS]
    without = tmp_path / "without_iss.json"
    without.write_text(write_omm_json([r for r in records if r.norad_id != ISS]))
    with open_store(db_url) as store:
        ingest_files(store, [without])
    upstream = Upstream(write_omm_json(iss).encode())
    monkeypatch.setenv("SWEEPERS_CELESTRAK_URL", upstream.url)
    app = create_app(db_url, rate_limit="1000/1000")
    yield app, upstream
    upstream.close()
    app.state.services.store.close()


def riding_oem(app: FastAPI, norad_id: int, hours: float = 24.0) -> tuple[str, datetime]:
    """A ship's trajectory riding object ``norad_id``: its SGP4 states (TEME) every 60 s."""
    es = app.state.services.store.latest([norad_id])[0]
    t0 = np.datetime64(es.epoch.replace(tzinfo=None), "us")
    t = t0 + (np.arange(0, hours * 3600 + 1, 60) * 1e6).astype("timedelta64[us]")
    eph = propagate([es], t)
    seg = oem_codec.OemSegment(
        object_name="SHIP", object_id="SHIP-1", center_name="EARTH", ref_frame="TEME",
        time_system="UTC", start_time=t[0], stop_time=t[-1], epochs=t,
        positions_km=eph.r[0], velocities_km_s=eph.v[0], interpolation="HERMITE",
        interpolation_degree=5)
    return oem_codec.dumps_kvn(oem_codec.Oem(originator="test", segments=[seg],
                                             creation_date=t0)), es.epoch


def test_budget_replay() -> None:
    """30 requests in a minute and 300 in an hour, then refusals saying how long to wait."""
    with open_store(f"sqlite:///{tempfile.mkdtemp()}/b.sqlite") as store:
        engine = store.engine
        t0 = datetime(2026, 1, 1, tzinfo=UTC)
        assert all(reserve_upstream(engine, "u", t0) == 0 for _ in range(PER_MINUTE))
        wait = reserve_upstream(engine, "u", t0 + timedelta(seconds=10))
        assert 49.9 < wait <= 50.0  # the first of the minute leaves the window at t0 + 60 s
        granted = PER_MINUTE
        t = t0
        while t + timedelta(seconds=1) < t0 + timedelta(hours=1):  # one attempt a second,
            t += timedelta(seconds=1)  # for the rest of the hour that began at t0
            granted += reserve_upstream(engine, "u", t) == 0
        assert granted == PER_HOUR
        with engine.connect() as conn:
            times = [r[0] for r in conn.execute(sql_text("SELECT at FROM upstream_requests"))]
        stamps = sorted(datetime.fromisoformat(str(x)).timestamp() for x in times)
        assert len(stamps) == PER_HOUR
        for k in range(len(stamps) - PER_MINUTE):  # no 60 s window ever held 31
            assert stamps[k + PER_MINUTE] - stamps[k] >= 60
        assert reserve_upstream(engine, "u", t0 + timedelta(hours=1)) == 0  # t0's slot freed


def test_refresh_alerts_once_and_delivers(world: tuple[FastAPI, Upstream]) -> None:
    app, upstream = world
    alpha = new_crew(app, "alpha")
    client = TestClient(app)
    ship = client.post("/api/v1/ships", headers=alpha, json={
        "name": "Tug", "dry_mass_kg": 500, "propellant_kg": 100, "isp_s": 300,
        "start_norad_id": CYGNUS}).json()
    text, epoch = riding_oem(app, CYGNUS)
    put = client.put(f"/api/v1/ships/{ship['id']}/trajectory", content=text, headers=alpha)
    assert put.status_code == 200, put.text
    hook = client.post("/api/v1/webhooks", json={"url": f"{upstream.url}/hook"},
                       headers=alpha).json()
    engine = app.state.services.engine
    for _ in range(2):  # the same refresh twice: idempotent ingest, no second alert
        with write(engine) as conn:
            enqueue(conn, "refresh", {"groups": ["stations"], "as_of": epoch.isoformat()},
                    crew_id=None, max_attempts=1)
        run_worker(app.state.services.store, once=True)
    assert len(upstream.paths) == 2 and "GROUP=stations" in upstream.paths[0]
    got = client.get("/api/v1/alerts", headers=alpha).json()
    by_object = {a["secondary_id"]: a for a in got}
    # the ship rides Cygnus, docked to the ISS with two other visitors: one proximity each
    # (the ISS known only once the refresh brought its element set), none from the repeat
    assert set(by_object) == {CYGNUS, ISS, PROGRESS, DRAGON} and len(got) == 4
    assert all(a["kind"] == "proximity" for a in got)
    assert by_object[ISS]["relative_speed_km_s"] < 0.01 and by_object[ISS]["miss_km"] < 5
    cdm = client.get(f"/api/v1/alerts/{by_object[ISS]['id']}/cdm", headers=alpha).text
    assert "CCSDS_CDM_VERS" in cdm and "25544" in cdm
    bravo = new_crew(app, "bravo")
    assert client.get("/api/v1/alerts", headers=bravo).json() == []
    assert client.get(f"/api/v1/alerts/{got[0]['id']}", headers=bravo).status_code == 404
    # the stream replays from a cursor, then stays open
    with client.stream("GET", "/api/v1/alerts/stream", params={"after": 0},
                       headers=alpha) as stream:
        seen = []
        for line in stream.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:])["id"])
            if len(seen) == len(got):
                break
    assert seen == [a["id"] for a in got]
    # webhooks: first POST answered 500, retried after the backoff with the same key
    assert deliver_due(engine) == 4
    assert len(upstream.hooks) == 4
    with write(engine) as conn:  # let the 2 s backoff pass without waiting
        conn.execute(update(deliveries).values(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC)))
    deliver_due(engine)
    keys = [h["Idempotency-Key"] for h, _ in upstream.hooks]
    assert len(keys) == 5 and keys[4] == keys[0] and len(set(keys)) == 4
    for headers, body in upstream.hooks:
        mac = hmac.new(hook["secret"].encode(),
                       headers["X-Sweepers-Timestamp"].encode() + b"." + body, hashlib.sha256)
        assert headers["X-Sweepers-Signature"] == "sha256=" + mac.hexdigest()


def test_refresh_status_says_whether_the_schedule_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sentence ``sweepers serve`` and ``sweepers worker`` log at startup."""
    from sweepers.errors import SweepersError
    from sweepers.service.refresh import refresh_status

    monkeypatch.delenv("SWEEPERS_REFRESH_S", raising=False)
    off = refresh_status()
    assert off.startswith("scheduled catalog refresh is off") and "SWEEPERS_REFRESH_S=3600" in off
    monkeypatch.setenv("SWEEPERS_REFRESH_S", "600")
    monkeypatch.setenv("SWEEPERS_CELESTRAK_URL", "http://127.0.0.1:9/")
    assert refresh_status().startswith("scheduled catalog refresh every 600 s from "
                                       "http://127.0.0.1:9 ")
    monkeypatch.setenv("SWEEPERS_REFRESH_S", "hourly")
    with pytest.raises(SweepersError, match="SWEEPERS_REFRESH_S='hourly'"):
        refresh_status()
