"""Where catalogued objects are at one epoch (``sweepers where``), as one library call.

:func:`states_at` opens the store, takes each object's best element set for the epoch
(:meth:`~sweepers.catalog.store.CatalogStore.for_window`: the newest at or before it, else the
oldest after it, SGP4 running backwards; ``strict_epochs``: only sets at or before it) and
propagates it with SGP4/SDP4 to the epoch, in TEME, GCRS or ITRS. Nothing is dropped silently:
every requested object has a row whose ``status`` is ``OK``, an SGP4 error name, ``DECAYED``
(its SATCAT decay date is at or before the epoch: no state is given) or
``NO_SET_BEFORE_EPOCH`` (strict mode), and :class:`StatesReport` counts them.

A top-level module because it joins the store (``catalog``) and the propagator (``orbits``) for
the front ends (``cli``, ``service``). Units: km, km/s, days; epochs UTC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sweepers.catalog.store import CatalogStore
from sweepers.errors import NotFoundError, SweepersError

FRAMES = ("teme", "gcrs", "itrs")


@dataclass(frozen=True)
class StatesReport:
    """One row per requested object, in the order asked (see :func:`states_at`)."""

    epoch: datetime
    frame: str
    strict_epochs: bool
    rows: list[dict[str, Any]]

    def selection(self) -> dict[str, Any]:
        """Counts: objects asked, states given, sets after the epoch, rows without a state by
        reason (``status``)."""
        missing = Counter(row["status"] for row in self.rows if row["status"] != "OK")
        return {
            "epoch": self.epoch.isoformat(), "strict_epochs": self.strict_epochs,
            "objects": len(self.rows), "located": len(self.rows) - sum(missing.values()),
            "from_set_after_epoch": sum(1 for r in self.rows if r["element_set_after_epoch"]),
            "left_out": dict(sorted(missing.items())),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: epoch, frame, the selection counts and the rows."""
        return {"epoch": self.epoch.isoformat(), "frame": self.frame.upper(),
                "selection": self.selection(), "states": self.rows}

    def summary(self) -> str:
        """One line for people."""
        sel = self.selection()
        text = (f"{sel['located']:,} of {sel['objects']:,} objects located, "
                f"{sel['from_set_after_epoch']:,} from an element set after the epoch")
        if sel["left_out"]:
            text += "; without a state: " + ", ".join(
                f"{n:,} {k}" for k, n in sel["left_out"].items())
        if self.strict_epochs:
            text += " (--strict-epochs: only element sets at or before the epoch)"
        return text


def states_at(db: str | None, ids: Sequence[int], epoch: datetime, frame: str = "teme", *,
              strict_epochs: bool = False) -> StatesReport:
    """Position [km] and velocity [km/s] of each of ``ids`` at ``epoch`` (UTC) in ``frame``.

    Raises :class:`NotFoundError` for a catalog number the store has no element set of, and
    :class:`SweepersError` for an unknown frame.
    """
    from sweepers.orbits.sgp4_batch import Sgp4Status, propagate

    frame = frame.lower()
    if frame not in FRAMES:
        raise SweepersError(f"unknown frame {frame!r}: choose one of {', '.join(FRAMES)}")
    with CatalogStore.open(db) as store:
        window = store.for_window(epoch, ids, strict=strict_epochs)
        known = {e.norad_id: e for e in window.elsets}
        unknown = [i for i in ids if i not in known and i not in window.no_set_before]
        if unknown:
            raise NotFoundError(f"object {unknown[0]} is not in the store ({store.url})")
        decay = {o.norad_id: o.satcat.decay_date for o in store.objects(ids)
                 if o.satcat is not None and o.satcat.decay_date is not None}
    decayed = {i for i, d in decay.items() if datetime.combine(d, time(), tzinfo=UTC) <= epoch}
    flying = [known[i] for i in dict.fromkeys(ids) if i in known and i not in decayed]
    eph = propagate(flying, [epoch], frame) if flying else None  # type: ignore[arg-type]
    at_row = {e.norad_id: k for k, e in enumerate(flying)}
    after = set(window.after_start)
    rows: list[dict[str, Any]] = []
    for norad_id in ids:
        e = known.get(norad_id)
        row: dict[str, Any] = {
            "norad_id": norad_id, "name": e.object_name if e else None,
            "epoch": epoch.isoformat(), "frame": frame.upper(),
            "element_set_epoch": e.epoch.isoformat() if e else None,
            "element_set_age_days": (epoch - e.epoch).total_seconds() / 86400.0 if e else None,
            "element_set_after_epoch": norad_id in after,
            "status": "NO_SET_BEFORE_EPOCH", "r_km": None, "v_km_s": None,
        }
        if norad_id in decayed:
            row["status"] = "DECAYED"
        elif eph is not None and norad_id in at_row:
            k = at_row[norad_id]
            status = Sgp4Status(int(eph.status[k, 0]))
            row["status"] = status.name
            if not status:
                row["r_km"] = [float(x) for x in eph.r[k, 0]]
                row["v_km_s"] = [float(x) for x in eph.v[k, 0]]
        rows.append(row)
    return StatesReport(epoch, frame, strict_epochs, rows)
