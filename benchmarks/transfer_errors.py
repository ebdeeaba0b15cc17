"""Error of the cheap transfer-cost estimates against the exact J2 rendezvous, GTOC9 debris.

Pairs: random ordered pairs of the 123 GTOC9 debris (``$SWEEPERS_DATA/gtoc9/debris.csv``) that
are plausible transfer candidates — |Δa| < 100 km, |Δi| < 1.5° — departing at a random epoch of
the GTOC9 window (MJD2000 23467–26419) at which their node gap is below 3° (the JPL winning
chains had 0.5–3.6°), with a flight time drawn uniformly from ``--days`` (default 0.5–3 days).
Debris move by the GTOC9 ephemeris (Kepler + J2 secular, :class:`SecularJ2Ephemeris`).

Exact problem: :class:`J2RendezvousModel` — full-J2 coast between ≤ 3 impulses at the fixed
departure, mid and arrival epochs, min Σ|Δv|, arrival verified by re-integration (100 m, 1 m/s).
Cheap models at the same epochs: two-body multi-revolution Lambert, J2 nodal-drift estimate.
Relative error = (estimate − exact) / exact over the pairs where the exact solver converged.

Usage: ``python benchmarks/transfer_errors.py [--pairs 200] [--workers 2] [--seed 0]``.
The last line printed is JSON with the figures.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from sweepers.gtoc9.debris import load_debris
from sweepers.salvage.transfers import J2RendezvousModel, LambertTransferModel, NodalDriftModel
from sweepers.salvage.transfers.sampling import (
    sample_candidate_pairs as sample_pairs,
)


def _exact_chunk(args: tuple) -> dict[str, np.ndarray]:
    i, j, t0, t1 = args
    eph = load_debris()
    res = J2RendezvousModel().cost(eph.take(i), eph.take(j), t0, t1)
    return {"dv": res.dv_km_s, **res.details}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--days", type=float, nargs=2, default=(0.5, 3.0))
    args = ap.parse_args()

    eph = load_debris()
    i, j, t0, t1 = sample_pairs(eph, args.pairs, tuple(args.days), args.seed)
    dep, arr = eph.take(i), eph.take(j)
    start = time.perf_counter()
    lam = LambertTransferModel().cost(dep, arr, t0, t1)
    t_lam = time.perf_counter() - start
    start = time.perf_counter()
    drift = NodalDriftModel().cost(dep, arr, t0, t1)
    t_drift = time.perf_counter() - start
    start = time.perf_counter()
    chunks = np.array_split(np.arange(i.size), max(1, 4 * args.workers))
    with ProcessPoolExecutor(args.workers) as pool:
        parts = list(pool.map(_exact_chunk, [(i[c], j[c], t0[c], t1[c]) for c in chunks]))
    t_exact = time.perf_counter() - start
    exact = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    conv = exact["converged"]

    figures: dict[str, object] = {
        "n_pairs": int(i.size), "n_converged": int(conv.sum()),
        "flight_days": list(args.days),
        "exact_dv_km_s_median": float(np.median(exact["dv"][conv])),
        "exact_miss_m_max": float(1e3 * exact["miss_km"][conv].max()),
        "exact_miss_mm_s_max": float(1e6 * exact["miss_km_s"][conv].max()),
        "three_impulse_share": float(np.mean(exact["n_impulses"][conv] == 3)),
        "seconds": {"lambert": t_lam, "nodal_drift": t_drift, "exact": t_exact},
    }
    print(f"{i.size} pairs, exact converged on {conv.sum()}; "
          f"exact Δv median {figures['exact_dv_km_s_median'] * 1e3:.1f} m/s")
    print(f"{'model':<12} {'median |rel err|':>17} {'p90 |rel err|':>14} {'median signed':>14}"
          f" {'s/pair':>9}")
    for name, res, secs in (("lambert", lam, t_lam), ("nodal_drift", drift, t_drift)):
        rel = (res.dv_km_s[conv] - exact["dv"][conv]) / exact["dv"][conv]
        figures[name] = {"median_abs_rel_err": float(np.median(np.abs(rel))),
                         "p90_abs_rel_err": float(np.percentile(np.abs(rel), 90)),
                         "median_signed_rel_err": float(np.median(rel))}
        print(f"{name:<12} {np.median(np.abs(rel)):>17.3f} {np.percentile(np.abs(rel), 90):>14.3f}"
              f" {np.median(rel):>14.3f} {secs / i.size:>9.2e}")
    print(f"{'exact':<12} {'':>17} {'':>14} {'':>14} {t_exact * args.workers / i.size:>9.2e}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
