"""Errors of the OCPP-J layer, and the CALLERROR codes they carry.

Every error that ends as a CALLERROR is an :class:`OcppError`. It carries a version-neutral
:class:`ErrorCode`; :func:`error_code_for` spells that code in the vocabulary of the
connection's OCPP version when the CALLERROR is written.

.. code-block:: text

    Exception
     └── OcppError                  code + description + details; becomes one CALLERROR
          ├── FrameError            a text frame that is not a usable OCPP-J message
          │                         (knows the message id to answer with, or that the
          │                         frame must be dropped)
          ├── UnknownActionError    NotImplemented (action not in the version) or
          │                         NotSupported (action known, no schema)
          └── PayloadError          a payload that breaks its JSON schema (names the
                                    field and the rule that failed)

The error-code tables this module follows:

* OCPP-J 1.6 §4.2.3, table 7 "Valid Error Codes". Two codes are misspelt there:
  ``FormationViolation`` and ``OccurenceConstraintViolation``. The OCPP-J 1.6 errata sheet
  (section 5, "known issues that will not be fixed") keeps those spellings for 1.6, so a 1.6
  peer must receive them.
* OCPP 2.0.1 Part 4 §4.3, "RPC Framework Error Codes": ``FormatViolation``,
  ``OccurrenceConstraintViolation``, and two new codes, ``MessageTypeNotSupported`` and
  ``RpcFrameworkError``.

Peers mix the spellings up (ocpp-rpc sends ``OccurrenceConstraintViolation`` on 1.6 and
``OccurenceConstraintViolation`` on 2.0.1), so :func:`parse_error_code` accepts every
spelling on every version.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, Final

from csms.ocppj.common import JsonObject, OcppVersion

__all__ = [
    "UNKNOWN_MESSAGE_ID",
    "ErrorCode",
    "FrameError",
    "OcppError",
    "PayloadError",
    "UnknownActionError",
    "error_code_for",
    "parse_error_code",
]

#: The message id of a CALLERROR that answers a frame whose own id could not be read
#: (OCPP 2.0.1 Part 4 §4.2.3; 1.6 has no rule, and we answer the same way).
UNKNOWN_MESSAGE_ID: Final = "-1"


class ErrorCode(Enum):
    """A CALLERROR code, independent of the OCPP version.

    The values are the OCPP 2.0.1 spellings; use :func:`error_code_for` to put a code on
    the wire, never ``.value`` directly.
    """

    NotImplemented = "NotImplemented"
    NotSupported = "NotSupported"
    InternalError = "InternalError"
    ProtocolError = "ProtocolError"
    SecurityError = "SecurityError"
    FormatViolation = "FormatViolation"
    PropertyConstraintViolation = "PropertyConstraintViolation"
    OccurrenceConstraintViolation = "OccurrenceConstraintViolation"
    TypeConstraintViolation = "TypeConstraintViolation"
    GenericError = "GenericError"
    MessageTypeNotSupported = "MessageTypeNotSupported"
    RpcFrameworkError = "RpcFrameworkError"


# 1.6 spells two codes differently and lacks two (OCPP-J 1.6 §4.2.3 table 7). For the
# missing ones we send the nearest 1.6 code:
# - RpcFrameworkError (2.0.1: "not a valid RPC request", e.g. the message id cannot be read)
#   → ProtocolError, which 1.6 defines as "Payload for Action is incomplete": the frame
#   around the payload is incomplete or broken.
# - MessageTypeNotSupported → GenericError, 1.6's "any other error"; in practice 1.6 ignores
#   unknown message types instead (OCPP-J 1.6 §4.1.3, see FrameError.answer_id).
_V16_SPELLING: Final[Mapping[ErrorCode, str]] = {
    ErrorCode.FormatViolation: "FormationViolation",
    ErrorCode.OccurrenceConstraintViolation: "OccurenceConstraintViolation",
    ErrorCode.RpcFrameworkError: "ProtocolError",
    ErrorCode.MessageTypeNotSupported: "GenericError",
}

_SPELLINGS: Final[Mapping[str, Mapping[ErrorCode, str]]] = {
    "1.6": {code: _V16_SPELLING.get(code, code.value) for code in ErrorCode},
    "2.0.1": {code: code.value for code in ErrorCode},
}

_PARSED: Final[Mapping[str, ErrorCode]] = {
    **{code.value: code for code in ErrorCode},
    "FormationViolation": ErrorCode.FormatViolation,
    "OccurenceConstraintViolation": ErrorCode.OccurrenceConstraintViolation,
}


def error_code_for(code: ErrorCode, version: OcppVersion) -> str:
    """Spell ``code`` as OCPP ``version`` names it in a CALLERROR.

    >>> error_code_for(ErrorCode.FormatViolation, "1.6")
    'FormationViolation'
    >>> error_code_for(ErrorCode.OccurrenceConstraintViolation, "2.0.1")
    'OccurrenceConstraintViolation'
    """
    try:
        return _SPELLINGS[version][code]
    except KeyError:
        raise ValueError(f"unsupported OCPP version {version!r}") from None


def parse_error_code(text: str) -> ErrorCode | None:
    """Read the code of a received CALLERROR, in any version's spelling; None if unknown."""
    return _PARSED.get(text)


