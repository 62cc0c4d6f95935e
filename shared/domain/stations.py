"""Charging stations, their EVSEs and connectors, and the connector status state machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "BootInfo",
    "ChargingState",
    "Connector",
    "ConnectorStatus",
    "Evse",
    "RegistrationStatus",
    "Station",
    "evse_status",
]


class RegistrationStatus(StrEnum):
    """How the CSMS answers a station's BootNotification (OCPP 2.0.1 B01–B03)."""

    ACCEPTED = "accepted"
    PENDING = "pending"
    REJECTED = "rejected"


class ConnectorStatus(StrEnum):
    """A connector's availability, in OCPP 2.0.1 terms (1.6 statuses map onto these)."""

    AVAILABLE = "Available"
    OCCUPIED = "Occupied"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"


class ChargingState(StrEnum):
    """What energy is doing on an occupied connector (2.0.1 ChargingStateEnumType)."""

    CHARGING = "Charging"
    EV_CONNECTED = "EVConnected"
    SUSPENDED_EV = "SuspendedEV"
    SUSPENDED_EVSE = "SuspendedEVSE"
    IDLE = "Idle"


# When an EVSE has several connectors, its own status is the most telling of theirs.
_EVSE_STATUS_PRECEDENCE = (
    ConnectorStatus.OCCUPIED,
    ConnectorStatus.RESERVED,
    ConnectorStatus.FAULTED,
    ConnectorStatus.UNAVAILABLE,
    ConnectorStatus.AVAILABLE,
)


def evse_status(connector_statuses: list[ConnectorStatus]) -> ConnectorStatus:
    """The status of an EVSE given its connectors' statuses."""
    for status in _EVSE_STATUS_PRECEDENCE:
        if status in connector_statuses:
            return status
    return ConnectorStatus.UNAVAILABLE


@dataclass(frozen=True, slots=True)
class BootInfo:
    """What a station says about itself when it boots."""

    vendor: str
    model: str
    serial_number: str | None = None
    firmware_version: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Connector:
    connector_id: int
    status: ConnectorStatus
    ocpp_status: str | None = None
    error_code: str | None = None
    info: str | None = None
    vendor_error_code: str | None = None
    status_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Evse:
    evse_id: int
    status: ConnectorStatus
    connectors: tuple[Connector, ...] = ()
    location_id: str | None = None
    evse_uid: str | None = None


@dataclass(frozen=True, slots=True)
class Station:
    """A charging station as the store knows it."""

    id: str
    registration_status: RegistrationStatus
    ocpp_version: str | None = None
    version_override: str | None = None
    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    firmware_version: str | None = None
    has_password: bool = False
    ping_interval: float | None = None
    lenient: bool | None = None
    node_id: str | None = None
    connected: bool = False
    last_seen: datetime | None = None
    last_boot_at: datetime | None = None
    evses: tuple[Evse, ...] = field(default=())
