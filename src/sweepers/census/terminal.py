"""The census as rich tables, sized for a 100-column terminal."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from sweepers.census.model import NONE_LABEL, Census
from sweepers.census.regimes import REGIME_NAMES, Regime

# Short column headers for the object-type cross-tab.
_TYPE_HEADERS = {
    "PAYLOAD": "Payload",
    "ROCKET BODY": "R/B",
    "DEBRIS": "Debris",
    "UNKNOWN": "Unknown",
    NONE_LABEL: "None",
}


def _n(count: int) -> str:
    return f"{count:,}" if count else "·"


def regime_table(census: Census) -> Table:
    """ESA regime (rows) × object type (columns), with totals; empty regimes are left out."""
    types = list(census.by_type)
    table = Table(
        title="Objects by orbit regime (ESA classes) and object type",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_footer=True,
        pad_edge=False,
    )
    table.add_column("", footer="")
    table.add_column("Regime", footer="Total", overflow="ellipsis", no_wrap=True, max_width=29)
    for t in types:
        table.add_column(
            _TYPE_HEADERS.get(t, t.title()), justify="right", footer=_n(census.by_type[t])
        )
    table.add_column("Total", justify="right", style="bold", footer=f"{census.total:,}")
    table.add_column("Share", justify="right", footer="100%" if census.total else "")
    for regime in Regime:
        n = census.by_regime.get(regime.value, 0)
        if not n:
            continue
        row = census.regime_by_type[regime.value]
        table.add_row(
            regime.value,
            REGIME_NAMES[regime],
            *(_n(row[t]) for t in types),
            f"{n:,}",
            census.percent(n),
        )
    return table


def _small_table(title: str, counts: dict[str, int], census: Census, label: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column(label)
    table.add_column("Objects", justify="right")
    table.add_column("Share", justify="right")
    for key, n in counts.items():
        table.add_row(key, f"{n:,}", census.percent(n))
    return table


def side_tables(census: Census) -> Table:
    """RCS size, element-set age and debris clouds, side by side."""
    grid = Table.grid(padding=(0, 3))
    ages = {k: v for k, v in census.by_age.items() if v or k != "future"}
    grid.add_row(
        _small_table("Radar cross-section", census.by_rcs, census, "RCS size"),
        _small_table("Element-set age", ages, census, "Age"),
        _small_table("Debris clouds", census.debris_clouds, census, "Name prefix"),
    )
    return grid


def headline(census: Census) -> Text:
    """One line: date, count, epoch span, data credit."""
    text = Text()
    text.append("Census of the sky", style="bold")
    text.append(f"  as of {census.as_of:%Y-%m-%d %H:%M} UTC · {census.total:,} objects")
    if census.epoch_oldest and census.epoch_newest:
        text.append(
            f" · epochs {census.epoch_oldest:%Y-%m-%d} … {census.epoch_newest:%Y-%m-%d}",
            style="dim",
        )
    text.append(f"\ndata: {census.source}", style="dim")
    return text


def summary_renderable(census: Census) -> Group:
    """Everything :func:`render_summary` prints, as one rich renderable."""
    facts = Text("\n".join(f"• {fact}" for fact in census.notable_facts()))
    return Group(headline(census), regime_table(census), side_tables(census), facts)


def render_summary(census: Census, console: Console) -> None:
    """Print the census to ``console`` (tables fit 100 columns)."""
    console.print(summary_renderable(census))
