"""The salvage ship: start orbit, masses, engine, capacity, stay and time window; TOML loader.

Mass model (a salvage crew takes debris *down*, it does not collect them)::

    m = m_dry + m_propellant + n_kits · m_kit

The ship carries one de-orbit kit of fixed mass ``kit_mass_kg`` per planned target (GTOC9's
30 kg). At each target it rendezvouses, stays ``min_stay_days`` to attach the kit, and leaves the
kit (and the debris) behind: the ship gets lighter by ``kit_mass_kg`` per target. Every burn
burns propellant by the rocket equation m₁ = m₀ · exp(−|Δv| / (Isp · g₀)). The planner searches
with ``capacity`` kits on board (conservative: heavier than needed) and the plan it reports
carries exactly one kit per target reached.

TOML layout (every key optional; missing keys take the "Victory" defaults)::

    name = "Victory"
    dry_mass_kg = 2000.0
    propellant_kg = 1000.0
    isp_s = 320.0
    kit_mass_kg = 30.0
    capacity = 12                 # max number of targets (kits on board)
    min_stay_days = 2.0
    start = "2023-06-01T00:00:00" # UTC; absent: the catalog's latest element-set epoch
    months = 12.0
    [orbit]                       # either elements ...
    altitude_km = 780.0           # or a_km
    e = 0.0
    i_deg = "sso"                 # a number, or "sso" (Sun-synchronous for a, e)
    raan_deg = 0.0                # absent: launched into the plane of the best candidate
    argp_deg = 0.0
    mean_anomaly_deg = 0.0
    # ... or: from_norad_id = 25544  (start co-located with a catalogued object)

Units: kg, s, days, km, degrees in the TOML file; radians and seconds inside.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sweepers.epochs import DAY_S, as_utc, parse_epoch
from sweepers.errors import SweepersError
from sweepers.orbits.constants import J2_EARTH, MU_EARTH_KM3_S2, R_EARTH_KM

G0_M_S2 = 9.80665  # standard gravity [m/s²] (Isp convention)
TROPICAL_YEAR_S = 365.2422 * DAY_S
MONTH_DAYS = 365.25 / 12.0


class ShipError(SweepersError, ValueError):
    """A ship description that cannot be used (bad TOML, unknown key, impossible value)."""


def sso_inclination_rad(a_km: float, e: float = 0.0) -> float:
    """Inclination [rad] of a Sun-synchronous orbit of semi-major axis ``a_km`` [km], ``e``.

    First-order J2 nodal rate equal to the mean motion of the Sun (360° per tropical year):
    cos i = −Ω̇_sun / ((3/2) n J2 (R_e/p)²) (Vallado, *Fundamentals*, §9.6).
    """
    n = math.sqrt(MU_EARTH_KM3_S2 / a_km**3)
    p = a_km * (1.0 - e * e)
    cos_i = -(2.0 * math.pi / TROPICAL_YEAR_S) / (1.5 * n * J2_EARTH * (R_EARTH_KM / p) ** 2)
    if not -1.0 <= cos_i <= 1.0:
        raise ShipError(f"no Sun-synchronous orbit at a = {a_km:.1f} km")
    return math.acos(cos_i)


@dataclass(frozen=True, slots=True)
class StartOrbit:
    """Start orbit: mean elements at the window start (inertial, z = Earth's axis; beside
    catalogued targets the ship moves as a drag-free element set with these SGP4 mean elements,
    else their Keplerian conversion is its state — ``targets.start_ephemeris``), or
    ``from_norad_id``: the orbit of that catalogued object. ``raan_rad`` None: launched into the
    plane of the best-ranked candidate (the planner fills it in)."""

    a_km: float = R_EARTH_KM + 780.0
    e: float = 0.0
    i_rad: float | None = None  # None: Sun-synchronous for a, e
    raan_rad: float | None = None
    argp_rad: float = 0.0
    m_rad: float = 0.0
    from_norad_id: int | None = None

    @property
    def inclination_rad(self) -> float:
        """The inclination [rad] (Sun-synchronous when not given)."""
        return self.i_rad if self.i_rad is not None else sso_inclination_rad(self.a_km, self.e)


@dataclass(frozen=True, slots=True)
class Ship:
    """A salvage ship (module docstring for the mass model). Masses [kg], ``isp_s`` [s],
    ``min_stay_days`` and ``months`` of mission, ``start`` UTC (None: decided by the caller)."""

    name: str = "Victory"
    dry_mass_kg: float = 2000.0
    propellant_kg: float = 1000.0
    isp_s: float = 320.0
    kit_mass_kg: float = 30.0
    capacity: int = 12
    min_stay_days: float = 2.0
    months: float = 12.0
    start: datetime | None = None
    orbit: StartOrbit = field(default_factory=StartOrbit)

    def __post_init__(self) -> None:
        checks = {"dry_mass_kg": self.dry_mass_kg > 0, "propellant_kg": self.propellant_kg >= 0,
                  "isp_s": self.isp_s > 0, "kit_mass_kg": self.kit_mass_kg >= 0,
                  "capacity": self.capacity >= 1, "min_stay_days": self.min_stay_days >= 0,
                  "months": self.months > 0}
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise ShipError(f"ship {self.name!r}: invalid {', '.join(bad)}")

    @property
    def exhaust_velocity_km_s(self) -> float:
        """Effective exhaust velocity Isp · g₀ [km/s]."""
        return self.isp_s * G0_M_S2 / 1000.0

    @property
    def duration_s(self) -> float:
        """Length of the mission window [s] (a month is 365.25/12 days)."""
        return self.months * MONTH_DAYS * DAY_S

    def launch_mass_kg(self, n_kits: int | None = None) -> float:
        """Wet mass with ``n_kits`` kits (default ``capacity``) [kg]."""
        kits = self.capacity if n_kits is None else n_kits
        return self.dry_mass_kg + self.propellant_kg + kits * self.kit_mass_kg

    def with_(self, **changes: Any) -> Ship:
        """A copy with some fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


