"""Structured outcome of a collision-probability evaluation."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from sweepers.errors import SweepersError


class PcInputError(SweepersError):
    """Inputs a Pc method cannot use at all (wrong shapes, 3x3 covariance for a 6x6 method)."""


class PcMethod(enum.Enum):
    """Which estimator produced a :class:`PcResult`."""

    AUTO = "auto"  # request only: 2D unless its usage is violated, then Monte Carlo
    FOSTER_2D = "foster-2d"  # exact short-encounter disc integral (Foster & Estes 1992)
    CARA_GC64 = "cara-gc64"  # same integral, CARA PcCircle's 64-node Gauss-Chebyshev rule
    SQUARE_2D = "square-2d"  # square of half-side HBR (Alfano 2005 erf product)
    SQUARE_EQUAL_AREA_2D = "square-equal-area-2d"  # square with area pi*HBR^2
    HALL_3D = "hall-3d"  # Hall (2021) 3D-Nc: curvilinear two-body collision-rate integral
    MONTE_CARLO = "monte-carlo"  # two-body Monte Carlo, minimum distance within a time window
    ALFANO_MAX = "alfano-max"  # maximum 2D Pc over the covariance scale (Alfano 2005)


@dataclass(frozen=True, slots=True)
class PcResult:
    """Collision probability and what it rests on.

    Lengths are metres when the inputs are metres (the CDM/CARA convention); the 2D methods are
    unit-agnostic as long as positions, covariances and HBR share one length unit.

    ``pc`` is NaN when the probability is undefined (then ``reason`` says why). ``log_pc`` is the
    natural log of ``pc``, finite even where ``pc`` underflows to 0 (2D methods only).
    ``ci95`` is the Clopper-Pearson 95% interval of a Monte Carlo estimate (None otherwise).
    ``usage_violation`` is True when the short-encounter (2D) assumptions are judged invalid;
    ``notes`` collects remediations and warnings in plain words.
    """

    pc: float
    method: PcMethod
    miss_m: float = math.nan
    hbr_m: float = math.nan
    relative_speed_m_s: float = math.nan
    log_pc: float = math.nan
    abs_error: float = math.nan  # quadrature error estimate (2D) or MC standard error
    ci95: tuple[float, float] | None = None
    hits: int | None = None
    trials: int | None = None
    sigma_major_m: float = math.nan  # projected (encounter-plane) 1-sigma semi-axes
    sigma_minor_m: float = math.nan
    covariance_remediated: bool = False
    usage_violation: bool | None = None
    reason: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
