"""Readable messages for invalid OCPI payloads.

The gateway answers a body that does not fit the model with OCPI status 2001
("Invalid or missing parameters") and a `status_message`. This module turns a
pydantic `ValidationError` into that message: one line per problem, each led by
the JSON path of the offending value, e.g.::

    evses[0].connectors[0].standard: 'FOO' is not a valid ConnectorType

Exceptions: this package raises only `pydantic.ValidationError` for bad input
(also for unreadable JSON, see `serialization.validate_json`); there is no
exception tree of its own.

Nothing here is specific to OCPI 2.2.1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .base import short_repr

__all__ = ["describe_validation_error", "describe_validation_errors", "format_location"]


def format_location(loc: Sequence[int | str]) -> str:
    """`('evses', 0, 'uid')` → ``evses[0].uid``; the empty path → ``(body)``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(body)"


def _ctx(error: ErrorDetails, key: str) -> object:
    return (error.get("ctx") or {}).get(key)


def _missing(error: ErrorDetails) -> str:
    return "missing required field"


def _too_long(error: ErrorDetails) -> str:
    value = error["input"]
    length = len(value) if isinstance(value, str) else "?"
    return f"longer than {_ctx(error, 'max_length')} characters (got {length})"


def _too_short(error: ErrorDetails) -> str:
    return f"must contain at least {_ctx(error, 'min_length')} item(s)"


def _pattern(error: ErrorDetails) -> str:
    return f"{short_repr(error['input'])} does not match the format {_ctx(error, 'pattern')}"


def _expected(kind: str) -> Callable[[ErrorDetails], str]:
    def message(error: ErrorDetails) -> str:
        return f"expected {kind}, got {_describe_input(error['input'])}"

    return message


def _describe_input(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, str):
        return f"string {short_repr(value)}"
    return f"number {value}"


_MESSAGES: dict[str, Callable[[ErrorDetails], str]] = {
    "missing": _missing,
    "string_too_long": _too_long,
    "too_short": _too_short,
    "string_pattern_mismatch": _pattern,
    "string_type": _expected("a string"),
    "int_type": _expected("an integer"),
    "bool_type": _expected("a boolean"),
    "list_type": _expected("an array"),
    "model_type": _expected("an object"),
    "model_attributes_type": _expected("an object"),
    "dict_type": _expected("an object"),
}


def _message(error: ErrorDetails) -> str:
    formatter = _MESSAGES.get(error["type"])
    if formatter is not None:
        return formatter(error)
    message = error["msg"]
    # Errors raised from a model validator ("Value error, ...") carry a prefix
    # that means nothing to a partner.
    return message.removeprefix("Value error, ")


def describe_validation_errors(exc: ValidationError) -> list[str]:
    """One ``path: problem`` line per error, in pydantic's order."""
    return [
        f"{format_location(error['loc'])}: {_message(error)}"
        for error in exc.errors(include_url=False)
    ]


def describe_validation_error(exc: ValidationError) -> str:
    """A single message for an OCPI `status_message`: the first problem, and
    how many more there are."""
    lines = describe_validation_errors(exc)
    if not lines:
        return "invalid payload"
    if len(lines) == 1:
        return lines[0]
    return f"{lines[0]} (and {len(lines) - 1} more)"
