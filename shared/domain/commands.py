"""Commands to charging stations: what the CSMS asks, the command lifecycle and its result.

Every command here is protocol-free. Whoever asks (CLI/admin API, OCPI gateway, load
management) builds one of these and hands it to the command service (`shared/commands.py`);
the node that holds the station's websocket turns it into the right OCPP message for the
station's version (`csms/v16/builders.py`, `csms/v201/builders.py`). Nobody else builds OCPP
payloads.

Lifecycle (DESIGN.md "Commands"), as a literal transition table in the style of h11's
`_state.py`::

    pending ──▶ sent ──▶ accepted | rejected | failed | timeout
       └──────────────▶ failed            (offline station, unsupported, node gone)

Identifiers the charger echoes back (remote start id, reservation id, charging profile id,
request ids) are allocated by the command service when the command is submitted, so the
stored request says exactly what was sent; a field left `None` means "allocate one".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Final, TypeAlias

from shared.authorization import AuthorizationStatus, IdToken

__all__ = [
    "COMMAND_TYPES",
    "FINAL_STATUSES",
    "TRANSITIONS",
    "CancelReservation",
    "ChargingProfile",
    "ChargingProfileKind",
    "ChargingProfilePurpose",
    "ChargingRateUnit",
    "ChargingSchedule",
    "ClearCache",
    "ClearChargingProfile",
    "Command",
    "CommandRecord",
    "CommandResult",
    "CommandStatus",
    "DataTransfer",
    "GetChargingProfiles",
    "GetCompositeSchedule",
    "GetConfiguration",
    "GetDiagnostics",
    "GetLocalListVersion",
    "GetLog",
    "GetReport",
    "GetTransactionStatus",
    "IdToken",
    "IllegalTransitionError",
    "JsonObject",
    "JsonValue",
    "LocalListEntry",
    "LogType",
    "RawCall",
    "RecurrencyKind",
    "ReportBase",
    "ReserveNow",
    "Reset",
    "SchedulePeriod",
    "SendLocalList",
    "SetAvailability",
    "SetChargingLimit",
    "SetChargingProfile",
    "SetConfiguration",
    "StartCharging",
    "StopCharging",
    "TriggerMessage",
    "TriggerableMessage",
    "Unlock",
    "UnsupportedCommandError",
    "UpdateFirmware",
    "VariableKey",
    "next_status",
]

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"


# --- lifecycle -----------------------------------------------------------------------------


class CommandStatus(StrEnum):
    """Where a command is in its lifecycle."""

    PENDING = "pending"  # stored, addressed to the node that holds the station
    SENT = "sent"  # claimed by that node and handed to the station's connection
    ACCEPTED = "accepted"  # the charger said yes (Accepted, Scheduled, Unlocked, …)
    REJECTED = "rejected"  # the charger said no (Rejected, UnlockFailed, NotSupported, …)
    FAILED = "failed"  # never reached the charger, or it answered with a CALLERROR
    TIMEOUT = "timeout"  # no answer within the call timeout


TRANSITIONS: Final[Mapping[CommandStatus, frozenset[CommandStatus]]] = {
    CommandStatus.PENDING: frozenset({CommandStatus.SENT, CommandStatus.FAILED}),
    CommandStatus.SENT: frozenset(
        {
            CommandStatus.ACCEPTED,
            CommandStatus.REJECTED,
            CommandStatus.FAILED,
            CommandStatus.TIMEOUT,
        }
    ),
    CommandStatus.ACCEPTED: frozenset(),
    CommandStatus.REJECTED: frozenset(),
    CommandStatus.FAILED: frozenset(),
    CommandStatus.TIMEOUT: frozenset(),
}

FINAL_STATUSES: Final = frozenset(status for status, nxt in TRANSITIONS.items() if not nxt)


class IllegalTransitionError(RuntimeError):
    """A command was asked to move to a status its lifecycle does not allow."""


def next_status(current: CommandStatus, new: CommandStatus) -> CommandStatus:
    """Return `new` if a command in `current` may move there; raise otherwise."""
    if new not in TRANSITIONS[current]:
        raise IllegalTransitionError(f"a {current.value} command cannot become {new.value}")
    return new


class UnsupportedCommandError(ValueError):
    """The command cannot be expressed for this station (its OCPP version lacks it, or a
    value does not fit the version, e.g. a non-numeric 1.6 transaction id)."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The normalised outcome of one command: final status, the charger's answer, why."""

    status: CommandStatus
    response: JsonObject | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.status not in FINAL_STATUSES:
            raise ValueError(f"a result is final; {self.status.value} is not")

    @classmethod
    def from_status(
        cls,
        response: JsonObject,
        *,
        accepted: frozenset[str],
        key: str = "status",
        notes: Mapping[str, str] | None = None,
    ) -> CommandResult:
        """Accepted when `response[key]` is one of `accepted`, otherwise rejected.

        The reason names the charger's status (and its `statusInfo`, 2.0.1), plus a note
        from `notes` for statuses that need one (Scheduled: "takes effect later").
        """
        value = response.get(key)
        if not isinstance(value, str):
            return cls(CommandStatus.FAILED, response, f"the answer has no {key!r}")
        status = CommandStatus.ACCEPTED if value in accepted else CommandStatus.REJECTED
        parts = [] if value == "Accepted" else [value]
        if notes and value in notes:
            parts.append(notes[value])
        info = response.get("statusInfo")
        if isinstance(info, dict) and info.get("reasonCode"):
            extra = info.get("additionalInfo")
            parts.append(f"{info['reasonCode']}" + (f": {extra}" if extra else ""))
        return cls(status, response, "; ".join(parts) or None)


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """A stored command: what was asked, by whom, and what became of it."""

    id: str
    station_id: str
    kind: str
    status: CommandStatus
    request: Command
    requested_by: str
    created_at: datetime
    response: JsonObject | None = None
    error: str | None = None  # why it was not accepted, or the detail of an acceptance
    sent_at: datetime | None = None
    completed_at: datetime | None = None
    ocpp_action: str | None = None
    origin_node: str | None = None  # the node that asked
    target_node: str | None = None  # the node that holds the station's websocket
    timeout_s: float = 0.0  # how long to wait for the charger's answer

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def accepted(self) -> bool:
        return self.status is CommandStatus.ACCEPTED


