"""The main job, ``sweepers sweep``, as one library call: :func:`run_sweep` → :class:`SweepReport`.

A census of the sky, a day of propagation, the close approaches among the most massive objects,
the default ship's best salvage route, and a report folder (JSON, Markdown, PNG plots).

Where it sits: the sweep orchestrates the store (``catalog``), the census (``census``), the
screener (``conjunctions``) and the planner (``salvage``), so it lives above all of them and
below the front ends (``cli``, ``service``), which only handle arguments, call :func:`run_sweep`
and print. It is a top-level module rather than part of ``census`` because ``census`` is pure
(no store, no screening, no planning) and must stay importable by the layers it serves.

Selection: every object of the store gets its best element set for the census epoch
(:meth:`~sweepers.catalog.store.CatalogStore.for_window`: the newest at or before it, else the
oldest after it; ``strict_epochs`` keeps only sets at or before it). The census and the day
of propagation cover all of them; the 24-hour screening covers the :data:`LARGEST_OBJECTS` most
massive of those in orbit (:func:`sweepers.conjunctions.population.in_orbit`), every other object
counted as left out by reason (``filtered``: not among the most massive).
Units: km, km/s, kg, days; epochs UTC.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sweepers.catalog.store import CatalogStore, ObjectInfo
from sweepers.census import Census, CensusObject, catalog_date, compute, write_report
from sweepers.census.day_ahead import DayAhead, propagate_day, snapshot_figure, snapshot_start
from sweepers.census.plots import png_bytes
from sweepers.census.report import write_atomic
from sweepers.conjunctions.events import Conjunction
from sweepers.conjunctions.population import Population, in_orbit
from sweepers.errors import SweepersError
from sweepers.records import ElementSet

LARGEST_OBJECTS = 1000  # by estimated mass (CARA, else family table, else RCS-class default)
CLOSE_KM = 10.0
ROUTE_TITLE = "The Victory's best salvage route"
NO_ROUTE = "no catalogued object within 250 km and 3 deg of the Victory's orbit"

StageProgress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages: ``propagation`` (objects), then the planner's
``table``, ``search`` and ``legs``."""


class SweepError(SweepersError):
    """The sweep cannot run (an empty store)."""


