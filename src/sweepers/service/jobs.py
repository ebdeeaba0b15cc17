"""The persistent job queue: rows of ``jobs``, taken by workers under a lease.

Taking a job is one atomic statement. PostgreSQL: ``UPDATE … WHERE id = (SELECT id … FOR UPDATE
SKIP LOCKED LIMIT 1) RETURNING …`` — concurrent workers skip each other's rows instead of
queueing on them. SQLite has one writer at a time (``BEGIN IMMEDIATE``), so the same UPDATE
without the locking clause is already exclusive. A running job holds a lease (``lease_until``)
that its worker renews while it works (with its progress); a worker that dies — ``kill -9``,
power loss — stops renewing, and :func:`reap` (run by every worker before taking work) puts the
job back in the queue, or marks it failed with the reason once its attempts are spent. A job is
therefore never stuck ``running``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, text, update

from sweepers.service.db import utcnow, write
from sweepers.service.models import jobs

JOB_COLUMNS = ", ".join(c.name for c in jobs.c)


def enqueue(conn: Connection, kind: str, params: dict[str, Any], *, crew_id: int | None,
            max_attempts: int = 3, run_after: datetime | None = None) -> int:
    """Queue a job (inside the caller's transaction); returns its id."""
    now = utcnow()
    return conn.execute(jobs.insert().returning(jobs.c.id).values(
        crew_id=crew_id, kind=kind, params=json.dumps(params), status="queued", attempts=0,
        max_attempts=max_attempts, run_after=run_after or now, progress=0.0, stage="queued",
        created_at=now)).scalar_one()


def take(engine: Engine, worker: str, lease_s: float) -> Any | None:
    """Take the oldest runnable job for ``worker`` (module docstring); None when idle."""
    now = utcnow()
    lock = " FOR UPDATE SKIP LOCKED" if engine.dialect.name == "postgresql" else ""
    stmt = text(
        f"UPDATE jobs SET status = 'running', worker = :worker, attempts = attempts + 1, "
        f"lease_until = :lease, started_at = :now, stage = 'started' "
        f"WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_after <= :now "
        f"ORDER BY id LIMIT 1{lock}) RETURNING {JOB_COLUMNS}"
    ).columns(*jobs.c)
    with write(engine) as conn:
        return conn.execute(stmt, {"worker": worker, "now": now,
                                   "lease": now + timedelta(seconds=lease_s)}).first()


def renew(engine: Engine, job_id: int, worker: str, lease_s: float,
          progress: float | None = None, stage: str | None = None) -> bool:
    """Extend the lease (and record progress [%] and stage); False if the job is no longer this
    worker's (it was reaped)."""
    values: dict[str, Any] = {"lease_until": utcnow() + timedelta(seconds=lease_s)}
    if progress is not None:
        values["progress"] = max(0.0, min(100.0, progress))
    if stage is not None:
        values["stage"] = stage[:64]
    with write(engine) as conn:
        return conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.worker == worker,
                                               jobs.c.status == "running")
                            .values(**values)).rowcount == 1


def finish(engine: Engine, job_id: int, worker: str, result: dict[str, Any] | None = None,
           error: str | None = None) -> bool:
    """Mark a job done (``error`` None) or failed with ``error``; False if it was not ours."""
    values: dict[str, Any] = {"finished_at": utcnow(), "lease_until": None}
    if error is None:
        values.update(status="done", progress=100.0, stage="done",
                      result=json.dumps(result or {}, default=str))
    else:
        values.update(status="failed", stage="failed", error=error[:4000])
    with write(engine) as conn:
        return conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.worker == worker,
                                               jobs.c.status == "running")
                            .values(**values)).rowcount == 1


def reap(engine: Engine) -> list[tuple[int, str]]:
    """Running jobs whose lease ran out: back to the queue, or failed once their attempts are
    spent; returns ``(job id, new status)`` of each."""
    now = utcnow()
    out = []
    with write(engine) as conn:
        lost = conn.execute(select(jobs.c.id, jobs.c.attempts, jobs.c.max_attempts,
                                   jobs.c.worker, jobs.c.lease_until)
                            .where(jobs.c.status == "running", jobs.c.lease_until < now)).all()
        for j in lost:
            why = (f"worker {j.worker} lost (lease expired {j.lease_until.isoformat()}) on "
                   f"attempt {j.attempts} of {j.max_attempts}")
            if j.attempts >= j.max_attempts:
                values = {"status": "failed", "stage": "failed", "finished_at": now,
                          "error": why}
            else:
                values = {"status": "queued", "stage": "queued (retry)", "error": why,
                          "worker": None, "run_after": now}
            conn.execute(update(jobs).where(jobs.c.id == j.id, jobs.c.status == "running")
                         .values(lease_until=None, **values))
            out.append((j.id, values["status"]))
    return out
