"""The FastAPI application: :func:`create_app` wires the store, the key verifier, rate limits,
metrics, structured access logs, every router under ``/api/v1`` and, last, the console."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text

from sweepers import __version__
from sweepers.catalog.store import CatalogStore
from sweepers.errors import StoreError
from sweepers.service import (
    alerts,
    catalog_routes,
    claims,
    crew_routes,
    jobs_routes,
    ships,
    webhooks,
)
from sweepers.service.auth import KeyVerifier
from sweepers.service.common import Problem, RateLimiter, Services
from sweepers.service.console import mount_console
from sweepers.service.db import open_store

log = logging.getLogger("sweepers.service.access")

DEFAULT_RATE = "20/200"
"""Per-key rate limit ``RATE/BURST``: requests per second sustained, and at once
(``$SWEEPERS_RATE_LIMIT`` overrides)."""

COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "a parameter that cannot be used (cursor, range)"},
    401: {"model": Problem, "description": "missing, unknown or revoked key"},
    403: {"model": Problem, "description": "the key's role may not do this"},
    429: {"model": Problem, "description": "over the key's rate limit (see Retry-After)"},
}


def _rate(setting: str | None) -> tuple[float, float]:
    text_ = setting or os.environ.get("SWEEPERS_RATE_LIMIT") or DEFAULT_RATE
    rate, _, burst = text_.partition("/")
    try:
        r, b = float(rate), float(burst or rate)
    except ValueError:
        raise StoreError(f"rate limit {text_!r}: want RATE/BURST, e.g. 20/200") from None
    if r <= 0 or b < 1:
        raise StoreError(f"rate limit {text_!r}: rate > 0 and burst >= 1")
    return r, b


def create_app(db_url: str | None = None, *, store: CatalogStore | None = None,
               rate_limit: str | None = None) -> FastAPI:
    """The service on the database at ``db_url`` (default ``$SWEEPERS_DB``, the CLI's store).

    ``rate_limit``: ``"RATE/BURST"`` per API key (default ``$SWEEPERS_RATE_LIMIT`` or
    :data:`DEFAULT_RATE`). The store is opened (and migrated) now.
    """
    store = store or open_store(db_url)
    svc = Services(store=store, verifier=KeyVerifier(store.engine),
                   limiter=RateLimiter(*_rate(rate_limit)))
    app = FastAPI(title="sweepers operations service", version=__version__,
                  description="Crews, exclusive salvage claims, ships, plans, jobs and "
                              "conjunction alerts. Authenticate with `Authorization: Bearer KEY`.")
    app.state.services = svc
    registry = CollectorRegistry()
    requests_total = Counter("sweepers_http_requests_total", "HTTP requests",
                             ["method", "route", "status"], registry=registry)
    latency = Histogram("sweepers_http_request_seconds", "HTTP request latency [s]",
                        ["method", "route"], registry=registry)
    app.state.metrics = registry

    @app.middleware("http")
    async def observe(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        t0 = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            dt = time.perf_counter() - t0
            route = getattr(request.scope.get("route"), "path", "unmatched")
            requests_total.labels(request.method, route, str(status)).inc()
            latency.labels(request.method, route).observe(dt)
            who = getattr(request.state, "caller", None)
            if log.isEnabledFor(logging.INFO):  # never the key: only its public id
                log.info(json.dumps({
                    "method": request.method, "route": route, "path": request.url.path,
                    "status": status, "ms": round(dt * 1e3, 2),
                    "crew": who.crew if who else None, "key_id": who.key_id if who else None}))

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": f"database unavailable: {exc}"}, status_code=503)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        """Liveness and database reachability."""
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    @app.get("/metrics", tags=["service"], response_class=Response)
    def metrics() -> Response:
        """Prometheus metrics (text exposition format)."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    for router in (crew_routes.router, claims.router, catalog_routes.router, ships.router,
                   jobs_routes.router, alerts.router, webhooks.router):
        app.include_router(router, responses=COMMON_RESPONSES)
    mount_console(app)  # last: the console's "/" must not shadow an API route
    return app



def app_from_env() -> FastAPI:
    """The app on ``$SWEEPERS_DB`` (the factory ``sweepers serve`` gives uvicorn)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return create_app()
