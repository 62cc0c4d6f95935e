"""Stations, EVSEs and connectors: the repository functions the OCPP side and the CLI use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.stations import (
    BootInfo,
    Connector,
    ConnectorStatus,
    Evse,
    RegistrationStatus,
    Station,
)
from shared.events import ConnectorStatusChanged, StationBooted, StationDisconnected
from shared.store.tables import connector_status_history, connectors, evses, stations
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert

__all__ = [
    "StationSettings",
    "StatusReport",
    "add_station",
    "connector_statuses",
    "get_registration",
    "get_station",
    "get_station_settings",
    "list_stations",
    "mark_connected",
    "mark_disconnected",
    "record_boot",
    "record_connector_status",
    "touch_station",
]


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A connector status as a charger reported it."""

    station_id: str
    evse_id: int
    connector_id: int
    status: ConnectorStatus
    ocpp_status: str | None
    error_code: str | None
    info: str | None
    vendor_error_code: str | None
    timestamp: datetime | None


def _station(row: Row[Any], evse_list: tuple[Evse, ...] = ()) -> Station:
    return Station(
        id=row.id,
        registration_status=RegistrationStatus(row.registration_status),
        ocpp_version=row.ocpp_version,
        version_override=row.version_override,
        vendor=row.vendor,
        model=row.model,
        serial_number=row.serial_number,
        firmware_version=row.firmware_version,
        has_password=row.password_hash is not None,
        ping_interval=row.ping_interval,
        lenient=row.lenient,
        node_id=row.node_id,
        connected=row.connected,
        last_seen=row.last_seen,
        last_boot_at=row.last_boot_at,
        evses=evse_list,
    )


async def _evses_of(conn: AsyncConnection, station_ids: list[str]) -> dict[str, tuple[Evse, ...]]:
    if not station_ids:
        return {}
    connector_rows = (
        await conn.execute(
            select(connectors)
            .where(connectors.c.station_id.in_(station_ids))
            .order_by(connectors.c.station_id, connectors.c.evse_id, connectors.c.connector_id)
        )
    ).all()
    by_evse: dict[tuple[str, int], list[Connector]] = {}
    for c in connector_rows:
        by_evse.setdefault((c.station_id, c.evse_id), []).append(
            Connector(
                connector_id=c.connector_id,
                status=ConnectorStatus(c.status),
                ocpp_status=c.ocpp_status,
                error_code=c.error_code,
                info=c.info,
                vendor_error_code=c.vendor_error_code,
                status_at=c.status_at,
            )
        )
    evse_rows = (
        await conn.execute(
            select(evses)
            .where(evses.c.station_id.in_(station_ids))
            .order_by(evses.c.station_id, evses.c.evse_id)
        )
    ).all()
    result: dict[str, list[Evse]] = {}
    for e in evse_rows:
        result.setdefault(e.station_id, []).append(
            Evse(
                evse_id=e.evse_id,
                status=ConnectorStatus(e.status),
                connectors=tuple(by_evse.get((e.station_id, e.evse_id), ())),
                location_id=e.location_id,
                evse_uid=e.evse_uid,
            )
        )
    return {key: tuple(value) for key, value in result.items()}


async def get_station(conn: AsyncConnection, station_id: str) -> Station | None:
    """The station with its EVSEs and connectors, or None."""
    row = (await conn.execute(select(stations).where(stations.c.id == station_id))).first()
    if row is None:
        return None
    return _station(row, (await _evses_of(conn, [station_id])).get(station_id, ()))


_REGISTRATION = select(stations.c.registration_status).where(stations.c.id == bindparam("sid"))


async def get_registration(conn: AsyncConnection, station_id: str) -> RegistrationStatus | None:
    """The station's registration status, or None for an unknown station."""
    row = (await conn.execute(_REGISTRATION, {"sid": station_id})).first()
    return RegistrationStatus(row.registration_status) if row is not None else None


async def list_stations(conn: AsyncConnection) -> list[Station]:
    """Every station, ordered by id, with EVSEs and connectors."""
    rows = (await conn.execute(select(stations).order_by(stations.c.id))).all()
    evse_map = await _evses_of(conn, [row.id for row in rows])
    return [_station(row, evse_map.get(row.id, ())) for row in rows]