# --- value objects -------------------------------------------------------------------------

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


# --- commands ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    """Base of every command; `kind` names it in storage and in the API."""

    kind: ClassVar[str] = ""


def _non_negative(**values: int | None) -> None:
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} must not be negative (got {value})")


@dataclass(frozen=True, slots=True)
class StartCharging(Command):
    """Remote start (1.6 RemoteStartTransaction, 2.0.1 RequestStartTransaction F01/F02).

    `charging_limit_w` asks for a TxProfile with that single limit; `charging_profile` gives
    the whole profile instead (not both).
    """

    kind: ClassVar[str] = "start_charging"
    id_token: IdToken
    evse_id: int | None = None
    remote_start_id: int | None = None
    charging_limit_w: float | None = None
    charging_profile: ChargingProfile | None = None
    group_id_token: IdToken | None = None

    def __post_init__(self) -> None:
        _non_negative(evse_id=self.evse_id)
        if self.charging_limit_w is not None and self.charging_profile is not None:
            raise ValueError("give charging_limit_w or charging_profile, not both")
        if self.charging_limit_w is not None and self.charging_limit_w <= 0:
            raise ValueError("charging_limit_w must be positive")


@dataclass(frozen=True, slots=True)
class StopCharging(Command):
    """Remote stop (1.6 RemoteStopTransaction, 2.0.1 RequestStopTransaction F03)."""

    kind: ClassVar[str] = "stop_charging"
    transaction_ref: str  # the transaction id as the charger knows it


@dataclass(frozen=True, slots=True)
class Reset(Command):
    """Hard: reboot now (2.0.1 Immediate); soft: when idle (2.0.1 OnIdle). B11/B12."""

    kind: ClassVar[str] = "reset"
    hard: bool = False
    evse_id: int | None = None  # 2.0.1 only: reset one EVSE


@dataclass(frozen=True, slots=True)
class SetAvailability(Command):
    """ChangeAvailability (G03/G04); `evse_id` 0 means the whole station."""

    kind: ClassVar[str] = "set_availability"
    evse_id: int
    operative: bool
    connector_id: int | None = None  # 2.0.1 only

    def __post_init__(self) -> None:
        _non_negative(evse_id=self.evse_id, connector_id=self.connector_id)


