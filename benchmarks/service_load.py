"""The operations service under load: no double claim, and request latency vs a bare endpoint.

    python benchmarks/service_load.py [--db sqlite,postgresql] [--requests 2000] [--clients 200]
                                      [--race 1000] [--crews 10] [--objects 50]

For each database (the SQLite default, and PostgreSQL in a throwaway cluster started here the
way ``.ci/run`` starts one: ``initdb``/``pg_ctl`` from ``/usr/lib/postgresql/*/bin``, as the
``postgres`` user when run as root, on a free 127.0.0.1 port, dropped at the end):

1. The bundled catalog (2023-10 3LE, SATCAT, CARA) is ingested, the service tables migrated,
   ``--crews`` crews created; ``sweepers serve --db URL`` is started as a subprocess (one
   uvicorn process), and beside it the **baseline**: a bare FastAPI app with one endpoint doing
   one indexed SELECT on the same database (the newest element set of one object, by the
   ``(norad_id, epoch)`` primary key), served by uvicorn the same way.
2. **Race**: ``--race`` claim requests (default 1,000) sent at once, each crew asking for each
   of ``--objects`` objects (default 50) equally often, in a shuffled order → expected: exactly
   one 201 per object, every other answer 409 naming that holder, no 5xx, no transport error;
   the audit log written during the race is exactly one ``claim.create`` row per granted claim
   and nothing else; the claims table holds exactly the granted claims.
3. **Latency**: ``--clients`` concurrent clients (closed loop: each sends its next request when
   the previous one is answered), ``--requests`` requests per kind, the kinds taking turns in
   ``--rounds`` rounds (so that load from elsewhere on a shared machine falls on all alike):
   the baseline endpoint; a catalog read (``GET /api/v1/catalog/objects/{id}``, random
   objects); a claim that is granted (``POST /api/v1/claims``, fresh objects: 201, a write
   transaction with its audit row); a claim that conflicts (objects of the race: 409).
   p50/p99 [ms] per kind and throughput [req/s].

Traffic goes to 127.0.0.1 only; every phase is bounded by ``--timeout-s``. The per-key rate limit
is raised for the run (``SWEEPERS_RATE_LIMIT=1000000/1000000``: the limiter is not what is
measured) and each key is verified once before the race (argon2 on first use; later requests hit
the verifier's cache, as a client's steady state does). The clients run in this process (httpx
AsyncClient, 10 connections per client object: one client with a pool of 200 is itself the
bottleneck) and share the machine's cores with the servers: the load average is printed. The
last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RATE_LIMIT = "1000000/1000000"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load() -> float:
    """1-minute load average."""
    return round(os.getloadavg()[0], 2)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (default settings, as ``.ci/run``); yields its URL."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = bins[-1] if bins else shutil.which("initdb")
    if initdb is None:
        raise SystemExit("no initdb (install postgresql, or run with --db sqlite)")
    pg_bin = Path(initdb).parent
    root = Path(tempfile.mkdtemp(prefix="sweepers-bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(root, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = root / "data"

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    run(str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
    run(str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60",
        "-o", f"-h 127.0.0.1 -p {port} -k {root} -c max_connections=200", "start")
    try:
        from sqlalchemy import create_engine

        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE sweepers_bench")
        admin.dispose()
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/sweepers_bench"
    finally:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            run(str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def prepare(url: str, crews: int) -> tuple[list[str], list[str], list[int]]:
    """Ingest the bundled catalog into ``url``, migrate the service tables, create the crews;
    returns (crew names, their captains' keys, catalog numbers with an element set)."""
    from sweepers.catalog.ingest import ingest_files
    from sweepers.config import default_catalog_files
    from sweepers.service.auth import create_crew
    from sweepers.service.db import open_store

    with open_store(url) as store:
        report = ingest_files(store, list(default_catalog_files()))
        bad = [f for f in report.files if f.error]
        if bad:
            raise SystemExit(f"ingest failed: {bad[0].path}: {bad[0].error}")
        names = [f"crew{k:02d}" for k in range(crews)]
        keys = [create_crew(store.engine, n)[1] for n in names]
        objects = sorted({e.norad_id for e in store.latest()})
    return names, keys, objects


@contextlib.contextmanager
def server(args: list[str], log: Path, health: str) -> Iterator[subprocess.Popen]:
    """A server subprocess (stdout/stderr to ``log``), once ``health`` answers 200."""
    env = {**os.environ, "SWEEPERS_RATE_LIMIT": RATE_LIMIT}
    env.pop("SWEEPERS_REFRESH_S", None)
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, *args], env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"server {args} exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(health, timeout=10).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"server {args} did not come up: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def baseline_app(url: str) -> Any:
    """The baseline: FastAPI, one sync endpoint, one indexed SELECT (no auth, no middleware)."""
    from fastapi import FastAPI, HTTPException
    from sqlalchemy import select

    from sweepers.catalog.schema import element_sets
    from sweepers.catalog.store import CatalogStore

    store = CatalogStore.open(url, create=False)
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/baseline/elements/{norad_id}")
    def newest(norad_id: int) -> dict[str, Any]:
        with store.engine.connect() as conn:
            row = conn.execute(select(element_sets).where(element_sets.c.norad_id == norad_id)
                               .order_by(element_sets.c.epoch.desc()).limit(1)).mappings().first()
        if row is None:
            raise HTTPException(404, f"no element set of {norad_id}")
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}

    return app


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``, nearest rank, in ms (values in s)."""
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return round(ordered[k] * 1e3, 2)


async def race(base: str, names: list[str], keys: list[str], objects: list[int], n: int,
               timeout_s: float) -> dict[str, Any]:
    """``n`` conflicting claims at once; what came back (see the module docstring)."""
    # request k: object k mod N, crew (k div N) mod C — every crew asks for every object
    reqs = [((k // len(objects)) % len(keys), objects[k % len(objects)]) for k in range(n)]
    random.Random(14).shuffle(reqs)
    go = asyncio.Event()
    async with pools(base, n, timeout_s) as group:

        async def one(k: int, crew: int, nid: int) -> tuple[int, int, int, dict[str, Any]]:
            await go.wait()
            r = await group[k % len(group)].post("/api/v1/claims", json={"norad_id": nid},
                                  headers={"Authorization": f"Bearer {keys[crew]}"})
            return crew, nid, r.status_code, r.json()

        tasks = [asyncio.create_task(one(k, c, nid)) for k, (c, nid) in enumerate(reqs)]
        await asyncio.sleep(0.1)
        t0 = time.perf_counter()
        go.set()
        got = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout_s)
        wall = time.perf_counter() - t0
    errors = [type(g).__name__ for g in got if isinstance(g, BaseException)]
    answers = [g for g in got if not isinstance(g, BaseException)]
    codes = Counter(code for _, _, code, _ in answers)
    won: dict[int, list[tuple[int, int]]] = {}
    for crew, nid, code, body in answers:
        if code == 201:
            won.setdefault(nid, []).append((crew, body["id"]))
    wrong_holder = sum(1 for _, nid, code, body in answers if code == 409 and nid in won
                       and body.get("holder") != names[won[nid][0][0]])
    return {"requests": n, "wall_s": round(wall, 2), "codes": dict(sorted(codes.items())),
            "transport_errors": len(errors),
            "objects_granted": len(won),
            "objects_granted_twice": sum(1 for w in won.values() if len(w) > 1),
            "conflicts_naming_wrong_holder": wrong_holder,
            "granted_claim_ids": sorted(cid for w in won.values() for _, cid in w)}


def audit_since(url: str, after_id: int) -> tuple[list[tuple[str, int | None]], list[int]]:
    """Audit rows (action, subject id) with id > ``after_id``, and every claim id."""
    from sqlalchemy import select

    from sweepers.catalog.store import CatalogStore
    from sweepers.service.models import audit_log, claims

    with CatalogStore.open(url, create=False) as store, store.engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.action, audit_log.c.subject_id)
                            .where(audit_log.c.id > after_id).order_by(audit_log.c.id)).all()
        ids = sorted(conn.execute(select(claims.c.id)).scalars())
    return [(r.action, r.subject_id) for r in rows], ids


def last_audit_id(url: str) -> int:
    """The newest audit row id."""
    from sqlalchemy import func, select

    from sweepers.catalog.store import CatalogStore
    from sweepers.service.models import audit_log

    with CatalogStore.open(url, create=False) as store, store.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(audit_log.c.id), 0))).scalar_one())


Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]
POOL = 10  # connections per httpx client: one client with a 200-connection pool is itself the
# bottleneck (measured here: ~170 req/s on the baseline endpoint vs ~590 with 20 × 10)


@contextlib.asynccontextmanager
async def pools(base: str, connections: int, timeout_s: float
                ) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``connections`` loopback connections as httpx clients of :data:`POOL` each."""
    n = math.ceil(connections / POOL)
    limits = httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL)
    async with contextlib.AsyncExitStack() as stack:
        yield [await stack.enter_async_context(
            httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout_s))
            for _ in range(n)]


