"""Placeholder of the web console mount (the console's own module replaces this file).

:func:`mount_console` serves the built console from ``console_dist/`` at ``/`` when it holds an
``index.html``, else a small page pointing to the API docs. It is mounted last, after every API
route, so it never shadows one.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DIST = Path(__file__).resolve().parent / "console_dist"

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>sweepers</title></head>
<body><h1>sweepers operations service</h1>
<p>The console is not built into this installation. The API: <a href="/docs">/docs</a>
(OpenAPI: <a href="/openapi.json">/openapi.json</a>).</p></body></html>"""


def mount_console(app: FastAPI) -> None:
    """Serve the console at ``/`` (static files), or a page linking ``/docs``."""
    if (DIST / "index.html").is_file():
        app.mount("/", StaticFiles(directory=DIST, html=True), name="console")
        return

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(_PAGE)
