"""Two-body impulsive Lambert transfer cost (multi-revolution). Units: km, km/s, s.

Δv = |v1 − v_from(t_depart)| + |v_to(t_arrive) − v2| minimised over the revolution counts N in a
window around the natural count ⌊tof / P⌋ (P: period of the mean of the two osculating
semi-major axes) and both branches, with the transfer turning the same way as the departure orbit.
Two-body only: J2 acts on the end-point ephemerides but not on the transfer arc, which is what makes
this estimate wrong over days (the arc's own nodal drift is ignored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sweepers.orbits.constants import MU_EARTH_KM3_S2
from sweepers.orbits.lambert import best_lambert_dv, lambert
from sweepers.salvage.transfers.base import TargetEphemeris, TransferCost, as_times


@dataclass(frozen=True, slots=True)
class LambertTransferModel:
    """Two-body Lambert cost; ``rev_window``: N searched in ⌊tof/P⌋ ± rev_window."""

    mu: float = MU_EARTH_KM3_S2
    rev_window: int = 2

    def cost(self, dep: TargetEphemeris, arr: TargetEphemeris, t_depart_s: ArrayLike,
             t_arrive_s: ArrayLike) -> TransferCost:
        """Δv [km/s]; details: ``revs``, ``right_branch``, ``dv1_km_s``, ``dv2_km_s``,
        ``v1_km_s`` (departure velocity of the arc, (n, 3))."""
        t0, t1 = as_times(t_depart_s, t_arrive_s)
        r1, vd = dep.state(t0)
        r2, va = arr.state(t1)
        r1, vd, r2, va = (np.atleast_2d(x) for x in (r1, vd, r2, va))
        return lambert_cost(r1, vd, r2, va, t1 - t0, self.mu, self.rev_window)


def lambert_cost(r1: np.ndarray, vd: np.ndarray, r2: np.ndarray, va: np.ndarray,
                 tof_s: np.ndarray, mu: float = MU_EARTH_KM3_S2,
                 rev_window: int = 2) -> TransferCost:
    """Lambert cost between explicit states ``(n, 3)`` [km, km/s] over ``tof_s`` [s]."""
    energy = 0.5 * np.einsum("ij,ij->i", vd, vd) - mu / np.linalg.norm(r1, axis=1)
    energy2 = 0.5 * np.einsum("ij,ij->i", va, va) - mu / np.linalg.norm(r2, axis=1)
    a_mean = 0.5 * (-mu / (2 * energy) - mu / (2 * energy2))
    period = 2 * np.pi * np.sqrt(a_mean**3 / mu)
    n_nat = np.floor(tof_s / period).astype(np.int64)
    sol = lambert(r1, r2, tof_s, mu, min_revs=np.maximum(n_nat - rev_window, 0),
                  max_revs=n_nat + rev_window, h_ref=np.cross(r1, vd))
    dv, slot = best_lambert_dv(sol, vd, va)
    rows = np.arange(dv.size)
    s = np.maximum(slot, 0)
    v1 = sol.v1_km_s[rows, s]
    v2 = sol.v2_km_s[rows, s]
    return TransferCost(dv, slot >= 0, {
        "revs": np.where(slot >= 0, sol.revs[rows, s], -1),
        "right_branch": sol.right_branch[rows, s] & (slot >= 0),
        "dv1_km_s": np.linalg.norm(v1 - vd, axis=1),
        "dv2_km_s": np.linalg.norm(va - v2, axis=1),
        "v1_km_s": v1,
    })
