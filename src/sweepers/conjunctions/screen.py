"""Conjunction screening: all-vs-all, or primaries against the catalog — the front door.

``screen(elsets, start, days, threshold_km, primaries=None, executor=None, progress=None)``
returns every local minimum of the range between two objects that is ≤ ``threshold_km`` with TCA
in ``(start, start + days]``, sorted by TCA. Units: km, km/s, s, days; TEME; UTC.

The cascade:

1. **Perigee/apogee shell filter** (Hoots, Crawford & Roehrich 1984, the "apogee/perigee
   filter"): with primaries, only catalog objects whose ``[perigee, apogee]`` radius band,
   widened by ``threshold + SHELL_MARGIN_KM`` and by the drag decay over the window, overlaps a
   primary's band are propagated. (In all-vs-all screening every object is kept: the spatial
   sieve below already ignores distant pairs.)
2. **Time sieve** over steps of ``step_s`` with cubic-interpolation swept-sphere bounds, a
   compiled spatial-hash-grid broad phase and an interpolant narrow phase —
   :mod:`sweepers.conjunctions.sieve`, which explains why it cannot miss a minimum.
3. **TCA refinement** on python-sgp4 by Brent's method on the range rate —
   :mod:`sweepers.conjunctions.refine`; Pc is Alfano's maximum (:mod:`.events`).

The window is cut into blocks of ``block_steps`` steps (× optional object blocks); each block is
an independent task run through a :mod:`sweepers.parallel` executor, and memory is one block's
states (``n × (block_steps + 1) × 48`` bytes) per worker. A tabulated primary (a ship's OEM) is
screened segment by segment by :mod:`sweepers.conjunctions.ephemeris` with the same bounds.
"""

from __future__ import annotations

import hashlib
import itertools
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.conjunctions.events import Conjunction
from sweepers.conjunctions.sieve import (
    BlockTask,
    ScreenContext,
    screen_block,
    step_count,
)
from sweepers.epochs import DAY_S, datetime_to_jd
from sweepers.errors import SweepersError
from sweepers.orbits.constants import MU_EARTH_KM3_S2
from sweepers.parallel import Executor, InProcess
from sweepers.records import ElementSet

__all__ = [
    "Conjunction", "ScreenError", "dedupe", "median_epoch", "screen", "shell_overlap_mask",
]

DEFAULT_DAYS = 7.0
DEFAULT_THRESHOLD_KM = 5.0
DEFAULT_STEP_S = 120.0
DEFAULT_BLOCK_STEPS = 90  # 3 h of 2-min steps: ~60 MB of positions for the full catalog
DEFAULT_SUBSTEPS = 4  # 30 s swept spheres: the fastest full-catalog sieve (benchmarks/)
SHELL_MARGIN_KM = 30.0  # SGP4 short-period radial terms (~10 km in LEO) and mean/osculating gap
DUPLICATE_TCA_S = 1e-3  # refinements of one pair closer than this are one event

Progress = Callable[[int, int], None]
"""``progress(blocks_done, blocks_total)``."""


class ScreenError(SweepersError):
    """Screening inputs that cannot be used (unknown primary, empty catalog, bad window)."""


def screen(
    elsets: Sequence[ElementSet],
    start: datetime | None = None,
    days: float = DEFAULT_DAYS,
    threshold_km: float = DEFAULT_THRESHOLD_KM,
    primaries: Iterable[int] | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    *,
    hbr_m: Mapping[int, float] | None = None,
    step_s: float = DEFAULT_STEP_S,
    block_steps: int = DEFAULT_BLOCK_STEPS,
    object_blocks: int = 1,
    substeps: int = DEFAULT_SUBSTEPS,
    engine: str = "auto",
    stats: dict[str, float] | None = None,
) -> list[Conjunction]:
    """Conjunctions (range minima ≤ ``threshold_km``) with TCA in ``(start, start + days]``.

    ``elsets``: one element set per object (the latest is kept if an id repeats). ``start``: UTC
    (default: the median element-set epoch). ``primaries``: catalog numbers screened against
    everything (default: all-vs-all). ``hbr_m``: hard-body radius per catalog number [m] (CARA
    estimates; missing → :data:`sweepers.conjunctions.events.DEFAULT_HBR_M`). ``executor``: a
    :mod:`sweepers.parallel` executor (default in-process). ``progress(done, total)`` is called
    after each block. ``step_s``: SGP4 sampling step [s]; ``substeps``: parts of a step searched
    separately; ``block_steps``: steps per task. ``stats``, if given, receives counts and
    per-stage seconds spent inside the tasks (summed over workers), and ``filtered``: the
    objects the shell filter left out (primaries only; 0 all-vs-all).
    """
    if days <= 0 or threshold_km <= 0 or step_s <= 0 or block_steps < 1:
        raise ScreenError("days, threshold_km, step_s and block_steps must be positive")
    latest: dict[int, ElementSet] = {}
    for e in elsets:
        if e.norad_id not in latest or e.epoch > latest[e.norad_id].epoch:
            latest[e.norad_id] = e
    objects = sorted(latest.values(), key=lambda e: e.norad_id)
    if len(objects) < 2:
        raise ScreenError(f"need at least two objects to screen, got {len(objects)}")
    if start is None:
        start = median_epoch(objects)
    primary_mask: NDArray[np.bool_] | None = None
    offered = len(objects)
    if primaries is not None:
        wanted = set(primaries)
        missing = wanted - latest.keys()
        if missing:
            raise ScreenError(f"primaries not in the catalog: {sorted(missing)[:10]}")
        mask = np.array([e.norad_id in wanted for e in objects])
        keep = shell_overlap_mask(objects, mask, threshold_km, days)
        objects = [e for e, k in zip(objects, keep, strict=True) if k]
        primary_mask = mask[keep]

    start_jd, start_fr = datetime_to_jd(start)
    n_steps = step_count(days, step_s)
    hbr = np.array([np.nan if hbr_m is None else hbr_m.get(e.norad_id, np.nan) for e in objects],
                   dtype=np.float64)
    ctx = ScreenContext(
        elsets=tuple(objects), token=_token(objects, engine), start_jd=start_jd,
        start_fr=start_fr, step_s=float(step_s), end_s=days * DAY_S,
        threshold_km=float(threshold_km), hbr_m=hbr, primary_mask=primary_mask, engine=engine,
        substeps=max(1, substeps),
    )
    n = len(objects)
    bounds = np.linspace(0, n, max(1, object_blocks) + 1).astype(int)
    tasks = [
        BlockTask(first, min(first + block_steps, n_steps), int(lo), int(hi))
        for first in range(0, n_steps, block_steps)
        for lo, hi in itertools.pairwise(bounds)
    ]
    executor = executor or InProcess()
    events: list[Conjunction] = []
    totals = {"objects": float(n), "filtered": float(offered - n),
              "blocks": float(len(tasks)), "broad_pairs": 0.0,
              "candidates": 0.0, "propagate_s": 0.0, "sieve_s": 0.0, "refine_s": 0.0}
    if progress:
        progress(0, len(tasks))
    return gather(executor.map(screen_block, tasks, shared=ctx), len(tasks), events, totals,
                  progress, stats)


