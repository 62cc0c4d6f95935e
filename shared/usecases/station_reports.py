"""What a station reports besides transactions and statuses, for both OCPP versions.

Every use case here stores the report (in `station_events`, `station_variables`,
`charging_profiles` or `reservations`) and emits a domain event for subscribers that act on
it (a waiting command, the load manager, the OCPI side). The events are defined here rather
than in `shared.events` because only these use cases emit them.

Reads for operators (`csms stations show`) are at the end: the latest firmware, upload and
security state of a station, and the progress of a multi-part device-model report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events import DomainEvent
from shared.store.device_model import StationVariable, record_variables
from shared.store.station_events import (
    StationEvent,
    StationEventKind,
    latest_station_event,
    record_station_event,
)
from shared.store.tables import (
    charging_profiles,
    reservations,
    station_events,
    station_variables,
    transactions,
)
from shared.store.uow import UnitOfWork

__all__ = [
    "DeviceModelReportPart",
    "DeviceModelReported",
    "ReportProgress",
    "ReportedChargingProfile",
    "ReservationStatusUpdated",
    "StationNotice",
    "StationNoticeReceived",
    "StationReportSummary",
    "StatusSnapshot",
    "clear_external_constraints",
    "purpose_column",
    "record_device_model_report",
    "record_reported_charging_profiles",
    "record_station_notice",
    "report_progress",
    "station_report_summary",
    "update_reservation_status",
]

# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StationNoticeReceived(DomainEvent):
    """A station event was stored; `status`/`request_id`/`evse_id` when the report has them
    (firmware and upload progress, charging needs on an EVSE, …)."""

    station_id: str
    kind: str
    status: str | None = None
    request_id: int | None = None
    evse_id: int | None = None


@dataclass(frozen=True, slots=True)
class DeviceModelReported(DomainEvent):
    """The last part (`tbc` false) of a NotifyReport for `request_id` was stored."""

    station_id: str
    request_id: int
    parts: int
    complete: bool


@dataclass(frozen=True, slots=True)
class ReservationStatusUpdated(DomainEvent):
    """A station ended a reservation (2.0.1 H04); `known` is False when we had no such row."""

    station_id: str
    reservation_id: int
    status: str
    known: bool


# --- notices ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StationNotice:
    """A report to keep as a station event. `data` is the report in the charger's words."""

    kind: StationEventKind
    data: Mapping[str, Any]
    timestamp: datetime | None = None
    status: str | None = None
    request_id: int | None = None
    evse_id: int | None = None


async def record_station_notice(uow: UnitOfWork, station_id: str, notice: StationNotice) -> None:
    """Store `notice` and emit StationNoticeReceived."""
    record_station_event(uow, station_id, notice.kind, notice.data, notice.timestamp)
    uow.emit(
        StationNoticeReceived(
            at=uow.now,
            station_id=station_id,
            kind=notice.kind.value,
            status=notice.status,
            request_id=notice.request_id,
            evse_id=notice.evse_id,
        )
    )


# --- device model reports (2.0.1 B07/B08) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceModelReportPart:
    """One NotifyReport: part `seq_no` of the report for `request_id`; more follow if `tbc`."""

    request_id: int
    seq_no: int
    tbc: bool
    generated_at: datetime | None
    variables: Sequence[StationVariable] = field(default_factory=tuple)


async def record_device_model_report(
    uow: UnitOfWork, station_id: str, part: DeviceModelReportPart
) -> int:
    """Store a report part's attributes and note the part; returns the rows written."""
    written = record_variables(uow, station_id, part.variables)
    record_station_event(
        uow,
        station_id,
        StationEventKind.DEVICE_MODEL_REPORT,
        {
            "requestId": part.request_id,
            "seqNo": part.seq_no,
            "tbc": part.tbc,
            "generatedAt": part.generated_at.isoformat() if part.generated_at else None,
            "attributes": written,
        },
        part.generated_at,
    )
    if not part.tbc:
        seen = await _parts_seen(uow.conn, station_id, part.request_id)
        seen.add(part.seq_no)  # this part is deferred, not yet readable
        uow.emit(
            DeviceModelReported(
                at=uow.now,
                station_id=station_id,
                request_id=part.request_id,
                parts=len(seen),
                complete=seen == set(range(part.seq_no + 1)),
            )
        )
    return written


async def _report_parts(
    conn: AsyncConnection, station_id: str, request_id: int
) -> list[Mapping[str, Any]]:
    rows = await conn.execute(
        select(station_events.c.data)
        .where(
            station_events.c.station_id == station_id,
            station_events.c.kind == StationEventKind.DEVICE_MODEL_REPORT.value,
            station_events.c.data["requestId"].as_integer() == request_id,
        )
        .order_by(station_events.c.id)
    )
    return [row.data for row in rows]


async def _parts_seen(conn: AsyncConnection, station_id: str, request_id: int) -> set[int]:
    return {int(part["seqNo"]) for part in await _report_parts(conn, station_id, request_id)}


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
    GetReport's requestId)."""
    parts = await _report_parts(conn, station_id, request_id)
    seq_nos = {int(part["seqNo"]) for part in parts}
    last = [int(part["seqNo"]) for part in parts if not part.get("tbc")]
    complete = bool(last) and seq_nos >= set(range(max(last) + 1))
    return ReportProgress(
        request_id=request_id,
        parts=len(seq_nos),
        attributes=sum(int(part.get("attributes", 0)) for part in parts),
        last_seen=bool(last),
        complete=complete,
    )


