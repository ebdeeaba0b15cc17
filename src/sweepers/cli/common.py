"""What every command shares: one clear error line (no traceback unless ``--debug``), exit codes,
the ``--db`` and ``--strict-epochs`` options, epochs on the command line, JSON output and progress
bars. No command module imports another: what two commands share lives here or in the library.

Exit status: 0 all good, 2 usage or fatal error, 3 some input records rejected.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sweepers.epochs import parse_epoch
from sweepers.errors import SweepersError

EXIT_OK = 0
EXIT_FATAL = 2
EXIT_REJECTED = 3

console = Console()
err_console = Console(stderr=True)

_state: dict[str, bool] = {"debug": False}

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy URL of the store (default: $SWEEPERS_DB or SQLite in the user data dir).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
StrictEpochsOption = Annotated[
    bool,
    typer.Option(
        "--strict-epochs",
        help="Back-test: use only element sets at or before the start (objects whose sets all "
             "come later are left out and counted). Default: each object's newest set at or "
             "before the start, else its oldest after it.",
    ),
]


def parse_utc(text: str) -> datetime:
    """An ISO 8601 epoch (``Z`` or offset allowed; naive means UTC) or ``now`` → tz-aware UTC."""
    if text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        return parse_epoch(text.strip())
    except ValueError as exc:
        raise SweepersError(f"{exc}: not an ISO 8601 epoch (e.g. 2023-10-09T12:00:00Z)") from None


def set_debug(flag: bool) -> None:
    """Show full tracebacks (``--debug``) instead of one line per error."""
    _state["debug"] = flag


def is_debug() -> bool:
    """Whether ``--debug`` was given."""
    return _state["debug"]


def fail(message: str, code: int = EXIT_FATAL) -> typer.Exit:
    """Print one clear error line on stderr and return the ``typer.Exit`` to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn library errors (and unexpected ones) into one line and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except SweepersError as exc:
            if is_debug():
                raise
            raise fail(str(exc)) from None
        except Exception as exc:  # the last line of defence: never a bare traceback
            if is_debug():
                raise
            raise fail(
                f"{type(exc).__name__}: {exc} (run with --debug for the traceback)"
            ) from None

    return wrapper  # type: ignore[return-value]


def print_json(obj: Any) -> None:
    """Write ``obj`` as JSON on stdout (dates and paths as strings)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
    sys.stdout.flush()


T = TypeVar("T")


def progress_bar(*, transient: bool = True, disable: bool = False) -> Progress:
    """A rich progress bar with count, elapsed time and ETA, drawn on stderr."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
        disable=disable,
    )


def track(
    items: Iterable[T], total: int, description: str, *, disable: bool = False
) -> Iterator[T]:
    """Iterate ``items`` with a progress bar on stderr."""
    with progress_bar(disable=disable) as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)


def registry_exclusions(engine: object) -> set[int]:
    """The catalog numbers "unclaimed only" leaves out: held by an active claim (any crew) or
    salvaged, from the service tables of the store's database; says on stderr how many and why
    (or that the database has no claims registry)."""
    from sweepers.service.claims import unavailable_ids

    found = unavailable_ids(engine)  # type: ignore[arg-type]
    if found is None:
        err_console.print("--unclaimed-only: this database has no claims registry (the "
                          "service's tables); nothing is left out", highlight=False)
        return set()
    held, gone = found
    err_console.print(f"--unclaimed-only: left out {len(held)} objects under an active claim "
                      f"and {len(gone - held)} salvaged", highlight=False)
    return held | gone


def catalog_snapshot(
    db: str | None, *, unclaimed_only: bool = False
) -> tuple[list[Any], dict[int, Any], set[int]]:
    """What the planning commands read from the store, in one read: the newest element set of
    every object, the objects' metadata by catalog number, and (``unclaimed_only``) the ids the
    claims registry holds (:func:`registry_exclusions`; else empty). A store without element
    sets is a one-line error."""
    from sweepers.catalog.store import CatalogStore

    with CatalogStore.open(db, create=False) as store:
        elements = store.latest()
        if not elements:
            raise fail(f"the store {store.url} has no element sets: ingest a catalog first")
        meta = {o.norad_id: o for o in store.objects()}
        held = registry_exclusions(store.engine) if unclaimed_only else set()
    return elements, meta, held
