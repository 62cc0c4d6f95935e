"""`csms stations start|stop|reset|unlock|availability|set-config|profile|call`.

Each verb submits a domain command through the operator API, waits for the charger's answer
and prints it. Exit 0 only when the charger accepted; otherwise the exit code says why
(`cli.errors`: 1 rejected or failed, 5 unknown station, 6 station offline, 7 no answer in
time, …).
"""

from __future__ import annotations

import json
from typing import Any

import click

from cli.client import segment
from cli.commands.stations import stations
from cli.commands.tokens import TOKEN_TYPES
from cli.context import CliContext, client_options, pass_cli
from cli.errors import ChargerTimeoutError, CliError
from cli.output import emit_json, status_text

__all__ = ["submit_command"]

# How much longer than the charger's own timeout the CLI waits for the server to answer.
_HTTP_MARGIN_S = 15.0

_timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=1, max=3600),
    metavar="S",
    help="Seconds to wait for the charger's answer (default: [ocpp] call_timeout).",
)


def submit_command(
    cli_ctx: CliContext,
    station_id: str,
    kind: str,
    params: dict[str, Any],
    timeout: float | None,
) -> None:
    """Send `kind` with `params` to the station, print the outcome, exit accordingly."""
    wait = timeout if timeout is not None else cli_ctx.settings.ocpp.call_timeout
    body: dict[str, Any] = {"command": kind, "params": params}
    if timeout is not None:
        body["timeout"] = timeout
    client = cli_ctx.client(timeout=wait + _HTTP_MARGIN_S)
    record = client.post(f"/stations/{segment(station_id)}/commands", body)
    if cli_ctx.json:
        emit_json(record)
    else:
        _print_record(record)
    _exit_for(record)


def _print_record(record: dict[str, Any]) -> None:
    from cli.output import console

    action = record.get("ocpp_action") or record["command"]
    line = f"{record['station_id']}: {action} {status_text(record['status'])}"
    if record.get("error"):
        line += f" ({record['error']})"
    console().print(line)
    if record.get("response") is not None:
        click.echo(json.dumps(record["response"], indent=2, ensure_ascii=False))


def _exit_for(record: dict[str, Any]) -> None:
    """Return (exit 0) only when the charger accepted; otherwise raise the fitting error."""
    status = record["status"]
    if status == "accepted":
        return
    station = record["station_id"]
    reason = record.get("error") or status
    if status == "timeout":
        raise ChargerTimeoutError(f"{station} did not answer in time: {reason}")
    if status in ("pending", "sent"):
        raise ChargerTimeoutError(
            f"no final answer from {station} yet (command {record['id']} is {status}); "
            f"see `csms commands show {record['id']}`"
        )
    if status == "rejected":
        raise CliError(f"{station} rejected the command: {reason}")
    raise CliError(f"the command failed: {reason}")


@stations.command("start")
@click.argument("station_id")
@click.option("--id-tag", required=True, metavar="TAG", help="The token to charge with.")
@click.option("--evse", "evse_id", type=click.IntRange(min=1), help="EVSE (1.6: connector).")
@click.option(
    "--token-type",
    type=click.Choice(TOKEN_TYPES),
    default="ISO14443",
    show_default=True,
    help="2.0.1 IdTokenEnumType of the tag (1.6 ignores it).",
)
@click.option(
    "--limit-w",
    type=click.FloatRange(min=0, min_open=True),
    metavar="W",
    help="Charge at most W watts (a TxProfile sent with the start).",
)
@_timeout_option
@client_options
@pass_cli
def start(
    cli_ctx: CliContext,
    station_id: str,
    id_tag: str,
    evse_id: int | None,
    token_type: str,
    limit_w: float | None,
    timeout: float | None,
) -> None:
    """Start charging remotely for TAG (1.6 RemoteStartTransaction, 2.0.1
    RequestStartTransaction)."""
    params: dict[str, Any] = {"id_token": {"value": id_tag, "type": token_type}}
    if evse_id is not None:
        params["evse_id"] = evse_id
    if limit_w is not None:
        params["charging_limit_w"] = limit_w
    submit_command(cli_ctx, station_id, "start_charging", params, timeout)


