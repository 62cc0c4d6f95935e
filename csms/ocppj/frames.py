"""OCPP-J frames: text in, :class:`Call` / :class:`CallResult` / :class:`CallError` out, and back.

The RPC framework (OCPP-J 1.6 §4.1–4.2, OCPP 2.0.1 Part 4 §4.1–4.2)::

    CALL        [2, "<MessageId>", "<Action>", {<Payload>}]
    CALLRESULT  [3, "<MessageId>", {<Payload>}]
    CALLERROR   [4, "<MessageId>", "<ErrorCode>", "<ErrorDescription>", {<ErrorDetails>}]

This module does no I/O and knows no actions or schemas. :func:`parse_frame` raises
:class:`~csms.ocppj.errors.FrameError` for anything that is not one of those three shapes; the
error says which CALLERROR to answer, with which message id, or that the frame is dropped.
The serializers write compact JSON with orjson, keep every digit of a ``Decimal`` (the
``ocpp`` library rounds them to one decimal place) and write datetimes as RFC 3339 UTC ``Z``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, TypeAlias

import orjson

from csms.ocppj.common import JsonObject, OcppVersion
from csms.ocppj.errors import (
    UNKNOWN_MESSAGE_ID,
    ErrorCode,
    FrameError,
    OcppError,
    error_code_for,
    parse_error_code,
)
from csms.ocppj.timestamps import format_timestamp

__all__ = [
    "CALL",
    "CALLERROR",
    "CALLRESULT",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_MESSAGE_ID_LENGTH",
    "Call",
    "CallError",
    "CallResult",
    "Frame",
    "call_error_frame",
    "call_frame",
    "call_result_frame",
    "parse_frame",
]

#: Message type numbers (OCPP-J 1.6 §4.1.3, OCPP 2.0.1 Part 4 §4.1.3).
CALL: Final = 2
CALLRESULT: Final = 3
CALLERROR: Final = 4

#: MessageId is at most 36 characters, enough for a UUID (OCPP-J 1.6 §4.1.4; 2.0.1 Part 4
#: §4.1.4 types it string[36]).
MAX_MESSAGE_ID_LENGTH: Final = 36

#: ErrorDescription is string[255] in OCPP 2.0.1 Part 4 §4.2.3; we keep 1.6 to it as well.
MAX_DESCRIPTION_LENGTH: Final = 255


@dataclass(frozen=True, slots=True)
class Call:
    """A request: ``[2, message_id, action, payload]``."""

    message_id: str
    action: str
    payload: JsonObject


@dataclass(frozen=True, slots=True)
class CallResult:
    """A successful answer: ``[3, message_id, payload]``."""

    message_id: str
    payload: JsonObject


@dataclass(frozen=True, slots=True)
class CallError:
    """A failed answer: ``[4, message_id, code, description, details]``.

    ``code`` is read in either version's spelling; a code outside both tables becomes
    :attr:`ErrorCode.GenericError`, and ``raw_code`` always keeps what the peer sent.
    """

    message_id: str
    code: ErrorCode
    description: str
    details: JsonObject
    raw_code: str = ""


Frame: TypeAlias = Call | CallResult | CallError


def parse_frame(text: str | bytes) -> Frame:
    """Read one websocket text frame.

    Raises :class:`FrameError` for anything else; its ``message_id`` is the id to answer
    with (``"-1"`` when the frame's id could not be read) or None when the frame must be
    dropped, and :meth:`FrameError.answer_id` applies the version's rules.
    """
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        # OCPP 2.0.1 Part 4 §4.2.3: RpcFrameworkError with MessageId "-1" when the id cannot
        # be read. orjson also lands here for invalid UTF-8 and nesting deeper than 1024.
        raise FrameError(
            ErrorCode.RpcFrameworkError, "frame is not valid JSON", message_id=UNKNOWN_MESSAGE_ID
        ) from None
    if not isinstance(message, list) or not message:
        raise FrameError(
            ErrorCode.RpcFrameworkError,
            "frame is not a JSON array [MessageTypeId, MessageId, ...]",
            message_id=UNKNOWN_MESSAGE_ID,
        )
    message_type = message[0]
    if message_type == CALL and type(message_type) is int:
        return _parse_call(message)
    if message_type == CALLRESULT and type(message_type) is int:
        return _parse_call_result(message)
    if message_type == CALLERROR and type(message_type) is int:
        return _parse_call_error(message)
    return _unknown_message_type(message)


def _parse_call(message: list[Any]) -> Call:
    count = len(message)
    message_id = message[1] if count > 1 else None
    if not isinstance(message_id, str):
        raise FrameError(
            ErrorCode.RpcFrameworkError,
            "CALL MessageId must be a string",
            message_id=UNKNOWN_MESSAGE_ID,
            message_type=CALL,
        )
    if len(message_id) > MAX_MESSAGE_ID_LENGTH:
        # The id is readable, so the answer carries it: the charger can then match it.
        raise _call_error(
            f"MessageId is longer than {MAX_MESSAGE_ID_LENGTH} characters", message_id
        )
    if count != 4:
        raise _call_error(f"CALL must have 4 elements, not {count}", message_id)
    action = message[2]
    if not isinstance(action, str):
        raise _call_error("CALL Action must be a string", message_id)
    payload = message[3]
    if type(payload) is not dict:
        if payload != []:
            raise FrameError(
                ErrorCode.FormatViolation,
                f"CALL payload must be a JSON object, not {_json_kind(payload)}",
                message_id=message_id,
                message_type=CALL,
                details={"action": action},
            )
        # Some firmware (PHP and JS encoders) writes an empty map as []; it carries no data.
        payload = {}
    return Call(message_id, action, payload)


def _call_error(description: str, message_id: str) -> FrameError:
    return FrameError(
        ErrorCode.RpcFrameworkError, description, message_id=message_id, message_type=CALL
    )


def _parse_call_result(message: list[Any]) -> CallResult:
    if len(message) != 3:
        raise _dropped(CALLRESULT, f"CALLRESULT must have 3 elements, not {len(message)}", message)
    message_id, payload = message[1], message[2]
    if not isinstance(message_id, str):
        raise _dropped(CALLRESULT, "CALLRESULT MessageId must be a string", message)
    if type(payload) is not dict:
        if payload != []:
            raise _dropped(CALLRESULT, f"CALLRESULT payload is {_json_kind(payload)}", message)
        payload = {}  # an empty map written as [], as in _parse_call
    return CallResult(message_id, payload)


def _parse_call_error(message: list[Any]) -> CallError:
    # Tolerant where the meaning survives: a CALLERROR that is dropped leaves our CALL to time
    # out, so only an unreadable id or code drops it. Description and details may be missing,
    # and details written as [] or null (as some chargers do) read as {}.
    count = len(message)
    if not 3 <= count <= 5:
        raise _dropped(CALLERROR, f"CALLERROR must have 5 elements, not {count}", message)
    message_id, raw_code = message[1], message[2]
    if not isinstance(message_id, str) or not isinstance(raw_code, str):
        raise _dropped(CALLERROR, "CALLERROR MessageId and ErrorCode must be strings", message)
    description = message[3] if count > 3 else ""
    if not isinstance(description, str):
        description = orjson.dumps(description).decode()
    details = message[4] if count > 4 else None
    if type(details) is not dict:
        details = {} if details in (None, []) else {"details": details}
    code = parse_error_code(raw_code) or ErrorCode.GenericError
    return CallError(message_id, code, description, details, raw_code)


def _unknown_message_type(message: list[Any]) -> Frame:
    message_id = message[1] if len(message) > 1 else None
    answer_id = message_id if isinstance(message_id, str) else UNKNOWN_MESSAGE_ID
    message_type = message[0]
    if type(message_type) is not int:
        raise FrameError(
            ErrorCode.RpcFrameworkError,
            f"MessageTypeId must be an integer, not {_json_kind(message_type)}",
            message_id=answer_id,
        )
    # 2.0.1 Part 4 §4.3 answers it with MessageTypeNotSupported; OCPP-J 1.6 §4.1.3 ignores it
    # (FrameError.answer_id applies that per version).
    raise FrameError(
        ErrorCode.MessageTypeNotSupported,
        f"MessageTypeId {message_type} is not supported",
        message_id=answer_id,
        message_type=message_type,
    )


def _dropped(message_type: int, description: str, message: list[Any]) -> FrameError:
    message_id = message[1] if len(message) > 1 and isinstance(message[1], str) else None
    details = {"messageId": message_id} if message_id is not None else None
    return FrameError(
        ErrorCode.FormatViolation,
        description,
        message_id=None,
        message_type=message_type,
        details=details,
    )


def _json_kind(value: object) -> str:
    """Name a decoded JSON value's type the way JSON does, for error descriptions."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# Datetimes and dataclasses go through _default: datetimes to become UTC "Z" with
# milliseconds, dataclasses (the ocpp library's snake_case payload classes) to be refused.
_DUMP_OPTIONS: Final = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"{value} has no JSON representation")
        # A Fragment is written verbatim: every digit of the Decimal, no float in between.
        return orjson.Fragment(format(value, "f"))
    if isinstance(value, datetime):
        return format_timestamp(value)
    raise TypeError(
        f"cannot write {type(value).__name__} as JSON; payloads are dicts with camelCase keys"
    )


