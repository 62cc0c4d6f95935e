"""CDRs as stored: written once, never updated (credits are new rows), read many ways.

`cdrs.record` is the CDR as issued (OCPI CDR field names, see `shared.billing.cdrs`); the
other columns repeat what lists, exports and statistics filter and add up on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import cdrs, transactions
from shared.store.uow import UnitOfWork
from shared.store.upsert import insert_ignore

__all__ = [
    "StoredCdr",
    "cdr_for_transaction",
    "credit_of",
    "get_cdr",
    "highest_transaction_id",
    "insert_cdr",
    "list_cdrs",
    "lowest_active_transaction",
    "transactions_without_cdr",
]


@dataclass(frozen=True, slots=True)
class StoredCdr:
    """One stored CDR: the record as issued plus the columns kept beside it."""

    id: str
    transaction_id: int | None
    station_id: str
    transaction_ref: str
    start_date_time: datetime
    end_date_time: datetime
    total_energy_kwh: Decimal
    total_cost_excl_vat: Decimal
    total_cost_incl_vat: Decimal | None
    currency: str
    credit: bool
    credit_reference_id: str | None
    partner_id: int | None
    record: Mapping[str, Any]
    created_at: datetime
    last_updated: datetime


def _cdr(row: Row[Any]) -> StoredCdr:
    return StoredCdr(
        id=row.id,
        transaction_id=row.transaction_id,
        station_id=row.station_id,
        transaction_ref=row.transaction_ref,
        start_date_time=row.start_date_time,
        end_date_time=row.end_date_time,
        total_energy_kwh=row.total_energy_kwh,
        total_cost_excl_vat=row.total_cost_excl_vat,
        total_cost_incl_vat=row.total_cost_incl_vat,
        currency=row.currency,
        credit=bool(row.credit),
        credit_reference_id=row.credit_reference_id,
        partner_id=row.partner_id,
        record=row.record,
        created_at=row.created_at,
        last_updated=row.last_updated,
    )


async def insert_cdr(uow: UnitOfWork, cdr: StoredCdr) -> bool:
    """Store `cdr` unless a CDR with its id exists; True when this call stored it."""
    statement = insert_ignore(uow.conn.dialect.name, cdrs, ["id"]).returning(cdrs.c.id)
    row = (
        await uow.conn.execute(
            statement,
            {
                "id": cdr.id,
                "transaction_id": cdr.transaction_id,
                "station_id": cdr.station_id,
                "transaction_ref": cdr.transaction_ref,
                "country_code": str(cdr.record["country_code"]),
                "party_id": str(cdr.record["party_id"]),
                "start_date_time": cdr.start_date_time,
                "end_date_time": cdr.end_date_time,
                "total_energy_kwh": cdr.total_energy_kwh,
                "total_cost_excl_vat": cdr.total_cost_excl_vat,
                "total_cost_incl_vat": cdr.total_cost_incl_vat,
                "currency": cdr.currency,
                "credit": cdr.credit,
                "credit_reference_id": cdr.credit_reference_id,
                "partner_id": cdr.partner_id,
                "record": dict(cdr.record),
                "created_at": cdr.created_at,
                "last_updated": cdr.last_updated,
            },
        )
    ).first()
    return row is not None


async def get_cdr(conn: AsyncConnection, cdr_id: str) -> StoredCdr | None:
    """The CDR `cdr_id`, or None."""
    row = (await conn.execute(select(cdrs).where(cdrs.c.id == cdr_id))).first()
    return None if row is None else _cdr(row)


async def cdr_for_transaction(conn: AsyncConnection, transaction_id: int) -> StoredCdr | None:
    """The (non-credit) CDR issued for the transaction, or None."""
    row = (
        await conn.execute(
            select(cdrs)
            .where(cdrs.c.transaction_id == transaction_id, cdrs.c.credit.is_(False))
            .order_by(cdrs.c.created_at)
            .limit(1)
        )
    ).first()
    return None if row is None else _cdr(row)


async def credit_of(conn: AsyncConnection, cdr_id: str) -> StoredCdr | None:
    """The credit CDR that credits `cdr_id`, or None."""
    row = (
        await conn.execute(
            select(cdrs).where(cdrs.c.credit_reference_id == cdr_id, cdrs.c.credit.is_(True))
        )
    ).first()
    return None if row is None else _cdr(row)


def _listing(
    issued_from: datetime | None, issued_to: datetime | None, station_id: str | None
) -> Select[Any]:
    query = select(cdrs)
    if issued_from is not None:
        query = query.where(cdrs.c.last_updated >= issued_from)
    if issued_to is not None:
        query = query.where(cdrs.c.last_updated < issued_to)
    if station_id is not None:
        query = query.where(cdrs.c.station_id == station_id)
    return query


async def list_cdrs(
    conn: AsyncConnection,
    *,
    issued_from: datetime | None = None,
    issued_to: datetime | None = None,
    station_id: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[StoredCdr]:
    """CDRs issued in [`issued_from`, `issued_to`), oldest first (a CDR's `last_updated` is
    when it was issued: CDRs never change, mod_cdrs "Flow and Lifecycle")."""
    query = _listing(issued_from, issued_to, station_id)
    rows = await conn.execute(
        query.order_by(cdrs.c.last_updated, cdrs.c.id).limit(limit).offset(offset)
    )
    return [_cdr(row) for row in rows]


async def transactions_without_cdr(
    conn: AsyncConnection, *, after_id: int = 0, limit: int = 100
) -> list[int]:
    """Ids of completed transactions (above `after_id`) that have no CDR yet, lowest first."""
    issued = select(cdrs.c.id).where(
        and_(cdrs.c.transaction_id == transactions.c.id, cdrs.c.credit.is_(False))
    )
    rows = await conn.execute(
        select(transactions.c.id)
        .where(
            transactions.c.status == "completed",
            transactions.c.id > after_id,
            ~issued.exists(),
        )
        .order_by(transactions.c.id)
        .limit(limit)
    )
    return [row.id for row in rows]


async def lowest_active_transaction(conn: AsyncConnection) -> int | None:
    """The lowest id of an active transaction, or None when none is active."""
    value = (
        await conn.execute(
            select(func.min(transactions.c.id)).where(transactions.c.status == "active")
        )
    ).scalar()
    return None if value is None else int(value)


async def highest_transaction_id(conn: AsyncConnection) -> int:
    """The highest transaction id so far (0 without any)."""
    value = (await conn.execute(select(func.max(transactions.c.id)))).scalar()
    return 0 if value is None else int(value)
