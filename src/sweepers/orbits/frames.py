"""TEME (what SGP4 produces) → GCRS and ITRS, with pyerfa, vectorised over (n objects, m epochs).

What is done (Vallado, Crawford, Hujsak & Kelso 2006, "Revisiting Spacetrack Report #3",
AIAA 2006-6753, sec. "Coordinate systems", and Vallado, *Fundamentals of Astrodynamics*, 4th ed.,
sec. 3.7):

* **TEME → ITRS** (the Vallado 2006 route): ``r_PEF = R3(GMST82(UT1)) · r_TEME`` (TEME's x axis is
  the mean equinox on the true equator, so the 1982 GMST carries it to the Greenwich meridian),
  then polar motion ``r_ITRS = W(xp, yp) · r_PEF`` (``erfa.pom00``, s' = 0). Velocity:
  ``v_PEF = R3(θ) · v_TEME − ω⊕ × r_PEF`` with ω⊕ = 7.292115146706979e-5 rad/s, then W.
* **TEME → GCRS**: the same TEME x axis (GMST82 from Greenwich) placed in the IAU 2006/2000A
  celestial system: ``r_CIRS = R3(GMST82 − ERA) · r_TEME``, then ``r_GCRS = Cᵀ · r_CIRS`` with
  ``C = erfa.c2i06a``. This is the ITRS route's inverse taken back up (GCRS → ITRS by
  ``erfa.c2t06a`` of our GCRS equals our ITRS), so the two frames agree with each other. Building
  TEME from the IAU 2006 equation of the equinoxes instead would move its x axis by
  GMST06 − GMST82 (≈ 50 mas in 2023, 1.7 m at 7000 km). The precession-nutation rate
  (< 1e-11 rad/s, < 0.1 mm/s in velocity) is neglected, as is UT1 in GCRS (ERA − GMST82 drifts
  by 4e-15 rad per second of UT1 error).

**Earth orientation.** Without EOP (the default) ``UT1 = UTC`` and ``xp = yp = 0``. |UT1 − UTC|
stays below 0.9 s, which turns the Earth by up to 13″: up to ~0.4 km along track at the equator for
ITRS positions (GCRS is unaffected by UT1). Polar motion (≲ 0.5″) adds ≲ 15 m. Pass ``dut1_s``,
``xp_rad``, ``yp_rad`` (scalars or per-epoch arrays, from IERS Bulletin A) to remove both.
TT is UTC + ΔAT + 32.184 s from ERFA's leap-second table.
"""

from __future__ import annotations

import warnings
from typing import Literal

import erfa
import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.epochs import DAY_S
from sweepers.orbits.constants import EARTH_ROTATION_RAD_S

FloatArray = NDArray[np.float64]