@dataclass(frozen=True, slots=True)
class StationSettings:
    """What the websocket handshake needs to know about a station id."""

    known: bool
    registration: RegistrationStatus | None = None
    password_hash: str | None = None
    version_override: str | None = None
    ping_interval: float | None = None
    lenient: bool | None = None


_SETTINGS = select(
    stations.c.registration_status,
    stations.c.password_hash,
    stations.c.version_override,
    stations.c.ping_interval,
    stations.c.lenient,
).where(stations.c.id == bindparam("sid"))


async def get_station_settings(conn: AsyncConnection, station_id: str) -> StationSettings:
    """Password hash and per-station overrides, in one query."""
    row = (await conn.execute(_SETTINGS, {"sid": station_id})).first()
    if row is None:
        return StationSettings(known=False)
    return StationSettings(
        known=True,
        registration=RegistrationStatus(row.registration_status),
        password_hash=row.password_hash,
        version_override=row.version_override,
        ping_interval=row.ping_interval,
        lenient=row.lenient,
    )


async def add_station(
    uow: UnitOfWork,
    station_id: str,
    *,
    password_hash: str | None = None,
    registration_status: RegistrationStatus = RegistrationStatus.ACCEPTED,
    version_override: str | None = None,
) -> None:
    """Register a station (or update its password / registration) ahead of its first boot."""
    values: dict[str, Any] = {
        "id": station_id,
        "registration_status": registration_status.value,
        "password_hash": password_hash,
        "version_override": version_override,
        "connected": False,
        "created_at": uow.now,
        "updated_at": uow.now,
    }
    update_columns = ["registration_status", "updated_at"]
    if password_hash is not None:
        update_columns.append("password_hash")
    if version_override is not None:
        update_columns.append("version_override")
    statement = upsert(uow.conn.dialect.name, stations, ["id"], update_columns)
    await uow.conn.execute(statement, values)


def mark_connected(
    uow: UnitOfWork,
    station_id: str,
    *,
    ocpp_version: str,
    node_id: str,
    registration_if_new: RegistrationStatus,
) -> None:
    """Record that `node_id` now holds the station's socket (newest connection wins).

    Deferred: an upsert that also creates a station seen for the first time.
    """
    uow.defer(
        upsert(
            uow.conn.dialect.name,
            stations,
            ["id"],
            ["ocpp_version", "node_id", "connected", "connected_at", "last_seen", "updated_at"],
        ),
        {
            "id": station_id,
            "registration_status": registration_if_new.value,
            "ocpp_version": ocpp_version,
            "node_id": node_id,
            "connected": True,
            "connected_at": uow.now,
            "last_seen": uow.now,
            "created_at": uow.now,
            "updated_at": uow.now,
        },
    )


_DISCONNECT = (
    update(stations)
    .where(and_(stations.c.id == bindparam("sid"), stations.c.node_id == bindparam("node")))
    .values(connected=False, last_seen=bindparam("now"), updated_at=bindparam("now"))
)


async def mark_disconnected(uow: UnitOfWork, station_id: str, node_id: str) -> bool:
    """Record the socket closed, unless another node (or connection) has taken over; emit
    StationDisconnected only when it really went offline. True when it did."""
    result = await uow.conn.execute(
        _DISCONNECT, {"sid": station_id, "node": node_id, "now": uow.now}
    )
    if result.rowcount != 1:
        return False
    uow.emit(StationDisconnected(at=uow.now, station_id=station_id, node_id=node_id))
    return True


_BOOT = (
    update(stations)
    .where(stations.c.id == bindparam("sid"))
    .values(
        vendor=bindparam("p_vendor"),
        model=bindparam("p_model"),
        serial_number=bindparam("p_serial_number"),
        firmware_version=bindparam("p_firmware_version"),
        iccid=bindparam("p_iccid"),
        imsi=bindparam("p_imsi"),
        meter_type=bindparam("p_meter_type"),
        meter_serial_number=bindparam("p_meter_serial_number"),
        boot_reason=bindparam("p_boot_reason"),
        registration_status=bindparam("p_registration_status"),
        last_boot_at=bindparam("now"),
        last_seen=bindparam("now"),
        updated_at=bindparam("now"),
    )
)


