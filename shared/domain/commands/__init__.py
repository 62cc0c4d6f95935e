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

from shared.authorization import IdToken
from shared.domain.commands.lifecycle import (
    FINAL_STATUSES,
    TRANSITIONS,
    CommandRecord,
    CommandResult,
    CommandStatus,
    IllegalTransitionError,
    JsonObject,
    JsonValue,
    UnsupportedCommandError,
    next_status,
)
from shared.domain.commands.requests import (
    COMMAND_TYPES,
    CancelReservation,
    ClearCache,
    ClearChargingProfile,
    Command,
    DataTransfer,
    GetChargingProfiles,
    GetCompositeSchedule,
    GetConfiguration,
    GetDiagnostics,
    GetLocalListVersion,
    GetLog,
    GetReport,
    GetTransactionStatus,
    RawCall,
    ReserveNow,
    Reset,
    SendLocalList,
    SetAvailability,
    SetChargingLimit,
    SetChargingProfile,
    SetConfiguration,
    StartCharging,
    StopCharging,
    TriggerMessage,
    Unlock,
    UpdateFirmware,
)
from shared.domain.commands.values import (
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    LocalListEntry,
    LogType,
    RecurrencyKind,
    ReportBase,
    SchedulePeriod,
    TriggerableMessage,
    VariableKey,
)

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
