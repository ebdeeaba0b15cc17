"""The ``sweepers`` command: mounts each command group; heavy imports stay inside commands."""

from __future__ import annotations

from typing import Annotated

import typer

from sweepers import __version__
from sweepers.cli import (
    catalog_cmd,
    gtoc9_cmd,
    pc_cmd,
    plan_cmd,
    screen_cmd,
    service_cmd,
    sky_cmd,
    targets_cmd,
)
from sweepers.cli.common import set_debug

app = typer.Typer(
    name="sweepers",
    help="Salvage operations on orbital debris: know the sky, keep ships safe, find the money.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # help texts carry units in brackets, e.g. "[km]"
)
app.add_typer(catalog_cmd.app, name="catalog", help="Ingest, fetch and inspect the catalog store.")
app.command("where")(sky_cmd.where)
app.command("sweep")(sky_cmd.sweep)
app.command("screen")(screen_cmd.screen)
app.command("pc")(pc_cmd.pc)
app.command("targets")(targets_cmd.targets)
app.command("plan")(plan_cmd.plan)
app.add_typer(gtoc9_cmd.app, name="gtoc9", help='GTOC9 "The Kessler Run": check campaigns.')
app.command("serve")(service_cmd.serve)
app.command("worker")(service_cmd.worker)
app.add_typer(service_cmd.crew_app, name="crew", help="Crews of the operations service.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sweepers {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """sweepers — salvage operations on orbital debris."""
    set_debug(debug)


if __name__ == "__main__":  # pragma: no cover
    app()
