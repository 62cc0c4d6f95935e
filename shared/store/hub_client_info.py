"""The hub's ClientInfo objects as the hubclientinfo Receiver keeps them (`hub_client_info`).

Rows are keyed by the party (country code and party id, upper-cased) whichever hub sent
them, the way `shared.store.hub_clients` reads them for routing. Protocol-free: role and
status are stored as sent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import hub_client_info
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert

__all__ = ["ClientRecord", "get_client", "list_clients", "put_client"]


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """One party behind a hub."""

    partner_id: int
    country_code: str
    party_id: str
    role: str
    status: str
    last_updated: datetime


def _record(row: Any) -> ClientRecord:
    return ClientRecord(
        row.partner_id, row.country_code, row.party_id, row.role, row.status, row.last_updated
    )


async def get_client(
    conn: AsyncConnection, country_code: str, party_id: str
) -> ClientRecord | None:
    """The stored ClientInfo of party `country_code`/`party_id`, or None."""
    row = (
        await conn.execute(
            select(hub_client_info).where(
                hub_client_info.c.country_code == country_code.upper(),
                hub_client_info.c.party_id == party_id.upper(),
            )
        )
    ).first()
    return _record(row) if row is not None else None


async def list_clients(conn: AsyncConnection, partner_id: int) -> list[ClientRecord]:
    """The ClientInfo objects hub `partner_id` sent, by country code and party id."""
    query = (
        select(hub_client_info)
        .where(hub_client_info.c.partner_id == partner_id)
        .order_by(hub_client_info.c.country_code, hub_client_info.c.party_id)
    )
    return [_record(row) for row in await conn.execute(query)]


async def put_client(uow: UnitOfWork, record: ClientRecord) -> bool:
    """Insert or replace a party's ClientInfo; True when it was new."""
    existing = await get_client(uow.conn, record.country_code, record.party_id)
    values = asdict(record)
    values["country_code"] = record.country_code.upper()
    values["party_id"] = record.party_id.upper()
    statement = upsert(
        uow.conn.dialect.name,
        hub_client_info,
        ("country_code", "party_id"),
        ("partner_id", "role", "status", "last_updated"),
    )
    await uow.conn.execute(statement, values)
    return existing is None
