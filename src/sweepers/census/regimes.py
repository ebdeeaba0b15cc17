"""Orbit regimes: the classes of ESA's Annual Space Environment Report.

Source: ESA Space Debris Office, *ESA's Annual Space Environment Report*, GEN-DB-LOG-00288-OPS-SD
(issues 2021–2025), §1.1 "Definitions", table of orbital regions. The same classes, with the same
boundaries, are the CCSDS OCM orbit categories (SANA registry; e.g. Orekit's ``OrbitCategory``).

Altitudes are above the equatorial radius [km]; ``a`` semi-major axis [km]; i inclination [deg].

====  ==============================  =========================================================
code  name                            definition
====  ==============================  =========================================================
GEO   Geostationary Orbit             i ≤ 25°, 35,586 ≤ h_p ≤ 35,986, 35,586 ≤ h_a ≤ 35,986
IGO   Inclined Geosynchronous Orbit   37,948 ≤ a ≤ 46,380, e ≤ 0.25, 25° < i ≤ 180°
EGO   Extended Geostationary Orbit    37,948 ≤ a ≤ 46,380, e ≤ 0.25, i ≤ 25°
NSO   Navigation Satellites Orbit     50° ≤ i ≤ 70°, 18,100 ≤ h_p ≤ 24,300, 18,100 ≤ h_a ≤ 24,300
GTO   GEO Transfer Orbit              i < 90°, h_p < 2,000, 31,570 ≤ h_a ≤ 40,002
MEO   Medium Earth Orbit              2,000 ≤ h_p < 31,570, 2,000 ≤ h_a < 31,570
GHO   GEO-superGEO Crossing Orbit     31,570 ≤ h_p ≤ 40,002, h_a > 40,002
LEO   Low Earth Orbit                 h_p < 2,000, h_a < 2,000
HAO   High Altitude Earth Orbit       h_p > 40,002, h_a > 40,002
MGO   MEO-GEO Crossing Orbit          2,000 ≤ h_p < 31,570, 31,570 ≤ h_a ≤ 40,002
HEO   Highly Eccentric Earth Orbit    h_p < 31,570, h_a > 40,002
LMO   LEO-MEO Crossing Orbit          h_p < 2,000, 2,000 ≤ h_a < 31,570
UFO   Undefined Orbit                 none of the above (and invalid elements)
====  ==============================  =========================================================

The ESA boxes overlap (GEO ⊂ EGO, NSO ⊂ MEO), so the first match in the order above wins, which is
the order of ESA's table: the specific class beats the general one. ESA writes closed intervals;
a shared boundary is given here to the lower class (half-open), so every orbit has exactly one
class. ``h_p < 0`` (a decaying orbit) counts as below 2,000 km. The bounds fit together: 37,948 and
46,380 km are 31,570 and 40,002 km plus an Earth radius, so every orbit with both apsides in
[31,570, 40,002] km is GEO, EGO or IGO. The only gap is a GTO-shaped orbit with i ≥ 90° (UFO).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from sweepers.census.geometry import FloatArray, OrbitGeometry


class Regime(StrEnum):
    """ESA orbit class codes, in ESA's table order (which is also the precedence)."""

    GEO = "GEO"
    IGO = "IGO"
    EGO = "EGO"
    NSO = "NSO"
    GTO = "GTO"
    MEO = "MEO"
    GHO = "GHO"
    LEO = "LEO"
    HAO = "HAO"
    MGO = "MGO"
    HEO = "HEO"
    LMO = "LMO"
    UFO = "UFO"

    @property
    def long_name(self) -> str:
        """ESA's name, e.g. ``"Low Earth Orbit"``."""
        return REGIME_NAMES[self]


REGIME_NAMES: dict[Regime, str] = {
    Regime.GEO: "Geostationary Orbit",
    Regime.IGO: "Inclined Geosynchronous Orbit",
    Regime.EGO: "Extended Geostationary Orbit",
    Regime.NSO: "Navigation Satellites Orbit",
    Regime.GTO: "GEO Transfer Orbit",
    Regime.MEO: "Medium Earth Orbit",
    Regime.GHO: "GEO-superGEO Crossing Orbit",
    Regime.LEO: "Low Earth Orbit",
    Regime.HAO: "High Altitude Earth Orbit",
    Regime.MGO: "MEO-GEO Crossing Orbit",
    Regime.HEO: "Highly Eccentric Earth Orbit",
    Regime.LMO: "LEO-MEO Crossing Orbit",
    Regime.UFO: "Undefined Orbit",
}

