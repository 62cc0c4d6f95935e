"""OCPI primitive types (spec chapter *Types*) as annotated pydantic types.

Each type carries one `OcpiType` object in its `Annotated` metadata. That object
both builds the validation schema and records what the spec table says (the
primitive's name, its maximum length, its pattern), so tests can compare the
models with the spec's tables field by field.

- ``CiString(n)``: case-insensitive, printable ASCII only (U+0020–U+007E), at
  most n characters. The value keeps its case; compare with `ci_key`.
- ``string(n)``: case-sensitive, printable UTF-8: control characters (carriage
  return, tab, line feed, …) are refused, as the spec's *string* type says.
- ``URL``: a string(255) holding an absolute URL (scheme and host).
- ``DateTime``: parsed leniently: a timestamp without a zone is UTC (types,
  *DateTime*, says so), an offset is converted to UTC, fractional seconds of any length
  are kept to the microsecond. Always serialized as RFC 3339 in UTC with ``Z``
  and at most three fractional digits, so it fits the spec's string(25).
- ``Number``: a `Decimal`, parsed from a JSON number without loss (see
  `serialization.parse_json`); strings and booleans are refused.
- ``Int`` / ``Boolean``: strict: ``"5"``, ``5.0`` or ``1`` for a boolean are
  refused.

Nothing here is specific to OCPI 2.2.1.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from .base import short_repr

__all__ = [
    "URL",
    "Boolean",
    "CiString2",
    "CiString3",
    "CiString4",
    "CiString32",
    "CiString36",
    "CiString39",
    "CiString48",
    "CredentialsTokenString",
    "DateTime",
    "Int",
    "Number",
    "OcpiType",
    "String2",
    "String3",
    "String4",
    "String10",
    "String16",
    "String20",
    "String45",
    "String64",
    "String100",
    "String255",
    "String512",
    "String5000",
    "Text",
    "ci_key",
    "format_datetime",
    "int_with_digits",
    "number_with_places",
    "parse_datetime",
    "string_with",
]

#: Largest magnitude and finest precision accepted for a `Number`: far beyond
#: any price or energy volume, small enough that arithmetic and rendering stay
#: cheap whatever a partner sends.
NUMBER_MAX_DIGITS = 30
NUMBER_DECIMAL_PLACES = 12


@dataclass(frozen=True, slots=True)
class OcpiType:
    """Metadata: which OCPI primitive a field is, with its spec constraints.

    The base class adds no validation; subclasses build the schema.
    """

    prim: str
    max_length: int | None = None
    pattern: str | None = None
    #: For int(n): the most decimal digits (non-negative values only).
    max_digits: int | None = None
    #: For number: the most fractional digits.
    decimal_places: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return handler(source)


@dataclass(frozen=True, slots=True)
class _OcpiString(OcpiType):
    """A string primitive: strict str, maximum length, pattern, charset check."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        check = _CHARSET_CHECKS[self.prim]
        anchored = f"^(?:{self.pattern})$" if self.pattern else None
        inner = core_schema.str_schema(strict=True, max_length=self.max_length, pattern=anchored)
        return core_schema.no_info_after_validator_function(check, inner)


def _check_printable_utf8(value: str) -> str:
    # types, *string*: printable UTF-8 only; control characters such as
    # carriage return, tab and line feed are not allowed.
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise PydanticCustomError(
                "ocpi_string_charset",
                "contains the non-printable character {char}",
                {"char": repr(char)},
            )
    return value


def _check_printable_ascii(value: str) -> str:
    # types, *CiString*: printable ASCII only.
    for char in value:
        if not " " <= char <= "~":
            raise PydanticCustomError(
                "ocpi_cistring_charset",
                "contains {char}, but only printable ASCII is allowed",
                {"char": repr(char)},
            )
    return value


def _check_token(value: str) -> str:
    # credentials, *Credentials object*: the token is limited to printable
    # ASCII without whitespace (U+0021 to U+007E).
    for char in value:
        if not "!" <= char <= "~":
            raise PydanticCustomError(
                "ocpi_token_charset",
                "contains {char}, but only printable non-whitespace ASCII is allowed",
                {"char": repr(char)},
            )
    return value


def _check_url(value: str) -> str:
    _check_printable_utf8(value)
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or not parts.scheme or not parts.netloc or " " in value:
        raise PydanticCustomError(
            "ocpi_url", "{value} is not an absolute URL", {"value": short_repr(value)}
        )
    return value


def _no_check(value: str) -> str:
    return value


_CHARSET_CHECKS = {
    "CiString": _check_printable_ascii,
    "string": _check_printable_utf8,
    "URL": _check_url,
    "token": _check_token,
    "text": _no_check,
}


def ci_key(value: str) -> str:
    """The comparison key of a CiString: equal keys mean equal CiStrings."""
    return value.upper()


# --- DateTime ------------------------------------------------------------------

_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?"
)