@stations.command("stop")
@click.argument("station_id")
@click.option(
    "--transaction",
    "transaction_ref",
    required=True,
    metavar="TX",
    help="The transaction id as the charger knows it (`csms sessions list`).",
)
@_timeout_option
@client_options
@pass_cli
def stop(cli_ctx: CliContext, station_id: str, transaction_ref: str, timeout: float | None) -> None:
    """Stop a transaction remotely (1.6 RemoteStopTransaction, 2.0.1
    RequestStopTransaction)."""
    submit_command(
        cli_ctx, station_id, "stop_charging", {"transaction_ref": transaction_ref}, timeout
    )


@stations.command("reset")
@click.argument("station_id")
@click.option("--hard", is_flag=True, help="Reboot at once (default: soft, when idle).")
@_timeout_option
@client_options
@pass_cli
def reset(cli_ctx: CliContext, station_id: str, hard: bool, timeout: float | None) -> None:
    """Reset the station (1.6 Soft/Hard, 2.0.1 OnIdle/Immediate)."""
    submit_command(cli_ctx, station_id, "reset", {"hard": hard}, timeout)


@stations.command("unlock")
@click.argument("station_id")
@click.option(
    "--evse", "evse_id", type=click.IntRange(min=1), required=True, help="EVSE (1.6: connector)."
)
@click.option(
    "--connector",
    "connector_id",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Connector of the EVSE (2.0.1).",
)
@_timeout_option
@client_options
@pass_cli
def unlock(
    cli_ctx: CliContext, station_id: str, evse_id: int, connector_id: int, timeout: float | None
) -> None:
    """Unlock a connector (UnlockConnector)."""
    params = {"evse_id": evse_id, "connector_id": connector_id}
    submit_command(cli_ctx, station_id, "unlock", params, timeout)


@stations.command("availability")
@click.argument("station_id")
@click.option(
    "--evse",
    "evse_id",
    type=click.IntRange(min=0),
    required=True,
    help="EVSE (1.6: connector); 0 for the whole station.",
)
@click.option("--state", type=click.Choice(["operative", "inoperative"]), required=True)
@_timeout_option
@client_options
@pass_cli
def availability(
    cli_ctx: CliContext, station_id: str, evse_id: int, state: str, timeout: float | None
) -> None:
    """Make an EVSE operative or inoperative (ChangeAvailability)."""
    params = {"evse_id": evse_id, "operative": state == "operative"}
    submit_command(cli_ctx, station_id, "set_availability", params, timeout)


@stations.command("set-config")
@click.argument("station_id")
@click.argument("key")
@click.argument("value")
@_timeout_option
@client_options
@pass_cli
def set_config(
    cli_ctx: CliContext, station_id: str, key: str, value: str, timeout: float | None
) -> None:
    """Set a configuration value: 1.6 ChangeConfiguration KEY; 2.0.1 SetVariables with KEY
    as `Component.Variable` (e.g. OCPPCommCtrlr.HeartbeatInterval)."""
    submit_command(cli_ctx, station_id, "set_configuration", {"key": key, "value": value}, timeout)


@stations.command("profile")
@click.argument("station_id")
@click.option(
    "--evse",
    "evse_id",
    type=click.IntRange(min=0),
    required=True,
    help="EVSE (1.6: connector); 0 for the whole station.",
)
@click.option(
    "--limit-w",
    type=click.FloatRange(min=0),
    required=True,
    metavar="W",
    help="The most power the EVSE may draw, in watts.",
)
@_timeout_option
@client_options
@pass_cli
def profile(
    cli_ctx: CliContext, station_id: str, evse_id: int, limit_w: float, timeout: float | None
) -> None:
    """Limit an EVSE's power with a charging profile (SetChargingProfile)."""
    params = {"evse_id": evse_id, "limit_w": limit_w}
    submit_command(cli_ctx, station_id, "set_charging_limit", params, timeout)


def _payload(_ctx: click.Context, _param: click.Parameter, value: str) -> dict[str, Any]:
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise click.BadParameter("the payload must be a JSON object")
    return data


@stations.command("call")
@click.argument("station_id")
@click.argument("action")
@click.option(
    "--payload",
    default="{}",
    show_default=True,
    callback=_payload,
    metavar="JSON",
    help="The CALL's payload, checked against the action's schema before sending.",
)
@_timeout_option
@client_options
@pass_cli
def call(
    cli_ctx: CliContext,
    station_id: str,
    action: str,
    payload: dict[str, Any],
    timeout: float | None,
) -> None:
    """Send any OCPP ACTION with a JSON payload and print the charger's answer."""
    submit_command(cli_ctx, station_id, "raw_call", {"action": action, "payload": payload}, timeout)
