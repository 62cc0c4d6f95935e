"""Value objects of commands: device model keys, charging profiles, what can be triggered,
report and log kinds, local list entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.authorization import AuthorizationStatus, IdToken

__all__ = [
    "ChargingProfile",
    "ChargingProfileKind",
    "ChargingProfilePurpose",
    "ChargingRateUnit",
    "ChargingSchedule",
    "LocalListEntry",
    "LogType",
    "RecurrencyKind",
    "ReportBase",
    "SchedulePeriod",
    "TriggerableMessage",
    "VariableKey",
]

_KEY_PATTERN = re.compile(
    r"^(?P<component>[^.\[\]@/]+)(?:\[(?P<component_instance>[^\]]*)\])?"
    r"(?:@(?P<evse>\d+)(?:\.(?P<connector>\d+))?)?"
    r"\.(?P<variable>[^.\[\]/]+)(?:\[(?P<variable_instance>[^\]]*)\])?"
    r"(?:/(?P<attribute>[A-Za-z]+))?$"
)


@dataclass(frozen=True, slots=True)
class VariableKey:
    """An OCPP 2.0.1 device model address written as text, the same way the device model
    labels it: `Component[instance]@evse.connector.Variable[instance]/Attribute`; everything
    but `Component.Variable` is optional (`OCPPCommCtrlr.HeartbeatInterval`,
    `EVSE@1.AvailabilityState`, `SampledDataCtrlr.TxUpdatedInterval/Target`)."""

    component: str
    variable: str
    component_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    variable_instance: str | None = None
    attribute_type: str | None = None

    @classmethod
    def parse(cls, key: str) -> VariableKey:
        """Read a key; raise `ValueError` when it is not `Component.Variable`-shaped."""
        match = _KEY_PATTERN.match(key.strip())
        if match is None:
            raise ValueError(
                f"{key!r} is not a 2.0.1 variable key; expected Component.Variable, "
                "optionally Component[instance]@evse.connector.Variable[instance]/Attribute"
            )
        evse, connector = match["evse"], match["connector"]
        return cls(
            component=match["component"],
            variable=match["variable"],
            component_instance=match["component_instance"] or None,
            evse_id=int(evse) if evse is not None else None,
            connector_id=int(connector) if connector is not None else None,
            variable_instance=match["variable_instance"] or None,
            attribute_type=match["attribute"],
        )


class ChargingProfilePurpose(StrEnum):
    """ChargingProfilePurposeEnumType (2.0.1; 1.6 calls the first ChargePointMaxProfile)."""

    STATION_MAX = "ChargingStationMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"
    EXTERNAL_CONSTRAINTS = "ChargingStationExternalConstraints"


class ChargingProfileKind(StrEnum):
    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class RecurrencyKind(StrEnum):
    DAILY = "Daily"
    WEEKLY = "Weekly"


class ChargingRateUnit(StrEnum):
    WATTS = "W"
    AMPERES = "A"


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """From `start_s` seconds after the schedule's start, charge at most `limit`."""

    start_s: int
    limit: float
    number_phases: int | None = None
    phase_to_use: int | None = None  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class ChargingSchedule:
    rate_unit: ChargingRateUnit
    periods: tuple[SchedulePeriod, ...]
    duration_s: int | None = None
    start: datetime | None = None
    min_rate: float | None = None
    id: int | None = None  # 2.0.1 ChargingScheduleType.id; the profile's id when None

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("a charging schedule needs at least one period")
        if self.periods[0].start_s != 0:
            raise ValueError("the first schedule period must start at 0 s")


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    """A charging profile as we ask a station to install it (K01; 1.6 §3.13)."""

    stack_level: int
    purpose: ChargingProfilePurpose
    kind: ChargingProfileKind
    schedule: ChargingSchedule
    id: int | None = None  # allocated when the command is submitted
    recurrency: RecurrencyKind | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_ref: str | None = None  # TxProfile: the charger's transaction id


class TriggerableMessage(StrEnum):
    """Messages a station can be asked to send (2.0.1 MessageTriggerEnumType names; 1.6's
    DiagnosticsStatusNotification is LogStatusNotification here)."""

    BOOT_NOTIFICATION = "BootNotification"
    HEARTBEAT = "Heartbeat"
    STATUS_NOTIFICATION = "StatusNotification"
    METER_VALUES = "MeterValues"
    FIRMWARE_STATUS_NOTIFICATION = "FirmwareStatusNotification"
    LOG_STATUS_NOTIFICATION = "LogStatusNotification"
    TRANSACTION_EVENT = "TransactionEvent"
    SIGN_CHARGING_STATION_CERTIFICATE = "SignChargingStationCertificate"
    SIGN_V2G_CERTIFICATE = "SignV2GCertificate"
    SIGN_COMBINED_CERTIFICATE = "SignCombinedCertificate"
    PUBLISH_FIRMWARE_STATUS_NOTIFICATION = "PublishFirmwareStatusNotification"


class ReportBase(StrEnum):
    FULL_INVENTORY = "FullInventory"
    CONFIGURATION_INVENTORY = "ConfigurationInventory"
    SUMMARY_INVENTORY = "SummaryInventory"


class LogType(StrEnum):
    DIAGNOSTICS = "DiagnosticsLog"
    SECURITY = "SecurityLog"


@dataclass(frozen=True, slots=True)
class LocalListEntry:
    """One entry of a local authorization list; `status` None removes the token
    (differential updates only)."""

    id_token: IdToken
    status: AuthorizationStatus | None = AuthorizationStatus.ACCEPTED
    expiry: datetime | None = None
    group_id_token: IdToken | None = None
