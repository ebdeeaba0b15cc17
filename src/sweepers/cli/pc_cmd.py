"""``sweepers pc --cdm FILE``: the collision probability of the conjunction a CDM describes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sweepers.cli.common import JsonOption, console, fail, handle_errors, print_json

# CLI method names (the vocabulary) → the library's PcMethod values.
METHODS = {
    "auto": "auto",
    "2d": "foster-2d",
    "cara": "cara-gc64",
    "mc": "monte-carlo",
    "3d": "hall-3d",  # Hall (2021) 3D-Nc
    "max": "alfano-max",
}


@handle_errors
def pc(
    cdm: Annotated[Path, typer.Option("--cdm", help="CCSDS CDM file (KVN or XML).")],
    method: Annotated[
        str, typer.Option("--method", help="auto | 2d | cara | 3d | mc | max")
    ] = "auto",
    hbr_m: Annotated[
        float | None,
        typer.Option(
            "--hbr-m", help="Combined hard-body radius, m (default: the CDM's HBR comment)."
        ),
    ] = None,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials.")] = 100_000,
    seed: Annotated[int | None, typer.Option("--seed", help="Monte Carlo seed.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Collision probability of the conjunction described by a CDM.

    The hard-body radius comes from --hbr-m or from the CDM itself (a comment such as
    COMMENT HBR = 20 [m]). Methods: 2d (exact Foster integral), cara (CARA's 64-node rule),
    3d (Hall 3D-Nc), mc (two-body Monte Carlo), max (Alfano's maximum Pc), auto (2d unless its
    usage is violated or 3D-Nc disagrees, then 3D-Nc).
    """
    from sweepers.conjunctions.pc import pc_from_cdm
    from sweepers.formats.cdm import load

    key = method.lower()
    if key not in METHODS:
        raise fail(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")
    if not cdm.is_file():
        raise fail(f"{cdm}: no such file")
    result = pc_from_cdm(load(cdm), METHODS[key], hbr_m, trials=trials, seed=seed)
    out: dict[str, Any] = {
        "cdm": str(cdm),
        "pc": result.pc,
        "log10_pc": result.log_pc / math.log(10) if math.isfinite(result.log_pc) else None,
        "method": result.method.value,
        "miss_m": result.miss_m,
        "hbr_m": result.hbr_m,
        "relative_speed_m_s": result.relative_speed_m_s,
        "ci95": list(result.ci95) if result.ci95 else None,
        "hits": result.hits,
        "trials": result.trials,
        "usage_violation_2d": result.usage_violation,
        "covariance_remediated": result.covariance_remediated,
        "reason": result.reason,
        "notes": list(result.notes),
    }
    if as_json:
        print_json(out)
        return
    table = Table(title=f"Collision probability — {cdm.name}", show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("Pc", f"{result.pc:.6g}")
    table.add_row("method", result.method.value)
    table.add_row("miss distance [m]", f"{result.miss_m:,.3f}")
    table.add_row("relative speed [m/s]", f"{result.relative_speed_m_s:,.3f}")
    table.add_row("hard-body radius [m]", f"{result.hbr_m:g}")
    if result.ci95:
        table.add_row("95% interval", f"{result.ci95[0]:.4g} … {result.ci95[1]:.4g}")
    for note in (*result.notes, *([result.reason] if result.reason else [])):
        table.add_row("note", note)
    console.print(table, highlight=False)
