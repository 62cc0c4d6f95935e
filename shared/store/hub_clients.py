"""Parties a hub partner connects us to, and how their connection stands.

mod_hub_client_info: a hub pushes one ClientInfo per party it serves (country code, party
id, role, status CONNECTED / OFFLINE / PLANNED / SUSPENDED). Only CONNECTED parties can be
sent requests; for the others pushes are not queued (the party syncs by GET when it is back).
Protocol-free: statuses are stored as the hub sent them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import hub_client_info
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert

__all__ = ["CONNECTED", "HubClient", "get_hub_client", "list_hub_clients", "save_hub_client"]

#: The one status in which a party can be sent requests.
CONNECTED = "CONNECTED"


@dataclass(frozen=True, slots=True)
class HubClient:
    """One party behind a hub (country code and party id upper-cased)."""

    partner_id: int
    country_code: str
    party_id: str
    role: str
    status: str
    last_updated: datetime

    @property
    def reachable(self) -> bool:
        return self.status == CONNECTED


def _client(row: Any) -> HubClient:
    return HubClient(
        row.partner_id, row.country_code, row.party_id, row.role, row.status, row.last_updated
    )


async def get_hub_client(
    conn: AsyncConnection, country_code: str, party_id: str
) -> HubClient | None:
    """The stored ClientInfo of a party, whichever hub sent it."""
    row = (
        await conn.execute(
            select(hub_client_info).where(
                hub_client_info.c.country_code == country_code.upper(),
                hub_client_info.c.party_id == party_id.upper(),
            )
        )
    ).first()
    return _client(row) if row is not None else None


async def list_hub_clients(conn: AsyncConnection, partner_id: int | None = None) -> list[HubClient]:
    """Every stored ClientInfo (of one hub when `partner_id` is given)."""
    query = select(hub_client_info).order_by(
        hub_client_info.c.country_code, hub_client_info.c.party_id
    )
    if partner_id is not None:
        query = query.where(hub_client_info.c.partner_id == partner_id)
    return [_client(row) for row in await conn.execute(query)]


async def save_hub_client(uow: UnitOfWork, client: HubClient) -> bool:
    """Insert or replace a party's ClientInfo; True when it was new."""
    values = {
        "partner_id": client.partner_id,
        "country_code": client.country_code.upper(),
        "party_id": client.party_id.upper(),
        "role": client.role,
        "status": client.status,
        "last_updated": client.last_updated,
    }
    existing = await get_hub_client(uow.conn, client.country_code, client.party_id)
    statement = upsert(
        uow.conn.dialect.name,
        hub_client_info,
        ("country_code", "party_id"),
        ("partner_id", "role", "status", "last_updated"),
    )
    await uow.conn.execute(statement, values)
    return existing is None
