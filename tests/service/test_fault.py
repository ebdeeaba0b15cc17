"""Fault: a real ``sweepers serve`` process killed with SIGKILL in the middle of a burst of
claims. After a restart on the same database every claim that was answered 201 is there, active
and the holder's, and nothing is half-written: each claim row has exactly its one
``claim.create`` audit row (and no audit row points at a claim that does not exist), one active
claim per object at most, and the database itself is intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select, text

from sweepers.service.auth import create_crew
from sweepers.service.db import open_store
from sweepers.service.models import audit_log, claims

from .conftest import free_port

SRC = str(Path(__file__).resolve().parents[2] / "src")
KILL_AFTER = 20  # 201 answers seen before the SIGKILL
THREADS = 12


@contextmanager
def serve(url: str, log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """``sweepers serve --db url`` as a subprocess on a free loopback port, up and healthy."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": SRC, "SWEEPERS_RATE_LIMIT": "10000/10000"}
    env.pop("SWEEPERS_REFRESH_S", None)
    with log.open("ab") as err:
        proc = subprocess.Popen([sys.executable, "-m", "sweepers.cli.main", "serve", "--db", url,
                                 "--port", str(port)], env=env, stdout=err, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()[-2000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up: " + log.read_text()
            time.sleep(0.1)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_sigkill_during_claim_burst_loses_no_granted_claim(catalog_url: str,
                                                           tmp_path: Path) -> None:
    with open_store(catalog_url) as store:
        heads = [{"Authorization": f"Bearer {create_crew(store.engine, f'crew{k}')[1]}"}
                 for k in range(4)]
        objects = sorted(e.norad_id for e in store.latest())
    # every object asked for by two crews: answers are 201 or 409 while the server lives
    burst = [(2 * n + j, (n + j) % 4, nid) for n, nid in enumerate(objects) for j in (0, 1)]
    answers: dict[int, tuple[int, int, object]] = {}  # request → (crew, norad_id, answer)
    granted = threading.Semaphore(0)
    log = tmp_path / "serve.log"
    with serve(catalog_url, log) as (proc, base), httpx.Client(base_url=base, timeout=60) as http:

        def one(job: tuple[int, int, int]) -> None:
            k, crew, nid = job
            try:
                r = http.post("/api/v1/claims", json={"norad_id": nid}, headers=heads[crew])
            except httpx.TransportError as exc:  # cut by the kill, or refused after it
                answers[k] = (crew, nid, type(exc).__name__)
                return
            answers[k] = (crew, nid, (r.status_code, r.json()))
            if r.status_code == 201:
                granted.release()

        with ThreadPoolExecutor(THREADS) as pool:
            for job in burst:
                pool.submit(one, job)
            for _ in range(KILL_AFTER):
                assert granted.acquire(timeout=120), log.read_text()[-2000:]
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert "scheduled catalog refresh is off" in log.read_text()  # the startup log says so

    ok = {k: (crew, nid, a[1]) for k, (crew, nid, a) in answers.items()
          if isinstance(a, tuple) and a[0] == 201}
    codes = {a[0] for _, _, a in answers.values() if isinstance(a, tuple)}
    lost = [a for _, _, a in answers.values() if not isinstance(a, tuple)]
    assert codes <= {201, 409} and len(ok) >= KILL_AFTER
    assert lost, "the kill cut no request: the burst was over before it"
    assert len(answers) == len(burst)

    with serve(catalog_url, log) as (_, base), httpx.Client(base_url=base, timeout=60) as http:
        for crew, nid, body in ok.values():  # every 201 is there, as answered
            got = http.get(f"/api/v1/claims/{body['id']}", headers=heads[crew])
            assert got.status_code == 200, (body, got.text)
            assert got.json()["norad_id"] == nid and got.json()["status"] == "active"
            assert got.json()["until"] == body["until"]
        registry = http.get("/api/v1/claims", params={"limit": 1000}, headers=heads[0]).json()
        held = {c["norad_id"] for c in registry["items"]}
        # the server works again: an object nobody got is claimable, a held one answers 409
        free = sorted(set(objects) - held)
        if free:
            assert http.post("/api/v1/claims", json={"norad_id": free[0]},
                             headers=heads[0]).status_code == 201
        taken = next(iter(ok.values()))
        assert http.post("/api/v1/claims", json={"norad_id": taken[1]},
                         headers=heads[(taken[0] + 1) % 4]).status_code == 409

    with open_store(catalog_url) as store, store.engine.connect() as conn:
        rows = conn.execute(select(claims.c.id, claims.c.crew_id, claims.c.norad_id,
                                   claims.c.status)).all()
        made = conn.execute(select(audit_log.c.subject_id, audit_log.c.crew_id,
                                   audit_log.c.norad_id)
                            .where(audit_log.c.action == "claim.create")).all()
        if store.engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    by_claim = {r.id: (r.crew_id, r.norad_id) for r in rows}
    assert sorted(m.subject_id for m in made) == sorted(by_claim)  # one audit row per claim
    assert all(by_claim[m.subject_id] == (m.crew_id, m.norad_id) for m in made)
    active = [r.norad_id for r in rows if r.status == "active"]
    assert len(active) == len(set(active))
    assert {body["id"] for _, _, body in ok.values()} <= set(by_claim)
