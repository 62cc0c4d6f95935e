"""Station events: what a charger reports that is neither a transaction nor a status.

Firmware, diagnostics and log upload progress, security events, device-model events
(NotifyEvent), charging limits, EV charging needs, vendor DataTransfers, report parts… are
each one row in `station_events`: a `kind`, the charger's timestamp (or the time of receipt
when it sent none), and `data`, the report as the charger worded it (OCPP field names,
`customData` kept). The rows are an audit trail; the reads below give the latest state
(`station_report_summary`, for `csms stations show`) and the progress of a multi-part
device-model report (`report_progress`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import station_events, station_variables
from shared.store.uow import UnitOfWork

__all__ = [
    "ReportProgress",
    "StationEvent",
    "StationEventKind",
    "StationReportSummary",
    "StatusSnapshot",
    "is_repeated_event",
    "latest_station_event",
    "list_station_events",
    "record_station_event",
    "report_parts",
    "report_progress",
    "station_report_summary",
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
    AUTHORIZATION = "authorization"


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


# Repeats are looked for among this many latest events of the kind: a resend follows its
# original closely, and the check must stay one bounded read.
_REPEAT_WINDOW = 50


async def is_repeated_event(
    conn: AsyncConnection,
    station_id: str,
    kind: StationEventKind,
    timestamp: datetime,
    data: Mapping[str, Any],
) -> bool:
    """True when one of the latest events of `kind` has this timestamp and data already."""
    rows = await conn.execute(
        select(station_events.c.timestamp, station_events.c.data)
        .where(station_events.c.station_id == station_id, station_events.c.kind == kind.value)
        .order_by(station_events.c.id.desc())
        .limit(_REPEAT_WINDOW)
    )
    wanted = dict(data)
    return any(row.timestamp == timestamp and row.data == wanted for row in rows)


# --- device-model report parts ---------------------------------------------------------------


async def report_parts(
    conn: AsyncConnection, station_id: str, request_id: int
) -> list[Mapping[str, Any]]:
    """The stored NotifyReport parts (`device_model_report` data) of the latest report for
    `request_id`: a request id used again starts over at the last part with seqNo 0."""
    rows = await conn.execute(
        select(station_events.c.data)
        .where(
            station_events.c.station_id == station_id,
            station_events.c.kind == StationEventKind.DEVICE_MODEL_REPORT.value,
            station_events.c.data["requestId"].as_integer() == request_id,
        )
        .order_by(station_events.c.id)
    )
    parts: list[Mapping[str, Any]] = [row.data for row in rows]
    starts = [index for index, part in enumerate(parts) if int(part["seqNo"]) == 0]
    return parts[starts[-1] :] if starts else parts


@dataclass(frozen=True, slots=True)
class ReportProgress:
    """How far a multi-part report for one request id has arrived."""

    request_id: int
    parts: int
    attributes: int
    last_seen: bool  # the part with tbc false arrived
    complete: bool  # …and every seqNo from 0 up to it


async def report_progress(
    conn: AsyncConnection, station_id: str, request_id: int
) -> ReportProgress:
    """Progress of the NotifyReport parts stored for `request_id` (a GetBaseReport or
    GetReport's requestId). A part sent twice counts once."""
    by_seq_no = {
        int(part["seqNo"]): part for part in await report_parts(conn, station_id, request_id)
    }
    last = [seq_no for seq_no, part in by_seq_no.items() if not part.get("tbc")]
    return ReportProgress(
        request_id=request_id,
        parts=len(by_seq_no),
        attributes=sum(int(part.get("attributes", 0)) for part in by_seq_no.values()),
        last_seen=bool(last),
        complete=bool(last) and set(by_seq_no) >= set(range(max(last) + 1)),
    )


# --- what operators see ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    """The latest progress report of one kind: firmware, or a diagnostics/log upload."""

    kind: str
    status: str | None
    request_id: int | None
    at: datetime

    @classmethod
    def of(cls, event: StationEvent) -> StatusSnapshot:
        request_id = event.data.get("requestId")
        return cls(
            kind=event.kind,
            status=event.data.get("status"),
            request_id=int(request_id) if request_id is not None else None,
            at=event.timestamp,
        )


@dataclass(frozen=True, slots=True)
class StationReportSummary:
    """What `csms stations show` tells about a station besides its EVSEs."""

    firmware: StatusSnapshot | None
    upload: StatusSnapshot | None  # diagnostics (1.6) or log (1.6 security, 2.0.1) upload
    last_security_event: StationEvent | None
    device_model_attributes: int


async def station_report_summary(conn: AsyncConnection, station_id: str) -> StationReportSummary:
    """The latest firmware and upload status, the last security event, and the size of the
    stored device model."""
    firmware = await latest_station_event(conn, station_id, [StationEventKind.FIRMWARE_STATUS])
    upload = await latest_station_event(
        conn, station_id, [StationEventKind.DIAGNOSTICS_STATUS, StationEventKind.LOG_STATUS]
    )
    security = await latest_station_event(conn, station_id, [StationEventKind.SECURITY_EVENT])
    attributes = (
        await conn.execute(
            select(func.count())
            .select_from(station_variables)
            .where(station_variables.c.station_id == station_id)
        )
    ).scalar_one()
    return StationReportSummary(
        firmware=StatusSnapshot.of(firmware) if firmware else None,
        upload=StatusSnapshot.of(upload) if upload else None,
        last_security_event=security,
        device_model_attributes=int(attributes),
    )
