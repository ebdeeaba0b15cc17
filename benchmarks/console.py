"""Benchmark: the console's globe in headless Chromium (software WebGL), against a Cesium baseline.

What is timed, in one run on this machine:

* **first globe** — from navigation to the first frame that draws every object of the bundled
  Space-Track catalog (26,140 objects, Oct 2023): page load, catalog download, SGP4 set-up in the
  web workers, the first two keyframes, the first draw (``window.sweepersConsole.firstPaintMs``);
* **fps ×60** — frames per second animating them at ×60 over ``--seconds`` (requestAnimationFrame
  count in the page, read from ``window.sweepersConsole.fps`` once a second, median of the samples);
* the same for **100,000 objects**: the catalog plus synthetic copies whose mean anomaly and node
  are perturbed (so they do not hide behind the originals);
* **baseline, same run**: the same 26,140 objects (and the 100,000) drawn as Cesium entities
  (``console/baseline/``: one ``Entity`` with a ``PointGraphics`` per object, its position a
  ``SampledPositionProperty`` of SGP4 samples — the CZML way), same browser, same flags, same ×60.

The page is served by a static loopback server that answers the same ``/api/v1/catalog/...`` paths
as ``sweepers serve`` with a snapshot built here from the bundled files (element sets from the 3LE
file, object types from the Space-Track SATCAT): it measures the page, not the service, whose
speed is ``benchmarks/service_load.py``'s. The WebGL renderer string is printed (SwiftShader on this
machine: no GPU). The last line printed is a JSON summary.

Usage: ``python benchmarks/console.py [--seconds 8] [--skip-baseline] [--skip-100k]``
Needs the built console (``cd console && npm ci && npm run build``; the build is committed) and, for
the baseline, ``console/node_modules`` (``npm ci``) for Cesium's prebuilt files.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import statistics
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from sweepers.config import data_dir
from sweepers.formats import parse_satcat, parse_tle
from sweepers.formats.omm import element_set_to_omm

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "src" / "sweepers" / "service" / "console_dist"
BASELINE = ROOT / "console" / "dist-baseline"
CESIUM = ROOT / "console" / "node_modules" / "cesium" / "Build" / "Cesium"
SATJS = ROOT / "console" / "node_modules" / "satellite.js" / "dist"
CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"
SATCAT = "satcat/spacetrack_satcat_current_2025-03-16.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def bundled_snapshot() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The bundled catalog as CelesTrak OMM JSON records, and one object item (type) per record."""
    base = data_dir()
    parsed = parse_tle((base / CATALOG).read_bytes(), CATALOG)
    if parsed.rejected:
        raise SystemExit(f"{len(parsed.rejected)} catalog records rejected: {parsed.rejected[0]}")
    sat = parse_satcat((base / SATCAT).read_bytes(), SATCAT)
    types = {e.norad_id: e.object_type for e in sat.records}
    omms = [element_set_to_omm(es) for es in parsed.records]
    objects = [{"norad_id": o["NORAD_CAT_ID"], "name": o["OBJECT_NAME"],
                "object_id": o["OBJECT_ID"],
                "object_type": types.get(o["NORAD_CAT_ID"]) or "UNKNOWN"} for o in omms]
    return omms, objects


