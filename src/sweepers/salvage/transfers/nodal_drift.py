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

Along-track phasing (``phasing_s``, off by default): waiting is free, but the exact legs fly
transfers of at most a few days, and where the natural drift of the along-track gap does not
bring it to zero inside that window the remainder costs a phasing orbit (two tangential burns,
v Δφ / (1.5 n τ)); the drift strategy phases over its whole flight. Without it the model
under-estimates short legs whose phase is wrong (−51 % median against the exact J2 rendezvous,
``benchmarks/transfer_errors.py``).

Not modelled: the duration of the Hohmann legs, J2 short-period terms (elements are
osculating).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.orbits.constants import J2_EARTH, MU_EARTH_KM3_S2, R_EARTH_KM
from sweepers.orbits.kepler import (
    KeplerElements,
    SecularJ2Ephemeris,
    j2_secular_rates,
    state_to_elements,
)
from sweepers.salvage.transfers.base import TargetEphemeris, TransferCost, as_times

Array = NDArray[np.float64]


def _wrap(angle: Array) -> Array:
    return np.remainder(angle + np.pi, 2 * np.pi) - np.pi


def _evec(argp: Array, e: Array) -> Array:
    return np.stack([e * np.cos(argp), e * np.sin(argp)], axis=-1)


@dataclass(frozen=True, slots=True)
class NodalDriftModel:
    """Cheap J2 nodal-drift estimate (module docstring). ``n_direct`` times sampled for the
    direct strategy, ``iterations`` of the reweighted least squares. ``phasing_s``: also
    charge the along-track phasing (:func:`phasing_cost`) for transfers of at most that long
    [s] (None: phasing ignored, the classic model)."""

    mu: float = MU_EARTH_KM3_S2
    r_eq_km: float = R_EARTH_KM
    j2: float = J2_EARTH
    n_direct: int = 65
    iterations: int = 200
    phasing_s: float | None = None

    def cost(self, dep: TargetEphemeris, arr: TargetEphemeris, t_depart_s: ArrayLike,
             t_arrive_s: ArrayLike) -> TransferCost:
        """Δv [km/s]. Details: ``strategy`` (0 direct, 1 drift orbit), ``dv_direct_km_s``,
        ``dv_drift_km_s``, ``t_direct_s`` (best direct time), ``drift_da_km``, ``drift_di_rad``,
        ``raan_gap_rad`` (target − departure node at t0)."""
        t0, t1 = as_times(t_depart_s, t_arrive_s)
        a0, b0 = self._elements(dep, t0), self._elements(arr, t0)
        a1, b1 = self._elements(dep, t1), self._elements(arr, t1)
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
        phase2 = 0.0
        if self.phasing_s is not None:
            phase2 = self._phasing(a0, b0, t0[:, None] + span[:, None] * frac, t0, t1) ** 2
        dv_t = v[:, None] * np.sqrt(inplane2[:, None] + phase2 + (2 * np.sin(theta / 2)) ** 2)
        best = np.argmin(dv_t, axis=1)
        rows = np.arange(t0.size)
        dv_direct = dv_t[rows, best]

        # 2. drift orbit: convex sum of two weighted norms, d = (δa, δi, δΩ, δe_x, δe_y)
        g = np.stack([d_a, b1.i_rad - a1.i_rad, _wrap(b1.raan_rad - a1.raan_rad),
                      d_e[:, 0], d_e[:, 1]], axis=1)
        w = np.stack([v / (2 * a0.a_km), v, v * np.sin(a0.i_rad), v / 2, v / 2], axis=1)
        d, dv_drift = _min_two_norms(w, -3.5 * raan_dot_a / a0.a_km * span,
                                     -raan_dot_a * np.tan(a0.i_rad) * span, g, self.iterations)

        if self.phasing_s is not None:  # the whole flight to phase in, on top of the drift
            long = self._phasing(a0, b0, 0.5 * (t0 + t1)[:, None], t0, t1,
                                 half_window_s=0.5 * span[:, None])[:, 0]
            dv_drift = np.hypot(dv_drift, v * long)
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

    def _phasing(self, a0: KeplerElements, b0: KeplerElements, t_mid: Array, t0: Array,
                 t1: Array, half_window_s: Array | float | None = None) -> Array:
        """Phasing Δv / v ``(n, k)`` of a transfer centred on ``t_mid`` ``(n, k)`` [s]: the
        along-track gap φ = (u + Ω cos i)_target − (u + Ω cos i)_ship, drifting at its secular
        rate, can be taken at any moment of the window t_mid ± ``half_window_s`` (default
        ``phasing_s``/2) inside [t0, t1]; what no moment closes, Δφ, costs two tangential burns
        of a phasing orbit flown for τ = max(``phasing_s``, window): Δv = v Δφ / (1.5 n τ).
        The exact legs solve transfers of up to ``phasing_s`` (3 days) around the table's
        moment, which is why phasing is not free although waiting is."""
        rates = {"mu": self.mu, "r_eq_km": self.r_eq_km, "j2": self.j2}
        ra, wa, ma = j2_secular_rates(a0.a_km, a0.e, a0.i_rad, **rates)
        rb, wb, mb = j2_secular_rates(b0.a_km, b0.e, b0.i_rad, **rates)
        along0 = _wrap(b0.argp_rad + b0.m_rad + b0.raan_rad * np.cos(b0.i_rad)
                       - a0.argp_rad - a0.m_rad - a0.raan_rad * np.cos(a0.i_rad))
        rate = ((wb + mb + rb * np.cos(b0.i_rad)) - (wa + ma + ra * np.cos(a0.i_rad)))[:, None]
        half = 0.5 * float(self.phasing_s) if half_window_s is None else half_window_s
        lo = np.maximum(t_mid - half, t0[:, None])
        hi = np.minimum(t_mid + half, t1[:, None])
        start = _wrap(along0[:, None] + rate * (lo - t0[:, None]))
        end = start + rate * (hi - lo)
        lo_phi, hi_phi = np.minimum(start, end), np.maximum(start, end)
        gap = np.full(lo_phi.shape, np.inf)
        for k in (-1, 0, 1):  # distance of the swept interval to 2πk
            z = 2 * np.pi * k
            gap = np.minimum(gap, np.maximum(0.0, np.maximum(lo_phi - z, z - hi_phi)))
        tau = np.maximum(float(self.phasing_s), hi - lo)
        n = np.sqrt(self.mu / a0.a_km**3)[:, None]
        return gap / (1.5 * n * tau)

    def _elements(self, eph: TargetEphemeris, t_s: Array) -> KeplerElements:
        """Elements of ``eph`` at ``t_s``: a secular-J2 ephemeris gives them directly (its
        state is their Keplerian conversion, so converting back would return the same
        elements); any other ephemeris through its state."""
        if isinstance(eph, SecularJ2Ephemeris) and eph.mu == self.mu:
            return eph.elements_at(t_s)
        return state_to_elements(*eph.state(t_s), mu=self.mu)


