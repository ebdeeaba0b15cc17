"""Screening the store's catalog — all-vs-all, primaries, or a ship's OEM — as one library call.

:func:`screen_catalog` is what ``sweepers screen`` (and any other front end) runs: it opens the
store, picks every object's best element set for the window
(:meth:`~sweepers.catalog.store.CatalogStore.for_window`), keeps those in orbit
(:func:`sweepers.conjunctions.population.in_orbit`, every left-out object counted by reason),
screens them (:func:`sweepers.conjunctions.screen.screen`, or
:func:`sweepers.conjunctions.ephemeris.screen_ephemeris` for an OEM) and returns a
:class:`ScreenReport` with the events ranked by Pc, the counts, and the CDM labels
(:mod:`sweepers.conjunctions.cdm_build`). Units: km, km/s, days; UTC.

Layering: ``conjunctions`` sits above ``catalog`` and ``orbits`` and below the CLI and the
service, so it may open the store; it never prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sweepers.catalog.store import CatalogStore
from sweepers.conjunctions.cdm_build import Label, international_designator
from sweepers.conjunctions.events import Conjunction
from sweepers.conjunctions.population import Population, in_orbit
from sweepers.conjunctions.screen import ScreenError, median_epoch, screen
from sweepers.parallel import Executor

if TYPE_CHECKING:
    from sweepers.formats.oem import Oem

DEFAULT_DAYS = 7.0
DEFAULT_THRESHOLD_KM = 5.0
DEFAULT_OEM_HBR_M = 1.0
PC_METHOD_NAME = "alfano-max"


@dataclass(frozen=True)
class ScreenReport:
    """One screening run: the window, who was screened, the events (by Pc, then miss distance).

    ``labels``: CDM names of every catalog object; ``oem`` / ``oem_label`` / ``oem_file``: the
    ship's ephemeris when one was screened (its object is the primary of every event).
    """

    start: datetime
    days: float
    threshold_km: float
    population: Population
    events: list[Conjunction]
    labels: dict[int, Label]
    oem: Oem | None = None
    oem_label: Label | None = None
    oem_file: Path | None = None

    @property
    def objects(self) -> int:
        """Catalog objects screened (after every filter)."""
        return len(self.population.elsets) - self.population.filtered

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the window, counts, the selection, and every event."""
        out: dict[str, Any] = {
            "start": self.start.isoformat(), "days": self.days,
            "threshold_km": self.threshold_km, "objects": self.objects,
            "selection": self.population.to_dict(), "pc_method": PC_METHOD_NAME,
            "count": len(self.events), "conjunctions": [e.to_dict() for e in self.events],
        }
        if self.oem is not None:
            seg = self.oem.segments[0]
            out["oem"] = {"file": str(self.oem_file), "object_name": seg.object_name,
                          "object_id": seg.object_id, "segments": len(self.oem.segments)}
        return out


def screen_catalog(
    db: str | None = None,
    *,
    start: datetime | None = None,
    days: float | None = None,
    threshold_km: float = DEFAULT_THRESHOLD_KM,
    primaries: list[int] | None = None,
    oem_file: Path | None = None,
    oem_hbr_m: float | None = None,
    strict_epochs: bool = False,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScreenReport:
    """Screen the store at ``db`` (URL; default store) over ``[start, start + days]``.

    Defaults: ``start`` the median epoch of the objects' newest sets (with ``oem_file``, the
    OEM's first epoch), ``days`` 7 (with ``oem_file``, the OEM's span). ``primaries``: catalog
    numbers screened against the catalog (None: all-vs-all). ``oem_file``: a ship's CCSDS OEM
    (KVN or XML) screened against the catalog, its object of hard-body radius ``oem_hbr_m`` [m].
    ``strict_epochs``: only element sets at or before ``start`` (back-tests). Raises
    :class:`ScreenError` when nothing can be screened.
    """
    if days is not None and days <= 0:
        raise ScreenError("days must be positive")
    message: Oem | None = None
    if oem_file is not None:
        from sweepers.conjunctions.ephemeris import primary_pieces
        from sweepers.formats.oem import load as load_oem

        if not oem_file.is_file():
            raise ScreenError(f"{oem_file}: no such file")
        message = load_oem(oem_file)
        end = start + timedelta(days=days) if start is not None and days is not None else None
        pieces = primary_pieces(message, start, end)  # refuses what cannot be screened, early
        window_start = pieces[0].lo.astype("datetime64[us]").item().replace(tzinfo=UTC)
        span_days = float((pieces[-1].hi - pieces[0].lo) / np.timedelta64(1, "us")) / 86400e6
    with CatalogStore.open(db) as store:
        if message is None:
            if start is None:
                newest = store.for_window(None).elsets
                if not newest:
                    raise ScreenError("no element sets in the store")
                start = median_epoch(newest)
            window_start, span_days = start, DEFAULT_DAYS if days is None else days
        window = store.for_window(window_start, strict=strict_epochs)
        infos = store.objects()
    if not window.elsets:
        raise ScreenError(f"no element sets in the store before {window_start.isoformat()}"
                          if strict_epochs else "no element sets in the store")
    decay = {o.norad_id: o.satcat.decay_date for o in infos if o.satcat is not None}
    population = in_orbit(window, window_start, span_days, decay)
    if primaries:
        _check_primaries(primaries, population)
    hbr = {o.norad_id: o.hbr_m for o in infos if o.hbr_m is not None}
    stats: dict[str, float] = {}
    if message is not None:
        from sweepers.conjunctions.ephemeris import screen_ephemeris

        events = screen_ephemeris(
            message, population.elsets, start, days, threshold_km, executor=executor,
            progress=progress, hbr_m=hbr,
            primary_hbr_m=oem_hbr_m if oem_hbr_m is not None else DEFAULT_OEM_HBR_M,
            stats=stats)
    else:
        events = screen(population.elsets, window_start, span_days, threshold_km,
                        primaries=primaries or None, executor=executor, progress=progress,
                        hbr_m=hbr, stats=stats)
    population = population.with_filtered(int(stats.get("filtered", 0)))
    labels = {o.norad_id: Label(str(o.norad_id), o.name or "", o.object_id or "")
              for o in infos}
    oem_label = None
    if message is not None and oem_file is not None:
        seg = message.segments[0]
        oem_label = Label(seg.object_id, seg.object_name,
                          international_designator(seg.object_id), oem_file.name, "YES")
    return ScreenReport(
        start=window_start, days=span_days, threshold_km=threshold_km, population=population,
        events=sorted(events, key=lambda e: (-e.pc, e.miss_km)), labels=labels, oem=message,
        oem_label=oem_label, oem_file=oem_file)


def _check_primaries(primaries: list[int], population: Population) -> None:
    """A primary that was left out is an error that says why."""
    why = {i: reason for reason, ids in population.left_out.items() for i in ids}
    out = [f"{i} ({why[i].replace('_', ' ')})" for i in primaries if i in why]
    if out:
        raise ScreenError(f"primaries not screenable over the window: {', '.join(out[:10])}")
