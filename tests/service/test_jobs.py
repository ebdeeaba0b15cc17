"""The job queue: a worker killed with SIGKILL mid-job loses nothing (the job is re-queued
after its lease, then done by another worker, or failed with the reason when its attempts are
spent); progress is pollable and streamed; a plan job runs the real planner."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from sweepers.formats import oem as oem_codec
from sweepers.service import jobs
from sweepers.service.db import write
from sweepers.service.models import jobs as jobs_table
from sweepers.service.worker import run_one, run_worker

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _job(app: FastAPI, job_id: int) -> object:
    with app.state.services.engine.connect() as conn:
        return conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).one()


def test_sigkill_mid_job_requeues_then_completes(app: FastAPI, catalog_url: str) -> None:
    engine = app.state.services.engine
    with write(engine) as conn:
        job_id = jobs.enqueue(conn, "probe", {"seconds": 4.0}, crew_id=None, max_attempts=2)
    env = {**os.environ, "PYTHONPATH": SRC}
    worker = subprocess.Popen(
        [sys.executable, "-m", "sweepers.cli.main", "worker", "--db", catalog_url,
         "--lease-s", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until the worker has reported progress (heartbeat at lease/3)
            row = _job(app, job_id)
            if row.status == "running" and row.progress > 0:
                break
            assert time.monotonic() < deadline, worker.stderr.read() if worker.poll() else ""
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert _job(app, job_id).status == "running"  # nobody has noticed yet
    time.sleep(2.5)  # the lease (2 s) runs out
    assert jobs.reap(engine) == [(job_id, "queued")]
    row = _job(app, job_id)
    assert row.status == "queued" and row.attempts == 1 and "lost" in row.error
    assert run_one(app.state.services.store, lease_s=5.0) == job_id
    row = _job(app, job_id)
    assert row.status == "done" and row.attempts == 2 and row.progress == 100.0
    assert json.loads(row.result) == {"slept_s": 4.0}


def test_lease_expiry_with_no_attempts_left_fails_with_reason(app: FastAPI) -> None:
    engine = app.state.services.engine
    with write(engine) as conn:
        job_id = jobs.enqueue(conn, "probe", {"seconds": 0.1}, crew_id=None, max_attempts=1)
    taken = jobs.take(engine, "ghost:1", lease_s=60)
    assert taken.id == job_id
    with write(engine) as conn:  # the ghost worker stopped renewing an hour ago
        conn.execute(update(jobs_table).where(jobs_table.c.id == job_id)
                     .values(lease_until=datetime.now(UTC) - timedelta(hours=1)))
    assert jobs.reap(engine) == [(job_id, "failed")]
    row = _job(app, job_id)
    assert row.status == "failed" and "ghost:1 lost" in row.error and "attempt 1 of 1" in row.error
    assert jobs.take(engine, "w:2", lease_s=60) is None  # nothing left to run


def test_plan_job_gives_route_oem_czml_and_claims_it(app: FastAPI, client: TestClient,
                                                     crews: tuple[dict, dict]) -> None:
    alpha, bravo = crews
    ship = client.post("/api/v1/ships", headers=alpha, json={
        "name": "Victory", "dry_mass_kg": 2000, "propellant_kg": 1000, "isp_s": 320,
        "start_norad_id": 17589})
    assert ship.status_code == 201, ship.text
    sid = ship.json()["id"]
    assert client.get(f"/api/v1/ships/{sid}", headers=bravo).status_code == 404
    plan = client.post(f"/api/v1/ships/{sid}/plans", headers=alpha,
                       json={"months": 1, "candidates": [22416]})
    assert plan.status_code == 202
    pid, job_id = plan.json()["id"], plan.json()["job_id"]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=alpha).json()["status"] == "queued"
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bravo).status_code == 404
    run_worker(app.state.services.store, once=True, lease_s=30)
    job = client.get(f"/api/v1/jobs/{job_id}", headers=alpha).json()
    assert job["status"] == "done", job["error"]
    with client.stream("GET", f"/api/v1/jobs/{job_id}/events", headers=alpha) as events:
        text = "".join(events.iter_text())
    assert text.startswith("event: job") and '"status":"done"' in text
    done = client.get(f"/api/v1/plans/{pid}", headers=alpha).json()
    assert [t["id"] for t in done["route"]["targets"]] == ["22416"]
    oem = oem_codec.loads_kvn(client.get(f"/api/v1/plans/{pid}/oem", headers=alpha).text)
    assert {s.ref_frame for s in oem.segments} == {"GCRF"}
    czml = client.get(f"/api/v1/plans/{pid}/czml", headers=alpha).json()
    assert czml[0]["id"] == "document"
    assert client.get(f"/api/v1/plans/{pid}/oem", headers=bravo).status_code == 404
    assert client.get(f"/api/v1/ships/{sid}", headers=alpha).json()["active_plan_id"] == pid
    # bravo takes the target first: the route claim fails whole, then succeeds once released
    held = client.post("/api/v1/claims", json={"norad_id": 22416}, headers=bravo).json()
    lost = client.post(f"/api/v1/plans/{pid}/claim", headers=alpha)
    assert lost.status_code == 409 and lost.json()["holder"] == "bravo"
    client.delete(f"/api/v1/claims/{held['id']}", headers=bravo)
    won = client.post(f"/api/v1/plans/{pid}/claim", headers=alpha)
    assert won.status_code == 201 and len(won.json()) == 1
