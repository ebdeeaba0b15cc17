"""From a CDM to Pc inputs: EME2000 states in m, RTN covariances rotated to inertial axes.

RTN → inertial follows CARA's ``RIC2ECI``: ``R = [r̂, ĥ×r̂, ĥ]`` (columns; ``ĥ = r×v/|r×v|``),
applied block-diagonally ``diag(R, R)`` to the 6x6 ``[r v]`` covariance — no ``ω×r`` term in the
velocity block (the CDM covariance is treated as a covariance of RTN components, not of
rotating-frame velocities).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sweepers.conjunctions.pc.result import PcInputError
from sweepers.formats.cdm import Cdm, CdmObject

_INERTIAL_FRAMES = {"EME2000", "GCRF", "ICRF", "J2000", "TEME"}


def rtn_basis(r: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
    """3x3 matrix whose columns are the R, T, N unit vectors of state (r, v), inertial axes."""
    rhat = r / np.linalg.norm(r)
    h = np.cross(r, v)
    hhat = h / np.linalg.norm(h)
    return np.column_stack([rhat, np.cross(hhat, rhat), hhat])


def rtn_to_inertial_covariance(cov_rtn: NDArray[np.float64], r: NDArray[np.float64],
                               v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rotate a 6x6 ``[r v]`` RTN covariance to inertial axes (block-diagonal, see module)."""
    rot = rtn_basis(np.asarray(r, float), np.asarray(v, float))
    m = np.zeros((6, 6))
    m[:3, :3] = rot
    m[3:, 3:] = rot
    c = np.asarray(cov_rtn, float)[:6, :6]
    return m @ c @ m.T


def object_state_m(obj: CdmObject) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                              NDArray[np.float64]]:
    """(r [m], v [m/s], 6x6 inertial covariance [m², m²/s, m²/s²]) of one CDM object."""
    if obj.ref_frame.upper() not in _INERTIAL_FRAMES:
        raise PcInputError(f"{obj.object}: REF_FRAME {obj.ref_frame} is not inertial; "
                           "convert the state to EME2000 first")
    state = np.asarray(obj.state_km, float) * 1e3
    if not np.all(np.isfinite(state)):
        raise PcInputError(f"{obj.object}: state vector incomplete")
    cov = rtn_to_inertial_covariance(obj.covariance_rtn, state[:3], state[3:])
    return state[:3], state[3:], cov


def cdm_inputs(cdm: Cdm, hbr_m: float | None = None) -> tuple[
        NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
        NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float]:
    """``(r1, v1, cov1, r2, v2, cov2, hbr_m)`` for the Pc methods, in metres."""
    hbr = hbr_m if hbr_m is not None else cdm.hbr_m
    if hbr is None or (isinstance(hbr, float) and math.isnan(hbr)):
        raise PcInputError("no hard-body radius: the CDM has no HBR comment and none was given")
    r1, v1, c1 = object_state_m(cdm.object1)
    r2, v2, c2 = object_state_m(cdm.object2)
    return r1, v1, c1, r2, v2, c2, float(hbr)
