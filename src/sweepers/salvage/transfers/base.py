"""The transfer-cost protocol and its result. Units: km, km/s, s, rad; inertial frame.

A *transfer-cost model* has one mandatory method, :meth:`TransferCostModel.cost`, vectorised over
``n`` (from, to, depart, arrive) tuples. Orbits are given as *ephemerides*: anything with
``state(t_s) -> (r_km, v_km_s)`` that returns, for object ``k``, its state at ``t_s[k]`` — a
:class:`sweepers.orbits.kepler.SecularJ2Ephemeris` (GTOC9 debris, Kepler + J2 secular), an SGP4
element set wrapper, or a single fixed trajectory. Times are seconds on one scale shared by the
ephemerides and the caller (e.g. seconds since MJD2000).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


@runtime_checkable
class TargetEphemeris(Protocol):
    """Where objects are: ``state(t_s)`` → position [km], velocity [km/s], each ``(n, 3)``."""

    def state(self, t_s: ArrayLike) -> tuple[Array, Array]:
        """State of object ``k`` at ``t_s[k]`` [s] (inertial, z = Earth's axis)."""
        ...


@dataclass(frozen=True, slots=True)
class TransferCost:
    """Costs of ``n`` transfers.

    ``dv_km_s`` total impulsive Δv [km/s] (``inf`` where no transfer was found); ``ok`` marks
    transfers the model could evaluate; ``details`` holds model-specific ``(n, ...)`` arrays
    (documented by each model).
    """

    dv_km_s: Array
    ok: NDArray[np.bool_]
    details: dict[str, NDArray] = field(default_factory=dict)


@runtime_checkable
class TransferCostModel(Protocol):
    """A transfer-cost model: one method, vectorised over ``n`` transfers."""

    def cost(self, dep: TargetEphemeris, arr: TargetEphemeris, t_depart_s: ArrayLike,
             t_arrive_s: ArrayLike) -> TransferCost:
        """Δv to leave ``dep`` at ``t_depart_s[k]`` and match ``arr`` at ``t_arrive_s[k]``."""
        ...


def as_times(t_depart_s: ArrayLike, t_arrive_s: ArrayLike) -> tuple[Array, Array]:
    """Broadcast departure and arrival times [s] to two 1-D float arrays of one length."""
    t0, t1 = np.broadcast_arrays(np.atleast_1d(np.asarray(t_depart_s, float)),
                                 np.atleast_1d(np.asarray(t_arrive_s, float)))
    return t0.copy(), t1.copy()