def synthetic(omms: list[dict[str, Any]], objects: list[dict[str, Any]], n: int,
              seed: int = 15) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``n`` records: the catalog, then copies with mean anomaly and node shifted at random and
    catalog numbers from 800,000,000 up (never real ones)."""
    rng = random.Random(seed)
    out, objs = list(omms), list(objects)
    k = 0
    while len(out) < n:
        src = omms[k % len(omms)]
        copy = dict(src)
        copy["NORAD_CAT_ID"] = 800_000_000 + len(out)
        copy["MEAN_ANOMALY"] = (src["MEAN_ANOMALY"] + rng.uniform(0, 360)) % 360
        copy["RA_OF_ASC_NODE"] = (src["RA_OF_ASC_NODE"] + rng.uniform(-20, 20)) % 360
        out.append(copy)
        objs.append({**objects[k % len(objects)], "norad_id": copy["NORAD_CAT_ID"]})
        k += 1
    return out, objs


class _Handler(SimpleHTTPRequestHandler):
    """Static files; /api/v1/catalog/{elements,objects}, claims, me, ships, alerts from memory
    (alerts/stream: an empty event stream);
    /baseline/, /cesium/ and /satellite.js/ from the console's sources and node_modules."""

    routes: ClassVar[dict[str, bytes]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        for prefix, folder in (("/baseline/", BASELINE), ("/cesium/", CESIUM),
                               ("/satellite.js/", SATJS)):
            if path.startswith(prefix):
                return str(folder / path[len(prefix):])
        return str(DIST / path.lstrip("/"))

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/api/v1/alerts/stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b": no alerts in the benchmark\n\n")
            return
        body = self.routes.get(path)
        if body is None:
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(omms: list[dict[str, Any]], objects: list[dict[str, Any]]) -> ThreadingHTTPServer:
    """A loopback server for one snapshot; its port is ``server.server_address[1]``."""
    routes = {
        "/api/v1/catalog/elements": json.dumps(omms).encode(),
        "/api/v1/catalog/objects": json.dumps({"items": objects, "next_cursor": None}).encode(),
        "/api/v1/claims": b'{"items": [], "next_cursor": null}',
        "/api/v1/me": b'{"crew": "benchmark", "role": "viewer"}',
        "/api/v1/ships": b"[]",
        "/api/v1/plans": b"[]",
        "/api/v1/alerts": b"[]",
        "/api/v1/targets": b"[]",
    }
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(browser: Any, url: str, n: int, seconds: float,
            timeout_s: float = 180) -> dict[str, Any]:
    """Open ``url``; wait until the page reports its first globe with ``n`` objects; sample fps."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # logged in before the page starts (the key is only read from sessionStorage; the static
    # server accepts any), so first paint does not include typing a key
    page.add_init_script("sessionStorage.setItem('sweepers.apiKey', 'benchmark')")
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(
        "n => window.sweepersConsole && window.sweepersConsole.firstPaintMs != null"
        " && window.sweepersConsole.objects === n", arg=n, timeout=timeout_s * 1000)
    wall_first = time.perf_counter() - t0
    state = page.evaluate("() => ({first: window.sweepersConsole.firstPaintMs,"
                          " renderer: window.sweepersConsole.renderer,"
                          " drawn: window.sweepersConsole.drawn})")
    page.wait_for_timeout(1500)  # let the first second's fps settle
    samples, keyframe_ms = [], []
    for _ in range(int(seconds)):
        page.wait_for_timeout(1000)
        samples.append(page.evaluate("() => window.sweepersConsole.fps"))
        keyframe_ms.append(page.evaluate("() => window.sweepersConsole.lastKeyframeMs || 0"))
    mode = page.evaluate("() => window.sweepersConsole.pointsMode || 'cesium'")
    page.close()
    return {"objects": n, "drawn": state["drawn"], "first_paint_s": state["first"] / 1000,
            "first_paint_wall_s": wall_first, "fps_median": statistics.median(samples),
            "fps_min": min(samples), "fps_samples": samples, "renderer": state["renderer"],
            "points_mode": mode, "keyframe_ms_median": statistics.median(keyframe_ms),
            "console_errors": errors}


def service_positions(runs: int = 3) -> dict[str, float]:
    """The other design, measured: ``sweepers serve`` over the bundled catalog answering
    ``/catalog/positions`` for every object at one instant (its batch SGP4 + JSON), and
    ``/catalog/elements`` (what the page downloads once). Median wall time of ``runs`` requests."""
    import socket
    import subprocess
    import sys
    import tempfile

    import httpx

    tmp = Path(tempfile.mkdtemp(prefix="sweepers-console-bench-"))
    db = f"sqlite:///{tmp / 'store.sqlite'}"
    cli = [sys.executable, "-m", "sweepers.cli.main"]
    subprocess.run([*cli, "catalog", "ingest", "--db", db, str(data_dir() / CATALOG),
                    str(data_dir() / SATCAT)], check=True, capture_output=True)
    key = json.loads(subprocess.run([*cli, "crew", "add", "bench", "--json", "--db", db],
                                    check=True, capture_output=True, text=True).stdout)["api_key"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([*cli, "serve", "--db", db, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        headers = {"Authorization": f"Bearer {key}"}
        out: dict[str, float] = {}
        with httpx.Client(base_url=base + "/api/v1", headers=headers, timeout=300) as c:
            for name, url, params in (
                    ("elements", "/catalog/elements", {}),
                    ("positions_all", "/catalog/positions", {"at": "2023-10-09T12:00:00Z"})):
                times = []
                for _ in range(runs + 1):  # the first request also builds the service's cache
                    t0 = time.perf_counter()
                    r = c.get(url, params=params)
                    r.raise_for_status()
                    times.append(time.perf_counter() - t0)
                out[f"{name}_first_s"] = times[0]
                out[f"{name}_s"] = statistics.median(times[1:])
                out[f"{name}_bytes"] = len(r.content)
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8, help="fps sampling time per case")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-100k", action="store_true")
    ap.add_argument("--baseline-timeout", type=float, default=300,
                    help="seconds the Cesium page gets to draw its first globe")
    ap.add_argument("--skip-service", action="store_true",
                    help="do not time the service's batch positions (the other design)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before the run: {os.getloadavg()[0]:.2f} (2 cores)", flush=True)
    service = None if args.skip_service else service_positions()
    if service:
        print(f"service  /catalog/positions, all objects: {service['positions_all_s']:.2f} s"
              f" ({service['positions_all_bytes'] / 1e6:.1f} MB); /catalog/elements:"
              f" {service['elements_s']:.2f} s ({service['elements_bytes'] / 1e6:.1f} MB;"
              f" the first request, which builds the service's catalog view:"
              f" {service['elements_first_s']:.2f} s)", flush=True)

    omms, objects = bundled_snapshot()
    cases = [("catalog", omms, objects)]
    if not args.skip_100k:
        cases.append(("synthetic100k", *synthetic(omms, objects, 100_000)))
    results: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, o, ob in cases:
            server = serve(o, ob)
            port = server.server_address[1]
            try:
                r = measure(browser, f"http://127.0.0.1:{port}/?speed=60", len(o), args.seconds)
                results[f"console_{name}"] = r
                print(f"console  {name:14s} {len(o):7d} objects  first globe "
                      f"{r['first_paint_s']:.2f} s"
                      f"  fps ×60 median {r['fps_median']:.1f} (min {r['fps_min']:.1f})"
                      f"  errors {len(r['console_errors'])}  points {r['points_mode']}"
                      f"  SGP4 keyframe {r['keyframe_ms_median']:.0f} ms", flush=True)
                g = measure(browser, f"http://127.0.0.1:{port}/?speed=60&points=gpu", len(o),
                            args.seconds)
                results[f"console_gpu_{name}"] = g
                print(f"console  {name:14s} {len(o):7d} objects  first globe "
                      f"{g['first_paint_s']:.2f} s  fps ×60 median {g['fps_median']:.1f}"
                      f" (min {g['fps_min']:.1f})  errors {len(g['console_errors'])}"
                      f"  points {g['points_mode']} (forced)", flush=True)
                if not args.skip_baseline:
                    try:
                        r = measure(browser,
                                    f"http://127.0.0.1:{port}/baseline/index.html?speed=60",
                                    len(o), args.seconds, timeout_s=args.baseline_timeout)
                    except Exception as exc:  # Playwright's TimeoutError: say so, keep going
                        print(f"cesium   {name:14s} {len(o):7d} objects  no first globe within"
                              f" {args.baseline_timeout:.0f} s ({type(exc).__name__})", flush=True)
                        results[f"cesium_{name}"] = {"first_paint_s": None, "fps_median": None,
                                                     "console_errors": []}
                        continue
                    results[f"cesium_{name}"] = r
                    print(f"cesium   {name:14s} {len(o):7d} objects  first globe "
                          f"{r['first_paint_s']:.2f} s  fps ×60 median {r['fps_median']:.1f}"
                          f" (min {r['fps_min']:.1f})  errors {len(r['console_errors'])}",
                          flush=True)
            finally:
                server.shutdown()
        browser.close()
    renderer = results["console_catalog"]["renderer"]
    print(f"renderer: {renderer}")
    c = results["console_catalog"]
    summary: dict[str, Any] = {
        "renderer": renderer,
        "first_paint_s": round(c["first_paint_s"], 3),
        "fps_x60": round(c["fps_median"], 1),
        "bar_first_paint_le_5s": c["first_paint_s"] <= 5, "bar_fps_ge_20": c["fps_median"] >= 20,
        "goal_first_paint_le_2s": c["first_paint_s"] <= 2, "goal_fps_ge_30": c["fps_median"] >= 30,
    }
    if "console_synthetic100k" in results:
        s = results["console_synthetic100k"]
        summary.update({"first_paint_100k_s": round(s["first_paint_s"], 3),
                        "fps_100k_x60": round(s["fps_median"], 1),
                        "goal_100k_fps_ge_20": s["fps_median"] >= 20})
    for name in ("catalog", "synthetic100k"):
        if f"console_gpu_{name}" in results:
            summary[f"gpu_points_{name}_fps_x60"] = round(
                results[f"console_gpu_{name}"]["fps_median"], 1)
        if f"cesium_{name}" in results:
            b = results[f"cesium_{name}"]
            summary[f"cesium_{name}_first_paint_s"] = (
                None if b["first_paint_s"] is None else round(b["first_paint_s"], 3))
            summary[f"cesium_{name}_fps_x60"] = (
                None if b["fps_median"] is None else round(b["fps_median"], 1))
    summary["keyframe_ms"] = round(c["keyframe_ms_median"], 1)
    summary["points_mode"] = c["points_mode"]
    if service:
        summary["service_positions_all_s"] = round(service["positions_all_s"], 3)
        summary["service_elements_s"] = round(service["elements_s"], 3)
        summary["service_elements_cold_s"] = round(service["elements_first_s"], 3)
    summary["load_average_1min_end"] = round(os.getloadavg()[0], 2)
    summary["console_errors"] = sum(len(r["console_errors"]) for r in results.values())
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
