"""Station events: what a charger reports that is neither a transaction nor a status.

Firmware, diagnostics and log upload progress, security events, device-model events
(NotifyEvent), charging limits, EV charging needs, vendor DataTransfers, report parts… are
each one row in `station_events`: a `kind`, the charger's timestamp (or the time of receipt
when it sent none), and `data`, the report as the charger worded it (OCPP field names,
`customData` kept). The row is an audit trail; the read helpers below give the latest state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import station_events
from shared.store.uow import UnitOfWork

__all__ = [
    "StationEvent",
    "StationEventKind",
    "latest_station_event",
    "list_station_events",
    "record_station_event",
]

_INSERT = insert(station_events)


class StationEventKind(StrEnum):
    """The `kind` column's vocabulary (fits String(40))."""

    DATA_TRANSFER = "data_transfer"
    FIRMWARE_STATUS = "firmware_status"
    PUBLISH_FIRMWARE_STATUS = "publish_firmware_status"
    DIAGNOSTICS_STATUS = "diagnostics_status"
    LOG_STATUS = "log_status"
    SECURITY_EVENT = "security_event"
    DEVICE_EVENT = "device_event"  # one EventData of a 2.0.1 NotifyEvent
    DEVICE_MODEL_REPORT = "device_model_report"  # one NotifyReport part (the rows go elsewhere)
    MONITORING_REPORT = "monitoring_report"
    CUSTOMER_INFORMATION = "customer_information"
    DISPLAY_MESSAGES = "display_messages"
    CHARGING_LIMIT = "charging_limit"
    CHARGING_LIMIT_CLEARED = "charging_limit_cleared"
    CHARGING_PROFILES_REPORT = "charging_profiles_report"
    EV_CHARGING_NEEDS = "ev_charging_needs"
    EV_CHARGING_SCHEDULE = "ev_charging_schedule"
    RESERVATION_STATUS = "reservation_status"


@dataclass(frozen=True, slots=True)
class StationEvent:
    """One stored station event."""

    id: int
    station_id: str
    kind: str
    timestamp: datetime
    data: Mapping[str, Any]
    received_at: datetime


def record_station_event(
    uow: UnitOfWork,
    station_id: str,
    kind: StationEventKind,
    data: Mapping[str, Any],
    timestamp: datetime | None = None,
) -> None:
    """Store one event with the batch (deferred: these need no id back).

    `timestamp` is the charger's time of the event; without one, the time of receipt.
    """
    uow.defer(
        _INSERT,
        {
            "station_id": station_id,
            "kind": kind.value,
            "timestamp": timestamp or uow.now,
            "data": dict(data),
            "received_at": uow.now,
        },
    )


def _event(row: Row[Any]) -> StationEvent:
    return StationEvent(
        id=row.id,
        station_id=row.station_id,
        kind=row.kind,
        timestamp=row.timestamp,
        data=row.data,
        received_at=row.received_at,
    )


async def latest_station_event(
    conn: AsyncConnection, station_id: str, kinds: Iterable[StationEventKind]
) -> StationEvent | None:
    """The most recently received event of one of `kinds`, or None."""
    values = [kind.value for kind in kinds]
    row = (
        await conn.execute(
            select(station_events)
            .where(station_events.c.station_id == station_id, station_events.c.kind.in_(values))
            .order_by(station_events.c.id.desc())
            .limit(1)
        )
    ).first()
    return _event(row) if row is not None else None


async def list_station_events(
    conn: AsyncConnection,
    station_id: str,
    kinds: Sequence[StationEventKind] = (),
    *,
    limit: int = 100,
    before_id: int | None = None,
) -> list[StationEvent]:
    """A station's events, newest first; only `kinds` if given; pages with `before_id`."""
    query = select(station_events).where(station_events.c.station_id == station_id)
    if kinds:
        query = query.where(station_events.c.kind.in_([kind.value for kind in kinds]))
    if before_id is not None:
        query = query.where(station_events.c.id < before_id)
    rows = await conn.execute(query.order_by(station_events.c.id.desc()).limit(limit))
    return [_event(row) for row in rows]
