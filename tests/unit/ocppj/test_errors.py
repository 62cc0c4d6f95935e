"""Error codes: each version's spelling out, every spelling in."""

from __future__ import annotations

import pytest

from csms.ocppj import (
    ErrorCode,
    FrameError,
    OcppError,
    OcppVersion,
    error_code_for,
    parse_error_code,
)
from csms.ocppj.errors import UNKNOWN_MESSAGE_ID, PayloadError, UnknownActionError

# OCPP-J 1.6 §4.2.3 table 7, with its spellings (kept by the 1.6-J errata, section 5).
V16_TABLE = {
    "NotImplemented",
    "NotSupported",
    "InternalError",
    "ProtocolError",
    "SecurityError",
    "FormationViolation",
    "PropertyConstraintViolation",
    "OccurenceConstraintViolation",
    "TypeConstraintViolation",
    "GenericError",
}
# OCPP 2.0.1 Part 4 §4.3.
V201_TABLE = {
    "FormatViolation",
    "GenericError",
    "InternalError",
    "MessageTypeNotSupported",
    "NotImplemented",
    "NotSupported",
    "OccurrenceConstraintViolation",
    "PropertyConstraintViolation",
    "ProtocolError",
    "RpcFrameworkError",
    "SecurityError",
    "TypeConstraintViolation",
}


@pytest.mark.parametrize(
    ("code", "v16", "v201"),
    [
        (ErrorCode.FormatViolation, "FormationViolation", "FormatViolation"),
        (
            ErrorCode.OccurrenceConstraintViolation,
            "OccurenceConstraintViolation",
            "OccurrenceConstraintViolation",
        ),
        (ErrorCode.RpcFrameworkError, "ProtocolError", "RpcFrameworkError"),
        (ErrorCode.MessageTypeNotSupported, "GenericError", "MessageTypeNotSupported"),
        (ErrorCode.SecurityError, "SecurityError", "SecurityError"),
        (ErrorCode.NotImplemented, "NotImplemented", "NotImplemented"),
        (ErrorCode.TypeConstraintViolation, "TypeConstraintViolation", "TypeConstraintViolation"),
    ],
)
def test_codes_are_spelled_per_version(code: ErrorCode, v16: str, v201: str) -> None:
    assert error_code_for(code, "1.6") == v16
    assert error_code_for(code, "2.0.1") == v201


def test_every_code_maps_into_each_versions_table() -> None:
    assert {error_code_for(code, "1.6") for code in ErrorCode} == V16_TABLE
    assert {error_code_for(code, "2.0.1") for code in ErrorCode} == V201_TABLE


def test_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"2\.1"):
        error_code_for(ErrorCode.GenericError, "2.1")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", sorted(V16_TABLE | V201_TABLE))
def test_every_spelling_of_either_version_is_read(text: str) -> None:
    code = parse_error_code(text)
    assert code is not None
    # Reading then writing in the version the spelling came from gives it back.
    version: OcppVersion = "2.0.1" if text in V201_TABLE else "1.6"
    if text not in {"ProtocolError", "GenericError"}:  # 1.6 targets of the 2.0.1-only codes
        assert error_code_for(code, version) == text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FormationViolation", ErrorCode.FormatViolation),
        ("FormatViolation", ErrorCode.FormatViolation),
        ("OccurenceConstraintViolation", ErrorCode.OccurrenceConstraintViolation),
        ("OccurrenceConstraintViolation", ErrorCode.OccurrenceConstraintViolation),
        ("RpcFrameworkError", ErrorCode.RpcFrameworkError),
    ],
)
def test_both_spellings_read_as_one_code(text: str, code: ErrorCode) -> None:
    assert parse_error_code(text) is code


@pytest.mark.parametrize("text", ["", "formatviolation", "VendorSpecificError", "Error"])
def test_unknown_codes_read_as_none(text: str) -> None:
    assert parse_error_code(text) is None


def test_ocpp_error_carries_code_description_and_a_copy_of_details() -> None:
    details = {"field": "x"}
    error = OcppError(ErrorCode.InternalError, "database down", details)
    details["field"] = "changed"
    assert error.code is ErrorCode.InternalError
    assert error.description == "database down"
    assert error.details == {"field": "x"}
    assert str(error) == "InternalError: database down"
    assert str(OcppError(ErrorCode.GenericError)) == "GenericError"
    assert OcppError(ErrorCode.GenericError).details == {}


def test_error_tree() -> None:
    for cls in (FrameError, UnknownActionError, PayloadError):
        assert issubclass(cls, OcppError)


def test_frame_error_answer_id_follows_each_version() -> None:
    unknown_type = FrameError(
        ErrorCode.MessageTypeNotSupported, "type 7", message_id="abc", message_type=7
    )
    # OCPP-J 1.6 §4.1.3 ignores unknown message types; 2.0.1 answers them.
    assert unknown_type.answer_id("1.6") is None
    assert unknown_type.answer_id("2.0.1") == "abc"

    unreadable = FrameError(ErrorCode.RpcFrameworkError, "junk", message_id=UNKNOWN_MESSAGE_ID)
    assert unreadable.answer_id("1.6") == "-1"
    assert unreadable.answer_id("2.0.1") == "-1"

    dropped = FrameError(ErrorCode.FormatViolation, "bad CALLRESULT", message_id=None)
    assert dropped.answer_id("1.6") is None
    assert dropped.answer_id("2.0.1") is None
