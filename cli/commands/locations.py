"""`csms locations import|link|unlink`: the charging locations partners see (OCPI 2.2.1).

`import FILE` takes an OCPI 2.2.1 Location object or a list of them (EVSEs may be left
out); `link LOCATION_ID STATION_ID` publishes the station's EVSEs under the location, with
their live status (`--tariff` sets the connectors' tariff). Both work with the server down.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cli.context import CliContext, client_options, pass_cli
from cli.errors import CliError, ServerUnreachableError
from cli.output import emit_json, note, print_table

__all__ = ["locations", "read_document"]


@click.group()
def locations() -> None:
    """Charging locations published to roaming partners."""


def read_document(path: Path) -> Any:
    """The JSON of an import file (an object or a list)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise CliError(f"{path} is not valid JSON: {error}") from None


def _report(what: str, result: dict[str, list[str]]) -> None:
    created, updated = result["created"], result["updated"]
    if created:
        click.echo(f"{what} added: {', '.join(created)}")
    if updated:
        click.echo(f"{what} replaced: {', '.join(updated)}")


@locations.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@client_options
@pass_cli
def import_locations(cli_ctx: CliContext, file: Path) -> None:
    """Add or replace the OCPI 2.2.1 Location(s) in FILE."""
    document = read_document(file)
    try:
        result = cli_ctx.client().post("/locations", document)
    except ServerUnreachableError as error:
        from cli.commands.ocpi_local import run_locally
        from ocpi_gateway.v221.operator import import_locations as import_now

        note(f"{error.message}\nWriting to the database directly instead.")
        done = run_locally(cli_ctx.settings, lambda services: import_now(services, document))
        result = {"created": list(done.created), "updated": list(done.updated)}
    if cli_ctx.json:
        emit_json(result)
        return
    _report("Locations", result)


@locations.command("link")
@click.argument("location_id")
@click.argument("station_id")
@click.option("--tariff", "tariff_id", help="Tariff id for the station's connectors.")
@client_options
@pass_cli
def link_station(
    cli_ctx: CliContext, location_id: str, station_id: str, tariff_id: str | None
) -> None:
    """Publish STATION_ID's EVSEs and connectors under LOCATION_ID, live status included."""
    from cli.client import segment

    path = f"/locations/{segment(location_id)}/stations/{segment(station_id)}"
    body = {"tariff_id": tariff_id} if tariff_id else {}
    try:
        result = cli_ctx.client().post(path, body)
    except ServerUnreachableError as error:
        from cli.commands.ocpi_local import run_locally
        from ocpi_gateway.v221.operator import link_station_to_location

        note(f"{error.message}\nWriting to the database directly instead.")
        done = run_locally(
            cli_ctx.settings,
            lambda services: link_station_to_location(services, location_id, station_id, tariff_id),
        )
        evses = [{"evse_id": evse_id, "uid": uid} for evse_id, uid in done.evses]
        result = {"location_id": location_id, "station_id": station_id, "evses": evses}
    if cli_ctx.json:
        emit_json(result)
        return
    print_table(
        f"{station_id} at {location_id}",
        ["EVSE", "Published uid"],
        ([e["evse_id"], e["uid"]] for e in result["evses"]),
        empty=f"{station_id} has no EVSEs yet.",
    )


@locations.command("unlink")
@click.argument("location_id")
@click.argument("station_id")
@client_options
@pass_cli
def unlink_station(cli_ctx: CliContext, location_id: str, station_id: str) -> None:
    """Withdraw STATION_ID's EVSEs from LOCATION_ID (partners see them as REMOVED)."""
    from cli.client import segment

    path = f"/locations/{segment(location_id)}/stations/{segment(station_id)}"
    result = cli_ctx.client().request("DELETE", path)
    if cli_ctx.json:
        emit_json(result)
        return
    click.echo(f"{result['removed']} EVSE(s) of {station_id} withdrawn from {location_id}.")
