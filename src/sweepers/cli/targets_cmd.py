"""``sweepers targets``: the salvage target list, ranked by value or by criticality."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from sweepers.cli.common import (
    DbOption,
    JsonOption,
    catalog_snapshot,
    console,
    fail,
    handle_errors,
    print_json,
)

TYPE_HELP = "rb | payload | debris | unknown"
_SHORT_TYPE = {"ROCKET BODY": "R/B", "PAYLOAD": "PAY", "DEBRIS": "DEB", "UNKNOWN": "UNK"}


def short_source(source: str) -> str:
    """A mass source in a few characters for the table (``--json`` keeps the full text)."""
    if source.startswith("family "):
        return source.removeprefix("family ")
    if source.startswith("default "):
        return "default " + source.rsplit("/", 1)[-1].replace("no RCS", "-")
    return source.replace("SFK RCS Estimate", "SFK").replace("Protected Primary", "protected")


def parse_range(text: str | None, option: str) -> tuple[float, float] | None:
    """``"LO:HI"`` → ``(lo, hi)``; an empty side is open (``"700:"`` → ``(700, inf)``).

    Raises the ``typer.Exit`` of :func:`fail` with one clear line when the text is not a range.
    """
    if text is None:
        return None
    lo_text, sep, hi_text = text.partition(":")
    if not sep or ":" in hi_text:
        raise fail(f"{option} wants a range LO:HI (e.g. {option} 700:1000), not {text!r}")
    try:
        lo = float(lo_text) if lo_text.strip() else -math.inf
        hi = float(hi_text) if hi_text.strip() else math.inf
    except ValueError:
        raise fail(f"{option}: cannot read {text!r} as numbers LO:HI (e.g. 700:1000)") from None
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        raise fail(f"{option}: the low end must not exceed the high end ({text!r})")
    return lo, hi


def _number(x: float) -> str:
    """Thousands separators for big numbers, two significant digits for small ones."""
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.2g}"


@handle_errors
def targets(
    top: Annotated[int, typer.Option("--top", min=1, help="How many targets to list.")] = 20,
    object_type: Annotated[
        str | None, typer.Option("--type", help=f"Only this SATCAT type: {TYPE_HELP}.")
    ] = None,
    alt_km: Annotated[
        str | None,
        typer.Option("--alt-km", help="Keep orbits wholly inside this altitude band, LO:HI [km]."),
    ] = None,
    inc_deg: Annotated[
        str | None, typer.Option("--inc-deg", help="Inclination band LO:HI [deg].")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Rank by: value | criticality.")] = "value",
    unclaimed_only: Annotated[
        bool, typer.Option("--unclaimed-only",
                           help="Leave out objects held by an active claim or salvaged (the "
                                "operations service's registry in the same database).")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find the money: catalogued objects ranked by salvage value or by criticality.

    Value [k$]: mass x launch price x usable-material fraction x intact factor. Criticality:
    mass [t] x traffic density along the orbit [1e-8/km3] x remaining lifetime [yr]. Masses come
    from NASA CARA, a table of well-known rocket-body and platform families, or RCS-class
    defaults (the source is shown). Crewed stations and known operating spacecraft are left out.
    """
    from sweepers.salvage.value import TYPE_CHOICES, rank_targets, score_objects

    by = by.lower()
    if by not in ("value", "criticality"):
        raise fail(f"--by must be 'value' or 'criticality', not {by!r}")
    if object_type is not None:
        object_type = object_type.lower()
        if object_type not in TYPE_CHOICES:
            raise fail(f"--type must be one of {TYPE_HELP}, not {object_type!r}")
    alt = parse_range(alt_km, "--alt-km")
    inc = parse_range(inc_deg, "--inc-deg")

    elements, meta, held = catalog_snapshot(db, unclaimed_only=unclaimed_only)
    scored = score_objects(elements, meta)
    if held:
        from sweepers.salvage.value.unclaimed import unclaimed

        scored = unclaimed(scored, held)
    ranked = rank_targets(
        scored, by=by, object_type=object_type, alt_km=alt, inc_deg=inc, top=top  # type: ignore[arg-type]
    )
    rows = [{"rank": k, **s.as_dict()} for k, s in enumerate(ranked, start=1)]
    if as_json:
        print_json(rows)
        return
    wide = console.width >= 100  # narrower terminals drop the rank and type columns
    table = Table(
        title=f"Salvage targets by {by} ({len(rows)} of {len(scored)} objects)",
        caption="alt km: perigee/apogee altitude; inc: degrees; value: notional k$; crit: "
        "t x (density / 1e-8 per km3) x yr",
        box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
    )
    columns = ["#", "id", "name", "type", "kg", "mass source", "alt km", "inc", "life yr",
               "value k$", "crit"]
    if not wide:
        columns = [c for c in columns if c not in ("#", "type")]
    for col in columns:
        left = col in ("name", "type", "mass source")
        table.add_column(col, justify="left" if left else "right", no_wrap=not left)
    for r in rows:
        cells = {
            "#": str(r["rank"]),
            "id": str(r["norad_id"]),
            "name": r["name"] or "",
            "type": _SHORT_TYPE.get(r["object_type"], r["object_type"]),
            "kg": f"{r['mass_kg']:,.1f}" if r["mass_kg"] < 100 else f"{r['mass_kg']:,.0f}",
            "mass source": short_source(r["mass_source"]),
            "alt km": f"{r['perigee_km']:.0f}/{r['apogee_km']:.0f}",
            "inc": f"{r['inclination_deg']:.1f}",
            "life yr": f"{r['lifetime_yr']:.0f}" if r["lifetime_yr"] >= 10
            else f"{r['lifetime_yr']:.1f}",
            "value k$": f"{r['value_kusd']:,.0f}",
            "crit": _number(r["criticality"]),
        }
        table.add_row(*(cells[c] for c in columns))
    console.print(table)
    if not rows:
        console.print("no object matches the filters")
