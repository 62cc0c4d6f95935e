"""`csms stats`: sessions, energy, revenue, session length, utilisation and faults, per
station, location or day (definitions: `shared/billing/stats.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from cli.commands.cdrs import read_database
from cli.context import CliContext, client_options, pass_cli
from cli.errors import ServerUnreachableError
from cli.output import emit_json, note, print_table

if TYPE_CHECKING:
    from shared.store.database import Database

__all__ = ["stats"]


def _local(cli_ctx: CliContext, query: dict[str, Any]) -> dict[str, Any]:
    from shared.billing.reports import parse_moment, stats_report
    from shared.billing.stats import GroupBy, StatsWindow

    zone = query["tz"]
    now = datetime.now(UTC)
    end = parse_moment(query["to"], zone) if query["to"] else now
    start = parse_moment(query["from"], zone) if query["from"] else end - timedelta(days=1)
    if end <= start:
        raise click.BadParameter("--to must be after --from")
    window = StatsWindow(start, end, zone)

    async def read(database: Database) -> dict[str, Any]:
        async with database.read() as conn:
            return await stats_report(
                conn,
                window,
                GroupBy(query["by"]),
                now=now,
                station_id=query["station_id"],
                location_id=query["location_id"],
            )

    return read_database(cli_ctx.settings.database, read)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _revenue(items: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['incl_vat']:.2f} {r['currency']}" for r in items) or "-"


@click.command("stats")
@click.option(
    "--from", "from_", metavar="TIME", help="Start: date or RFC 3339 (default: 24 h ago)."
)
@click.option("--to", "to_", metavar="TIME", help="End, exclusive (default: now).")
@click.option(
    "--by", type=click.Choice(["station", "location", "day"]), default="station", show_default=True
)
@click.option("--tz", default="UTC", show_default=True, help="Zone of dates and days.")
@click.option("--station", "station_id", metavar="ID", help="Only this station.")
@click.option("--location", "location_id", metavar="ID", help="Only this location.")
@client_options
@pass_cli
def stats(
    cli_ctx: CliContext,
    from_: str | None,
    to_: str | None,
    by: str,
    tz: str,
    station_id: str | None,
    location_id: str | None,
) -> None:
    """Charging statistics for a period, per station, location or day.

    Sessions, energy and revenue count the sessions that started in the period; occupied
    and charging time (and utilisation, their share of the EVSEs' hours) count what
    happened in it. When the server is down, reads the database directly.
    """
    query = {
        "from": from_, "to": to_, "by": by, "tz": tz,
        "station_id": station_id, "location_id": location_id,
    }  # fmt: skip
    try:
        data = cli_ctx.client().get("/stats", query)
    except ServerUnreachableError as error:
        note(f"{error.message}\nReading the database directly instead.")
        data = _local(cli_ctx, query)
    if cli_ctx.json:
        emit_json(data)
        return
    _print_report(data)


def _print_report(data: dict[str, Any]) -> None:
    rows = [*data["rows"], data["total"]]
    print_table(
        f"{data['from']} – {data['to']} by {data['by']} ({data['time_zone']})",
        ["", "Sessions", "kWh", "Revenue", "Avg min", "Occupied", "Charging", "Faults"],
        (
            [
                r["key"],
                r["sessions"],
                f"{r['energy_kwh']:.3f}",
                _revenue(r["revenue"]),
                "-"
                if r["average_session_minutes"] is None
                else f"{r['average_session_minutes']:.1f}",
                _share(r["occupancy"]),
                _share(r["charging_share"]),
                r["faults"],
            ]
            for r in rows
        ),
        empty="No data.",
    )
