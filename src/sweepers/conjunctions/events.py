"""Conjunction records: one close approach of two objects, with its geometry and Pc.

Units: km, km/s, days for element-set ages, metres for the hard-body radius; states are TEME
(SGP4's frame); the TCA is UTC (two-part Julian date and ``datetime``, microseconds).

Pc: TLE/OMM element sets carry no covariance, so the number reported is Alfano's **maximum**
Pc over an isotropic covariance of unknown size (Alfano 2005, J. Astronaut. Sci. 53(2);
:func:`sweepers.conjunctions.pc.maxpc.max_pc_plane`, the core of ``pc_max_alfano``). For
``hbr/miss <= 0.01`` the closed form ``Pc_max = HBR² / (e · miss²)`` is used (the small-HBR
limit of the same maximisation; relative error below 1e-4 there), otherwise the exact disc
integral maximised numerically. It is a worst-case screening number, not a probability.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

DEFAULT_HBR_M = 1.0
"""Hard-body radius assumed for an object without a CARA estimate [m] (a typical piece of
tracked debris; CARA's own estimates for debris are mostly 0.1-1 m)."""

PC_METHOD = "alfano-max"
_CLOSED_FORM_RATIO = 0.01


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
    r = np.asarray(r1, float)
    v = np.asarray(v1, float)
    radial = r / np.linalg.norm(r)
    normal = np.cross(r, v)
    normal /= np.linalg.norm(normal)
    transverse = np.cross(normal, radial)
    return np.array([radial, transverse, normal]) @ np.asarray(vec, float)


def max_pc(r1_km: ArrayLike, v1_km_s: ArrayLike, r2_km: ArrayLike, v2_km_s: ArrayLike,
           hbr_m: float) -> float:
    """Alfano maximum Pc of a conjunction without covariance (module docstring), km inputs."""
    miss_m = 1e3 * float(np.linalg.norm(np.asarray(r2_km, float) - np.asarray(r1_km, float)))
    if hbr_m <= 0.0:
        return 0.0
    if miss_m <= hbr_m:
        return 1.0
    if hbr_m <= _CLOSED_FORM_RATIO * miss_m:
        return hbr_m**2 / (math.e * miss_m**2)
    from sweepers.conjunctions.pc.maxpc import max_pc_plane

    # Isotropic shape, unit sigmas: the miss lies in the encounter plane (TCA), so only its
    # length matters. (pc_max_alfano without covariances currently returns NaN: it builds the
    # encounter plane from zero covariances.)
    return max_pc_plane(0.0, miss_m, 1.0, 1.0, hbr_m)[0]
