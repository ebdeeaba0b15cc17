"""Earth constants, once for the whole package. Units: km, km³/s², rad/s, dimensionless.

Two sets, because two models are in use and must not be mixed:

* **EGM96 / WGS84** (``MU_EARTH_KM3_S2``, ``R_EARTH_KM``, ``J2_EARTH``) — the physics of this
  package: two-body and J2 propagation (:mod:`sweepers.orbits.kepler`, :mod:`sweepers.orbits.j2`),
  Lambert, transfer costs, the planner, geodetic heights. μ = 398600.4418 km³/s² (EGM96 GM, also
  WGS84's), R_e = 6378.137 km (WGS84 semi-major axis), J2 = 1.08262668e-3 (EGM96 unnormalised
  −C20). These are the values ESA's GTOC9 problem publishes (Kelvins "Constants" page), so the
  planner agrees with the benchmark; :mod:`sweepers.gtoc9.rules` keeps its own SI copy of the
  published problem constants on purpose (the checker is an independent oracle).
* **WGS72** (``MU_WGS72_KM3_S2``, ``RE_WGS72_KM``, ``J2_WGS72``) — SGP4's gravity model
  (python-sgp4's ``wgs72`` set; Vallado et al. 2006, AIAA 2006-6753, Appendix). Anything that
  interprets SGP4 mean elements (Brouwer semi-major axis, altitudes above the equatorial radius
  in the census) uses these, as SGP4 itself does.
"""

from __future__ import annotations

# EGM96 / WGS84 — the package's physics (and GTOC9's published values)
MU_EARTH_KM3_S2 = 398600.4418  # gravitational parameter GM [km³/s²]
R_EARTH_KM = 6378.137  # equatorial radius [km]
J2_EARTH = 1.08262668e-3  # second zonal harmonic J2 [-]
MU_EARTH_M3_S2 = MU_EARTH_KM3_S2 * 1e9  # the same GM in SI [m³/s²] (codes that work in metres)

# WGS72 — SGP4's constants (python-sgp4 ``WGS72``)
MU_WGS72_KM3_S2 = 398600.8  # gravitational parameter GM [km³/s²]
RE_WGS72_KM = 6378.135  # equatorial radius [km]
J2_WGS72 = 0.001082616  # second zonal harmonic J2 [-]

# Earth rotation
EARTH_ROTATION_RAD_S = 7.292115146706979e-5  # ω⊕ [rad/s], Vallado 2013 (IERS, nominal LOD)
