"""`csms tariffs import|delete`: the tariffs partners see and sessions are priced with."""

from __future__ import annotations

from pathlib import Path

import click

from cli.commands.locations import read_document
from cli.context import CliContext, client_options, pass_cli
from cli.errors import ServerUnreachableError
from cli.output import emit_json, note

__all__ = ["tariffs"]


@click.group()
def tariffs() -> None:
    """Tariffs (OCPI 2.2.1) of the connectors."""


@tariffs.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@client_options
@pass_cli
def import_tariffs(cli_ctx: CliContext, file: Path) -> None:
    """Add or replace the OCPI 2.2.1 Tariff(s) in FILE. Works with the server down."""
    document = read_document(file)
    try:
        result = cli_ctx.client().post("/tariffs", document)
    except ServerUnreachableError as error:
        from cli.commands.ocpi_local import run_locally
        from ocpi_gateway.v221.operator import import_tariffs as import_now

        note(f"{error.message}\nWriting to the database directly instead.")
        done = run_locally(cli_ctx.settings, lambda services: import_now(services, document))
        result = {"created": list(done.created), "updated": list(done.updated)}
    if cli_ctx.json:
        emit_json(result)
        return
    if result["created"]:
        click.echo(f"Tariffs added: {', '.join(result['created'])}")
    if result["updated"]:
        click.echo(f"Tariffs replaced: {', '.join(result['updated'])}")


@tariffs.command("delete")
@click.argument("tariff_id")
@client_options
@pass_cli
def delete_tariff(cli_ctx: CliContext, tariff_id: str) -> None:
    """Withdraw TARIFF_ID (sessions that started with it keep it)."""
    from cli.client import segment

    result = cli_ctx.client().request("DELETE", f"/tariffs/{segment(tariff_id)}")
    if cli_ctx.json:
        emit_json(result)
        return
    click.echo(f"Tariff {tariff_id} deleted.")
