"""Maximum 2D Pc over an unknown covariance size (Alfano 2005), for objects without covariance.

Alfano, S. (2005), "Relating position uncertainty to maximum conjunction probability",
J. Astronaut. Sci. 53(2). TLE/OMM carry no covariance, so the worst case over the covariance
*scale* is reported instead.

Covariance model: the encounter-plane covariance is ``f^2 * S``, with a fixed *shape* ``S``
(sigma ratio and orientation: either the projected shape of a supplied covariance, or
isotropic, or a given aspect ratio with the miss along the minor axis — the worst orientation)
and unknown scale ``f > 0``. In the small-HBR limit ``Pc(f) ~ R^2/(2 f^2 sx sz)
exp(-m^2/(2 f^2))`` (``m``: Mahalanobis miss for ``f = 1``), maximal at ``f^2 = m^2/2``::

    Pc_max ~ R^2 / (e * m^2 * sx * sz)      (isotropic: R^2 / (e * d^2))

The returned value is the exact disc integral maximised numerically over ``log f`` (bounded
Brent search around the closed-form optimum), so it is valid for any HBR/miss ratio.
By construction ``Pc_max >= Pc_2D`` of any covariance with that shape.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from sweepers.conjunctions.pc.encounter import encounter_plane
from sweepers.conjunctions.pc.foster2d import log_pc_circle_adaptive
from sweepers.conjunctions.pc.result import PcMethod, PcResult


def max_pc_plane(xm: float, zm: float, sx: float, sz: float, hbr: float) -> tuple[float, float]:
    """(max Pc, optimal scale f) over covariance ``f^2 diag(sx^2, sz^2)``, miss (xm, zm)."""
    m2 = (xm / sx) ** 2 + (zm / sz) ** 2
    if m2 <= 0.0 or hbr <= 0.0:
        return (1.0 if hbr > 0 else 0.0), 0.0
    log_f0 = 0.5 * math.log(m2 / 2.0)

    def neg(log_f: float) -> float:
        f = math.exp(log_f)
        return -log_pc_circle_adaptive(xm, zm, f * sx, f * sz, hbr)[0]

    res = optimize.minimize_scalar(neg, bounds=(log_f0 - 8.0, log_f0 + 8.0), method="bounded",
                                   options={"xatol": 1e-10})
    return min(1.0, math.exp(-float(res.fun))), math.exp(float(res.x))


def pc_max_alfano(r1: ArrayLike, v1: ArrayLike, r2: ArrayLike, v2: ArrayLike, hbr: float, *,
                  cov1: ArrayLike | None = None, cov2: ArrayLike | None = None,
                  aspect_ratio: float = 1.0) -> PcResult:
    """Maximum Pc over the covariance scale (module docstring).

    With ``cov1``/``cov2`` (3x3 or 6x6) the combined projected covariance supplies the shape;
    without them the shape is ``aspect_ratio : 1`` with the miss along the minor axis (the
    worst orientation; ``aspect_ratio = 1`` is Alfano's isotropic case). Units as the 2D methods.
    """
    if cov1 is None or cov2 is None:
        shape = np.diag([aspect_ratio**2, 1.0])
        # only the plane's geometry (miss, speed) is used: a unit covariance keeps it well-posed
        # (a zero one is rejected as non-positive-definite)
        unit = np.eye(3)
        r_a, r_b = np.asarray(r1, float), np.asarray(r2, float)
        plane = encounter_plane(r_a, v1, unit, r_b, v2, unit, math.inf)
        if not plane.ok:
            return PcResult(pc=math.nan, method=PcMethod.ALFANO_MAX, reason=plane.reason)
        miss = plane.miss
        xm, zm, sx, sz = 0.0, miss, math.sqrt(shape[0, 0]), 1.0
        speed = plane.relative_speed
    else:
        plane = encounter_plane(r1, v1, cov1, r2, v2, cov2, hbr)
        if not plane.ok:
            return PcResult(pc=math.nan, method=PcMethod.ALFANO_MAX, reason=plane.reason)
        xm, zm, sx, sz, miss, speed = (plane.xm, plane.zm, plane.sx, plane.sz, plane.miss,
                                       plane.relative_speed)
    pc, f = max_pc_plane(xm, zm, sx, sz, hbr)
    return PcResult(pc=pc, method=PcMethod.ALFANO_MAX, miss_m=miss, hbr_m=hbr,
                    relative_speed_m_s=speed, log_pc=math.log(pc) if pc > 0 else -math.inf,
                    sigma_major_m=f * sx, sigma_minor_m=f * sz,
                    notes=(f"worst-case covariance scale factor {f:.6g}",))
