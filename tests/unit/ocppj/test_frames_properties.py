"""Property tests: parse_frame never fails with anything but FrameError; writers round-trip."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

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

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)
json_objects = st.dictionaries(st.text(max_size=10), json_values, max_size=6)
message_ids = st.text(max_size=36)
actions = st.text(min_size=1, max_size=30)


def check(text: str | bytes) -> None:
    """parse_frame either returns a frame or raises FrameError; nothing else."""
    try:
        frame = parse_frame(text)
    except FrameError as exc:
        error = exc
    else:
        assert isinstance(frame, Call | CallResult | CallError)
        return
    assert isinstance(error.code, ErrorCode)
    assert error.message_id is None or isinstance(error.message_id, str)


@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    check(text)


@given(st.binary(max_size=200))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)


@given(json_values)
def test_arbitrary_json(value: Any) -> None:
    check(json.dumps(value))


@settings(max_examples=300)
@given(
    st.lists(json_values, max_size=6).flatmap(
        lambda rest: st.sampled_from([0, 1, 2, 3, 4, 5, -1, 2.0, "2", None]).map(
            lambda head: [head, *rest]
        )
    )
)
def test_arrays_that_look_like_frames(message: list[Any]) -> None:
    check(json.dumps(message))


@given(st.text(alphabet='[]{}",:0123456789 abcnul-.eE\\', max_size=60))
def test_json_punctuation_soup(text: str) -> None:
    check(text)


@given(message_ids, actions, json_objects)
def test_call_round_trip(message_id: str, action: str, payload: dict[str, Any]) -> None:
    assert parse_frame(call_frame(message_id, action, payload)) == Call(message_id, action, payload)


@given(message_ids, json_objects)
def test_call_result_round_trip(message_id: str, payload: dict[str, Any]) -> None:
    assert parse_frame(call_result_frame(message_id, payload)) == CallResult(message_id, payload)


@given(
    message_ids,
    st.sampled_from(list(ErrorCode)),
    st.text(max_size=300),
    json_objects,
    st.sampled_from(["1.6", "2.0.1"]),
)
def test_call_error_round_trip(
    message_id: str, code: ErrorCode, description: str, details: dict[str, Any], version: str
) -> None:
    text = call_error_frame(message_id, OcppError(code, description, details), version)  # type: ignore[arg-type]
    frame = parse_frame(text)
    assert isinstance(frame, CallError)
    assert frame.message_id == message_id
    assert frame.description == description[:255]
    assert frame.details == details
    # Codes 1.6 lacks come back as the 1.6 code we sent instead.
    if version == "2.0.1" or code not in (
        ErrorCode.RpcFrameworkError,
        ErrorCode.MessageTypeNotSupported,
    ):
        assert frame.code is code


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
        lambda d: abs(d.adjusted()) < 40
    )
)
def test_decimal_precision_survives(value: Decimal) -> None:
    text = call_result_frame("1", {"value": value})
    decoded = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    assert decoded[2]["value"] == value