# --- charging profiles the station reports (2.0.1 K09) -----------------------------------


@dataclass(frozen=True, slots=True)
class ReportedChargingProfile:
    """One profile of a ReportChargingProfilesRequest. `definition` is the ChargingProfileType
    as reported (2.0.1 vocabulary); it is stored whole, with `chargingLimitSource` added."""

    evse_id: int
    profile_id: int
    stack_level: int
    purpose: str
    kind: str
    limit_source: str
    definition: Mapping[str, Any]
    transaction_ref: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None


STATION_SOURCE = "station"
# `charging_profiles.purpose` is String(32) and this 2.0.1 purpose has 34 characters: it is
# stored shortened until the column is widened (the full name stays in `schedule`). Only
# stations report it; the CSMS never sets it (K01.FR.22).
EXTERNAL_CONSTRAINTS = "ExternalConstraints"
_PURPOSE_COLUMN = {"ChargingStationExternalConstraints": EXTERNAL_CONSTRAINTS}


def purpose_column(purpose: str) -> str:
    """The `charging_profiles.purpose` value for a ChargingProfilePurpose."""
    return _PURPOSE_COLUMN.get(purpose, purpose)[:32]


async def record_reported_charging_profiles(
    uow: UnitOfWork, station_id: str, profiles: Sequence[ReportedChargingProfile]
) -> int:
    """Store what the station says is installed, source 'station', status 'installed'.

    A profile replaces the station-reported one with the same EVSE, purpose and stack level
    (and transaction, for a TxProfile): the station holds at most one such profile (K01).
    """
    for profile in profiles:
        transaction_id = await _transaction_id(uow.conn, station_id, profile.transaction_ref)
        same = and_(
            charging_profiles.c.station_id == station_id,
            charging_profiles.c.source == STATION_SOURCE,
            charging_profiles.c.evse_id == profile.evse_id,
            charging_profiles.c.purpose == purpose_column(profile.purpose),
            charging_profiles.c.stack_level == profile.stack_level,
        )
        if transaction_id is not None:
            same = and_(same, charging_profiles.c.transaction_id == transaction_id)
        await uow.conn.execute(delete(charging_profiles).where(same))
        await uow.conn.execute(
            insert(charging_profiles).values(
                station_id=station_id,
                evse_id=profile.evse_id,
                purpose=purpose_column(profile.purpose),
                stack_level=profile.stack_level,
                kind=profile.kind[:16],  # the column's size; lenient values may be longer
                schedule={**profile.definition, "chargingLimitSource": profile.limit_source},
                source=STATION_SOURCE,
                status="installed",
                transaction_id=transaction_id,
                valid_from=profile.valid_from,
                valid_to=profile.valid_to,
                created_at=uow.now,
                updated_at=uow.now,
            )
        )
    return len(profiles)


async def clear_external_constraints(uow: UnitOfWork, station_id: str, evse_id: int | None) -> int:
    """A station says an external limit is gone (K13 ClearedChargingLimit): its reported
    ChargingStationExternalConstraints profiles on `evse_id` (every EVSE if None) are
    marked 'cleared'. Returns how many were."""
    where = and_(
        charging_profiles.c.station_id == station_id,
        charging_profiles.c.source == STATION_SOURCE,
        charging_profiles.c.purpose == EXTERNAL_CONSTRAINTS,
        charging_profiles.c.status == "installed",
    )
    if evse_id is not None:
        where = and_(where, charging_profiles.c.evse_id == evse_id)
    result = await uow.conn.execute(
        update(charging_profiles).where(where).values(status="cleared", updated_at=uow.now)
    )
    return int(result.rowcount or 0)


async def _transaction_id(conn: AsyncConnection, station_id: str, ref: str | None) -> int | None:
    if ref is None:
        return None
    row = (
        await conn.execute(
            select(transactions.c.id).where(
                transactions.c.station_id == station_id, transactions.c.transaction_ref == ref
            )
        )
    ).first()
    return int(row.id) if row is not None else None


# --- reservations (2.0.1 H04) ----------------------------------------------------------------


async def update_reservation_status(
    uow: UnitOfWork, station_id: str, reservation_id: int, status: str
) -> bool:
    """A station says a reservation expired or was removed; True if we knew it.

    `status` is stored lower-case (`expired`, `removed`), like our other lifecycle states.
    """
    result = await uow.conn.execute(
        update(reservations)
        .where(reservations.c.id == reservation_id, reservations.c.station_id == station_id)
        .values(status=status.lower()[:16], updated_at=uow.now)
    )
    known = bool(result.rowcount)
    record_station_event(
        uow,
        station_id,
        StationEventKind.RESERVATION_STATUS,
        {"reservationId": reservation_id, "reservationUpdateStatus": status, "known": known},
    )
    uow.emit(
        ReservationStatusUpdated(
            at=uow.now,
            station_id=station_id,
            reservation_id=reservation_id,
            status=status.lower(),
            known=known,
        )
    )
    return known


# --- reads -----------------------------------------------------------------------------------


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