async def closed_loop(base: str, send: Send, indices: range, clients: int,
                      timeout_s: float) -> tuple[list[float], Counter[int], Counter[str], float]:
    """``clients`` concurrent clients sending one request per index (request k: ``send(c, k)``);
    latencies [s], status counts, transport errors and wall time [s]."""
    todo = iter(indices)
    latencies: list[float] = []
    codes: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    async with pools(base, clients, timeout_s) as group:

        async def worker(client: httpx.AsyncClient) -> None:
            for k in todo:
                t0 = time.perf_counter()
                try:
                    r = await send(client, k)
                except httpx.TransportError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                codes[r.status_code] += 1

        t0 = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker(group[k % len(group)])
                                                 for k in range(clients))), timeout_s)
        wall = time.perf_counter() - t0
    return latencies, codes, errors, wall


def summary(latencies: list[float], codes: Counter[int], errors: Counter[str], wall: float,
            loads: list[float]) -> dict[str, Any]:
    """p50/p99/mean [ms], throughput [req/s], status counts, load averages seen."""
    n = len(latencies) + sum(errors.values())
    return {"requests": n, "p50_ms": pct(latencies, 0.50), "p99_ms": pct(latencies, 0.99),
            "mean_ms": round(statistics.fmean(latencies) * 1e3, 2),
            "throughput_rps": round(n / wall, 1), "codes": dict(sorted(codes.items())),
            "transport_errors": dict(errors), "load_min_max": [min(loads), max(loads)]}


