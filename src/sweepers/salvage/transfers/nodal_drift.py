"""Cheap J2 nodal-drift phasing estimate for near-circular orbits. Units: km, km/s, s, rad.

The model behind GTOC9-style cost tables (the winners waited for the natural differential nodal
precession instead of burning plane changes). Derived here, first order in the small differences;
the formulas are standard (Vallado, *Fundamentals*, §6.4–6.6 and §9.6); their combination is
ours.

Orbit differences are measured as a Δv vector with the circular speed v = √(μ/a) of the departure
orbit:

* semi-major axis δa → v δa / (2a)  (two-burn Hohmann, small δa: Δv_H ≈ v |δa| / 2a);
* plane change by the angle θ between planes → 2 v sin(θ/2) (single impulse at the line of
  intersection); for small differences θ² ≈ δi² + sin² i δΩ² (spherical trigonometry);
* eccentricity vector δe (components e cos ω, e sin ω) → v |δe| / 2 (tangential burns, δe = 2δv/v);
* changes made in the same burns add in quadrature (the plane change split evenly over the two
  Hohmann burns gives Δv = v √((δa/2a)² + θ²), the impulsive analogue of Edelbaum's combined
  change).

Two strategies, the cheaper is returned:

1. **Direct**: stay on the departure orbit, at the best moment t ∈ [t0, t1] (when the planes,
   drifting at their own J2 rates Ω̇ = −(3/2) J2 (R_e/p)² n cos i, are closest) make the whole
   change at once: Δv = v √((δa/2a)² + (δe/2)² + (2 sin(θ(t)/2))²).
2. **Drift orbit**: at t0 move to an intermediate orbit (δa, δi, δΩ, δe) whose different nodal
   rate closes the node gap over T = t1 − t0, at t1 move onto the target. With the node rate
   linearised, ∂Ω̇/∂a = −(7/2) Ω̇/a and ∂Ω̇/∂i = −Ω̇ tan i, the node gap left at t1 is
   g_Ω − δΩ − (∂Ω̇/∂a δa + ∂Ω̇/∂i δi) T where g_Ω is the gap the natural drift leaves. The cost
   ‖W d‖ + ‖W (g − M d)‖ (W: the weights above; g: the target-minus-departure differences at t1;
   M: identity plus the drift coupling) is convex in d and is minimised by iteratively reweighted
   least squares (Weiszfeld's iteration), vectorised over all pairs.

Not modelled: along-track phasing (cheap over days: any phase is reachable by a small δa during
the drift), the duration of the Hohmann legs, J2 short-period terms (elements are osculating).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.orbits.kepler import (
    J2_EARTH,
    MU_EARTH_KM3_S2,
    R_EARTH_KM,
    j2_secular_rates,
    state_to_elements,
)
from sweepers.salvage.transfers.base import Ephemeris, TransferCost, as_times

Array = NDArray[np.float64]


def _wrap(angle: Array) -> Array:
    return np.remainder(angle + np.pi, 2 * np.pi) - np.pi


def _evec(argp: Array, e: Array) -> Array:
    return np.stack([e * np.cos(argp), e * np.sin(argp)], axis=-1)


@dataclass(frozen=True, slots=True)
class NodalDriftModel:
    """Cheap J2 nodal-drift estimate (module docstring). ``n_direct`` times sampled for the
    direct strategy, ``iterations`` of the reweighted least squares."""

    mu: float = MU_EARTH_KM3_S2
    r_eq_km: float = R_EARTH_KM
    j2: float = J2_EARTH
    n_direct: int = 65
    iterations: int = 200

    def cost(self, dep: Ephemeris, arr: Ephemeris, t_depart_s: ArrayLike,
             t_arrive_s: ArrayLike) -> TransferCost:
        """Δv [km/s]. Details: ``strategy`` (0 direct, 1 drift orbit), ``dv_direct_km_s``,
        ``dv_drift_km_s``, ``t_direct_s`` (best direct time), ``drift_da_km``, ``drift_di_rad``,
        ``raan_gap_rad`` (target − departure node at t0)."""
        t0, t1 = as_times(t_depart_s, t_arrive_s)
        a0 = state_to_elements(*dep.state(t0), mu=self.mu)
        b0 = state_to_elements(*arr.state(t0), mu=self.mu)
        a1 = state_to_elements(*dep.state(t1), mu=self.mu)
        b1 = state_to_elements(*arr.state(t1), mu=self.mu)
        t0 = np.broadcast_to(t0, a0.a_km.shape)
        span = np.broadcast_to(t1 - t0, a0.a_km.shape)
        v = np.sqrt(self.mu / a0.a_km)
        rates = {"mu": self.mu, "r_eq_km": self.r_eq_km, "j2": self.j2}
        raan_dot_a = j2_secular_rates(a0.a_km, a0.e, a0.i_rad, **rates)[0]
        raan_dot_b = j2_secular_rates(b0.a_km, b0.e, b0.i_rad, **rates)[0]
        gap0 = _wrap(b0.raan_rad - a0.raan_rad)
        d_a = b1.a_km - a1.a_km
        d_e = _evec(b1.argp_rad, b1.e) - _evec(a1.argp_rad, a1.e)
        # in-plane part (a, e) in Δv units
        inplane2 = (d_a / (2 * a0.a_km)) ** 2 + 0.25 * np.einsum("ij,ij->i", d_e, d_e)

        # 1. direct: whole change at the best time on a grid
        frac = np.linspace(0.0, 1.0, self.n_direct)[None, :]
        gap_t = gap0[:, None] + ((raan_dot_b - raan_dot_a) * span)[:, None] * frac
        ia, ib = a0.i_rad[:, None], b0.i_rad[:, None]
        cos_t = np.cos(ia) * np.cos(ib) + np.sin(ia) * np.sin(ib) * np.cos(gap_t)
        theta = np.arccos(np.clip(cos_t, -1.0, 1.0))
        dv_t = v[:, None] * np.sqrt(inplane2[:, None] + (2 * np.sin(theta / 2)) ** 2)
        best = np.argmin(dv_t, axis=1)
        rows = np.arange(t0.size)
        dv_direct = dv_t[rows, best]

        # 2. drift orbit: convex sum of two weighted norms, d = (δa, δi, δΩ, δe_x, δe_y)
        g = np.stack([d_a, b1.i_rad - a1.i_rad, _wrap(b1.raan_rad - a1.raan_rad),
                      d_e[:, 0], d_e[:, 1]], axis=1)
        w = np.stack([v / (2 * a0.a_km), v, v * np.sin(a0.i_rad), v / 2, v / 2], axis=1)
        m = np.tile(np.eye(5), (t0.size, 1, 1))
        m[:, 2, 0] = -3.5 * raan_dot_a / a0.a_km * span
        m[:, 2, 1] = -raan_dot_a * np.tan(a0.i_rad) * span
        d, dv_drift = _min_two_norms(w, m, g, self.iterations)

        drift = dv_drift < dv_direct
        return TransferCost(np.minimum(dv_direct, dv_drift), np.isfinite(dv_direct), {
            "strategy": drift.astype(np.int8),
            "dv_direct_km_s": dv_direct,
            "dv_drift_km_s": dv_drift,
            "t_direct_s": t0 + span * frac[0, best],
            "drift_da_km": d[:, 0],
            "drift_di_rad": d[:, 1],
            "raan_gap_rad": gap0,
        })


def _min_two_norms(w: Array, m: Array, g: Array, iterations: int) -> tuple[Array, Array]:
    """min_d ‖W d‖ + ‖W (g − M d)‖ per row (W = diag(w)); Weiszfeld/IRLS with safeguards.

    Returns the minimiser ``(n, k)`` and the minimum ``(n,)``. The candidates d = 0 (everything
    at the end) and d = M⁻¹ g (everything at the start) are kept if the iteration ends worse.
    """
    a1 = w[:, :, None] * np.eye(w.shape[1])[None]
    a2 = w[:, :, None] * m
    b = w * g

    def value(d: Array) -> Array:
        return (np.linalg.norm(np.einsum("nij,nj->ni", a1, d), axis=1)
                + np.linalg.norm(b - np.einsum("nij,nj->ni", a2, d), axis=1))

    d_start = np.linalg.solve(m, g[..., None])[..., 0]
    cands = [np.zeros_like(g), d_start]
    d = 0.5 * d_start
    scale = np.linalg.norm(b, axis=1)[:, None, None] + 1e-30
    a1ta1 = np.einsum("nki,nkj->nij", a1, a1)
    a2ta2 = np.einsum("nki,nkj->nij", a2, a2)
    a2tb = np.einsum("nki,nk->ni", a2, b)
    for _ in range(iterations):
        n1 = np.linalg.norm(np.einsum("nij,nj->ni", a1, d), axis=1)[:, None, None]
        n2 = np.linalg.norm(b - np.einsum("nij,nj->ni", a2, d), axis=1)[:, None, None]
        w1 = 1.0 / np.maximum(n1, 1e-12 * scale)
        w2 = 1.0 / np.maximum(n2, 1e-12 * scale)
        d = np.linalg.solve(w1 * a1ta1 + w2 * a2ta2, (w2[..., 0] * a2tb)[..., None])[..., 0]
    cands.append(d)
    vals = np.stack([value(c) for c in cands], axis=1)
    pick = np.argmin(vals, axis=1)
    rows = np.arange(g.shape[0])
    return np.stack(cands, axis=1)[rows, pick], vals[rows, pick]
