"""The push outbox: what partners must be told, written in the change's own transaction.

DESIGN.md "OCPI pushes use a transactional outbox": a row saying "tell partners about object
X" commits or rolls back with the change itself, so a crash never loses a push. Rows are
protocol-free: a module (`locations`, `sessions`, `cdrs`, `tariffs`), an object id, a method
(PUT, PATCH, POST, DELETE) and, for PATCH, the names of the fields that changed. What the
partner is sent is built by the gateway from the object's state when it delivers the row.

Object ids: a location ``LOC``, one of its EVSEs ``LOC/EVSE_UID``, a session the transaction
id, a CDR the CDR id, a tariff the tariff id.

Each partner reads the rows through its own cursor (`partner_push_state.last_outbox_id`), so
one slow partner delays nobody. Rows with `partner_id` NULL are for every partner with the
receiving endpoint; the others for that partner only (sessions and CDRs go to the eMSP whose
token was used). A delivered CDR row keeps the partner's `Location` header in its payload,
which also records that the CDR was sent (CDRs are POSTed once).

Writes on the hot path use `defer_outbox` (one executemany per batch); the worker's own
writes (cursor, delivery marks) go through the store writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import outbox, partner_push_state
from shared.store.uow import UnitOfWork

__all__ = [
    "OutboxEntry",
    "OutboxMethod",
    "OutboxModule",
    "PushState",
    "cdr_delivery",
    "defer_outbox",
    "drop_push_state",
    "ensure_push_state",
    "entries_after",
    "get_push_state",
    "last_outbox_id",
    "mark_delivered",
    "prune_outbox",
    "save_push_state",
]


class OutboxModule(StrEnum):
    """Which kind of object a row is about."""

    LOCATIONS = "locations"
    SESSIONS = "sessions"
    CDRS = "cdrs"
    TARIFFS = "tariffs"


class OutboxMethod(StrEnum):
    """What happened to the object: replaced/created, partly changed, issued, removed."""

    PUT = "PUT"
    PATCH = "PATCH"
    POST = "POST"
    DELETE = "DELETE"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One outbox row."""

    id: int
    module: OutboxModule
    object_id: str
    method: OutboxMethod
    partner_id: int | None
    created_at: datetime
    fields: tuple[str, ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def delivered_location(self) -> str | None:
        """The `Location` a partner answered for this (CDR) row, once delivered."""
        location = self.payload.get("location")
        return location if isinstance(location, str) else None

    @property
    def delivered(self) -> bool:
        return "delivered_at" in self.payload


@dataclass(frozen=True, slots=True)
class PushState:
    """A partner's cursor in the outbox and how its pushes are going."""

    partner_id: int
    last_outbox_id: int
    failing_since: datetime | None = None
    last_error: str | None = None


_INSERT = insert(outbox)


def defer_outbox(
    uow: UnitOfWork,
    module: OutboxModule,
    object_id: str,
    method: OutboxMethod,
    *,
    fields: Iterable[str] = (),
    partner_id: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Queue an outbox row in `uow` (written at flush, in the same transaction)."""
    payload: dict[str, Any] = dict(extra or {})
    names = sorted(set(fields))
    if names:
        payload["fields"] = names
    uow.defer(
        _INSERT,
        {
            "module": module.value,
            "object_id": object_id,
            "method": method.value,
            "payload": payload or None,
            "partner_id": partner_id,
            "created_at": uow.now,
        },
    )


def _entry(row: Any) -> OutboxEntry:
    payload = dict(row.payload or {})
    return OutboxEntry(
        id=int(row.id),
        module=OutboxModule(row.module),
        object_id=row.object_id,
        method=OutboxMethod(row.method),
        partner_id=row.partner_id,
        created_at=row.created_at,
        fields=tuple(payload.get("fields") or ()),
        payload=payload,
    )


async def entries_after(
    conn: AsyncConnection,
    after_id: int,
    partner_id: int | None,
    limit: int = 500,
    up_to: int | None = None,
    modules: Sequence[OutboxModule] | None = None,
) -> list[OutboxEntry]:
    """Rows for `partner_id` (its own and the broadcast ones; every row when None) with
    id > `after_id` (and <= `up_to`), oldest first, at most `limit`."""
    query = select(outbox).where(outbox.c.id > after_id).order_by(outbox.c.id).limit(limit)
    if partner_id is not None:
        query = query.where(or_(outbox.c.partner_id.is_(None), outbox.c.partner_id == partner_id))
    if up_to is not None:
        query = query.where(outbox.c.id <= up_to)
    if modules is not None:
        query = query.where(outbox.c.module.in_([m.value for m in modules]))
    return [_entry(row) for row in await conn.execute(query)]


async def last_outbox_id(conn: AsyncConnection) -> int:
    """The newest row id (0 when the outbox is empty)."""
    value = (await conn.execute(select(func.max(outbox.c.id)))).scalar()
    return int(value or 0)


async def get_push_state(conn: AsyncConnection, partner_id: int) -> PushState | None:
    """The partner's cursor, or None before its first push."""
    row = (
        await conn.execute(
            select(partner_push_state).where(partner_push_state.c.partner_id == partner_id)
        )
    ).first()
    if row is None:
        return None
    return PushState(row.partner_id, int(row.last_outbox_id), row.failing_since, row.last_error)


async def ensure_push_state(
    uow: UnitOfWork, partner_id: int, since: datetime | None = None
) -> PushState:
    """The partner's cursor. A new partner starts after the rows older than `since` (when
    it registered; None: now): it synced by GET first (transport_and_format, *Offline
    behaviour*) and gets pushes of what changed from then on."""
    state = await get_push_state(uow.conn, partner_id)
    if state is not None:
        return state
    if since is None:
        start = await last_outbox_id(uow.conn)
    else:
        value = (
            await uow.conn.execute(select(func.max(outbox.c.id)).where(outbox.c.created_at < since))
        ).scalar()
        start = int(value or 0)
    await uow.conn.execute(
        insert(partner_push_state).values(
            partner_id=partner_id, last_outbox_id=start, updated_at=uow.now
        )
    )
    return PushState(partner_id, start)


async def drop_push_state(uow: UnitOfWork, partner_ids: Sequence[int]) -> None:
    """Forget the cursors of partners that left: if they register again, they start
    afresh from their new registration (nothing of the time between is pushed)."""
    if partner_ids:
        await uow.conn.execute(
            delete(partner_push_state).where(partner_push_state.c.partner_id.in_(partner_ids))
        )


async def save_push_state(uow: UnitOfWork, state: PushState) -> None:
    """Store the partner's cursor and failure state (the cursor never moves back)."""
    await uow.conn.execute(
        update(partner_push_state)
        .where(partner_push_state.c.partner_id == state.partner_id)
        .values(
            last_outbox_id=func.max(partner_push_state.c.last_outbox_id, state.last_outbox_id)
            if uow.conn.dialect.name == "sqlite"
            else func.greatest(partner_push_state.c.last_outbox_id, state.last_outbox_id),
            failing_since=state.failing_since,
            last_error=state.last_error[:2000] if state.last_error else None,
            updated_at=uow.now,
        )
    )


async def mark_delivered(uow: UnitOfWork, entry_id: int, location: str | None = None) -> None:
    """Record that a (CDR) row was delivered, with the partner's `Location` answer."""
    row = (await uow.conn.execute(select(outbox.c.payload).where(outbox.c.id == entry_id))).first()
    payload = dict((row.payload if row is not None else None) or {})
    payload["delivered_at"] = uow.now.isoformat()
    if location is not None:
        payload["location"] = location
    await uow.conn.execute(update(outbox).where(outbox.c.id == entry_id).values(payload=payload))


async def cdr_delivery(conn: AsyncConnection, cdr_id: str, partner_id: int) -> OutboxEntry | None:
    """The delivered CDR row of `cdr_id` for `partner_id` (with its Location), if any."""
    rows = await conn.execute(
        select(outbox)
        .where(
            outbox.c.module == OutboxModule.CDRS.value,
            outbox.c.object_id == cdr_id,
            or_(outbox.c.partner_id.is_(None), outbox.c.partner_id == partner_id),
        )
        .order_by(outbox.c.id)
    )
    for row in rows:
        entry = _entry(row)
        if entry.delivered:
            return entry
    return None


async def prune_outbox(uow: UnitOfWork, below_id: int, older_than: datetime) -> int:
    """Delete rows every partner has passed (id <= `below_id`) created before
    `older_than`. CDR rows stay: they hold the partners' `Location` answers."""
    result = await uow.conn.execute(
        delete(outbox).where(
            and_(
                outbox.c.id <= below_id,
                outbox.c.created_at < older_than,
                outbox.c.module != OutboxModule.CDRS.value,
            )
        )
    )
    return int(result.rowcount or 0)
