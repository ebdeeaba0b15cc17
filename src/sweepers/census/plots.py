"""Report figures, drawn with matplotlib's object API on the Agg canvas (no display, no pyplot).

Each ``*_figure`` function returns a :class:`matplotlib.figure.Figure`; :func:`png_bytes` renders
it. Scatter layers are rasterised so 26,000 points cost milliseconds, not a vector path each.
Altitudes are above the WGS72 equatorial radius [km]; periods are ``1440 / n`` [min].
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from sweepers.census.model import AGE_BINS_DAYS, DEBRIS_CLOUDS, FUTURE_AGE_LABEL, Census
from sweepers.census.model import CensusTable as Table
from sweepers.census.regimes import LEO_TOP_KM, REGIME_NAMES, Regime

PERIGEE_COLOUR = "#1f5fbf"
APOGEE_COLOUR = "#d7301f"
DPI = 150
LEO_PERIOD_MIN = (86.0, 130.0)  # Gabbard LEO panel: periods of orbits with apogee ≲ 2,400 km
LEO_ALT_KM = (0.0, 2500.0)
DENSITY_ALT_KM = (200.0, 2000.0)
DENSITY_ALT_BIN_KM = 10.0
DENSITY_INC_BIN_DEG = 1.0

# inferno reversed, without its palest tenth, so single-object cells stay visible on white.
_DENSITY_CMAP = ListedColormap(colormaps["inferno_r"](np.linspace(0.12, 1.0, 256)))
_thousands = FuncFormatter(lambda v, _pos: f"{v:,.0f}")


def caption(census: Census, what: str) -> str:
    """The line under every figure: what is shown, the date, the count, the data credit."""
    return (
        f"{what} · catalogue as of {census.as_of:%Y-%m-%d} · {census.total:,} objects · "
        f"SGP4 mean elements, WGS72 · data: {census.source} via sweepers"
    )


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure on the Agg canvas (no display needed), constrained layout, house DPI."""
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def footer(fig: Figure, text: str) -> None:
    """Put the caption line (see :func:`caption`) under the figure."""
    fig.get_layout_engine().set(h_pad=0.12)  # type: ignore[union-attr]
    fig.supxlabel(text, fontsize=7.5, color="0.35", x=0.01, ha="left")


def _gabbard_points(ax: Axes, period: np.ndarray, hp: np.ndarray, ha: np.ndarray, size: float):
    ax.scatter(
        period,
        ha,
        s=size,
        c=APOGEE_COLOUR,
        marker=".",
        lw=0,
        alpha=0.55,
        rasterized=True,
        label="apogee",
    )
    ax.scatter(
        period,
        hp,
        s=size,
        c=PERIGEE_COLOUR,
        marker=".",
        lw=0,
        alpha=0.55,
        rasterized=True,
        label="perigee",
    )
    legend = ax.legend(loc="upper left", markerscale=12 / max(size, 0.5) ** 0.5, frameon=True)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)  # type: ignore[union-attr]


