"""Full J2 dynamics (the GTOC9 model) integrated with heyoka's Taylor method. km, km/s, s.

Equations of motion (GTOC9 problem statement; the gradient of the J2 zonal potential):
    ẍ = −μx/r³ [1 + (3/2) J2 (R_e/r)² (1 − 5z²/r²)],   ÿ likewise,
    z̈ = −μz/r³ [1 + (3/2) J2 (R_e/r)² (3 − 5z²/r²)],
in an inertial frame whose z axis is the Earth's rotation axis. The field is conservative and
axisymmetric, so the energy :func:`j2_energy` and the angular-momentum component h_z are constants
of motion (used to check accuracy).

μ, R_e and J2 are runtime parameters of one compiled integrator (heyoka ``par[0..2]``), so every
constant set shares the JIT compilation (a few seconds, once per process and tolerance). The state
transition matrix comes from heyoka's first-order variational equations (``var_ode_sys``).
"""

from __future__ import annotations

import threading
from functools import cache

import heyoka as hy
import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.orbits.constants import J2_EARTH, MU_EARTH_KM3_S2, R_EARTH_KM

Array = NDArray[np.float64]

DEFAULT_TOL = 1e-15


def j2_acceleration(r_km: ArrayLike, mu: float = MU_EARTH_KM3_S2,
                    r_eq_km: float = R_EARTH_KM, j2: float = J2_EARTH) -> Array:
    """Two-body + J2 acceleration [km/s²] at positions ``(..., 3)`` [km] (NumPy)."""
    r = np.asarray(r_km, float)
    r2 = np.einsum("...i,...i->...", r, r)
    rn = np.sqrt(r2)
    zz = r[..., 2] ** 2 / r2
    k = 1.5 * j2 * r_eq_km**2 / r2
    common = -mu / (r2 * rn)
    fxy = common * (1.0 + k * (1.0 - 5.0 * zz))
    fz = common * (1.0 + k * (3.0 - 5.0 * zz))
    return np.stack([fxy * r[..., 0], fxy * r[..., 1], fz * r[..., 2]], axis=-1)


def j2_energy(r_km: ArrayLike, v_km_s: ArrayLike, mu: float = MU_EARTH_KM3_S2,
              r_eq_km: float = R_EARTH_KM, j2: float = J2_EARTH) -> Array:
    """Specific energy [km²/s²]: v²/2 − μ/r + μ J2 R_e² (3z²/r² − 1) / (2r³), conserved by J2."""
    r = np.asarray(r_km, float)
    v = np.asarray(v_km_s, float)
    r2 = np.einsum("...i,...i->...", r, r)
    rn = np.sqrt(r2)
    pot = -mu / rn + mu * j2 * r_eq_km**2 * (3.0 * r[..., 2] ** 2 / r2 - 1.0) / (2.0 * r2 * rn)
    return 0.5 * np.einsum("...i,...i->...", v, v) + pot


def _equations() -> list[tuple[hy.expression, hy.expression]]:
    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    mu, r_eq, j2 = hy.par[0], hy.par[1], hy.par[2]
    r2 = x * x + y * y + z * z
    zz = z * z / r2
    k = 1.5 * j2 * r_eq * r_eq / r2
    common = -mu * r2 ** (-1.5)
    fxy = common * (1.0 + k * (1.0 - 5.0 * zz))
    fz = common * (1.0 + k * (3.0 - 5.0 * zz))
    return [(x, vx), (y, vy), (z, vz), (vx, fxy * x), (vy, fxy * y), (vz, fz * z)]


_LOCK = threading.Lock()


@cache
def _integrator(tol: float, variational: bool) -> hy.taylor_adaptive:
    sys = _equations()
    if variational:
        sys = hy.var_ode_sys(sys, hy.var_args.vars, order=1)
    # compact mode: the 42-equation variational system compiles in ~1 s instead of ~8 s,
    # at the same run time (measured)
    return hy.taylor_adaptive(sys, [7000.0, 0.0, 0.0, 0.0, 7.5, 0.0], tol=tol,
                              pars=[MU_EARTH_KM3_S2, R_EARTH_KM, J2_EARTH],
                              compact_mode=variational)


@cache
def _batch_integrator(tol: float, size: int) -> hy.taylor_adaptive_batch:
    state = np.tile(np.array([[7000.0], [0.0], [0.0], [0.0], [7.5], [0.0]]), (1, size))
    pars = np.tile(np.array([[MU_EARTH_KM3_S2], [R_EARTH_KM], [J2_EARTH]]), (1, size))
    return hy.taylor_adaptive_batch(_equations(), state, tol=tol, pars=pars)


