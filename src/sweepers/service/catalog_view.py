"""The catalog as the service reads it: the latest element set of every object, its metadata,
salvage scores, orbit geometry and regime — computed once per catalog version and shared by
every request of the process.

The version is the newest ``ingests.id``: every ingest (CLI or a scheduled refresh) makes a
new one, so a refresh is seen by the next request; building the view for the full catalog
(26,000 objects) costs a few seconds once per version, not per request. Element-set selection
is :meth:`CatalogStore.latest` as it stands (the newest epoch of each object).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select

from sweepers.catalog.schema import ingests
from sweepers.catalog.store import CatalogStore
from sweepers.census.geometry import orbit_geometry
from sweepers.census.regimes import classify
from sweepers.formats.omm import write_omm_json
from sweepers.records import ElementSet
from sweepers.salvage.value import ScoredObject, score_objects


@dataclass
class CatalogView:
    """One version of the catalog, ready to serve (see the module docstring)."""

    version: int
    elements: list[ElementSet]
    by_id: dict[int, int]  # norad_id -> index in ``elements``
    scored: list[ScoredObject]
    object_ids: list[str | None]  # international designators
    a_km: np.ndarray
    regime: list[str]
    _omm: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def omm_json(self) -> bytes:
        """Every latest element set as CelesTrak OMM JSON (built once per version)."""
        with self._lock:
            if self._omm is None:
                self._omm = write_omm_json(self.elements).encode()
            return self._omm

    @property
    def etag(self) -> str:
        """Strong ETag of this version's element sets."""
        return f'"elements-{self.version}-{len(self.elements)}"'

    def item(self, k: int) -> dict[str, Any]:
        """The object at index ``k`` as an API item (without its claim)."""
        e, s = self.elements[k], self.scored[k]
        return {
            "norad_id": e.norad_id, "name": s.name, "object_id": self.object_ids[k],
            "object_type": s.object_type, "rcs_size": s.rcs_size,
            "mass_kg": _finite(s.mass_kg, 3), "mass_source": s.mass_source,
            "epoch": e.epoch, "a_km": _finite(float(self.a_km[k]), 3),
            "e": e.eccentricity, "i_deg": e.inclination_deg,
            "perigee_km": _finite(s.perigee_km, 3), "apogee_km": _finite(s.apogee_km, 3),
            "regime": self.regime[k], "value": _finite(s.value_kusd, 2),
            "criticality": _finite(float(f"{s.criticality:.4g}"), 12), "excluded": s.excluded,
        }


def _finite(x: float, digits: int) -> float | None:
    """``x`` rounded, or None when it is not finite (e.g. a decayed orbit's altitude)."""
    return round(x, digits) if np.isfinite(x) else None


def catalog_version(store: CatalogStore) -> int:
    """The newest ingest id (0 for an empty store)."""
    with store.engine.connect() as conn:
        return conn.execute(select(func.coalesce(func.max(ingests.c.id), 0))).scalar_one()


def build_view(store: CatalogStore, version: int) -> CatalogView:
    """Read and score the whole catalog (module docstring)."""
    elements = store.latest()
    meta = {o.norad_id: o for o in store.objects()}
    scored = score_objects(elements, meta) if elements else []
    geo = orbit_geometry(elements) if elements else None
    regimes = [str(r) for r in classify(geo)] if geo is not None else []
    object_ids = [(meta[e.norad_id].object_id if e.norad_id in meta else None) or e.object_id
                  for e in elements]
    return CatalogView(version=version, elements=elements,
                       by_id={e.norad_id: k for k, e in enumerate(elements)}, scored=scored,
                       object_ids=object_ids,
                       a_km=geo.sma_km if geo is not None else np.empty(0),
                       regime=regimes)


class ViewCache:
    """The current :class:`CatalogView` of a store, rebuilt when the version changes."""

    def __init__(self, store: CatalogStore) -> None:
        self.store = store
        self._view: CatalogView | None = None
        self._lock = threading.Lock()

    def get(self) -> CatalogView:
        """The view of the newest catalog version (built at most once per version)."""
        version = catalog_version(self.store)
        view = self._view
        if view is not None and view.version == version:
            return view
        with self._lock:
            if self._view is None or self._view.version != version:
                self._view = build_view(self.store, version)
            return self._view


def body_etag(body: bytes) -> str:
    """Strong ETag of a response body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