def gabbard_figure(census: Census, table: Table) -> Figure:
    """Gabbard diagram: perigee and apogee altitude vs period; LEO panel and full-range panel."""
    g = table.geometry
    ok = np.isfinite(g.period_min)
    period, hp, ha = g.period_min[ok], g.perigee_alt_km[ok], g.apogee_alt_km[ok]
    fig = new_figure(13.0, 5.6)
    leo_ax, all_ax = fig.subplots(1, 2, width_ratios=[1.15, 1.0])

    in_leo = (period >= LEO_PERIOD_MIN[0]) & (period <= LEO_PERIOD_MIN[1])
    _gabbard_points(leo_ax, period[in_leo], hp[in_leo], ha[in_leo], size=2.0)
    leo_ax.axhline(LEO_TOP_KM, color="0.4", lw=0.8, ls="--")
    leo_ax.text(
        LEO_PERIOD_MIN[1] - 0.5,
        LEO_TOP_KM + 30,
        "LEO protected region top, 2,000 km",
        ha="right",
        va="bottom",
        fontsize=8,
        color="0.3",
    )
    leo_ax.set(
        xlim=LEO_PERIOD_MIN,
        ylim=LEO_ALT_KM,
        xlabel="orbital period [min]",
        ylabel="altitude above equatorial radius [km]",
        title=f"Low Earth orbit: periods {LEO_PERIOD_MIN[0]:.0f}–{LEO_PERIOD_MIN[1]:.0f} "
        f"min ({int(in_leo.sum()):,} objects)",
    )
    leo_ax.yaxis.set_major_formatter(_thousands)
    leo_ax.grid(True, lw=0.4, alpha=0.5)

    floor = 50.0
    _gabbard_points(all_ax, period, np.maximum(hp, floor), ha, size=1.5)
    all_ax.set(
        xscale="log",
        yscale="log",
        xlim=(80.0, 7.0e4),
        ylim=(floor, 1.0e6),
        xlabel="orbital period [min] (log)",
        ylabel="altitude [km] (log)",
        title=f"All orbits ({int(ok.sum()):,} objects)",
    )
    for y, label in ((LEO_TOP_KM, "2,000 km"), (35786.0, "GEO 35,786 km")):
        all_ax.axhline(y, color="0.4", lw=0.8, ls="--")
        all_ax.text(6.0e4, y * 1.08, label, ha="right", va="bottom", fontsize=8, color="0.3")
    for x, label in ((720.0, "12 h"), (1436.1, "1 sidereal day")):
        all_ax.axvline(x, color="0.6", lw=0.6, ls=":")
        all_ax.text(x * 1.04, 70.0, label, rotation=90, fontsize=7.5, color="0.35", va="bottom")
    all_ax.xaxis.set_major_formatter(_thousands)
    all_ax.yaxis.set_major_formatter(_thousands)
    all_ax.yaxis.set_major_locator(LogLocator(base=10.0, numticks=12))
    all_ax.grid(True, which="major", lw=0.4, alpha=0.5)
    fig.suptitle("Gabbard diagram of the catalogue", fontsize=13, fontweight="bold")
    footer(fig, caption(census, "perigee (blue) and apogee (red) altitude vs period"))
    return fig


def clouds_figure(census: Census, table: Table) -> Figure:
    """Gabbard diagram of each big fragmentation cloud (one panel per name prefix)."""
    g = table.geometry
    names = [" ".join(n.split()) for n in table.names]
    fig = new_figure(12.0, 8.4)
    axes = fig.subplots(2, 2).ravel()
    for ax, (prefix, event) in zip(axes, DEBRIS_CLOUDS.items(), strict=True):
        sel = np.fromiter((n.startswith(prefix) for n in names), bool, len(names))
        sel &= np.isfinite(g.period_min)
        _gabbard_points(ax, g.period_min[sel], g.perigee_alt_km[sel], g.apogee_alt_km[sel], 9.0)
        ax.set(
            title=f"{prefix}: {int(sel.sum()):,} objects ({event})",
            xlabel="orbital period [min]",
            ylabel="altitude [km]",
        )
        ax.title.set_fontsize(9.5)
        ax.yaxis.set_major_formatter(_thousands)
        ax.grid(True, lw=0.4, alpha=0.5)
        if not sel.any():
            ax.text(0.5, 0.5, "no objects", transform=ax.transAxes, ha="center", color="0.4")
    fig.suptitle(
        "Gabbard diagrams of the major fragmentation clouds", fontsize=13, fontweight="bold"
    )
    footer(fig, caption(census, "perigee (blue) and apogee (red) altitude vs period"))
    return fig