@dataclass(frozen=True, slots=True)
class Unlock(Command):
    """UnlockConnector (F05). For 1.6, EVSE N is connector N."""

    kind: ClassVar[str] = "unlock"
    evse_id: int
    connector_id: int = 1

    def __post_init__(self) -> None:
        if self.evse_id < 1 or self.connector_id < 1:
            raise ValueError("unlock needs an EVSE id and a connector id of at least 1")


@dataclass(frozen=True, slots=True)
class SetConfiguration(Command):
    """1.6 ChangeConfiguration; 2.0.1 SetVariables with `key` read as a `VariableKey`."""

    kind: ClassVar[str] = "set_configuration"
    key: str
    value: str

    def __post_init__(self) -> None:
        if not self.key.strip():
            raise ValueError("a configuration key must not be empty")


@dataclass(frozen=True, slots=True)
class GetConfiguration(Command):
    """1.6 GetConfiguration (no keys: all of them); 2.0.1 GetVariables (at least one key)."""

    kind: ClassVar[str] = "get_configuration"
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GetReport(Command):
    """2.0.1 GetBaseReport (B07); on 1.6, GetConfiguration of every key."""

    kind: ClassVar[str] = "get_report"
    base: ReportBase = ReportBase.FULL_INVENTORY
    request_id: int | None = None


@dataclass(frozen=True, slots=True)
class TriggerMessage(Command):
    """Ask the station to send a message now (F06)."""

    kind: ClassVar[str] = "trigger_message"
    message: TriggerableMessage
    evse_id: int | None = None
    connector_id: int | None = None  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class SetChargingLimit(Command):
    """Limit an EVSE (0: the whole station) to `limit_w` watts with one flat profile.

    Without a purpose: TxDefaultProfile on an EVSE, ChargingStationMaxProfile on EVSE 0.
    `starts_at` is the profile's absolute start, set when the command is submitted.
    """

    kind: ClassVar[str] = "set_charging_limit"
    evse_id: int
    limit_w: float
    purpose: ChargingProfilePurpose | None = None
    stack_level: int = 0
    number_phases: int | None = None
    duration_s: int | None = None
    transaction_ref: str | None = None
    profile_id: int | None = None
    starts_at: datetime | None = None

    def __post_init__(self) -> None:
        _non_negative(evse_id=self.evse_id, stack_level=self.stack_level)
        if self.limit_w < 0:
            raise ValueError("limit_w must not be negative")

    @property
    def effective_purpose(self) -> ChargingProfilePurpose:
        if self.purpose is not None:
            return self.purpose
        return (
            ChargingProfilePurpose.TX_DEFAULT
            if self.evse_id
            else ChargingProfilePurpose.STATION_MAX
        )

    def profile(self) -> ChargingProfile:
        """The flat profile this limit stands for."""
        return ChargingProfile(
            id=self.profile_id,
            stack_level=self.stack_level,
            purpose=self.effective_purpose,
            # Absolute with a start: a station max profile may not be Relative (K01.FR.38).
            kind=ChargingProfileKind.ABSOLUTE,
            schedule=ChargingSchedule(
                rate_unit=ChargingRateUnit.WATTS,
                periods=(SchedulePeriod(0, self.limit_w, self.number_phases),),
                duration_s=self.duration_s,
                start=self.starts_at,
            ),
            transaction_ref=self.transaction_ref,
        )


@dataclass(frozen=True, slots=True)
class SetChargingProfile(Command):
    """Install a full charging profile on an EVSE (0: the whole station). K01."""

    kind: ClassVar[str] = "set_charging_profile"
    evse_id: int
    profile: ChargingProfile

    def __post_init__(self) -> None:
        _non_negative(evse_id=self.evse_id)


@dataclass(frozen=True, slots=True)
class ClearChargingProfile(Command):
    """Clear by id, or by criteria (EVSE, purpose, stack level); nothing given: all. K10."""

    kind: ClassVar[str] = "clear_charging_profile"
    profile_id: int | None = None
    evse_id: int | None = None
    purpose: ChargingProfilePurpose | None = None
    stack_level: int | None = None


@dataclass(frozen=True, slots=True)
class GetChargingProfiles(Command):
    """2.0.1 GetChargingProfiles (K09); the profiles arrive in ReportChargingProfiles."""

    kind: ClassVar[str] = "get_charging_profiles"
    evse_id: int | None = None
    purpose: ChargingProfilePurpose | None = None
    stack_level: int | None = None
    profile_ids: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()  # ChargingLimitSourceEnumType: EMS, Other, SO, CSO
    request_id: int | None = None


