"""Who is screened: every object of the store that is in orbit over the window, counted.

An operator screen (SOCRATES, CARA) covers every catalogued object in orbit, each from its best
element set for the window: :meth:`sweepers.catalog.store.CatalogStore.for_window` picks the
newest set at or before the start, else the oldest after it (SGP4 runs backwards as well as
forwards). :func:`in_orbit` then leaves out, and counts by reason, the objects that cannot take
part:

* ``no_set_before_start`` — only in strict (back-test) mode: every set comes after the start;
* ``decayed`` — the SATCAT gives a decay date at or before the window start (midnight UTC);
* ``sgp4_error`` — SGP4 gives no orbital state at any point of the window's hourly grid (start,
  every hour, end): an error code, or a radius outside ``[MIN_RADIUS_KM, MAX_RADIUS_KM]`` (the
  sieve's rule, :func:`sweepers.conjunctions.sieve.blank_unphysical`). SGP4 failures grow with
  the distance from a set's epoch (decay forwards, eccentricity out of range backwards), so a
  set failing on the whole grid has no usable state in the window (a set whose epoch lies in
  the window fails on it only if it fails within an hour of its own epoch).

Objects that are valid on part of the grid only (re-entering during the window) are screened
and counted in ``fails_in_window``: the sieve uses their valid states. The screen itself may
leave out more (``filtered``: the perigee/apogee shell filter of primary and OEM screening),
added with :meth:`Population.with_filtered`. Units: epochs UTC, radii km.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np

from sweepers.catalog.store import WindowSets
from sweepers.conjunctions.refine import MAX_RADIUS_KM, MIN_RADIUS_KM
from sweepers.orbits.sgp4_batch import propagate
from sweepers.records import ElementSet

REASONS = ("no_set_before_start", "decayed", "sgp4_error", "filtered")
"""Why an object of the store is not screened, in the order they are applied."""
GRID_S = 3600.0  # spacing of the validity grid [s]


@dataclass(frozen=True)
class Population:
    """The objects screened over a window and those left out, by reason.

    ``elsets``: the screened objects' sets, by catalog number. ``after_start``: screened objects
    whose set has an epoch after ``start``. ``left_out``: reason (:data:`REASONS`) → catalog
    numbers (``filtered`` holds a count only, see :meth:`with_filtered`). ``fails_in_window``:
    screened objects SGP4 loses during the window. ``strict_epochs``: back-test mode.
    """

    start: datetime
    strict_epochs: bool
    elsets: list[ElementSet]
    after_start: tuple[int, ...]
    left_out: dict[str, tuple[int, ...]] = field(default_factory=dict)
    fails_in_window: tuple[int, ...] = ()
    filtered: int = 0

    @property
    def in_store(self) -> int:
        """Objects of the store considered (screened + left out for any reason)."""
        return len(self.elsets) + sum(len(v) for v in self.left_out.values())

    def counts(self) -> dict[str, int]:
        """Left-out objects per reason (every reason of :data:`REASONS`, zeros included)."""
        out = {reason: len(self.left_out.get(reason, ())) for reason in REASONS}
        out["filtered"] = self.filtered
        return out

    def with_filtered(self, count: int) -> Population:
        """This population with ``count`` objects left out by the screen's shell filter."""
        return replace(self, filtered=int(count))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: counts, and the catalog numbers of the objects left out before screening."""
        return {
            "start": self.start.isoformat(),
            "strict_epochs": self.strict_epochs,
            "in_store": self.in_store,
            "screened": len(self.elsets) - self.filtered,
            "from_set_after_start": len(self.after_start),
            "fails_in_window": len(self.fails_in_window),
            "left_out": self.counts(),
            "left_out_ids": {k: list(v) for k, v in self.left_out.items() if v},
        }

    def summary(self) -> str:
        """One line for people: screened, sets after the start, left out by reason."""
        left = {k: n for k, n in self.counts().items() if n}
        text = (f"{len(self.elsets) - self.filtered:,} of {self.in_store:,} objects screened, "
                f"{len(self.after_start):,} from an element set after the start")
        if self.fails_in_window:
            text += f", {len(self.fails_in_window):,} lost by SGP4 during the window"
        text += "; left out: " + (", ".join(f"{n:,} {k.replace('_', ' ')}"
                                            for k, n in left.items()) if left else "none")
        if self.strict_epochs:
            text += " (--strict-epochs: only element sets at or before the start)"
        return text


def in_orbit(window: WindowSets, start: datetime, days: float,
             decay_dates: Mapping[int, date | None] | None = None) -> Population:
    """The objects of ``window`` that can be screened over ``[start, start + days]`` (UTC).

    ``decay_dates``: SATCAT decay date per catalog number (missing or None: in orbit).
    """
    decay_dates = decay_dates or {}
    decayed, alive = [], []
    for e in window.elsets:
        when = decay_dates.get(e.norad_id)
        if when is not None and datetime.combine(when, time(), tzinfo=UTC) <= start:
            decayed.append(e.norad_id)
        else:
            alive.append(e)
    valid = _valid_on_grid(alive, start, days)
    kept = [e for e, ok in zip(alive, valid.any(axis=1), strict=True) if ok]
    lost = tuple(e.norad_id for e, ok in zip(alive, valid.any(axis=1), strict=True) if not ok)
    partial = tuple(e.norad_id for e, row in zip(alive, valid, strict=True)
                    if row.any() and not row.all())
    kept_ids = {e.norad_id for e in kept}
    return Population(
        start=start, strict_epochs=window.strict, elsets=kept,
        after_start=tuple(i for i in window.after_start if i in kept_ids),
        left_out={"no_set_before_start": tuple(window.no_set_before),
                  "decayed": tuple(decayed), "sgp4_error": lost},
        fails_in_window=partial)


def _valid_on_grid(elsets: list[ElementSet], start: datetime, days: float) -> np.ndarray:
    """(n, m) bool: an orbital SGP4 state at each time of the window's hourly grid."""
    if not elsets:
        return np.zeros((0, 1), dtype=bool)
    span_s = max(days, 0.0) * 86400.0
    offsets = np.append(np.arange(0.0, span_s, GRID_S), span_s)
    t0 = np.datetime64(start.astimezone(UTC).replace(tzinfo=None), "us")
    times = t0 + (offsets * 1e6).astype("timedelta64[us]")
    eph = propagate(elsets, times)
    radius = np.linalg.norm(eph.r, axis=2)
    with np.errstate(invalid="ignore"):
        return (eph.status == 0) & (radius > MIN_RADIUS_KM) & (radius < MAX_RADIUS_KM)

