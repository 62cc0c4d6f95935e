"""`csms sessions list|show`: charging sessions (transactions) and their meter values."""

from __future__ import annotations

from typing import Any

import click

from cli.context import CliContext, client_options, pass_cli
from cli.errors import ServerUnreachableError
from cli.output import console, emit_json, human_time, note, print_table, status_text

__all__ = ["sessions"]


@click.group()
def sessions() -> None:
    """Charging sessions (transactions)."""


def _energy(value: float | None) -> str:
    return f"{value:,.0f}" if value is not None else "-"


@sessions.command("list")
@click.option("--active", is_flag=True, help="Only sessions that are still running.")
@click.option("--station", "station_id", metavar="ID", help="Only this station's sessions.")
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=1000,
    show_default=True,
    help="At most this many, newest first.",
)
@client_options
@pass_cli
def list_sessions(cli_ctx: CliContext, active: bool, station_id: str | None, limit: int) -> None:
    """Sessions, newest first.

    When the server is down, reads the database directly (and says so on stderr).
    """
    query = {"active": True if active else None, "station_id": station_id, "limit": limit}
    try:
        data = cli_ctx.client().get("/sessions", query)
    except ServerUnreachableError as error:
        from cli.local import read_sessions

        note(f"{error.message}\nReading the database directly instead.")
        data = read_sessions(
            cli_ctx.settings.database,
            active=True if active else None,
            station_id=station_id,
            limit=limit,
        )
    if cli_ctx.json:
        emit_json(data)
        return
    print_table(
        None,
        ["Session", "Station", "EVSE", "Transaction", "Id tag", "Start", "End", "Wh", "Status"],
        (
            [
                s["id"],
                s["station_id"],
                s["evse_id"],
                s["transaction_id"],
                s["id_tag"],
                human_time(s["start"]),
                human_time(s["end"]),
                _energy(s["energy_wh"]),
                status_text(s["status"]),
            ]
            for s in data
        ),
        empty="No active sessions." if active else "No sessions yet.",
    )


@sessions.command("show")
@click.argument("session_id", type=int)
@client_options
@pass_cli
def show_session(cli_ctx: CliContext, session_id: int) -> None:
    """One session with its meter values."""
    data = cli_ctx.client().get(f"/sessions/{session_id}")
    if cli_ctx.json:
        emit_json(data)
        return
    _print_session(data)


def _print_session(data: dict[str, Any]) -> None:
    from rich.table import Table

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    cost = data.get("cost_incl_vat") or data.get("cost_excl_vat")
    for label, value in (
        ("Session", data["id"]),
        ("Status", status_text(data["status"])),
        ("Station / EVSE", f"{data['station_id']} / {data['evse_id']}"),
        ("Charger's transaction id", data["transaction_id"]),
        ("Id tag", data.get("id_tag") or "-"),
        ("Start", human_time(data["start"])),
        ("End", human_time(data["end"])),
        ("Energy", f"{_energy(data['energy_wh'])} Wh"),
        ("Stop reason", data.get("stop_reason") or "-"),
        ("Cost", f"{cost} {data.get('currency') or ''}".strip() if cost else "-"),
    ):
        facts.add_row(label, str(value))
    console().print(facts)
    print_table(
        "Meter values",
        ["Time", "EVSE", "Measurand", "Phase", "Value", "Unit", "Context"],
        (
            [
                human_time(m["timestamp"]),
                m["evse_id"],
                m["measurand"],
                m.get("phase"),
                f"{m['value']:g}",
                m.get("unit"),
                m.get("context"),
            ]
            for m in data.get("meter_values", [])
        ),
        empty="No meter values.",
    )
