"""Webhooks: a crew registers URLs; each alert is POSTed to each of them, signed, retried with
exponential backoff, with an idempotency key so a receiver can drop repeats.

Request: ``POST url`` with the alert JSON; headers ``Idempotency-Key`` (one per alert and
webhook, the same on every retry), ``X-Sweepers-Timestamp`` (Unix seconds) and
``X-Sweepers-Signature: sha256=HEX`` — HMAC-SHA256 with the webhook's secret over
``TIMESTAMP + "." + BODY``. A 2xx answer delivers; anything else (or no answer) is retried after
2, 4, 8, … s (at most 1 h) up to :data:`MAX_ATTEMPTS` times, then marked failed. A worker takes
a delivery by moving its next attempt :data:`SEND_LEASE_S` ahead in one conditional UPDATE, so
two workers never send the same attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select, update

from sweepers.service.alerts import alert_payload
from sweepers.service.common import CallerDep, IdPath, Problem, ServicesDep, WriterDep, not_found
from sweepers.service.db import audit, utcnow, write
from sweepers.service.models import alerts, deliveries, webhooks

MAX_ATTEMPTS = 8
SEND_LEASE_S = 60.0
TIMEOUT_S = 10.0

router = APIRouter(prefix="/api/v1/webhooks", tags=["alerts"])


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=HEX``: HMAC-SHA256 of ``timestamp + "." + body`` under ``secret``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff_s(attempts: int) -> float:
    """Delay before attempt ``attempts + 1`` [s]: 2, 4, 8, … capped at one hour."""
    return float(min(2 ** attempts, 3600))


def deliver_due(engine: Engine, client: httpx.Client | None = None) -> int:
    """Send every delivery whose time has come; returns how many were attempted."""
    now = utcnow()
    with engine.connect() as conn:
        due = conn.execute(select(deliveries.c.id).where(deliveries.c.status == "pending",
                                                         deliveries.c.next_attempt_at <= now)
                           .order_by(deliveries.c.id).limit(100)).scalars().all()
    sent = 0
    http = client or httpx.Client(timeout=TIMEOUT_S)
    try:
        for delivery_id in due:
            sent += _attempt(engine, http, delivery_id, now)
    finally:
        if client is None:
            http.close()
    return sent


def _attempt(engine: Engine, http: httpx.Client, delivery_id: int, now: datetime) -> int:
    with write(engine) as conn:
        taken = conn.execute(update(deliveries).where(
            deliveries.c.id == delivery_id, deliveries.c.status == "pending",
            deliveries.c.next_attempt_at <= now).values(
            next_attempt_at=now + timedelta(seconds=SEND_LEASE_S))).rowcount
        if taken != 1:
            return 0
        d = conn.execute(select(deliveries, webhooks.c.url, webhooks.c.secret)
                         .join(webhooks, webhooks.c.id == deliveries.c.webhook_id)
                         .where(deliveries.c.id == delivery_id)).one()
        alert = conn.execute(select(alerts).where(alerts.c.id == d.alert_id)).one()
    body = json.dumps({"type": "alert", "alert": alert_payload(alert)}).encode()
    stamp = str(int(time.time()))
    error = None
    try:
        r = http.post(d.url, content=body, headers={
            "Content-Type": "application/json", "Idempotency-Key": d.idempotency_key,
            "X-Sweepers-Timestamp": stamp, "X-Sweepers-Signature": sign(d.secret, stamp, body)})
        if not 200 <= r.status_code < 300:
            error = f"HTTP {r.status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    attempts = d.attempts + 1
    if error is None:
        values: dict[str, Any] = {"status": "delivered", "delivered_at": utcnow()}
    elif attempts >= MAX_ATTEMPTS:
        values = {"status": "failed", "last_error": error}
    else:
        values = {"last_error": error,
                  "next_attempt_at": utcnow() + timedelta(seconds=backoff_s(attempts))}
    with write(engine) as conn:
        conn.execute(update(deliveries).where(deliveries.c.id == delivery_id)
                     .values(attempts=attempts, **values))
    return 1


class WebhookIn(BaseModel):
    """A URL to POST the crew's alerts to."""

    url: str = Field(pattern=r"^https?://", max_length=2000)


class WebhookOut(BaseModel):
    """A webhook; ``secret`` (the HMAC key) only in the answer that creates it."""

    id: int
    url: str
    active: bool
    created_at: datetime
    secret: str | None = None


@router.post("", status_code=201, response_model=WebhookOut)
def create_webhook(body: WebhookIn, who: WriterDep, svc: ServicesDep) -> WebhookOut:
    """Register a webhook; keep the returned secret to check signatures (shown once)."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    with write(svc.engine) as conn:
        hook_id = conn.execute(webhooks.insert().returning(webhooks.c.id).values(
            crew_id=who.crew_id, url=body.url, secret=secret, active=True,
            created_at=now)).scalar_one()
        audit(conn, "webhook.create", "webhook", crew_id=who.crew_id, member_id=who.member_id,
              subject_id=hook_id, url=body.url)
    return WebhookOut(id=hook_id, url=body.url, active=True, created_at=now, secret=secret)


@router.get("", response_model=list[WebhookOut])
def list_webhooks(who: CallerDep, svc: ServicesDep) -> list[WebhookOut]:
    """Your crew's webhooks (without secrets)."""
    with svc.engine.connect() as conn:
        rows = conn.execute(select(webhooks).where(webhooks.c.crew_id == who.crew_id)
                            .order_by(webhooks.c.id)).all()
    return [WebhookOut(id=r.id, url=r.url, active=r.active, created_at=r.created_at)
            for r in rows]


@router.delete("/{hook_id}", response_model=WebhookOut, responses={404: {"model": Problem}})
def delete_webhook(hook_id: IdPath, who: WriterDep, svc: ServicesDep) -> WebhookOut:
    """Stop sending to a webhook (pending deliveries are dropped)."""
    with write(svc.engine) as conn:
        row = conn.execute(select(webhooks).where(webhooks.c.id == hook_id,
                                                  webhooks.c.crew_id == who.crew_id)).first()
        if row is None:
            raise not_found("webhook", hook_id)
        conn.execute(update(webhooks).where(webhooks.c.id == hook_id).values(active=False))
        conn.execute(update(deliveries).where(deliveries.c.webhook_id == hook_id,
                                              deliveries.c.status == "pending")
                     .values(status="failed", last_error="webhook deleted"))
        audit(conn, "webhook.delete", "webhook", crew_id=who.crew_id, member_id=who.member_id,
              subject_id=hook_id)
    return WebhookOut(id=row.id, url=row.url, active=False, created_at=row.created_at)
