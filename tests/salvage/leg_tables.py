"""Made-up leg-cost tables C[i, j, day] for the planning engine's tests (and the synthetic cases
of ``benchmarks/search_parity.py``): random prices with cheap days sprinkled in, the one recipe
of ``tests/salvage/test_engine_search.py`` (km/s) and ``tests/gtoc9/test_solve_milp.py`` (m/s)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def random_leg_table(
    seed: int,
    n: int,
    days: int,
    dear: tuple[float, float],
    cheap: tuple[float, float],
    cheap_share: float,
) -> NDArray[np.float32]:
    """C[i, j, day] of ``n`` targets over ``days`` grid days: every leg drawn uniformly in
    ``dear`` (low, high), then a share ``cheap_share`` of them (drawn at random) redrawn in
    ``cheap``; the diagonal (i → i) is ``inf``. Units are those of the bounds (km/s or m/s).
    Deterministic for a ``seed`` (``numpy.random.default_rng``)."""
    rng = np.random.default_rng(seed)
    table = rng.uniform(*dear, size=(n, n, days)).astype(np.float32)
    is_cheap = rng.random((n, n, days)) < cheap_share
    table[is_cheap] = rng.uniform(*cheap, size=int(is_cheap.sum()))
    table[np.arange(n), np.arange(n)] = np.inf
    return table
