"""The facts statistics are computed from (`shared.billing.stats`), read for one window.

Sessions are read when they overlap the window (a session that started before it still
charges during it), with the location their EVSE is linked to now. CDRs are read for those
sessions. Connector statuses come from the status history: every one inside the window and,
per connector, the last one before it (the status the window starts in); a status of EVSE 0
(a 1.6 charge point as a whole) belongs to the location of the station's EVSEs when they
share one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.billing.stats import (
    CdrFacts,
    EvseFacts,
    SessionFacts,
    StatsWindow,
    StatusFacts,
    charging_intervals,
)
from shared.store.tables import cdrs, connector_status_history, connectors, evses, transactions

__all__ = ["StatsFacts", "read_stats_facts"]


@dataclass(frozen=True, slots=True)
class StatsFacts:
    evses: list[EvseFacts]
    sessions: list[SessionFacts]
    cdrs: list[CdrFacts]
    statuses: list[StatusFacts]


def _overlapping(window: StatsWindow) -> ColumnElement[bool]:
    return and_(
        transactions.c.started_at < window.end,
        or_(transactions.c.ended_at.is_(None), transactions.c.ended_at > window.start),
    )


def _scope(station_id: str | None, location_id: str | None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if station_id is not None:
        found.append(evses.c.station_id == station_id)
    if location_id is not None:
        found.append(evses.c.location_id == location_id)
    return found


_EVSE_OF_SESSION = and_(
    evses.c.station_id == transactions.c.station_id, evses.c.evse_id == transactions.c.evse_id
)


async def _evses(conn: AsyncConnection, scope: list[ColumnElement[bool]]) -> list[EvseFacts]:
    rows = await conn.execute(
        select(evses.c.station_id, evses.c.evse_id, evses.c.location_id).where(
            evses.c.removed.is_(False), evses.c.evse_id > 0, *scope
        )
    )
    return [EvseFacts(r.station_id, r.evse_id, r.location_id) for r in rows]


async def _sessions(
    conn: AsyncConnection, window: StatsWindow, station_id: str | None, location_id: str | None
) -> list[SessionFacts]:
    query = (
        select(
            transactions.c.id,
            transactions.c.station_id,
            transactions.c.evse_id,
            transactions.c.started_at,
            transactions.c.ended_at,
            transactions.c.energy_wh,
            evses.c.location_id,
        )
        .select_from(transactions.outerjoin(evses, _EVSE_OF_SESSION))
        .where(_overlapping(window))
    )
    if station_id is not None:
        query = query.where(transactions.c.station_id == station_id)
    if location_id is not None:
        query = query.where(evses.c.location_id == location_id)
    rows = await conn.execute(query)
    return [
        SessionFacts(
            transaction_id=r.id,
            station_id=r.station_id,
            evse_id=r.evse_id,
            location_id=r.location_id,
            started_at=r.started_at,
            ended_at=r.ended_at,
            energy_wh=Decimal(repr(float(r.energy_wh or 0.0))),
        )
        for r in rows
    ]


async def _cdrs(
    conn: AsyncConnection, window: StatsWindow, station_id: str | None, location_id: str | None
) -> list[CdrFacts]:
    query = (
        select(
            cdrs.c.transaction_id,
            cdrs.c.currency,
            cdrs.c.total_cost_excl_vat,
            cdrs.c.total_cost_incl_vat,
            cdrs.c.credit,
            cdrs.c.record,
        )
        .select_from(
            cdrs.join(transactions, transactions.c.id == cdrs.c.transaction_id).outerjoin(
                evses, _EVSE_OF_SESSION
            )
        )
        .where(_overlapping(window))
    )
    if station_id is not None:
        query = query.where(transactions.c.station_id == station_id)
    if location_id is not None:
        query = query.where(evses.c.location_id == location_id)
    found = []
    for r in await conn.execute(query):
        record: Mapping[str, Any] = r.record if isinstance(r.record, Mapping) else {}
        found.append(
            CdrFacts(
                transaction_id=r.transaction_id,
                currency=r.currency,
                cost_excl_vat=r.total_cost_excl_vat,
                cost_incl_vat=r.total_cost_incl_vat,
                credit=bool(r.credit),
                charging=() if r.credit else charging_intervals(record),
            )
        )
    return found


_HISTORY = connector_status_history
_EVSE_OF_STATUS = and_(
    evses.c.station_id == _HISTORY.c.station_id, evses.c.evse_id == _HISTORY.c.evse_id
)
_STATUS_COLUMNS = (
    _HISTORY.c.id,
    _HISTORY.c.station_id,
    _HISTORY.c.evse_id,
    _HISTORY.c.connector_id,
    _HISTORY.c.timestamp,
    _HISTORY.c.status,
    _HISTORY.c.error_code,
    evses.c.location_id,
)


def _status_scope(station_id: str | None, location_id: str | None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if station_id is not None:
        found.append(_HISTORY.c.station_id == station_id)
    if location_id is not None:
        there = select(evses.c.station_id).where(evses.c.location_id == location_id)
        found.append(
            or_(
                evses.c.location_id == location_id,
                and_(_HISTORY.c.evse_id == 0, _HISTORY.c.station_id.in_(there)),
            )
        )
    return found


def _last_before(window: StatsWindow) -> ScalarSelect[Any]:
    """Per `connectors` row: the id of its last status before the window."""
    return (
        select(_HISTORY.c.id)
        .where(
            _HISTORY.c.station_id == connectors.c.station_id,
            _HISTORY.c.evse_id == connectors.c.evse_id,
            _HISTORY.c.connector_id == connectors.c.connector_id,
            _HISTORY.c.timestamp < window.start,
        )
        .order_by(_HISTORY.c.timestamp.desc(), _HISTORY.c.id.desc())
        .limit(1)
        .correlate(connectors)
        .scalar_subquery()
    )


async def _station_locations(conn: AsyncConnection, station_ids: set[str]) -> dict[str, str]:
    """The location of each station whose linked EVSEs all belong to one."""
    if not station_ids:
        return {}
    rows = await conn.execute(
        select(evses.c.station_id, evses.c.location_id)
        .where(
            evses.c.station_id.in_(sorted(station_ids)),
            evses.c.evse_id > 0,
            evses.c.location_id.is_not(None),
        )
        .distinct()
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.station_id, set()).add(row.location_id)
    return {station: next(iter(ids)) for station, ids in found.items() if len(ids) == 1}


async def _statuses(
    conn: AsyncConnection, window: StatsWindow, station_id: str | None, location_id: str | None
) -> list[StatusFacts]:
    scope = _status_scope(station_id, location_id)
    inside = (
        select(*_STATUS_COLUMNS)
        .select_from(_HISTORY.outerjoin(evses, _EVSE_OF_STATUS))
        .where(_HISTORY.c.timestamp >= window.start, _HISTORY.c.timestamp < window.end, *scope)
    )
    before = (
        select(*_STATUS_COLUMNS)
        .select_from(
            connectors.join(_HISTORY, _HISTORY.c.id == _last_before(window)).outerjoin(
                evses, _EVSE_OF_STATUS
            )
        )
        .where(*scope)
    )
    rows = [*(await conn.execute(before)), *(await conn.execute(inside))]
    whole = await _station_locations(conn, {r.station_id for r in rows if r.evse_id == 0})
    return [
        StatusFacts(
            id=r.id,
            station_id=r.station_id,
            evse_id=r.evse_id,
            connector_id=r.connector_id,
            location_id=whole.get(r.station_id) if r.evse_id == 0 else r.location_id,
            at=r.timestamp,
            status=r.status,
            error_code=r.error_code,
        )
        for r in rows
    ]


async def read_stats_facts(
    conn: AsyncConnection,
    window: StatsWindow,
    *,
    station_id: str | None = None,
    location_id: str | None = None,
) -> StatsFacts:
    """Everything `compute_stats` needs for `window`, optionally for one station/location."""
    scope = _scope(station_id, location_id)
    return StatsFacts(
        evses=await _evses(conn, scope),
        sessions=await _sessions(conn, window, station_id, location_id),
        cdrs=await _cdrs(conn, window, station_id, location_id),
        statuses=await _statuses(conn, window, station_id, location_id),
    )
