"""Helpers of the transaction tests: tokens in the store, and reading what was stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from shared.domain.transactions import MeterSample, Transaction
from shared.events import TransactionEnded, TransactionStarted, TransactionUpdated
from shared.store.database import Database
from shared.store.meter_values import meter_samples
from shared.store.tables import id_tokens, station_events, transaction_events
from shared.store.transactions import list_transactions
from tests.harness import OcppClient

__all__ = [
    "BOOT_16",
    "BOOT_201",
    "EventLog",
    "add_token",
    "authorization_records",
    "booted",
    "events_of",
    "samples_of",
    "transactions_of",
]


async def add_token(
    database: Database,
    value: str,
    status: str = "Accepted",
    *,
    group_id: str | None = None,
    expiry: datetime | None = None,
    type_: str = "ISO14443",
) -> None:
    """Store a local token (what `csms tokens add` will do)."""
    async with database.begin() as conn:
        await conn.execute(
            insert(id_tokens).values(
                source="local",
                id_token=value,
                type=type_,
                status=status,
                group_id=group_id,
                expiry=expiry,
                whitelist="ALWAYS",
                last_updated=datetime.now(UTC),
            )
        )


async def transactions_of(database: Database, station_id: str) -> list[Transaction]:
    """The station's transactions, oldest first."""
    async with database.read() as conn:
        found = await list_transactions(conn, station_id=station_id)
    return sorted(found, key=lambda tx: tx.id)


async def samples_of(
    database: Database, station_id: str, transaction_id: int | None = None
) -> list[MeterSample]:
    async with database.read() as conn:
        return await meter_samples(conn, station_id=station_id, transaction_id=transaction_id)


async def events_of(database: Database, transaction_id: int) -> list[Any]:
    """(seq_no, event_type, offline) of the stored events, by seqNo."""
    async with database.read() as conn:
        rows = await conn.execute(
            select(
                transaction_events.c.seq_no,
                transaction_events.c.event_type,
                transaction_events.c.offline,
            )
            .where(transaction_events.c.transaction_id == transaction_id)
            .order_by(transaction_events.c.seq_no)
        )
        return [tuple(row) for row in rows]


BOOT_16 = {"chargePointVendor": "Acme", "chargePointModel": "AC-22"}
BOOT_201 = {
    "chargingStation": {"vendorName": "Acme", "model": "DC-50"},
    "reason": "PowerUp",
}


class EventLog:
    """Every transaction event the node's bus publishes, in order."""

    def __init__(self, bus: Any) -> None:
        self.events: list[Any] = []
        for kind in (TransactionStarted, TransactionUpdated, TransactionEnded):
            bus.subscribe(kind, self.events.append)

    def kinds(self, transaction_id: int) -> list[str]:
        return [type(e).__name__ for e in self.events if e.transaction_id == transaction_id]


async def booted(client: OcppClient, version: str) -> None:
    answer = await client.call("BootNotification", BOOT_16 if version == "1.6" else BOOT_201)
    assert answer[2]["status"] == "Accepted"


async def authorization_records(database: Database, station_id: str) -> list[dict[str, Any]]:
    async with database.read() as conn:
        rows = await conn.execute(
            select(station_events.c.data)
            .where(
                station_events.c.station_id == station_id,
                station_events.c.kind == "authorization",
            )
            .order_by(station_events.c.id)
        )
        return [dict(row.data) for row in rows]
