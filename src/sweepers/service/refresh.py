"""Scheduled catalog refresh under one shared upstream budget, then re-screening of every ship's
trajectory and alerts.

Budget: every request to the upstream (CelesTrak-compatible, ``$SWEEPERS_CELESTRAK_URL``) is
first recorded in ``upstream_requests`` inside a write transaction that counts the requests of
the last minute and hour — at most :data:`PER_MINUTE` and :data:`PER_HOUR`, for the whole
service whatever the number of workers (PostgreSQL: the table is locked for the count; SQLite:
writers are serialised anyway). A refused request is not sent.

Schedule: with ``$SWEEPERS_REFRESH_S`` set (seconds between refreshes), workers race to move the
``schedules`` row forward with one conditional UPDATE; the winner queues the refresh job, so a
refresh is queued once per period however many workers run.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, text, update

from sweepers.catalog.fetch import Query, base_url, fetch
from sweepers.catalog.ingest import FileReport, sha256_hex, store_parsed
from sweepers.errors import FetchError, SweepersError
from sweepers.service.db import utcnow, write
from sweepers.service.jobs import enqueue
from sweepers.service.models import schedules, upstream_requests
from sweepers.service.worker import JobContext

PER_MINUTE = 30
PER_HOUR = 300
DEFAULT_GROUPS = ("active",)


def reserve_upstream(engine: Engine, url: str, now: datetime | None = None) -> float:
    """Record one upstream request if the budget allows: 0.0; else the seconds [s] until a
    request would be allowed (nothing recorded)."""
    now = now or utcnow()
    with write(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("LOCK TABLE upstream_requests IN SHARE ROW EXCLUSIVE MODE"))
        minute = conn.execute(select(func.count(), func.min(upstream_requests.c.at))
                              .where(upstream_requests.c.at > now - timedelta(minutes=1))).one()
        hour = conn.execute(select(func.count(), func.min(upstream_requests.c.at))
                            .where(upstream_requests.c.at > now - timedelta(hours=1))).one()
        if minute[0] >= PER_MINUTE:
            return max((minute[1] + timedelta(minutes=1) - now).total_seconds(), 0.001)
        if hour[0] >= PER_HOUR:
            return max((hour[1] + timedelta(hours=1) - now).total_seconds(), 0.001)
        conn.execute(upstream_requests.insert().values(at=now, url=url[:2000]))
    return 0.0


def refresh_period_s() -> float:
    """Seconds between scheduled refreshes (``$SWEEPERS_REFRESH_S``; 0: no schedule)."""
    text_ = os.environ.get("SWEEPERS_REFRESH_S", "").strip()
    if not text_:
        return 0.0
    try:
        period = float(text_)
    except ValueError:
        raise SweepersError(f"SWEEPERS_REFRESH_S={text_!r}: want seconds between refreshes, "
                            "e.g. 3600") from None
    return period if period > 0 else 0.0


def refresh_status() -> str:
    """One sentence for startup logs: is the scheduled refresh on, how often, from where, and
    how to turn it on when it is off."""
    period = refresh_period_s()
    if period <= 0:
        return ("scheduled catalog refresh is off (SWEEPERS_REFRESH_S is not set): no new "
                "element sets and no conjunction re-screening until one is queued; turn it on "
                "with SWEEPERS_REFRESH_S=3600 (seconds between refreshes) in the environment of "
                "`sweepers worker`, and SWEEPERS_CELESTRAK_URL for a CelesTrak-compatible "
                "source other than celestrak.org")
    return (f"scheduled catalog refresh every {period:g} s from {base_url()} (run by "
            f"`sweepers worker`; upstream budget {PER_MINUTE}/min, {PER_HOUR}/h)")


def schedule_due(engine: Engine, now: datetime | None = None) -> int | None:
    """Queue the periodic refresh if due (``$SWEEPERS_REFRESH_S``); returns the job id."""
    period = refresh_period_s()
    if period <= 0:
        return None
    now = now or utcnow()
    with write(engine) as conn:
        row = conn.execute(select(schedules).where(schedules.c.name == "refresh")).first()
        if row is None:
            conn.execute(schedules.insert().values(name="refresh", next_run_at=now))
        moved = conn.execute(update(schedules).where(schedules.c.name == "refresh",
                                                     schedules.c.next_run_at <= now)
                             .values(next_run_at=now + timedelta(seconds=period))).rowcount
        if moved != 1:
            return None
        return enqueue(conn, "refresh", {}, crew_id=None, max_attempts=1)


def run_refresh(ctx: JobContext) -> dict[str, Any]:
    """Refresh job: fetch each group (params ``groups``, default ``$SWEEPERS_REFRESH_GROUPS`` or
    ``active``) within the budget, ingest (idempotent: a known element set is a duplicate), then
    screen every ship and raise alerts (params ``as_of``: screening start, default now)."""
    from sweepers.service.alerts import screen_ships

    env_groups = os.environ.get("SWEEPERS_REFRESH_GROUPS")
    groups = ctx.params.get("groups") or (env_groups.split(",") if env_groups
                                          else list(DEFAULT_GROUPS))
    engine = ctx.store.engine
    fetched: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for k, group in enumerate(groups):
        query = Query.make(group=group.strip(), fmt="json")
        url = query.url(base_url())
        ctx.progress(40.0 * k / len(groups), f"fetching {query.describe()}")
        wait_s = reserve_upstream(engine, url)
        if wait_s > 0:
            skipped.append({"group": group, "reason": f"upstream budget spent; next request "
                                                     f"allowed in {wait_s:.0f} s"})
            continue
        try:
            got = fetch(query)
        except FetchError as exc:
            skipped.append({"group": group, "reason": str(exc)})
            continue
        report = FileReport(path=got.url, format=got.codec, sha256=sha256_hex(got.data),
                            rejected=list(got.parsed.rejected))
        store_parsed(ctx.store, got.parsed.records, report)
        fetched.append({"group": group, "accepted": report.accepted, "added": report.added,
                        "duplicates": report.duplicates, "rejected": len(report.rejected)})
    if not fetched and skipped:
        raise SweepersError("refresh fetched nothing: " + "; ".join(
            f"{s['group']}: {s['reason']}" for s in skipped))
    catalog_at = utcnow()
    ctx.progress(50.0, "screening ships")
    as_of = ctx.params.get("as_of")
    screened = screen_ships(ctx.store, refresh_job_id=ctx.job.id, catalog_at=catalog_at,
                            as_of=datetime.fromisoformat(as_of) if as_of else None,
                            progress=lambda f: ctx.progress(50.0 + 50.0 * f, "screening ships"))
    return {"fetched": fetched, "skipped": skipped, "screening": screened}
