"""The checker's own integrator: the ship's equations of motion between two events, Keplerian
gravity plus J2 (Kelvins "Equations" page), heyoka's Taylor method; osculating pericentre.

Private to ``check``: the solver propagates with ``sweepers.orbits.j2`` (km), and an oracle must
not share the solver's code; ``tests/gtoc9/test_engine_vs_checker.py`` shows the two agree to
~1e-4 m over 30 days on the debris orbits.

    ẍ = −μx/r³ [1 + 3/2 J2 (r_eq/r)² (1 − 5z²/r²)],   ÿ likewise,
    z̈ = −μz/r³ [1 + 3/2 J2 (r_eq/r)² (3 − 5z²/r²)].

States are 6-vectors ``(x, y, z, vx, vy, vz)`` in m and m/s, inertial frame; time spans in seconds.

Accuracy (measured by ``tests/gtoc9/test_check_dynamics.py``): over a 30-day LEO arc, heyoka with
tol = 1e-15 and with tol = machine epsilon agree to ~1e-4 m, and agree with an independent scipy
DOP853 integration (rtol 1e-13) to well under a metre — far below the 100 m tolerance of the rules.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from sweepers.gtoc9 import rules

DEFAULT_TOL = 1e-15
"""Default relative tolerance of the Taylor integrator."""


def j2_acceleration(position_m: ArrayLike) -> NDArray[np.float64]:
    """Gravity + J2 acceleration [m/s²] at ``position_m`` [m] (shape ``(..., 3)``), vectorised."""
    pos = np.asarray(position_m, dtype=np.float64)
    r2 = np.sum(pos * pos, axis=-1)
    r = np.sqrt(r2)
    k = 1.5 * rules.J2 * rules.R_EQ_M**2 / r2
    zz = pos[..., 2] ** 2 / r2
    f = -rules.MU_M3_S2 / (r2 * r)
    acc = np.empty_like(pos)
    acc[..., 0] = f * pos[..., 0] * (1.0 + k * (1.0 - 5.0 * zz))
    acc[..., 1] = f * pos[..., 1] * (1.0 + k * (1.0 - 5.0 * zz))
    acc[..., 2] = f * pos[..., 2] * (1.0 + k * (3.0 - 5.0 * zz))
    return acc


@functools.lru_cache(maxsize=4)
def _taylor_integrator(tol: float) -> Any:
    """A heyoka ``taylor_adaptive`` for the J2 system, JIT-compiled once per tolerance."""
    import heyoka as hy  # heavy import (LLVM), only when a propagation is needed

    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    r2 = x * x + y * y + z * z
    k = 1.5 * rules.J2 * rules.R_EQ_M**2 / r2
    zz = z * z / r2
    f = -rules.MU_M3_S2 / (r2 * hy.sqrt(r2))
    system = [
        (x, vx),
        (y, vy),
        (z, vz),
        (vx, f * x * (1.0 + k * (1.0 - 5.0 * zz))),
        (vy, f * y * (1.0 + k * (1.0 - 5.0 * zz))),
        (vz, f * z * (1.0 + k * (3.0 - 5.0 * zz))),
    ]
    return hy.taylor_adaptive(system, [7.0e6, 0.0, 0.0, 0.0, 7.5e3, 0.0], tol=tol)


class PropagationError(RuntimeError):
    """The integrator stopped before the requested time (e.g. the orbit hit the origin)."""


def integrate_j2(state: ArrayLike, tof_s: float, *,
                 tol: float = DEFAULT_TOL) -> NDArray[np.float64]:
    """Propagate one state [m, m/s] by ``tof_s`` seconds (may be negative) under J2; heyoka Taylor.

    Raises :class:`PropagationError` if the integration does not reach the final time.
    """
    s0 = np.asarray(state, dtype=np.float64).reshape(6)
    if tof_s == 0.0:
        return s0.copy()
    ta = _taylor_integrator(float(tol))
    ta.time = 0.0
    ta.state[:] = s0
    outcome = ta.propagate_until(float(tof_s))[0]
    if "time_limit" not in str(outcome) or not np.all(np.isfinite(ta.state)):
        raise PropagationError(f"J2 propagation stopped early: {outcome}")
    return np.array(ta.state, dtype=np.float64)


def propagate_dop853(
    state: ArrayLike, tof_s: float, *, rtol: float = 1e-13, atol_m: float = 1e-6
) -> NDArray[np.float64]:
    """Same as :func:`integrate_j2` with scipy's DOP853 — an independent reference integrator.

    ``atol_m`` applies to positions [m]; velocities get ``atol_m`` × 1e-3 [m/s].
    """
    s0 = np.asarray(state, dtype=np.float64).reshape(6)
    if tof_s == 0.0:
        return s0.copy()

    def rhs(_t: float, s: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.concatenate([s[3:], j2_acceleration(s[:3])])

    atol = np.array([atol_m] * 3 + [atol_m * 1e-3] * 3)
    sol = solve_ivp(rhs, (0.0, float(tof_s)), s0, method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:
        raise PropagationError(f"DOP853 failed: {sol.message}")
    return np.asarray(sol.y[:, -1], dtype=np.float64)


def pericentre_radius_m(position_m: ArrayLike, velocity_m_s: ArrayLike) -> NDArray[np.float64]:
    """Osculating pericentre radius r_p = h² / (μ (1 + e)) [m], vectorised over ``(..., 3)``.

    Valid for every conic (elliptic, parabolic, hyperbolic); 0 for a rectilinear orbit.
    """
    r = np.asarray(position_m, dtype=np.float64)
    v = np.asarray(velocity_m_s, dtype=np.float64)
    h = np.cross(r, v)
    h2 = np.sum(h * h, axis=-1)
    r_norm = np.linalg.norm(r, axis=-1)
    e_vec = np.cross(v, h) / rules.MU_M3_S2 - r / r_norm[..., None]
    ecc = np.linalg.norm(e_vec, axis=-1)
    return h2 / (rules.MU_M3_S2 * (1.0 + ecc))
