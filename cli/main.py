"""`csms` — the operator's command line.

`csms serve` runs a node; the other commands talk to the running node's operator API
(`/admin/`), or, for lists and provisioning when the server is down, the database directly.
Sub-command modules import what they need lazily, so `csms --help` starts fast.
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path

import click

from cli.commands.cdrs import cdrs
from cli.commands.command_log import commands
from cli.commands.locations import locations
from cli.commands.messages import messages
from cli.commands.partners import partners
from cli.commands.sessions import sessions
from cli.commands.simulate import simulate
from cli.commands.stations import stations
from cli.commands.stats import stats
from cli.commands.tariffs import tariffs
from cli.commands.tokens import tokens
from cli.context import CliContext, pass_cli, run_async

__all__ = ["cli", "main"]

_EPILOG = """\b
Exit codes: 0 done (the charger accepted), 1 failed or rejected, 2 bad command line,
3 server unreachable, 4 access denied (admin token), 5 not found, 6 station offline,
7 the charger did not answer in time, 8 server error.
"""


@click.group(epilog=_EPILOG)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    envvar="CSMS_CONFIG",
    help="TOML configuration file (default: built-in defaults + CSMS_* variables).",
)
@click.option("--server", metavar="URL", help="The node to talk to (default: [http] host/port).")
@click.option("--token", metavar="TOKEN", help="Admin bearer token (default: [http] admin_token).")
@click.pass_context
def cli(
    ctx: click.Context, config_path: Path | None, server: str | None, token: str | None
) -> None:
    """Laddpunkt: an OCPP 1.6J/2.0.1 central system with an OCPI 2.2.1 CPO gateway."""
    ctx.obj = CliContext(config_path, server, token)


@cli.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="TOML configuration file.",
)
@pass_cli
def serve(cli_ctx: CliContext, config_path: Path | None) -> None:
    """Run a node: the OCPP server, the OCPI gateway and the operator API."""
    if config_path is not None:
        cli_ctx.config_path = config_path
    settings = cli_ctx.settings
    from cli.node import Node, run_until_signalled
    from shared.logging import configure_logging

    configure_logging(settings.logging.level, settings.logging.format)
    run_async(run_until_signalled(Node(settings)))


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_cli
def db_upgrade(cli_ctx: CliContext) -> None:
    """Create or migrate the schema to the newest revision."""
    from shared.store.database import Database
    from shared.store.migrate import current_revision, upgrade_database

    settings = cli_ctx.settings

    async def upgrade() -> str | None:
        database = Database(settings.database)
        try:
            await upgrade_database(database)
            return await current_revision(database)
        finally:
            await database.dispose()

    revision = run_async(upgrade())
    click.echo(f"database {settings.database.display_url} is at revision {revision}")


# Importing the verbs' module registers them on the `stations` group.
import_module("cli.commands.station_commands")
cli.add_command(stations)
cli.add_command(sessions)
cli.add_command(messages)
cli.add_command(tokens)
cli.add_command(partners)
cli.add_command(cdrs)
cli.add_command(stats)
cli.add_command(commands)
import_module("cli.commands.ocpi_partners")  # invite/connect/remove on `partners`
cli.add_command(locations)
cli.add_command(tariffs)
cli.add_command(simulate)


def main() -> None:
    """Console entry point."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
