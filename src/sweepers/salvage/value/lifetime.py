"""Remaining orbital lifetime from altitude and area-to-mass: a King-Hele-style drag estimate.

Atmosphere: the piecewise-exponential model of Vallado, *Fundamentals of Astrodynamics and
Applications* (4th ed., 2013), Table 8-4 (CIRA-72 based, moderate solar activity): in each layer
``ρ(h) = ρ₀ exp(-(h − h₀)/H)``, and above 1,000 km the last layer is extended.

Drag decay of the semi-major axis (King-Hele, *Satellite Orbits in an Atmosphere*, 1987, ch. 4),
with ballistic coefficient ``B = C_D·A/m`` [m²/kg], ``C_D = 2.2``::

    da/dt = −B · √(μ a) · ρ_p · e^{−x} I₀(x),      x = a e / H_p = (a − r_p) / H_p

where ``ρ_p`` and ``H_p`` are the density and scale height at perigee and ``I₀`` the modified
Bessel function (``e^{−x}I₀(x)`` is the orbit-averaged density factor for an exponential
atmosphere; it is 1 for a circular orbit). King-Hele's phase 1: the perigee stays put while the
apogee comes down, so the time to circularise is

    t₁ = ∫_{r_p}^{a₀} da / (B √(μ a) ρ_p e^{−x}I₀(x))

then phase 2, the circular orbit at perigee altitude spirals down to 100 km:

    t₂ = G(h_p) / B,    G(h) = ∫_{100 km}^{h} dh' / (ρ(h') √(μ (R⊕ + h')))

``G`` is tabulated once on a 1 km grid. Lifetime = min(t₁ + t₂, 200 yr) (the cap: beyond a few
centuries the estimate means only "stays up"). It is monotone: longer with altitude, shorter with
area-to-mass. Accuracy is a factor of ~2-3 (solar cycle, attitude, C_D), enough to rank targets.

Area-to-mass (:func:`area_to_mass_m2_kg`):

* fragments (SATCAT DEBRIS / UNKNOWN / none): the NASA Standard Breakup Model area–size relation
  ``A = 0.556945 · L_c^2.0047077`` m² for ``L_c > 1.67 mm`` (Johnson et al., "NASA's new breakup
  model of EVOLVE 4.0", *Adv. Space Res.* 28(9), 2001), with ``L_c = 2·HBR`` from CARA's
  radar-based HBR, else the median CARA HBR of the RCS class (SMALL 0.058 m, MEDIUM 0.26 m,
  LARGE 1.68 m, none 0.058 m, measured on the 2023 catalog), divided by the object's mass;
* rocket bodies: 0.007 m²/kg — the random-tumble mean cross-section (surface/4, Cauchy) of the
  two commonest LEO stages as cylinders: SL-16 (11.5 m × 3.9 m, 9 t) 0.0046, SL-8 (6.5 m × 2.4 m,
  1.4 t) 0.0104 m²/kg;
* payloads: 0.01 m²/kg, a typical intact spacecraft with solar arrays (assumption).

Units: altitudes km, area-to-mass m²/kg, lifetimes years.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import i0e

from sweepers.epochs import DAY_S
from sweepers.orbits.constants import MU_EARTH_M3_S2, RE_WGS72_KM

FloatArray = NDArray[np.float64]

DRAG_COEFFICIENT = 2.2  # C_D of a tumbling object in free-molecular flow (King-Hele; Vallado)
REENTRY_ALT_KM = 100.0  # lifetime ends here
LIFETIME_CAP_YR = 200.0
SECONDS_PER_YEAR = 365.25 * DAY_S  # Julian year [s]

# Vallado (2013) Table 8-4: base altitude h₀ [km], base density ρ₀ [kg/m³], scale height H [km].
_ATMOSPHERE = np.array([
    (0.0, 1.225, 7.249), (25.0, 3.899e-2, 6.349), (30.0, 1.774e-2, 6.682),
    (40.0, 3.972e-3, 7.554), (50.0, 1.057e-3, 8.382), (60.0, 3.206e-4, 7.714),
    (70.0, 8.770e-5, 6.549), (80.0, 1.905e-5, 5.799), (90.0, 3.396e-6, 5.382),
    (100.0, 5.297e-7, 5.877), (110.0, 9.661e-8, 7.263), (120.0, 2.438e-8, 9.473),
    (130.0, 8.484e-9, 12.636), (140.0, 3.845e-9, 16.149), (150.0, 2.070e-9, 22.523),
    (180.0, 5.464e-10, 29.740), (200.0, 2.789e-10, 37.105), (250.0, 7.248e-11, 45.546),
    (300.0, 2.418e-11, 53.628), (350.0, 9.518e-12, 53.298), (400.0, 3.725e-12, 58.515),
    (450.0, 1.585e-12, 60.828), (500.0, 6.967e-13, 63.822), (600.0, 1.454e-13, 71.835),
    (700.0, 3.614e-14, 88.667), (800.0, 1.170e-14, 124.64), (900.0, 5.245e-15, 181.05),
    (1000.0, 3.019e-15, 268.00),
])

ROCKET_BODY_AREA_TO_MASS_M2_KG = 0.007
PAYLOAD_AREA_TO_MASS_M2_KG = 0.01
FRAGMENT_CLASS_HBR_M: dict[str | None, float] = {
    "SMALL": 0.058, "MEDIUM": 0.26, "LARGE": 1.68, None: 0.058,
}
"""Median CARA hard-body radius [m] of fragments per RCS class (2023 catalog, SFK estimates)."""


def _layer(alt_km: FloatArray) -> NDArray[np.intp]:
    idx = np.searchsorted(_ATMOSPHERE[:, 0], alt_km, side="right") - 1
    return np.clip(idx, 0, len(_ATMOSPHERE) - 1)


def density_kg_m3(alt_km: ArrayLike) -> FloatArray:
    """Atmospheric density [kg/m³] at geodetic-ish altitude ``alt_km`` (Vallado Table 8-4)."""
    h = np.maximum(np.asarray(alt_km, dtype=np.float64), 0.0)
    k = _layer(h)
    h0, rho0, scale = _ATMOSPHERE[k, 0], _ATMOSPHERE[k, 1], _ATMOSPHERE[k, 2]
    return rho0 * np.exp(-(h - h0) / scale)


def scale_height_km(alt_km: ArrayLike) -> FloatArray:
    """Density scale height [km] of the layer containing ``alt_km``."""
    h = np.maximum(np.asarray(alt_km, dtype=np.float64), 0.0)
    return _ATMOSPHERE[_layer(h), 2]


# G(h) on a 1 km grid [m²·s/kg]: circular decay time from h to 100 km is G(h)/B.
_GRID_KM = np.arange(REENTRY_ALT_KM, 3000.0 + 1.0, 1.0)
_INTEGRAND = 1.0 / (
    density_kg_m3(_GRID_KM) * np.sqrt(MU_EARTH_M3_S2 * (RE_WGS72_KM + _GRID_KM) * 1e3)
)
_G = np.concatenate(([0.0], np.cumsum(0.5 * (_INTEGRAND[1:] + _INTEGRAND[:-1]) * 1e3)))


def _circular_decay_s(alt_km: FloatArray, ballistic_m2_kg: FloatArray) -> FloatArray:
    return np.interp(alt_km, _GRID_KM, _G, left=0.0) / ballistic_m2_kg


def _circularise_s(
    perigee_km: FloatArray, apogee_km: FloatArray, ballistic_m2_kg: FloatArray, nodes: int = 65
) -> FloatArray:
    """King-Hele phase 1: time [s] for the apogee to come down to the (fixed) perigee."""
    r_p = (RE_WGS72_KM + perigee_km) * 1e3
    a0 = (RE_WGS72_KM + 0.5 * (perigee_km + apogee_km)) * 1e3
    scale_m = scale_height_km(perigee_km) * 1e3
    u = np.linspace(0.0, 1.0, nodes)
    a = r_p[:, None] + u[None, :] * (a0 - r_p)[:, None]  # (n, nodes) [m]
    x = (a - r_p[:, None]) / scale_m[:, None]
    integrand = 1.0 / (np.sqrt(MU_EARTH_M3_S2 * a) * i0e(x))
    integral = np.trapezoid(integrand, a, axis=1)
    return integral / (ballistic_m2_kg * density_kg_m3(perigee_km))


def orbital_lifetime_yr(
    perigee_km: ArrayLike,
    apogee_km: ArrayLike,
    area_to_mass_m2_kg: ArrayLike,
    *,
    drag_coefficient: float = DRAG_COEFFICIENT,
    cap_yr: float = LIFETIME_CAP_YR,
) -> FloatArray:
    """Remaining orbital lifetime [yr] (capped at ``cap_yr``) of orbits with these apsides.

    ``perigee_km``/``apogee_km`` are altitudes above the equatorial radius; ``area_to_mass_m2_kg``
    the mean cross-section over mass. Broadcasts; NaN in, NaN out; 0 at or below 100 km.
    """
    hp, ha, am = np.broadcast_arrays(
        np.asarray(perigee_km, dtype=np.float64),
        np.asarray(apogee_km, dtype=np.float64),
        np.asarray(area_to_mass_m2_kg, dtype=np.float64),
    )
    shape = hp.shape
    hp, ha, am = hp.ravel(), np.maximum(ha.ravel(), hp.ravel()), am.ravel()
    ballistic = drag_coefficient * am
    out = np.full(hp.shape, np.nan)
    ok = np.isfinite(hp) & np.isfinite(ha) & np.isfinite(ballistic) & (ballistic > 0.0)
    up = ok & (hp > REENTRY_ALT_KM)
    out[ok & ~up] = 0.0
    if up.any():
        with np.errstate(over="ignore", divide="ignore"):
            t_s = _circularise_s(hp[up], ha[up], ballistic[up]) + _circular_decay_s(
                hp[up], ballistic[up]
            )
        out[up] = np.minimum(t_s / SECONDS_PER_YEAR, cap_yr)
    return out.reshape(shape)


def sbm_area_m2(characteristic_length_m: ArrayLike) -> FloatArray:
    """NASA Standard Breakup Model mean cross-section [m²] of a fragment of size ``L_c`` [m]."""
    lc = np.asarray(characteristic_length_m, dtype=np.float64)
    return np.where(lc > 0.00167, 0.556945 * lc**2.0047077, 0.540424 * lc**2)


def area_to_mass_m2_kg(
    object_class: str, mass_kg: float, hbr_m: float | None = None, rcs_size: str | None = None
) -> float:
    """Area-to-mass [m²/kg] of one object (see the module docstring for the model per class).

    ``object_class`` is ``PAYLOAD``, ``ROCKET BODY`` or ``FRAGMENT``; ``hbr_m`` a measured
    hard-body radius (fragments only), else the RCS class median is used.
    """
    if object_class == "ROCKET BODY":
        return ROCKET_BODY_AREA_TO_MASS_M2_KG
    if object_class == "PAYLOAD":
        return PAYLOAD_AREA_TO_MASS_M2_KG
    if hbr_m is None or not hbr_m > 0.0:
        hbr_m = FRAGMENT_CLASS_HBR_M.get(rcs_size, FRAGMENT_CLASS_HBR_M[None])
    return float(sbm_area_m2(2.0 * hbr_m)) / mass_kg
