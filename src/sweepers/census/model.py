"""The census itself: plain inputs (:class:`CensusObject`) in, a JSON-ready :class:`Census` out.

Everything here is a pure function of its arguments; the store, the CLI and the report writer
build on it. Counts are exact integers; ages are in days relative to the caller's ``as_of``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.census.geometry import FloatArray, OrbitGeometry, orbit_geometry
from sweepers.census.regimes import REGIME_NAMES, Regime, classify
from sweepers.epochs import DAY_S
from sweepers.records import ElementSet, SatcatEntry

NONE_LABEL = "NONE"  # object type / RCS size absent (not in SATCAT, or the field is empty)
OBJECT_TYPES = ("PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN")
RCS_SIZES = ("SMALL", "MEDIUM", "LARGE")

# Element-set age bins [days], lower bound inclusive; "future" holds epochs after ``as_of``.
AGE_BINS_DAYS: tuple[tuple[str, float, float], ...] = (
    ("<1d", 0.0, 1.0),
    ("1-3d", 1.0, 3.0),
    ("3-7d", 3.0, 7.0),
    ("7-30d", 7.0, 30.0),
    (">30d", 30.0, math.inf),
)
FUTURE_AGE_LABEL = "future"

# The big fragmentation clouds, by the name prefix Space-Track gives their pieces.
DEBRIS_CLOUDS: dict[str, str] = {
    "FENGYUN 1C DEB": "Chinese ASAT test, 2007-01-11",
    "COSMOS 2251 DEB": "collision with Iridium 33, 2009-02-10",
    "IRIDIUM 33 DEB": "collision with Cosmos 2251, 2009-02-10",
    "COSMOS 1408 DEB": "Russian ASAT test, 2021-11-15",
}

LEO_BAND_WIDTH_KM = 50.0
LEO_BAND_TOP_KM = 2000.0


@dataclass(frozen=True, slots=True)
class CensusObject:
    """One catalogued object as the census sees it: identity, SATCAT class, latest elements."""

    norad_id: int
    name: str | None
    object_type: str | None  # PAYLOAD | ROCKET BODY | DEBRIS | UNKNOWN | None
    rcs_size: str | None  # SMALL | MEDIUM | LARGE | None
    elements: ElementSet

    @classmethod
    def from_records(cls, elements: ElementSet, satcat: SatcatEntry | None = None) -> CensusObject:
        """Join an element set with its SATCAT row (if any); the name prefers the element set's."""
        name = elements.object_name or (satcat.object_name if satcat else None)
        return cls(
            norad_id=elements.norad_id,
            name=name,
            object_type=satcat.object_type if satcat else None,
            rcs_size=satcat.rcs_size if satcat else None,
            elements=elements,
        )


@dataclass(frozen=True, slots=True)
class CensusTable:
    """Per-object columns the census and its plots are computed from (structure of arrays)."""

    geometry: OrbitGeometry
    regime: NDArray[np.str_]  # ESA class code per object
    object_type: NDArray[np.str_]  # normalised label, NONE_LABEL when absent
    rcs_size: NDArray[np.str_]
    age_days: FloatArray  # as_of − epoch [days]; negative for epochs after as_of
    names: list[str]

    def __len__(self) -> int:
        return len(self.geometry)


@dataclass(frozen=True, slots=True)
class AltitudeBand:
    """A LEO mean-altitude band [km, km) and how many LEO objects fly in it."""

    lower_km: float
    upper_km: float
    count: int