@dataclass(frozen=True, slots=True)
class GetCompositeSchedule(Command):
    """The schedule an EVSE will follow for the next `duration_s` seconds (K08)."""

    kind: ClassVar[str] = "get_composite_schedule"
    evse_id: int
    duration_s: int
    rate_unit: ChargingRateUnit | None = None

    def __post_init__(self) -> None:
        _non_negative(evse_id=self.evse_id, duration_s=self.duration_s)


@dataclass(frozen=True, slots=True)
class ReserveNow(Command):
    """Reserve an EVSE (None: any) for a token until `expiry` (H01)."""

    kind: ClassVar[str] = "reserve_now"
    id_token: IdToken
    expiry: datetime
    evse_id: int | None = None
    reservation_id: int | None = None
    connector_type: str | None = None  # 2.0.1 ConnectorEnumType
    group_id_token: IdToken | None = None


@dataclass(frozen=True, slots=True)
class CancelReservation(Command):
    kind: ClassVar[str] = "cancel_reservation"
    reservation_id: int


@dataclass(frozen=True, slots=True)
class SendLocalList(Command):
    """Send a local authorization list (D01); `full` replaces it, else a differential."""

    kind: ClassVar[str] = "send_local_list"
    version: int
    entries: tuple[LocalListEntry, ...] = ()
    full: bool = True

    def __post_init__(self) -> None:
        if self.full and any(entry.status is None for entry in self.entries):
            raise ValueError("a full local list cannot remove entries (status None)")


@dataclass(frozen=True, slots=True)
class GetLocalListVersion(Command):
    kind: ClassVar[str] = "get_local_list_version"


@dataclass(frozen=True, slots=True)
class ClearCache(Command):
    kind: ClassVar[str] = "clear_cache"


@dataclass(frozen=True, slots=True)
class UpdateFirmware(Command):
    """Download firmware from `location` from `retrieve_at` on (L01)."""

    kind: ClassVar[str] = "update_firmware"
    location: str
    retrieve_at: datetime
    retries: int | None = None
    retry_interval_s: int | None = None
    install_at: datetime | None = None  # 2.0.1 only
    signing_certificate: str | None = None  # 2.0.1 only
    signature: str | None = None  # 2.0.1 only
    request_id: int | None = None


@dataclass(frozen=True, slots=True)
class GetLog(Command):
    """Upload a log to `location` (1.6 GetDiagnostics, 2.0.1 GetLog N01)."""

    kind: ClassVar[str] = "get_log"
    location: str
    oldest: datetime | None = None
    latest: datetime | None = None
    retries: int | None = None
    retry_interval_s: int | None = None
    log_type: LogType = LogType.DIAGNOSTICS
    request_id: int | None = None


GetDiagnostics = GetLog  # the 1.6 name of the same command


@dataclass(frozen=True, slots=True)
class DataTransfer(Command):
    """Vendor-specific message (P01). 1.6 sends `data` as a string (JSON for non-strings)."""

    kind: ClassVar[str] = "data_transfer"
    vendor_id: str
    message_id: str | None = None
    data: JsonValue = None


@dataclass(frozen=True, slots=True)
class GetTransactionStatus(Command):
    """2.0.1 GetTransactionStatus (E14): is a transaction still going, are messages queued."""

    kind: ClassVar[str] = "get_transaction_status"
    transaction_ref: str | None = None


@dataclass(frozen=True, slots=True)
class RawCall(Command):
    """Any action with a payload given as is (the CLI's `csms stations call`). The payload
    is still checked against the action's schema before it is sent."""

    kind: ClassVar[str] = "raw_call"
    action: str
    payload: JsonObject = field(default_factory=dict)


COMMAND_TYPES: Final[Mapping[str, type[Command]]] = {
    cls.kind: cls
    for cls in (
        StartCharging,
        StopCharging,
        Reset,
        SetAvailability,
        Unlock,
        SetConfiguration,
        GetConfiguration,
        GetReport,
        TriggerMessage,
        SetChargingLimit,
        SetChargingProfile,
        ClearChargingProfile,
        GetChargingProfiles,
        GetCompositeSchedule,
        ReserveNow,
        CancelReservation,
        SendLocalList,
        GetLocalListVersion,
        ClearCache,
        UpdateFirmware,
        GetLog,
        DataTransfer,
        GetTransactionStatus,
        RawCall,
    )
}