class OcppError(Exception):
    """A failure that is answered with one CALLERROR.

    ``description`` is for humans (it goes into ErrorDescription, cut to 255 characters);
    ``details`` must be JSON-serializable (it goes into ErrorDetails).
    """

    code: ErrorCode
    description: str
    details: JsonObject

    def __init__(
        self,
        code: ErrorCode,
        description: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(code, description)
        self.code = code
        self.description = description
        self.details = dict(details) if details else {}

    def __str__(self) -> str:
        return f"{self.code.value}: {self.description}" if self.description else self.code.value


class FrameError(OcppError):
    """A text frame that could not be read as an OCPP-J message.

    ``message_id`` is the id a CALLERROR answer must carry (:data:`UNKNOWN_MESSAGE_ID` when
    the frame's own id could not be read), or None when the frame must be logged and
    dropped: a CALLERROR is only ever an answer to a CALL (OCPP-J 1.6 §4.2.3, OCPP 2.0.1
    Part 4 §4.2.3), so a broken CALLRESULT or CALLERROR gets no answer.
    """

    message_id: str | None
    message_type: int | None

    def __init__(
        self,
        code: ErrorCode,
        description: str,
        *,
        message_id: str | None,
        message_type: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(code, description, details)
        self.message_id = message_id
        self.message_type = message_type

    def answer_id(self, version: OcppVersion) -> str | None:
        """The message id to answer with on a ``version`` connection, or None to drop.

        OCPP-J 1.6 §4.1.3 says a message with an unknown message type number is ignored;
        OCPP 2.0.1 Part 4 §4.3 has MessageTypeNotSupported to answer it with.
        """
        if version == "1.6" and self.code is ErrorCode.MessageTypeNotSupported:
            return None
        return self.message_id


class UnknownActionError(OcppError):
    """An action this OCPP version does not define (NotImplemented), or one it defines but
    for which there is no schema to check it against (NotSupported).

    OCPP-J 1.6 §4.2.3 / 2.0.1 Part 4 §4.3: NotImplemented = "requested Action is not known by
    receiver", NotSupported = "recognized but not supported".
    """

    action: str

    def __init__(self, code: ErrorCode, action: str, description: str) -> None:
        super().__init__(code, description, {"action": action})
        self.action = action


class PayloadError(OcppError):
    """A payload that breaks its JSON schema.

    ``field`` is the path of the offending value (``data.meterValue[0].timestamp``) and
    ``rule`` the JSON-schema keyword it broke (``type``, ``required``, ``enum``, …).
    """

    field: str
    rule: str

    def __init__(self, code: ErrorCode, description: str, *, field: str, rule: str) -> None:
        super().__init__(code, description, {"field": field, "rule": rule})
        self.field = field
        self.rule = rule
