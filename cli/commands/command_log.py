"""`csms commands list|show`: commands sent to stations and what became of them."""

from __future__ import annotations

import json

import click

from cli.client import segment
from cli.context import CliContext, client_options, pass_cli
from cli.output import emit_json, human_time, print_table, status_text

__all__ = ["commands"]


@click.group()
def commands() -> None:
    """Commands sent to stations (by operators, partners, load management)."""


@commands.command("list")
@click.option("--station", "station_id", metavar="ID", help="Only this station's commands.")
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Newest first."
)
@client_options
@pass_cli
def list_commands(cli_ctx: CliContext, station_id: str | None, limit: int) -> None:
    """Recent commands, newest first."""
    data = cli_ctx.client().get("/commands", {"station_id": station_id, "limit": limit})
    if cli_ctx.json:
        emit_json(data)
        return
    print_table(
        None,
        ["Command", "Station", "Kind", "Action", "Status", "By", "Created", "Reason"],
        (
            [
                c["id"],
                c["station_id"],
                c["command"],
                c.get("ocpp_action"),
                status_text(c["status"]),
                c["requested_by"],
                human_time(c["created_at"]),
                c.get("error"),
            ]
            for c in data
        ),
        empty="No commands yet.",
    )


@commands.command("show")
@click.argument("command_id")
@client_options
@pass_cli
def show_command(cli_ctx: CliContext, command_id: str) -> None:
    """One command: what was asked and what the charger answered."""
    data = cli_ctx.client().get(f"/commands/{segment(command_id)}")
    if cli_ctx.json:
        emit_json(data)
        return
    click.echo(f"{data['id']}: {data['command']} for {data['station_id']}, {data['status']}")
    if data.get("error"):
        click.echo(f"reason: {data['error']}")
    click.echo("request: " + json.dumps(data["request"], ensure_ascii=False))
    click.echo("response: " + json.dumps(data.get("response"), ensure_ascii=False))
