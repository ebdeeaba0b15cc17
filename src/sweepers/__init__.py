"""sweepers — salvage operations on orbital debris.

Units, once for the whole package (convert only at the edges):

* length: km; velocity: km/s; time spans: seconds (``*_s``) unless a name says minutes or days;
  angles: radians inside the physics, degrees only in element-set records (as OMM/TLE print them).
* epochs: UTC. ``datetime`` (timezone-aware UTC) or ``numpy.datetime64[us]`` at the user's edge,
  two-part Julian dates (``jd``, ``fr``) at the SGP4 boundary.
* frames: TEME is what SGP4 produces; GCRS and ITRS are reached through pyerfa (IAU 2006/2000A).
* catalog numbers: ``int`` up to 9 digits (Alpha-5 ``T0002`` is decoded to 270002 at the edge).

Reference data is read through one setting, ``SWEEPERS_DATA`` (default ``../shared/data``).

The public names live in :mod:`sweepers.api` and are re-exported here lazily: ``sweepers.propagate``
is ``sweepers.api.propagate``, imported on first use.
"""

import importlib
from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``sweepers.NAME`` for every name of :mod:`sweepers.api`, imported on first use (PEP 562).

    Any other name is an ``AttributeError``, which is also how ``from sweepers import formats``
    falls through to importing the submodule.
    """
    if not name.startswith("_") and name != "api":
        api = importlib.import_module("sweepers.api")
        if name in api.__all__:
            return getattr(api, name)
    raise AttributeError(f"module 'sweepers' has no attribute {name!r}")
