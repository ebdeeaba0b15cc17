"""Census of the sky: what is up there, where, and how fresh our knowledge of it is.

Pure functions on plain inputs (no store, no network)::

    objects = [CensusObject.from_records(es, satcat.get(es.norad_id)) for es in latest_sets]
    census = compute(objects, as_of=catalog_date(objects))
    render_summary(census, console)            # rich tables, laid out for the width
    write_report(census, objects, "report/")   # census.json, summary.md, PNG figures

Orbit size comes from mean elements without propagation (SGP4's Brouwer semi-major axis, WGS72;
see :mod:`sweepers.census.geometry`). Regimes are ESA's classes (:mod:`sweepers.census.regimes`).
Units: km, minutes for periods, degrees for inclination, days for element-set ages.
"""

from sweepers.census.geometry import OrbitGeometry, orbit_geometry
from sweepers.census.model import (
    AltitudeBand,
    Census,
    CensusObject,
    CensusTable,
    catalog_date,
    compute,
    tabulate,
)
from sweepers.census.regimes import REGIME_NAMES, Regime, classify, classify_orbit
from sweepers.census.report import summary_markdown, write_report
from sweepers.census.terminal import render_summary

__all__ = [
    "REGIME_NAMES",
    "AltitudeBand",
    "Census",
    "CensusObject",
    "CensusTable",
    "OrbitGeometry",
    "Regime",
    "catalog_date",
    "classify",
    "classify_orbit",
    "compute",
    "orbit_geometry",
    "render_summary",
    "summary_markdown",
    "tabulate",
    "write_report",
]
