"""Exact impulsive rendezvous under full J2 (the GTOC9 dynamics). Units: km, km/s, s.

The problem solved (fixed epochs, honest about what "exact" means here):
    leave the departure state (r0, v0) at t0 and arrive at t1 with the target's state
    (r_T, v_T) = target.state(t1); the ship coasts under full J2 (:mod:`sweepers.orbits.j2`)
    between at most three impulses at t0, at the fixed mid-time t_m = (t0 + t1)/2 (optional)
    and at t1; minimise the sum of impulse magnitudes. Arrival accuracy is checked by an
    independent re-integration (the plain, non-variational heyoka integrator) against the GTOC9
    bar: position within 100 m and velocity within 1 m/s.

Method:

1. *J2-aware Lambert seeds.* Two-body Lambert (multi-revolution, both branches, N within
   ⌊tof/P⌋ ± ``rev_window``) between r0 and the target position rotated back by the secular J2
   drift of the departure orbit over the flight (node by −Ω̇·tof about z, argument of latitude by
   −(ω̇ + Ṁ − n)·tof about the orbit normal); the ``n_seeds`` cheapest seeds are kept. Each is
   then re-aimed by a fixed-point iteration: propagate the arc under J2, rotate/stretch the
   two-body aim point by the map from the J2 end point to the target, re-solve Lambert (same N
   and branch), until the J2 miss is below ``reaim_tol_km`` (osculating-vs-mean motion makes
   the secular seed miss by ~1000 km per day of flight; this brings it to ~1 km). Where this
   fixed point does not converge, a continuation in J2 (scaled 0 → 1, a runtime parameter of
   the integrator) from the exact two-body Lambert arc provides the seed.
2. *Shooting.* Newton on the departure velocity with the 3×3 position/velocity block of the
   state-transition matrix from heyoka's variational equations, until the J2-propagated position
   meets r_T within ``newton_tol_km``; the arrival impulse is then v_T − v(t1) exactly.
3. *Mid-course impulse* (``max_impulses=3``): SLSQP over (Δv0, Δv_m) with the arrival position
   as an equality constraint, analytic gradients from the two segment STMs, started from the best
   two-impulse solution; then a Newton polish of Δv_m. Kept only if cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

from sweepers.orbits.j2 import J2Propagator
from sweepers.orbits.kepler import j2_secular_rates, state_to_elements
from sweepers.orbits.lambert import lambert
from sweepers.salvage.transfers.base import TargetEphemeris, TransferCost, as_times

Array = NDArray[np.float64]

POS_TOL_KM = 0.1  # GTOC9 rendezvous: 100 m
VEL_TOL_KM_S = 1e-3  # GTOC9 rendezvous: 1 m/s


@dataclass(frozen=True, slots=True)
class RendezvousLeg:
    """One solved leg: impulses ``dv_km_s[k]`` (inertial) applied at ``times_s[k]`` (seconds
    after departure). ``miss_km`` / ``miss_km_s`` are the position / velocity errors at arrival
    from an independent re-integration; ``converged`` means both meet the GTOC9 bar."""

    times_s: Array
    dv_km_s: Array
    total_dv_km_s: float
    converged: bool
    miss_km: float
    miss_km_s: float
    two_impulse_dv_km_s: float
    revs: int


def _rotate(vec: Array, axis: Array, angle: float) -> Array:
    """Rodrigues rotation of ``vec`` about the unit ``axis`` by ``angle`` [rad]."""
    c, s = np.cos(angle), np.sin(angle)
    return vec * c + np.cross(axis, vec) * s + axis * (axis @ vec) * (1 - c)


@dataclass
class J2RendezvousModel:
    """Exact J2 rendezvous cost (module docstring); loops over transfers (not vectorised)."""

    propagator: J2Propagator = field(default_factory=J2Propagator)
    max_impulses: int = 3
    rev_window: int = 1
    n_seeds: int = 2
    newton_tol_km: float = 1e-6
    max_newton: int = 12
    reaim_tol_km: float = 1.0
    max_reaim: int = 8

    def cost(self, dep: TargetEphemeris, arr: TargetEphemeris, t_depart_s: ArrayLike,
             t_arrive_s: ArrayLike) -> TransferCost:
        """Δv [km/s]; details ``converged``, ``miss_km``, ``miss_km_s``, ``n_impulses``,
        ``two_impulse_dv_km_s``, ``revs``."""
        t0, t1 = as_times(t_depart_s, t_arrive_s)
        r0, v0 = (np.atleast_2d(x) for x in dep.state(t0))
        rt, vt = (np.atleast_2d(x) for x in arr.state(t1))
        n = max(r0.shape[0], rt.shape[0])
        r0, v0, rt, vt = (np.broadcast_to(x, (n, 3)) for x in (r0, v0, rt, vt))
        t0, t1 = np.broadcast_to(t0, (n,)), np.broadcast_to(t1, (n,))
        legs = [self.solve(r0[k], v0[k], rt[k], vt[k], t1[k] - t0[k]) for k in range(n)]
        ok = np.array([leg.converged for leg in legs])
        return TransferCost(
            np.array([leg.total_dv_km_s if leg.converged else np.inf for leg in legs]), ok, {
                "converged": ok,
                "miss_km": np.array([leg.miss_km for leg in legs]),
                "miss_km_s": np.array([leg.miss_km_s for leg in legs]),
                "n_impulses": np.array([leg.dv_km_s.shape[0] for leg in legs]),
                "two_impulse_dv_km_s": np.array([leg.two_impulse_dv_km_s for leg in legs]),
                "revs": np.array([leg.revs for leg in legs]),
            })

    # -- seeds and shooting ------------------------------------------------------------------
    def _seeds(self, r0: Array, v0: Array, rt: Array, vt: Array,
               tof: float) -> list[tuple[Array, int]]:
        prop = self.propagator
        el = state_to_elements(r0, v0, mu=prop.mu)
        raan_dot, argp_dot, m_dot = j2_secular_rates(el.a_km, el.e, el.i_rad, mu=prop.mu,
                                                     r_eq_km=prop.r_eq_km, j2=prop.j2)
        n = np.sqrt(prop.mu / el.a_km**3)
        h = np.cross(r0, v0)
        h /= np.linalg.norm(h)
        z = np.array([0.0, 0.0, 1.0])
        d_raan, d_u = float(raan_dot * tof), float((argp_dot + m_dot - n) * tof)
        rt2 = _rotate(_rotate(rt, z, -d_raan), h, -d_u)
        vt2 = _rotate(_rotate(vt, z, -d_raan), h, -d_u)
        n_nat = int(tof / (2 * np.pi / n))
        sol = lambert(r0, rt2, tof, prop.mu, min_revs=max(n_nat - self.rev_window, 0),
                      max_revs=n_nat + self.rev_window, h_ref=h)
        dv = (np.linalg.norm(sol.v1_km_s[0] - v0, axis=1)
              + np.linalg.norm(vt2 - sol.v2_km_s[0], axis=1))
        dv = np.where(sol.valid[0], dv, np.inf)
        order = [k for k in np.argsort(dv) if np.isfinite(dv[k])][: self.n_seeds]
        seeds = []
        for k in order:
            revs, right = int(sol.revs[0, k]), bool(sol.right_branch[0, k])
            v1 = self._reaim(r0, rt, rt2, tof, revs, right, h)
            if v1 is None:
                v1 = self._homotopy(r0, rt, tof, revs, right, h)
            if v1 is not None:
                seeds.append((v1, revs))
        return seeds

    def _homotopy(self, r0: Array, rt: Array, tof: float, revs: int, right: bool,
                  h: Array) -> Array | None:
        """Continuation in J2 from the exact two-body Lambert arc (J2 scaled 0 → 1), Newton with
        the STM at each stage, halving the stage on failure. Returns a departure velocity
        meeting r_T under full J2, or None."""
        prop = self.propagator
        sol = lambert(r0, rt, tof, prop.mu, min_revs=revs, max_revs=revs, h_ref=h)
        slot = (1 if right else 0) if revs > 0 else 0
        if not sol.valid[0, slot]:
            return None
        v1, s, ds = sol.v1_km_s[0, slot], 0.0, 0.25
        while s < 1.0 and ds > 1.0 / 64:
            s_new = min(1.0, s + ds)
            stage = J2Propagator(prop.mu, prop.r_eq_km, prop.j2 * s_new, prop.tol)
            v_try, _, ok = self._shoot(r0, v1, rt, tof, stage)
            if ok:
                v1, s = v_try, s_new
            else:
                ds /= 2
        return v1 if s >= 1.0 else None

    def _reaim(self, r0: Array, rt: Array, aim: Array, tof: float, revs: int, right: bool,
               h: Array) -> Array | None:
        """Fixed-point correction of a Lambert seed: re-aim the two-body arc (same N, branch)
        by the rotation and stretch that map its J2-propagated end point onto the target,
        until the J2 miss is below ``reaim_tol_km``. Returns the departure velocity."""
        for _ in range(self.max_reaim):
            sol = lambert(r0, aim, tof, self.propagator.mu, min_revs=revs, max_revs=revs,
                          h_ref=h)
            slot = (1 if right else 0) if revs > 0 else 0
            if not sol.valid[0, slot]:
                return None
            v1 = sol.v1_km_s[0, slot]
            rj, _ = self.propagator.propagate(r0, v1, tof)
            if np.linalg.norm(rt - rj) < self.reaim_tol_km:
                return v1
            axis = np.cross(rj, rt)
            sin_a = np.linalg.norm(axis)
            angle = np.arctan2(sin_a, rj @ rt)
            aim = _rotate(aim, axis / sin_a, angle) * (np.linalg.norm(rt) / np.linalg.norm(rj))
        return None

    def _shoot(self, r0: Array, v1: Array, rt: Array, tof: float,
               prop: J2Propagator | None = None) -> tuple[Array, Array, bool]:
        """Newton on the departure velocity; returns (v1, v(t1), converged)."""
        prop = prop or self.propagator
        for _ in range(self.max_newton):
            r, v, stm = prop.propagate_stm(r0, v1, tof)
            miss = rt - r
            if np.linalg.norm(miss) < self.newton_tol_km:
                return v1, v, True
            if not np.all(np.isfinite(stm)):
                break
            try:
                step = np.linalg.solve(stm[:3, 3:], miss)
            except np.linalg.LinAlgError:
                break
            size = np.linalg.norm(step)
            if size > 0.01:  # trust region [km/s]: over days the map is linear only nearby
                step *= 0.01 / size
            v1 = v1 + step
        return v1, v, False

    # -- mid-course optimisation -------------------------------------------------------------
    def _three_impulse(self, r0: Array, v0: Array, rt: Array, vt: Array, tof: float,
                       dv0: Array) -> tuple[Array, Array, float] | None:
        prop = self.propagator
        tm = 0.5 * tof
        cache: dict[bytes, tuple] = {}

        def segs(x: Array) -> tuple:
            key = x.tobytes()
            if key not in cache:
                cache.clear()
                rm, vm, p1 = prop.propagate_stm(r0, v0 + x[:3] * 1e-3, tm)
                rf, vf, p2 = prop.propagate_stm(rm, vm + x[3:] * 1e-3, tof - tm)
                cache[key] = (rf, vf, p2 @ p1[:, 3:] * 1e-3, p2[:, 3:] * 1e-3)
            return cache[key]

        eps = 1e-9  # [m/s]² smoothing of |Δv| at 0

        def objective(x: Array) -> tuple[float, Array]:
            _rf, vf, j0, jm = segs(x)
            dvf = vt - vf
            nf = np.linalg.norm(dvf)
            n0 = np.sqrt(x[:3] @ x[:3] + eps)
            nm = np.sqrt(x[3:] @ x[3:] + eps)
            grad = np.concatenate([x[:3] / n0, x[3:] / nm]) * 1e-3
            if nf > 0:
                grad -= (dvf / nf) @ np.hstack([j0[3:], jm[3:]])
            return float((n0 + nm) * 1e-3 + nf), grad

        def cons(x: Array) -> Array:
            return segs(x)[0] - rt

        def cons_jac(x: Array) -> Array:
            _, _, j0, jm = segs(x)
            return np.hstack([j0[:3], jm[:3]])

        x0 = np.concatenate([dv0 * 1e3, np.full(3, 1e-3)])
        try:
            res = minimize(objective, x0, jac=True, method="SLSQP",
                           constraints=[{"type": "eq", "fun": cons, "jac": cons_jac}],
                           options={"maxiter": 60, "ftol": 1e-10})
        except (ValueError, np.linalg.LinAlgError):
            return None
        dv0n, dvm = res.x[:3] * 1e-3, res.x[3:] * 1e-3
        # polish the constraint exactly with Newton on the mid-course impulse
        rm, vm = prop.propagate(r0, v0 + dv0n, tm)
        vm_new, vf, ok = self._shoot(rm, vm + dvm, rt, tof - tm)
        if not ok:
            return None
        dvm = vm_new - vm
        total = np.linalg.norm(dv0n) + np.linalg.norm(dvm) + np.linalg.norm(vt - vf)
        return dv0n, dvm, float(total)

    def solve(self, r0: Array, v0: Array, rt: Array, vt: Array, tof_s: float) -> RendezvousLeg:
        """Solve one leg: ship state (r0, v0) at t = 0, target state (rt, vt) at ``tof_s``."""
        r0, v0, rt, vt = (np.asarray(x, float) for x in (r0, v0, rt, vt))
        tof = float(tof_s)
        best: tuple[float, Array, Array, int] | None = None
        for v1_seed, revs in self._seeds(r0, v0, rt, vt, tof):
            v1, vf, ok = self._shoot(r0, v1_seed, rt, tof)
            if not ok:
                continue
            total = float(np.linalg.norm(v1 - v0) + np.linalg.norm(vt - vf))
            if best is None or total < best[0]:
                best = (total, v1 - v0, vt - vf, revs)
        if best is None:
            nan3 = np.full((2, 3), np.nan)
            return RendezvousLeg(np.array([0.0, tof]), nan3, np.inf, False, np.inf, np.inf,
                                 np.inf, -1)
        two_dv, dv0, dvf, revs = best
        times, impulses, total = np.array([0.0, tof]), np.stack([dv0, dvf]), two_dv
        if self.max_impulses >= 3:
            three = self._three_impulse(r0, v0, rt, vt, tof, dv0)
            if three is not None and three[2] < total:
                dv0n, dvm, total = three
                rm, vm = self.propagator.propagate(r0, v0 + dv0n, 0.5 * tof)
                _, vf = self.propagator.propagate(rm, vm + dvm, 0.5 * tof)
                times = np.array([0.0, 0.5 * tof, tof])
                impulses = np.stack([dv0n, dvm, vt - vf])
        miss_r, miss_v = self._verify(r0, v0, rt, vt, times, impulses)
        converged = miss_r <= POS_TOL_KM and miss_v <= VEL_TOL_KM_S
        return RendezvousLeg(times, impulses, float(np.linalg.norm(impulses, axis=1).sum()),
                             converged, miss_r, miss_v, two_dv, revs)

    def _verify(self, r0: Array, v0: Array, rt: Array, vt: Array, times: Array,
                impulses: Array) -> tuple[float, float]:
        """Re-integrate the impulse sequence with the plain integrator; arrival errors."""
        r, v = r0, v0
        for k in range(len(times) - 1):
            r, v = self.propagator.propagate(r, v + impulses[k], times[k + 1] - times[k])
        v = v + impulses[-1]
        return float(np.linalg.norm(r - rt)), float(np.linalg.norm(v - vt))
