"""Helpers of the billing tests: a site (location, tariff, linked connector) in the store,
a 1.6 charger's session driven frame by frame, and waiting for what the workers write."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select, update

from shared.store.cdrs import StoredCdr, cdr_for_transaction, list_cdrs
from shared.store.database import Database
from shared.store.tables import connectors, evses, locations, stations, tariffs, transactions
from shared.store.upsert import insert_ignore, upsert
from tests.harness import OcppClient

__all__ = [
    "LOCATION",
    "add_location",
    "add_tariff",
    "boot_16",
    "cdr_of",
    "eventually",
    "iso",
    "link_connector",
    "meter_values_16",
    "session_row",
]

T = TypeVar("T")

LOCATION: dict[str, Any] = {
    "id": "LOC-1",
    "country_code": "SE",
    "party_id": "LDP",
    "publish": True,
    "name": "Laddpunkt Centralstationen",
    "address": "Centralplan 15",
    "city": "Stockholm",
    "postal_code": "111 20",
    "state": "Stockholms län",
    "country": "SWE",
    "latitude": "59.330231",
    "longitude": "18.059196",
    "time_zone": "Europe/Stockholm",
    "details": {},
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def add_location(database: Database, **changes: Any) -> dict[str, Any]:
    row = LOCATION | changes | {"last_updated": datetime.now(UTC)}
    async with database.begin() as conn:
        await conn.execute(insert(locations).values(**row))
    return row


async def add_tariff(database: Database, document: Mapping[str, Any]) -> None:
    """Store an OCPI Tariff document as `csms tariffs import` would."""
    async with database.begin() as conn:
        await conn.execute(
            insert(tariffs).values(
                id=document["id"],
                country_code=document.get("country_code", "SE"),
                party_id=document.get("party_id", "LDP"),
                currency=document["currency"],
                definition=dict(document),
                deleted=False,
                last_updated=datetime.now(UTC),
            )
        )


async def link_connector(
    database: Database,
    station_id: str,
    evse_id: int,
    connector_id: int,
    *,
    location_id: str | None,
    tariff_ids: Sequence[str] | None,
    evse_uid: str | None = None,
) -> None:
    """Link an EVSE to a location and give its connector tariffs (`csms locations link`)."""
    now = datetime.now(UTC)
    async with database.begin() as conn:
        dialect = conn.dialect.name
        await conn.execute(
            insert_ignore(dialect, stations, ["id"]),
            {
                "id": station_id,
                "registration_status": "accepted",
                "connected": False,
                "created_at": now,
                "updated_at": now,
            },
        )
        await conn.execute(
            upsert(
                dialect,
                evses,
                ["station_id", "evse_id"],
                ["location_id", "evse_uid", "ocpi_evse_id"],
            ),
            {
                "station_id": station_id,
                "evse_id": evse_id,
                "status": "Available",
                "location_id": location_id,
                "evse_uid": evse_uid or f"{station_id}-{evse_id}",
                "ocpi_evse_id": f"SE*LDP*E{station_id}*{evse_id}",
                "removed": False,
                "last_updated": now,
            },
        )
        await conn.execute(
            upsert(
                dialect,
                connectors,
                ["station_id", "evse_id", "connector_id"],
                ["tariff_ids", "standard", "format", "power_type"],
            ),
            {
                "station_id": station_id,
                "evse_id": evse_id,
                "connector_id": connector_id,
                "status": "Available",
                "standard": "IEC_62196_T2",
                "format": "SOCKET",
                "power_type": "AC_3_PHASE",
                "tariff_ids": list(tariff_ids) if tariff_ids is not None else None,
                "last_updated": now,
            },
        )


async def boot_16(client: OcppClient) -> None:
    answer = await client.call(
        "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}
    )
    assert answer[2]["status"] == "Accepted"


def meter_values_16(
    connector: int, transaction: int, at: datetime, energy_wh: float, power_w: float | None
) -> dict[str, Any]:
    sampled = [
        {"value": f"{energy_wh}", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    ]
    if power_w is not None:
        sampled.append({"value": f"{power_w}", "measurand": "Power.Active.Import", "unit": "W"})
    return {
        "connectorId": connector,
        "transactionId": transaction,
        "meterValue": [{"timestamp": iso(at), "sampledValue": sampled}],
    }


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, attempts: int = 400, pause: float = 0.025
) -> T:
    """`probe()`'s first non-None answer; fails after `attempts` tries (bounded wait)."""
    for _ in range(attempts):
        found = await probe()
        if found is not None:
            return found
        await asyncio.sleep(pause)
    raise AssertionError("the expected record never appeared")


async def cdr_of(database: Database, transaction_id: int) -> StoredCdr:
    async def probe() -> StoredCdr | None:
        async with database.read() as conn:
            return await cdr_for_transaction(conn, transaction_id)

    return await eventually(probe)


async def all_cdrs(database: Database) -> list[StoredCdr]:
    async with database.read() as conn:
        return await list_cdrs(conn, limit=10_000)


async def session_row(database: Database, transaction_id: int) -> Any:
    async with database.read() as conn:
        return (
            await conn.execute(select(transactions).where(transactions.c.id == transaction_id))
        ).first()


async def set_tariff_id(database: Database, transaction_id: int, tariff_id: str | None) -> None:
    async with database.begin() as conn:
        await conn.execute(
            update(transactions)
            .where(transactions.c.id == transaction_id)
            .values(tariff_id=tariff_id)
        )
