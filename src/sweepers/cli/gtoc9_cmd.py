"""``sweepers gtoc9``: the GTOC9 benchmark (check a solution folder, solve the campaign, rewrite
mission files of the former open layout in the submission structure).

Exit status of ``check`` (the project's 0/2/3 convention, ``cli.common``): 0 the solution satisfies
every rule (even if it removes fewer than 123 debris — see ``complete``), 3 some rule is violated or
a line is unreadable, 2 usage error (no such path, no mission files, debris table unreadable).
``restructure``: 0 every file written, 3 some file refused (reported, not written), 2 usage error.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sweepers.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    JsonOption,
    console,
    fail,
    handle_errors,
    print_json,
    progress_bar,
)

if TYPE_CHECKING:
    from sweepers.gtoc9.check import CheckReport
    from sweepers.gtoc9.solution import MissionFile

app = typer.Typer(help="GTOC9 'Kessler run' benchmark: check and solve.", no_args_is_help=True)

MAX_LISTED_ERRORS = 200

MissionPath = Annotated[
    Path, typer.Argument(help="Folder of mission files (*.txt, one mission each) or one file.")
]
DebrisOption = Annotated[
    Path | None,
    typer.Option("--debris", help="debris.csv (default: $SWEEPERS_DATA/gtoc9/debris.csv)."),
]


@app.callback()
def gtoc9() -> None:
    """GTOC9 'Kessler run' benchmark (units: m, m/s, kg, MJD2000)."""


def _read_missions(path: Path) -> list[MissionFile]:
    """The mission files at ``path`` (a folder or one file); a usage error when there are none."""
    from sweepers.gtoc9.solution import read_solution

    if not path.exists():
        raise fail(f"no such file or folder: {path}")
    missions = read_solution(path)
    if not missions:
        raise fail(f"no mission files (*.txt) in {path}")
    return missions


@app.command("check")
@handle_errors
def check(
    path: MissionPath,
    debris_csv: DebrisOption = None,
    json_out: JsonOption = False,
) -> None:
    """Check every GTOC9 rule (J2 dynamics, rendezvous, timing, masses) and score the campaign."""
    from sweepers.gtoc9.check import check_missions
    from sweepers.gtoc9.debris import load_debris

    missions = _read_missions(path)
    report = check_missions(missions, load_debris(debris_csv))
    if json_out:
        print_json(report.to_dict())
    else:
        _print_report(report)
    raise typer.Exit(EXIT_OK if report.valid else EXIT_REJECTED)


def _print_report(report: CheckReport) -> None:
    """Rich table of missions, the totals and the violations."""
    table = Table(title="GTOC9 missions")
    for name, justify in [
        ("file", "left"),
        ("ok", "center"),
        ("n", "right"),
        ("start MJD2000", "right"),
        ("end MJD2000", "right"),
        ("m0 kg", "right"),
        ("Δv m/s", "right"),
        ("cost MEUR", "right"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for m in report.missions:
        table.add_row(
            escape(Path(m.file).name),
            "[green]yes[/]" if m.valid else "[red]no[/]",
            str(m.n_debris),
            f"{m.start_mjd2000:.3f}",
            f"{m.end_mjd2000:.3f}",
            f"{m.m0_kg:.3f}",
            f"{m.dv_total_m_s:.2f}",
            f"{m.cost_meur:.4f}",
        )
    console.print(table)
    verdict = "[green]valid[/]" if report.valid else "[red]INVALID[/]"
    console.print(
        f"{verdict}, {'complete' if report.complete else 'not complete'}: "
        f"J = {report.cost_meur:.4f} MEUR (Σα(m0−m_dry)² = {report.mass_term_meur:.4f}), "
        f"{len(report.missions)} missions, {report.debris_removed} debris removed, "
        f"{len(report.missing)} missing",
        highlight=False,
    )
    for v in report.errors[:MAX_LISTED_ERRORS]:
        console.print(
            f"[red]{escape(v.file)}:{v.line}[/] {escape(f'[{v.rule}]')} {escape(v.message)}",
            highlight=False,
            soft_wrap=True,
        )
    if len(report.errors) > MAX_LISTED_ERRORS:
        console.print(f"... and {len(report.errors) - MAX_LISTED_ERRORS} more violations")


@app.command("restructure")
@handle_errors
def restructure(
    path: MissionPath,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the files here (default: rewrite them in place)."),
    ] = None,
    debris_csv: DebrisOption = None,
    json_out: JsonOption = False,
) -> None:
    """Rewrite mission files in the submission structure (``sweepers.gtoc9.solution``).

    Files of the former open layout (first line: the departure from the first debris; last line:
    the arrival at the last debris) get the delivery at the first debris 5 days before that
    departure and the end of the stay at the last debris 5 days after that arrival, both with
    Δv = 0 on the debris' ephemeris; files already in the structure are rewritten unchanged.
    Comment lines are dropped (the format is one event per line). A file with unreadable lines
    is reported and not written. Check the result with ``sweepers gtoc9 check``."""
    from sweepers.gtoc9.debris import load_debris
    from sweepers.gtoc9.solution import submission_events, write_mission

    missions = _read_missions(path)
    debris = load_debris(debris_csv)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    done: list[dict[str, object]] = []
    refused: list[dict[str, object]] = []
    for mission in missions:
        source = Path(mission.path)
        problems = [str(issue) for issue in mission.issues]
        events = []
        if not problems:
            try:
                events = submission_events(mission.events, debris)
            except (ValueError, IndexError) as exc:
                problems.append(f"{source}:0: {exc}")
        if problems:
            refused.append({"file": str(source), "problems": problems})
            continue
        target = (out / source.name) if out is not None else source
        write_mission(target, events)
        done.append(
            {
                "file": str(source),
                "written": str(target),
                "lines_before": len(mission.events),
                "lines_after": len(events),
            }
        )
    if json_out:
        print_json({"written": done, "refused": refused})
    else:
        for row in done:
            console.print(
                f"{escape(str(row['written']))}: {row['lines_before']} → {row['lines_after']} "
                f"event lines",
                highlight=False,
            )
        for row in refused:
            for problem in row["problems"]:  # type: ignore[attr-defined]
                console.print(f"[red]{escape(problem)}[/] (file not written)", highlight=False)
        console.print(f"{len(done)} files written, {len(refused)} refused", highlight=False)
    raise typer.Exit(EXIT_OK if not refused else EXIT_REJECTED)


@app.command("refly")
@handle_errors
def refly(
    path: MissionPath,
    out: Annotated[
        Path, typer.Option("--out", help="Write the campaign here (may be PATH: in place).")
    ],
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
    hints: Annotated[
        int, typer.Option("--hints", help="Planner legs flown per leg (cheapest estimates).")
    ] = 4,
    debris_csv: DebrisOption = None,
    json_out: JsonOption = False,
) -> None:
    """Re-fly every leg of a campaign with the one-ship planner's exact legs (wait or drift
    orbit) inside the campaign's schedule, keeping leg by leg the cheaper (``gtoc9.solve_refly``);
    masses recomputed, files rewritten in the submission structure, the result checked like
    ``check``. Files with unreadable lines are reported and copied unchanged; a re-flown mission
    the checker refuses is kept as it was."""
    from sweepers.gtoc9.check import check_missions, check_solution
    from sweepers.gtoc9.debris import load_debris
    from sweepers.gtoc9.solve_refly import ReflyConfig, refly_campaign

    missions = _read_missions(path)
    debris = load_debris(debris_csv)
    before = check_missions(missions, debris)
    with progress_bar(transient=False, disable=json_out) as bar:
        task = bar.add_task("re-flying missions", total=len(missions))

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"re-flown {name}")

        result = refly_campaign(missions, debris, out, workers=workers,
                                config=ReflyConfig(hints=hints), progress=progress)
    after = check_solution(out, debris)
    if json_out:
        print_json({**result.to_dict(), "J_before": before.cost_meur,
                    "J_after": after.cost_meur, "check": after.to_dict()})
    else:
        for row in result.to_dict()["missions"]:
            if row["skipped"]:
                console.print(f"[yellow]{row['file']}: left as it was: {row['skipped']}[/]",
                              highlight=False)
                continue
            console.print(f"{row['file']}: {row['replaced']}/{row['legs']} legs re-flown, "
                          f"Δv {row['dv_before_m_s']:.1f} → {row['dv_after_m_s']:.1f} m/s",
                          highlight=False)
        for problem in result.unreadable:
            console.print(f"[red]{escape(problem)}[/] (file copied unchanged)", highlight=False)
        for name, found in result.reverted.items():
            console.print(f"[red]{escape(name)}: the checker refused the re-flown mission "
                          f"({escape(found[0])}); kept as it was[/]", highlight=False)
        _print_report(after)
        console.print(f"J {before.cost_meur:.4f} → {after.cost_meur:.4f} MEUR", highlight=False)
    ok = after.valid and not result.unreadable
    raise typer.Exit(EXIT_OK if ok else EXIT_REJECTED)


@app.command("solve")
@handle_errors
def solve(
    hours: Annotated[float, typer.Option("--hours", help="Wall-time budget [h].")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (deterministic).")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Dask scheduler address (tcp://host:8786) for the cost table and pool searches.",
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (mission files, .solve/ checkpoint).")
    ] = Path("results/gtoc9"),
    plans: Annotated[
        int, typer.Option("--plans", help="Plans to search (0: as many as time allows).")
    ] = 0,
    beam: Annotated[int, typer.Option("--beam", help="Beam width of the chain search.")] = 100,
    step: Annotated[
        int, typer.Option("--step", help="Days between the start days tried per time slot.")
    ] = 50,
    prices: Annotated[
        str | None,
        typer.Option("--prices", help="Time prices of the plans [MEUR/day], comma-separated."),
    ] = None,
    debris_csv: DebrisOption = None,
    pricing_rounds: Annotated[
        int,
        typer.Option(
            "--pricing-rounds",
            help="Column-generation rounds per window in a second window stage (0: none).",
        ),
    ] = 0,
    pricing_passes: Annotated[
        int, typer.Option("--pricing-passes", help="Passes of that second window stage.")
    ] = 1,
    plane_split: Annotated[
        bool,
        typer.Option(
            "--plane-split/--no-plane-split",
            help="Let legs split the plane change between both ends (J2 node-drift saving).",
        ),
    ] = True,
    eliminate: Annotated[
        bool,
        typer.Option(
            "--eliminate/--no-eliminate",
            help="After the window stages, remove small missions while the estimated J drops "
            "(the warm start's mission elimination).",
        ),
    ] = False,
    refly: Annotated[
        bool,
        typer.Option(
            "--refly/--no-refly",
            help="Finally re-fly every leg with the one-ship planner's legs where cheaper "
            "(as `sweepers gtoc9 refly`).",
        ),
    ] = False,
    warm_from: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Warm start from this campaign's mission files: mission elimination, the "
            "changed missions flown again (the search stages are skipped).",
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Solve the campaign: cost tables, beam search, assembly, window re-partitioning (pool +
    set-partitioning MILP), with ``--eliminate`` mission elimination, exact J2 legs; resumes from
    the checkpoint in OUT/.solve; checks the result like ``check``. With ``--from DIR``: mission
    elimination on DIR's campaign instead."""
    from sweepers.gtoc9.solve import SearchSettings, SolveOptions
    from sweepers.gtoc9.solve import solve as run_solver
    from sweepers.salvage.engine.eliminate import EliminateConfig
    from sweepers.salvage.engine.windows import LnsConfig

    priced = (
        LnsConfig(pricing_rounds=pricing_rounds, passes=pricing_passes)
        if pricing_rounds > 0
        else None
    )

    search = SearchSettings(plans=plans, beam_width=beam, start_step_days=step)
    if prices:
        search = replace(search, time_prices=tuple(float(p) for p in prices.split(",")))
    options = SolveOptions(
        out_dir=out,
        hours=hours,
        seed=seed,
        workers=workers,
        cluster=cluster,
        debris_path=debris_csv,
        search=search,
        priced=priced,
        plane_split=plane_split,
        eliminate=EliminateConfig() if eliminate else None,
        refly=refly,
    )
    with progress_bar(transient=False, disable=json_out) as bar:
        tasks: dict[str, object] = {}

        def progress(stage: str, done: int, total: int, note: str) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total, description=f"{stage}: {note}")  # type: ignore[arg-type]

        if warm_from is not None:
            from sweepers.gtoc9.solve_warm import solve_from

            result = solve_from(options, warm_from, progress=progress)
        else:
            result = run_solver(options, progress)
    if json_out:
        out_dict = result.report.to_dict()
        out_dict["seconds"] = result.seconds
        print_json(out_dict)
    else:
        _print_report(result.report)
        shares = ", ".join(f"{k} {v:.0f} s" for k, v in result.seconds.items())
        console.print(f"time: {shares}", highlight=False)
    raise typer.Exit(EXIT_OK if result.report.valid else EXIT_REJECTED)