def parse_datetime(text: str) -> datetime:
    """Parse an OCPI timestamp leniently into an aware UTC datetime.

    Accepts ``YYYY-MM-DDTHH:MM:SS`` with optional fractional seconds (any
    number of digits; kept to the microsecond) and an optional zone: ``Z``,
    ``±HH``, ``±HHMM`` or ``±HH:MM``. No zone means UTC. Raises `ValueError`.
    """
    match = _DATETIME_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{short_repr(text)} is not an RFC 3339 date-time")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zulu, sign, off_h, off_m = match.groups()[6:]
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = UTC
    if sign is not None and not zulu:
        offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        if offset >= timedelta(hours=24):
            raise ValueError(f"{short_repr(text)} has an impossible UTC offset")
        tz = timezone(-offset if sign == "-" else offset)
    parsed = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    return parsed.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    """Render an aware datetime as OCPI wants it: RFC 3339, UTC, ``Z``.

    Fractional seconds are written only when present, cut (not rounded) to
    milliseconds so that the text stays within string(25) and never moves
    into the next second.
    """
    utc = _as_utc(value)
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    )
    millis = utc.microsecond // 1000
    if millis:
        text += "." + f"{millis:03d}".rstrip("0")
    return text + "Z"


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _validate_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError as exc:
            raise PydanticCustomError(
                "ocpi_datetime",
                "{value} is not a valid DateTime (RFC 3339, e.g. 2015-06-29T20:39:09Z)",
                {"value": short_repr(value), "reason": str(exc)},
            ) from None
    raise PydanticCustomError(
        "ocpi_datetime",
        "{value} is not a valid DateTime (RFC 3339, e.g. 2015-06-29T20:39:09Z)",
        {"value": short_repr(value)},
    )


@dataclass(frozen=True, slots=True)
class _OcpiDateTime(OcpiType):
    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _validate_datetime,
            serialization=core_schema.plain_serializer_function_ser_schema(
                format_datetime, when_used="always"
            ),
            json_schema_input_schema=core_schema.datetime_schema(),
        )


# --- number / int / boolean ------------------------------------------------------


def _validate_number(value: Any) -> Decimal:
    # types, *number*: OCPI numbers are JSON numbers; a JSON string or
    # boolean is not one, however numeric it looks.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError(
            "ocpi_number", "{value} is not a JSON number", {"value": short_repr(value)}
        )
    if isinstance(value, float):
        # repr() is the shortest text that reads back as this float: the
        # number the sender most likely wrote.
        return Decimal(repr(value))
    return Decimal(value)


def _number_to_json(value: Decimal) -> int | float:
    """JSON-mode serialization: a native number, only when exact."""
    if value.is_finite() and abs(value.adjusted()) <= NUMBER_MAX_DIGITS:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= 0:
            return int(value)
        as_float = float(value)
        if Decimal(repr(as_float)) == value:
            return as_float
    raise PydanticCustomError(
        "ocpi_number_inexact",
        "{value} cannot be written as a float without loss; use to_json_bytes()",
        {"value": str(value)},
    )


@dataclass(frozen=True, slots=True)
class _OcpiNumber(OcpiType):
    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        inner = core_schema.decimal_schema(
            allow_inf_nan=False,
            max_digits=NUMBER_MAX_DIGITS,
            decimal_places=self.decimal_places,
        )
        return core_schema.no_info_before_validator_function(
            _validate_number,
            inner,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _number_to_json, when_used="json"
            ),
        )


@dataclass(frozen=True, slots=True)
class _OcpiStrict(OcpiType):
    """int or boolean: the core schema in strict mode."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        if self.prim == "int":
            if self.max_digits is None:
                return core_schema.int_schema(strict=True)
            return core_schema.int_schema(strict=True, ge=0, le=10**self.max_digits - 1)
        return core_schema.bool_schema(strict=True)


# --- the aliases used by the models ------------------------------------------------

CiString2 = Annotated[str, _OcpiString("CiString", 2)]
CiString3 = Annotated[str, _OcpiString("CiString", 3)]
CiString4 = Annotated[str, _OcpiString("CiString", 4)]
CiString32 = Annotated[str, _OcpiString("CiString", 32)]
CiString36 = Annotated[str, _OcpiString("CiString", 36)]
CiString39 = Annotated[str, _OcpiString("CiString", 39)]
CiString48 = Annotated[str, _OcpiString("CiString", 48)]

String2 = Annotated[str, _OcpiString("string", 2)]
String3 = Annotated[str, _OcpiString("string", 3)]
String4 = Annotated[str, _OcpiString("string", 4)]
String10 = Annotated[str, _OcpiString("string", 10)]
String16 = Annotated[str, _OcpiString("string", 16)]
String20 = Annotated[str, _OcpiString("string", 20)]
String45 = Annotated[str, _OcpiString("string", 45)]
String64 = Annotated[str, _OcpiString("string", 64)]
String100 = Annotated[str, _OcpiString("string", 100)]
String255 = Annotated[str, _OcpiString("string", 255)]
String512 = Annotated[str, _OcpiString("string", 512)]
String5000 = Annotated[str, _OcpiString("string", 5000)]

#: A *string* with no length limit whose characters are not checked: used only
#: for the response envelope's `status_message`, a debugging aid that must not
#: make a partner's whole answer unreadable.
Text = Annotated[str, _OcpiString("text")]
#: The credentials token: string(64) of printable non-whitespace ASCII.
CredentialsTokenString = Annotated[str, _OcpiString("token", 64)]

URL = Annotated[str, _OcpiString("URL", 255)]
DateTime = Annotated[datetime, _OcpiDateTime("DateTime", 25)]
Number = Annotated[Decimal, _OcpiNumber("number", decimal_places=NUMBER_DECIMAL_PLACES)]
Int = Annotated[int, _OcpiStrict("int")]
Boolean = Annotated[bool, _OcpiStrict("boolean")]


def string_with(prim: str, max_length: int | None, pattern: str) -> OcpiType:
    """Metadata for a string field with a pattern (geo coordinates, times)."""
    return _OcpiString(prim, max_length, pattern)


def number_with_places(decimal_places: int) -> OcpiType:
    """Metadata for a number field with fewer decimal places allowed."""
    return _OcpiNumber("number", decimal_places=decimal_places)


def int_with_digits(max_digits: int) -> OcpiType:
    """Metadata for an int(n) field: 0 up to n decimal digits."""
    return _OcpiStrict("int", max_digits=max_digits)
