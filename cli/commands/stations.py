"""`csms stations list|show|add|variables` (the command verbs are in `station_commands.py`)."""

from __future__ import annotations

from typing import Any

import click

from cli.client import segment
from cli.context import CliContext, client_options, pass_cli
from cli.errors import ServerUnreachableError
from cli.output import emit_json, human_time, note, print_table, status_text, yes_no

__all__ = ["stations"]


@click.group()
def stations() -> None:
    """Charging stations: list, inspect, provision, and send them commands."""


def _fallback_note(error: ServerUnreachableError, action: str) -> None:
    note(f"{error.message}\n{action} the database directly instead.")


def _evse_summary(evses: list[dict[str, Any]]) -> str:
    if not evses:
        return "[dim]-[/dim]"
    return ", ".join(f"{evse['evse_id']} {status_text(evse['status'])}" for evse in evses)


def _connection(station: dict[str, Any]) -> str:
    return status_text("online" if station.get("connected") else "offline")


@stations.command("list")
@client_options
@pass_cli
def list_stations(cli_ctx: CliContext) -> None:
    """Every station with its connection and EVSE statuses.

    When the server is down, reads the database directly (and says so on stderr).
    """
    try:
        data = cli_ctx.client().get("/stations")
    except ServerUnreachableError as error:
        from cli.local import read_stations

        _fallback_note(error, "Reading")
        data = read_stations(cli_ctx.settings.database)
    if cli_ctx.json:
        emit_json(data)
        return
    print_table(
        None,
        ["Station", "OCPP", "Connection", "Registration", "Last seen", "EVSEs", "Model"],
        (
            [
                s["id"],
                s.get("ocpp_version"),
                _connection(s),
                status_text(s.get("registration_status")),
                human_time(s.get("last_seen")),
                _evse_summary(s.get("evses", [])),
                " ".join(p for p in (s.get("vendor"), s.get("model")) if p) or None,
            ]
            for s in data
        ),
        empty="No stations yet: `csms stations add ID` or let one connect.",
    )


@stations.command("show")
@click.argument("station_id")
@client_options
@pass_cli
def show_station(cli_ctx: CliContext, station_id: str) -> None:
    """A station's details, its EVSEs and connectors, and its active sessions."""
    data = cli_ctx.client().get(f"/stations/{segment(station_id)}")
    if cli_ctx.json:
        emit_json(data)
        return
    _print_station(data)


def _print_station(data: dict[str, Any]) -> None:
    from rich.table import Table

    from cli.output import console

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    for label, value in (
        ("Station", data["id"]),
        (
            "Connection",
            _connection(data) + (f" (node {data['node_id']})" if data.get("node_id") else ""),
        ),
        ("Registration", status_text(data.get("registration_status"))),
        ("OCPP", data.get("ocpp_version") or "[dim]-[/dim]"),
        ("Version if none offered", data.get("version_override") or "[dim]default[/dim]"),
        (
            "Vendor / model",
            " ".join(p for p in (data.get("vendor"), data.get("model")) if p) or "[dim]-[/dim]",
        ),
        (
            "Serial / firmware",
            f"{data.get('serial_number') or '-'} / {data.get('firmware_version') or '-'}",
        ),
        ("Password", yes_no(data.get("has_password"))),
        ("Keepalive ping", _ping(data.get("ping_interval"))),
        ("Validation", _strictness(data.get("lenient"))),
        ("Last seen", human_time(data.get("last_seen"))),
        ("Last boot", human_time(data.get("last_boot_at"))),
        ("Station status", status_text(data.get("station_status"))),
        ("Device model", f"{data.get('variable_count', 0)} variables"),
    ):
        facts.add_row(label, str(value))
    console().print(facts)
    print_table(
        "EVSEs",
        ["EVSE", "Connector", "Status", "As reported", "Error", "Since"],
        (
            [
                evse["evse_id"],
                connector["connector_id"],
                status_text(connector["status"]),
                connector.get("ocpp_status"),
                connector.get("error_code"),
                human_time(connector.get("status_at")),
            ]
            for evse in data.get("evses", [])
            for connector in evse.get("connectors", [])
        ),
        empty="No EVSEs reported yet.",
    )
    sessions = data.get("active_sessions", [])
    if sessions:
        print_table(
            "Active sessions",
            ["Session", "Transaction", "EVSE", "Id tag", "Start", "Energy (Wh)"],
            (
                [
                    s["id"],
                    s["transaction_id"],
                    s["evse_id"],
                    s["id_tag"],
                    human_time(s["start"]),
                    f"{s['energy_wh']:.0f}",
                ]
                for s in sessions
            ),
            empty="",
        )


