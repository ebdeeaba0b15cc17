"""When is the short-encounter (2D) Pc invalid? Rectilinear usage-violation indicators.

Follows the rectilinear stage of CARA's ``UsageViolationPc2D`` (Hall 2021, "Expected collision
rates for tracked satellites", and Coppola 2012, "Including velocity uncertainty in the
probability of collision between space objects"), re-derived here:

* Mahalanobis distance along the straight relative trajectory ``r + v t`` with the combined
  position covariance ``A`` (eigenvalues clipped at ``(1e-4 HBR)^2``) is quadratic in t with
  minimum at ``T = -(r'A⁻¹v)/(v'A⁻¹v)`` and time-width ``sigma_T = 1/sqrt(v'A⁻¹v)``.
* The encounter spans ``T ± dtau``, ``dtau = sigma_T sqrt(2) erfcinv(gamma)``, ``gamma = 1e-16``
  (all but 1e-16 of the probability mass crosses the plane inside it).
* ``extended = min(1, 2 dtau / P_min)`` and ``offset = min(1, max|T ± dtau| / P_min)`` with
  ``P_min`` the shorter orbital period. CARA's recommended cut-offs: extended > 0.02 (range
  0.01–0.05) or offset > 0.01 flag the 2D method as invalid (relative motion is then not
  rectilinear over the encounter: slow or long encounters).

CARA's further curvilinear "inaccurate" indicator (2D-Nc peak-overlap analysis) is not reproduced.
Known gap: CARA's ``OmitronTestCase_Test08`` (67 m/s, large velocity covariance; 2D 2e-20 vs
3D-Nc 2e-5) is *not* flagged by the rectilinear indicators alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from sweepers.conjunctions.pc.encounter import CLIP_FACTOR, position_covariance
from sweepers.orbits.constants import MU_EARTH_M3_S2

EXTENDED_LIMIT = 0.02
OFFSET_LIMIT = 0.01
GAMMA = 1e-16


@dataclass(frozen=True, slots=True)
class UsageViolation:
    """Rectilinear 2D-Pc usage indicators (dimensionless) and the derived verdict."""

    extended: float
    offset: float
    tca_offset_s: float
    duration_s: float
    period_min_s: float
    violated: bool


def orbital_period_s(r: ArrayLike, v: ArrayLike, mu: float = MU_EARTH_M3_S2) -> float:
    """Two-body period [s] of state (r [m], v [m/s]); inf when unbound."""
    rr = np.asarray(r, float)
    vv = np.asarray(v, float)
    alpha = 2.0 / np.linalg.norm(rr) - float(vv @ vv) / mu
    return 2.0 * math.pi / math.sqrt(mu * alpha**3) if alpha > 0 else math.inf


def usage_violation_2d(r1: ArrayLike, v1: ArrayLike, cov1: ArrayLike, r2: ArrayLike,
                       v2: ArrayLike, cov2: ArrayLike, hbr: float, *,
                       mu: float = MU_EARTH_M3_S2) -> UsageViolation:
    """Indicators for states at TCA in m, m/s, m² (inertial). See the module docstring."""
    r = np.asarray(r2, float) - np.asarray(r1, float)
    v = np.asarray(v2, float) - np.asarray(v1, float)
    a = position_covariance(cov1) + position_covariance(cov2)
    lam, vec = np.linalg.eigh(a)
    floor = (CLIP_FACTOR * hbr) ** 2 if math.isfinite(hbr) and hbr > 0 else 0.0
    lam = np.maximum(lam, max(floor, np.finfo(float).tiny))
    a_inv = vec @ np.diag(1.0 / lam) @ vec.T
    vav = float(v @ a_inv @ v)
    p_min = min(orbital_period_s(r1, v1, mu), orbital_period_s(r2, v2, mu))
    if vav <= 0.0:
        return UsageViolation(1.0, 1.0, 0.0, math.inf, p_min, True)
    t_mid = -float(r @ a_inv @ v) / vav
    dtau = math.sqrt(2.0 / vav) * float(special.erfcinv(GAMMA))
    extended = min(1.0, 2.0 * dtau / p_min)
    offset = min(1.0, max(abs(t_mid - dtau), abs(t_mid + dtau)) / p_min)
    return UsageViolation(extended, offset, t_mid, 2.0 * dtau, p_min,
                          extended > EXTENDED_LIMIT or offset > OFFSET_LIMIT)