def _dumps(frame: list[Any]) -> str:
    try:
        return orjson.dumps(frame, default=_default, option=_DUMP_OPTIONS).decode()
    except orjson.JSONEncodeError as exc:
        # orjson words its own message; the reason _default gave is the useful one.
        raise TypeError(str(exc.__cause__ or exc)) from exc


def call_frame(message_id: str, action: str, payload: JsonObject) -> str:
    """Write a CALL. ``Decimal`` keeps all its digits; ``datetime`` must be timezone-aware."""
    return _dumps([CALL, message_id, action, payload])


def call_result_frame(message_id: str, payload: JsonObject) -> str:
    """Write a CALLRESULT, with the same value rules as :func:`call_frame`."""
    return _dumps([CALLRESULT, message_id, payload])


def call_error_frame(message_id: str, error: OcppError, version: OcppVersion) -> str:
    """Write the CALLERROR for ``error``, its code spelled for ``version``.

    The description is cut to :data:`MAX_DESCRIPTION_LENGTH` characters. Details that cannot
    be written as JSON are replaced by ``{}``: an error answer must always go out.
    """
    code = error_code_for(error.code, version)
    description = error.description[:MAX_DESCRIPTION_LENGTH]
    try:
        return _dumps([CALLERROR, message_id, code, description, error.details])
    except TypeError:
        return _dumps([CALLERROR, message_id, code, description, {}])