# Boundaries [km] from ESA's table.
LEO_TOP_KM = 2000.0
MEO_TOP_KM = 31570.0
GEO_BAND_KM = (35586.0, 35986.0)
GEO_ZONE_TOP_KM = 40002.0
GEO_SMA_KM = (37948.0, 46380.0)
NSO_BAND_KM = (18100.0, 24300.0)


def classify(geometry: OrbitGeometry) -> NDArray[np.str_]:
    """ESA class code of every orbit (array of ``Regime`` values as ``"<U3"`` strings)."""
    return classify_arrays(
        geometry.perigee_alt_km,
        geometry.apogee_alt_km,
        geometry.sma_km,
        geometry.eccentricity,
        geometry.inclination_deg,
    )


def classify_arrays(
    perigee_alt_km: FloatArray,
    apogee_alt_km: FloatArray,
    sma_km: FloatArray,
    eccentricity: FloatArray,
    inclination_deg: FloatArray,
) -> NDArray[np.str_]:
    """ESA class code per orbit from apsis altitudes [km], a [km], e [-], i [deg]; NaN → UFO."""
    hp = np.asarray(perigee_alt_km, dtype=np.float64)
    ha = np.asarray(apogee_alt_km, dtype=np.float64)
    a = np.asarray(sma_km, dtype=np.float64)
    e = np.asarray(eccentricity, dtype=np.float64)
    i = np.asarray(inclination_deg, dtype=np.float64)

    def within(x: FloatArray, bounds: tuple[float, float]) -> NDArray[np.bool_]:
        return (x >= bounds[0]) & (x <= bounds[1])

    geo_sync = within(a, GEO_SMA_KM) & (e <= 0.25)
    hp_low, ha_low = hp < LEO_TOP_KM, ha < LEO_TOP_KM
    hp_mid = (hp >= LEO_TOP_KM) & (hp < MEO_TOP_KM)
    ha_mid = (ha >= LEO_TOP_KM) & (ha < MEO_TOP_KM)
    ha_geo_zone = (ha >= MEO_TOP_KM) & (ha <= GEO_ZONE_TOP_KM)
    conditions = [
        (i <= 25.0) & within(hp, GEO_BAND_KM) & within(ha, GEO_BAND_KM),  # GEO
        geo_sync & (i > 25.0),  # IGO
        geo_sync & (i <= 25.0),  # EGO
        within(i, (50.0, 70.0)) & within(hp, NSO_BAND_KM) & within(ha, NSO_BAND_KM),  # NSO
        (i < 90.0) & hp_low & ha_geo_zone,  # GTO
        hp_mid & ha_mid,  # MEO
        (hp >= MEO_TOP_KM) & (hp <= GEO_ZONE_TOP_KM) & (ha > GEO_ZONE_TOP_KM),  # GHO
        hp_low & ha_low,  # LEO
        (hp > GEO_ZONE_TOP_KM) & (ha > GEO_ZONE_TOP_KM),  # HAO
        hp_mid & ha_geo_zone,  # MGO
        (hp < MEO_TOP_KM) & (ha > GEO_ZONE_TOP_KM),  # HEO
        hp_low & ha_mid,  # LMO
    ]
    choices = [r.value for r in Regime if r is not Regime.UFO]
    return np.select(conditions, choices, default=Regime.UFO.value).astype("<U3")


def classify_orbit(
    perigee_alt_km: float,
    apogee_alt_km: float,
    sma_km: float,
    eccentricity: float,
    inclination_deg: float,
) -> Regime:
    """ESA class of one orbit (scalar form of :func:`classify_arrays`)."""
    codes = classify_arrays(
        np.array([perigee_alt_km]),
        np.array([apogee_alt_km]),
        np.array([sma_km]),
        np.array([eccentricity]),
        np.array([inclination_deg]),
    )
    return Regime(str(codes[0]))
