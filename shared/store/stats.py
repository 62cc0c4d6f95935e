"""The facts statistics are computed from (`shared.billing.stats`), read for one window.

Sessions are read when they overlap the window (a session that started before it still
occupies EVSEs during it), with the location their EVSE is linked to now. CDRs are read for
those sessions. Faults come from the connectors' last reported status: a connector that is
Faulted, or reported an error code, with its status time inside the window. (A status
history would also show faults that have since cleared; until one is stored, those are
not seen.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.billing.stats import (
    CdrFacts,
    EvseFacts,
    FaultFacts,
    SessionFacts,
    StatsWindow,
    charging_intervals,
)
from shared.store.tables import cdrs, connectors, evses, transactions

__all__ = ["StatsFacts", "read_stats_facts"]


@dataclass(frozen=True, slots=True)
class StatsFacts:
    evses: list[EvseFacts]
    sessions: list[SessionFacts]
    cdrs: list[CdrFacts]
    faults: list[FaultFacts]


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


def _fault_conditions(window: StatsWindow) -> list[ColumnElement[bool]]:
    """Connectors Faulted or with an error code, whose status time lies in the window (the
    last change, when the charger gave no time)."""
    at, changed = connectors.c.status_at, connectors.c.last_updated
    return [
        or_(
            connectors.c.status == "Faulted",
            and_(connectors.c.error_code.is_not(None), connectors.c.error_code != "NoError"),
        ),
        or_(
            and_(at >= window.start, at < window.end),
            and_(at.is_(None), changed >= window.start, changed < window.end),
        ),
    ]


_EVSE_OF_CONNECTOR = and_(
    evses.c.station_id == connectors.c.station_id, evses.c.evse_id == connectors.c.evse_id
)


async def _faults(
    conn: AsyncConnection, window: StatsWindow, scope: list[ColumnElement[bool]]
) -> list[FaultFacts]:
    rows = await conn.execute(
        select(
            connectors.c.station_id,
            connectors.c.evse_id,
            connectors.c.status_at,
            connectors.c.last_updated,
            connectors.c.error_code,
            evses.c.location_id,
        )
        .select_from(connectors.join(evses, _EVSE_OF_CONNECTOR))
        .where(*_fault_conditions(window), *scope)
    )
    return [
        FaultFacts(
            station_id=r.station_id,
            evse_id=r.evse_id,
            location_id=r.location_id,
            at=r.status_at or r.last_updated,
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
        faults=await _faults(conn, window, scope),
    )
