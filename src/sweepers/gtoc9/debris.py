"""The 123 GTOC9 debris and their ephemeris, exactly as the Kelvins "Equations" page specifies.

Input: ``$SWEEPERS_DATA/gtoc9/debris.csv`` (see the README beside it): id, reference epoch t0
[MJD2000] and osculating Keplerian elements a [m], e, i, Ω0, ω0, M0 [rad] — column 7 is the *mean*
anomaly.

Ephemeris at epoch t [MJD2000]: with n = √(μ/a³) and p = a(1 − e²),

* Ω(t) = Ω0 + Ω̇ (t − t0), Ω̇ = −3/2 J2 (r_eq/p)² n cos i,
* ω(t) = ω0 + ω̇ (t − t0), ω̇ = 3/4 J2 (r_eq/p)² n (5 cos² i − 1),
* M(t) = M0 + n (t − t0); a, e, i stay fixed;

then Kepler's equation is solved and the elements are converted to position and velocity as in the
unperturbed Keplerian case (both by ``orbits.kepler``, in km, converted here). The velocity
contributions of Ω̇ and ω̇ are deliberately neglected (the competition's choice, so the ship must
match *this* velocity, not the true J2 one).

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
from sweepers.gtoc9.problem import M_PER_KM, MU_KM3_S2, R_EQ_KM
from sweepers.orbits.kepler import elements_to_state, j2_secular_rates

_COLUMNS = ("id", "epoch_mjd2000", "a_m", "e", "i_rad", "raan_rad", "argp_rad", "M_rad")


def default_debris_path() -> Path:
    """``$SWEEPERS_DATA/gtoc9/debris.csv``."""
    return data_dir() / "gtoc9" / "debris.csv"


@dataclass(frozen=True)
class DebrisSet:
    """Reference elements of the debris, one entry per debris, indexed by debris id (0..n−1);
    every attribute is an array of shape ``(n,)``."""

    epoch_mjd2000: NDArray[np.float64]
    """Reference epoch t0 of the elements [MJD2000]."""
    a_m: NDArray[np.float64]
    """Semi-major axis [m] (fixed)."""
    e: NDArray[np.float64]
    """Eccentricity [-] (fixed)."""
    i_rad: NDArray[np.float64]
    """Inclination [rad] (fixed)."""
    raan_rad: NDArray[np.float64]
    """Right ascension of the ascending node Ω0 at t0 [rad]."""
    argp_rad: NDArray[np.float64]
    """Argument of pericentre ω0 at t0 [rad]."""
    mean_anomaly_rad: NDArray[np.float64]
    """Mean anomaly M0 at t0 [rad]."""

    def __len__(self) -> int:
        return int(self.a_m.shape[0])

    def _rates(self) -> tuple[NDArray[np.float64], ...]:
        """(Ω̇, ω̇, Ṁ = n) [rad/s] of each debris (``orbits.kepler.j2_secular_rates`` with
        GTOC9's constants and its convention Ṁ = n)."""
        return j2_secular_rates(
            self.a_m / M_PER_KM,
            self.e,
            self.i_rad,
            mu=MU_KM3_S2,
            r_eq_km=R_EQ_KM,
            j2=rules.J2,
            mean_anomaly_j2=False,
        )

    def mean_motion_rad_s(self) -> NDArray[np.float64]:
        """Keplerian mean motion n = √(μ/a³) [rad/s], shape ``(n,)``."""
        return self._rates()[2]

    def secular_rates_rad_s(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """J2 secular rates (Ω̇, ω̇) [rad/s] of each debris, each of shape ``(n,)``."""
        raan_dot, argp_dot, _ = self._rates()
        return raan_dot, argp_dot

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
        raan_dot, argp_dot, mean_motion = self._rates()
        return (
            self.a_m[idx],
            self.e[idx],
            self.i_rad[idx],
            self.raan_rad[idx] + raan_dot[idx] * dt_s,
            self.argp_rad[idx] + argp_dot[idx] * dt_s,
            self.mean_anomaly_rad[idx] + mean_motion[idx] * dt_s,
        )

    def states(
        self, ids: ArrayLike, epochs_mjd2000: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Position [m] and velocity [m/s] of debris ``ids`` at ``epochs_mjd2000`` [MJD2000].

        ``ids`` and epochs broadcast to a common shape ``S``; returns two arrays of shape
        ``S + (3,)``. Raises ``IndexError`` for an id outside ``0..len(self)−1``.
        """
        r_km, v_km_s = self.states_km(ids, epochs_mjd2000)
        return r_km * M_PER_KM, v_km_s * M_PER_KM

    def states_km(
        self, ids: ArrayLike, epochs_mjd2000: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """:meth:`states` in the engine's units: position [km], velocity [km/s]."""
        idx = np.asarray(ids)
        if idx.size and (np.min(idx) < 0 or np.max(idx) >= len(self)):
            raise IndexError(f"debris id outside 0..{len(self) - 1}")
        a_m, e, inc, raan, argp, mean_anomaly = self.elements(ids, epochs_mjd2000)
        return elements_to_state(
            a_m / M_PER_KM, e, inc, raan, argp, mean_anomaly, anomaly="mean", mu=MU_KM3_S2
        )


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
