"""The 123 GTOC9 debris and their ephemeris, exactly as the Kelvins "Equations" page specifies.

Input: ``$SWEEPERS_DATA/gtoc9/debris.csv`` (see the README beside it): id, reference epoch t0
[MJD2000] and osculating Keplerian elements a [m], e, i, Ω0, ω0, M0 [rad] — column 7 is the *mean*
anomaly.

Ephemeris at epoch t [MJD2000]: with n = √(μ/a³) and p = a(1 − e²),

* Ω(t) = Ω0 + Ω̇ (t − t0), Ω̇ = −3/2 J2 (r_eq/p)² n cos i,
* ω(t) = ω0 + ω̇ (t − t0), ω̇ = 3/4 J2 (r_eq/p)² n (5 cos² i − 1),
* M(t) = M0 + n (t − t0); a, e, i stay fixed;

then Kepler's equation is solved and the elements are converted to position and velocity as in the
unperturbed Keplerian case. The velocity contributions of Ω̇ and ω̇ are deliberately neglected
(the competition's choice, so the ship must match *this* velocity, not the true J2 one).

Frame: the Earth-centred inertial frame of the competition. Units: m, m/s, MJD2000 (days).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.config import data_dir
from sweepers.errors import FormatError, NotFoundError
from sweepers.gtoc9 import rules

_COLUMNS = ("id", "epoch_mjd2000", "a_m", "e", "i_rad", "raan_rad", "argp_rad", "M_rad")


def default_debris_path() -> Path:
    """``$SWEEPERS_DATA/gtoc9/debris.csv``."""
    return data_dir() / "gtoc9" / "debris.csv"


@dataclass(frozen=True)
class DebrisSet:
    """Reference elements of the debris, one entry per debris, indexed by debris id (0..n−1).

    Attributes are arrays of shape ``(n,)``: ``epoch_mjd2000`` [MJD2000], ``a_m`` [m], ``e`` [-],
    ``i_rad``, ``raan_rad``, ``argp_rad``, ``mean_anomaly_rad`` [rad].
    """

    epoch_mjd2000: NDArray[np.float64]
    a_m: NDArray[np.float64]
    e: NDArray[np.float64]
    i_rad: NDArray[np.float64]
    raan_rad: NDArray[np.float64]
    argp_rad: NDArray[np.float64]
    mean_anomaly_rad: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.a_m.shape[0])

    def mean_motion_rad_s(self) -> NDArray[np.float64]:
        """Keplerian mean motion n = √(μ/a³) [rad/s], shape ``(n,)``."""
        return np.sqrt(rules.MU_M3_S2 / self.a_m**3)

    def secular_rates_rad_s(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """J2 secular rates (Ω̇, ω̇) [rad/s] of each debris, each of shape ``(n,)``."""
        raan_dot = j2_node_rate_rad_s(self.a_m, self.e, self.i_rad)
        cos_i = np.cos(self.i_rad)
        # ω̇ = −(1/2)(5 cos² i − 1) Ω̇ / cos i = (3/4) n J2 (R/p)² (5 cos² i − 1)
        k = rules.J2 * (rules.R_EQ_M / (self.a_m * (1.0 - self.e**2))) ** 2
        return raan_dot, 0.75 * k * self.mean_motion_rad_s() * (5.0 * cos_i**2 - 1.0)

    def elements(
        self, ids: ArrayLike, epochs_mjd2000: ArrayLike
    ) -> tuple[NDArray[np.float64], ...]:
        """Osculating (a [m], e, i, Ω, ω, M [rad]) of debris ``ids`` at ``epochs_mjd2000``.

        ``ids`` and ``epochs_mjd2000`` broadcast against each other (e.g. ``ids[:, None]`` and
        ``t[None, :]`` give an ``n_objects × n_times`` grid); M is not wrapped.
        """
        idx = np.asarray(ids, dtype=np.intp)
        t = np.asarray(epochs_mjd2000, dtype=np.float64)
        idx, t = np.broadcast_arrays(idx, t)
        dt_s = (t - self.epoch_mjd2000[idx]) * rules.DAY_S
        raan_dot, argp_dot = self.secular_rates_rad_s()
        return (
            self.a_m[idx],
            self.e[idx],
            self.i_rad[idx],
            self.raan_rad[idx] + raan_dot[idx] * dt_s,
            self.argp_rad[idx] + argp_dot[idx] * dt_s,
            self.mean_anomaly_rad[idx] + self.mean_motion_rad_s()[idx] * dt_s,
        )

    def states(
        self, ids: ArrayLike, epochs_mjd2000: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Position [m] and velocity [m/s] of debris ``ids`` at ``epochs_mjd2000`` [MJD2000].

        ``ids`` and epochs broadcast to a common shape ``S``; returns two arrays of shape
        ``S + (3,)``. Raises ``IndexError`` for an id outside ``0..len(self)−1``.
        """
        idx = np.asarray(ids)
        if idx.size and (np.min(idx) < 0 or np.max(idx) >= len(self)):
            raise IndexError(f"debris id outside 0..{len(self) - 1}")
        return keplerian_to_cartesian(*self.elements(ids, epochs_mjd2000))


