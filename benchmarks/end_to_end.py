"""Benchmark: ``sweepers catalog ingest --bundled`` and ``sweepers sweep`` as a user runs them.

Each command runs ``--runs`` times as a subprocess of the installed console script on a fresh
SQLite store (ingest) or on the ingested store (sweep); the median wall time is reported. The
baseline, measured in the same run, is the floor any tool pays for the same inputs: python-sgp4's
``twoline2rv`` over the 3LE catalog plus ``json.loads`` of both SATCAT files plus ``csv`` reading
of the CARA file, with no validation and no database.

Usage: ``python benchmarks/end_to_end.py [--runs 3]``. The last line printed is a JSON summary.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sgp4.api import WGS72, Satrec

from sweepers.config import default_catalog_files

SWEEPERS = str(Path(sys.executable).with_name("sweepers"))


def baseline_floor() -> float:
    """Seconds to merely decode the bundled inputs with stock tools (no checks, no store)."""
    tle, satcat_current, satcat_decayed, cara = default_catalog_files()
    t0 = time.perf_counter()
    lines = tle.read_text(encoding="ascii").splitlines()
    sats = [
        Satrec.twoline2rv(a, b, WGS72)
        for a, b in itertools.pairwise(lines)
        if a.startswith("1 ") and b.startswith("2 ")
    ]
    rows = len(json.loads(satcat_current.read_bytes())) + len(
        json.loads(satcat_decayed.read_bytes())
    )
    with cara.open(newline="") as fh:
        rows += sum(1 for _ in csv.DictReader(fh))
    assert len(sats) == 26_140 and rows > 100_000
    return time.perf_counter() - t0


def timed(args: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one CLI run (fails loudly on a non-zero exit)."""
    t0 = time.perf_counter()
    subprocess.run(
        [SWEEPERS, *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        ingest_s, sweep_s = [], []
        for k in range(args.runs):
            env["SWEEPERS_DB"] = f"sqlite:///{tmp}/run{k}.sqlite"
            ingest_s.append(timed(["catalog", "ingest", "--bundled"], env))
        for _ in range(args.runs):
            sweep_s.append(timed(["sweep", "--out", f"{tmp}/report"], env))
        floor_s = [baseline_floor() for _ in range(args.runs)]
        stats = json.loads(
            subprocess.run(
                [SWEEPERS, "catalog", "stats", "--json"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    med = statistics.median
    print(f"load average at start: {load:.2f} (2 cores)")
    print(f"{'step':<34}{'median s':>10}   runs")
    print(f"{'catalog ingest --bundled':<34}{med(ingest_s):>10.2f}   {ingest_s}")
    print(f"{'sweep':<34}{med(sweep_s):>10.2f}   {sweep_s}")
    print(f"{'baseline: decode only, no store':<34}{med(floor_s):>10.2f}   {floor_s}")
    peak = (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024.0
    print(
        json.dumps(
            {
                "objects": stats["objects"],
                "element_sets": stats["element_sets"],
                "ingest_wall_s": round(med(ingest_s), 2),
                "sweep_wall_s": round(med(sweep_s), 2),
                "baseline_decode_s": round(med(floor_s), 2),
                "ingest_vs_baseline": round(med(ingest_s) / med(floor_s), 2),
                "peak_rss_mb_child": round(peak, 1),
                "load_avg": round(load, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
