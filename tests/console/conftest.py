"""Fixtures of the console's browser tests: a real ``sweepers serve`` on loopback over a small
SQLite test store, a crew key, and Debian's Chromium driven by Playwright (never a downloaded
browser: ``executable_path`` points at /usr/bin/chromium, which ``.ci/run`` installs).

The test store holds a sample of the bundled Space-Track 3LE catalog (Oct 2023): every 100th
record plus the ISS, Vanguard 2 and its rocket body, and one member of each of three debris
clouds, with the Space-Track SATCAT for object types. Screenshots of the main views go to
``$SWEEPERS_ARTIFACTS`` (default ``<tmp>/sweepers-artifacts/console``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sweepers.config import data_dir
from sweepers.formats.alpha5 import decode_alpha5

CHROMIUM = os.environ.get("SWEEPERS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"
SATCAT = "satcat/spacetrack_satcat_current_2025-03-16.json"
DIST = Path(__file__).resolve().parents[2] / "src" / "sweepers" / "service" / "console_dist"
# The clock of every test: the catalog's median epoch (data/catalog/README.md), so that SGP4
# propagates over hours, not years.
T0 = "2023-10-09T12:00:00Z"
# ISS; Vanguard 2 and its rocket body; one debris of each cloud: Fengyun 1C (1999-025X),
# Iridium 33 (1997-051L), Cosmos 2251 (1993-036E); a ship's start (17589) and a salvage target
# (22416), the pair of the service's plan-job test — names and designators from the 3LE file
EXTRA_IDS = (25544, 11, 12, 29733, 33773, 33757, 17589, 22416)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _sweepers() -> list[str]:
    return [sys.executable, "-m", "sweepers.cli.main"]


def _run(*args: str) -> str:
    out = subprocess.run([*_sweepers(), *args], capture_output=True, text=True, timeout=300,
                         env=os.environ.copy())
    if out.returncode not in (0, 3):
        raise RuntimeError(f"sweepers {' '.join(args)} failed ({out.returncode}): {out.stderr}")
    return out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sample_3le(path: Path) -> list[int]:
    """Write the test store's 3LE sample; return its catalog numbers in file order."""
    lines = (data_dir() / CATALOG).read_text("ascii").splitlines()
    records = [lines[k:k + 3] for k in range(0, len(lines) - 2, 3) if lines[k].startswith("0 ")]
    keep = [r for k, r in enumerate(records)
            if k % 100 == 0 or decode_alpha5(r[1][2:7]) in EXTRA_IDS]
    path.write_text("\n".join("\n".join(r) for r in keep) + "\n", encoding="ascii")
    return [decode_alpha5(r[1][2:7]) for r in keep]


class Service:
    """A running ``sweepers serve`` on loopback, with one crew's captain key."""

    def __init__(self, base: str, db: str, key: str, crew: str, ids: list[int]) -> None:
        self.base, self.db, self.key, self.crew, self.ids = base, db, key, crew, ids

    def client(self, key: str | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.base + "/api/v1", timeout=60,
                            headers={"Authorization": f"Bearer {key or self.key}"})

    def new_crew(self, name: str) -> tuple[str, str]:
        out = json.loads(_run("crew", "add", name, "--json", "--db", self.db))
        return out["crew"], out["api_key"]

    def where(self, ids: list[int], at: str, frame: str) -> dict[int, list[float]]:
        """``sweepers where --json`` positions [km] by catalog number (the reference)."""
        out = json.loads(_run("where", *map(str, ids), "--at", at, "--frame", frame, "--json",
                              "--db", self.db))
        rows = out["states"] if isinstance(out, dict) else out  # {epoch, frame, ..., states}
        return {r["norad_id"]: r["r_km"] for r in rows if r["status"] == "OK"}


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    if not (data_dir() / CATALOG).is_file():
        pytest.fail(f"bundled catalog not found under SWEEPERS_DATA ({data_dir()})")
    if not (DIST / "index.html").is_file():
        pytest.fail("console not built: cd console && npm ci && npm run build")
    tmp = Path(tempfile.mkdtemp(prefix="sweepers-console-test-"))
    db = f"sqlite:///{tmp / 'store.sqlite'}"
    ids = sample_3le(tmp / "sample.tle")
    _run("catalog", "ingest", "--db", db, str(tmp / "sample.tle"), str(data_dir() / SATCAT))
    crew = json.loads(_run("crew", "add", "console-test", "--json", "--db", db))
    port = _free_port()
    log = (tmp / "serve.log").open("w")
    proc = subprocess.Popen([*_sweepers(), "serve", "--db", db, "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("sweepers serve did not start: "
                                   + (tmp / "serve.log").read_text()[-2000:])
            time.sleep(0.3)
        yield Service(base, db, crew["api_key"], crew["crew"], ids)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright import sync_api  # a declared test dependency: missing is a failure, not a skip

    if not Path(CHROMIUM).is_file():  # fail loudly: a skip would pass the console untested
        pytest.fail(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    d = Path(os.environ.get("SWEEPERS_ARTIFACTS",
                            Path(tempfile.gettempdir()) / "sweepers-artifacts")) / "console"
    d.mkdir(parents=True, exist_ok=True)
    return d


class ConsolePage:
    """One browser tab on the console, logged in, with its console errors collected."""

    def __init__(self, page: Any, service: Service) -> None:
        self.page, self.service = page, service
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def open(self, query: str = f"t={T0}&paused=1", key: str | None = None,
             login: bool = True) -> None:
        """Load the page (it needs no key: the catalog is public) and, unless ``login`` is
        False, log in with ``key`` (default the crew's captain) and wait for the crew's layers."""
        self.page.goto(f"{self.service.base}/?{query}")
        if login:
            self.page.fill("#key", key or self.service.key)
            self.page.click("#login-btn")
        self.page.wait_for_function("() => window.sweepersConsole && window.sweepersConsole.ready",
                                    timeout=120_000)
        if login:
            self.page.wait_for_function("() => window.sweepersConsole.crewReady", timeout=60_000)
        self.wait_fresh()

    def wait_fresh(self) -> None:
        """Wait until the drawn span covers the clock (keyframes computed for its time)."""
        self.page.wait_for_function("() => window.sweepersConsole.spanFresh", timeout=60_000)

    def state(self, name: str) -> Any:
        return self.page.evaluate(f"() => window.sweepersConsole.{name}")

    def position(self, norad: int) -> dict[str, Any] | None:
        return self.page.evaluate("n => window.sweepersConsole.position(n)", norad)


@pytest.fixture
def console(browser: Any, service: Service) -> Iterator[ConsolePage]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    cp = ConsolePage(page, service)
    yield cp
    ctx.close()
