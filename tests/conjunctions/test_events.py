"""Screening's maximum Pc by the optimality condition against the numerical maximisation.

:func:`events.max_pc_isotropic` finds the worst covariance size from ``I₁(x)/I₀(x) = R/d`` and
integrates once; :func:`pc.maxpc.max_pc_plane` maximises the disc integral over the size
numerically. They must agree far below the 1e-9 relative the screening allows itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sweepers.conjunctions.events import max_pc, max_pc_isotropic
from sweepers.conjunctions.pc.maxpc import max_pc_plane


@pytest.mark.parametrize("ratio", [0.0100001, 0.03, 0.1, 0.4, 0.8, 0.97, 0.9995])
@pytest.mark.parametrize("miss_m", [0.7, 150.0, 4000.0])
def test_isotropic_optimum_equals_numerical_maximum(ratio: float, miss_m: float) -> None:
    hbr_m = ratio * miss_m
    reference = max_pc_plane(0.0, miss_m, 1.0, 1.0, hbr_m)[0]
    assert math.isclose(max_pc_isotropic(miss_m, hbr_m), reference, rel_tol=1e-12)


def test_isotropic_branches_match_max_pc() -> None:
    r1, v1 = np.array([7000.0, 0.0, 0.0]), np.array([0.0, 7.5, 0.0])
    v2 = np.array([0.0, 0.0, 7.5])
    for miss_km, hbr_m in [(0.2, 2.0), (0.2, 0.0), (0.001, 5.0), (3.0, 1.5), (0.05, 20.0)]:
        r2 = r1 + np.array([0.0, 0.0, miss_km])
        assert math.isclose(max_pc_isotropic(1e3 * miss_km, hbr_m), max_pc(r1, v1, r2, v2, hbr_m),
                            rel_tol=1e-12, abs_tol=0.0)
    assert max_pc_isotropic(10.0, 10.0) == 1.0
    assert max_pc_isotropic(10.0, -1.0) == 0.0
