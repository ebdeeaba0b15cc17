"""The census as rich tables, laid out for the terminal's width (counts are never truncated)."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from sweepers.census.model import NONE_LABEL, Census
from sweepers.census.regimes import REGIME_NAMES, Regime

# Column headers for the object-type cross-tab: full, and abbreviated for narrow terminals.
_TYPE_HEADERS = {
    "PAYLOAD": "Payload",
    "ROCKET BODY": "R/B",
    "DEBRIS": "Debris",
    "UNKNOWN": "Unknown",
    NONE_LABEL: "None",
}
_TYPE_SHORT = {"PAYLOAD": "Pay", "ROCKET BODY": "R/B", "DEBRIS": "Deb", "UNKNOWN": "Unk",
               NONE_LABEL: "n/a"}
NARROW_FOOTNOTE = "Pay payload · R/B rocket body · Deb debris · Unk unknown · n/a no SATCAT type"


def _n(count: int) -> str:
    return f"{count:,}" if count else "·"


def _number_column(table: Table, header: str, footer: str = "", **style: str) -> None:
    """A right-aligned count column that is never cut: it keeps its full width when the table is
    squeezed (labels give way first) and, as a last resort, folds onto a second line."""
    table.add_column(header, justify="right", no_wrap=True, overflow="fold", footer=footer,
                     **style)


def regime_table(census: Census, *, name: bool = True, short: bool = False) -> Table:
    """ESA regime (rows) × object type (columns), with totals; empty regimes are left out.

    ``name`` adds the regime's full name beside its code (it wraps when space is short);
    ``short`` abbreviates the type headers (:data:`NARROW_FOOTNOTE` spells them out) and
    tightens the column gaps.
    """
    types = list(census.by_type)
    headers = _TYPE_SHORT if short else _TYPE_HEADERS
    table = Table(
        title="Objects by orbit regime (ESA classes) and object type",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_footer=True,
        pad_edge=False,
        padding=(0, 0, 0, 1) if short else (0, 1),  # narrow: one space fewer between columns
    )
    table.add_column("", footer="" if name else "Total", no_wrap=True)
    if name:
        table.add_column("Regime", footer="Total", overflow="fold", ratio=1)
    for t in types:
        _number_column(table, headers.get(t, t.title()), _n(census.by_type[t]))
    _number_column(table, "Total", f"{census.total:,}", style="bold")
    _number_column(table, "Share", "100%" if census.total else "")
    for regime in Regime:
        n = census.by_regime.get(regime.value, 0)
        if not n:
            continue
        row = census.regime_by_type[regime.value]
        table.add_row(
            regime.value,
            *((REGIME_NAMES[regime],) if name else ()),
            *(_n(row[t]) for t in types),
            f"{n:,}",
            census.percent(n),
        )
    return table


def _small_table(title: str, counts: dict[str, int], census: Census, label: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column(label, overflow="fold")
    _number_column(table, "Objects")
    _number_column(table, "Share")
    for key, n in counts.items():
        table.add_row(key, f"{n:,}", census.percent(n))
    return table


def _small_tables(census: Census) -> list[Table]:
    ages = {k: v for k, v in census.by_age.items() if v or k != "future"}
    return [
        _small_table("Radar cross-section", census.by_rcs, census, "RCS size"),
        _small_table("Element-set age", ages, census, "Age"),
        _small_table("Debris clouds", census.debris_clouds, census, "Name prefix"),
    ]


def side_tables(census: Census, per_row: int = 3) -> Group:
    """RCS size, element-set age and debris clouds, ``per_row`` side by side."""
    tables = _small_tables(census)
    rows = []
    for first in range(0, len(tables), per_row):
        grid = Table.grid(padding=(0, 3))
        grid.add_row(*tables[first:first + per_row])
        rows.append(grid)
    return Group(*rows)


def totals_tables(census: Census) -> Group:
    """The narrowest layout: regime totals and object-type totals as two short tables."""
    by_regime = {r.value: census.by_regime.get(r.value, 0) for r in Regime}
    by_type = {_TYPE_HEADERS.get(t, t.title()): n for t, n in census.by_type.items()}
    return Group(
        _small_table("Objects by orbit regime", {k: v for k, v in by_regime.items() if v},
                     census, "Regime"),
        _small_table("Objects by type", by_type, census, "Type"),
    )


def _natural_width(console: Console, renderable: RenderableType) -> int:
    """Columns ``renderable`` takes when nothing wraps (titles aside)."""
    wide = console.options.update_width(100_000)
    return Measurement.get(console, wide, renderable).maximum


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


def summary_renderable(census: Census, width: int = 100, console: Console | None = None) -> Group:
    """Everything :func:`render_summary` prints, laid out for ``width`` columns.

    The widest layout whose cells all fit unwrapped is chosen, so a count is never cut: regime
    names beside the codes; codes only, with a legend; abbreviated type headers too; and below
    that (under ~55 columns) the regime and type totals without the cross-tab. The three small
    tables stand side by side, two and one, or one under the other.
    """
    console = console or Console(width=width)
    legend = Text(" · ".join(f"{r.value} {REGIME_NAMES[r]}" for r in Regime
                             if census.by_regime.get(r.value)), style="dim")
    layouts: list[list[RenderableType]] = [
        [regime_table(census)],
        [regime_table(census, name=False), legend],
        [regime_table(census, name=False, short=True), Text(NARROW_FOOTNOTE, style="dim"),
         legend],
    ]
    regimes = next((parts for parts in layouts if _natural_width(console, parts[0]) <= width),
                   [totals_tables(census), legend])
    side = next((side_tables(census, k) for k in (3, 2)
                 if _natural_width(console, side_tables(census, k)) <= width),
                side_tables(census, 1))
    facts = Text("\n".join(f"• {fact}" for fact in census.notable_facts()))
    return Group(headline(census), *regimes, side, facts)


def render_summary(census: Census, console: Console) -> None:
    """Print the census to ``console``, laid out for its width (piped output: 80 columns, or
    ``$COLUMNS``); counts are never truncated."""
    console.print(summary_renderable(census, console.width, console))
