"""`csms tokens add|list`: the id tokens (RFID cards, app tokens) drivers charge with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from cli.context import CliContext, client_options, pass_cli
from cli.errors import ServerUnreachableError
from cli.output import emit_json, human_time, note, print_table, status_text

__all__ = ["tokens"]

# OCPP 2.0.1 IdTokenEnumType and AuthorizationStatusEnumType (1.6 idTags match any type).
TOKEN_TYPES = (
    "Central",
    "eMAID",
    "ISO14443",
    "ISO15693",
    "KeyCode",
    "Local",
    "MacAddress",
    "NoAuthorization",
)
TOKEN_STATUSES = ("Accepted", "Blocked", "Expired", "Invalid", "NoCredit")


@click.group()
def tokens() -> None:
    """Id tokens that may charge."""


def _parse_expiry(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date-time like 2027-01-31T00:00:00Z"
        ) from None
    # A time without an offset is taken as UTC, as everywhere else in Laddpunkt.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@tokens.command("add")
@click.argument("id_token")
@click.option(
    "--type",
    "token_type",
    type=click.Choice(TOKEN_TYPES),
    default="ISO14443",
    show_default=True,
    help="OCPP 2.0.1 token type.",
)
@click.option(
    "--status",
    type=click.Choice(TOKEN_STATUSES),
    default="Accepted",
    show_default=True,
    help="Blocked, Expired, … to refuse the token.",
)
@click.option("--expiry", callback=_parse_expiry, help="RFC 3339 date-time it stops working.")
@click.option("--group", "group_id", help="Group id: tokens of one group may stop each other.")
@client_options
@pass_cli
def add_token(
    cli_ctx: CliContext,
    id_token: str,
    token_type: str,
    status: str,
    expiry: datetime | None,
    group_id: str | None,
) -> None:
    """Authorize ID_TOKEN to charge (or change its status). Works with the server down."""
    if not 1 <= len(id_token) <= 36:
        raise click.BadParameter("an id token has 1 to 36 characters", param_hint="ID_TOKEN")
    body: dict[str, Any] = {"id_token": id_token, "type": token_type, "status": status}
    if expiry is not None:
        body["expiry"] = expiry.isoformat()
    if group_id:
        body["group_id"] = group_id
    try:
        answer = cli_ctx.client().post("/tokens", body)
        created, token = bool(answer["created"]), answer["token"]
    except ServerUnreachableError as error:
        from cli.local import add_token as add_locally
        from cli.provisioning import TokenProvisioning

        note(f"{error.message}\nWriting to the database directly instead.")
        created, token = add_locally(
            cli_ctx.settings.database,
            TokenProvisioning(id_token, token_type, status, expiry, group_id),
        )
    if cli_ctx.json:
        emit_json({"created": created, "token": token})
        return
    click.echo(f"Token {id_token} {'added' if created else 'updated'} ({token['status']}).")


@tokens.command("list")
@click.option("--source", help="Only tokens from this source: `local`, or a partner `CC*PTY`.")
@client_options
@pass_cli
def list_tokens(cli_ctx: CliContext, source: str | None) -> None:
    """Known id tokens: ours (source `local`) and those roaming partners uploaded."""
    data = cli_ctx.client().get("/tokens", {"source": source})
    if cli_ctx.json:
        emit_json(data)
        return
    print_table(
        None,
        ["Token", "Type", "Status", "Source", "Group", "Expiry"],
        (
            [
                t["id_token"],
                t["type"],
                status_text(t["status"]),
                t["source"],
                t.get("group_id"),
                human_time(t.get("expiry")),
            ]
            for t in data
        ),
        empty="No tokens yet: `csms tokens add TAG`.",
    )
