"""The front door: the names a library user needs, in one place.

::

    from sweepers import api as sw          # or: import sweepers; sweepers.propagate(...)

    store = sw.open_store("sqlite:///catalog.db")
    sw.ingest_files(store, ["catalog.3le", "satcat.json"])
    elsets = store.latest()                  # newest element set of every object
    eph = sw.propagate(elsets, times)        # SGP4, (n, m, 3) km and km/s, TEME
    events = sw.screen(elsets, days=1.0)     # conjunctions, with TCA and miss distance
    result = sw.pc_from_cdm(sw.read_cdm("event.cdm"))

Everything is imported on first use (PEP 562 ``__getattr__``), so ``import sweepers.api`` costs
nothing until a name is touched: SGP4 engines, SQLAlchemy, numba and heyoka load only when the
feature that needs them does. Units as everywhere in the package: km, km/s, s, rad inside; UTC
epochs (timezone-aware ``datetime`` or ``datetime64[us]``); Pc inputs in metres (CCSDS CDM units).

The names, by task:

* store and ingest — :func:`open_store`, :class:`CatalogStore`, :func:`ingest_files`,
  :func:`ingest_bytes`, :class:`ElementSet`, :func:`data_dir`;
* time — :func:`parse_epoch`, :func:`as_datetime64`;
* propagate — :func:`propagate` (batch SGP4/SDP4 in TEME, GCRS or ITRS; result :class:`Ephemeris`);
* screen and Pc — :func:`screen` (result :class:`Conjunction` list), :func:`screen_catalog`
  (a whole store for a window, with what was left out and why), :func:`compute_pc`,
  :func:`pc_from_cdm`, :func:`conjunction_cdm`;
* files — :func:`parse_elements` (TLE/3LE/OMM JSON/CSV/XML/KVN), :func:`omm_kvn`,
  :func:`omm_xml`, :func:`omm_json`, :func:`read_cdm`, :func:`cdm_kvn`, :func:`cdm_xml`,
  :func:`read_oem`, :func:`oem_kvn`, :func:`oem_xml`, :func:`write_atomic`;
* salvage — :func:`score_objects`, :func:`rank_targets`, :func:`load_ship`,
  :func:`candidates_in_reach`, :func:`plan_job`;
* the main job — :func:`run_sweep` (census, a day of propagation, close approaches, the
  *Victory*'s route; returns a report object).

``formats`` functions return text and never write: write with :func:`write_atomic`.
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> "module:attribute[.attribute]"; the one table of the public surface.
_EXPORTS: dict[str, str] = {
    # store and ingest
    "CatalogStore": "sweepers.catalog.store:CatalogStore",
    "open_store": "sweepers.catalog.store:CatalogStore.open",
    "ingest_files": "sweepers.catalog.ingest:ingest_files",
    "ingest_bytes": "sweepers.catalog.ingest:ingest_bytes",
    "ElementSet": "sweepers.records:ElementSet",
    "data_dir": "sweepers.config:data_dir",
    # time
    "parse_epoch": "sweepers.epochs:parse_epoch",
    "as_datetime64": "sweepers.epochs:as_datetime64",
    # propagation
    "propagate": "sweepers.orbits.sgp4_batch:propagate",
    "Ephemeris": "sweepers.orbits.sgp4_batch:Ephemeris",
    # screening and collision probability
    "screen": "sweepers.conjunctions.screen:screen",
    "Conjunction": "sweepers.conjunctions.events:Conjunction",
    "compute_pc": "sweepers.conjunctions.pc:compute_pc",
    "pc_from_cdm": "sweepers.conjunctions.pc:pc_from_cdm",
    # re-point to the conjunctions layer once CDM assembly leaves the CLI (issue 12, item 2)
    "conjunction_cdm": "sweepers.conjunctions.cdm_build:conjunction_cdm",
    "screen_catalog": "sweepers.conjunctions.catalog_screen:screen_catalog",
    "run_sweep": "sweepers.sweep:run_sweep",
    # files (text in, text out; write with write_atomic)
    "parse_elements": "sweepers.formats:parse_bytes",
    "omm_kvn": "sweepers.formats.omm:write_omm_kvn",
    "omm_xml": "sweepers.formats.omm:write_omm_xml",
    "omm_json": "sweepers.formats.omm:write_omm_json",
    "read_cdm": "sweepers.formats.cdm:load",
    "cdm_kvn": "sweepers.formats.cdm:dumps_kvn",
    "cdm_xml": "sweepers.formats.cdm:dumps_xml",
    "read_oem": "sweepers.formats.oem:load",
    "oem_kvn": "sweepers.formats.oem:dumps_kvn",
    "oem_xml": "sweepers.formats.oem:dumps_xml",
    "write_atomic": "sweepers.files:write_atomic",
    # salvage: value and planning
    "score_objects": "sweepers.salvage.value:score_objects",
    "rank_targets": "sweepers.salvage.value:rank_targets",
    "load_ship": "sweepers.salvage.planner:load_ship",
    "candidates_in_reach": "sweepers.salvage.planner.targets:candidates_in_reach",
    "plan_job": "sweepers.salvage.planner:plan_job",
}

__all__ = sorted(_EXPORTS)


def _resolve(target: str) -> Any:
    module_name, _, path = target.partition(":")
    value: Any = importlib.import_module(module_name)
    for part in path.split("."):
        value = getattr(value, part)
    return value


def __getattr__(name: str) -> Any:
    """Import the public name on first use and keep it (PEP 562)."""
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'sweepers.api' has no attribute {name!r}")
    value = _resolve(target)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
