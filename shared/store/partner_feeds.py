"""What one roaming partner may page through: its sessions and its CDRs.

A partner sees the sessions whose token it issued (`transactions.partner_id`, set when its
token authorised the session or its command started it) and their CDRs
(`cdrs.partner_id`). A hub or a platform with several parties may narrow that to one party
(`PartnerScope.owner`, from the routing headers): only sessions whose token that party
issued (`id_tokens.source`).

Pages are keyset pages over `(last_updated, id)` (`shared.store.paging`). Charging
preferences a partner sets for a session are kept on the transaction
(`transactions.charging_preferences`, the newest one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.billing import SessionRecord
from shared.store.paging import Cursor, Window, count_in_window, page_query
from shared.store.tables import (
    cdrs,
    evses,
    id_tokens,
    locations,
    stations,
    transactions,
)
from shared.store.uow import UnitOfWork

__all__ = [
    "FeedCdr",
    "FeedSession",
    "PartnerScope",
    "SessionPlace",
    "charging_preferences",
    "count_cdrs",
    "count_sessions",
    "find_session",
    "page_cdrs",
    "page_sessions",
    "record_charging_preferences",
    "session_places",
]


@dataclass(frozen=True, slots=True)
class PartnerScope:
    """Whose data: a partner, and optionally one party it speaks for (``CC*PID``)."""

    partner_id: int
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class FeedSession:
    """A session in a partner's feed, with the time it last changed (the page key)."""

    record: SessionRecord
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class FeedCdr:
    """A CDR in a partner's feed: the record as issued and its page key."""

    id: str
    record: Mapping[str, Any]
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class SessionPlace:
    """Where a session happens, as published now."""

    location_id: str | None
    evse_uid: str | None
    capabilities: tuple[str, ...] | None
    time_zone: str
    meter_id: str | None


def _owned_by(scope: PartnerScope, id_token: Any) -> ColumnElement[bool]:
    """The token `id_token` was issued by `scope.owner` (a party of the partner)."""
    return exists().where(
        id_tokens.c.partner_id == scope.partner_id,
        id_tokens.c.id_token == id_token,
        id_tokens.c.source == scope.owner,
    )


def _session_terms(scope: PartnerScope) -> list[ColumnElement[bool]]:
    terms = [transactions.c.partner_id == scope.partner_id]
    if scope.owner is not None:
        terms.append(_owned_by(scope, transactions.c.id_token))
    return terms


def _record(row: Any) -> SessionRecord:
    values = {name: getattr(row, name) for name in SessionRecord.__dataclass_fields__}
    values["energy_wh"] = float(values["energy_wh"] or 0.0)
    return SessionRecord(**values)


async def page_sessions(
    conn: AsyncConnection,
    scope: PartnerScope,
    window: Window,
    *,
    limit: int,
    after: Cursor | None = None,
    offset: int = 0,
) -> tuple[list[FeedSession], bool]:
    """One page of the partner's sessions, and whether more follow."""
    query = page_query(
        select(transactions).where(and_(*_session_terms(scope))),
        transactions.c.last_updated,
        transactions.c.id,
        window=window,
        limit=limit + 1,
        after=after,
        offset=offset,
    )
    rows = (await conn.execute(query)).all()
    feed = [FeedSession(_record(row), row.last_updated) for row in rows[:limit]]
    return feed, len(rows) > limit


async def count_sessions(conn: AsyncConnection, scope: PartnerScope, window: Window) -> int:
    """How many of the partner's sessions lie within `window`."""
    query = count_in_window(
        transactions, transactions.c.last_updated, window, *_session_terms(scope)
    )
    return int((await conn.execute(query)).scalar_one())


async def find_session(
    conn: AsyncConnection, scope: PartnerScope, session_id: str
) -> FeedSession | None:
    """The partner's session with this id (our transaction id), or None."""
    if not session_id.isdigit() or len(session_id) > 18:
        return None
    query = select(transactions).where(transactions.c.id == int(session_id), *_session_terms(scope))
    row = (await conn.execute(query)).first()
    return FeedSession(_record(row), row.last_updated) if row is not None else None


