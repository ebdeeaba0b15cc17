"""Benchmark: the project's batch SGP4 against raw python-sgp4 ``SatrecArray`` in the same run.

Whole Space-Track catalog (26,140 objects, Oct 2023) × 1,440 one-minute epochs from the catalog's
median epoch, TEME. Both sides stream the same object chunks and consume each chunk before the
next (the 26,140 × 1,440 r+v would be 1.8 GB at once). Baseline: one ``SatrecArray.sgp4(jd, fr)``
call per chunk, in this process. Timings are the median of ``--runs`` runs each; build times
(Satrec / heyoka set-up) are reported apart and are not in props/s. The two results are compared
once, untimed. The last line printed is a JSON summary.

Usage: ``python benchmarks/propagation.py [--runs 3] [--chunk 4096] [--limit N]``
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time

import numpy as np
from sgp4.api import WGS72, Satrec, SatrecArray

from sweepers.config import data_dir
from sweepers.epochs import datetime64_to_jd, minute_grid
from sweepers.formats import parse_tle
from sweepers.orbits import iter_propagate, prepare
from sweepers.records import ElementSet

CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"
N_TIMES = 1440


def load_catalog(path: str) -> tuple[list[ElementSet], list[Satrec]]:
    """3LE file → the project's ElementSets (``sweepers.formats``) and, for the baseline, python-
    sgp4's own ``Satrec.twoline2rv`` of the same lines, in the same order."""
    with open(path, "rb") as fh:
        data = fh.read()
    parsed = parse_tle(data, path)
    if parsed.rejected:
        raise SystemExit(f"{len(parsed.rejected)} records rejected, first: {parsed.rejected[0]}")
    lines = data.decode("ascii").splitlines()
    sats = [
        Satrec.twoline2rv(line, lines[i + 1], WGS72)
        for i, line in enumerate(lines)
        if line.startswith("1 ") and i + 1 < len(lines) and lines[i + 1].startswith("2 ")
    ]
    assert len(sats) == len(parsed.records)
    return parsed.records, sats


def peak_rss_mb() -> float:
    """Peak resident set of this process plus its (worker) children [MB]."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=4096, help="objects per chunk (both sides)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N objects")
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: CPUs)")
    args = ap.parse_args()

    elsets, sats = load_catalog(str(data_dir() / CATALOG))
    if args.limit:
        elsets, sats = elsets[: args.limit], sats[: args.limit]
    n = len(elsets)
    epochs = np.array([e.epoch.replace(tzinfo=None) for e in elsets], dtype="datetime64[us]")
    start = np.sort(epochs)[n // 2]
    times = minute_grid(start, N_TIMES, 60.0)
    jd, fr = datetime64_to_jd(times)
    m = jd.size
    bounds = [(a, min(a + args.chunk, n)) for a in range(0, n, args.chunk)]

    t0 = time.perf_counter()
    prepared = prepare(elsets)
    for a, b in bounds:
        prepared.chunk(a, b)
    build_project = time.perf_counter() - t0
    t0 = time.perf_counter()
    baseline_arrays = [SatrecArray(sats[a:b]) for a, b in bounds]
    build_baseline = time.perf_counter() - t0

    def run_project() -> float:
        t = time.perf_counter()
        for eph in iter_propagate(prepared, (jd, fr), chunk_objects=args.chunk,
                                  workers=args.workers):
            eph.r[:, -1, 0].sum()  # touch the chunk, keep nothing
        return time.perf_counter() - t

    def run_baseline() -> float:
        t = time.perf_counter()
        for arr in baseline_arrays:
            _, r, _ = arr.sgp4(jd, fr)
            r[:, -1, 0].sum()
        return time.perf_counter() - t

    run_project()  # warm-up: worker processes start, heyoka code is compiled
    ours, base = [], []
    for _ in range(args.runs):
        ours.append(run_project())
        base.append(run_baseline())
    t_ours, t_base = statistics.median(ours), statistics.median(base)

    # Untimed check: same chunks, compared where both engines report success. SGP4 does not
    # flag every dying LEO object: a few run inside the Earth and out to 1e7 km with status 0,
    # where the engines differ in ill-conditioned digits. Such "wild" objects are counted apart.
    max_dr = max_dv = 0.0
    status_mismatch = wild = 0
    for eph, arr in zip(iter_propagate(prepared, (jd, fr), chunk_objects=args.chunk,
                                       workers=args.workers), baseline_arrays, strict=True):
        e, r, v = arr.sgp4(jd, fr)
        status_mismatch += int(np.count_nonzero((e != 0) != (eph.status != 0)))
        both = (e == 0) & (eph.status == 0)
        radius = np.where(both, np.linalg.norm(r, axis=-1), 7000.0)
        tame = ((radius > 6378.135) & (radius < 1e6)).all(axis=1)
        wild += int(np.count_nonzero(~tame))
        sel = both & tame[:, None]
        if sel.any():
            max_dr = max(max_dr, float(np.abs(eph.r[sel] - r[sel]).max()))
            max_dv = max(max_dv, float(np.abs(eph.v[sel] - v[sel]).max()))

    props = n * m
    n_heyoka = int(prepared.uses_heyoka.sum())
    print(f"objects {n} ({n_heyoka} heyoka, {n - n_heyoka} python-sgp4) × times {m}, "
          f"chunk {args.chunk}, runs {args.runs}")
    print(f"{'':24}{'median s':>10}{'Mprops/s':>10}{'runs s':>26}")
    for label, t, runs in (("sweepers.orbits", t_ours, ours), ("SatrecArray", t_base, base)):
        print(f"{label:24}{t:10.2f}{props / t / 1e6:10.2f}   {', '.join(f'{x:.2f}' for x in runs)}")
    print(f"build: sweepers {build_project:.2f} s, SatrecArray {build_baseline:.2f} s")
    print(f"agreement: max |dr| {max_dr:.3e} km, |dv| {max_dv:.3e} km/s; "
          f"{status_mismatch} status mismatches; "
          f"{wild} wild objects (|r| < R⊕ or > 1e6 km) left out")
    summary = {
        "objects": n,
        "times": m,
        "props_per_s": round(props / t_ours),
        "baseline_props_per_s": round(props / t_base),
        "ratio": round(t_base / t_ours, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "max_dr_km": max_dr,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
