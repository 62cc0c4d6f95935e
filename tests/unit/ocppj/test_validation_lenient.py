"""Lenient stations and date-time policies (PITFALLS "Real chargers" #1 and #5)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from csms.ocppj import ErrorCode, PayloadError, get_validator

NOW = "2024-05-01T12:00:00Z"


def meter_values(**sample: Any) -> dict[str, Any]:
    return {
        "connectorId": 1,
        "transactionId": 42,
        "meterValue": [{"timestamp": NOW, "sampledValue": [{"value": "1", **sample}]}],
    }


def test_values_outside_enums_are_warnings_when_lenient() -> None:
    payload = {"connectorId": 1, "errorCode": "Error", "status": "Available"}
    warnings = get_validator("1.6").validate_request("StatusNotification", payload, lenient=True)
    assert len(warnings) == 1
    assert warnings[0].startswith("data.errorCode must be one of ['ConnectorLockFailure',")
    assert warnings[0].endswith('(got "Error")')


def test_every_enum_violation_is_reported() -> None:
    payload = meter_values(unit="Hz", measurand="Request.Energy", phase="L1-N")
    before = copy.deepcopy(payload)
    warnings = get_validator("1.6").validate_request("MeterValues", payload, lenient=True)
    assert sorted(w.split(" ")[0] for w in warnings) == [
        "data.meterValue[0].sampledValue[0].measurand",
        "data.meterValue[0].sampledValue[0].unit",
    ]
    assert any('(got "Hz")' in w for w in warnings)
    assert any('(got "Request.Energy")' in w for w in warnings)
    assert payload == before  # kept as sent; the handler decides what to make of it


def test_enum_violations_in_201_definitions_are_warnings_too() -> None:
    payload = {
        "evseId": 1,
        "meterValue": [
            {
                "timestamp": NOW,
                "sampledValue": [
                    {"value": 50.0, "unitOfMeasure": {"unit": "Hz"}, "measurand": "Request.Energy"}
                ],
            }
        ],
    }
    warnings = get_validator("2.0.1").validate_request("MeterValues", payload, lenient=True)
    assert [w.split(" ")[0] for w in warnings] == ["data.meterValue[0].sampledValue[0].measurand"]


def test_strict_mode_refuses_the_same_values() -> None:
    payload = {"connectorId": 1, "errorCode": "Error", "status": "Available"}
    with pytest.raises(PayloadError) as caught:
        get_validator("1.6").validate_request("StatusNotification", payload)
    assert caught.value.code is ErrorCode.PropertyConstraintViolation
    assert caught.value.rule == "enum"


@pytest.mark.parametrize(
    ("payload", "rule", "code"),
    [
        # An enum violation does not hide a type error elsewhere ...
        (
            {"connectorId": "1", "errorCode": "Error", "status": "Available"},
            "type",
            ErrorCode.TypeConstraintViolation,
        ),
        # ... nor a type error in the enum's own field ...
        (
            {"connectorId": 1, "errorCode": 7, "status": "Available"},
            "type",
            ErrorCode.TypeConstraintViolation,
        ),
        # ... nor a missing field, an unknown one, or a bad length.
        (
            {"connectorId": 1, "errorCode": "Error"},
            "required",
            ErrorCode.OccurrenceConstraintViolation,
        ),
        (
            {"connectorId": 1, "errorCode": "Error", "status": "Available", "x": 1},
            "additionalProperties",
            ErrorCode.FormatViolation,
        ),
        (
            {"connectorId": 1, "errorCode": "Error", "status": "Available", "info": "i" * 51},
            "maxLength",
            ErrorCode.PropertyConstraintViolation,
        ),
    ],
)
def test_lenient_still_refuses_what_cannot_be_kept(
    payload: dict[str, Any], rule: str, code: ErrorCode
) -> None:
    with pytest.raises(PayloadError) as caught:
        get_validator("1.6").validate_request("StatusNotification", payload, lenient=True)
    assert (caught.value.rule, caught.value.code) == (rule, code)


def test_lenient_responses() -> None:
    # A charger answering ChangeConfiguration with a status outside the enum.
    warnings = get_validator("1.6").validate_response(
        "ChangeConfiguration", {"status": "Done"}, lenient=True
    )
    assert warnings == [
        "data.status must be one of ['Accepted', 'Rejected', 'RebootRequired', 'NotSupported'] "
        '(got "Done")'
    ]


@pytest.mark.parametrize(
    "timestamp",
    [
        "2024-05-01T12:00:00",  # no zone
        "2024-05-01T14:00:00+02",  # +02 offset
        "2024-05-01 12:00:00Z",  # space for T
        "2024-05-01T12:00:00.123456789+0200",  # nanoseconds, offset without colon
        "1970-01-01T00:00:07",  # clock not set: valid, the handler sees it is suspicious
    ],
)
def test_charger_timestamps_pass_lenient_but_not_strict(timestamp: str) -> None:
    payload = meter_values()
    payload["meterValue"][0]["timestamp"] = timestamp
    assert get_validator("1.6", "lenient").validate_request("MeterValues", payload) == []
    with pytest.raises(PayloadError) as caught:
        get_validator("1.6", "strict").validate_request("MeterValues", payload)
    assert caught.value.code is ErrorCode.FormatViolation
    assert caught.value.field == "data.meterValue[0].timestamp"


@pytest.mark.parametrize("datetimes", ["strict", "lenient"])
@pytest.mark.parametrize("timestamp", ["yesterday", "2024-02-30T12:00:00Z", "2024-05-01"])
def test_garbage_timestamps_fail_both_policies(datetimes: Any, timestamp: str) -> None:
    payload = {"currentTime": timestamp}
    with pytest.raises(PayloadError) as caught:
        get_validator("2.0.1", datetimes).validate_response("Heartbeat", payload)
    assert caught.value.code is ErrorCode.FormatViolation
    assert f'(got "{timestamp}")' in caught.value.description


def test_multiple_of_with_decimals_in_lenient_mode_too() -> None:
    answer = {
        "status": "Accepted",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": Decimal("16.05")}],
        },
    }
    with pytest.raises(PayloadError) as caught:
        get_validator("1.6").validate_response("GetCompositeSchedule", answer, lenient=True)
    assert caught.value.rule == "multipleOf"
    answer["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] = Decimal("16.1")  # type: ignore[index]
    assert get_validator("1.6").validate_response("GetCompositeSchedule", answer) == []
