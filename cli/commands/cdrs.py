"""`csms cdrs list|show|export|credit`: charge detail records.

`list --json` prints the DESIGN.md contract: OCPI 2.2.1 CDR objects plus `station_id` and
`transaction_id`. `--from`/`--to` select CDRs by when they were issued (a CDR never changes,
so that is its OCPI `last_updated`); both take a date (YYYY-MM-DD, midnight UTC) or an RFC
3339 time. `list` and `export` read the database directly when the server is down; `credit`
needs the server (the credit CDR is pushed to partners from there).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from cli.client import segment
from cli.context import CliContext, client_options, pass_cli, run_async
from cli.errors import CliError, ServerUnreachableError
from cli.output import emit_json, human_time, note, print_table

if TYPE_CHECKING:
    from shared.config import DatabaseSettings
    from shared.store.database import Database

__all__ = ["cdrs", "read_database"]

T = TypeVar("T")
PAGE = 1000


def read_database(settings: DatabaseSettings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on the database (for commands that fall back to it when the server is down)."""
    from sqlalchemy.exc import DBAPIError

    from shared.store.database import Database

    async def main() -> T:
        database = Database(settings)
        try:
            return await work(database)
        finally:
            await database.dispose()

    try:
        return run_async(main())
    except DBAPIError as error:
        raise CliError(f"cannot read the database {settings.display_url}: {error.orig}") from None


@click.group()
def cdrs() -> None:
    """Charge detail records: list, show, export, credit."""


def _window_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--station", "station_id", metavar="ID", help="Only this station's.")(
        command
    )
    command = click.option("--to", "to_", metavar="TIME", help="Issued before (date or RFC 3339).")(
        command
    )
    return click.option("--from", "from_", metavar="TIME", help="Issued at or after.")(command)


def _query(from_: str | None, to_: str | None, station_id: str | None) -> dict[str, Any]:
    from shared.billing.reports import parse_moment

    for name, text in (("--from", from_), ("--to", to_)):
        if text:
            try:
                parse_moment(text)
            except ValueError as error:
                raise click.BadParameter(str(error), param_hint=name) from None
    return {"from": from_, "to": to_, "station_id": station_id}


def _read_local(cli_ctx: CliContext, query: dict[str, Any], limit: int, offset: int) -> list[Any]:
    from shared.billing.reports import list_cdr_views, parse_moment

    async def read(database: Database) -> list[Any]:
        async with database.read() as conn:
            return await list_cdr_views(
                conn,
                issued_from=parse_moment(query["from"]) if query["from"] else None,
                issued_to=parse_moment(query["to"]) if query["to"] else None,
                station_id=query["station_id"],
                limit=limit,
                offset=offset,
            )

    return read_database(cli_ctx.settings.database, read)


def _pages(cli_ctx: CliContext, query: dict[str, Any], limit: int | None) -> Iterator[Any]:
    """Every CDR of the query, page by page, from the server or else the database."""
    offset, local = 0, False
    while limit is None or offset < limit:
        size = PAGE if limit is None else min(PAGE, limit - offset)
        if not local:
            try:
                page = cli_ctx.client().get("/cdrs", query | {"limit": size, "offset": offset})
            except ServerUnreachableError as error:
                note(f"{error.message}\nReading the database directly instead.")
                local = True
        if local:
            page = _read_local(cli_ctx, query, size, offset)
        yield from page
        if len(page) < size:
            return
        offset += size


def _money(price: dict[str, Any] | None, currency: str) -> str:
    if not price:
        return "-"
    shown = price.get("incl_vat", price.get("excl_vat"))
    return f"{shown} {currency}"


