"""`csms` — the operator's command line.

`csms serve` runs a node; the other commands talk to the running node's operator API, or
(for lists, when the server is down) read the database directly.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from shared.config import ConfigError, Settings, load_settings
from shared.logging import configure_logging

__all__ = ["cli", "main"]

T = TypeVar("T")


class CliContext:
    """Lazily loaded settings shared by the sub-commands."""

    def __init__(self, config_path: Path | None) -> None:
        self.config_path = config_path
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings


pass_cli = click.make_pass_decorator(CliContext)


@click.group()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    envvar="CSMS_CONFIG",
    help="TOML configuration file (default: built-in defaults + CSMS_* variables).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Laddpunkt: an OCPP 1.6J/2.0.1 central system with an OCPI 2.2.1 CPO gateway."""
    ctx.obj = CliContext(config_path)


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
    configure_logging(settings.logging.level, settings.logging.format)
    from cli.node import Node, run_until_signalled

    _run(run_until_signalled(Node(settings)))


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

    revision = _run(upgrade())
    click.echo(f"database {settings.database.display_url} is at revision {revision}")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` on uvloop when it is installed, else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on POSIX
        return asyncio.run(coroutine)
    result: T = uvloop.run(coroutine)
    return result


def main() -> None:
    """Console entry point."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
