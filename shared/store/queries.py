"""Read-only queries for the operator surface (CLI, `/admin/` API): sessions, meter values,
the OCPP frame log, tokens.

Every function takes an `AsyncConnection` (a read transaction is enough) and returns frozen
dataclasses, never rows. Writes live with their aggregates' repositories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import (
    id_tokens,
    meter_values,
    ocpp_messages,
    station_variables,
    stations,
    transactions,
)

__all__ = [
    "FrameRecord",
    "MeterSample",
    "SessionSummary",
    "TokenRecord",
    "count_station_variables",
    "get_session",
    "get_token",
    "list_messages",
    "list_sessions",
    "list_tokens",
    "session_meter_values",
    "station_exists",
]


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A transaction as the operator sees it."""

    id: int
    transaction_ref: str  # the id as the charger knows it
    station_id: str
    evse_id: int
    connector_id: int
    id_token: str | None
    status: str  # active | completed
    started_at: datetime
    ended_at: datetime | None
    energy_wh: float
    meter_start_wh: float | None
    meter_stop_wh: float | None
    stop_reason: str | None
    charging_state: str | None
    offline: bool
    cost_excl_vat: Decimal | None
    cost_incl_vat: Decimal | None
    currency: str | None
    tariff_id: str | None
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class MeterSample:
    """One sampled value of a meter."""

    timestamp: datetime
    evse_id: int
    measurand: str
    value: float
    unit: str | None
    phase: str | None
    context: str | None
    location: str | None


@dataclass(frozen=True, slots=True)
class FrameRecord:
    """One OCPP-J frame as stored in the frame log."""

    id: int
    station_id: str
    direction: str  # in | out
    message_type: int | None
    message_id: str | None
    action: str | None
    timestamp: datetime
    frame: str


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An id token we know, ours (`source == "local"`) or a partner's."""

    source: str
    id_token: str
    type: str
    status: str
    expiry: datetime | None
    group_id: str | None
    partner_id: int | None
    contract_id: str | None
    visual_number: str | None
    issuer: str | None
    whitelist: str | None
    last_updated: datetime


# --- sessions ----------------------------------------------------------------------------


def _session(row: Row[Any]) -> SessionSummary:
    return SessionSummary(
        id=row.id,
        transaction_ref=row.transaction_ref,
        station_id=row.station_id,
        evse_id=row.evse_id,
        connector_id=row.connector_id,
        id_token=row.id_token,
        status=row.status,
        started_at=row.started_at,
        ended_at=row.ended_at,
        energy_wh=float(row.energy_wh or 0.0),
        meter_start_wh=row.meter_start_wh,
        meter_stop_wh=row.meter_stop_wh,
        stop_reason=row.stop_reason,
        charging_state=row.charging_state,
        offline=bool(row.offline),
        cost_excl_vat=row.cost_excl_vat,
        cost_incl_vat=row.cost_incl_vat,
        currency=row.currency,
        tariff_id=row.tariff_id,
        last_updated=row.last_updated,
    )


async def list_sessions(
    conn: AsyncConnection,
    *,
    active: bool | None = None,
    station_id: str | None = None,
    limit: int = 1000,
) -> list[SessionSummary]:
    """Sessions, newest first; `active=True` only running ones, `False` only finished ones."""
    query = select(transactions)
    if active is not None:
        query = query.where(
            transactions.c.status == "active" if active else transactions.c.status != "active"
        )
    if station_id is not None:
        query = query.where(transactions.c.station_id == station_id)
    query = query.order_by(transactions.c.started_at.desc(), transactions.c.id.desc())
    rows = (await conn.execute(query.limit(limit))).all()
    return [_session(row) for row in rows]


async def get_session(conn: AsyncConnection, session_id: int) -> SessionSummary | None:
    """One session by our id, or None."""
    row = (await conn.execute(select(transactions).where(transactions.c.id == session_id))).first()
    return _session(row) if row is not None else None


async def session_meter_values(
    conn: AsyncConnection, session_id: int, *, limit: int = 10_000
) -> list[MeterSample]:
    """The session's meter values in time order (at most `limit`, the newest ones)."""
    newest = (
        select(meter_values)
        .where(meter_values.c.transaction_id == session_id)
        .order_by(meter_values.c.timestamp.desc(), meter_values.c.id.desc())
        .limit(limit)
    )
    rows = (await conn.execute(newest)).all()
    return [
        MeterSample(
            timestamp=row.timestamp,
            evse_id=row.evse_id,
            measurand=row.measurand,
            value=row.value,
            unit=row.unit,
            phase=row.phase,
            context=row.context,
            location=row.location,
        )
        for row in reversed(rows)
    ]


# --- the frame log -----------------------------------------------------------------------


async def list_messages(
    conn: AsyncConnection, station_id: str, *, after: int | None = None, limit: int = 100
) -> list[FrameRecord]:
    """A station's logged frames in the order they were stored.

    With `after`, the (at most `limit`) frames stored after the frame with that id — what a
    follower polls for. Without it, the newest `limit` frames.
    """
    query: Select[Any] = select(ocpp_messages).where(ocpp_messages.c.station_id == station_id)
    if after is not None:
        query = query.where(ocpp_messages.c.id > after).order_by(ocpp_messages.c.id).limit(limit)
        rows = list((await conn.execute(query)).all())
    else:
        query = query.order_by(ocpp_messages.c.id.desc()).limit(limit)
        rows = list(reversed((await conn.execute(query)).all()))
    return [
        FrameRecord(
            id=row.id,
            station_id=row.station_id,
            direction=row.direction,
            message_type=row.message_type,
            message_id=row.message_id,
            action=row.action,
            timestamp=row.timestamp,
            frame=row.frame,
        )
        for row in rows
    ]


# --- stations ----------------------------------------------------------------------------


async def station_exists(conn: AsyncConnection, station_id: str) -> bool:
    """True when the station is registered."""
    row = (await conn.execute(select(stations.c.id).where(stations.c.id == station_id))).first()
    return row is not None


async def count_station_variables(conn: AsyncConnection, station_id: str) -> int:
    """How many device model variables / configuration keys the station has reported."""
    total = (
        await conn.execute(
            select(func.count())
            .select_from(station_variables)
            .where(station_variables.c.station_id == station_id)
        )
    ).scalar()
    return int(total or 0)


# --- tokens ------------------------------------------------------------------------------


def _token(row: Row[Any]) -> TokenRecord:
    return TokenRecord(
        source=row.source,
        id_token=row.id_token,
        type=row.type,
        status=row.status,
        expiry=row.expiry,
        group_id=row.group_id,
        partner_id=row.partner_id,
        contract_id=row.contract_id,
        visual_number=row.visual_number,
        issuer=row.issuer,
        whitelist=row.whitelist,
        last_updated=row.last_updated,
    )


async def list_tokens(
    conn: AsyncConnection, *, source: str | None = None, limit: int = 1000
) -> list[TokenRecord]:
    """Tokens ordered by source and value; `source="local"` for the operator's own."""
    query = select(id_tokens)
    if source is not None:
        query = query.where(id_tokens.c.source == source)
    query = query.order_by(id_tokens.c.source, id_tokens.c.id_token).limit(limit)
    return [_token(row) for row in (await conn.execute(query)).all()]


async def get_token(conn: AsyncConnection, source: str, id_token: str) -> TokenRecord | None:
    """One token by source and exact value, or None."""
    row = (
        await conn.execute(
            select(id_tokens).where(id_tokens.c.source == source, id_tokens.c.id_token == id_token)
        )
    ).first()
    return _token(row) if row is not None else None
