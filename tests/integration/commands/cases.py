"""Every CSMS-initiated message of both versions as a domain command, the action it must
become, a healthy charger's answer, and the status that answer must give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.authorization import AuthorizationStatus, IdToken
from shared.domain.commands import (
    CancelReservation,
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    ClearCache,
    ClearChargingProfile,
    Command,
    CommandStatus,
    DataTransfer,
    GetChargingProfiles,
    GetCompositeSchedule,
    GetConfiguration,
    GetLocalListVersion,
    GetLog,
    GetReport,
    GetTransactionStatus,
    LocalListEntry,
    RawCall,
    ReportBase,
    ReserveNow,
    Reset,
    SchedulePeriod,
    SendLocalList,
    SetAvailability,
    SetChargingLimit,
    SetChargingProfile,
    SetConfiguration,
    StartCharging,
    StopCharging,
    TriggerableMessage,
    TriggerMessage,
    Unlock,
    UpdateFirmware,
)

__all__ = ["V16_CASES", "V201_CASES", "Case", "cases"]

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
TOKEN = IdToken("TAG-0001", "ISO14443")


@dataclass(frozen=True)
class Case:
    name: str
    command: Command
    action: str
    answer: dict[str, Any]
    status: CommandStatus = CommandStatus.ACCEPTED
    reason: str | None = None  # a part of the reason to expect


def _station_max() -> ChargingProfile:
    return ChargingProfile(
        stack_level=1,
        purpose=ChargingProfilePurpose.STATION_MAX,
        kind=ChargingProfileKind.ABSOLUTE,
        schedule=ChargingSchedule(
            ChargingRateUnit.AMPERES,
            (SchedulePeriod(0, 32.0, 3), SchedulePeriod(3600, 16.5, 3)),
            duration_s=7200,
            start=SOON,
            min_rate=6.0,
        ),
        valid_from=SOON - timedelta(hours=1),
        valid_to=SOON + timedelta(days=1),
    )


_ENTRIES = (
    LocalListEntry(TOKEN, AuthorizationStatus.ACCEPTED, expiry=SOON),
    LocalListEntry(IdToken("TAG-0002"), AuthorizationStatus.BLOCKED),
)
_SCHEDULE_16 = {
    "chargingRateUnit": "W",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 22000.0}],
}

V16_CASES = [
    Case(
        "start",
        StartCharging(TOKEN, evse_id=1, charging_limit_w=11000),
        "RemoteStartTransaction",
        {"status": "Accepted"},
    ),
    Case("stop", StopCharging("42"), "RemoteStopTransaction", {"status": "Accepted"}),
    Case("reset", Reset(hard=True), "Reset", {"status": "Accepted"}),
    Case(
        "availability",
        SetAvailability(1, operative=False),
        "ChangeAvailability",
        {"status": "Scheduled"},
        reason="Scheduled",
    ),
    Case("unlock", Unlock(1), "UnlockConnector", {"status": "Unlocked"}),
    Case(
        "set-config",
        SetConfiguration("HeartbeatInterval", "120"),
        "ChangeConfiguration",
        {"status": "RebootRequired"},
        reason="RebootRequired",
    ),
    Case(
        "get-config",
        GetConfiguration(("HeartbeatInterval", "Nope")),
        "GetConfiguration",
        {
            "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "120"}],
            "unknownKey": ["Nope"],
        },
        reason="unknown: Nope",
    ),
    Case(
        "get-report",
        GetReport(),
        "GetConfiguration",
        {"configurationKey": [{"key": "NumberOfConnectors", "readonly": True, "value": "2"}]},
    ),
    Case(
        "trigger",
        TriggerMessage(TriggerableMessage.LOG_STATUS_NOTIFICATION, evse_id=1),
        "TriggerMessage",
        {"status": "Accepted"},
    ),
    Case("limit", SetChargingLimit(1, 7400.0), "SetChargingProfile", {"status": "Accepted"}),
    Case(
        "profile",
        SetChargingProfile(0, _station_max()),
        "SetChargingProfile",
        {"status": "Accepted"},
    ),
    Case(
        "clear-profile",
        ClearChargingProfile(evse_id=1, purpose=ChargingProfilePurpose.TX_DEFAULT),
        "ClearChargingProfile",
        {"status": "Unknown"},
        CommandStatus.REJECTED,
        "Unknown",
    ),
    Case(
        "composite",
        GetCompositeSchedule(1, 3600, ChargingRateUnit.WATTS),
        "GetCompositeSchedule",
        {
            "status": "Accepted",
            "connectorId": 1,
            "scheduleStart": "2026-01-01T00:00:00Z",
            "chargingSchedule": _SCHEDULE_16,
        },
    ),
    Case("reserve", ReserveNow(TOKEN, SOON, evse_id=1), "ReserveNow", {"status": "Accepted"}),
    Case(
        "cancel-reservation",
        CancelReservation(5),
        "CancelReservation",
        {"status": "Rejected"},
        CommandStatus.REJECTED,
    ),
    Case("local-list", SendLocalList(3, _ENTRIES), "SendLocalList", {"status": "Accepted"}),
    Case(
        "local-list-version",
        GetLocalListVersion(),
        "GetLocalListVersion",
        {"listVersion": 3},
        reason="list version 3",
    ),
    Case("clear-cache", ClearCache(), "ClearCache", {"status": "Accepted"}),
    Case(
        "firmware",
        UpdateFirmware("https://example.com/fw.bin", SOON, retries=3, retry_interval_s=60),
        "UpdateFirmware",
        {},
    ),
    Case(
        "diagnostics",
        GetLog("ftp://example.com/logs/", oldest=SOON - timedelta(days=1), latest=SOON),
        "GetDiagnostics",
        {"fileName": "diag.zip"},
        reason="diag.zip",
    ),
    Case(
        "data-transfer",
        DataTransfer("acme", "hello", {"x": 1}),
        "DataTransfer",
        {"status": "Accepted", "data": "ok"},
    ),
    Case(
        "raw",
        RawCall("ClearCache", {}),
        "ClearCache",
        {"status": "Rejected"},
        CommandStatus.REJECTED,
    ),
]

_SCHEDULE_201 = {
    "evseId": 1,
    "duration": 3600,
    "scheduleStart": "2026-01-01T00:00:00Z",
    "chargingRateUnit": "W",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 22000.0}],
}

V201_CASES = [
    Case(
        "start",
        StartCharging(TOKEN, evse_id=1, charging_limit_w=11000),
        "RequestStartTransaction",
        {"status": "Accepted"},
    ),
    Case(
        "stop",
        StopCharging("tx-abc"),
        "RequestStopTransaction",
        {"status": "Rejected", "statusInfo": {"reasonCode": "UnknownTx"}},
        CommandStatus.REJECTED,
        "UnknownTx",
    ),
    Case("reset", Reset(hard=False), "Reset", {"status": "Scheduled"}, reason="Scheduled"),
    Case(
        "availability",
        SetAvailability(1, operative=True, connector_id=1),
        "ChangeAvailability",
        {"status": "Accepted"},
    ),
    Case(
        "unlock",
        Unlock(1, 1),
        "UnlockConnector",
        {"status": "OngoingAuthorizedTransaction"},
        CommandStatus.REJECTED,
        "OngoingAuthorizedTransaction",
    ),
    Case(
        "set-variables",
        SetConfiguration("OCPPCommCtrlr.HeartbeatInterval", "120"),
        "SetVariables",
        {
            "setVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                }
            ]
        },
    ),
    Case(
        "get-variables",
        GetConfiguration(("OCPPCommCtrlr.HeartbeatInterval", "EVSE@1.Power/MaxSet")),
        "GetVariables",
        {
            "getVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "attributeValue": "120",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                },
                {
                    "attributeStatus": "UnknownVariable",
                    "attributeType": "MaxSet",
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Power"},
                },
            ]
        },
        reason="1 of 2 accepted",
    ),
    Case(
        "base-report",
        GetReport(ReportBase.CONFIGURATION_INVENTORY),
        "GetBaseReport",
        {"status": "Accepted"},
    ),
    Case(
        "trigger",
        TriggerMessage(TriggerableMessage.STATUS_NOTIFICATION, evse_id=1, connector_id=1),
        "TriggerMessage",
        {"status": "Accepted"},
    ),
    Case("limit", SetChargingLimit(0, 22000.0), "SetChargingProfile", {"status": "Accepted"}),
    Case(
        "profile",
        SetChargingProfile(0, _station_max()),
        "SetChargingProfile",
        {"status": "Accepted"},
    ),
    Case(
        "clear-profile",
        ClearChargingProfile(profile_id=99),
        "ClearChargingProfile",
        {"status": "Accepted"},
    ),
    Case(
        "get-profiles",
        GetChargingProfiles(evse_id=1, purpose=ChargingProfilePurpose.TX_DEFAULT),
        "GetChargingProfiles",
        {"status": "NoProfiles"},
        CommandStatus.REJECTED,
        "NoProfiles",
    ),
    Case(
        "composite",
        GetCompositeSchedule(1, 3600),
        "GetCompositeSchedule",
        {"status": "Accepted", "schedule": _SCHEDULE_201},
    ),
    Case(
        "reserve",
        ReserveNow(
            TOKEN,
            SOON,
            evse_id=1,
            connector_type="cType2",
            group_id_token=IdToken("GROUP", "Central"),
        ),
        "ReserveNow",
        {"status": "Occupied"},
        CommandStatus.REJECTED,
        "Occupied",
    ),
    Case("cancel-reservation", CancelReservation(5), "CancelReservation", {"status": "Accepted"}),
    Case("local-list", SendLocalList(4, _ENTRIES), "SendLocalList", {"status": "Accepted"}),
    Case(
        "local-list-version",
        GetLocalListVersion(),
        "GetLocalListVersion",
        {"versionNumber": 4},
        reason="list version 4",
    ),
    Case("clear-cache", ClearCache(), "ClearCache", {"status": "Accepted"}),
    Case(
        "firmware",
        UpdateFirmware("https://example.com/fw.bin", SOON, install_at=SOON, signature="c2ln"),
        "UpdateFirmware",
        {"status": "Accepted"},
    ),
    Case(
        "log",
        GetLog("https://example.com/logs/", oldest=SOON - timedelta(days=1)),
        "GetLog",
        {"status": "Accepted", "filename": "log.tgz"},
        reason="log.tgz",
    ),
    Case(
        "transaction-status",
        GetTransactionStatus("tx-abc"),
        "GetTransactionStatus",
        {"ongoingIndicator": True, "messagesInQueue": False},
        reason="ongoing",
    ),
    Case(
        "data-transfer",
        DataTransfer("acme", data={"x": [1, 2]}),
        "DataTransfer",
        {"status": "UnknownVendorId"},
        CommandStatus.REJECTED,
        "UnknownVendorId",
    ),
    Case("raw", RawCall("GetLocalListVersion", {}), "GetLocalListVersion", {"versionNumber": 0}),
]


def cases(version: str) -> list[Case]:
    return V16_CASES if version == "1.6" else V201_CASES
