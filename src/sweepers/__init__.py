"""sweepers — salvage operations on orbital debris.

Units, once for the whole package (convert only at the edges):

* length: km; velocity: km/s; time spans: seconds (``*_s``) unless a name says minutes or days;
  angles: radians inside the physics, degrees only in element-set records (as OMM/TLE print them).
* epochs: UTC. ``datetime`` (timezone-aware UTC) or ``numpy.datetime64[us]`` at the user's edge,
  two-part Julian dates (``jd``, ``fr``) at the SGP4 boundary.
* frames: TEME is what SGP4 produces; GCRS and ITRS are reached through pyerfa (IAU 2006/2000A).
* catalog numbers: ``int`` up to 9 digits (Alpha-5 ``T0002`` is decoded to 270002 at the edge).

Reference data is read through one setting, ``SWEEPERS_DATA`` (default ``../shared/data``).
"""

__version__ = "0.1.0"
