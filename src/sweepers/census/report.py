"""The census report folder: ``census.json``, ``summary.md`` and PNG figures, written atomically.

Every file goes through :func:`sweepers.files.write_atomic` (a temporary name in the same folder,
flushed, renamed over the final name), so a killed run leaves either the old file or the new one,
never half.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from sweepers.census import plots
from sweepers.census.model import AGE_BINS_DAYS, DEBRIS_CLOUDS, Census, CensusObject, tabulate
from sweepers.census.regimes import REGIME_NAMES, Regime
from sweepers.files import write_atomic

JSON_NAME = "census.json"
SUMMARY_NAME = "summary.md"
FIGURE_NAMES = {
    "gabbard": "gabbard.png",
    "clouds": "gabbard_debris_clouds.png",
    "density": "altitude_inclination.png",
    "overview": "regimes_and_ages.png",
}


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """A GitHub-flavoured Markdown table; ``align`` has one ``l``/``r`` per column."""
    marks = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def summary_markdown(census: Census, figures: Sequence[str] = ()) -> str:
    """The census as a Markdown page (tables, facts, figure links, regime definitions' source)."""

    types = list(census.by_type)
    out = [
        "# Census of the sky",
        "",
        f"As of **{census.as_of:%Y-%m-%d %H:%M} UTC**: **{census.total:,}** catalogued objects "
        f"(data: {census.source}).",
    ]
    if census.epoch_oldest and census.epoch_newest and census.epoch_median:
        out.append(
            f"Element-set epochs {census.epoch_oldest:%Y-%m-%d} … {census.epoch_newest:%Y-%m-%d}"
            f", median {census.epoch_median:%Y-%m-%d}."
        )
    out += ["", "## Notable facts", ""]
    out += [f"- {fact}" for fact in census.notable_facts()]
    out += ["", "## Orbit regime × object type", ""]
    rows = [
        [
            f"{r.value} ({REGIME_NAMES[r]})",
            *(f"{census.regime_by_type[r.value][t]:,}" for t in types),
            f"{census.by_regime[r.value]:,}",
            census.percent(census.by_regime[r.value]),
        ]
        for r in Regime
        if census.by_regime.get(r.value, 0)
    ]
    rows.append(
        ["**Total**", *(f"{census.by_type[t]:,}" for t in types), f"{census.total:,}", "100%"]
    )
    out += _md_table(["Regime", *types, "Total", "Share"], rows, "l" + "r" * (len(types) + 2))
    out += ["## Radar cross-section size", ""]
    out += _md_table(
        ["RCS size", "Objects", "Share"],
        [[k, f"{n:,}", census.percent(n)] for k, n in census.by_rcs.items()],
        "lrr",
    )
    out += ["## Element-set age at the census date", ""]
    out += _md_table(
        ["Age", "Objects", "Share"],
        [[k, f"{n:,}", census.percent(n)] for k, n in census.by_age.items()],
        "lrr",
    )
    out += ["## Fragmentation clouds (by name prefix)", ""]
    out += _md_table(
        ["Name prefix", "Event", "Objects"],
        [[k, DEBRIS_CLOUDS[k], f"{n:,}"] for k, n in census.debris_clouds.items()],
        "llr",
    )
    if figures:
        out += ["## Figures", ""]
        for name in figures:
            out += [f"![{name}]({name})", ""]
    bins = ", ".join(f"{label}" for label, _, _ in AGE_BINS_DAYS)
    out += [
        "## Definitions",
        "",
        "- Orbit regimes: the classes of ESA's Annual Space Environment Report "
        "(GEN-DB-LOG-00288-OPS-SD, §1.1), first matching class wins in ESA's table order; "
        "altitudes above the WGS72 equatorial radius 6,378.135 km.",
        "- Semi-major axis: SGP4's Brouwer (\"un-Kozai'd\") mean semi-major axis from the "
        "element set (WGS72, μ = 398,600.8 km³/s²); period = 1440 / mean motion [min].",
        f"- Age bins [days]: {bins}; 'future' = epoch after the census date.",
        "- Object type and RCS size from SATCAT; NONE = not in SATCAT or field empty.",
        "",
    ]
    return "\n".join(out)


def write_report(
    census: Census, objects: Sequence[CensusObject], out_dir: Path | str
) -> list[Path]:
    """Write the report folder for ``census`` (computed from ``objects``); returns the paths.

    Files: ``census.json``, ``summary.md``, and the PNGs of :data:`FIGURE_NAMES`. Existing files
    of the same names are replaced atomically; other files in ``out_dir`` are left alone.
    """
    out = Path(out_dir)
    table = tabulate(objects, census.as_of)
    figures = {
        FIGURE_NAMES["gabbard"]: plots.gabbard_figure(census, table),
        FIGURE_NAMES["clouds"]: plots.clouds_figure(census, table),
        FIGURE_NAMES["density"]: plots.density_figure(census, table),
        FIGURE_NAMES["overview"]: plots.overview_figure(census),
    }
    written = [
        write_atomic(out / JSON_NAME, json.dumps(census.to_dict(), indent=2).encode() + b"\n")
    ]
    for name, fig in figures.items():
        written.append(write_atomic(out / name, plots.png_bytes(fig)))
    summary = summary_markdown(census, list(figures))
    written.append(write_atomic(out / SUMMARY_NAME, summary.encode("utf-8")))
    return written
