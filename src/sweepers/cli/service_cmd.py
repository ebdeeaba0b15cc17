"""``sweepers serve``, ``sweepers worker`` and ``sweepers crew add``: thin shells over
:mod:`sweepers.service`."""

from __future__ import annotations

from typing import Annotated

import typer

from sweepers.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    fail,
    handle_errors,
    print_json,
)

crew_app = typer.Typer(no_args_is_help=True)


@handle_errors
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Server processes.")] = 1,
) -> None:
    """Run the operations service (REST API under /api/v1, docs at /docs) on uvicorn."""
    import os

    import uvicorn

    from sweepers.service.db import open_store
    from sweepers.service.refresh import refresh_status

    open_store(db).close()  # migrate once, before the server processes start
    err_console.print(f"sweepers serve: {refresh_status()}", highlight=False, soft_wrap=True)
    if db:
        os.environ["SWEEPERS_DB"] = db  # the factory of each server process reads it
    uvicorn.run("sweepers.service.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="info", access_log=False)


@handle_errors
def worker(
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="Run queued jobs, then exit.")] = False,
    lease_s: Annotated[
        float, typer.Option("--lease-s", min=1.0, help="Job lease [s]; renewed while running.")
    ] = 30.0,
) -> None:
    """Run jobs from the service's queue (plans, screenings, catalog refreshes)."""
    from sweepers.service.db import open_store
    from sweepers.service.refresh import refresh_status
    from sweepers.service.worker import run_worker

    status = refresh_status()
    with open_store(db) as store:
        if not once:
            err_console.print(f"sweepers worker: {status}", highlight=False, soft_wrap=True)
        run_worker(store, once=once, lease_s=lease_s)


@crew_app.command("add")
@handle_errors
def crew_add(
    name: Annotated[str, typer.Argument(help="Name of the new crew.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a crew and print its captain's API key (shown only this once)."""
    from sqlalchemy.exc import IntegrityError

    from sweepers.service.auth import create_crew
    from sweepers.service.db import open_store

    name = name.strip()
    if not name or len(name) > 64:
        raise fail("a crew name has 1 to 64 characters")
    with open_store(db) as store:
        try:
            _, key = create_crew(store.engine, name)
        except IntegrityError:
            raise fail(f"a crew named {name!r} already exists") from None
    if as_json:
        print_json({"crew": name, "api_key": key})
        return
    console.print(f"crew {name} created; captain's API key (shown only once):", highlight=False)
    console.print(key, highlight=False, soft_wrap=True)
