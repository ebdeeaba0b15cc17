"""Fuzzing of every reader, both ways: N damaged inputs per reader, several processes.

Usage::

    python benchmarks/fuzz.py [--inputs N] [--readers tle,cdm-kvn,...] [--workers W]
                              [--seed S] [--crash-dir DIR]

For each reader of ``tests/formats/fuzz_targets.py`` (TLE/3LE, OMM JSON/CSV/XML/KVN, SATCAT,
CARA, GCAT, CDM KVN/XML, OEM KVN/XML, GTOC9 mission files, the ship TOML) each input damages one
record of a sample, half of the inputs each way:

* **field** — one field of the record (a value, a cell, a token) replaced by a hostile value
  (empty, huge integers, NaN/Inf and other float reprs, controls, undecodable bytes, random
  Unicode with surrogates, markup, entity references);
* **bytes** — one to three byte-level damages (truncation, bit flips, random bytes, inserted or
  replaced tokens: NUL, CR, BOMs, NaN/Inf, 1e999, 5,000-digit integers, other encodings,
  duplicated spans and keys, deep nesting, XML entity bombs and external entities).

The samples are real records of ``$SWEEPERS_DATA`` and, for the five element-set readers, also
records built by the suite's Hypothesis round-trip strategy (200 derandomised draws of 2–4 element
sets, written by the package's writers): half of those readers' inputs start from them. The
outcome is classified with the suite's oracle: a crash is an exception that is not the reader's
reported rejection, a good record lost, a damaged record dropped silently, or a hang: over 1 s of
CPU for one input (a 10 s alarm stops a runaway input and counts it).

Prints a table per reader (inputs per way, crashes, slowest input in ms) with, as the same-run
baseline, the rate of the reader on its unmutated seeds; each crashing input is written to
``--crash-dir`` (reader, number, description, bytes) to become a regression test. The last line
is JSON: ``{"readers": {NAME: {"inputs": n, "crashes": k, ...}}, "wall_s": ...}``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests" / "formats")]

import fuzz_targets as targets  # noqa: E402 - needs the paths above

HANG_S = 1.0  # CPU seconds per input above which an input counts as a hang
ALARM_S = 10  # wall seconds after which a runaway input is stopped
BATCH = 2_000  # inputs per task


class _RunawayError(Exception):
    """One input ran longer than ``ALARM_S``."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise _RunawayError


def _batch(task: tuple[str, int, int, str]) -> dict[str, Any]:
    """Run ``count`` inputs of reader ``name`` from RNG ``seed``; crashes saved to ``crash_dir``."""
    name, count, seed, crash_dir = task
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(seed)
    can_build = name in targets.BUILT_FORMATS
    crashes: list[str] = []
    ways = {"field": 0, "bytes": 0, "built": 0}
    slowest = 0.0
    for k in range(count):
        mode = targets.MODES[k % 2]
        built = can_build and rng.random() < 0.5
        ways[mode] += 1
        ways["built"] += built
        data, seed_, hit, chunk = targets.damaged_input(name, rng, mode, built)
        t0 = time.process_time()
        signal.alarm(ALARM_S)
        try:
            crash = targets.check(name, data, seed_, hit, chunk)
        except _RunawayError:
            crash = f"hang: stopped after {ALARM_S} s"
        finally:
            signal.alarm(0)
        spent = time.process_time() - t0
        slowest = max(slowest, spent)
        if crash is None and spent > HANG_S:
            crash = f"hang: {spent:.2f} s of CPU"
        if crash is not None:
            crashes.append(f"{mode}{' built' if built else ''}: {crash}")
            out = Path(crash_dir) / f"{name}-{seed}-{k}"
            out.with_suffix(".bin").write_bytes(data)
            out.with_suffix(".txt").write_text(crash + "\n")
    return {"name": name, "inputs": count, "crashes": crashes, "slowest_s": slowest, **ways}


