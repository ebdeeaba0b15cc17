"""Two-impulse debris-to-debris transfers under the exact GTOC9 J2 dynamics (solver groundwork).

A Keplerian Lambert arc is *not* a valid GTOC9 transfer (the checker integrates full J2), so it
only seeds a shooting method: Newton on the departure velocity until the J2-propagated position
meets the target within ``tol_m``; the arrival impulse then matches the debris velocity exactly.
Units: m, m/s, s; epochs MJD2000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.dynamics import integrate_j2


class TransferError(RuntimeError):
    """A Lambert or shooting solve did not converge."""


def _stumpff(z: float) -> tuple[float, float]:
    """Stumpff functions C(z), S(z)."""
    if z > 1e-8:
        s = math.sqrt(z)
        return (1.0 - math.cos(s)) / z, (s - math.sin(s)) / (s * z)
    if z < -1e-8:
        s = math.sqrt(-z)
        return (math.cosh(s) - 1.0) / (-z), (math.sinh(s) - s) / (s * -z)
    return 0.5 - z / 24.0, 1.0 / 6.0 - z / 120.0


def lambert_two_body(
    r1_m: ArrayLike, r2_m: ArrayLike, tof_s: float, h_ref: ArrayLike, mu: float = rules.MU_M3_S2
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Zero-revolution Keplerian Lambert arc (universal variables, bisection on z).

    The transfer turns in the sense of ``h_ref`` (e.g. the departure orbit's angular momentum),
    which handles retrograde (Sun-synchronous) orbits. Returns (v1, v2) [m/s].
    """
    r1, r2 = np.asarray(r1_m, dtype=float), np.asarray(r2_m, dtype=float)
    n1, n2 = float(np.linalg.norm(r1)), float(np.linalg.norm(r2))
    cos_dnu = float(np.clip(np.dot(r1, r2) / (n1 * n2), -1.0, 1.0))
    dnu = math.acos(cos_dnu)
    if np.dot(np.cross(r1, r2), np.asarray(h_ref, dtype=float)) < 0.0:
        dnu = 2.0 * math.pi - dnu
    a_coef = math.sin(dnu) * math.sqrt(n1 * n2 / (1.0 - cos_dnu))
    if abs(a_coef) < 1e-12:
        raise TransferError("Lambert: transfer angle of 0 or 180 degrees is singular")

    def y_of(z: float) -> tuple[float, float, float]:
        c, s = _stumpff(z)
        return n1 + n2 + a_coef * (z * s - 1.0) / math.sqrt(c), c, s

    lo, hi = -4.0 * math.pi**2, 4.0 * math.pi**2 * (1.0 - 1e-12)
    for _ in range(300):
        z = 0.5 * (lo + hi)
        y, c, s = y_of(z)
        if y < 0.0:
            lo = z
            continue
        t = ((y / c) ** 1.5 * s + a_coef * math.sqrt(y)) / math.sqrt(mu)
        if t < tof_s:
            lo = z
        else:
            hi = z
        if hi - lo < 1e-14:
            break
    y, _, _ = y_of(0.5 * (lo + hi))
    f = 1.0 - y / n1
    g = a_coef * math.sqrt(y / mu)
    g_dot = 1.0 - y / n2
    return (r2 - f * r1) / g, (g_dot * r2 - r1) / g


def shoot_j2(
    r1_m: ArrayLike,
    v1_guess_m_s: ArrayLike,
    r2_target_m: ArrayLike,
    tof_s: float,
    *,
    tol_m: float = 1e-4,
    max_iter: int = 30,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Departure velocity [m/s] whose J2 trajectory from ``r1_m`` reaches ``r2_target_m`` after
    ``tof_s``; Newton with a finite-difference Jacobian. Returns (v1, state at arrival [m, m/s]).

    Raises :class:`TransferError` if the miss is not below ``tol_m`` [m] after ``max_iter`` steps.
    """
    r1 = np.asarray(r1_m, dtype=float)
    target = np.asarray(r2_target_m, dtype=float)
    v1 = np.asarray(v1_guess_m_s, dtype=float).copy()
    step = 1e-3  # m/s; the position response (~ tof · step) is far above integration noise
    for _ in range(max_iter):
        arrival = integrate_j2(np.concatenate([r1, v1]), tof_s)
        miss = arrival[:3] - target
        if np.linalg.norm(miss) < tol_m:
            return v1, arrival
        jac = np.empty((3, 3))
        for j in range(3):
            dv = np.zeros(3)
            dv[j] = step
            jac[:, j] = (integrate_j2(np.r_[r1, v1 + dv], tof_s)[:3] - arrival[:3]) / step
        v1 = v1 - np.linalg.solve(jac, miss)
    raise TransferError(f"J2 shooting did not converge (miss {np.linalg.norm(miss):.3g} m)")


@dataclass(frozen=True)
class Leg:
    """A two-impulse debris-to-debris transfer valid under the GTOC9 J2 dynamics."""

    departure_mjd2000: float
    arrival_mjd2000: float
    departure_state: NDArray[np.float64]
    """Debris state at departure (ship state before the first impulse) [m, m/s]."""
    dv_departure_m_s: NDArray[np.float64]
    arrival_state: NDArray[np.float64]
    """Ship state at arrival, before the second impulse [m, m/s]."""
    dv_arrival_m_s: NDArray[np.float64]

    @property
    def dv_total_m_s(self) -> float:
        """|Δv1| + |Δv2| [m/s]."""
        return float(np.linalg.norm(self.dv_departure_m_s) + np.linalg.norm(self.dv_arrival_m_s))


def debris_leg(
    debris: DebrisSet, from_id: int, to_id: int, departure_mjd2000: float, arrival_mjd2000: float
) -> Leg:
    """Rendezvous transfer from debris ``from_id`` to ``to_id`` between the two epochs [MJD2000]:
    Lambert seed, then J2 shooting; the arrival impulse matches the target debris velocity."""
    tof_s = (arrival_mjd2000 - departure_mjd2000) * rules.DAY_S
    r1, v1_deb = debris.states(from_id, departure_mjd2000)
    r2, v2_deb = debris.states(to_id, arrival_mjd2000)
    v1_seed, _ = lambert_two_body(r1, r2, tof_s, np.cross(r1, v1_deb))
    v1, arrival = shoot_j2(r1, v1_seed, r2, tof_s)
    return Leg(
        departure_mjd2000,
        arrival_mjd2000,
        np.concatenate([r1, v1_deb]),
        v1 - v1_deb,
        arrival,
        v2_deb - arrival[3:],
    )
