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

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

DIST = Path(__file__).resolve().parent / "console_dist"

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


def mount_console(app: FastAPI) -> None:
    """Serve the built console at ``/`` (``index.html`` for ``/``), or a page linking ``/docs``
    when this installation has no build."""
    if (DIST / "index.html").is_file():
        app.mount("/", _ConsoleFiles(directory=DIST, html=True), name="console")
        return

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(_MISSING)