class PropagationError(RuntimeError):
    """The integrator stopped before the requested time (e.g. the orbit hit the origin)."""


class ShootingError(RuntimeError):
    """Shooting did not bring the J2 trajectory to the target position within tolerance."""


class J2Propagator:
    """Propagator for the full J2 field (GTOC9 equations), heyoka Taylor integration.

    ``tol`` is heyoka's relative-and-absolute error tolerance per step (1e-15 ≈ double
    precision). Instances are cheap; compiled integrators are shared per tolerance.
    Not re-entrant across threads for the same tolerance (calls are serialised by a lock).
    """

    def __init__(self, mu: float = MU_EARTH_KM3_S2, r_eq_km: float = R_EARTH_KM,
                 j2: float = J2_EARTH, tol: float = DEFAULT_TOL) -> None:
        self.mu, self.r_eq_km, self.j2, self.tol = mu, r_eq_km, j2, tol

    def _pars(self) -> list[float]:
        return [self.mu, self.r_eq_km, self.j2]

    def propagate(self, r0_km: ArrayLike, v0_km_s: ArrayLike,
                  tof_s: ArrayLike) -> tuple[Array, Array]:
        """Propagate ``n`` states ``(n, 3)`` (or one ``(3,)``) each by its own ``tof_s`` [s].

        Uses heyoka's SIMD batch mode. Returns position [km] and velocity [km/s], same shape as
        the input. Negative times propagate backwards.
        """
        r0 = np.asarray(r0_km, float)
        single = r0.ndim == 1
        r0 = np.atleast_2d(r0)
        v0 = np.atleast_2d(np.asarray(v0_km_s, float))
        n = max(r0.shape[0], v0.shape[0])
        tof = np.broadcast_to(np.asarray(tof_s, float), (n,))
        r0 = np.broadcast_to(r0, (n, 3))
        v0 = np.broadcast_to(v0, (n, 3))
        size = hy.recommended_simd_size()
        out = np.empty((n, 6))
        with _LOCK:
            ta = _batch_integrator(self.tol, size)
            ta.pars[:] = np.tile(np.array(self._pars())[:, None], (1, size))
            for start in range(0, n, size):
                idx = np.arange(start, min(start + size, n))
                pad = np.concatenate([idx, np.full(size - idx.size, idx[-1])])
                ta.set_time(np.zeros(size))
                ta.state[:] = np.concatenate([r0[pad], v0[pad]], axis=1).T
                ta.propagate_until(tof[pad])
                out[idx] = ta.state.T[: idx.size]
        if single:
            return out[0, :3], out[0, 3:]
        return out[:, :3], out[:, 3:]

    def propagate_state(self, r0_km: ArrayLike, v0_km_s: ArrayLike,
                        tof_s: float) -> tuple[Array, Array]:
        """One state ``(3,)`` by ``tof_s`` [s] (may be negative), checked: raises
        :class:`PropagationError` when the integration stops early or leaves finite numbers.

        Returns position [km] and velocity [km/s]; ``tof_s == 0`` returns copies of the input.
        """
        r0 = np.asarray(r0_km, float).reshape(3)
        v0 = np.asarray(v0_km_s, float).reshape(3)
        if tof_s == 0.0:
            return r0.copy(), v0.copy()
        with _LOCK:
            ta = _integrator(self.tol, False)
            ta.pars[:] = self._pars()
            ta.time = 0.0
            ta.state[:] = np.concatenate([r0, v0])
            outcome = ta.propagate_until(float(tof_s))[0]
            st = ta.state.copy()
        if outcome != hy.taylor_outcome.time_limit or not np.all(np.isfinite(st)):
            raise PropagationError(f"J2 propagation stopped early: {outcome}")
        return st[:3], st[3:]

    def propagate_grid(self, r0_km: ArrayLike, v0_km_s: ArrayLike,
                       t_grid_s: ArrayLike) -> tuple[Array, Array]:
        """One state at t = 0 to each time of ``t_grid_s`` [s] (ascending, first ≥ 0).

        Returns positions ``(m, 3)`` [km] and velocities ``(m, 3)`` [km/s] (dense output).
        """
        grid = np.asarray(t_grid_s, float)
        with _LOCK:
            ta = _integrator(self.tol, False)
            ta.pars[:] = self._pars()
            ta.time = 0.0
            ta.state[:] = np.concatenate([np.asarray(r0_km, float), np.asarray(v0_km_s, float)])
            res = ta.propagate_grid(grid)
            states = np.array(res[-1])
        return states[:, :3], states[:, 3:]

    def propagate_stm(self, r0_km: ArrayLike, v0_km_s: ArrayLike,
                      tof_s: float) -> tuple[Array, Array, Array]:
        """Propagate one state by ``tof_s`` [s] with its 6×6 state-transition matrix.

        Returns ``(r [km], v [km/s], stm)`` with ``stm[i, j] = ∂y_i(t) / ∂y_j(0)``,
        ``y = (x, y, z, vx, vy, vz)``.
        """
        with _LOCK:
            ta = _integrator(self.tol, True)
            ta.pars[:] = self._pars()
            ta.time = 0.0
            ta.state[:6] = np.concatenate([np.asarray(r0_km, float),
                                           np.asarray(v0_km_s, float)])
            ta.state[6:] = np.eye(6).ravel()
            ta.propagate_until(float(tof_s))
            st = ta.state.copy()
        return st[:3], st[3:6], st[6:].reshape(6, 6)