def utc_to_tt(jd: ArrayLike, fr: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Two-part UTC Julian date → two-part TT Julian date (ERFA leap-second table)."""
    with warnings.catch_warnings():
        # ERFA flags epochs past its table as "dubious"; ΔAT is then held at its last value.
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        tai1, tai2 = erfa.utctai(np.asarray(jd, np.float64), np.asarray(fr, np.float64))
    return erfa.taitt(tai1, tai2)


def teme_to_gcrs_matrix(jd: ArrayLike, fr: ArrayLike, *, dut1_s: ArrayLike = 0.0) -> FloatArray:
    """Rotation matrices ``(m, 3, 3)`` with ``r_GCRS = M · r_TEME`` at UTC ``(jd, fr)``.

    ``M = C(TT)ᵀ · R3(GMST82(UT1) − ERA(UT1))``: TEME and CIRS share the CIP equator and differ by
    the angle between their x axes; ``C`` is ERFA's IAU 2006/2000A GCRS → CIRS matrix.
    """
    jd = np.asarray(jd, np.float64)
    ut1_fr = np.asarray(fr, np.float64) + np.asarray(dut1_s, np.float64) / DAY_S
    tt1, tt2 = utc_to_tt(jd, fr)
    angle = erfa.gmst82(jd, ut1_fr) - erfa.era00(jd, ut1_fr)
    cirs_from_teme = erfa.rz(angle, np.broadcast_to(np.eye(3), (*np.shape(angle), 3, 3)))
    return np.swapaxes(erfa.c2i06a(tt1, tt2), -1, -2) @ cirs_from_teme


def _pef_and_polar(
    jd: ArrayLike, fr: ArrayLike, dut1_s: ArrayLike, xp_rad: ArrayLike, yp_rad: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """``(R3(GMST82), W)``, each ``(m, 3, 3)``: PEF ← TEME and ITRS ← PEF."""
    ut1_fr = np.asarray(fr, np.float64) + np.asarray(dut1_s, np.float64) / DAY_S
    gmst = erfa.gmst82(np.asarray(jd, np.float64), ut1_fr)
    eye = np.broadcast_to(np.eye(3), (*np.shape(gmst), 3, 3))
    pef_from_teme = erfa.rz(gmst, eye)
    itrs_from_pef = erfa.pom00(np.asarray(xp_rad, np.float64), np.asarray(yp_rad, np.float64), 0.0)
    return pef_from_teme, np.broadcast_to(itrs_from_pef, pef_from_teme.shape)


def teme_to_itrs_matrix(
    jd: ArrayLike,
    fr: ArrayLike,
    *,
    dut1_s: ArrayLike = 0.0,
    xp_rad: ArrayLike = 0.0,
    yp_rad: ArrayLike = 0.0,
) -> FloatArray:
    """Rotation matrices ``(m, 3, 3)`` with ``r_ITRS = M · r_TEME`` (positions only)."""
    pef, polar = _pef_and_polar(jd, fr, dut1_s, xp_rad, yp_rad)
    return polar @ pef


def _rotate(matrices: FloatArray, vectors: FloatArray) -> FloatArray:
    """``(m, 3, 3)`` applied to ``(..., m, 3)`` vectors, epoch by epoch."""
    return np.einsum("mij,...mj->...mi", matrices, vectors)


def teme_to_gcrs(
    r_km: FloatArray, v_km_s: FloatArray, jd: ArrayLike, fr: ArrayLike, *, dut1_s: ArrayLike = 0.0
) -> tuple[FloatArray, FloatArray]:
    """TEME states ``(…, m, 3)`` [km, km/s] at UTC ``(jd, fr)`` ``(m,)`` → GCRS."""
    matrices = teme_to_gcrs_matrix(np.atleast_1d(jd), np.atleast_1d(fr), dut1_s=dut1_s)
    return _rotate(matrices, r_km), _rotate(matrices, v_km_s)


def teme_to_itrs(
    r_km: FloatArray,
    v_km_s: FloatArray,
    jd: ArrayLike,
    fr: ArrayLike,
    *,
    dut1_s: ArrayLike = 0.0,
    xp_rad: ArrayLike = 0.0,
    yp_rad: ArrayLike = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """TEME states ``(…, m, 3)`` [km, km/s] at UTC ``(jd, fr)`` ``(m,)`` → ITRS (Earth-fixed).

    The velocity is relative to the rotating Earth (includes −ω⊕ × r).
    """
    pef, polar = _pef_and_polar(np.atleast_1d(jd), np.atleast_1d(fr), dut1_s, xp_rad, yp_rad)
    r_pef = _rotate(pef, r_km)
    v_pef = _rotate(pef, v_km_s)
    omega = np.array([0.0, 0.0, EARTH_ROTATION_RAD_S])
    v_pef -= np.cross(omega, r_pef)
    return _rotate(polar, r_pef), _rotate(polar, v_pef)


def teme_to(
    frame: Literal["teme", "gcrs", "itrs"],
    r_km: FloatArray,
    v_km_s: FloatArray,
    jd: ArrayLike,
    fr: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """TEME states into ``frame`` (ITRS without EOP: UT1 = UTC, no polar motion)."""
    if frame == "teme":
        return r_km, v_km_s
    if frame == "gcrs":
        return teme_to_gcrs(r_km, v_km_s, jd, fr)
    if frame == "itrs":
        return teme_to_itrs(r_km, v_km_s, jd, fr)
    raise ValueError(f"unknown frame {frame!r} (expected 'teme', 'gcrs' or 'itrs')")


# ------------------------------------------------------------------ back into TEME (inverses)

def gcrs_to_teme(
    r_km: FloatArray, v_km_s: FloatArray, jd: ArrayLike, fr: ArrayLike, *, dut1_s: ArrayLike = 0.0
) -> tuple[FloatArray, FloatArray]:
    """GCRS states ``(…, m, 3)`` [km, km/s] at UTC ``(jd, fr)`` ``(m,)`` → TEME.

    The transpose of :func:`teme_to_gcrs_matrix` (a rotation), so ``gcrs_to_teme`` undoes
    :func:`teme_to_gcrs` to rounding; the same slow-rotation approximation for velocities.
    """
    matrices = teme_to_gcrs_matrix(np.atleast_1d(jd), np.atleast_1d(fr), dut1_s=dut1_s)
    back = np.swapaxes(matrices, -1, -2)
    return _rotate(back, r_km), _rotate(back, v_km_s)


def itrs_to_teme(
    r_km: FloatArray,
    v_km_s: FloatArray,
    jd: ArrayLike,
    fr: ArrayLike,
    *,
    dut1_s: ArrayLike = 0.0,
    xp_rad: ArrayLike = 0.0,
    yp_rad: ArrayLike = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """ITRS states ``(…, m, 3)`` [km, km/s; velocity relative to the rotating Earth] at UTC
    ``(jd, fr)`` ``(m,)`` → TEME: the inverse of :func:`teme_to_itrs` (``Wᵀ``, then ``+ω⊕ × r``
    in PEF, then ``R3(−GMST82)``)."""
    pef, polar = _pef_and_polar(np.atleast_1d(jd), np.atleast_1d(fr), dut1_s, xp_rad, yp_rad)
    r_pef = _rotate(np.swapaxes(polar, -1, -2), r_km)
    v_pef = _rotate(np.swapaxes(polar, -1, -2), v_km_s)
    omega = np.array([0.0, 0.0, EARTH_ROTATION_RAD_S])
    v_pef = v_pef + np.cross(omega, r_pef)
    teme_from_pef = np.swapaxes(pef, -1, -2)
    return _rotate(teme_from_pef, r_pef), _rotate(teme_from_pef, v_pef)


def eme2000_to_gcrs(r_km: FloatArray, v_km_s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """EME2000 (J2000 mean equator and equinox) vectors ``(…, 3)`` → GCRS: the IAU 2006 frame
    bias ``B`` (``erfa.bp06``; ``r_J2000 = B · r_GCRS``, a constant rotation of ~23 mas, 0.8 m at
    7,000 km), applied as ``Bᵀ``."""
    bias = erfa.bp06(2451545.0, 0.0)[0]
    return np.asarray(r_km) @ bias, np.asarray(v_km_s) @ bias


def to_teme(
    frame: Literal["teme", "gcrs", "eme2000", "itrs"],
    r_km: FloatArray,
    v_km_s: FloatArray,
    jd: ArrayLike,
    fr: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """States ``(…, m, 3)`` in ``frame`` at UTC ``(jd, fr)`` ``(m,)`` → TEME (ITRS without EOP:
    UT1 = UTC, no polar motion; GCRS via :func:`gcrs_to_teme`; EME2000 via the frame bias)."""
    if frame == "teme":
        return r_km, v_km_s
    if frame == "eme2000":
        r_km, v_km_s = eme2000_to_gcrs(r_km, v_km_s)
        frame = "gcrs"
    if frame == "gcrs":
        return gcrs_to_teme(r_km, v_km_s, jd, fr)
    if frame == "itrs":
        return itrs_to_teme(r_km, v_km_s, jd, fr)
    raise ValueError(f"unknown frame {frame!r} (expected 'teme', 'gcrs', 'eme2000' or 'itrs')")