def _baseline(name: str, seconds: float = 0.5) -> float:
    """Inputs per second of reader ``name`` on its unmutated seeds (the same-run baseline)."""
    seeds = targets.seeds(name)
    run = targets.reader(name).run
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        seed = seeds[n % len(seeds)]
        run(seed.join(seed.chunks))
        n += 1
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs per reader")
    parser.add_argument("--readers", default=",".join(targets.READER_NAMES))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=20_261_207)
    parser.add_argument("--crash-dir", default=str(Path("/tmp") / "sweepers-fuzz-crashes"))
    args = parser.parse_args()
    names = [n for n in args.readers.split(",") if n]
    unknown = set(names) - set(targets.READER_NAMES)
    if unknown:
        parser.error(f"unknown readers {sorted(unknown)}; choose from "
                     f"{', '.join(targets.READER_NAMES)}")
    Path(args.crash_dir).mkdir(parents=True, exist_ok=True)

    t_start = time.perf_counter()
    tasks = []
    for i, name in enumerate(names):
        targets.seeds(name)  # fail here, once, if a seed is not clean
        targets.built_seeds(name)  # drawn once, before the workers fork
        for b, start in enumerate(range(0, args.inputs, BATCH)):
            tasks.append((name, min(BATCH, args.inputs - start),
                          args.seed * 1_000_003 + i * 100_003 + b, args.crash_dir))
    random.Random(args.seed).shuffle(tasks)  # readers interleaved: progress is even
    results: dict[str, dict[str, Any]] = {
        n: {"inputs": 0, "crashes": 0, "slowest_ms": 0.0, "examples": [], "field": 0,
            "bytes": 0, "built": 0} for n in names}
    busy: dict[str, float] = dict.fromkeys(names, 0.0)
    total = sum(t[1] for t in tasks)
    done = 0
    ctx = mp.get_context("fork")
    with ctx.Pool(args.workers) as pool:
        for res in pool.imap_unordered(_batch, tasks):
            r = results[res["name"]]
            r["inputs"] += res["inputs"]
            for way in ("field", "bytes", "built"):
                r[way] += res[way]
            r["crashes"] += len(res["crashes"])
            r["slowest_ms"] = max(r["slowest_ms"], 1e3 * res["slowest_s"])
            r["examples"] = (r["examples"] + res["crashes"])[:3]
            done += res["inputs"]
            elapsed = time.perf_counter() - t_start
            busy[res["name"]] = elapsed
            crashes = sum(v["crashes"] for v in results.values())
            print(f"\rprogress {done:,}/{total:,} inputs ({done / total:.0%}), "
                  f"{crashes} crashes, {elapsed:,.0f} s", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    wall = time.perf_counter() - t_start

    print(f"{'reader':10s} {'inputs':>10s} {'field':>9s} {'bytes':>9s} {'built':>9s} "
          f"{'crashes':>8s} {'slowest ms':>11s} {'seed inputs/s':>14s}")
    for name in names:
        r = results[name]
        r["seed_inputs_per_s"] = round(_baseline(name))
        r["slowest_ms"] = round(r["slowest_ms"], 1)
        print(f"{name:10s} {r['inputs']:>10,} {r['field']:>9,} {r['bytes']:>9,} {r['built']:>9,} "
              f"{r['crashes']:>8,} {r['slowest_ms']:>11.1f} {r['seed_inputs_per_s']:>14,}")
        for example in r["examples"]:
            print(f"    {example}")
    print(f"wall {wall:,.0f} s with {args.workers} workers; crashing inputs in {args.crash_dir}")
    print(json.dumps({"readers": {n: {"inputs": r["inputs"], "crashes": r["crashes"],
                                      "field_inputs": r["field"], "byte_inputs": r["bytes"],
                                      "built_seed_inputs": r["built"],
                                      "slowest_ms": r["slowest_ms"]}
                                  for n, r in results.items()},
                      "wall_s": round(wall, 1), "workers": args.workers}))


if __name__ == "__main__":
    main()