def _min_two_norms(w: Array, m20: Array, m21: Array, g: Array,
                   iterations: int) -> tuple[Array, Array]:
    """min_d ‖W d‖ + ‖W (g − M d)‖ per row, W = diag(w) ``(n, 5)``, M the identity plus the
    drift coupling M[2, 0] = ``m20``, M[2, 1] = ``m21``; Weiszfeld/IRLS with safeguards.

    Each reweighted step solves (w₁W² + w₂MᵀW²M) d = w₂MᵀW²g. With this M the δe components
    decouple (d_k = w₂/(w₁ + w₂) g_k) and the (δa, δi, δΩ) block is a diagonal plus the rank-one
    w₂ W₂² c cᵀ, c = (m20, m21, 1): solved in closed form by Sherman–Morrison, vectorised.
    Returns the minimiser ``(n, 5)`` and the minimum ``(n,)``. The candidates d = 0
    (everything at the end) and d = M⁻¹ g (everything at the start) are kept if the iteration
    ends worse.
    """
    ww = w * w
    ww2 = np.maximum(ww[:, 2], 1e-30 * (ww[:, 0] + ww[:, 1]) + 1e-300)  # equatorial: no node

    def norms(d: Array) -> tuple[Array, Array]:
        r = g - d
        r[:, 2] -= m20 * d[:, 0] + m21 * d[:, 1]
        return (np.sqrt(np.einsum("nk,nk->n", ww, d * d)),
                np.sqrt(np.einsum("nk,nk->n", ww, r * r)))

    d_start = g.copy()
    d_start[:, 2] = g[:, 2] - m20 * g[:, 0] - m21 * g[:, 1]
    cands = [np.zeros_like(g), d_start]
    d = 0.5 * d_start
    scale = np.sqrt(np.einsum("nk,nk->n", ww, g * g)) + 1e-30
    # right-hand side MᵀW²g of the (δa, δi, δΩ) block, without the factor w₂
    r0 = ww[:, 0] * g[:, 0] + m20 * ww2 * g[:, 2]
    r1 = ww[:, 1] * g[:, 1] + m21 * ww2 * g[:, 2]
    r2 = ww2 * g[:, 2]
    for _ in range(iterations):
        n1, n2 = norms(d)
        w1 = 1.0 / np.maximum(n1, 1e-12 * scale)
        w2 = 1.0 / np.maximum(n2, 1e-12 * scale)
        both = w1 + w2
        # A = diag((w1+w2)W0², (w1+w2)W1², w1 W2²) + β c cᵀ, β = w2 W2², c = (m20, m21, 1)
        e0, e1, e2 = both * ww[:, 0], both * ww[:, 1], w1 * ww2
        beta = w2 * ww2
        y0, y1, y2 = w2 * r0 / e0, w2 * r1 / e1, w2 * r2 / e2
        z0, z1, z2 = m20 / e0, m21 / e1, 1.0 / e2
        k = beta * (m20 * y0 + m21 * y1 + y2) / (1.0 + beta * (m20 * z0 + m21 * z1 + z2))
        d = np.stack([y0 - k * z0, y1 - k * z1, y2 - k * z2,
                      (w2 / both) * g[:, 3], (w2 / both) * g[:, 4]], axis=1)
    cands.append(d)
    vals = np.stack([np.add(*norms(c)) for c in cands], axis=1)
    pick = np.argmin(vals, axis=1)
    rows = np.arange(g.shape[0])
    return np.stack(cands, axis=1)[rows, pick], vals[rows, pick]