def record_boot(
    uow: UnitOfWork, station_id: str, info: BootInfo, status: RegistrationStatus
) -> None:
    """Store what the station said about itself and how we answered (deferred)."""
    uow.defer(
        _BOOT,
        {
            "sid": station_id,
            "p_vendor": info.vendor,
            "p_model": info.model,
            "p_serial_number": info.serial_number,
            "p_firmware_version": info.firmware_version,
            "p_iccid": info.iccid,
            "p_imsi": info.imsi,
            "p_meter_type": info.meter_type,
            "p_meter_serial_number": info.meter_serial_number,
            "p_boot_reason": info.reason,
            "p_registration_status": status.value,
            "now": uow.now,
        },
    )
    uow.emit(StationBooted(at=uow.now, station_id=station_id, registration_status=status.value))


_TOUCH = (
    update(stations).where(stations.c.id == bindparam("sid")).values(last_seen=bindparam("now"))
)


def touch_station(uow: UnitOfWork, station_id: str) -> None:
    """The station was heard from (deferred: one executemany per batch)."""
    uow.defer(_TOUCH, {"sid": station_id, "now": uow.now})


_HISTORY = insert(connector_status_history)


def record_connector_status(
    uow: UnitOfWork,
    report: StatusReport,
    *,
    previous: ConnectorStatus | None,
    evse_status: ConnectorStatus,
) -> None:
    """Store a connector's status (deferred upserts) and emit the change if there was one.

    `previous` and `evse_status` come from the connection's view of the station, which saw
    every earlier report in order.
    """
    dialect = uow.conn.dialect.name
    uow.defer(
        upsert(
            dialect,
            evses,
            ["station_id", "evse_id"],
            ["status", "status_changed_at", "last_updated"],
        ),
        {
            "station_id": report.station_id,
            "evse_id": report.evse_id,
            "status": evse_status.value,
            "removed": False,
            "status_changed_at": uow.now,
            "last_updated": uow.now,
        },
    )
    uow.defer(
        upsert(
            dialect,
            connectors,
            ["station_id", "evse_id", "connector_id"],
            [
                "status",
                "ocpp_status",
                "error_code",
                "info",
                "vendor_error_code",
                "status_at",
                "last_updated",
            ],
        ),
        {
            "station_id": report.station_id,
            "evse_id": report.evse_id,
            "connector_id": report.connector_id,
            "status": report.status.value,
            "ocpp_status": report.ocpp_status,
            "error_code": report.error_code,
            "info": report.info,
            "vendor_error_code": report.vendor_error_code,
            "status_at": report.timestamp,
            "last_updated": uow.now,
        },
    )
    uow.defer(
        _HISTORY,
        {
            "station_id": report.station_id,
            "evse_id": report.evse_id,
            "connector_id": report.connector_id,
            "status": report.status.value,
            "ocpp_status": report.ocpp_status,
            "error_code": report.error_code,
            "vendor_error_code": report.vendor_error_code,
            "timestamp": report.timestamp or uow.now,
            "received_at": uow.now,
        },
    )
    if previous != report.status:
        uow.emit(
            ConnectorStatusChanged(
                at=uow.now,
                station_id=report.station_id,
                evse_id=report.evse_id,
                connector_id=report.connector_id,
                status=report.status.value,
                previous_status=previous.value if previous else None,
                evse_status=evse_status.value,
            )
        )


_CONNECTOR_STATUSES = select(
    connectors.c.evse_id, connectors.c.connector_id, connectors.c.status
).where(connectors.c.station_id == bindparam("sid"))


async def connector_statuses(
    conn: AsyncConnection, station_id: str
) -> dict[tuple[int, int], ConnectorStatus]:
    """(evse_id, connector_id) → status for one station, to seed a connection's view."""
    rows = await conn.execute(_CONNECTOR_STATUSES, {"sid": station_id})
    return {(r.evse_id, r.connector_id): ConnectorStatus(r.status) for r in rows}
