"""``sweepers catalog …``: ingest files, fetch from CelesTrak, summarise, show one object.

Exit status (see :mod:`sweepers.cli.common`): 0 all good; 3 some records rejected (one line each
on stderr, ``file:line: reason``); 2 usage or fatal error (unknown format, unreadable store, a
failed fetch, an unknown object). ``ingest`` with several files reports a missing or binary
file, still ingests the others, and exits 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from sweepers.cli.common import (
    EXIT_FATAL,
    EXIT_OK,
    EXIT_REJECTED,
    DbOption,
    JsonOption,
    console,
    err_console,
    fail,
    handle_errors,
    print_json,
    progress_bar,
)
from sweepers.records import printable

app = typer.Typer(
    no_args_is_help=True,
    help="Ingest, fetch and inspect the catalog store.",
    pretty_exceptions_enable=False,
)

FORMAT_NAMES = "auto|tle|omm-json|omm-csv|omm-xml|omm-kvn|satcat|cara-mass|gcat"


def _open(db: str | None, *, create: bool = True) -> Any:
    from sweepers.catalog.store import CatalogStore

    return CatalogStore.open(db, create=create)


class _Bar:
    """Adapts the library's ``progress(path, stage, done, total)`` to a rich bar per file."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, path: str, stage: str, done: int, total: int) -> None:
        name = Path(path).name if "://" not in path else path.rsplit("/", 1)[-1]
        task = self.tasks.get(path)
        if task is None:
            task = self.tasks[path] = self.progress.add_task(name, total=None)
        label = {"read": "reading", "parse": "decoding", "store": "storing", "done": "done"}
        self.progress.update(
            task,
            description=f"{label.get(stage, stage)} {name}",
            completed=done,
            total=total if stage in ("store", "done") else None,
        )


def _report_problems(files: list[Any], *, show_rejected: bool) -> None:
    for f in files:
        if f.error is not None:
            err_console.print(f"[bold red]error:[/] {escape(printable(f'{f.path}: {f.error}'))}",
                              highlight=False, soft_wrap=True)
        if show_rejected:
            for r in f.rejected:
                err_console.print(str(r), highlight=False, soft_wrap=True, markup=False)


def _short(path: str) -> str:
    """A file's name, or a URL's query part, for a narrow table column."""
    return path.rsplit("/", 1)[-1]


def _summary_table(files: list[Any]) -> Table:
    table = Table(title="ingest", title_justify="left")
    for col in ("file", "format", "accepted", "added", "updated", "duplicates", "rejected"):
        table.add_column(
            col,
            justify="left" if col in ("file", "format") else "right",
            overflow="fold",  # a long file name wraps instead of being cut to "spacetr…"
        )
    for f in files:
        if f.error is not None:
            table.add_row(_short(f.path), f.format or "-", "[red]failed[/]", "", "", "", "")
            continue
        table.add_row(
            _short(f.path), f.format or "-", f"{f.accepted:,}", f"{f.added:,}", f"{f.updated:,}",
            f"{f.duplicates:,}", f"{len(f.rejected):,}",
        )
    return table


def _exit_code(files: list[Any]) -> int:
    if any(f.error is not None for f in files):
        return EXIT_FATAL
    if any(f.rejected for f in files):
        return EXIT_REJECTED
    return EXIT_OK


@app.command("ingest")
@handle_errors
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files to ingest.", show_default=False)]
    = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_NAMES)] = "auto",
    db: DbOption = None,
    json_out: JsonOption = False,
    bundled: Annotated[
        bool,
        typer.Option("--bundled", help="Also ingest the bundled data (3LE catalog, SATCAT, CARA)."),
    ] = False,
) -> None:
    """Ingest catalog files, one transaction per file; re-ingesting a file adds nothing.

    Exit 0: all records accepted; 3: some rejected (listed as file:line: reason); 2: a file was
    missing or binary (the others are still ingested), or a fatal error.
    """
    from sweepers import config
    from sweepers.catalog.ingest import FORMATS, ingest_files

    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of {FORMAT_NAMES}")
    files: list[Path] = list(paths or [])
    if bundled:
        files = config.default_catalog_files() + files
    if not files:
        raise fail("give at least one file, or --bundled")
    store = _open(db)
    try:
        with progress_bar() as progress:
            report = ingest_files(store, files, fmt, progress=_Bar(progress))
    finally:
        store.close()
    _report_problems(report.files, show_rejected=not json_out)
    if json_out:
        print_json(report.as_dict())
    else:
        console.print(_summary_table(report.files))
    raise typer.Exit(_exit_code(report.files))


