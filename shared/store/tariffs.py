"""Tariffs as stored: the tariff document the operator imported, one row per tariff id.

`tariffs.definition` is the imported OCPI 2.2.1 Tariff object in its JSON form (numbers as
JSON numbers), the format `shared.billing.codec.tariff_from_document` prices from and the
CDR embeds as it was when a session started; the columns repeat its identity for lookups.
Deleted tariffs stay (flag `deleted`) because sessions priced with them keep them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events import TariffChanged
from shared.store.paging import Cursor, Window, count_in_window, page_query
from shared.store.tables import tariffs
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert

__all__ = [
    "TariffRecord",
    "count_tariffs",
    "delete_tariff",
    "find_tariff_id",
    "get_tariff",
    "page_tariffs",
    "save_tariff",
    "tariff_exists",
]

#: Identity fields kept in columns; the stored document never repeats them.
_IDENTITY = ("country_code", "party_id", "id", "currency", "last_updated")


@dataclass(frozen=True, slots=True)
class TariffRecord:
    """A stored tariff: its identity and the document as imported."""

    id: str
    country_code: str
    party_id: str
    currency: str
    document: Mapping[str, Any]
    last_updated: datetime | None = None
    deleted: bool = False


def _record(row: Row[Any]) -> TariffRecord:
    document = row.definition if isinstance(row.definition, Mapping) else {}
    return TariffRecord(
        id=row.id,
        country_code=row.country_code,
        party_id=row.party_id,
        currency=row.currency,
        document=dict(document),
        last_updated=row.last_updated,
        deleted=row.deleted,
    )


async def save_tariff(uow: UnitOfWork, record: TariffRecord) -> bool:
    """Create or replace a tariff (undeleting it); True when it was created. Emits
    `TariffChanged`."""
    existed = await tariff_exists(uow.conn, record.id, include_deleted=True)
    values = {
        "id": record.id,
        "country_code": record.country_code,
        "party_id": record.party_id,
        "currency": record.currency,
        "definition": {k: v for k, v in record.document.items() if k not in _IDENTITY},
        "deleted": False,
        "last_updated": uow.now,
    }
    statement = upsert(uow.conn.dialect.name, tariffs, ["id"], [k for k in values if k != "id"])
    await uow.conn.execute(statement, values)
    uow.emit(TariffChanged(at=uow.now, tariff_id=record.id))
    return not existed


async def delete_tariff(uow: UnitOfWork, tariff_id: str) -> bool:
    """Withdraw a tariff (it stays stored, flagged); False when there was none."""
    result = await uow.conn.execute(
        update(tariffs)
        .where(tariffs.c.id == tariff_id, tariffs.c.deleted.is_(False))
        .values(deleted=True, last_updated=uow.now)
    )
    if result.rowcount:
        uow.emit(TariffChanged(at=uow.now, tariff_id=tariff_id, deleted=True))
    return bool(result.rowcount)


async def tariff_exists(
    conn: AsyncConnection, tariff_id: str, *, include_deleted: bool = False
) -> bool:
    """True when the tariff exists (and is not deleted, unless `include_deleted`)."""
    query = select(tariffs.c.id).where(tariffs.c.id == tariff_id)
    if not include_deleted:
        query = query.where(tariffs.c.deleted.is_(False))
    return (await conn.execute(query)).first() is not None


async def find_tariff_id(conn: AsyncConnection, tariff_id: str) -> str | None:
    """The stored id of a live tariff, compared as a CiString (exact match first)."""
    for clause in (tariffs.c.id == tariff_id, func.upper(tariffs.c.id) == tariff_id.upper()):
        query = select(tariffs.c.id).where(clause, tariffs.c.deleted.is_(False)).limit(1)
        row = (await conn.execute(query)).first()
        if row is not None:
            return str(row.id)
    return None


async def get_tariff(conn: AsyncConnection, tariff_id: str) -> TariffRecord | None:
    """A tariff (deleted ones too), or None."""
    row = (await conn.execute(select(tariffs).where(tariffs.c.id == tariff_id))).first()
    return _record(row) if row is not None else None


async def page_tariffs(
    conn: AsyncConnection,
    window: Window,
    *,
    limit: int,
    after: Cursor | None = None,
    offset: int = 0,
) -> tuple[list[TariffRecord], bool]:
    """One page of live tariffs by `(last_updated, id)` within `window`, and whether more
    follow."""
    query = page_query(
        select(tariffs).where(tariffs.c.deleted.is_(False)),
        tariffs.c.last_updated,
        tariffs.c.id,
        window=window,
        limit=limit + 1,
        after=after,
        offset=offset,
    )
    rows = (await conn.execute(query)).all()
    return [_record(row) for row in rows[:limit]], len(rows) > limit


async def count_tariffs(conn: AsyncConnection, window: Window) -> int:
    """How many live tariffs lie within `window`."""
    query = count_in_window(tariffs, tariffs.c.last_updated, window, tariffs.c.deleted.is_(False))
    return int((await conn.execute(query)).scalar_one())
