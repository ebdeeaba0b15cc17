"""Encounter-plane geometry shared by the short-encounter (2D) methods.

The encounter (conjunction) plane is normal to the relative velocity at TCA. The combined 3x3
position covariance ``C1 + C2`` (objects assumed uncorrelated) is projected onto it, giving a 2x2
covariance whose eigenvectors are the principal axes of the miss-distance density.

Conventions reproduced from NASA CARA's ``PcCircle`` (documented here, code our own):

* **Miss placement**: the full ``|r2 - r1|`` is placed in the plane along the in-plane direction of
  the relative position, even when the states are not exactly at TCA (``Pc2D_NoAdj``). With
  ``adjust_to_tca=True`` both states first move linearly to the linear TCA
  ``dt = -(dr.dv)/|dv|^2`` (CARA's ``Pc2D``), after which ``dr`` is in the plane anyway.
* **Non-positive-definite covariances**: eigenvalues of the *projected 2x2* covariance below
  ``(1e-4 * HBR)^2`` are clipped to that floor (eigenvalue clipping, Hall et al. 2017), so an NPD
  3x3/6x6 input is not an error: the clipped, very thin density usually gives Pc = 0 exactly for
  a distant miss (CARA's ``omitron_npd`` cases). Only when the *larger* projected eigenvalue is
  ``<= 0`` is there nothing to remediate; CARA raises an error there, we return NaN with a reason.
* **Zero relative velocity**: the plane is undefined, Pc is NaN ("undefined").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.conjunctions.pc.result import PcInputError

CLIP_FACTOR = 1e-4  # CARA's Fclip: projected eigenvalues are floored at (CLIP_FACTOR*HBR)^2


def position_covariance(cov: ArrayLike) -> NDArray[np.float64]:
    """The 3x3 position block of a 3x3 or 6x6 ``[r v]`` covariance (same units as given)."""
    c = np.asarray(cov, dtype=float)
    if c.shape not in ((3, 3), (6, 6)):
        raise PcInputError(f"covariance must be 3x3 or 6x6, got shape {c.shape}")
    return 0.5 * (c[:3, :3] + c[:3, :3].T)


def _vec3(a: ArrayLike, name: str) -> NDArray[np.float64]:
    v = np.asarray(a, dtype=float).reshape(-1)
    if v.shape != (3,):
        raise PcInputError(f"{name} must have 3 components, got {v.shape}")
    return v


def linear_tca_offset_s(dr: NDArray[np.float64], dv: NDArray[np.float64]) -> float:
    """Time [s] from the given epoch to the rectilinear TCA: ``-(dr.dv)/|dv|^2``."""
    vv = float(dv @ dv)
    return 0.0 if vv == 0.0 else -float(dr @ dv) / vv


@dataclass(frozen=True, slots=True)
class EncounterPlane:
    """Miss and covariance in the principal axes of the projected 2x2 covariance.

    ``xm``/``zm`` are the (non-negative) miss components along the major/minor axes; ``sx >= sz``
    the 1-sigma semi-axes after remediation. ``ok`` is False when the geometry is undefined
    (``reason`` says why). Lengths are in the caller's unit.
    """

    ok: bool
    xm: float = math.nan
    zm: float = math.nan
    sx: float = math.nan
    sz: float = math.nan
    miss: float = math.nan
    relative_speed: float = math.nan
    remediated: bool = False
    npd_input: bool = False
    reason: str | None = None


def encounter_plane(
    r1: ArrayLike,
    v1: ArrayLike,
    cov1: ArrayLike,
    r2: ArrayLike,
    v2: ArrayLike,
    cov2: ArrayLike,
    hbr: float,
    *,
    adjust_to_tca: bool = False,
    full_miss: bool = True,
) -> EncounterPlane:
    """Project the relative geometry onto the encounter plane (see module docstring).

    Positions/velocities inertial (any consistent units), covariances 3x3 or 6x6 in the same
    units; ``hbr`` (combined hard-body radius) sets the clipping floor ``(1e-4*hbr)^2``.
    ``full_miss=False`` uses the exact projection of ``dr`` on the plane instead of ``|dr|``.
    """
    p1, p2 = _vec3(r1, "r1"), _vec3(r2, "r2")
    w1, w2 = _vec3(v1, "v1"), _vec3(v2, "v2")
    dr = p2 - p1
    dv = w2 - w1
    speed = float(np.linalg.norm(dv))
    if speed == 0.0 or not np.isfinite(speed):
        return EncounterPlane(ok=False, relative_speed=speed,
                              reason="zero relative velocity: the 2D encounter plane is undefined")
    if adjust_to_tca:
        dr = dr + dv * linear_tca_offset_s(dr, dv)
    comb = position_covariance(cov1) + position_covariance(cov2)
    if not np.all(np.isfinite(comb)):
        return EncounterPlane(ok=False, relative_speed=speed, reason="non-finite covariance")
    y = dv / speed
    h = np.cross(dr, dv)
    hn = float(np.linalg.norm(h))
    if hn <= 1e-12 * max(float(np.linalg.norm(dr)), 1e-300) * speed:
        # zero miss (or miss along dv): any in-plane axis serves, Pc does not depend on it
        trial = np.eye(3)[int(np.argmin(np.abs(y)))]
        h = np.cross(trial, y)
        hn = float(np.linalg.norm(h))
    z = h / hn
    x = np.cross(y, z)
    basis = np.vstack([x, z])
    a2 = basis @ comb @ basis.T
    a2 = 0.5 * (a2 + a2.T)
    lam, vec = np.linalg.eigh(a2)  # ascending
    l_minor, l_major = float(lam[0]), float(lam[1])
    npd = l_minor <= 0.0
    if l_major <= 0.0:
        return EncounterPlane(ok=False, relative_speed=speed, npd_input=True,
                              reason="projected covariance has two non-positive eigenvalues")
    remediated = False
    if math.isfinite(hbr):
        floor = (CLIP_FACTOR * hbr) ** 2
        if l_major < floor:
            l_major, remediated = floor, True
        if l_minor < floor:
            l_minor, remediated = floor, True
    if l_minor <= 0.0:  # HBR = 0 or inf leaves nothing to clip to; callers short-circuit those
        l_minor = max(l_minor, np.finfo(float).tiny)
    miss = float(np.linalg.norm(dr)) if full_miss else abs(float(dr @ x))
    major = vec[:, 1]
    return EncounterPlane(
        ok=True,
        xm=miss * abs(float(major[0])),
        zm=miss * abs(float(major[1])),
        sx=math.sqrt(l_major),
        sz=math.sqrt(l_minor),
        miss=float(np.linalg.norm(dr)),
        relative_speed=speed,
        remediated=remediated,
        npd_input=npd,
    )
