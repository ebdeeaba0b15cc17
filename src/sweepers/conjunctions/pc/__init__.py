"""Collision probability (Pc) of two objects at a conjunction — one front door.

Units: this subpackage follows the CDM/CARA convention, **SI metres**: positions m, velocities
m/s, covariances m², m²/s, m²/s² (6x6 ``[r v]`` or 3x3 position), hard-body radius m, times s,
inertial frame (EME2000/GCRF). The 2D methods are unit-agnostic given consistent units; the
Monte Carlo method needs metres because of ``mu``. Convert from the package's km at the edge.

Methods (:class:`PcMethod`):

* ``FOSTER_2D`` — exact short-encounter integral (Foster & Estes 1992; Chan 1997 for the model;
  log-space erfc evaluation and adaptive Gauss-Kronrod here), :func:`pc_2d`.
* ``CARA_GC64`` — the same integral with CARA ``PcCircle``'s 64-node Gauss-Chebyshev rule.
* ``HALL_3D`` — Hall's (2021) 3D-Nc: collision-rate integral over curvilinear two-body motion
  with equinoctial covariance propagation, :func:`pc_3d_hall`.
* ``MONTE_CARLO`` — two-body Monte Carlo (Alfano 2009; CARA's conventions), :func:`pc_monte_carlo`.
* ``ALFANO_MAX`` — maximum Pc over the covariance scale (Alfano 2005), :func:`pc_max_alfano`.
* ``AUTO`` — CARA ``PcMultiStep``-like: the 2D Pc unless it is flagged, then 3D-Nc. Flags: the
  rectilinear usage-violation indicators (Hall 2021, Coppola 2012; :func:`usage_violation_2d`),
  and, with 6x6 covariances, a curvilinear check — 3D-Nc is evaluated and the 2D value is
  flagged as inaccurate when the two disagree by more than a factor ``AUTO_3D_RATIO``
  (CARA's ``OmitronTestCase_Test08``: 2D 2.3e-20, 3D-Nc 1.9e-5, not flagged rectilinearly).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike

from sweepers.conjunctions.pc.cdm_input import cdm_inputs, rtn_to_inertial_covariance
from sweepers.conjunctions.pc.foster2d import pc_2d
from sweepers.conjunctions.pc.hall3d import pc_3d_hall
from sweepers.conjunctions.pc.maxpc import pc_max_alfano
from sweepers.conjunctions.pc.montecarlo import (
    clopper_pearson,
    encounter_window_s,
    pc_monte_carlo,
)
from sweepers.conjunctions.pc.result import PcInputError, PcMethod, PcResult
from sweepers.conjunctions.pc.usage import UsageViolation, usage_violation_2d
from sweepers.formats.cdm import Cdm

__all__ = [
    "PcInputError",
    "PcMethod",
    "PcResult",
    "UsageViolation",
    "clopper_pearson",
    "compute_pc",
    "encounter_window_s",
    "pc_2d",
    "pc_3d_hall",
    "pc_from_cdm",
    "pc_max_alfano",
    "pc_monte_carlo",
    "rtn_to_inertial_covariance",
    "usage_violation_2d",
]


AUTO_3D_RATIO = 1.5  # auto: 2D and 3D-Nc further apart than this factor flag the 2D as inaccurate
AUTO_3D_FLOOR = 1e-10  # ... unless both are below this (no decision depends on them)


def compute_pc(
    r1: ArrayLike,
    v1: ArrayLike,
    cov1: ArrayLike,
    r2: ArrayLike,
    v2: ArrayLike,
    cov2: ArrayLike,
    hbr_m: float,
    *,
    method: PcMethod | str = PcMethod.AUTO,
    trials: int = 100_000,
    seed: int | None = None,
) -> PcResult:
    """Pc of two objects with states at TCA (m, m/s, m²; inertial).

    ``method``: ``auto`` (module docstring), ``foster-2d``, ``cara-gc64``, ``hall-3d``,
    ``monte-carlo`` or ``alfano-max``. The result records the usage-violation verdict whenever
    it could be evaluated (``usage_violation`` True: the 2D value is not to be trusted).
    """
    m = PcMethod(method)
    if m is PcMethod.ALFANO_MAX:
        return pc_max_alfano(r1, v1, r2, v2, hbr_m, cov1=cov1, cov2=cov2)
    if m is PcMethod.MONTE_CARLO:
        return pc_monte_carlo(r1, v1, cov1, r2, v2, cov2, hbr_m, trials=trials, seed=seed)
    if m is PcMethod.HALL_3D:
        return pc_3d_hall(r1, v1, cov1, r2, v2, cov2, hbr_m)
    rule = "cara-gc64" if m is PcMethod.CARA_GC64 else "adaptive"
    result = pc_2d(r1, v1, cov1, r2, v2, cov2, hbr_m, rule=rule)
    if not (math.isfinite(hbr_m) and hbr_m > 0):
        return result
    uv = usage_violation_2d(r1, v1, cov1, r2, v2, cov2, hbr_m)
    note = (f"2D usage: extended={uv.extended:.3g}, offset={uv.offset:.3g} "
            f"({'violated' if uv.violated else 'ok'})")
    six = all(np.shape(c) == (6, 6) for c in (cov1, cov2))
    if m is not PcMethod.AUTO or not six:
        return _with(result, uv.violated, note)
    nc = pc_3d_hall(r1, v1, cov1, r2, v2, cov2, hbr_m)
    p2, p3 = result.pc, nc.pc
    inaccurate = (math.isfinite(p3) and max(p2, p3) > AUTO_3D_FLOOR
                  and not (p3 / AUTO_3D_RATIO <= p2 <= p3 * AUTO_3D_RATIO))
    note3 = f"3D-Nc {p3:.4g} vs 2D {p2:.4g} ({'inaccurate' if inaccurate else 'consistent'} 2D)"
    if uv.violated or inaccurate or math.isnan(p2):
        return _with(nc, True, note, note3)
    return _with(result, False, note, note3)


def _with(result: PcResult, violated: bool, *notes: str) -> PcResult:
    return replace(result, usage_violation=violated, notes=(*result.notes, *notes))


def pc_from_cdm(cdm: Cdm, method: PcMethod | str = "auto", hbr_m: float | None = None, *,
                trials: int = 100_000, seed: int | None = None) -> PcResult:
    """Pc of a CDM's conjunction: EME2000 states (km→m), RTN covariances rotated as CARA does.

    ``hbr_m`` overrides the CDM's ``COMMENT HBR``; one of them is required (else
    :class:`PcInputError`).

    A CDM without covariance — the project writes the 21 terms as NaN for objects known only by
    TLE/OMM, which carry none — is answered by Alfano's maximum Pc (``auto`` or ``alfano-max``,
    with a note saying why); any other method raises :class:`PcInputError`, as does a covariance
    that is only partly given.
    """
    r1, v1, c1, r2, v2, c2, hbr = cdm_inputs(cdm, hbr_m)
    missing = [not np.isfinite(np.asarray(c, float)).any() for c in (c1, c2)]
    partial = [not m and not np.isfinite(np.asarray(c, float)).all()
               for m, c in zip(missing, (c1, c2), strict=True)]
    if any(partial):
        raise PcInputError("the CDM's covariance is only partly given (some terms are not "
                           "finite)")
    if any(missing):
        m = PcMethod(method)
        if m not in (PcMethod.AUTO, PcMethod.ALFANO_MAX):
            raise PcInputError(f"the CDM carries no covariance for object "
                               f"{' and '.join(str(k + 1) for k, x in enumerate(missing) if x)}"
                               f"; method {m.value} needs one (use the maximum Pc: --method max)")
        result = pc_max_alfano(r1, v1, r2, v2, hbr)
        return _with(result, False, "no covariance in the CDM: Alfano's maximum Pc over an "
                                    "isotropic covariance scale")
    return compute_pc(r1, v1, c1, r2, v2, c2, hbr, method=method, trials=trials, seed=seed)
