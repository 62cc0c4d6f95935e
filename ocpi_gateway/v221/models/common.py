"""OCPI 2.2.1 common types and the response envelope.

- Spec chapter *Types*: `DisplayText`, `Price`, `Role` (CiString, string,
  DateTime, number and URL are in `primitives`).
- Spec chapter *Status codes*: `StatusCode`.
- Spec chapter *Transport and format*, *Response format*: `OcpiResponse[T]`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import Field

from .base import OcpiEnum, OcpiModel
from .primitives import DateTime, Int, Number, String2, String512, Text

__all__ = ["DisplayText", "OcpiResponse", "Price", "Role", "StatusCode"]

T = TypeVar("T")


class DisplayText(OcpiModel):
    """types, *DisplayText* class: a text in one language."""

    language: String2
    """Language code ISO 639-1."""
    text: String512
    """Plain text for the driver (no HTML or other markup)."""


class Price(OcpiModel):
    """types, *Price* class: an amount without and (optionally) with VAT."""

    excl_vat: Number
    """Price/cost excluding VAT."""
    incl_vat: Number | None = None
    """Price/cost including VAT."""


class Role(OcpiEnum):
    """types, *Role* enum."""

    CPO = "CPO"
    EMSP = "EMSP"
    HUB = "HUB"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"


class StatusCode(enum.IntEnum):
    """status_codes: the OCPI status codes of this version.

    `OcpiResponse.status_code` is a plain int, because the spec reserves
    ranges for custom codes (19xx, 29xx, 39xx, 49xx) that a partner may send.
    """

    SUCCESS = 1000
    CLIENT_ERROR = 2000
    INVALID_OR_MISSING_PARAMETERS = 2001
    NOT_ENOUGH_INFORMATION = 2002
    UNKNOWN_LOCATION = 2003
    UNKNOWN_TOKEN = 2004
    SERVER_ERROR = 3000
    UNABLE_TO_USE_CLIENT_API = 3001
    UNSUPPORTED_VERSION = 3002
    NO_MATCHING_ENDPOINTS = 3003
    HUB_ERROR = 4000
    UNKNOWN_RECEIVER = 4001
    HUB_TIMEOUT = 4002
    HUB_CONNECTION_PROBLEM = 4003

    @property
    def is_success(self) -> bool:
        """True for the 1xxx range."""
        return 1000 <= self.value <= 1999


class OcpiResponse(OcpiModel, Generic[T]):
    """transport_and_format, *Response format*: the envelope of every answer.

    Use ``OcpiResponse[Location]`` for one object, ``OcpiResponse[list[Location]]``
    for a list. `data` is left out of the JSON when it is `None`, as an error
    response should (spec example "Response with an error").
    """

    data: T | None = None
    """The response data: an object, a list of objects or a value."""
    status_code: Annotated[Int, Field(ge=1000, le=9999)]
    """OCPI status code: four digits, see `StatusCode`."""
    status_message: Text | None = None
    """An optional message that may help when debugging."""
    timestamp: DateTime
    """When the response was produced."""

    @classmethod
    def success(
        cls, data: T | None, *, timestamp: datetime, message: str | None = None
    ) -> OcpiResponse[T]:
        """A 1000 response carrying `data`."""
        return cls(
            data=data,
            status_code=int(StatusCode.SUCCESS),
            status_message=message,
            timestamp=timestamp,
        )

    @classmethod
    def error(cls, code: int, message: str, *, timestamp: datetime) -> OcpiResponse[T]:
        """An error response (no `data`) with `code` and `message`."""
        return cls(status_code=int(code), status_message=message, timestamp=timestamp)

    @property
    def is_success(self) -> bool:
        """True when `status_code` is in the 1xxx range."""
        return 1000 <= self.status_code <= 1999
