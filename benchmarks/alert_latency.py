"""Catalog refresh → conjunction alert delivered to a client, over ten refreshes.

    python benchmarks/alert_latency.py [--refreshes 10] [--db URL]

Set-up (everything real, on 127.0.0.1): a SQLite store (or ``--db``) with the bundled 2023-10
catalog minus ten LEO objects X1…X10 held back; ``sweepers serve`` and ``sweepers worker`` as
subprocesses; a CelesTrak-compatible loopback HTTP server (``$SWEEPERS_CELESTRAK_URL`` of the
worker) answering GP queries with OMM JSON; one crew with one ship whose trajectory (an OEM
uploaded through the API) covers the 7-day screening window: ten 20-minute coast arcs, arc k
crossing the orbit of Xk at a seeded time t_k, 0.4 km above it (radially) at 3.9 km/s relative
speed — a close approach the ship cannot see until Xk is in the catalog — and between them the
ship coasting on (60 s unscreened gaps stand for the manoeuvres). The client listens to
``GET /api/v1/alerts/stream`` (SSE) with the crew's key.

Refresh k: the upstream starts serving X1…Xk (new element sets: Xk's; the earlier ones repeat,
and are ingested as duplicates), a refresh job is queued (as the scheduler does; screening
window from the catalog epoch used to build the trajectory, 7 days) and the clock runs from
that moment until the SSE client has received the alert for Xk. Reported per refresh: latency
[s] and its parts — wait in the queue, the job (fetch, ingest, re-screen the fleet), delivery
(alert written → event received). Median and worst over the refreshes.

Baseline (same run): the floor of the same work in one process with no service — reading the
latest catalog from the store and ``screen_ephemeris`` of the same OEM over the same window.
Bar: worst ≤ 120 s on this machine; goal ≤ 60 s. Anchors: CelesTrak SOCRATES twice a day
(12 h), Space-Track CDMs daily. With ``$SWEEPERS_REFRESH_S`` = P a scheduled refresh adds up to
P of waiting after new element sets are published: not counted here. The last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from sweepers.formats.omm import write_omm_json
from sweepers.records import ElementSet

MU = 398600.4418  # km^3/s^2, WGS-84 (the ship's arcs are two-body; 20 min, no perturbation)
OFFSET_KM = 0.4  # the ship passes this far above Xk (radially)
TURN_DEG = 30.0  # its velocity is Xk's turned by this angle about the radius …
SPEED_RATIO = 0.98  # … and scaled: one crossing, no repeat on the next revolution
ARC_MIN = 10.0  # half-length of each coast arc [min]
SPACING_H = 14.0  # hours between the seeded approaches (10 of them within the 7-day window)


class Upstream:
    """A CelesTrak-compatible loopback server: every GP query answers the current OMM JSON."""

    def __init__(self) -> None:
        outer = self
        self.body = b"[]"
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                body = outer.body
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def pick_targets(elsets: list[ElementSet], n: int, t0: datetime) -> list[ElementSet]:
    """``n`` near-circular LEO objects (perigee and apogee 600–900 km, epoch within a day of
    ``t0``), spread over the catalog numbers (deterministic)."""
    ok = []
    for e in elsets:
        a = (MU / (e.mean_motion_rev_day * 2 * math.pi / 86400) ** 2) ** (1 / 3)
        hp, ha = a * (1 - e.eccentricity) - 6378.137, a * (1 + e.eccentricity) - 6378.137
        if hp > 600 and ha < 900 and abs((e.epoch - t0).total_seconds()) < 86400:
            ok.append(e)
    ok.sort(key=lambda e: e.norad_id)
    step = len(ok) // n
    return [ok[k * step] for k in range(n)]


def _accel(r: np.ndarray) -> np.ndarray:
    return -MU * r / np.linalg.norm(r) ** 3


def two_body(r0: np.ndarray, v0: np.ndarray, dt_s: np.ndarray,
             step_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """States at offsets ``dt_s`` [s] (may be negative) from (r0, v0): RK4, ``step_s`` steps."""
    out_r, out_v = np.empty((dt_s.size, 3)), np.empty((dt_s.size, 3))
    for sign in (-1.0, 1.0):
        r, v, t = r0.copy(), v0.copy(), 0.0
        targets = sorted((abs(d), k) for k, d in enumerate(dt_s) if (d >= 0) == (sign > 0))
        for goal, k in targets:
            while t < goal - 1e-9:
                h = min(step_s, goal - t) * sign
                k1r, k1v = v, _accel(r)
                k2r, k2v = v + 0.5 * h * k1v, _accel(r + 0.5 * h * k1r)
                k3r, k3v = v + 0.5 * h * k2v, _accel(r + 0.5 * h * k2r)
                k4r, k4v = v + h * k3v, _accel(r + h * k3r)
                r = r + h / 6 * (k1r + 2 * k2r + 2 * k3r + k4r)
                v = v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
                t += abs(h)
            out_r[k], out_v[k] = r, v
    return out_r, out_v


def _segment(epochs: np.ndarray, rs: np.ndarray, vs: np.ndarray) -> Any:
    from sweepers.formats import oem as oem_codec

    return oem_codec.OemSegment(
        object_name="TUG", object_id="TUG-1", center_name="EARTH", ref_frame="TEME",
        time_system="UTC", start_time=epochs[0], stop_time=epochs[-1], epochs=epochs,
        positions_km=rs, velocities_km_s=vs, interpolation="HERMITE", interpolation_degree=5)


def ship_oem(targets: list[ElementSet], times: list[datetime], start: datetime,
             days: float) -> str:
    """The ship's OEM (TEME, UTC) over ``start`` … ``start + days``: around each target's time a
    20-minute coast arc crossing it, and between the arcs the ship coasting on (two-body from
    the previous arc's last state; 60 s gaps either side of each crossing arc stand for the
    manoeuvres onto and off it, and are not screened)."""
    from sweepers.formats import oem as oem_codec
    from sweepers.orbits.sgp4_batch import propagate

    us = np.timedelta64(1, "us")
    arcs = []
    for es, tc in zip(targets, times, strict=True):
        t = np.datetime64(tc.replace(tzinfo=None), "us")
        eph = propagate([es], np.array([t]))
        r, v = eph.r[0, 0], eph.v[0, 0]
        u = r / np.linalg.norm(r)
        a = math.radians(TURN_DEG)  # Rodrigues: v turned about the radius unit vector
        v_turned = (v * math.cos(a) + np.cross(u, v) * math.sin(a)
                    + u * np.dot(u, v) * (1 - math.cos(a)))
        offsets = np.arange(-ARC_MIN * 60, ARC_MIN * 60 + 1, 30.0)
        rs, vs = two_body(r + OFFSET_KM * u, SPEED_RATIO * v_turned, offsets)
        arcs.append((t + (offsets * 1e6).astype("timedelta64[us]"), rs, vs))
    segments = []
    t_begin = np.datetime64(start.replace(tzinfo=None), "us")
    t_end = t_begin + np.timedelta64(int(days * 86400), "s")
    for k, arc in enumerate([*arcs, None]):
        if k == 0:  # before the first arc: that arc's orbit, backwards
            ref_t, ref_r, ref_v = arc[0][0], arc[1][0], arc[2][0]
            lo, hi = t_begin, arc[0][0] - np.timedelta64(60, "s")
        else:
            prev = arcs[k - 1]
            ref_t, ref_r, ref_v = prev[0][-1], prev[1][-1], prev[2][-1]
            lo = prev[0][-1] + np.timedelta64(60, "s")
            hi = (arc[0][0] - np.timedelta64(60, "s")) if arc is not None else t_end
        span = np.arange(0.0, (hi - lo) / us / 1e6 + 1e-6, 60.0)
        if span.size >= 4:
            offsets = span + (lo - ref_t) / us / 1e6
            rs, vs = two_body(ref_r, ref_v, offsets, step_s=5.0)
            segments.append(_segment(ref_t + (offsets * 1e6).astype("timedelta64[us]"), rs, vs))
        if arc is not None:
            segments.append(_segment(*arc))
    return oem_codec.dumps_kvn(oem_codec.Oem(originator="alert_latency benchmark",
                                             segments=segments,
                                             creation_date=np.datetime64("2023-10-01")))


@contextlib.contextmanager
def process(args: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """A subprocess with its output in ``log``; terminated (then killed) on exit."""
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, *args], env=env, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def listen(base: str, key: str, events: queue.Queue, stop: threading.Event) -> None:
    """SSE client: put ``(received_at, alert)`` for each ``alert`` event until ``stop``."""
    with httpx.Client(base_url=base, timeout=httpx.Timeout(30, read=None)) as client, \
            client.stream("GET", "/api/v1/alerts/stream",
                          headers={"Authorization": f"Bearer {key}"}) as stream:
        stream.raise_for_status()
        events.put((time.time(), {"connected": True}))
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.put((time.time(), json.loads(line[6:])))
            if stop.is_set():
                return


def main() -> None:
    from sqlalchemy import select

    from sweepers import formats
    from sweepers.catalog.ingest import ingest_files
    from sweepers.config import default_catalog_files
    from sweepers.conjunctions.ephemeris import screen_ephemeris
    from sweepers.formats import oem as oem_codec
    from sweepers.service.alerts import SCREEN_DAYS, SCREEN_KM
    from sweepers.service.auth import create_crew
    from sweepers.service.db import open_store, write
    from sweepers.service.jobs import enqueue
    from sweepers.service.models import alerts, jobs

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refreshes", type=int, default=10)
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--timeout-s", type=float, default=600.0, help="bound per refresh")
    args = parser.parse_args()
    if not 1 <= args.refreshes <= 12:
        raise SystemExit("--refreshes 1..12 (the approaches must fit the 7-day window)")
    load0 = round(os.getloadavg()[0], 2)
    print(f"load at start: {load0}; cores: {os.cpu_count()}", flush=True)
    tle, satcat, *_ = default_catalog_files()
    records = formats.parse_bytes(tle.read_bytes(), str(tle), "tle").records
    epochs = sorted(r.epoch for r in records)
    t0 = epochs[len(epochs) // 2].replace(minute=0, second=0, microsecond=0)
    held = pick_targets(records, args.refreshes, t0)
    held_ids = {e.norad_id for e in held}
    times = [t0 + timedelta(hours=6 + SPACING_H * k) for k in range(args.refreshes)]
    upstream = Upstream()
    with tempfile.TemporaryDirectory(prefix="sweepers-alerts-") as tmp:
        work = Path(tmp)
        url = args.db or f"sqlite:///{work / 'service.sqlite'}"
        rest = work / "catalog.json"
        rest.write_text(write_omm_json([r for r in records if r.norad_id not in held_ids]))
        t_prep = time.perf_counter()
        with open_store(url) as store:
            ingest_files(store, [rest, satcat])
            _, key = create_crew(store.engine, "alpha")
        prep_s = time.perf_counter() - t_prep
        text = ship_oem(held, times, t0, SCREEN_DAYS)
        env = {**os.environ, "SWEEPERS_CELESTRAK_URL": upstream.url,
               "SWEEPERS_RATE_LIMIT": "100/1000"}
        env.pop("SWEEPERS_REFRESH_S", None)
        with socket_port() as port, \
                process(["-m", "sweepers.cli.main", "serve", "--db", url, "--port", str(port)],
                        work / "serve.log", env), \
                process(["-m", "sweepers.cli.main", "worker", "--db", url], work / "worker.log",
                        env):
            base = f"http://127.0.0.1:{port}"
            wait_up(base, work / "serve.log")
            auth = {"Authorization": f"Bearer {key}"}
            ship = httpx.post(f"{base}/api/v1/ships", headers=auth, timeout=60, json={
                "name": "Tug", "dry_mass_kg": 800, "propellant_kg": 200, "isp_s": 320,
                "start_norad_id": next(r.norad_id for r in records
                                       if r.norad_id not in held_ids)}).json()
            put = httpx.put(f"{base}/api/v1/ships/{ship['id']}/trajectory", content=text,
                            headers=auth, timeout=60)
            put.raise_for_status()
            events: queue.Queue = queue.Queue()
            stop = threading.Event()
            threading.Thread(target=listen, args=(base, key, events, stop), daemon=True).start()
            events.get(timeout=60)  # connected
            rows: list[dict[str, Any]] = []
            others: list[dict[str, Any]] = []
            for k, target in enumerate(held):
                upstream.body = write_omm_json(held[: k + 1]).encode()
                t_start = time.time()
                with open_store(url) as store, write(store.engine) as conn:
                    job_id = enqueue(conn, "refresh", {"groups": ["active"],
                                                       "as_of": t0.isoformat()},
                                     crew_id=None, max_attempts=1)
                got = None
                deadline = time.monotonic() + args.timeout_s
                while got is None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise SystemExit(f"refresh {k + 1}: no alert for {target.norad_id} "
                                         f"within {args.timeout_s:.0f} s")
                    try:
                        at, alert = events.get(timeout=left)
                    except queue.Empty:
                        continue
                    if alert.get("secondary_id") == target.norad_id:
                        got = (at, alert)
                    else:
                        others.append(alert)
                at, alert = got
                with open_store(url) as store, store.engine.connect() as conn:
                    job = conn.execute(select(jobs).where(jobs.c.id == job_id)).one()
                    made = conn.execute(select(alerts.c.created_at)
                                        .where(alerts.c.id == alert["id"])).scalar_one()
                row = {"refresh": k + 1, "object": target.norad_id,
                       "latency_s": round(at - t_start, 2),
                       "queue_s": round(job.started_at.timestamp() - t_start, 2),
                       "job_s": round((job.finished_at - job.started_at).total_seconds(), 2),
                       "delivery_s": round(at - made.timestamp(), 2),
                       "kind": alert["kind"], "miss_km": round(alert["miss_km"], 3),
                       "pc": alert["pc"], "relative_speed_km_s":
                           round(alert["relative_speed_km_s"], 3),
                       "load": round(os.getloadavg()[0], 2)}
                rows.append(row)
                print(json.dumps(row), flush=True)
            stop.set()
            upstream_requests = upstream.requests
        # baseline: the same screening in one process, no service around it
        with open_store(url) as store:
            tb = time.perf_counter()
            elsets = store.latest()
            oem = oem_codec.loads_kvn(text, "ship")
            events_b = screen_ephemeris(oem, elsets, start=t0.replace(tzinfo=None),
                                        days=SCREEN_DAYS, threshold_km=SCREEN_KM)
            baseline_s = time.perf_counter() - tb
    upstream.close()
    lat = [r["latency_s"] for r in rows]
    found = sorted({e.secondary_id for e in events_b} & held_ids)
    result = {
        "date": datetime.now(UTC).date().isoformat(), "cpu_count": os.cpu_count(),
        "load_start": load0, "load_end": round(os.getloadavg()[0], 2),
        "catalog_objects": len(records), "prepare_s": round(prep_s, 1),
        "refreshes": len(rows), "median_s": round(statistics.median(lat), 2),
        "worst_s": round(max(lat), 2), "bar_s": 120, "goal_s": 60,
        "median_job_s": round(statistics.median(r["job_s"] for r in rows), 2),
        "median_delivery_s": round(statistics.median(r["delivery_s"] for r in rows), 2),
        "other_alerts": len(others), "upstream_requests": upstream_requests,
        "baseline_screen_s": round(baseline_s, 2),
        "baseline_found_seeded": f"{len(found)} of {len(held_ids)}",
        "per_refresh": rows,
    }
    print(json.dumps(result))


@contextlib.contextmanager
def socket_port() -> Iterator[int]:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield port


def wait_up(base: str, log: Path) -> None:
    """Wait for ``/healthz`` (≤ 180 s)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"server did not come up: {log.read_text()[-2000:]}")


if __name__ == "__main__":
    main()