@dataclass(frozen=True)
class Census:
    """Counts of the catalogue as of one instant. All dicts keep a fixed, meaningful key order."""

    as_of: datetime
    total: int
    source: str
    epoch_oldest: datetime | None
    epoch_newest: datetime | None
    epoch_median: datetime | None
    by_type: dict[str, int]
    by_regime: dict[str, int]
    by_rcs: dict[str, int]
    by_age: dict[str, int]
    regime_by_type: dict[str, dict[str, int]]  # regime code → object type → count
    leo_bands: list[AltitudeBand]  # 50 km mean-altitude bands 0–2,000 km, LEO class only
    debris_clouds: dict[str, int]  # name prefix → count
    invalid_elements: int  # element sets whose orbit could not be sized (counted as UFO)
    notes: list[str] = field(default_factory=list)

    @property
    def densest_leo_band(self) -> AltitudeBand | None:
        """The most populated 50 km LEO band (the lower one on a tie), None if LEO is empty."""
        best = max(self.leo_bands, key=lambda b: b.count, default=None)
        return best if best is not None and best.count > 0 else None

    def share(self, count: int) -> float:
        """``count / total`` as a fraction (0 for an empty census)."""
        return count / self.total if self.total else 0.0

    def percent(self, count: int) -> str:
        """``count`` as a share of the total for tables: ``"81.5%"``, ``"<0.1%"`` for slivers."""
        share = 100.0 * self.share(count)
        return "<0.1%" if 0.0 < share < 0.05 else f"{share:.1f}%"

    def notable_facts(self) -> list[str]:
        """A few sentences for people (terminal and summary.md)."""
        facts: list[str] = []
        leo = self.by_regime.get(Regime.LEO, 0)
        facts.append(
            f"{leo:,} of {self.total:,} objects ({self.share(leo):.0%}) are in LEO "
            "(perigee and apogee below 2,000 km)."
        )
        debris = self.by_type.get("DEBRIS", 0)
        if debris:
            facts.append(f"{debris:,} objects ({self.share(debris):.0%}) are catalogued debris.")
        band = self.densest_leo_band
        if band is not None:
            facts.append(
                f"Most crowded 50 km LEO band: {band.lower_km:,.0f}–{band.upper_km:,.0f} km "
                f"mean altitude, {band.count:,} objects."
            )
        clouds = sum(self.debris_clouds.values())
        if clouds:
            facts.append(
                f"{clouds:,} objects ({self.share(clouds):.0%}) are pieces of the "
                f"{len(DEBRIS_CLOUDS)} big fragmentation clouds."
            )
        stale = self.by_age.get(">30d", 0)
        if stale:
            facts.append(f"{stale:,} element sets are more than 30 days old at the census date.")
        if self.invalid_elements:
            facts.append(f"{self.invalid_elements:,} element sets have unusable elements.")
        return facts + list(self.notes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable view (datetimes as ISO 8601 UTC strings)."""

        def iso(t: datetime | None) -> str | None:
            return None if t is None else t.isoformat().replace("+00:00", "Z")

        return {
            "as_of": iso(self.as_of),
            "total": self.total,
            "source": self.source,
            "epoch": {
                "oldest": iso(self.epoch_oldest),
                "median": iso(self.epoch_median),
                "newest": iso(self.epoch_newest),
            },
            "by_object_type": dict(self.by_type),
            "by_regime": dict(self.by_regime),
            "regime_names": {r.value: REGIME_NAMES[r] for r in Regime},
            "by_rcs_size": dict(self.by_rcs),
            "by_element_set_age": dict(self.by_age),
            "regime_by_object_type": {k: dict(v) for k, v in self.regime_by_type.items()},
            "leo_mean_altitude_bands_50km": [
                {"from_km": b.lower_km, "to_km": b.upper_km, "count": b.count}
                for b in self.leo_bands
            ],
            "debris_clouds": dict(self.debris_clouds),
            "invalid_elements": self.invalid_elements,
            "notable_facts": self.notable_facts(),
        }


def _label(value: str | None) -> str:
    text = (value or "").strip().upper()
    return text or NONE_LABEL


def _ordered_counts(values: Iterable[str], fixed: Sequence[str]) -> dict[str, int]:
    """Counts with the ``fixed`` keys first (zeros kept), others sorted, NONE last."""
    counts = Counter(values)
    extra = sorted(k for k in counts if k not in fixed and k != NONE_LABEL)
    return {k: counts.get(k, 0) for k in (*fixed, *extra, NONE_LABEL)}


def _check_utc(as_of: datetime) -> None:
    if as_of.tzinfo is None or as_of.utcoffset() != timedelta(0):
        raise ValueError(f"as_of must be a timezone-aware UTC datetime, got {as_of!r}")


def catalog_date(objects: Sequence[CensusObject]) -> datetime:
    """The date of a catalogue snapshot: midnight UTC ending the day most epochs fall on.

    Not the newest epoch: a few deep-space sets are issued with epochs days *after* the
    download (the 2023-10 Space-Track file has IMP-8 at 2023-10-18 while 82 % of its epochs are
    on 2023-10-09), so the maximum would age the whole catalogue by a week.
    """
    if not objects:
        raise ValueError("an empty catalogue has no date")
    days = Counter(o.elements.epoch.astimezone(UTC).date() for o in objects)
    modal_day = max(days, key=lambda d: (days[d], d))
    return datetime.combine(modal_day, time(), tzinfo=UTC) + timedelta(days=1)


def tabulate(objects: Sequence[CensusObject], as_of: datetime) -> CensusTable:
    """Per-object columns: orbit geometry, ESA regime, labels, element-set age at ``as_of``."""
    _check_utc(as_of)
    geometry = orbit_geometry([o.elements for o in objects])
    ages = np.fromiter(
        ((as_of - o.elements.epoch).total_seconds() / DAY_S for o in objects),
        np.float64,
        len(objects),
    )
    return CensusTable(
        geometry=geometry,
        regime=classify(geometry),
        object_type=np.array([_label(o.object_type) for o in objects], dtype=np.str_),
        rcs_size=np.array([_label(o.rcs_size) for o in objects], dtype=np.str_),
        age_days=ages,
        names=[(o.name or o.elements.object_name or "").strip().upper() for o in objects],
    )


def _age_counts(age_days: FloatArray) -> dict[str, int]:
    counts = {
        label: int(np.count_nonzero((age_days >= lo) & (age_days < hi)))
        for label, lo, hi in AGE_BINS_DAYS
    }
    counts[FUTURE_AGE_LABEL] = int(np.count_nonzero(age_days < 0.0))
    return counts


def _leo_bands(table: CensusTable) -> list[AltitudeBand]:
    alt = table.geometry.mean_alt_km[table.regime == Regime.LEO.value]
    edges = np.arange(0.0, LEO_BAND_TOP_KM + LEO_BAND_WIDTH_KM, LEO_BAND_WIDTH_KM)
    # A decaying object below 0 km mean altitude is counted in the lowest band.
    counts, _ = np.histogram(np.clip(alt, 0.0, LEO_BAND_TOP_KM - 1e-9), bins=edges)
    return [
        AltitudeBand(float(lo), float(hi), int(c))
        for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def _cloud_counts(names: Sequence[str]) -> dict[str, int]:
    normalised = [" ".join(n.split()) for n in names]
    return {prefix: sum(1 for n in normalised if n.startswith(prefix)) for prefix in DEBRIS_CLOUDS}


def compute_from_table(
    table: CensusTable,
    as_of: datetime,
    epochs: Sequence[datetime],
    *,
    source: str = "Space-Track.org",
) -> Census:
    """:func:`compute` on an already tabulated catalogue (the report writer reuses the table)."""
    by_type = _ordered_counts(table.object_type.tolist(), OBJECT_TYPES)
    regimes = [r.value for r in Regime]
    type_keys = list(by_type)
    crosstab = Counter(zip(table.regime.tolist(), table.object_type.tolist(), strict=True))
    regime_counts = [sum(crosstab.get((r, t), 0) for t in type_keys) for r in regimes]
    ordered = sorted(epochs)
    return Census(
        as_of=as_of,
        total=len(table),
        source=source,
        epoch_oldest=ordered[0] if ordered else None,
        epoch_newest=ordered[-1] if ordered else None,
        epoch_median=ordered[(len(ordered) - 1) // 2] if ordered else None,
        by_type=by_type,
        by_regime={r: n for r, n in zip(regimes, regime_counts, strict=True)},
        by_rcs=_ordered_counts(table.rcs_size.tolist(), RCS_SIZES),
        by_age=_age_counts(table.age_days),
        regime_by_type={r: {t: crosstab.get((r, t), 0) for t in type_keys} for r in regimes},
        leo_bands=_leo_bands(table),
        debris_clouds=_cloud_counts(table.names),
        invalid_elements=int(np.count_nonzero(~np.isfinite(table.geometry.sma_km))),
    )


def compute(
    objects: Sequence[CensusObject], as_of: datetime, *, source: str = "Space-Track.org"
) -> Census:
    """Census of ``objects`` as of ``as_of`` (tz-aware UTC; ages are ``as_of − epoch``).

    ``source`` names the data provider for captions ("data: Space-Track.org via sweepers").
    """
    table = tabulate(objects, as_of)
    return compute_from_table(table, as_of, [o.elements.epoch for o in objects], source=source)
