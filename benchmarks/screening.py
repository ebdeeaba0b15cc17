"""Conjunction screening of the whole 2023-10 catalog: all-vs-all, 7 days, 5 km (not run in CI).

    .venv/bin/python benchmarks/screening.py [--days 7] [--threshold-km 5] [--workers 2]
                                             [--step-s 120] [--substeps 4]
                                             [--baseline-hours 24] [--baseline-step-s 10]

Runs :func:`sweepers.conjunctions.screen.screen` through a process pool, then a simple baseline
in the same run: a fixed-step sieve (scipy ``cKDTree.query_pairs`` every ``--baseline-step-s``
seconds with the padded radius ``D + V·h/2``, V = twice the largest speed; candidates only, no
refinement, so its time is a lower bound for a complete fixed-step screen) over
``--baseline-hours`` of the same window (``0``: none). The machine is shared: the load average
is printed beside the timings, and the screening's CPU seconds (this process and its workers)
beside its wall time. The last line is JSON.

Bar: wall ≤ 600 s and peak RSS ≤ 8 GB on 2 cores; goal ≤ 120 s. Reference point: ESA cascade,
25.2 s on 32 threads (≈ 806 thread-seconds) for 19.6k objects, 7 days, 5 km.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from sweepers.config import data_dir
from sweepers.conjunctions.screen import DEFAULT_SUBSTEPS, screen
from sweepers.epochs import datetime_to_jd
from sweepers.formats import parse_bytes
from sweepers.orbits.sgp4_batch import iter_propagate, prepare
from sweepers.parallel import InProcess, ProcessPool
from sweepers.records import ElementSet

CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"


def _peak_rss_mb() -> float:
    """Largest resident set of this process or any finished child [MB] (Linux: ru_maxrss in kB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _load() -> float:
    return os.getloadavg()[0]


def baseline(elsets: list[ElementSet], start: datetime, hours: float, step_s: float,
             threshold_km: float) -> dict[str, float]:
    """Fixed-step KD-tree sieve: candidate (pair, step)s within ``D + V·h/2`` [km]."""
    t0 = time.perf_counter()
    prepared = prepare(elsets)
    jd0, fr0 = datetime_to_jd(start)
    steps = int(hours * 3600 / step_s) + 1
    block = 360
    candidates = 0
    pairs: set[int] = set()
    prop_s = 0.0
    n = len(prepared)
    for k0 in range(0, steps, block):
        k = np.arange(k0, min(k0 + block, steps))
        times = (np.full(k.size, jd0), fr0 + k * step_s / 86400.0)
        tp = time.perf_counter()
        (eph,) = iter_propagate(prepared, times, chunk_objects=n, workers=1)
        prop_s += time.perf_counter() - tp
        speed = np.linalg.norm(eph.v, axis=2)
        v_max = float(np.nanmax(np.where(speed < 20.0, speed, np.nan)))
        radius = threshold_km + 2.0 * v_max * step_s / 2.0
        for q in range(k.size):
            r = eph.r[:, q]
            ok = np.flatnonzero(np.isfinite(r).all(axis=1) & (np.linalg.norm(r, axis=1) < 2e6))
            found = cKDTree(r[ok]).query_pairs(radius, output_type="ndarray")
            candidates += len(found)
            pairs.update((ok[found[:, 0]] * n + ok[found[:, 1]]).tolist())
    wall = time.perf_counter() - t0
    return {"hours": hours, "step_s": step_s, "wall_s": round(wall, 1),
            "load_1min_after": round(_load(), 2),
            "propagate_s": round(prop_s, 1), "candidate_pair_steps": candidates,
            "distinct_pairs": len(pairs), "wall_s_per_day": round(wall * 24 / hours, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--threshold-km", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--step-s", type=float, default=120.0)
    parser.add_argument("--substeps", type=int, default=DEFAULT_SUBSTEPS)
    parser.add_argument("--baseline-hours", type=float, default=24.0)
    parser.add_argument("--baseline-step-s", type=float, default=10.0)
    args = parser.parse_args()

    path = data_dir() / CATALOG
    elsets = parse_bytes(Path(path).read_bytes(), path.name).records
    start = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
        seconds=statistics.median(e.epoch.timestamp() for e in elsets))
    load_before = _load()
    stats: dict[str, float] = {}
    t_last = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - t_last[0] > 10:
            t_last[0] = now
            print(f"  block {done}/{total}  load {_load():.2f}", file=sys.stderr, flush=True)

    executor = ProcessPool(args.workers) if args.workers > 1 else InProcess()
    t0 = time.perf_counter()
    cpu0 = _cpu_s()
    events = screen(elsets, start=start, days=args.days, threshold_km=args.threshold_km,
                    executor=executor, progress=progress, step_s=args.step_s,
                    substeps=args.substeps, stats=stats)
    wall = time.perf_counter() - t0
    cpu = _cpu_s() - cpu0
    load_after = _load()
    peak_screen_mb = _peak_rss_mb()  # before the baseline, which runs in this process
    print(f"screening: {len(elsets)} objects, {args.days} d, {args.threshold_km} km: "
          f"{wall:.1f} s wall ({cpu:.1f} CPU-s), {len(events)} conjunctions "
          f"(load {load_before:.2f}→{load_after:.2f})", flush=True)
    print(f"task-seconds (summed over workers): propagation {stats['propagate_s']:.1f} / "
          f"sieve {stats['sieve_s']:.1f} / refine+Pc {stats['refine_s']:.1f}; "
          f"peak RSS {peak_screen_mb:.0f} MB; load average (1/5/15 min) "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    base = baseline(elsets, start, args.baseline_hours, args.baseline_step_s,
                    args.threshold_km) if args.baseline_hours > 0 else None
    if base:
        print(f"baseline (sieve only, {base['step_s']} s steps, {base['hours']} h): "
              f"{base['wall_s']} s → {base['wall_s_per_day']} s per simulated day "
              f"(propagation {base['propagate_s']} s; load {base['load_1min_after']:.2f})")
    pcs = np.array([e.pc for e in events])
    result = {
        "objects": len(elsets),
        "days": args.days,
        "threshold_km": args.threshold_km,
        "workers": args.workers,
        "step_s": args.step_s,
        "substeps": args.substeps,
        "wall_s": round(wall, 1),
        # CPU of the screening (this process + the pool's workers): robust to other users' load
        "cpu_s": round(cpu, 1),
        "conjunctions": len(events),
        "distinct_pairs": len({(e.primary_id, e.secondary_id) for e in events}),
        "pc_max_above_1e-4": int((pcs > 1e-4).sum()),
        # largest process (this one or a worker) during the screening / including the baseline
        "peak_rss_mb": round(peak_screen_mb, 1),
        "peak_rss_mb_with_baseline": round(_peak_rss_mb(), 1),
        # seconds spent inside the tasks, summed over workers (wall clock per task)
        "task_s_propagation": round(stats["propagate_s"], 1),
        "task_s_sieve": round(stats["sieve_s"], 1),
        "task_s_refine_pc": round(stats["refine_s"], 1),
        "broad_pairs": int(stats["broad_pairs"]),
        "candidates": int(stats["candidates"]),
        "thread_s_per_object_day": round(wall * args.workers / len(elsets) / args.days, 6),
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(load_after, 2),
        "load_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "start": start.isoformat(),
        "baseline_fixed_step_kdtree": base,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
