"""State shared by the `csms` sub-commands: the configuration, where the server is, how to
print; plus the options every client command takes and a way to run coroutines.

Imports stay light (no aiohttp, SQLAlchemy or rich here): `csms --help` must be quick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from cli.client import AdminClient
    from shared.config import Settings

__all__ = ["CliContext", "client_options", "pass_cli", "run_async"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class CliContext:
    """Lazily loaded settings and the command line's overrides."""

    def __init__(
        self,
        config_path: Path | None = None,
        server: str | None = None,
        token: str | None = None,
    ) -> None:
        self.config_path = config_path
        self.server = server
        self.token = token
        self.json = False
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """The configuration: `--config` file (if any) plus `CSMS_*` variables."""
        if self._settings is None:
            from shared.config import ConfigError, load_settings

            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    @property
    def base_url(self) -> str:
        from cli.client import admin_base_url

        if self.server:
            return admin_base_url(self.server, "", 0)
        http = self.settings.http
        return admin_base_url(None, http.host, http.port)

    def client(self, timeout: float | None = None) -> AdminClient:
        """A client of the running server's operator API."""
        from cli.client import DEFAULT_TIMEOUT, AdminClient

        token = self.token
        if token is None and (secret := self.settings.http.admin_token) is not None:
            token = secret.get_secret_value()
        return AdminClient(self.base_url, token, timeout or DEFAULT_TIMEOUT)


pass_cli = click.make_pass_decorator(CliContext, ensure=True)


def _setter(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def store(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is None or value is False:
            return
        cli_ctx = ctx.ensure_object(CliContext)
        if attribute == "config_path":
            cli_ctx._settings = None  # a later --config wins over an earlier one
        setattr(cli_ctx, attribute, value)

    return store


def client_options(command: F) -> F:
    """`--json`, `--server`, `--token` and `--config`, accepted after any sub-command too
    (`csms stations list --json --server http://…`)."""
    options = [
        click.option(
            "--json",
            "json_output",
            is_flag=True,
            expose_value=False,
            callback=_setter("json"),
            help="Print JSON for scripts instead of tables.",
        ),
        click.option(
            "--server",
            metavar="URL",
            expose_value=False,
            callback=_setter("server"),
            help="The node to talk to (default: [http] host/port from the config).",
        ),
        click.option(
            "--token",
            metavar="TOKEN",
            expose_value=False,
            callback=_setter("token"),
            help="Admin bearer token (default: [http] admin_token from the config).",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            expose_value=False,
            callback=_setter("config_path"),
            help="TOML configuration file.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` on uvloop when it is installed, else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on POSIX
        return asyncio.run(coroutine)
    result: T = uvloop.run(coroutine)
    return result