async def session_places(
    conn: AsyncConnection, sessions: Sequence[SessionRecord]
) -> dict[int, SessionPlace]:
    """Where each session happens: its EVSE's site, uid and capabilities, the site's time
    zone (UTC without a site) and the station's meter."""
    station_ids = sorted({s.station_id for s in sessions})
    if not station_ids:
        return {}
    rows = await conn.execute(
        select(
            evses.c.station_id,
            evses.c.evse_id,
            evses.c.location_id,
            evses.c.evse_uid,
            evses.c.capabilities,
            locations.c.time_zone,
            stations.c.meter_serial_number,
        )
        .select_from(evses)
        .join(stations, stations.c.id == evses.c.station_id)
        .outerjoin(locations, locations.c.id == evses.c.location_id)
        .where(evses.c.station_id.in_(station_ids))
    )
    by_evse = {(row.station_id, row.evse_id): row for row in rows}
    places: dict[int, SessionPlace] = {}
    for session in sessions:
        row = by_evse.get((session.station_id, session.evse_id))
        if row is None:
            places[session.id] = SessionPlace(None, None, None, "UTC", None)
            continue
        capabilities = tuple(row.capabilities) if row.capabilities is not None else None
        places[session.id] = SessionPlace(
            location_id=row.location_id,
            evse_uid=row.evse_uid,
            capabilities=capabilities,
            time_zone=row.time_zone or "UTC",
            meter_id=row.meter_serial_number,
        )
    return places


async def record_charging_preferences(
    uow: UnitOfWork, session: SessionRecord, partner_id: int, preferences: Mapping[str, Any]
) -> bool:
    """Keep the charging preferences (their JSON form) the partner set for its session; the
    newest replaces the one before. False when the session is not the partner's.

    `last_updated` stays: preferences are not part of the Session object partners sync
    (mod_sessions, *Set: Charging Preferences*).
    """
    result = await uow.conn.execute(
        update(transactions)
        .where(transactions.c.id == session.id, transactions.c.partner_id == partner_id)
        .values(charging_preferences=dict(preferences))
    )
    return bool(result.rowcount)


async def charging_preferences(conn: AsyncConnection, session_id: int) -> dict[str, Any] | None:
    """The charging preferences kept for a session, if a partner set any."""
    query = select(transactions.c.charging_preferences).where(transactions.c.id == session_id)
    value = (await conn.execute(query)).scalar_one_or_none()
    return dict(value) if isinstance(value, dict) else None


def _cdr_terms(scope: PartnerScope) -> list[ColumnElement[bool]]:
    terms = [cdrs.c.partner_id == scope.partner_id]
    if scope.owner is not None:
        terms.append(
            exists().where(
                transactions.c.id == cdrs.c.transaction_id,
                _owned_by(scope, transactions.c.id_token),
            )
        )
    return terms


async def page_cdrs(
    conn: AsyncConnection,
    scope: PartnerScope,
    window: Window,
    *,
    limit: int,
    after: Cursor | None = None,
    offset: int = 0,
) -> tuple[list[FeedCdr], bool]:
    """One page of the partner's CDRs (credits included), and whether more follow."""
    query = page_query(
        select(cdrs.c.id, cdrs.c.record, cdrs.c.last_updated).where(and_(*_cdr_terms(scope))),
        cdrs.c.last_updated,
        cdrs.c.id,
        window=window,
        limit=limit + 1,
        after=after,
        offset=offset,
    )
    rows = (await conn.execute(query)).all()
    feed = [FeedCdr(row.id, dict(row.record or {}), row.last_updated) for row in rows[:limit]]
    return feed, len(rows) > limit


async def count_cdrs(conn: AsyncConnection, scope: PartnerScope, window: Window) -> int:
    """How many of the partner's CDRs lie within `window`."""
    query = count_in_window(cdrs, cdrs.c.last_updated, window, *_cdr_terms(scope))
    return int((await conn.execute(query)).scalar_one())
