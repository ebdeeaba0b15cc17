"""Conjunction records: one close approach of two objects, with its geometry and Pc.

Units: km, km/s, days for element-set ages, metres for the hard-body radius; states are TEME
(SGP4's frame); the TCA is UTC (two-part Julian date and ``datetime``, microseconds).

Pc: TLE/OMM element sets carry no covariance, so the number reported is Alfano's **maximum**
Pc over an isotropic covariance of unknown size (Alfano 2005, J. Astronaut. Sci. 53(2);
:func:`sweepers.conjunctions.pc.maxpc.max_pc_plane`, the core of ``pc_max_alfano``). For
``hbr/miss <= 0.01`` the closed form ``Pc_max = HBR² / (e · miss²)`` is used (the small-HBR
limit of the same maximisation; relative error below 1e-4 there), otherwise the exact disc
integral at the optimal covariance size. It is a worst-case screening number, not a probability.

The optimum, for an isotropic covariance ``σ²I``, a disc of radius ``R`` and a miss ``d > R``:
``Pc(σ) = 1 − Q₁(d/σ, R/σ)`` (Marcum Q), whose σ-derivative vanishes where
``d·I₁(dR/σ²) = R·I₀(dR/σ²)``. ``I₁/I₀`` rises monotonically from 0 to 1, so the optimum is the
one root ``x*`` of ``I₁(x)/I₀(x) = R/d`` (Brent, to machine precision), ``σ*² = dR/x*``, and
``Pc_max`` is the disc integral ``∫₀^R r/σ² exp(−(r − d)²/2σ²) I₀ₑ(rd/σ²) dr`` there (adaptive
Gauss-Kronrod, relative 1e-13). :func:`max_pc_isotropic` does this; it agrees with the generic
numerical maximisation :func:`sweepers.conjunctions.pc.maxpc.max_pc_plane` (which
:func:`max_pc` calls) to ~1e-14 relative at ~1/1000 of its cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, optimize, special

DEFAULT_HBR_M = 1.0
"""Hard-body radius assumed for an object without a CARA estimate [m] (a typical piece of
tracked debris; CARA's own estimates for debris are mostly 0.1-1 m)."""

PC_METHOD = "alfano-max"
_CLOSED_FORM_RATIO = 0.01
_X_LOW, _X_HIGH = 1e-300, 1e12  # bracket of x* (I₁/I₀(x*) = hbr/miss ∈ (0.01, 1))


@dataclass(frozen=True, slots=True)
class Conjunction:
    """A local minimum of the range between two objects, within the screening threshold.

    ``primary_id`` is the screened object (or the lower catalog number in all-vs-all screening);
    ``miss_rtn_km`` is the secondary's position minus the primary's, in the primary's radial /
    transverse / normal frame at TCA. ``r*``/``v*`` are TEME states at TCA [km, km/s];
    ``age*_days`` = TCA − element-set epoch [days]; ``hbr_m`` is the combined hard-body radius
    used for ``pc`` (method ``pc_method``).
    """

    primary_id: int
    secondary_id: int
    tca: datetime
    tca_jd: float
    tca_fr: float
    miss_km: float
    relative_speed_km_s: float
    miss_rtn_km: tuple[float, float, float]
    r1_km: tuple[float, float, float]
    v1_km_s: tuple[float, float, float]
    r2_km: tuple[float, float, float]
    v2_km_s: tuple[float, float, float]
    age1_days: float
    age2_days: float
    hbr_m: float
    pc: float
    pc_method: str = PC_METHOD

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (TCA as ISO 8601 UTC with ``Z``; tuples as lists)."""
        out = asdict(self)
        out["tca"] = self.tca.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        return out


def rtn_components(r1: ArrayLike, v1: ArrayLike, vec: ArrayLike) -> np.ndarray:
    """``vec`` in the radial/transverse/normal frame of the state ``(r1, v1)`` (any units)."""
    return np.array(rtn_tuple(*(tuple(float(x) for x in np.asarray(a, float))
                                for a in (r1, v1, vec))))


def rtn_tuple(r1: Sequence[float], v1: Sequence[float],
              vec: Sequence[float]) -> tuple[float, float, float]:
    """:func:`rtn_components` on plain 3-sequences of floats (no array overhead)."""
    r_norm = math.sqrt(r1[0] * r1[0] + r1[1] * r1[1] + r1[2] * r1[2])
    radial = (r1[0] / r_norm, r1[1] / r_norm, r1[2] / r_norm)
    h = (r1[1] * v1[2] - r1[2] * v1[1], r1[2] * v1[0] - r1[0] * v1[2],
         r1[0] * v1[1] - r1[1] * v1[0])
    h_norm = math.sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2])
    normal = (h[0] / h_norm, h[1] / h_norm, h[2] / h_norm)
    transverse = (normal[1] * radial[2] - normal[2] * radial[1],
                  normal[2] * radial[0] - normal[0] * radial[2],
                  normal[0] * radial[1] - normal[1] * radial[0])
    return (radial[0] * vec[0] + radial[1] * vec[1] + radial[2] * vec[2],
            transverse[0] * vec[0] + transverse[1] * vec[1] + transverse[2] * vec[2],
            normal[0] * vec[0] + normal[1] * vec[1] + normal[2] * vec[2])


def max_pc(r1_km: ArrayLike, v1_km_s: ArrayLike, r2_km: ArrayLike, v2_km_s: ArrayLike,
           hbr_m: float) -> float:
    """Alfano maximum Pc of a conjunction without covariance (module docstring), km inputs.

    The reference computation: where the closed form does not hold, the disc integral is
    maximised numerically (:func:`sweepers.conjunctions.pc.maxpc.max_pc_plane`). Screening uses
    :func:`max_pc_isotropic`, the same number by the optimality condition.
    """
    miss_m = 1e3 * float(np.linalg.norm(np.asarray(r2_km, float) - np.asarray(r1_km, float)))
    if hbr_m <= _CLOSED_FORM_RATIO * miss_m or miss_m <= hbr_m:
        return max_pc_isotropic(miss_m, hbr_m)
    from sweepers.conjunctions.pc.maxpc import max_pc_plane

    # Isotropic shape, unit sigmas: the miss lies in the encounter plane (TCA), so only its
    # length matters. (pc_max_alfano without covariances currently returns NaN: it builds the
    # encounter plane from zero covariances.)
    return max_pc_plane(0.0, miss_m, 1.0, 1.0, hbr_m)[0]


def max_pc_isotropic(miss_m: float, hbr_m: float) -> float:
    """Alfano maximum Pc over an isotropic covariance of any size, for a miss ``miss_m`` and a
    combined hard-body radius ``hbr_m`` [m] (module docstring: closed form for
    ``hbr/miss ≤ 0.01``, else the exact disc integral at the optimal size)."""
    if hbr_m <= 0.0:
        return 0.0
    if miss_m <= hbr_m:
        return 1.0
    if hbr_m <= _CLOSED_FORM_RATIO * miss_m:
        return hbr_m**2 / (math.e * miss_m**2)
    ratio = hbr_m / miss_m
    x_opt = optimize.brentq(lambda x: special.i1e(x) / special.i0e(x) - ratio, _X_LOW, _X_HIGH,
                            xtol=_X_LOW, rtol=4.0 * np.finfo(float).eps, maxiter=500)
    s2 = miss_m * hbr_m / x_opt  # σ*² [m²]

    def density(r: float) -> float:  # radial density of the miss vector's length [1/m]
        return r / s2 * math.exp(-((r - miss_m) ** 2) / (2.0 * s2)) * special.i0e(r * miss_m / s2)

    value = integrate.quad(density, 0.0, hbr_m, epsabs=0.0, epsrel=1e-13, limit=200)[0]
    return min(1.0, float(value))
