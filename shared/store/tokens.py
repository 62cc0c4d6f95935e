"""Tokens uploaded by roaming partners (eMSPs), as `id_tokens` rows.

Protocol-free: a `PartnerToken` is what the OCPP side needs to authorize a driver (status,
whitelist, group) plus what the partner sent and wants back on GET. `source` is the issuing
party as `CC*PARTY` (`shared.domain.partners.party_key`); a token is one per source and
value, whatever its type (the type is stored and compared on reads).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import id_tokens
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert

__all__ = ["PartnerToken", "get_partner_token", "save_partner_token"]


@dataclass(frozen=True, slots=True)
class PartnerToken:
    """One partner's token as stored (`status`: Accepted, Blocked, …)."""

    source: str
    id_token: str
    type: str
    status: str
    partner_id: int
    contract_id: str
    issuer: str
    whitelist: str
    last_updated: datetime
    visual_number: str | None = None
    group_id: str | None = None
    language: str | None = None
    default_profile_type: str | None = None
    energy_contract: dict[str, Any] | None = None


_COLUMNS = tuple(PartnerToken.__dataclass_fields__)


def _token(row: Any) -> PartnerToken:
    return PartnerToken(**{name: getattr(row, name) for name in _COLUMNS})


async def get_partner_token(
    conn: AsyncConnection, source: str, id_token: str, type_: str | None = None
) -> PartnerToken | None:
    """The token `id_token` of party `source` (of type `type_` when given), or None."""
    query = select(id_tokens).where(id_tokens.c.source == source, id_tokens.c.id_token == id_token)
    if type_ is not None:
        query = query.where(id_tokens.c.type == type_)
    row = (await conn.execute(query)).first()
    return _token(row) if row is not None else None


async def save_partner_token(uow: UnitOfWork, token: PartnerToken) -> bool:
    """Insert or replace `token` (keyed by source and value); True when it was new."""
    existing = await get_partner_token(uow.conn, token.source, token.id_token)
    values = asdict(token)
    update = [name for name in _COLUMNS if name not in ("source", "id_token")]
    statement = upsert(uow.conn.dialect.name, id_tokens, ("source", "id_token"), update)
    await uow.conn.execute(statement, values)
    return existing is None
