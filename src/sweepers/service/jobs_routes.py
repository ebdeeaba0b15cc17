"""Jobs of the crew: poll one, or stream its progress (server-sent events)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select

from sweepers.service.common import CallerDep, IdPath, Problem, ServicesDep
from sweepers.service.models import jobs
from sweepers.service.ships import own_row

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])
POLL_S = 0.25


class JobOut(BaseModel):
    """A job: kind, state, progress [%] and stage, attempts, error or result."""

    id: int
    kind: str
    status: str
    progress: float
    stage: str
    attempts: int
    max_attempts: int
    error: str | None
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_out(row: Any) -> JobOut:
    """The API form of a ``jobs`` row."""
    return JobOut(id=row.id, kind=row.kind, status=row.status, progress=row.progress,
                  stage=row.stage, attempts=row.attempts, max_attempts=row.max_attempts,
                  error=row.error, result=json.loads(row.result) if row.result else None,
                  created_at=row.created_at, started_at=row.started_at,
                  finished_at=row.finished_at)


@router.get("", response_model=list[JobOut])
def list_jobs(who: CallerDep, svc: ServicesDep) -> list[JobOut]:
    """Your crew's jobs, newest first (at most 200)."""
    with svc.engine.connect() as conn:
        rows = conn.execute(select(jobs).where(jobs.c.crew_id == who.crew_id)
                            .order_by(jobs.c.id.desc()).limit(200)).all()
    return [job_out(r) for r in rows]


@router.get("/{job_id}", response_model=JobOut, responses={404: {"model": Problem}})
def get_job(job_id: IdPath, who: CallerDep, svc: ServicesDep) -> JobOut:
    """One of your crew's jobs."""
    return job_out(own_row(svc, jobs, job_id, who.crew_id, "job"))


@router.get("/{job_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}, 404: {"model": Problem}})
def job_events(job_id: IdPath, who: CallerDep, svc: ServicesDep) -> StreamingResponse:
    """Server-sent events: the job's state each time it changes, until it is done or failed."""
    own_row(svc, jobs, job_id, who.crew_id, "job")

    async def stream() -> AsyncIterator[str]:
        last = None
        while True:
            row = await asyncio.to_thread(own_row, svc, jobs, job_id, who.crew_id, "job")
            now = job_out(row).model_dump_json()
            if now != last:
                yield f"event: job\ndata: {now}\n\n"
                last = now
            if row.status in ("done", "failed"):
                return
            await asyncio.sleep(POLL_S)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
