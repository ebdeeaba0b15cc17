"""Orbits: UTC time as two-part Julian dates, batch SGP4/SDP4, TEME → GCRS/ITRS frames, and the
dynamics for transfers: :mod:`.kepler` (elements ⇄ states, two-body propagation, J2 secular
rates), :mod:`.lambert` (multi-revolution Lambert, Izzo 2015) and :mod:`.j2` (full-J2 Taylor
integration with state-transition matrices). The latter are imported from their modules, so
``import sweepers.orbits`` stays light.

Units: km, km/s, minutes only where a name says so (``tsince_min``); epochs UTC, as
``datetime64[us]`` at the edge and two-part Julian dates ``(jd, fr)`` inside. SGP4 states are in
TEME; :mod:`sweepers.orbits.frames` rotates them to GCRS or ITRS.
"""

from sweepers.orbits.sgp4_batch import (
    Ephemeris,
    PreparedSet,
    Sgp4Status,
    iter_propagate,
    prepare,
    propagate,
    propagate_tsince,
)

__all__ = [
    "Ephemeris",
    "PreparedSet",
    "Sgp4Status",
    "iter_propagate",
    "prepare",
    "propagate",
    "propagate_tsince",
]
