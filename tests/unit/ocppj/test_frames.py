"""Frames: golden frames in, every malformed frame a FrameError, serializers back out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
import pytest
from ocpp.v16 import call as v16_call

from csms.ocppj import (
    Call,
    CallError,
    CallResult,
    ErrorCode,
    FrameError,
    OcppError,
    call_error_frame,
    call_frame,
    call_result_frame,
    parse_frame,
)

# ------------------------------------------------------------------ golden frames


def test_call_from_the_ocpp_j_16_spec() -> None:
    # OCPP-J 1.6 §4.2.1 example.
    text = (
        '[2,"19223201","BootNotification",'
        '{"chargePointVendor":"VendorX","chargePointModel":"SingleSocketCharger"}]'
    )
    assert parse_frame(text) == Call(
        "19223201",
        "BootNotification",
        {"chargePointVendor": "VendorX", "chargePointModel": "SingleSocketCharger"},
    )


def test_call_result_from_the_ocpp_j_16_spec() -> None:
    text = (
        '[3,"19223201",'
        '{"status":"Accepted","currentTime":"2013-02-01T20:53:32.486Z","interval":300}]'
    )
    frame = parse_frame(text)
    assert frame == CallResult(
        "19223201",
        {"status": "Accepted", "currentTime": "2013-02-01T20:53:32.486Z", "interval": 300},
    )


def test_call_error_frame_is_read_with_its_code() -> None:
    text = '[4,"162376037","NotSupported","SetDisplayMessageRequest not implemented",{}]'
    assert parse_frame(text) == CallError(
        "162376037",
        ErrorCode.NotSupported,
        "SetDisplayMessageRequest not implemented",
        {},
        "NotSupported",
    )


def test_bytes_and_whitespace_are_fine() -> None:
    text = b'[ 2 , "a" , "Heartbeat" , { } ]\n'
    assert parse_frame(text) == Call("a", "Heartbeat", {})


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("FormationViolation", ErrorCode.FormatViolation),
        # ocpp-rpc sends this spelling on 1.6 connections:
        ("OccurrenceConstraintViolation", ErrorCode.OccurrenceConstraintViolation),
        # ... and this one on 2.0.1:
        ("OccurenceConstraintViolation", ErrorCode.OccurrenceConstraintViolation),
        ("RpcFrameworkError", ErrorCode.RpcFrameworkError),
        ("VendorSpecificError", ErrorCode.GenericError),
    ],
)
def test_call_error_codes_in_any_spelling(raw: str, code: ErrorCode) -> None:
    frame = parse_frame(f'[4,"1","{raw}","d",{{"x":1}}]')
    assert isinstance(frame, CallError)
    assert frame.code is code
    assert frame.raw_code == raw
    assert frame.details == {"x": 1}


@pytest.mark.parametrize(
    ("text", "description", "details"),
    [
        # The shape a PHP charger sends (solutionforest/ocpp-php#6): details as [].
        ('[4,"6961263434","NotImplemented","",[]]', "", {}),
        ('[4,"1","NotImplemented","why",null]', "why", {}),
        ('[4,"1","NotImplemented","why"]', "why", {}),
        ('[4,"1","NotImplemented"]', "", {}),
        ('[4,"1","NotImplemented",42,"text"]', "42", {"details": "text"}),
    ],
)
def test_sloppy_call_errors_are_kept(text: str, description: str, details: dict[str, Any]) -> None:
    frame = parse_frame(text)
    assert isinstance(frame, CallError)
    assert frame.code is ErrorCode.NotImplemented
    assert (frame.description, frame.details) == (description, details)


def test_empty_array_payloads_read_as_empty_objects() -> None:
    assert parse_frame('[2,"1","Heartbeat",[]]') == Call("1", "Heartbeat", {})
    assert parse_frame('[3,"1",[]]') == CallResult("1", {})


def test_large_meter_values_frame() -> None:
    # PITFALLS "Real chargers" #15: a 100-sample MeterValues is 13-15 kB.
    sample = {
        "value": "1234.5",
        "context": "Sample.Periodic",
        "format": "Raw",
        "measurand": "Energy.Active.Import.Register",
        "location": "Outlet",
        "unit": "Wh",
    }
    payload = {
        "connectorId": 1,
        "meterValue": [{"timestamp": "2024-05-01T12:00:00Z", "sampledValue": [sample] * 100}],
    }
    text = call_frame("big", "MeterValues", payload)
    assert len(text) > 12_000
    assert parse_frame(text) == Call("big", "MeterValues", payload)


# ------------------------------------------------------------------ malformed frames


@dataclass(frozen=True)
class Bad:
    text: str
    code: ErrorCode
    answer_id: str | None  # what the CALLERROR carries on 2.0.1; None: dropped


BAD_FRAMES = {
    # Not JSON at all: 2.0.1 Part 4 §4.2.3 answers with id "-1".
    "truncated": Bad('[2,"abc","Heartbeat",{', ErrorCode.RpcFrameworkError, "-1"),
    "empty": Bad("", ErrorCode.RpcFrameworkError, "-1"),
    "not json": Bad("hello", ErrorCode.RpcFrameworkError, "-1"),
    "nan": Bad('[2,"a","X",{"v":NaN}]', ErrorCode.RpcFrameworkError, "-1"),
    "object": Bad('{"messageTypeId":2}', ErrorCode.RpcFrameworkError, "-1"),
    "number": Bad("2", ErrorCode.RpcFrameworkError, "-1"),
    "empty array": Bad("[]", ErrorCode.RpcFrameworkError, "-1"),
    # Message type ids.
    "type as string": Bad('["2","a","Heartbeat",{}]', ErrorCode.RpcFrameworkError, "a"),
    "type as float": Bad('[2.5,"a","Heartbeat",{}]', ErrorCode.RpcFrameworkError, "a"),
    "type as bool": Bad('[true,"a","Heartbeat",{}]', ErrorCode.RpcFrameworkError, "a"),
    "type null, no id": Bad("[null]", ErrorCode.RpcFrameworkError, "-1"),
    "type 5 (2.1 CALLRESULTERROR)": Bad(
        '[5,"a","GenericError","",{}]', ErrorCode.MessageTypeNotSupported, "a"
    ),
    "type 6 (2.1 SEND)": Bad(
        '[6,"a","NotifyPeriodicEventStream",{}]', ErrorCode.MessageTypeNotSupported, "a"
    ),
    "type 1, id unreadable": Bad("[1,17]", ErrorCode.MessageTypeNotSupported, "-1"),
    # CALL structure.
    "call without id": Bad("[2]", ErrorCode.RpcFrameworkError, "-1"),
    "call id a number": Bad('[2,19223201,"Heartbeat",{}]', ErrorCode.RpcFrameworkError, "-1"),
    "call id null": Bad('[2,null,"Heartbeat",{}]', ErrorCode.RpcFrameworkError, "-1"),
    "call id too long": Bad(
        f'[2,"{"x" * 37}","Heartbeat",{{}}]', ErrorCode.RpcFrameworkError, "x" * 37
    ),
    "call without payload": Bad('[2,"a","Heartbeat"]', ErrorCode.RpcFrameworkError, "a"),
    "call with extra element": Bad('[2,"a","Heartbeat",{},{}]', ErrorCode.RpcFrameworkError, "a"),
    "call action a number": Bad('[2,"a",7,{}]', ErrorCode.RpcFrameworkError, "a"),
    "call payload a string": Bad('[2,"a","Heartbeat","{}"]', ErrorCode.FormatViolation, "a"),
    "call payload null": Bad('[2,"a","Heartbeat",null]', ErrorCode.FormatViolation, "a"),
    "call payload a list": Bad('[2,"a","Heartbeat",[1]]', ErrorCode.FormatViolation, "a"),
    # A broken CALLRESULT or CALLERROR is never answered.
    "result without payload": Bad('[3,"a"]', ErrorCode.FormatViolation, None),
    "result id a number": Bad("[3,1,{}]", ErrorCode.FormatViolation, None),
    "result payload a string": Bad('[3,"a","ok"]', ErrorCode.FormatViolation, None),
    "result with extra element": Bad('[3,"a",{},{}]', ErrorCode.FormatViolation, None),
    "error without code": Bad('[4,"a"]', ErrorCode.FormatViolation, None),
    "error code a number": Bad('[4,"a",5,"",{}]', ErrorCode.FormatViolation, None),
    "error id null": Bad('[4,null,"GenericError","",{}]', ErrorCode.FormatViolation, None),
    "error too long": Bad('[4,"a","GenericError","",{},1]', ErrorCode.FormatViolation, None),
}


@pytest.mark.parametrize("bad", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_malformed_frames(bad: Bad) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(bad.text)
    error = caught.value
    assert error.code is bad.code
    assert error.answer_id("2.0.1") == bad.answer_id
    assert error.description


def test_dropped_results_keep_their_id_for_the_log() -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame('[3,"abc","ok"]')
    assert caught.value.message_id is None
    assert caught.value.details == {"messageId": "abc"}
    assert caught.value.message_type == 3


def test_unknown_message_type_is_ignored_on_16_and_answered_on_201() -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame('[5,"a","GenericError","",{}]')
    assert caught.value.answer_id("1.6") is None  # OCPP-J 1.6 §4.1.3
    frame = call_error_frame("a", caught.value, "2.0.1")
    assert json.loads(frame)[:3] == [4, "a", "MessageTypeNotSupported"]


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.6", "ProtocolError"), ("2.0.1", "RpcFrameworkError")],
)
def test_truncated_frame_answer_per_version(version: str, expected: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame('[2,"abc","StatusNotification",{"connectorId":1,')
    answer_id = caught.value.answer_id(version)  # type: ignore[arg-type]
    assert answer_id == "-1"
    answer = json.loads(call_error_frame(answer_id, caught.value, version))  # type: ignore[arg-type]
    assert answer == [4, "-1", expected, "frame is not valid JSON", {}]


def test_call_payload_not_an_object_is_a_format_violation_per_version() -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame('[2,"a","Heartbeat","{}"]')
    assert json.loads(call_error_frame("a", caught.value, "1.6"))[2] == "FormationViolation"
    assert json.loads(call_error_frame("a", caught.value, "2.0.1"))[2] == "FormatViolation"


def test_invalid_utf8_is_a_frame_error() -> None:
    with pytest.raises(FrameError):
        parse_frame(b'[2,"a","Heartbeat",{"x":"\xff"}]')


def test_deep_nesting_is_a_frame_error() -> None:
    with pytest.raises(FrameError):
        parse_frame('[2,"a","DataTransfer",{"data":' + "[" * 5000 + "]" * 5000 + "}]")


# ------------------------------------------------------------------ serializers


def test_serializers_are_compact() -> None:
    assert call_frame("1", "Heartbeat", {}) == '[2,"1","Heartbeat",{}]'
    assert call_result_frame("1", {"status": "Accepted"}) == '[3,"1",{"status":"Accepted"}]'


@pytest.mark.parametrize(
    "value",
    ["12345.678", "0.1", "22.15", "-0.0001", "1E+3", "123456789012345678901234567890.123456789"],
)
def test_decimals_keep_every_digit(value: str) -> None:
    # The ocpp library would write 12345.678 as 12345.7 (PITFALLS: ocpp rounds Decimals).
    text = call_result_frame("1", {"limit": Decimal(value)})
    decoded = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    assert decoded[2]["limit"] == Decimal(value)
    assert "E" not in text


def test_decimal_12345_678_is_written_verbatim() -> None:
    assert call_frame("1", "X", {"v": Decimal("12345.678")}) == '[2,"1","X",{"v":12345.678}]'


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_decimals_are_refused(value: str) -> None:
    with pytest.raises(TypeError):
        call_frame("1", "X", {"v": Decimal(value)})


def test_datetimes_are_written_utc_z_with_milliseconds() -> None:
    cest = timezone(timedelta(hours=2))
    payload = {
        "currentTime": datetime(2024, 5, 1, 14, 0, 0, 987654, tzinfo=cest),
        "nested": [{"at": datetime(2024, 5, 1, 12, tzinfo=UTC)}],
    }
    text = call_result_frame("1", payload)
    assert text == (
        '[3,"1",{"currentTime":"2024-05-01T12:00:00.987Z",'
        '"nested":[{"at":"2024-05-01T12:00:00.000Z"}]}]'
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        call_result_frame("1", {"currentTime": datetime(2024, 5, 1, 12)})


def test_ocpp_dataclasses_are_refused_with_a_hint() -> None:
    # Their field names are snake_case; sending them as they are would break the schema.
    payload: Any = v16_call.Heartbeat()
    with pytest.raises(TypeError, match="camelCase"):
        call_frame("1", "Heartbeat", payload)


def test_call_error_frame_spells_the_code_for_the_version() -> None:
    error = OcppError(ErrorCode.OccurrenceConstraintViolation, "missing", {"field": "data"})
    assert json.loads(call_error_frame("7", error, "1.6")) == [
        4,
        "7",
        "OccurenceConstraintViolation",
        "missing",
        {"field": "data"},
    ]
    assert json.loads(call_error_frame("7", error, "2.0.1"))[2] == "OccurrenceConstraintViolation"


def test_call_error_description_is_cut_to_255() -> None:
    error = OcppError(ErrorCode.GenericError, "x" * 1000)
    assert len(json.loads(call_error_frame("1", error, "2.0.1"))[3]) == 255


def test_call_error_frame_survives_unserializable_details() -> None:
    error = OcppError(ErrorCode.InternalError, "boom", {"exc": object()})
    assert json.loads(call_error_frame("1", error, "1.6")) == [4, "1", "InternalError", "boom", {}]


def test_round_trip_of_a_call_error() -> None:
    error = OcppError(ErrorCode.FormatViolation, "bad", {"a": [1, 2]})
    for version in ("1.6", "2.0.1"):
        frame = parse_frame(call_error_frame("id-1", error, version))
        assert frame == CallError(
            "id-1",
            ErrorCode.FormatViolation,
            "bad",
            {"a": [1, 2]},
            "FormationViolation" if version == "1.6" else "FormatViolation",
        )


def test_orjson_and_stdlib_agree_on_our_output() -> None:
    payload = {"s": "ünïcødé \u2028", "n": 2**63 - 1, "f": 0.1, "l": [None, True]}
    text = call_frame("1", "DataTransfer", payload)
    assert json.loads(text) == orjson.loads(text) == [2, "1", "DataTransfer", payload]
