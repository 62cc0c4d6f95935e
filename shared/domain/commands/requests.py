"""The commands themselves: one frozen dataclass per thing the CSMS can ask a station."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Final

from shared.authorization import IdToken
from shared.domain.commands.lifecycle import JsonObject, JsonValue
from shared.domain.commands.values import (
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    LocalListEntry,
    LogType,
    ReportBase,
    SchedulePeriod,
    TriggerableMessage,
)

__all__ = [
    "COMMAND_TYPES",
    "CancelReservation",
    "ClearCache",
    "ClearChargingProfile",
    "Command",
    "DataTransfer",
    "GetChargingProfiles",
    "GetCompositeSchedule",
    "GetConfiguration",
    "GetDiagnostics",
    "GetLocalListVersion",
    "GetLog",
    "GetReport",
    "GetTransactionStatus",
    "RawCall",
    "ReserveNow",
    "Reset",
    "SendLocalList",
    "SetAvailability",
    "SetChargingLimit",
    "SetChargingProfile",
    "SetConfiguration",
    "StartCharging",
    "StopCharging",
    "TriggerMessage",
    "Unlock",
    "UpdateFirmware",
]


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
