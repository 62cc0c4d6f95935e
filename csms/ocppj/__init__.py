"""The OCPP-J protocol layer, without I/O: frames, error codes, timestamps, schema validation.

Text frames go in, :class:`Call` / :class:`CallResult` / :class:`CallError` come out; payloads
are checked by compiled schema validators; answers are written back as text. The websocket
connection (``csms/connection.py``) wraps this; nothing here awaits or touches a socket.

.. code-block:: python

    try:
        frame = parse_frame(text)
    except FrameError as exc:
        answer_id = exc.answer_id(version)  # None: log and drop
        if answer_id is not None:
            send(call_error_frame(answer_id, exc, version))
    else:
        if isinstance(frame, Call):
            try:
                warnings = get_validator(version).validate_request(
                    frame.action, frame.payload, lenient=station_is_lenient
                )
            except OcppError as exc:
                send(call_error_frame(frame.message_id, exc, version))
"""

from csms.ocppj.common import VERSIONS, JsonObject, OcppVersion
from csms.ocppj.errors import (
    UNKNOWN_MESSAGE_ID,
    ErrorCode,
    FrameError,
    OcppError,
    PayloadError,
    UnknownActionError,
    error_code_for,
    parse_error_code,
)
from csms.ocppj.frames import (
    Call,
    CallError,
    CallResult,
    Frame,
    call_error_frame,
    call_frame,
    call_result_frame,
    parse_frame,
)
from csms.ocppj.timestamps import ParsedTime, format_timestamp, parse_charger_timestamp
from csms.ocppj.validation import DateTimePolicy, Validator, actions, get_validator, warm_up

__all__ = [
    "UNKNOWN_MESSAGE_ID",
    "VERSIONS",
    "Call",
    "CallError",
    "CallResult",
    "DateTimePolicy",
    "ErrorCode",
    "Frame",
    "FrameError",
    "JsonObject",
    "OcppError",
    "OcppVersion",
    "ParsedTime",
    "PayloadError",
    "UnknownActionError",
    "Validator",
    "actions",
    "call_error_frame",
    "call_frame",
    "call_result_frame",
    "error_code_for",
    "format_timestamp",
    "get_validator",
    "parse_charger_timestamp",
    "parse_error_code",
    "parse_frame",
    "warm_up",
]
