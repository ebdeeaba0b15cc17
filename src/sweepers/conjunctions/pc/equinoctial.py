"""Equinoctial orbital elements and their two-body Jacobians, vectorised, SI units.

Elements ``E = [n, af, ag, chi, psi, lam]`` (Broucke & Cefola 1972, prograde form, retrograde
factor +1), the set CARA's ``Pc3D_Hall`` works in:

* ``n`` mean motion [rad/s]; ``af = e cos(w + W)``, ``ag = e sin(w + W)``;
* ``chi = tan(i/2) sin W``, ``psi = tan(i/2) cos W``; ``lam = M + w + W`` mean longitude [rad].

They are regular for circular and equatorial orbits and singular only at i = 180 deg (callers
reorient the frame there). Under two-body motion only ``lam`` changes, ``lam(t) = lam0 + n t``,
so the state-transition map ``E0 -> X(t)`` is ``cartesian(E0 + [0,0,0,0,0,n t])``.

Jacobians ``dX(t)/dE0`` are computed by complex-step differentiation (Squire & Trapp 1998):
the element-to-state map is analytic (Kepler's equation is solved by Newton iteration in complex
arithmetic), so one evaluation per column gives derivatives exact to rounding — no step-size
trade-off as with finite differences.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sweepers.orbits.constants import MU_EARTH_M3_S2

_CSTEP = 1e-30  # complex-step size (any tiny value: no subtractive cancellation)


def to_cartesian(e: NDArray, mu: float = MU_EARTH_M3_S2) -> NDArray:
    """Position/velocity ``(..., 6)`` [m, m/s] from elements ``(..., 6)``; complex-safe."""
    n, af, ag, chi, psi, lam = (e[..., k] for k in range(6))
    a = np.cbrt(mu / n**2) if not np.iscomplexobj(e) else (mu / n**2) ** (1.0 / 3.0)
    # Kepler's equation in eccentric longitude F: lam = F + ag cos F - af sin F
    f = lam.copy()
    for _ in range(60):
        s, c = np.sin(f), np.cos(f)
        step = (f + ag * c - af * s - lam) / (1.0 - ag * s - af * c)
        f = f - step / np.maximum(1.0, np.abs(step.real))  # damped: no divergence as e -> 1
        if np.all(np.abs(step.real) < 1e-15):
            break
    s, c = np.sin(f), np.cos(f)
    b = 1.0 / (1.0 + np.sqrt(1.0 - af**2 - ag**2))
    x1 = a * ((1.0 - ag**2 * b) * c + af * ag * b * s - af)
    y1 = a * ((1.0 - af**2 * b) * s + af * ag * b * c - ag)
    r = a * (1.0 - af * c - ag * s)
    k = n * a**2 / r
    xd = k * (af * ag * b * c - (1.0 - ag**2 * b) * s)
    yd = k * ((1.0 - af**2 * b) * c - af * ag * b * s)
    fhat, ghat = _basis(chi, psi)
    pos = x1[..., None] * fhat + y1[..., None] * ghat
    vel = xd[..., None] * fhat + yd[..., None] * ghat
    return np.concatenate([pos, vel], axis=-1)


def _basis(chi: NDArray, psi: NDArray) -> tuple[NDArray, NDArray]:
    """In-plane equinoctial unit vectors f, g ``(..., 3)`` (retrograde factor +1)."""
    d = 1.0 + chi**2 + psi**2
    fhat = np.stack([1.0 - chi**2 + psi**2, 2.0 * chi * psi, -2.0 * chi], axis=-1) / d[..., None]
    ghat = np.stack([2.0 * chi * psi, 1.0 + chi**2 - psi**2, 2.0 * psi], axis=-1) / d[..., None]
    return fhat, ghat


def from_cartesian(x: NDArray, mu: float = MU_EARTH_M3_S2) -> NDArray:
    """Elements ``(..., 6)`` from position/velocity ``(..., 6)`` [m, m/s] (real input).

    Unbound states (``a <= 0``) give NaN elements.
    """
    x = np.asarray(x, float)
    r, v = x[..., :3], x[..., 3:]
    rn = np.linalg.norm(r, axis=-1)
    vv = np.einsum("...i,...i->...", v, v)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = 1.0 / (2.0 / rn - vv / mu)
        n = np.sqrt(mu / a**3)
        h = np.cross(r, v)
        w = h / np.linalg.norm(h, axis=-1, keepdims=True)
        chi = w[..., 0] / (1.0 + w[..., 2])
        psi = -w[..., 1] / (1.0 + w[..., 2])
        fhat, ghat = _basis(chi, psi)
        evec = np.cross(v, h) / mu - r / rn[..., None]
        af = np.einsum("...i,...i->...", evec, fhat)
        ag = np.einsum("...i,...i->...", evec, ghat)
        x1 = np.einsum("...i,...i->...", r, fhat)
        y1 = np.einsum("...i,...i->...", r, ghat)
        b = 1.0 / (1.0 + np.sqrt(1.0 - af**2 - ag**2))
        root = a * np.sqrt(1.0 - af**2 - ag**2)
        sin_f = ag + ((1.0 - ag**2 * b) * y1 - af * ag * b * x1) / root
        cos_f = af + ((1.0 - af**2 * b) * x1 - af * ag * b * y1) / root
        f = np.arctan2(sin_f, cos_f)
        lam = np.mod(f + ag * cos_f - af * sin_f, 2.0 * np.pi)
    e = np.stack([n, af, ag, chi, psi, lam], axis=-1)
    return np.where((a > 0)[..., None], e, np.nan)


def propagate_elements(e0: NDArray, dt_s: NDArray | float) -> NDArray:
    """Two-body elements ``dt_s`` after ``e0``: only the mean longitude advances (``n dt``)."""
    e = np.array(e0, dtype=np.result_type(e0, float), copy=True)
    e[..., 5] = e[..., 5] + e[..., 0] * dt_s
    return e


def state_and_jacobian(e0: NDArray, dt_s: NDArray | float,
                       mu: float = MU_EARTH_M3_S2) -> tuple[NDArray, NDArray]:
    """State ``X(t0 + dt)`` ``(..., 6)`` and Jacobian ``dX(t0 + dt)/dE0`` ``(..., 6, 6)``.

    ``e0`` (..., 6) and ``dt_s`` broadcast; derivatives by complex step (module docstring).
    """
    e0 = np.asarray(e0, float)
    dt = np.asarray(dt_s, float)
    shape = np.broadcast_shapes(e0.shape[:-1], dt.shape)
    e0 = np.broadcast_to(e0, (*shape, 6))
    dt = np.broadcast_to(dt, shape)
    pert = np.broadcast_to(e0[..., None, :], (*shape, 6, 6)).astype(complex)
    pert = pert + 1j * _CSTEP * np.eye(6)
    xs = to_cartesian(propagate_elements(pert, dt[..., None]), mu)  # (..., 6 columns, 6 comps)
    jac = np.swapaxes(xs.imag / _CSTEP, -1, -2)
    state = xs[..., 0, :].real
    return state, jac


def cartesian_jacobian(x: NDArray, mu: float = MU_EARTH_M3_S2) -> tuple[NDArray, NDArray]:
    """Elements ``E`` of state ``x`` [m, m/s] and ``dX/dE`` at that point ``(..., 6, 6)``."""
    e = from_cartesian(x, mu)
    _, jac = state_and_jacobian(e, 0.0, mu)
    return e, jac


# CARA's remedy for the i = 180 deg singularity: permute the inertial axes (x,y,z) -> (y,z,x)
REORIENT_3 = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
REORIENT_6 = np.kron(np.eye(2), REORIENT_3)


def is_retrograde(x: NDArray, eps: float = 1e-6) -> bool:
    """True when state ``x`` (6,) is within ``eps`` of i = 180 deg (``1 + cos i < eps``)."""
    h = np.cross(x[:3], x[3:])
    return bool(1.0 + h[2] / np.linalg.norm(h) < eps)


def covariance(x: NDArray, cov: NDArray, mu: float = MU_EARTH_M3_S2) -> tuple[NDArray, NDArray]:
    """Elements ``E`` of state ``x`` and the element covariance ``K P K'`` (``K = dE/dX``)."""
    e, jac = cartesian_jacobian(x, mu)
    k = np.linalg.inv(jac)
    q = k @ (0.5 * (cov + cov.T)) @ k.T
    return e, 0.5 * (q + q.T)


def sample_states(x: NDArray, cov: NDArray, z: NDArray, *, reorient: bool = False,
                  mu: float = MU_EARTH_M3_S2) -> NDArray:
    """Cartesian states (n, 6) whose equinoctial elements are Gaussian (CARA's MC sampling).

    ``x`` (6,) and ``cov`` (6, 6) [m, m/s] define the element distribution ``N(E(x), K P K')``
    (the linear map of the Cartesian covariance); ``z`` (n, 6) are standard normal draws.
    ``reorient`` samples in the axis-permuted frame (retrograde orbits) and rotates back.
    Negative element-covariance eigenvalues are clipped to 0.
    """
    m6 = REORIENT_6 if reorient else np.eye(6)
    e, q = covariance(m6 @ x, m6 @ cov @ m6.T, mu)
    lam, vec = np.linalg.eigh(q)
    samples = e + z @ (vec * np.sqrt(np.maximum(lam, 0.0))).T
    return to_cartesian(samples, mu) @ m6