FD_STEP_KM_S = 1e-6
"""Velocity step of the finite-difference Jacobian in :func:`shoot` [km/s] (1 mm/s: the position
response, ~tof × step, is far above the integrator's noise)."""


def shoot(propagator: J2Propagator, r1_km: ArrayLike, v1_guess_km_s: ArrayLike,
          r2_km: ArrayLike, tof_s: float, *, tol_km: float = 1e-7, max_iter: int = 30,
          damped: bool = False) -> tuple[Array, Array, Array]:
    """Departure velocity [km/s] whose J2 trajectory from ``r1_km`` reaches ``r2_km`` after
    ``tof_s`` [s]: Newton on the velocity with a forward-difference Jacobian of the propagated
    position (the nominal and the three perturbed arcs integrated together in heyoka's batch mode).

    ``damped=False``: plain Newton steps, up to ``max_iter`` iterations. ``damped=True``:
    Levenberg–Marquardt steps (damping 1e-7 of the largest singular value) with up to 12
    halvings until the miss shrinks, which survives the near-singular Jacobian of
    multi-revolution arcs whose transfer angle is close to kπ; stops when no halving helps.
    Returns ``(v1 [km/s], r(tof) [km], v(tof) [km/s])``; raises :class:`ShootingError` when the
    miss is not below ``tol_km`` [km], :class:`PropagationError` when an arc fails.
    """
    r1 = np.asarray(r1_km, float).reshape(3)
    target = np.asarray(r2_km, float).reshape(3)
    v1 = np.asarray(v1_guess_km_s, float).reshape(3).copy()
    r_end, v_end = propagator.propagate_state(r1, v1, tof_s)
    miss = r_end - target
    for _ in range(max_iter):
        norm = float(np.linalg.norm(miss))
        if norm < tol_km:
            return v1, r_end, v_end
        trial_v = np.vstack([v1, v1 + FD_STEP_KM_S * np.eye(3)])
        r_b, v_b = propagator.propagate(np.broadcast_to(r1, (4, 3)), trial_v, tof_s)
        if not (np.all(np.isfinite(r_b)) and np.all(np.isfinite(v_b))):
            raise PropagationError("J2 propagation of the shooting arcs left finite numbers")
        jac = (r_b[1:] - r_b[0]).T / FD_STEP_KM_S
        if not damped:
            v1 = v1 - np.linalg.solve(jac, miss)
            r_end, v_end = propagator.propagate_state(r1, v1, tof_s)
            miss = r_end - target
            continue
        u, sv, vt = np.linalg.svd(jac)
        damping = 1e-7 * sv[0]
        delta = -vt.T @ ((sv / (sv**2 + damping**2)) * (u.T @ miss))
        for _ in range(12):
            r_t, v_t = propagator.propagate_state(r1, v1 + delta, tof_s)
            if np.linalg.norm(r_t - target) < norm:
                v1, r_end, v_end, miss = v1 + delta, r_t, v_t, r_t - target
                break
            delta *= 0.5
        else:
            break
    if float(np.linalg.norm(miss)) < tol_km:
        return v1, r_end, v_end
    raise ShootingError(f"J2 shooting did not converge (miss {np.linalg.norm(miss):.3g} km)")