@app.command("fetch")
@handle_errors
def fetch(
    group: Annotated[str | None, typer.Option("--group", help="CelesTrak group, e.g. stations.")]
    = None,
    catnr: Annotated[int | None, typer.Option("--catnr", help="Catalog number.")] = None,
    intdes: Annotated[
        str | None, typer.Option("--intdes", help="International designator, e.g. 1998-067.")
    ] = None,
    satcat: Annotated[
        bool, typer.Option("--satcat", help="Fetch SATCAT records instead of element sets.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json|csv|tle")] = "json",
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also save the body to FILE (atomically).")
    ] = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Do not ingest (use with --out).")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="CelesTrak root (default $SWEEPERS_CELESTRAK_URL or "
                     "https://celestrak.org)."),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per connect/read.")] = 30.0,
    json_out: JsonOption = False,
) -> None:
    """Fetch GP element sets (or SATCAT records) from CelesTrak and ingest them in one go.

    The body is downloaded and decoded in full first; nothing is saved or stored otherwise.
    """
    from sweepers.catalog.fetch import Query, fetch_into
    from sweepers.catalog.ingest import IngestReport

    try:
        query = Query.make(group=group, catnr=catnr, intdes=intdes, satcat=satcat, fmt=fmt)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if no_store and out is None:
        raise fail("--no-store without --out would fetch for nothing")
    store = None if no_store else _open(db)
    try:
        with progress_bar() as progress:
            task = progress.add_task(f"fetching {query.describe()}", total=None)
            bar = _Bar(progress)
            report = fetch_into(
                store, query, out=out, base=base_url, timeout_s=timeout, progress=bar
            )
            progress.update(task, visible=False)
    finally:
        if store is not None:
            store.close()
    _report_problems([report], show_rejected=not json_out)
    if json_out:
        print_json({**IngestReport(files=[report]).as_dict(), "saved": str(out) if out else None})
    else:
        console.print(_summary_table([report]))
        if out is not None:
            console.print(f"saved {out}", highlight=False)
    raise typer.Exit(_exit_code([report]))


@app.command("stats")
@handle_errors
def stats(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Summarise the store: objects, element sets, types, RCS sizes, epochs, metadata rows."""
    store = _open(db, create=False)
    try:
        summary = store.stats()
    finally:
        store.close()
    if json_out:
        print_json(summary)
        return
    table = Table(title=f"catalog {summary['store']}", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in ("objects", "element_sets", "satcat", "size_mass", "mass_estimates",
                "with_mass_estimate", "decayed", "gcat_payloads", "ingests"):
        table.add_row(key.replace("_", " "), f"{summary[key]:,}")
    for key, value in summary["epochs"].items():
        table.add_row(f"epoch {key.replace('_', ' ')}", value or "-")
    table.add_row("last ingest", summary["last_ingest"] or "-")
    for title, counts in (("type", summary["by_type"]), ("RCS size", summary["by_rcs_size"])):
        for name, n in counts.items():
            table.add_row(f"{title}: {name}", f"{n:,}")
    console.print(table)


def _omm(es: Any) -> dict[str, Any]:
    """The CelesTrak OMM keys of one element set, from the formats writer."""
    from sweepers.formats.omm import element_set_to_omm

    return element_set_to_omm(es)


def _tle_lines(es: Any) -> list[str] | None:
    """The TLE lines of ``es`` from the formats writer, or None if a TLE cannot hold it."""
    from sweepers.errors import FormatError
    from sweepers.formats.tle import format_tle

    try:
        return list(format_tle(es))
    except (FormatError, ValueError):
        return None


def _parse_id(text: str) -> int:
    text = text.strip()
    if text.isdigit():
        return int(text)
    from sweepers.formats.alpha5 import decode_alpha5

    try:
        return decode_alpha5(text)
    except ValueError:
        raise fail(f"{text!r} is not a catalog number (digits or Alpha-5)") from None


def _record_dict(rec: Any) -> dict[str, Any] | None:
    if rec is None:
        return None
    return {name: getattr(rec, name) for name in rec.__slots__ if name != "norad_id"}


@app.command("show")
@handle_errors
def show(
    object_id: Annotated[str, typer.Argument(metavar="ID", help="Catalog number (or Alpha-5).")],
    history: Annotated[bool, typer.Option("--history", help="List every stored epoch.")] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show one object: metadata, latest element set (OMM fields and TLE), optionally history."""
    norad_id = _parse_id(object_id)
    store = _open(db, create=False)
    try:
        info = store.object_info(norad_id)  # NotFoundError -> one line, exit 2
        latest = store.latest_one(norad_id)
        past = store.history(norad_id) if history else []
    finally:
        store.close()
    tle = _tle_lines(latest)
    if json_out:
        print_json({
            "norad_id": info.norad_id,
            "name": info.name,
            "object_id": info.object_id,
            "element_sets": info.element_sets,
            "first_epoch": info.first_epoch,
            "last_epoch": info.last_epoch,
            "satcat": _record_dict(info.satcat),
            "size_mass": _record_dict(info.size_mass),
            "gcat": _record_dict(info.gcat),
            "latest": {"omm": _omm(latest), "tle": tle},
            **({"history": [_omm(es) for es in past]} if history else {}),
        })
        return
    table = Table(title=f"{info.norad_id} {info.name or ''}", title_justify="left",
                  show_header=False)
    table.add_column("field")
    table.add_column("value")
    table.add_row("international designator", info.object_id or "-")
    table.add_row("element sets", f"{info.element_sets} ({info.first_epoch} … {info.last_epoch})")
    for label, rec in (("satcat", info.satcat), ("cara", info.size_mass), ("gcat", info.gcat)):
        fields = _record_dict(rec)
        if fields is None:
            table.add_row(label, "-")
            continue
        for name, value in fields.items():
            if value is not None:
                table.add_row(f"{label} {name}", str(value))
    for key, value in _omm(latest).items():
        table.add_row(key, str(value))
    console.print(table)
    if tle:
        console.print("\n".join(tle), highlight=False, markup=False)
    if history:
        hist = Table(title="history", title_justify="left")
        for col in ("EPOCH", "ELEMENT_SET_NO", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION"):
            hist.add_column(col)
        for es in past:
            hist.add_row(es.epoch.isoformat(), str(es.element_set_no),
                         f"{es.mean_motion_rev_day:.8f}", f"{es.eccentricity:.7f}",
                         f"{es.inclination_deg:.4f}")
        console.print(hist)
