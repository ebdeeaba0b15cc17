"""Spatial density of catalogued objects by altitude, and each object's exposure to it.

Density per altitude shell (the catalog's own, no external model)::

    ρ_b = Σ_i w_ib / V_b          [objects/km³]

with ``V_b = 4/3 π ((R⊕+h_{b+1})³ − (R⊕+h_b)³)`` the shell volume and ``w_ib`` the fraction of
object *i*'s orbital period spent between altitudes ``h_b`` and ``h_{b+1}`` (so each object adds
exactly one to the total, spread over its perigee–apogee range). ``w`` comes from Kepler's
equation: the time fraction below radius ``r`` is ``(E − e sin E)/π`` with
``cos E = (a − r)/(a e)``; a circular orbit puts all its weight in one shell. This is the
"objects whose perigee–apogee range covers the shell" count of ESA's and McKnight's density plots,
weighted by residence time: an unweighted count would let every transfer orbit (perigee 200 km,
apogee 36,000 km) add a whole object to each LEO shell it merely crosses.

An object's exposure is the density of the *other* objects averaged over its own orbit with the
same weights: ``ρ̄_i = Σ_b w_ib (ρ_b − w_ib/V_b)``.

Shells: 10 km wide from 0 to 2,000 km, then 100 km wide to 50,000 km. Units: km, objects/km³.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.orbits.constants import RE_WGS72_KM

FloatArray = NDArray[np.float64]

SHELL_EDGES_KM: FloatArray = np.concatenate(
    (np.arange(0.0, 2000.0, 10.0), np.arange(2000.0, 50000.0 + 1.0, 100.0))
)


@dataclass(frozen=True, slots=True)
class DensityProfile:
    """Objects per km³ in each altitude shell (``edges_km`` has one more entry than ``density``)."""

    edges_km: FloatArray
    density_km3: FloatArray  # [objects/km³]
    volume_km3: FloatArray  # shell volumes [km³]

    def at(self, alt_km: ArrayLike) -> FloatArray:
        """Density [objects/km³] of the shell containing each altitude (0 outside the grid)."""
        h = np.asarray(alt_km, dtype=np.float64)
        k = np.searchsorted(self.edges_km, h, side="right") - 1
        inside = (k >= 0) & (k < len(self.density_km3))
        return np.where(inside, self.density_km3[np.clip(k, 0, len(self.density_km3) - 1)], 0.0)


def shell_volumes_km3(edges_km: FloatArray) -> FloatArray:
    """Volume [km³] of each spherical shell between consecutive altitude edges."""
    r = RE_WGS72_KM + np.asarray(edges_km, dtype=np.float64)
    return 4.0 / 3.0 * np.pi * np.diff(r**3)


def time_below(perigee_km: ArrayLike, apogee_km: ArrayLike, alt_km: ArrayLike) -> FloatArray:
    """Fraction of the period an orbit spends below an altitude (all arguments broadcast) [-].

    NaN orbits give 0.
    """
    rp = RE_WGS72_KM + np.asarray(perigee_km, dtype=np.float64)
    ra = RE_WGS72_KM + np.asarray(apogee_km, dtype=np.float64)
    r = RE_WGS72_KM + np.asarray(alt_km, dtype=np.float64)
    a = 0.5 * (rp + ra)
    ae = 0.5 * (ra - rp)  # a·e
    with np.errstate(invalid="ignore", divide="ignore"):
        ecc_anom = np.arccos(np.clip((a - r) / ae, -1.0, 1.0))
        frac = (ecc_anom - (ae / a) * np.sin(ecc_anom)) / np.pi
    frac = np.where(r >= ra, 1.0, np.where(r <= rp, 0.0, frac))
    return np.where(np.isfinite(rp) & np.isfinite(ra), frac, 0.0)


def residence_weights(
    perigee_km: ArrayLike, apogee_km: ArrayLike, edges_km: FloatArray = SHELL_EDGES_KM
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray]:
    """Sparse ``w_ib``: (object index, shell index, fraction of the period in that shell).

    Only the shells between each orbit's perigee and apogee are listed; each valid orbit's
    fractions sum to 1 (orbits beyond the grid are clipped to its last shell; NaN orbits are
    left out).
    """
    edges = np.asarray(edges_km, dtype=np.float64)
    hp = np.asarray(perigee_km, dtype=np.float64)
    ha = np.maximum(np.asarray(apogee_km, dtype=np.float64), hp)
    ok = np.flatnonzero(np.isfinite(hp) & np.isfinite(ha))
    top = np.nextafter(edges[-1], -np.inf)
    hp_c = np.clip(hp[ok], edges[0], top)
    ha_c = np.clip(ha[ok], hp_c, top)
    first = np.searchsorted(edges, hp_c, side="right") - 1  # shell holding the perigee
    last = np.searchsorted(edges, ha_c, side="right") - 1  # shell holding the apogee
    span = last - first + 1
    obj = np.repeat(np.arange(len(ok)), span)
    shell = first[obj] + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
    below_top = np.where(shell == last[obj], 1.0, time_below(hp[ok][obj], ha[ok][obj],
                                                             edges[shell + 1]))
    below_bottom = np.where(shell == first[obj], 0.0, time_below(hp[ok][obj], ha[ok][obj],
                                                                 edges[shell]))
    return ok[obj], shell, below_top - below_bottom


def density_profile(
    perigee_km: ArrayLike, apogee_km: ArrayLike, edges_km: FloatArray = SHELL_EDGES_KM
) -> DensityProfile:
    """The catalog's density by shell from every object's perigee and apogee altitude [km]."""
    _, shell, w = residence_weights(perigee_km, apogee_km, edges_km)
    volume = shell_volumes_km3(edges_km)
    counts = np.bincount(shell, weights=w, minlength=len(volume))
    return DensityProfile(np.asarray(edges_km, dtype=np.float64), counts / volume, volume)


def exposure_km3(
    profile: DensityProfile,
    perigee_km: ArrayLike,
    apogee_km: ArrayLike,
    *,
    exclude_self: bool = True,
) -> FloatArray:
    """Residence-weighted mean density [objects/km³] along each orbit (others only by default).

    NaN orbits get 0.
    """
    hp = np.asarray(perigee_km, dtype=np.float64)
    obj, shell, w = residence_weights(hp, apogee_km, profile.edges_km)
    rho = profile.density_km3[shell]
    if exclude_self:
        rho = rho - w / profile.volume_km3[shell]
    return np.maximum(np.bincount(obj, weights=w * rho, minlength=len(hp)), 0.0)
