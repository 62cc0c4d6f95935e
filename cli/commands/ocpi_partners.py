"""`csms partners invite|connect|remove`: registering roaming partners (OCPI credentials).

Importing this module adds the commands to the `partners` group (`cli/commands/partners.py`
lists and shows partners).

- `invite --name NAME`: a Token A and our versions URL, to hand to the partner, which then
  registers with us (`--json`: `{"token_a": …, "versions_url": …}`). Works with the server
  down.
- `connect --versions-url URL --token TOKEN`: we register with a partner that gave us its
  versions URL and Token A (the server must run: the partner calls us back meanwhile).
- `remove ID`: unregister (the partner is told unless `--no-notify`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from cli.commands.partners import partners
from cli.context import CliContext, client_options, pass_cli
from cli.errors import ServerUnreachableError
from cli.output import emit_json, note

__all__ = ["connect_partner", "invite_partner", "remove_partner"]

F = TypeVar("F", bound=Callable[..., Any])


@partners.command("invite")
@click.option("--name", required=True, help="The partner's name, for operators.")
@client_options
@pass_cli
def invite_partner(cli_ctx: CliContext, name: str) -> None:
    """Create a Token A for a partner to register with (credentials module)."""
    if not name.strip() or len(name) > 100:
        raise click.BadParameter("a partner name has 1 to 100 characters", param_hint="--name")
    try:
        answer = cli_ctx.client().post("/partners/invite", {"name": name})
    except ServerUnreachableError as error:
        from cli.commands.ocpi_local import run_locally
        from ocpi_gateway.partners import invite_partner as invite_now

        note(f"{error.message}\nWriting to the database directly instead.")
        invitation = run_locally(cli_ctx.settings, lambda services: invite_now(services, name))
        answer = {"token_a": invitation.token_a, "versions_url": invitation.versions_url}
    if cli_ctx.json:
        emit_json({"token_a": answer["token_a"], "versions_url": answer["versions_url"]})
        return
    click.echo(f"Give {name} these, over a secure channel:")
    click.echo(f"  versions URL: {answer['versions_url']}")
    click.echo(f"  token (A):    {answer['token_a']}")


def _connect_options(command: F) -> F:
    """`client_options` without `--token`: on `connect` it is the partner's token (the
    admin token is then given before the sub-command: `csms --token T partners connect`)."""

    def store(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
        def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
            if value:
                setattr(ctx.ensure_object(CliContext), attribute, value)

        return callback

    options = [
        click.option(
            "--json",
            "json_output",
            is_flag=True,
            expose_value=False,
            callback=store("json"),
            help="Print JSON for scripts.",
        ),
        click.option(
            "--server",
            metavar="URL",
            expose_value=False,
            callback=store("server"),
            help="The node to talk to (default: [http] host/port from the config).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@partners.command("connect")
@click.option("--versions-url", required=True, help="The partner's versions endpoint.")
@click.option("--token", "partner_token", required=True, help="The Token A the partner gave.")
@click.option("--name", help="The partner's name (default: its host).")
@_connect_options
@pass_cli
def connect_partner(
    cli_ctx: CliContext, versions_url: str, partner_token: str, name: str | None
) -> None:
    """Register with a partner (we start the credentials exchange)."""
    body = {"versions_url": versions_url, "token": partner_token}
    if name:
        body["name"] = name
    partner = cli_ctx.client(timeout=30).post("/partners/connect", body)
    if cli_ctx.json:
        emit_json(partner)
        return
    roles = ", ".join(
        f"{r.get('role')} {r.get('country_code')}*{r.get('party_id')}"
        for r in partner.get("roles", [])
    )
    click.echo(f"Registered with {partner['name']} (#{partner['id']}): {roles}")


@partners.command("remove")
@click.argument("partner_id", type=int)
@click.option("--no-notify", is_flag=True, help="Do not tell the partner (it is unreachable).")
@client_options
@pass_cli
def remove_partner(cli_ctx: CliContext, partner_id: int, no_notify: bool) -> None:
    """Unregister PARTNER_ID: both credentials tokens stop working."""
    query = "?notify=false" if no_notify else ""
    answer = cli_ctx.client(timeout=30).request("DELETE", f"/partners/{partner_id}{query}")
    if cli_ctx.json:
        emit_json(answer)
        return
    click.echo(f"Partner {partner_id} unregistered.")
    if answer.get("warning"):
        note(str(answer["warning"]))
