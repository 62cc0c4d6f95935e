"""What a station reports besides transactions and statuses, for both OCPP versions.

Every use case here stores the report (in `station_events`, `station_variables`,
`charging_profiles` or `reservations`) and emits a domain event for subscribers that act on
it (a waiting command, the load manager, the OCPI side). The events are defined here rather
than in `shared.events` because only these use cases emit them.

The reads for operators (latest firmware/upload/security state, report progress) are in
`shared.store.station_events`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events import DomainEvent
from shared.store.device_model import StationVariable, record_variables
from shared.store.station_events import (
    StationEventKind,
    is_repeated_event,
    record_station_event,
    report_parts,
)
from shared.store.tables import (
    charging_profiles,
    reservations,
    transactions,
)
from shared.store.uow import UnitOfWork

__all__ = [
    "DeviceModelReportPart",
    "DeviceModelReported",
    "ReportedChargingProfile",
    "ReservationStatusUpdated",
    "StationNotice",
    "StationNoticeReceived",
    "clear_external_constraints",
    "purpose_column",
    "record_device_model_report",
    "record_reported_charging_profiles",
    "record_station_notice",
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


async def record_station_notice(uow: UnitOfWork, station_id: str, notice: StationNotice) -> bool:
    """Store `notice` and emit StationNoticeReceived; False (nothing stored) when it repeats
    a stored event.

    Only a notice with the charger's own timestamp can be recognised as a repeat (a charger
    resending after a reconnect, DESIGN "Data that must not be lost"): two identical firmware
    statuses without a time are two reports.
    """
    if notice.timestamp is not None and await is_repeated_event(
        uow.conn, station_id, notice.kind, notice.timestamp, notice.data
    ):
        return False
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
    return True


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
    data = {
        "requestId": part.request_id,
        "seqNo": part.seq_no,
        "tbc": part.tbc,
        "generatedAt": part.generated_at.isoformat() if part.generated_at else None,
        "attributes": written,
    }
    kind = StationEventKind.DEVICE_MODEL_REPORT
    if part.generated_at is not None and await is_repeated_event(
        uow.conn, station_id, kind, part.generated_at, data
    ):
        return written  # a part sent again: its rows are rewritten, the part not noted twice
    record_station_event(uow, station_id, kind, data, part.generated_at)
    if not part.tbc:
        # Earlier parts are committed (a station's messages are handled one by one); this
        # one is deferred, not yet readable.
        earlier = await report_parts(uow.conn, station_id, part.request_id) if part.seq_no else []
        seen = {int(earlier_part["seqNo"]) for earlier_part in earlier} | {part.seq_no}
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
