"""CDR listings, CSV exports and statistics reports, as the operator API and `csms` show them.

`cdr_view` is the DESIGN.md contract of `csms cdrs list --json`: the OCPI 2.2.1 CDR object
as issued, plus `station_id` and `transaction_id` (the charger's transaction id, a string).
The CSV export has one row per CDR (credits included, with their negative totals) and the
columns an accountant needs, amounts as exact decimals with a dot.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.billing.stats import GroupBy, StatsWindow, compute_stats, total_row
from shared.billing.usage import load_zone
from shared.store.cdrs import StoredCdr, list_cdrs
from shared.store.stats import read_stats_facts

__all__ = [
    "CSV_COLUMNS",
    "cdr_csv_row",
    "cdr_view",
    "list_cdr_views",
    "parse_moment",
    "stats_report",
    "write_cdrs_csv",
]


def cdr_view(cdr: StoredCdr) -> dict[str, Any]:
    """The CDR as issued plus `station_id` and `transaction_id` (DESIGN.md "JSON shapes")."""
    return dict(cdr.record) | {"station_id": cdr.station_id, "transaction_id": cdr.transaction_ref}


async def list_cdr_views(
    conn: AsyncConnection,
    *,
    issued_from: datetime | None = None,
    issued_to: datetime | None = None,
    station_id: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """`cdr_view` of the CDRs issued in [from, to), oldest first."""
    found = await list_cdrs(
        conn,
        issued_from=issued_from,
        issued_to=issued_to,
        station_id=station_id,
        limit=limit,
        offset=offset,
    )
    return [cdr_view(cdr) for cdr in found]


def parse_moment(text: str, time_zone: str = "UTC") -> datetime:
    """An RFC 3339 date-time (UTC without a zone) or a date (its midnight in `time_zone`).

    Raises `ValueError` with a message fit for the person who typed it.
    """
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(0), load_zone(time_zone)).astimezone(UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is neither a date (YYYY-MM-DD) nor an RFC 3339 time") from None
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


CSV_COLUMNS = (
    "cdr_id",
    "credit",
    "credit_reference_id",
    "issued_at",
    "session_id",
    "station_id",
    "transaction_id",
    "location_id",
    "evse_uid",
    "evse_id",
    "connector_id",
    "start",
    "end",
    "energy_kwh",
    "time_hours",
    "parking_time_hours",
    "currency",
    "total_excl_vat",
    "total_incl_vat",
    "energy_cost_excl_vat",
    "time_cost_excl_vat",
    "parking_cost_excl_vat",
    "fixed_cost_excl_vat",
    "reservation_cost_excl_vat",
    "token_uid",
    "token_type",
    "contract_id",
    "emsp",
    "auth_method",
    "tariff_ids",
    "remark",
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def _amount(view: Mapping[str, Any], key: str, side: str = "excl_vat") -> str:
    price = view.get(key)
    return _text(price.get(side)) if isinstance(price, Mapping) else ""


def cdr_csv_row(view: Mapping[str, Any]) -> list[str]:
    """One CSV row (in `CSV_COLUMNS` order) of a `cdr_view`."""
    location = view.get("cdr_location") or {}
    token = view.get("cdr_token") or {}
    tariff_ids = sorted({str(t.get("id")) for t in view.get("tariffs") or ()})
    emsp = f"{token.get('country_code', '')}*{token.get('party_id', '')}" if token else ""
    values = [
        view.get("id"),
        bool(view.get("credit")),
        view.get("credit_reference_id"),
        view.get("last_updated"),
        view.get("session_id"),
        view.get("station_id"),
        view.get("transaction_id"),
        location.get("id"),
        location.get("evse_uid"),
        location.get("evse_id"),
        location.get("connector_id"),
        view.get("start_date_time"),
        view.get("end_date_time"),
        view.get("total_energy"),
        view.get("total_time"),
        view.get("total_parking_time"),
        view.get("currency"),
        _amount(view, "total_cost"),
        _amount(view, "total_cost", "incl_vat"),
        _amount(view, "total_energy_cost"),
        _amount(view, "total_time_cost"),
        _amount(view, "total_parking_cost"),
        _amount(view, "total_fixed_cost"),
        _amount(view, "total_reservation_cost"),
        token.get("uid"),
        token.get("type"),
        token.get("contract_id"),
        emsp,
        view.get("auth_method"),
        " ".join(tariff_ids),
        view.get("remark"),
    ]
    return [_text(value) for value in values]


def write_cdrs_csv(views: Iterable[Mapping[str, Any]], stream: TextIO) -> int:
    """Write a header and one row per CDR; the number of rows written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for view in views:
        writer.writerow(cdr_csv_row(view))
        count += 1
    return count


async def stats_report(
    conn: AsyncConnection,
    window: StatsWindow,
    by: GroupBy,
    *,
    now: datetime,
    station_id: str | None = None,
    location_id: str | None = None,
) -> dict[str, Any]:
    """The statistics of `window` grouped `by`, with a total row (see `shared.billing.stats`)."""
    facts = await read_stats_facts(conn, window, station_id=station_id, location_id=location_id)
    rows = compute_stats(
        window, by, evses=facts.evses, sessions=facts.sessions, cdrs=facts.cdrs,
        statuses=facts.statuses, now=now,
    )  # fmt: skip
    zone = ZoneInfo(window.time_zone)
    return {
        "from": window.start.isoformat().replace("+00:00", "Z"),
        "to": window.end.isoformat().replace("+00:00", "Z"),
        "time_zone": str(zone),
        "by": by.value,
        "rows": [row.as_json() for row in rows],
        "total": total_row(rows).as_json(),
    }
