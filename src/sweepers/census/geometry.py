"""Orbit size and shape from SGP4 mean elements, for a whole catalog at once (no propagation).

Why "un-Kozai": the mean motion printed in a TLE/OMM is SGP4's *Kozai* mean motion. SGP4 itself
first recovers the *Brouwer* mean motion and semi-major axis from it (Hoots & Roehrich 1980,
Spacetrack Report No. 3, §"SGP4" initialisation; Vallado et al. 2006, AIAA 2006-6753), and every
altitude SGP4 produces is built on that semi-major axis. Plain Kepler on the Kozai mean motion
differs from it in LEO by −3 km (polar) to +7 km (equatorial), the J2 term ``∝ 3cos²i − 1``:
a sixth of a 50 km altitude band, so the census uses SGP4's recovery with its WGS72 constants.
The formulas are the published theory, re-derived here (no code copied); ``tests/census`` checks
them against python-sgp4's own ``Satrec.a`` / ``altp`` / ``alta``.

Conventions:

* ``sma_km``: Brouwer mean semi-major axis [km].
* ``perigee_alt_km`` / ``apogee_alt_km``: ``sma·(1 ∓ e) − R⊕`` with the WGS72 equatorial radius
  6378.135 km (the "altitude above the equatorial radius" that SATCAT and ESA's tables use).
* ``mean_alt_km``: ``sma − R⊕`` [km].
* ``period_min``: ``1440 / n`` with ``n`` the element set's mean motion [rev/day], the period that
  SATCAT prints.

Invalid inputs (non-positive mean motion, eccentricity outside [0, 1)) give NaN in every field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sweepers.epochs import MINUTES_PER_DAY
from sweepers.orbits.constants import J2_WGS72, MU_WGS72_KM3_S2, RE_WGS72_KM
from sweepers.records import ElementSet

# SGP4's ke: sqrt(μ) in earth radii^1.5 per minute.
_KE_PER_MIN = 60.0 / np.sqrt(RE_WGS72_KM**3 / MU_WGS72_KM3_S2)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OrbitGeometry:
    """Structure of arrays, one entry per element set (all shape ``(n,)``, float64)."""

    sma_km: FloatArray
    eccentricity: FloatArray
    inclination_deg: FloatArray
    perigee_alt_km: FloatArray
    apogee_alt_km: FloatArray
    period_min: FloatArray

    @property
    def mean_alt_km(self) -> FloatArray:
        """Semi-major axis minus the WGS72 equatorial radius [km]."""
        return self.sma_km - RE_WGS72_KM

    def __len__(self) -> int:
        return int(self.sma_km.shape[0])


def brouwer_sma_km(
    mean_motion_rev_day: FloatArray, eccentricity: FloatArray, inclination_deg: FloatArray
) -> FloatArray:
    """Brouwer mean semi-major axis [km] from Kozai mean motion [rev/day], e [-] and i [deg].

    This is SGP4's initialisation step (WGS72 constants); NaN where ``n <= 0`` or e ∉ [0, 1).
    """
    n = np.asarray(mean_motion_rev_day, dtype=np.float64)
    e = np.asarray(eccentricity, dtype=np.float64)
    cos_i = np.cos(np.radians(np.asarray(inclination_deg, dtype=np.float64)))
    valid = (n > 0.0) & (e >= 0.0) & (e < 1.0)
    n_rad_min = np.where(valid, n, np.nan) * (2.0 * np.pi / MINUTES_PER_DAY)
    one_minus_e2 = np.where(valid, 1.0 - e * e, np.nan)
    a1 = (_KE_PER_MIN / n_rad_min) ** (2.0 / 3.0)  # Kozai semi-major axis [earth radii]
    k = 0.75 * J2_WGS72 * (3.0 * cos_i * cos_i - 1.0) / one_minus_e2**1.5
    d1 = k / (a1 * a1)
    a0 = a1 * (1.0 - d1 * (1.0 / 3.0 + d1 * (1.0 + 134.0 / 81.0 * d1)))
    d0 = k / (a0 * a0)
    n_brouwer = n_rad_min / (1.0 + d0)
    return (_KE_PER_MIN / n_brouwer) ** (2.0 / 3.0) * RE_WGS72_KM


def orbit_geometry(elements: Sequence[ElementSet]) -> OrbitGeometry:
    """Size and shape of every orbit in ``elements`` (see the module docstring for units)."""
    n = np.fromiter((s.mean_motion_rev_day for s in elements), np.float64, len(elements))
    e = np.fromiter((s.eccentricity for s in elements), np.float64, len(elements))
    i = np.fromiter((s.inclination_deg for s in elements), np.float64, len(elements))
    return geometry_from_arrays(n, e, i)


def geometry_from_arrays(
    mean_motion_rev_day: FloatArray, eccentricity: FloatArray, inclination_deg: FloatArray
) -> OrbitGeometry:
    """:func:`orbit_geometry` on plain arrays: n [rev/day], e [-], i [deg]."""
    n = np.asarray(mean_motion_rev_day, dtype=np.float64)
    e = np.asarray(eccentricity, dtype=np.float64)
    i = np.asarray(inclination_deg, dtype=np.float64)
    sma = brouwer_sma_km(n, e, i)
    bad = ~np.isfinite(sma)
    with np.errstate(divide="ignore", invalid="ignore"):
        period = np.where(bad, np.nan, MINUTES_PER_DAY / n)
    return OrbitGeometry(
        sma_km=sma,
        eccentricity=np.where(bad, np.nan, e),
        inclination_deg=np.where(bad, np.nan, i),
        perigee_alt_km=sma * (1.0 - e) - RE_WGS72_KM,
        apogee_alt_km=sma * (1.0 + e) - RE_WGS72_KM,
        period_min=period,
    )
