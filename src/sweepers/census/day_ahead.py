"""The sweep's propagation pass: every object over the next day, summarised, plus a sky snapshot.

Propagates the whole catalog on a one-minute grid (SGP4/SDP4, TEME) in streamed chunks and keeps
only per-object summaries, so memory stays flat: geocentric altitude range over the day, how many
objects fail (decay or SGP4 errors) and when. The snapshot is the ground position of every object
at the start of the day (ITRS, geodetic latitude/longitude on WGS84), drawn as a world map.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import erfa
import numpy as np
from matplotlib.axes import Axes
from numpy.typing import NDArray

from sweepers.census import plots
from sweepers.census.model import Census, CensusObject
from sweepers.epochs import minute_grid
from sweepers.orbits.constants import R_EARTH_KM
from sweepers.orbits.frames import teme_to_itrs
from sweepers.orbits.sgp4_batch import Sgp4Status, iter_propagate, prepare

TYPE_COLOURS = {
    "DEBRIS": "#d62728",
    "ROCKET BODY": "#ff7f0e",
    "PAYLOAD": "#1f77b4",
    "UNKNOWN": "#7f7f7f",
    "NONE": "#bcbd22",
}


@dataclass(frozen=True)
class DayAhead:
    """What one day of propagation says about the catalog (all UTC, km)."""

    start: datetime
    minutes: int
    objects: int
    propagations: int  # objects × epochs evaluated
    ok_all_day: int  # objects with a valid state at every epoch
    failed: dict[str, int]  # first non-zero Sgp4Status name → number of objects
    decaying_ids: list[int]  # objects whose SGP4 says "decayed" within the day
    min_altitude_km: NDArray[np.float64] = field(repr=False)  # per object, NaN if never valid
    max_altitude_km: NDArray[np.float64] = field(repr=False)
    snapshot_lat_deg: NDArray[np.float64] = field(repr=False)  # geodetic, at ``start``
    snapshot_lon_deg: NDArray[np.float64] = field(repr=False)
    snapshot_alt_km: NDArray[np.float64] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no per-object arrays)."""
        return {
            "start": self.start.isoformat(),
            "minutes": self.minutes,
            "objects": self.objects,
            "propagations": self.propagations,
            "ok_all_day": self.ok_all_day,
            "failed": self.failed,
            "decaying_ids": self.decaying_ids,
        }


def propagate_day(
    objects: Sequence[CensusObject],
    start: datetime,
    *,
    minutes: int = 1440,
    progress: Callable[[int, int], None] | None = None,
) -> DayAhead:
    """Propagate every object at one-minute steps for ``minutes`` from ``start`` (tz-aware UTC).

    ``progress(done, total)`` is called after each chunk with object counts.
    """
    n = len(objects)
    grid = minute_grid(start, minutes)
    prepared = prepare([o.elements for o in objects])
    alt_min = np.full(n, np.nan)
    alt_max = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    h0 = np.full(n, np.nan)
    first_bad = np.zeros(n, dtype=np.int8)
    for eph in iter_propagate(prepared, grid, "teme"):
        rows = slice(eph.start, eph.start + eph.r.shape[0])
        radius = np.linalg.norm(eph.r, axis=-1)
        altitude = radius - R_EARTH_KM
        with np.errstate(all="ignore"):
            alt_min[rows] = np.fmin.reduce(altitude, axis=1, initial=np.inf)
            alt_max[rows] = np.fmax.reduce(altitude, axis=1, initial=-np.inf)
        bad = eph.status != 0
        has_bad = bad.any(axis=1)
        first_idx = np.argmax(bad, axis=1)
        first_bad[rows] = np.where(has_bad, eph.status[np.arange(bad.shape[0]), first_idx], 0)
        r_itrs, _ = teme_to_itrs(eph.r[:, :1], eph.v[:, :1], eph.jd[:1], eph.fr[:1])
        phi, lam, hgt = _geodetic(r_itrs[:, 0])
        lat[rows], lon[rows], h0[rows] = phi, lam, hgt
        if progress:
            progress(rows.stop, n)
    alt_min[~np.isfinite(alt_min)] = np.nan
    alt_max[~np.isfinite(alt_max)] = np.nan
    failed: dict[str, int] = {}
    for code in np.unique(first_bad[first_bad != 0]):
        failed[Sgp4Status(int(code)).name] = int(np.count_nonzero(first_bad == code))
    decaying = [
        o.norad_id for o, c in zip(objects, first_bad, strict=True) if c == Sgp4Status.DECAYED
    ]
    return DayAhead(
        start=start,
        minutes=minutes,
        objects=n,
        propagations=n * len(grid),
        ok_all_day=int(np.count_nonzero(first_bad == 0)),
        failed=failed,
        decaying_ids=decaying,
        min_altitude_km=alt_min,
        max_altitude_km=alt_max,
        snapshot_lat_deg=lat,
        snapshot_lon_deg=lon,
        snapshot_alt_km=h0,
    )


def _geodetic(r_itrs_km: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
    """ITRS positions [km] → WGS84 geodetic latitude [deg], longitude [deg], height [km]."""
    finite = np.all(np.isfinite(r_itrs_km), axis=-1)
    lat = np.full(len(r_itrs_km), np.nan)
    lon = lat.copy()
    h = lat.copy()
    if finite.any():
        elong, phi, height = erfa.gc2gd(1, r_itrs_km[finite] * 1000.0)  # WGS84, metres
        lon[finite] = np.degrees(elong)
        lat[finite] = np.degrees(phi)
        h[finite] = height / 1000.0
    return lat, lon, h


def snapshot_figure(census: Census, objects: Sequence[CensusObject], day: DayAhead) -> Any:
    """World map of every object's sub-satellite point at ``day.start``, coloured by type.

    Plate carrée (longitude/latitude in degrees), every object in one rasterised scatter; the
    GEO belt shows as the line along the equator.
    """
    fig = plots.new_figure(13.0, 6.2)
    ax: Axes = fig.add_subplot(1, 1, 1)
    types = np.array([o.object_type or "NONE" for o in objects])
    for kind, colour in TYPE_COLOURS.items():
        sel = (types == kind) & np.isfinite(day.snapshot_lat_deg)
        if not sel.any():
            continue
        ax.scatter(
            day.snapshot_lon_deg[sel],
            day.snapshot_lat_deg[sel],
            s=1.2,
            c=colour,
            alpha=0.6,
            linewidths=0,
            rasterized=True,
            label=f"{kind.lower()} ({int(sel.sum()):,})",
        )
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(np.arange(-180, 181, 30))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.set_xlabel("geodetic longitude [deg]")
    ax.set_ylabel("geodetic latitude [deg]")
    ax.set_aspect("equal")
    ax.grid(True, color="0.85", linewidth=0.6)
    ax.legend(loc="lower left", markerscale=6, fontsize=8, framealpha=0.9)
    ax.set_title(
        f"Where everything is at {day.start:%Y-%m-%d %H:%M} UTC "
        "(sub-satellite points, ITRS, no EOP)"
    )
    plots.footer(fig, plots.caption(census, "SGP4 → TEME → ITRS, WGS84 geodetic"))
    return fig


def snapshot_start(as_of: datetime) -> datetime:
    """The day-ahead window starts at ``as_of`` rounded down to the minute."""
    return as_of - timedelta(seconds=as_of.second, microseconds=as_of.microsecond)