def j2_node_rate_rad_s(a_m: ArrayLike, e: ArrayLike, inc_rad: ArrayLike) -> NDArray[np.float64]:
    """Secular J2 node rate Ω̇ = −(3/2) n J2 (R_eq/p)² cos i [rad/s] of orbits (a [m], e, i [rad])
    (Vallado, Fundamentals of Astrodynamics and Applications, 4th ed., eq. 9-41); broadcasts."""
    a = np.asarray(a_m, dtype=float)
    p = a * (1.0 - np.asarray(e, dtype=float) ** 2)
    n = np.sqrt(rules.MU_M3_S2 / a**3)
    return -1.5 * n * rules.J2 * (rules.R_EQ_M / p) ** 2 * np.cos(inc_rad)


def solve_kepler(mean_anomaly_rad: ArrayLike, e: ArrayLike) -> NDArray[np.float64]:
    """Eccentric anomaly E [rad] with E − e sin E = M, for elliptic orbits (0 ≤ e < 1), vectorised.

    Newton's method from E = M + e sin M (quadratic convergence; e < 0.02 here needs 3–4 steps);
    iterates until every correction is below 1e-15 rad.
    """
    m = np.remainder(np.asarray(mean_anomaly_rad, dtype=np.float64), 2.0 * np.pi)
    ecc = np.asarray(e, dtype=np.float64)
    ecc_anomaly = m + ecc * np.sin(m)
    for _ in range(50):
        step = (ecc_anomaly - ecc * np.sin(ecc_anomaly) - m) / (1.0 - ecc * np.cos(ecc_anomaly))
        ecc_anomaly = ecc_anomaly - step
        if np.all(np.abs(step) < 1e-15):
            break
    return ecc_anomaly


def keplerian_to_cartesian(
    a_m: ArrayLike,
    e: ArrayLike,
    i_rad: ArrayLike,
    raan_rad: ArrayLike,
    argp_rad: ArrayLike,
    mean_anomaly_rad: ArrayLike,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Elliptic Keplerian elements → position [m], velocity [m/s] (shape ``S + (3,)``), GTOC9 μ."""
    a, ecc, inc, raan, argp = (
        np.asarray(x, dtype=np.float64) for x in (a_m, e, i_rad, raan_rad, argp_rad)
    )
    ecc_anomaly = solve_kepler(mean_anomaly_rad, ecc)
    cos_e, sin_e = np.cos(ecc_anomaly), np.sin(ecc_anomaly)
    sqrt_1me2 = np.sqrt(1.0 - ecc**2)
    # perifocal coordinates
    x_p = a * (cos_e - ecc)
    y_p = a * sqrt_1me2 * sin_e
    r = a * (1.0 - ecc * cos_e)
    v_scale = np.sqrt(rules.MU_M3_S2 * a) / r
    vx_p = -v_scale * sin_e
    vy_p = v_scale * sqrt_1me2 * cos_e
    cw, sw = np.cos(argp), np.sin(argp)
    co, so = np.cos(raan), np.sin(raan)
    ci, si = np.cos(inc), np.sin(inc)
    # columns of the perifocal → inertial rotation R3(−Ω) R1(−i) R3(−ω)
    p_hat = np.stack([co * cw - so * sw * ci, so * cw + co * sw * ci, sw * si], axis=-1)
    q_hat = np.stack([-co * sw - so * cw * ci, -so * sw + co * cw * ci, cw * si], axis=-1)
    pos = x_p[..., None] * p_hat + y_p[..., None] * q_hat
    vel = vx_p[..., None] * p_hat + vy_p[..., None] * q_hat
    return pos, vel


def load_debris(path: Path | str | None = None) -> DebrisSet:
    """Read ``debris.csv`` (header + one row per debris, ids 0..n−1 in any order).

    ``path`` defaults to :func:`default_debris_path`. Raises :class:`NotFoundError` if the file is
    missing and :class:`FormatError` (with the line number) if a row is malformed or ids are not
    exactly 0..n−1 — the checker cannot work from a partial debris table.
    """
    csv_path = Path(path) if path is not None else default_debris_path()
    if not csv_path.is_file():
        raise NotFoundError(f"GTOC9 debris file not found: {csv_path} (set SWEEPERS_DATA)")
    rows: dict[int, list[float]] = {}
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != _COLUMNS:
            raise FormatError(f"{csv_path}:1: expected header {','.join(_COLUMNS)}")
        for row in reader:
            line = reader.line_num
            if not row or not "".join(row).strip():
                continue
            try:
                debris_id = int(row[0])
                values = [float(x) for x in row[1:]]
            except (ValueError, IndexError) as exc:
                raise FormatError(f"{csv_path}:{line}: {exc}") from None
            if len(values) != len(_COLUMNS) - 1 or not np.all(np.isfinite(values)):
                raise FormatError(f"{csv_path}:{line}: expected {len(_COLUMNS)} finite numbers")
            if debris_id in rows:
                raise FormatError(f"{csv_path}:{line}: duplicate debris id {debris_id}")
            rows[debris_id] = values
    if sorted(rows) != list(range(len(rows))) or not rows:
        raise FormatError(f"{csv_path}: debris ids must be exactly 0..n-1")
    table = np.array([rows[k] for k in range(len(rows))], dtype=np.float64)
    return DebrisSet(*(np.ascontiguousarray(table[:, j]) for j in range(table.shape[1])))