@dataclass(frozen=True)
class SweepReport:
    """What one sweep found and wrote.

    ``as_of``: the census epoch (UTC); ``census`` and ``day`` cover ``objects`` (every object
    selected); ``population``: who was screened for ``conjunctions`` (by Pc, then miss
    distance); ``route``: the Victory's route (None: no object in reach); ``files``: the
    report folder's files; ``timings``: wall seconds per stage.
    """

    as_of: datetime
    census: Census
    objects: list[CensusObject]
    day: DayAhead
    population: Population
    conjunctions: list[Conjunction]
    route: dict[str, Any] | None
    files: list[Path]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        """Start of the day ahead: ``as_of`` rounded down to the minute."""
        return snapshot_start(self.as_of)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: census, day ahead, 24-hour conjunctions, selection, route, files."""
        return {
            "census": self.census.to_dict(),
            "day_ahead": self.day.to_dict(),
            "conjunctions_24h": {
                "objects": LARGEST_OBJECTS,
                "threshold_km": CLOSE_KM,
                "events": [c.to_dict() for c in self.conjunctions],
            },
            "selection": self.population.to_dict(),
            "route": self.route,
            "report": [str(p) for p in self.files],
            "timings": self.timings,
        }


def run_sweep(db: str | None = None, at: datetime | None = None,
              out: Path = Path("reports/sweep"), *, strict_epochs: bool = False,
              progress: StageProgress | None = None) -> SweepReport:
    """Run the sweep on the store at ``db`` (URL; default store) as of ``at`` (UTC; default the
    catalog's date, :func:`sweepers.census.catalog_date`) and write the report to ``out``."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with CatalogStore.open(db) as store:
        as_of = at
        window = store.for_window(at, strict=strict_epochs)
        if at is None and window.elsets:  # the catalog's date, from each object's newest set
            as_of = catalog_date([CensusObject.from_records(e, None) for e in window.elsets])
            window = store.for_window(as_of, strict=strict_epochs)
        if not window.elsets or as_of is None:
            raise SweepError(
                f"the store {store.url} has no element sets"
                + (f" at or before {at:%Y-%m-%d %H:%M}" if at else "")
                + ": run `sweepers catalog ingest --bundled` (or ingest your own files) first"
            )
        info = {o.norad_id: o for o in store.objects()}
    elsets = window.elsets
    objects = [
        CensusObject.from_records(e, info[e.norad_id].satcat if e.norad_id in info else None)
        for e in elsets
    ]
    timings["load_s"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    census = compute(objects, as_of)
    timings["census_s"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    start = snapshot_start(as_of)
    day = propagate_day(objects, start, progress=_stage(progress, "propagation"))
    timings["propagation_s"] = time.perf_counter() - t2

    t_c = time.perf_counter()
    from sweepers.salvage.value import score_objects

    scored = score_objects(elsets, info)
    decay = {i: o.satcat.decay_date for i, o in info.items() if o.satcat is not None}
    population = in_orbit(window, start, 1.0, decay)
    population, close = _largest_objects_conjunctions(population, info, scored, start)
    timings["conjunctions_s"] = time.perf_counter() - t_c

    t_r = time.perf_counter()
    route = _victory_route(elsets, scored, start, out, progress)
    timings["route_s"] = time.perf_counter() - t_r

    t3 = time.perf_counter()
    written = write_report(census, objects, out)
    close_json = json.dumps([c.to_dict() for c in close], indent=2, default=str) + "\n"
    written.append(write_atomic(out / "conjunctions_24h.json", close_json.encode()))
    written.append(
        write_atomic(out / "sky_snapshot.png", png_bytes(snapshot_figure(census, objects, day)))
    )
    summary_md = out / "summary.md"
    write_atomic(summary_md, (summary_md.read_text(encoding="utf-8") + "\n"
                              + route_markdown(route)).encode("utf-8"))
    written += [out / name for name in (route or {}).get("files", {}).values()]
    timings["report_s"] = time.perf_counter() - t3
    timings["total_s"] = time.perf_counter() - t0
    return SweepReport(as_of, census, objects, day, population, close, route, written, timings)


def _stage(progress: StageProgress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def route_lines(route: dict[str, Any] | None) -> list[str]:
    """The route for a terminal: one line per target and the totals (or why there is none)."""
    from sweepers.salvage.planner.output import route_lines as planner_lines

    if route is None:
        return [NO_ROUTE]
    return [*planner_lines(route), "full plan with OEM/CZML: `sweepers plan --out DIR`"]


def route_markdown(route: dict[str, Any] | None) -> str:
    """The route section of ``summary.md``."""
    from sweepers.salvage.planner.output import route_markdown as planner_markdown

    if route is None:
        return f"## {ROUTE_TITLE}\n\n{NO_ROUTE}\n"
    return planner_markdown(route, ROUTE_TITLE)


def _victory_route(elsets: Sequence[ElementSet], scored: list, start: datetime, out: Path,
                   progress: StageProgress | None) -> dict[str, Any] | None:
    """The default ship's route from ``start`` among the most valuable objects in its reach
    (the candidates of ``sweepers plan``), planned in the quick mode (every leg still solved
    exactly under full J2), written to ``out`` as ``route.json`` and ``route.png``. None when
    no object is in reach."""
    from sweepers.salvage.planner import VICTORY, plan_job_fast
    from sweepers.salvage.planner.output import write_route
    from sweepers.salvage.planner.targets import NoCandidatesError, candidates_in_reach

    ship = VICTORY.with_(start=start)
    try:
        cands = candidates_in_reach(ship, {e.norad_id: e for e in elsets},
                                    {s.norad_id: s for s in scored})
    except NoCandidatesError:
        return None
    return write_route(plan_job_fast(ship, cands, progress=progress), out)


def _largest_objects_conjunctions(population: Population, info: Mapping[int, ObjectInfo],
                                  scored: list, start: datetime
                                  ) -> tuple[Population, list[Conjunction]]:
    """Conjunctions within CLOSE_KM in the 24 h from ``start`` among the LARGEST_OBJECTS most
    massive objects in orbit (``scored``: every object's salvage score, for its mass;
    all-vs-all among themselves; Alfano max Pc with CARA radii). The population comes back with
    the others counted as ``filtered``."""
    from sweepers.conjunctions.screen import screen

    alive = {e.norad_id for e in population.elsets}
    ranked = sorted((s for s in scored if s.norad_id in alive), key=lambda s: -s.mass_kg)
    biggest = {s.norad_id for s in ranked[:LARGEST_OBJECTS]}
    subset = [e for e in population.elsets if e.norad_id in biggest]
    population = population.with_filtered(len(population.elsets) - len(subset))
    if len(subset) < 2:
        return population, []
    hbr = {i: o.hbr_m for i, o in info.items() if i in biggest and o.hbr_m}
    events = screen(subset, start=start, days=1.0, threshold_km=CLOSE_KM, hbr_m=hbr)
    return population, sorted(events, key=lambda c: (-c.pc, c.miss_km))
