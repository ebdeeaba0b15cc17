"""The web console's static files, served by the operations service at ``/``.

The console (sources in ``console/`` at the repository root, an npm + Vite project) is built into
``console_dist/`` beside this module and that build is committed, so ``pip install`` and
``sweepers serve`` give a working console on a machine without Node. Rebuild after changing the
sources: ``cd console && npm ci && npm run build`` (the build is reproducible: same sources, same
bytes).

:func:`mount_console` is called last by the app factory, after every API route, so the catch-all
static mount never shadows one. The page reads everything through ``/api/v1``; it loads nothing
from another origin (no CDN, no map tiles, no tokens).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import numpy as np
from fastapi import APIRouter, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.types import Receive, Scope, Send

from sweepers.epochs import datetime64_to_jd
from sweepers.orbits.frames import teme_to_gcrs_matrix
from sweepers.service.common import Problem, ReaderDep

DIST = Path(__file__).resolve().parent / "console_dist"
MAX_FRAME_EPOCHS = 2001

_MISSING = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>sweepers</title></head>
<body><h1>sweepers operations service</h1>
<p>The console is not built into this installation (no <code>console_dist/index.html</code>);
build it with <code>cd console &amp;&amp; npm ci &amp;&amp; npm run build</code>.
The API: <a href="/docs">/docs</a> (OpenAPI: <a href="/openapi.json">/openapi.json</a>).</p>
</body></html>"""


class _ConsoleFiles(StaticFiles):
    """Static files with cache headers: hashed ``assets/*`` never change (a year, immutable);
    the page itself is revalidated on every load so a new build is picked up at once."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        immutable = scope.get("path", "").startswith("/assets/")

        async def send_with_cache(message: dict) -> None:  # type: ignore[type-arg]
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                value = b"public, max-age=31536000, immutable" if immutable else b"no-cache"
                headers.append((b"cache-control", value))
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_with_cache)


frames_router = APIRouter(prefix="/api/v1/frames", tags=["frames"])


class FrameMatrices(BaseModel):
    """Rotation matrices ``r_TEME = M · r_GCRS`` (row-major, 9 numbers) at UTC epochs."""

    from_frame: str = "GCRS"
    to_frame: str = "TEME"
    epochs: list[datetime]
    matrices: list[Annotated[list[float], Field(min_length=9, max_length=9)]]


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


@frames_router.get("/teme-from-gcrs", response_model=FrameMatrices,
                   responses={400: {"model": Problem}})
def teme_from_gcrs(
    who: ReaderDep,
    start: Annotated[datetime, Query(description="first epoch, UTC")],
    stop: Annotated[datetime | None, Query(description="last epoch, UTC (default: start)")]
    = None,
    step_s: Annotated[float, Query(ge=60, le=30 * 86400, description="spacing [s]")] = 3600.0,
) -> FrameMatrices:
    """GCRS → TEME rotations from ``start`` every ``step_s`` to the first epoch at or after
    ``stop`` (at most 2,001): the transpose of :func:`sweepers.orbits.frames.teme_to_gcrs_matrix`
    (IAU 2006/2000A precession-nutation and the GMST82 − ERA angle; UT1 = UTC). The console turns
    the planner's inertial (GCRF/ICRF/EME2000) CZML into its TEME world with them; the matrices
    change by < 0.01″ per hour, so interpolating between hourly ones is exact to millimetres."""
    t0 = _utc(start)
    t1 = _utc(stop) if stop is not None else t0
    lo, hi = datetime(1957, 10, 4, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    if not (lo <= t0 <= hi and lo <= t1 <= hi):
        raise HTTPException(400, "start and stop must lie between 1957-10-04 and 2100-01-01")
    if t1 < t0:
        raise HTTPException(400, "stop must not come before start")
    n = math.ceil((t1 - t0).total_seconds() / step_s - 1e-9) + 1
    if n > MAX_FRAME_EPOCHS:
        raise HTTPException(400, f"at most {MAX_FRAME_EPOCHS} epochs per request "
                                 f"({n} asked): widen step_s")
    epochs = [t0 + timedelta(seconds=k * step_s) for k in range(n)]
    jd, fr = datetime64_to_jd(np.array([t.replace(tzinfo=None) for t in epochs],
                                       dtype="datetime64[us]"))
    teme_from = np.swapaxes(teme_to_gcrs_matrix(jd, fr), -1, -2)
    return FrameMatrices(epochs=epochs,
                         matrices=[[float(x) for x in m.ravel()] for m in teme_from])


def mount_console(app: FastAPI) -> None:
    """The console's frames route under ``/api/v1``, then the built console at ``/``
    (``index.html`` for ``/``), or a page linking ``/docs`` when this installation has no
    build."""
    from sweepers.service.app import COMMON_RESPONSES

    app.include_router(frames_router, responses=COMMON_RESPONSES)
    if (DIST / "index.html").is_file():
        app.mount("/", _ConsoleFiles(directory=DIST, html=True), name="console")
        return

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(_MISSING)