TASK_COUNTERS = ("broad_pairs", "candidates", "propagate_s", "sieve_s", "refine_s")
"""Counts and seconds every screening task result carries (summed into ``stats``)."""


def gather(
    results: Iterable[Any],
    total: int,
    events: list[Conjunction],
    totals: dict[str, float],
    progress: Progress | None = None,
    stats: dict[str, float] | None = None,
) -> list[Conjunction]:
    """Collect task results as they arrive: their events appended to ``events``, their
    :data:`TASK_COUNTERS` added to ``totals``, ``progress(done, total)`` after each; returns
    the merged events (:func:`dedupe`) and puts ``totals`` (with ``conjunctions``) in ``stats``.
    Any result with ``events`` and the counters will do (block or OEM-piece results)."""
    for done, result in enumerate(results, start=1):
        events.extend(result.events)
        for key in TASK_COUNTERS:
            totals[key] += getattr(result, key)
        if progress:
            progress(done, total)
    out = dedupe(events)
    totals["conjunctions"] = float(len(out))
    if stats is not None:
        stats.update(totals)
    return out


def dedupe(
    events: Iterable[Conjunction], tolerance_s: float = DUPLICATE_TCA_S
) -> list[Conjunction]:
    """Events sorted by TCA, one per pair and TCA (refinements within ``tolerance_s`` merge)."""
    by_pair = sorted(events, key=lambda e: (e.primary_id, e.secondary_id, e.tca_jd, e.tca_fr))
    kept: list[Conjunction] = []
    for e in by_pair:
        if kept and (kept[-1].primary_id, kept[-1].secondary_id) == (e.primary_id,
                                                                      e.secondary_id):
            gap_s = abs((e.tca_jd - kept[-1].tca_jd) + (e.tca_fr - kept[-1].tca_fr)) * DAY_S
            if gap_s < tolerance_s:
                continue
        kept.append(e)
    return sorted(kept, key=lambda e: (e.tca_jd, e.tca_fr, e.primary_id, e.secondary_id))


def shell_overlap_mask(
    elsets: Sequence[ElementSet],
    primary_mask: NDArray[np.bool_],
    threshold_km: float,
    days: float,
) -> NDArray[np.bool_]:
    """Objects whose perigee–apogee radius band can come within ``threshold_km`` of a primary's.

    Bands come from mean elements (Kozai mean motion → semi-major axis) widened by
    ``threshold_km/2 + SHELL_MARGIN_KM`` each and by twice the decay of the semi-major axis over
    ``days`` implied by the element set's ṅ (``Δa = ⅔ a Δn/n``). Primaries are always kept.
    """
    n_rev_day = np.array([e.mean_motion_rev_day for e in elsets])
    ecc = np.array([e.eccentricity for e in elsets])
    ndot = np.abs(np.array([e.mean_motion_dot for e in elsets]))  # ṅ/2 [rev/day²]
    n_rad_s = n_rev_day * 2.0 * np.pi / DAY_S
    a = np.cbrt(MU_EARTH_KM3_S2 / n_rad_s**2)
    decay = 2.0 * (2.0 / 3.0) * a * (2.0 * ndot * days) / n_rev_day
    pad = 0.5 * threshold_km + SHELL_MARGIN_KM + decay
    low = a * (1.0 - ecc) - pad
    high = a * (1.0 + ecc) + pad
    p_low, p_high = low[primary_mask], high[primary_mask]
    overlap = (low[:, None] <= p_high[None, :]) & (high[:, None] >= p_low[None, :])
    return overlap.any(axis=1) | primary_mask


def median_epoch(elsets: Sequence[ElementSet]) -> datetime:
    """The median element-set epoch (UTC): the default window start."""
    stamps = [e.epoch.timestamp() for e in elsets]
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=statistics.median(stamps))


def _token(elsets: Sequence[ElementSet], engine: str) -> str:
    digest = hashlib.sha1(engine.encode())
    digest.update(np.array([e.norad_id for e in elsets], dtype=np.int64).tobytes())
    digest.update(np.array([e.epoch.timestamp() for e in elsets]).tobytes())
    digest.update(np.array([(e.mean_motion_rev_day, e.mean_anomaly_deg, e.bstar)
                            for e in elsets]).tobytes())
    return digest.hexdigest()
