"""Vectorised two-body (Kepler) propagation for Monte Carlo samples, SI units.

Elliptic orbits only (bound debris). Lagrange f and g coefficients in terms of the eccentric
anomaly change; Kepler's equation ``E - e sin E = M`` solved by Newton iteration from Danby's
starter ``E0 = M + 0.85 e sign(sin M)``, which converges for every ``e < 1``.
Samples that are not bound (``a <= 0`` or ``e >= 1``) come back as NaN.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sweepers.orbits.constants import MU_EARTH_M3_S2  # EGM-96 / WGS-84 GM, as CARA's two-body MC


def propagate_samples(r0: NDArray[np.float64], v0: NDArray[np.float64],
                      dt_s: NDArray[np.float64] | float,
              mu: float = MU_EARTH_M3_S2) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Propagate states ``(..., 3)`` by ``dt_s`` (broadcast against ``r0[..., 0]``).

    Returns position [m] and velocity [m/s] with the broadcast shape ``(..., 3)``.
    """
    r0 = np.asarray(r0, float)
    v0 = np.asarray(v0, float)
    dt = np.asarray(dt_s, float)
    rn = np.linalg.norm(r0, axis=-1)
    vv = np.einsum("...i,...i->...", v0, v0)
    rv = np.einsum("...i,...i->...", r0, v0)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = 2.0 / rn - vv / mu  # 1/a
        a = 1.0 / alpha
        sqrt_a = np.sqrt(a)
        n = np.sqrt(mu * alpha**3)
        ecos = 1.0 - rn * alpha
        esin = rv / np.sqrt(mu * a)
        e = np.hypot(ecos, esin)
        e0 = np.arctan2(esin, ecos)
        m1 = e0 - esin + n * dt
        m1 = np.remainder(m1 + np.pi, 2.0 * np.pi) - np.pi  # reduce; only dE mod 2pi matters
        ecc = np.broadcast_to(e, m1.shape)
        big_e = m1 + 0.85 * ecc * np.sign(np.sin(m1))
        for _ in range(30):
            f = big_e - ecc * np.sin(big_e) - m1
            step = f / (1.0 - ecc * np.cos(big_e))
            big_e = big_e - step
            if np.all(np.abs(step) < 1e-14):
                break
        d_e = big_e - e0
        # n*dt - (dE - sin dE)/n must use the unreduced dE: restore the full revolutions
        full = n * dt - (d_e - ecos * np.sin(d_e) + esin * (1.0 - np.cos(d_e)))
        d_e = d_e + 2.0 * np.pi * np.round(full / (2.0 * np.pi))
        s, c = np.sin(d_e), np.cos(d_e)
        r_new = a + (rn - a) * c + rv / np.sqrt(mu) * sqrt_a * s
        f_ = 1.0 - a / rn * (1.0 - c)
        g_ = dt - (d_e - s) / n
        fd = -np.sqrt(mu * a) / (r_new * rn) * s
        gd = 1.0 - a / r_new * (1.0 - c)
    bad = ~((alpha > 0) & (e < 1.0))
    r = f_[..., None] * r0 + g_[..., None] * v0
    v = fd[..., None] * r0 + gd[..., None] * v0
    if np.any(bad):
        r = np.where(bad[..., None], np.nan, r)
        v = np.where(bad[..., None], np.nan, v)
    return r, v


def acceleration(r: NDArray[np.float64], mu: float = MU_EARTH_M3_S2) -> NDArray[np.float64]:
    """Two-body acceleration [m/s^2] at positions ``(..., 3)`` [m]."""
    rn = np.linalg.norm(r, axis=-1, keepdims=True)
    return -mu * r / rn**3