def density_figure(census: Census, table: Table) -> Figure:
    """2-D histogram of mean altitude vs inclination over 200–2,000 km, log colour scale."""
    g = table.geometry
    alt, inc = g.mean_alt_km, g.inclination_deg
    sel = np.isfinite(alt) & (alt >= DENSITY_ALT_KM[0]) & (alt < DENSITY_ALT_KM[1])
    inc_top = 180.0 if (inc[sel] > 150.0).any() else 150.0
    alt_edges = np.arange(DENSITY_ALT_KM[0], DENSITY_ALT_KM[1] + 1e-9, DENSITY_ALT_BIN_KM)
    inc_edges = np.arange(0.0, inc_top + 1e-9, DENSITY_INC_BIN_DEG)
    counts, _, _ = np.histogram2d(inc[sel], alt[sel], bins=(inc_edges, alt_edges))
    fig = new_figure(11.0, 6.4)
    ax = fig.subplots()
    vmax = max(float(counts.max()), 2.0)
    mesh = ax.pcolormesh(
        inc_edges,
        alt_edges,
        np.ma.masked_equal(counts.T, 0.0),
        norm=LogNorm(vmin=1.0, vmax=vmax),
        cmap=_DENSITY_CMAP,
        rasterized=True,
    )
    bar = fig.colorbar(mesh, ax=ax, pad=0.01)
    bar.set_label(f"objects per {DENSITY_ALT_BIN_KM:.0f} km × {DENSITY_INC_BIN_DEG:.0f}° cell")
    ax.set(
        xlim=(0.0, inc_top),
        ylim=DENSITY_ALT_KM,
        xlabel="inclination [deg]",
        ylabel="mean altitude a − R⊕ [km]",
        title=f"Where LEO is crowded: mean altitude × inclination "
        f"({int(sel.sum()):,} objects with mean altitude "
        f"{DENSITY_ALT_KM[0]:,.0f}–{DENSITY_ALT_KM[1]:,.0f} km)",
    )
    ax.set_xticks(np.arange(0.0, inc_top + 1.0, 15.0))
    ax.yaxis.set_major_formatter(_thousands)
    ax.grid(True, lw=0.3, alpha=0.35, color="0.3")
    footer(fig, caption(census, "2-D histogram, empty cells blank"))
    return fig


def overview_figure(census: Census) -> Figure:
    """Objects per ESA regime (log scale) and element-set age at the census date."""
    fig = new_figure(12.0, 4.8)
    reg_ax, age_ax = fig.subplots(1, 2, width_ratios=[1.35, 1.0])
    regimes = [r for r in Regime if census.by_regime.get(r.value, 0)]
    counts = [census.by_regime[r.value] for r in regimes]
    y = np.arange(len(regimes))[::-1]
    reg_ax.barh(y, counts, color="#3b6ea5")
    reg_ax.set_yticks(y, [f"{r.value}  {REGIME_NAMES[r]}" for r in regimes], fontsize=8.5)
    reg_ax.set_xscale("log")
    reg_ax.set_xlim(0.8, max(counts, default=1) * 3.0)
    for yi, n in zip(y, counts, strict=True):
        reg_ax.text(n * 1.1, yi, f"{n:,}", va="center", fontsize=8)
    reg_ax.set(xlabel="objects (log scale)", title="Objects by orbit regime (ESA classes)")
    reg_ax.xaxis.set_major_formatter(_thousands)
    reg_ax.grid(True, axis="x", lw=0.4, alpha=0.5)

    labels = [label for label, _, _ in AGE_BINS_DAYS]
    if census.by_age.get(FUTURE_AGE_LABEL, 0):
        labels.append(FUTURE_AGE_LABEL)
    ages = [census.by_age.get(label, 0) for label in labels]
    x = np.arange(len(labels))
    age_ax.bar(x, ages, color="#6a9f58")
    age_ax.set_xticks(x, [f"{label}" for label in labels])
    for xi, n in zip(x, ages, strict=True):
        age_ax.text(xi, n, f"{n:,}", ha="center", va="bottom", fontsize=8)
    age_ax.set(
        xlabel="age at the census date [days]  (future: epoch after it)",
        ylabel="objects",
        title="Element-set age",
    )
    age_ax.set_ylim(0, max(ages, default=1) * 1.12 + 1)
    age_ax.yaxis.set_major_formatter(_thousands)
    age_ax.grid(True, axis="y", lw=0.4, alpha=0.5)
    footer(fig, caption(census, "catalogue overview"))
    return fig


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (Agg)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