@cdrs.command("list")
@_window_options
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@client_options
@pass_cli
def list_cdrs(
    cli_ctx: CliContext, from_: str | None, to_: str | None, station_id: str | None, limit: int
) -> None:
    """CDRs issued in a period, oldest first (credit CDRs included)."""
    data = list(_pages(cli_ctx, _query(from_, to_, station_id), limit))
    if cli_ctx.json:
        emit_json(data)
        return
    print_table(
        None,
        ["CDR", "Station", "Transaction", "Start", "End", "kWh", "Total (incl. VAT)", "Credit of"],
        (
            [
                c["id"],
                c["station_id"],
                c["transaction_id"],
                human_time(c["start_date_time"]),
                human_time(c["end_date_time"]),
                c["total_energy"],
                _money(c.get("total_cost"), c["currency"]),
                c.get("credit_reference_id"),
            ]
            for c in data
        ),
        empty="No CDRs in that period.",
    )


@cdrs.command("show")
@click.argument("cdr_id")
@client_options
@pass_cli
def show_cdr(cli_ctx: CliContext, cdr_id: str) -> None:
    """One CDR with its charging periods."""
    data = cli_ctx.client().get(f"/cdrs/{segment(cdr_id)}")
    if cli_ctx.json:
        emit_json(data)
        return
    _print_cdr(data)


def _facts(data: dict[str, Any]) -> list[tuple[str, object]]:
    currency = data["currency"]
    location = data.get("cdr_location") or {}
    token = data.get("cdr_token") or {}
    credit = f"  (credit of {data['credit_reference_id']})" if data.get("credit") else ""
    return [
        ("CDR", data["id"] + credit),
        ("Station / transaction", f"{data['station_id']} / {data['transaction_id']}"),
        ("Location / EVSE", f"{location.get('id', '-')} / {location.get('evse_id', '-')}"),
        ("Start", human_time(data["start_date_time"])),
        ("End", human_time(data["end_date_time"])),
        ("Energy", f"{data['total_energy']} kWh"),
        ("Time / parking", f"{data['total_time']} h / {data.get('total_parking_time', 0)} h"),
        ("Token", f"{token.get('uid', '-')} ({token.get('type', '-')}, {data['auth_method']})"),
        ("Total excl. VAT", f"{data['total_cost']['excl_vat']} {currency}"),
        ("Total incl. VAT", _money(data.get("total_cost"), currency)),
        ("Remark", data.get("remark") or "-"),
    ]


def _print_cdr(data: dict[str, Any]) -> None:
    from rich.table import Table

    from cli.output import console

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    for label, value in _facts(data):
        facts.add_row(label, str(value))
    console().print(facts)
    print_table(
        "Charging periods",
        ["Start", "Dimensions", "Tariff"],
        (
            [
                human_time(p["start_date_time"]),
                ", ".join(f"{d['type']} {d['volume']}" for d in p["dimensions"]),
                p.get("tariff_id"),
            ]
            for p in data.get("charging_periods", [])
        ),
        empty="No charging periods.",
    )


@cdrs.command("export")
@_window_options
@click.option(
    "--format", "format_", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="File (default stdout)."
)
@client_options
@pass_cli
def export_cdrs(
    cli_ctx: CliContext,
    from_: str | None,
    to_: str | None,
    station_id: str | None,
    format_: str,
    output: Path | None,
) -> None:
    """All CDRs issued in a period: CSV (one row per CDR) or JSON (as `list --json`)."""
    rows = _pages(cli_ctx, _query(from_, to_, station_id), None)
    stream: TextIO = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if format_ == "json":
            import json

            data = list(rows)
            stream.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            count = len(data)
        else:
            from shared.billing.reports import write_cdrs_csv

            count = write_cdrs_csv(rows, stream)
    finally:
        if output:
            stream.close()
    if output:
        note(f"{count} CDRs written to {output}")


@cdrs.command("credit")
@click.argument("cdr_id")
@click.option("--reason", metavar="TEXT", help="Why (kept in the credit CDR's remark).")
@client_options
@pass_cli
def credit_cdr(cli_ctx: CliContext, cdr_id: str, reason: str | None) -> None:
    """Issue the credit CDR of CDR_ID (OCPI: a CDR is never changed, it is credited)."""
    data = cli_ctx.client().post(f"/cdrs/{segment(cdr_id)}/credit", {"reason": reason})
    if cli_ctx.json:
        emit_json(data)
        return
    click.echo(f"credit CDR {data['id']} issued: {_money(data['total_cost'], data['currency'])}")
