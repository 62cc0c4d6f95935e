"""Schema validation: every schema compiles, each violation gets its version's CALLERROR."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from csms.ocppj import (
    ErrorCode,
    OcppError,
    PayloadError,
    UnknownActionError,
    Validator,
    actions,
    call_error_frame,
    get_validator,
)
from csms.ocppj.timestamps import format_timestamp
from csms.ocppj.validation import warm_up

NOW = "2024-05-01T12:00:00.000Z"


def wire_code(error: OcppError, version: str) -> str:
    """The error code as the CALLERROR for ``error`` carries it on a ``version`` connection."""
    return str(json.loads(call_error_frame("1", error, version))[2])  # type: ignore[arg-type]


# ------------------------------------------------------------------ compilation


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
@pytest.mark.parametrize("datetimes", ["strict", "lenient"])
def test_every_schema_compiles(version: str, datetimes: Any) -> None:
    validator = Validator(version, datetimes=datetimes)
    # 1.6: 39 actions (core + security extension), 2.0.1: 64; a request and a response each.
    assert validator.warm_up() == 2 * len(validator.actions)
    assert len(validator.actions) == {"1.6": 39, "2.0.1": 64}[version]


def test_module_warm_up_covers_both_versions_and_policies() -> None:
    assert warm_up() == 2 * 2 * (39 + 64)


def test_actions_per_version() -> None:
    assert {"BootNotification", "StartTransaction", "MeterValues"} <= actions("1.6")
    assert {"BootNotification", "TransactionEvent", "NotifyReport"} <= actions("2.0.1")
    assert "TransactionEvent" not in actions("1.6")
    assert "StartTransaction" not in actions("2.0.1")


def test_get_validator_is_shared_per_version_and_policy() -> None:
    assert get_validator("1.6") is get_validator("1.6", "lenient")
    assert get_validator("1.6", "strict") is not get_validator("1.6")
    assert get_validator("2.0.1").version == "2.0.1"
    with pytest.raises(ValueError, match=r"2\.1"):
        get_validator("2.1")


# ------------------------------------------------------------------ valid payloads


VALID = [
    ("1.6", "BootNotification", {"chargePointVendor": "VendorX", "chargePointModel": "M1"}),
    ("1.6", "Heartbeat", {}),
    (
        "1.6",
        "StatusNotification",
        {"connectorId": 0, "errorCode": "NoError", "status": "Available"},
    ),
    # PITFALLS "Real chargers" #2: invented transaction ids are still integers.
    ("1.6", "StopTransaction", {"transactionId": 2**63 - 1, "meterStop": 10, "timestamp": NOW}),
    ("1.6", "StopTransaction", {"transactionId": -1, "meterStop": 10, "timestamp": NOW}),
    (
        "1.6",
        "MeterValues",
        {
            "connectorId": 0,
            "meterValue": [
                {
                    "timestamp": NOW,
                    "sampledValue": [
                        {"value": "230.1", "measurand": "Voltage", "phase": "L1-N", "unit": "V"},
                        {"value": "21.5", "unit": "Celcius", "measurand": "Temperature"},
                    ],
                }
            ],
        },
    ),
    (
        "2.0.1",
        "BootNotification",
        {"chargingStation": {"model": "M1", "vendorName": "VendorX"}, "reason": "PowerUp"},
    ),
    (
        "2.0.1",
        "StatusNotification",
        {"timestamp": NOW, "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
    ),
    (
        "2.0.1",
        "TransactionEvent",
        {
            "eventType": "Started",
            "timestamp": NOW,
            "triggerReason": "Authorized",
            "seqNo": 0,
            "offline": True,
            "transactionInfo": {"transactionId": "tx-1"},
            "idToken": {"idToken": "TAG-0001", "type": "ISO14443"},
            "evse": {"id": 1, "connectorId": 1},
        },
    ),
]


@pytest.mark.parametrize(("version", "action", "payload"), VALID)
@pytest.mark.parametrize("datetimes", ["strict", "lenient"])
def test_valid_requests_pass(version: str, action: str, payload: Any, datetimes: Any) -> None:
    before = copy.deepcopy(payload)
    assert get_validator(version, datetimes).validate_request(action, payload) == []
    assert get_validator(version, datetimes).validate_request(action, payload, lenient=True) == []
    assert payload == before  # schema defaults are never written into payloads


def test_our_answers_pass_strict_validation() -> None:
    from datetime import UTC, datetime

    now = format_timestamp(datetime.now(UTC))
    strict_16 = get_validator("1.6", "strict")
    strict_201 = get_validator("2.0.1", "strict")
    answer = {"status": "Accepted", "currentTime": now, "interval": 300}
    assert strict_16.validate_response("BootNotification", answer) == []
    assert strict_201.validate_response("BootNotification", answer) == []
    assert strict_201.validate_response("Heartbeat", {"currentTime": now}) == []


def test_decimals_are_numbers() -> None:
    profile = {
        "connectorId": 1,
        "csChargingProfiles": {
            "chargingProfileId": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": Decimal("11000.5")}],
            },
        },
    }
    strict = get_validator("1.6", "strict")
    assert strict.validate_request("SetChargingProfile", profile) == []
    # The 1.6 schema says limit is a multiple of 0.1; 21.4 is, even as a float.
    period = profile["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]  # type: ignore[index]
    period["limit"] = 21.4
    assert strict.validate_request("SetChargingProfile", profile) == []
    period["limit"] = 4.11
    with pytest.raises(PayloadError) as caught:
        strict.validate_request("SetChargingProfile", profile)
    assert caught.value.rule == "multipleOf"
    assert caught.value.code is ErrorCode.PropertyConstraintViolation


# ------------------------------------------------------------------ violations per version


STATUS_16 = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
STATUS_201 = {"timestamp": NOW, "connectorStatus": "Available", "evseId": 1, "connectorId": 1}

VIOLATIONS = [
    # (version, action, payload, 1.6 / 2.0.1 wire code, field, rule, text in description)
    ("1.6", "StatusNotification", {**STATUS_16, "connectorId": "1"},
     "TypeConstraintViolation", "data.connectorId", "type", 'must be integer (got "1")'),
    ("1.6", "StatusNotification", {"connectorId": 1, "status": "Available"},
     "OccurenceConstraintViolation", "data", "required", "['errorCode']"),
    ("1.6", "StatusNotification", {**STATUS_16, "status": "Bogus"},
     "PropertyConstraintViolation", "data.status", "enum", '(got "Bogus")'),
    ("1.6", "StatusNotification", {**STATUS_16, "vendor": "x"},
     "FormationViolation", "data", "additionalProperties", "{'vendor'}"),
    ("1.6", "StatusNotification", {**STATUS_16, "timestamp": "yesterday"},
     "FormationViolation", "data.timestamp", "format", '(got "yesterday")'),
    # PITFALLS "Real chargers" #13: an idTag longer than 20.
    ("1.6", "Authorize", {"idTag": "X" * 21},
     "PropertyConstraintViolation", "data.idTag", "maxLength", "20"),
    ("1.6", "MeterValues", {"connectorId": 1, "meterValue": []},
     "OccurenceConstraintViolation", "data.meterValue", "minItems", "at least 1"),
    ("2.0.1", "StatusNotification", {**STATUS_201, "evseId": 1.5},
     "TypeConstraintViolation", "data.evseId", "type", "(got 1.5)"),
    ("2.0.1", "StatusNotification", {**STATUS_201, "connectorStatus": "Bogus"},
     "PropertyConstraintViolation", "data.connectorStatus", "enum",
     "data.connectorStatus must be one of ['Available', 'Occupied', 'Reserved', 'Unavailable', "
     "'Faulted'] (got \"Bogus\")"),
    ("2.0.1", "StatusNotification", {k: v for k, v in STATUS_201.items() if k != "evseId"},
     "OccurrenceConstraintViolation", "data", "required", "['evseId']"),
    ("2.0.1", "StatusNotification", {**STATUS_201, "extra": 1},
     "FormatViolation", "data", "additionalProperties", "{'extra'}"),
    ("2.0.1", "Authorize", {"idToken": {"idToken": "T", "type": "Central"},
                            "iso15118CertificateHashData": [{}] * 5},
     "OccurrenceConstraintViolation", "data.iso15118CertificateHashData", "maxItems", "4"),
    ("2.0.1", "Heartbeat", {"customData": {"vendorId": 7}},
     "TypeConstraintViolation", "data.customData.vendorId", "type", "must be string"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "action", "payload", "code", "field", "rule", "text"), VIOLATIONS
)
def test_violations_are_answered_in_the_versions_vocabulary(
    version: str, action: str, payload: Any, code: str, field: str, rule: str, text: str
) -> None:
    with pytest.raises(PayloadError) as caught:
        get_validator(version).validate_request(action, payload)
    error = caught.value
    assert wire_code(error, version) == code
    assert (error.field, error.rule) == (field, rule)
    assert text in error.description
    assert error.details == {"field": field, "rule": rule}
    assert len(error.description) <= 255


def test_16_status_notification_on_a_201_connection() -> None:
    # PITFALLS "Real chargers" #4: a clear CALLERROR naming what is missing and what is foreign.
    with pytest.raises(PayloadError) as caught:
        get_validator("2.0.1").validate_request("StatusNotification", STATUS_16)
    error = caught.value
    assert wire_code(error, "2.0.1") == "OccurrenceConstraintViolation"
    assert error.description == (
        "data must contain ['connectorStatus', 'evseId', 'timestamp'] properties; "
        "unexpected ['errorCode', 'status']"
    )


def test_16_only_action_on_a_201_connection_is_not_implemented() -> None:
    with pytest.raises(UnknownActionError) as caught:
        get_validator("2.0.1").validate_request(
            "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": NOW}
        )
    assert caught.value.code is ErrorCode.NotImplemented
    assert caught.value.details == {"action": "StartTransaction"}


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_unknown_actions_are_not_implemented(version: str) -> None:
    validator = get_validator(version)
    for call in (validator.validate_request, validator.validate_response):
        with pytest.raises(UnknownActionError) as caught:
            call("FlyToTheMoon", {})
        assert wire_code(caught.value, version) == "NotImplemented"


def test_known_action_without_schema_is_not_supported(tmp_path: Path) -> None:
    source = get_validator("1.6")._dir  # the ocpp package's own schema folder
    (tmp_path / "HeartbeatResponse.json").write_text(
        source.joinpath("HeartbeatResponse.json").read_text()
    )
    validator = Validator("1.6", schema_dir=tmp_path)
    assert "Heartbeat" in validator.actions  # from the ocpp package's Action enum
    with pytest.raises(UnknownActionError) as caught:
        validator.validate_request("Heartbeat", {})
    assert caught.value.code is ErrorCode.NotSupported
    assert validator.validate_response("Heartbeat", {"currentTime": NOW}) == []
    with pytest.raises(UnknownActionError) as caught:
        validator.validate_request("NoSuchAction", {})
    assert caught.value.code is ErrorCode.NotImplemented


def test_non_string_configuration_value_in_a_response() -> None:
    # PITFALLS "Real chargers" #5: GetConfiguration answered with a number.
    answer = {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": 60}]}
    with pytest.raises(PayloadError) as caught:
        get_validator("1.6").validate_response("GetConfiguration", answer, lenient=True)
    assert caught.value.code is ErrorCode.TypeConstraintViolation
    assert caught.value.field == "data.configurationKey[0].value"