async def warm(base: str, baseline: str, keys: list[str], objects: list[int]) -> None:
    """Verify each key once (argon2, then cached) and build the catalog view; warm baseline."""
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        for key in keys:
            (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
             ).raise_for_status()
        (await client.get(f"/api/v1/catalog/objects/{objects[0]}",
                          headers={"Authorization": f"Bearer {keys[0]}"})).raise_for_status()
    async with httpx.AsyncClient(base_url=baseline, timeout=60) as client:
        (await client.get(f"/baseline/elements/{objects[0]}")).raise_for_status()


def run_backend(kind: str, url: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Everything of the module docstring on one database."""
    t0 = time.perf_counter()
    names, keys, objects = prepare(url, args.crews)
    prep_s = time.perf_counter() - t0
    rng = random.Random(1)
    contested = sorted(rng.sample(objects, args.objects))
    fresh = [n for n in rng.sample(objects, args.requests + args.objects) if n not in contested]
    fresh = fresh[:args.requests]
    if len(fresh) < args.requests:
        raise SystemExit(f"the catalog has too few objects for --requests {args.requests}")
    port, bport = free_port(), free_port()
    base, bbase = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bport}"
    out: dict[str, Any] = {"catalog_objects": len(objects), "prepare_s": round(prep_s, 1)}
    with server(["-m", "sweepers.cli.main", "serve", "--db", url, "--port", str(port)],
                work / f"serve-{kind}.log", f"{base}/healthz"), \
            server([__file__, "--serve-baseline", url, "--port", str(bport)],
                   work / f"baseline-{kind}.log", f"{bbase}/healthz"):
        asyncio.run(warm(base, bbase, keys, objects))
        before = last_audit_id(url)
        r = asyncio.run(race(base, names, keys, contested, args.race, args.timeout_s))
        rows, claim_ids = audit_since(url, before)
        granted = r.pop("granted_claim_ids")
        r["audit_rows"] = len(rows)
        r["audit_consistent"] = (sorted(s or 0 for a, s in rows if a == "claim.create") == granted
                                 and all(a == "claim.create" for a, _ in rows))
        r["claims_in_table"] = len(claim_ids)
        r["ok"] = (r["objects_granted"] == args.objects and r["objects_granted_twice"] == 0
                   and r["codes"] == {201: args.objects, 409: args.race - args.objects}
                   and r["transport_errors"] == 0 and r["conflicts_naming_wrong_holder"] == 0
                   and r["audit_consistent"] and len(rows) == args.objects
                   and claim_ids == granted)
        out["race"] = r
        print(f"[{kind}] race: {json.dumps(r)}", flush=True)

        def auth(k: int) -> dict[str, str]:
            return {"Authorization": f"Bearer {keys[k % len(keys)]}"}

        sends: dict[str, Send] = {
            "baseline_select": lambda c, k: c.get(f"/baseline/elements/{fresh[k]}"),
            "catalog_read": lambda c, k: c.get(f"/api/v1/catalog/objects/{fresh[k]}",
                                               headers=auth(k)),
            "claim_granted": lambda c, k: c.post("/api/v1/claims", json={"norad_id": fresh[k]},
                                                 headers=auth(k)),
            "claim_conflict": lambda c, k: c.post(
                "/api/v1/claims", json={"norad_id": contested[k % len(contested)]},
                headers=auth(k + 1)),  # the holder too: its own second claim is a 409 as well
        }
        # the kinds take turns, --rounds times, so that load from elsewhere on the machine
        # falls on all of them alike; each round sends requests/rounds of each kind
        raw: dict[str, list[Any]] = {k: [[], Counter(), Counter(), 0.0, []] for k in sends}
        step = math.ceil(args.requests / args.rounds)
        for lo in range(0, args.requests, step):
            for name, send in sends.items():
                base_url = bbase if name.startswith("baseline") else base
                lats, codes, errors, wall = asyncio.run(closed_loop(
                    base_url, send, range(lo, min(lo + step, args.requests)), args.clients,
                    args.timeout_s))
                acc = raw[name]
                acc[0] += lats
                acc[1].update(codes)
                acc[2].update(errors)
                acc[3] += wall
                acc[4].append(load())
        lat = {name: {"clients": args.clients, **summary(*acc)} for name, acc in raw.items()}
        for name, row in lat.items():
            print(f"[{kind}] {name}: {json.dumps(row)}", flush=True)
        out["latency"] = lat
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--race", type=int, default=1000, help="claims sent at once")
    parser.add_argument("--crews", type=int, default=10)
    parser.add_argument("--objects", type=int, default=50, help="objects raced for")
    parser.add_argument("--requests", type=int, default=2000, help="requests per latency kind")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=5,
                        help="latency kinds take turns this many times")
    parser.add_argument("--timeout-s", type=float, default=600.0, help="bound of each phase")
    parser.add_argument("--keep-logs", metavar="DIR",
                        help="write the servers' logs (and the SQLite file) here, and keep them")
    parser.add_argument("--serve-baseline", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        import uvicorn

        uvicorn.run(baseline_app(args.serve_baseline), host="127.0.0.1", port=args.port,
                    log_level="info", access_log=False)
        return
    if not 1 <= args.race <= 5000 or not 1 <= args.clients <= 1000 or args.requests > 20000:
        raise SystemExit("bounded: --race 1..5000, --clients 1..1000, --requests <= 20000")
    print(f"load at start: {load()}; cores: {os.cpu_count()}", flush=True)
    results: dict[str, Any] = {"date": datetime.now(UTC).date().isoformat(),
                               "cpu_count": os.cpu_count(), "load_start": load(),
                               "race": args.race, "crews": args.crews, "objects": args.objects,
                               "requests": args.requests, "clients": args.clients}
    with tempfile.TemporaryDirectory(prefix="sweepers-load-") as tmp:
        work = Path(args.keep_logs or tmp)
        work.mkdir(parents=True, exist_ok=True)
        for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
            if kind == "sqlite":
                results[kind] = run_backend(kind, f"sqlite:///{work / 'service.sqlite'}", args,
                                            work)
            elif kind == "postgresql":
                with postgres_cluster() as url:
                    results[kind] = run_backend(kind, url, args, work)
            else:
                raise SystemExit(f"--db: sqlite or postgresql, not {kind!r}")
    results["load_end"] = load()
    results["ok"] = all(results[k]["race"]["ok"] for k in ("sqlite", "postgresql")
                        if k in results)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
