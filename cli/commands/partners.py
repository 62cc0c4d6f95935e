"""`csms partners list|show`: roaming partners (the OCPI gateway fills them in)."""

from __future__ import annotations

import click

from cli.context import CliContext, client_options, pass_cli
from cli.output import emit_json, human_time, print_table, status_text

__all__ = ["partners"]


@click.group()
def partners() -> None:
    """Roaming partners (eMSPs, hubs) over OCPI 2.2.1."""


def _roles(roles: list[dict[str, object]]) -> str:
    return ", ".join(
        f"{role.get('role')} {role.get('country_code')}*{role.get('party_id')}" for role in roles
    )


@partners.command("list")
@client_options
@pass_cli
def list_partners(cli_ctx: CliContext) -> None:
    """Every partner with its status and roles."""
    data = cli_ctx.client().get("/partners")
    if cli_ctx.json:
        emit_json(data)
        return
    print_table(
        None,
        ["Id", "Name", "Status", "Party", "Roles", "Version", "Updated"],
        (
            [
                p["id"],
                p["name"],
                status_text(p["status"]),
                f"{p['country_code']}*{p['party_id']}" if p.get("country_code") else None,
                _roles(p.get("roles", [])) or None,
                p.get("version"),
                human_time(p.get("updated_at")),
            ]
            for p in data
        ),
        empty="No partners yet.",
    )


@partners.command("show")
@click.argument("partner_id", type=int)
@client_options
@pass_cli
def show_partner(cli_ctx: CliContext, partner_id: int) -> None:
    """One partner, with the endpoints it published."""
    data = cli_ctx.client().get(f"/partners/{partner_id}")
    if cli_ctx.json:
        emit_json(data)
        return
    click.echo(f"{data['name']} (#{data['id']}), {data['status']}")
    click.echo(f"roles: {_roles(data.get('roles', [])) or '-'}")
    click.echo(f"versions: {data.get('versions_url') or '-'} (using {data.get('version') or '-'})")
    print_table(
        "Endpoints",
        ["Module", "Role", "URL"],
        ([e.get("identifier"), e.get("role"), e.get("url")] for e in data.get("endpoints", [])),
        empty="No endpoints yet.",
    )