def _ping(value: float | None) -> str:
    if value is None:
        return "[dim]config default[/dim]"
    return "off" if value == 0 else f"every {value:g} s"


def _strictness(value: bool | None) -> str:
    if value is None:
        return "[dim]config default[/dim]"
    return "lenient" if value else "strict"


@stations.command("variables")
@click.argument("station_id")
@client_options
@pass_cli
def station_variables(cli_ctx: CliContext, station_id: str) -> None:
    """The device model (2.0.1) or configuration keys (1.6) the station reported."""
    data = cli_ctx.client().get(f"/stations/{segment(station_id)}/variables")
    if cli_ctx.json:
        emit_json(data)
        return
    print_table(
        None,
        ["Component", "EVSE", "Variable", "Attribute", "Value", "Mutability"],
        (
            [
                _instance(v["component"], v["component_instance"]) or "[dim](1.6 key)[/dim]",
                v["evse_id"] or None,
                _instance(v["variable"], v["variable_instance"]),
                v["attribute_type"],
                v.get("value"),
                v.get("mutability"),
            ]
            for v in data
        ),
        empty=f"{station_id} has reported no variables yet.",
    )


def _instance(name: str, instance: str) -> str:
    return f"{name}[{instance}]" if instance else name


@stations.command("add")
@click.argument("station_id")
@click.option("--password", metavar="PW", help="Basic-auth password the charger must present.")
@click.option("--remove-password", is_flag=True, help="Let the charger in without a password.")
@click.option(
    "--version",
    "version",
    type=click.Choice(["1.6", "2.0.1"]),
    help="OCPP version to serve when the charger offers no subprotocol.",
)
@click.option(
    "--ping-interval",
    type=click.FloatRange(min=0, max=86_400),
    metavar="S",
    help="Websocket keepalive ping every S seconds (0: off for this station).",
)
@click.option(
    "--lenient/--strict",
    default=None,
    help="Tolerate out-of-spec values from this charger, or reject them.",
)
@click.option(
    "--registration",
    type=click.Choice(["accepted", "pending", "rejected"]),
    help="How to answer its BootNotification (default for a new station: accepted).",
)
@client_options
@pass_cli
def add_station(
    cli_ctx: CliContext,
    station_id: str,
    password: str | None,
    remove_password: bool,
    version: str | None,
    ping_interval: float | None,
    lenient: bool | None,
    registration: str | None,
) -> None:
    """Register a station ahead of its first connection, or change its settings.

    Settings not given keep their value. Works with the server down too (writes to the
    database directly).
    """
    if password is not None and remove_password:
        raise click.UsageError("give either --password or --remove-password, not both")
    if password == "":
        raise click.UsageError("--password must not be empty")
    body: dict[str, Any] = {
        key: value
        for key, value in (
            ("password", password),
            ("version", version),
            ("ping_interval", ping_interval),
            ("lenient", lenient),
            ("registration", registration),
        )
        if value is not None
    }
    if remove_password:
        body["remove_password"] = True
    try:
        answer = cli_ctx.client().put(f"/stations/{segment(station_id)}", body)
        created, station = bool(answer["created"]), answer["station"]
    except ServerUnreachableError as error:
        _fallback_note(error, "Writing to")
        created, station = _add_locally(cli_ctx, station_id, body)
    if cli_ctx.json:
        emit_json({"created": created, "station": station})
        return
    verb = "added" if created else "updated"
    password_state = "with a password" if station.get("has_password") else "without a password"
    click.echo(
        f"Station {station_id} {verb} ({password_state}, "
        f"registration {station.get('registration_status')})."
    )


def _add_locally(
    cli_ctx: CliContext, station_id: str, body: dict[str, Any]
) -> tuple[bool, dict[str, Any]]:
    from cli.local import add_station
    from cli.provisioning import StationProvisioning
    from shared.domain.stations import RegistrationStatus
    from shared.secrets import hash_password

    registration = body.get("registration")
    changes = StationProvisioning(
        password_hash=hash_password(body["password"]) if "password" in body else None,
        remove_password=bool(body.get("remove_password")),
        version=body.get("version"),
        ping_interval=body.get("ping_interval"),
        lenient=body.get("lenient"),
        registration=RegistrationStatus(registration) if registration else None,
    )
    return add_station(cli_ctx.settings.database, station_id, changes)