VICTORY = Ship()
"""The default ship "Victory": 780 km Sun-synchronous orbit, 2,000 kg dry, 1,000 kg propellant,
Isp 320 s, 12 kits of 30 kg, 2-day stays, 12 months."""

_SHIP_KEYS = {"name", "dry_mass_kg", "propellant_kg", "isp_s", "kit_mass_kg", "capacity",
              "min_stay_days", "months", "start", "orbit"}
_ORBIT_KEYS = {"altitude_km", "a_km", "e", "i_deg", "raan_deg", "argp_deg", "mean_anomaly_deg",
               "from_norad_id"}


def _utc(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):  # TOML datetimes arrive parsed
        return as_utc(value)
    if not isinstance(value, str | date):
        raise ShipError(f"{where}: start {value!r} is not an ISO 8601 date")
    try:
        return parse_epoch(str(value))
    except ValueError:
        raise ShipError(f"{where}: start {value!r} is not an ISO 8601 date") from None


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge integer"
    return text if len(text) <= 60 else text[:57] + "..."


def _number(table: dict[str, Any], key: str, default: float, where: str) -> float:
    """``table[key]`` as a finite float (TOML int or float, not a boolean), else ``default``."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ShipError(f"{where}: {key} must be a number, got {_short(value)}")
    number = float(value) if isinstance(value, float) or abs(value) < 2**1023 else math.inf
    if not math.isfinite(number):
        raise ShipError(f"{where}: {key} must be finite, got {_short(value)}")
    return number


def _integer(table: dict[str, Any], key: str, where: str) -> int:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShipError(f"{where}: {key} must be an integer, got {_short(value)}")
    return value


def _orbit(table: Any, where: str) -> StartOrbit:
    if not isinstance(table, dict):
        raise ShipError(f"{where}: orbit must be a table ([orbit]), got {table!r}")
    unknown = set(table) - _ORBIT_KEYS
    if unknown:
        raise ShipError(f"{where}: unknown [orbit] keys {sorted(unknown)}")
    where = f"{where}: [orbit]"
    if "from_norad_id" in table:
        return StartOrbit(from_norad_id=_integer(table, "from_norad_id", where))
    altitude = _number(table, "altitude_km", 780.0, where)
    a_km = _number(table, "a_km", R_EARTH_KM + altitude, where)
    inc = table.get("i_deg", "sso")
    sso = isinstance(inc, str) and inc.lower() == "sso"
    return StartOrbit(
        a_km=a_km, e=_number(table, "e", 0.0, where),
        i_rad=None if sso else math.radians(_number(table, "i_deg", 0.0, where)),
        raan_rad=(None if table.get("raan_deg") is None
                  else math.radians(_number(table, "raan_deg", 0.0, where))),
        argp_rad=math.radians(_number(table, "argp_deg", 0.0, where)),
        m_rad=math.radians(_number(table, "mean_anomaly_deg", 0.0, where)))


def ship_from_dict(data: dict[str, Any], where: str = "<ship>") -> Ship:
    """A :class:`Ship` from the TOML layout of the module docstring (defaults: Victory).

    Raises :class:`ShipError` naming the key for anything else: unknown keys, a value of the
    wrong type (numbers must be TOML numbers, finite; ``capacity`` an integer), bad dates.
    """
    unknown = set(data) - _SHIP_KEYS
    if unknown:
        raise ShipError(f"{where}: unknown keys {sorted(unknown)}")
    kw: dict[str, Any] = {}
    for key in ("dry_mass_kg", "propellant_kg", "isp_s", "kit_mass_kg", "min_stay_days",
                "months"):
        if key in data:
            kw[key] = _number(data, key, 0.0, where)
    if "capacity" in data:
        kw["capacity"] = _integer(data, "capacity", where)
    if "name" in data:
        kw["name"] = str(data["name"])
    if "start" in data:
        kw["start"] = _utc(data["start"], where)
    if "orbit" in data:
        kw["orbit"] = _orbit(data["orbit"], where)
    try:
        return Ship(**kw)
    except ShipError as exc:
        raise ShipError(f"{where}: {exc}") from None


def loads_ship(text: str, where: str = "<ship>") -> Ship:
    """A ship from TOML text (layout in the module docstring); :class:`ShipError` if unusable."""
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer beyond Python's 4300 digits
        raise ShipError(f"{where}: bad TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ShipError(f"{where}: bad TOML: arrays or tables nested too deep") from None
    return ship_from_dict(data, where)


def load_ship(path: str | Path) -> Ship:
    """Read a ship from a TOML file (layout in the module docstring)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ShipError(f"{p}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ShipError(f"{p}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    return loads_ship(text, str(p))
