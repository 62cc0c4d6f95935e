"""Every command, built for each OCPP version: the right action, a payload that passes the
strict schema check, and the right reading of the charger's answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from csms.commands import BUILDERS
from csms.ocppj import get_validator
from shared.authorization import IdToken
from shared.domain.commands import (
    ChargingProfilePurpose,
    ClearChargingProfile,
    Command,
    CommandStatus,
    DataTransfer,
    GetChargingProfiles,
    GetConfiguration,
    GetLog,
    GetReport,
    GetTransactionStatus,
    LogType,
    ReserveNow,
    Reset,
    SetChargingLimit,
    SetChargingProfile,
    SetConfiguration,
    StartCharging,
    StopCharging,
    TriggerableMessage,
    TriggerMessage,
    UnsupportedCommandError,
    UpdateFirmware,
)
from tests.integration.commands.cases import Case, cases

NOW = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def with_ids(command: Command) -> Command:
    """What the command service makes of a command before it is sent (ids allocated)."""
    if isinstance(command, StartCharging):
        limit = command.charging_limit_w
        profile = None
        if limit is not None:
            flat = SetChargingLimit(0, limit, purpose=ChargingProfilePurpose.TX, profile_id=5)
            profile = flat.profile()
        return replace(command, remote_start_id=11, charging_limit_w=None, charging_profile=profile)
    if isinstance(command, SetChargingLimit):
        return replace(command, profile_id=6, starts_at=NOW)
    if isinstance(command, SetChargingProfile):
        return replace(command, profile=replace(command.profile, id=7))
    if isinstance(command, ReserveNow):
        return replace(command, reservation_id=8)
    if isinstance(command, GetReport | UpdateFirmware | GetLog | GetChargingProfiles):
        return replace(command, request_id=9)
    return command


def all_cases() -> list[tuple[str, Case]]:
    return [(version, case) for version in ("1.6", "2.0.1") for case in cases(version)]


@pytest.mark.parametrize(("version", "case"), all_cases(), ids=lambda v: getattr(v, "name", v))
def test_built_payload_passes_the_strict_schema(version: str, case: Case) -> None:
    action, payload = BUILDERS[version].build(with_ids(case.command))
    assert action == case.action
    assert get_validator(version, "strict").validate_request(action, payload) == []


@pytest.mark.parametrize(("version", "case"), all_cases(), ids=lambda v: getattr(v, "name", v))
def test_answer_is_read_as_expected(version: str, case: Case) -> None:
    # The healthy answers of the cases are themselves schema-valid.
    get_validator(version, "strict").validate_response(case.action, case.answer)
    result = BUILDERS[version].interpret(case.command, case.action, case.answer)
    assert result.status is case.status
    assert result.response == case.answer
    if case.reason is not None:
        assert result.reason is not None
        assert case.reason in result.reason


def test_v16_payload_details() -> None:
    v16 = BUILDERS["1.6"]
    _action, payload = v16.build(with_ids(SetChargingLimit(2, 7400.04)))
    profile = payload["csChargingProfiles"]
    assert payload["connectorId"] == 2
    assert profile["chargingProfilePurpose"] == "TxDefaultProfile"
    assert profile["chargingSchedule"]["startSchedule"] == "2026-05-06T07:08:09.123Z"
    assert profile["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 7400.0}
    ]
    _, station = v16.build(with_ids(SetChargingLimit(0, 3000)))
    assert station["csChargingProfiles"]["chargingProfilePurpose"] == "ChargePointMaxProfile"
    _, start = v16.build(with_ids(StartCharging(IdToken("T"), charging_limit_w=3000)))
    assert "connectorId" not in start
    assert start["chargingProfile"]["chargingProfilePurpose"] == "TxProfile"
    assert v16.build(DataTransfer("v", data={"a": 1}))[1]["data"] == '{"a":1}'
    assert v16.build(GetReport())[1] == {}
    assert v16.build(Reset())[1] == {"type": "Soft"}
    assert v16.build(TriggerMessage(TriggerableMessage.LOG_STATUS_NOTIFICATION))[1] == {
        "requestedMessage": "DiagnosticsStatusNotification"
    }


def test_v201_payload_details() -> None:
    v201 = BUILDERS["2.0.1"]
    _, variables = v201.build(SetConfiguration("Connector[a]@2.1.Power[L1]/Target", "10"))
    assert variables["setVariableData"] == [
        {
            "attributeType": "Target",
            "attributeValue": "10",
            "component": {
                "name": "Connector",
                "instance": "a",
                "evse": {"id": 2, "connectorId": 1},
            },
            "variable": {"name": "Power", "instance": "L1"},
        }
    ]
    _, start = v201.build(
        with_ids(StartCharging(IdToken("T", "Central"), evse_id=2, charging_limit_w=3000))
    )
    assert start["remoteStartId"] == 11
    assert start["evseId"] == 2
    assert start["idToken"] == {"idToken": "T", "type": "Central"}
    schedule = start["chargingProfile"]["chargingSchedule"][0]
    assert schedule["id"] == 5
    assert schedule["chargingSchedulePeriod"][0]["limit"] == 3000.0
    assert v201.build(Reset(hard=True, evse_id=1))[1] == {"type": "Immediate", "evseId": 1}
    assert v201.build(ClearChargingProfile())[1] == {}


@pytest.mark.parametrize(
    ("version", "command", "message"),
    [
        ("1.6", GetTransactionStatus("x"), "not available in OCPP 1.6"),
        ("1.6", StopCharging("not-a-number"), "integers"),
        ("1.6", Reset(evse_id=1), "single connector"),
        ("1.6", StartCharging(IdToken("X" * 21)), "20 characters"),
        ("1.6", TriggerMessage(TriggerableMessage.TRANSACTION_EVENT), "cannot trigger"),
        ("1.6", GetLog("ftp://x/", log_type=LogType.SECURITY, request_id=1), "diagnostics"),
        ("1.6", UpdateFirmware("https://x/", NOW, signature="s"), "signature"),
        (
            "1.6",
            ClearChargingProfile(purpose=ChargingProfilePurpose.EXTERNAL_CONSTRAINTS),
            "no ChargingStationExternalConstraints",
        ),
        ("2.0.1", GetConfiguration(()), "at least one"),
        ("2.0.1", SetConfiguration("HeartbeatInterval", "1"), "not a 2.0.1 variable key"),
        ("2.0.1", GetReport(), "no requestId"),
    ],
)
def test_what_a_version_cannot_say_is_refused(version: str, command: Command, message: str) -> None:
    module = BUILDERS[version]
    with pytest.raises(UnsupportedCommandError, match=message):
        module.build(command)


def test_results_of_unusual_answers() -> None:
    v16, v201 = BUILDERS["1.6"], BUILDERS["2.0.1"]
    no_list = v16.interpret(GetConfiguration(), "GetLocalListVersion", {"listVersion": -1})
    assert no_list.status is CommandStatus.REJECTED
    empty = v16.interpret(GetLog("ftp://x/"), "GetDiagnostics", {})
    assert empty.status is CommandStatus.ACCEPTED
    assert "no diagnostics" in (empty.reason or "")
    refused = v201.interpret(
        SetConfiguration("A.B", "1"),
        "SetVariables",
        {
            "setVariableResult": [
                {
                    "attributeStatus": "Rejected",
                    "attributeStatusInfo": {"reasonCode": "ReadOnly"},
                    "component": {"name": "A"},
                    "variable": {"name": "B"},
                }
            ]
        },
    )
    assert refused.status is CommandStatus.REJECTED
    assert "ReadOnly" in (refused.reason or "")
    broken = v201.interpret(Reset(), "Reset", {"no": "status"})
    assert broken.status is CommandStatus.FAILED
