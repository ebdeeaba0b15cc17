"""``sweepers worker``: take jobs from the queue and run them (library calls), renewing the
job's lease and recording its progress from a heartbeat thread, until stopped.

Each loop also reaps jobs of dead workers (:func:`sweepers.service.jobs.reap`), starts the
scheduled catalog refresh when it is due (:mod:`sweepers.service.refresh`) and sends pending
webhooks (:mod:`sweepers.service.webhooks`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sweepers.catalog.store import CatalogStore
from sweepers.errors import SweepersError
from sweepers.service import jobs

log = logging.getLogger("sweepers.service.worker")

IDLE_SLEEP_S = 0.5


@dataclass
class JobContext:
    """What a job handler gets: the store, the job's row and params, and a progress callback
    ``progress(percent, stage)`` (the heartbeat thread writes the latest to the row)."""

    store: CatalogStore
    job: Any
    params: dict[str, Any]
    _state: dict[str, Any] = field(default_factory=dict)

    def progress(self, percent: float, stage: str) -> None:
        """Report progress [%] and the current stage."""
        self._state["progress"] = float(percent)
        self._state["stage"] = stage


Handler = Callable[[JobContext], dict[str, Any]]


def probe(ctx: JobContext) -> dict[str, Any]:
    """A diagnostic job: wait ``seconds`` [s] in steps, reporting progress (used to check the
    queue, leases and progress streaming end to end without any physics)."""
    seconds = float(ctx.params.get("seconds", 1.0))
    steps = max(1, int(seconds / 0.1))
    for k in range(steps):
        ctx.progress(100.0 * k / steps, f"step {k + 1} of {steps}")
        time.sleep(seconds / steps)
    return {"slept_s": seconds}


def handlers() -> dict[str, Handler]:
    """Job kinds and their handlers."""
    from sweepers.service.plans import run_plan
    from sweepers.service.refresh import run_refresh

    return {"probe": probe, "plan": run_plan, "refresh": run_refresh}


def worker_name() -> str:
    """``host:pid`` of this worker."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def run_one(store: CatalogStore, lease_s: float = 30.0,
            kinds: dict[str, Handler] | None = None) -> int | None:
    """Reap, then take and run one job; returns its id (None when the queue is empty)."""
    engine = store.engine
    jobs.reap(engine)
    me = worker_name()
    job = jobs.take(engine, me, lease_s)
    if job is None:
        return None
    ctx = JobContext(store, job, json.loads(job.params))
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(lease_s / 3.0):
            try:
                jobs.renew(engine, job.id, me, lease_s, ctx._state.get("progress"),
                           ctx._state.get("stage"))
            except Exception:  # a missed beat is retried; the lease covers 3 of them
                log.exception("heartbeat of job %s failed", job.id)

    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    handler = (kinds or handlers()).get(job.kind)
    try:
        if handler is None:
            raise SweepersError(f"unknown job kind {job.kind!r}")
        result = handler(ctx)
    except Exception as exc:
        stop.set()
        beat.join()
        detail = str(exc) if isinstance(exc, SweepersError | ValueError) else (
            f"{type(exc).__name__}: {exc}")
        log.error("job %s (%s) failed: %s\n%s", job.id, job.kind, detail, traceback.format_exc())
        jobs.finish(engine, job.id, me, error=detail)
        return job.id
    stop.set()
    beat.join()
    jobs.finish(engine, job.id, me, result=result)
    return job.id


def run_worker(store: CatalogStore, *, once: bool = False, lease_s: float = 30.0,
               tick: Callable[[CatalogStore], None] | None = None) -> None:
    """Run jobs until interrupted (``once``: until the queue is empty). ``tick(store)`` runs
    each loop (default: the refresh schedule and webhook deliveries)."""
    from sweepers.service.refresh import schedule_due
    from sweepers.service.webhooks import deliver_due

    def default_tick(s: CatalogStore) -> None:
        schedule_due(s.engine)
        deliver_due(s.engine)

    tick = tick or default_tick
    while True:
        if not once:
            tick(store)
        ran = run_one(store, lease_s)
        if ran is None:
            if once:
                return
            time.sleep(IDLE_SLEEP_S)
