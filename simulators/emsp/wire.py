"""OCPI transport details, written from the spec without the gateway's code.

transport_and_format: the ``Authorization: Token <base64>`` header, the response envelope
(`data`, `status_code`, `status_message`, `timestamp`), the unique message id headers, the
routing headers and the pagination `Link` header. JSON is read with exact decimals so the
schema checker sees the digits the CPO really sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "JsonObject",
    "decode_authorization",
    "encode_token",
    "envelope",
    "format_datetime",
    "json_dumps",
    "json_loads",
    "new_id",
    "new_token",
    "next_link",
    "parse_datetime",
    "utc_now",
]

JsonObject = dict[str, Any]

_LINK_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)


def utc_now() -> datetime:
    """The current time, UTC, whole milliseconds (OCPI DateTime allows fractions)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_datetime(moment: datetime) -> str:
    """An OCPI DateTime: RFC 3339, UTC, with ``Z`` (types, *DateTime*)."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def parse_datetime(text: str) -> datetime:
    """Read an OCPI DateTime; no designator means UTC (types, *DateTime*)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_token() -> str:
    """A fresh credentials token: printable, non-whitespace ASCII, at most 64 characters
    (credentials, *Credentials object*)."""
    return secrets.token_urlsafe(32)


def new_id() -> str:
    """A unique id for X-Request-ID / X-Correlation-ID and response URLs."""
    return str(uuid.uuid4())


def encode_token(token: str) -> str:
    """The Authorization header value for `token`: UTF-8, then Base64 (RFC 4648 §4)."""
    return "Token " + base64.b64encode(token.encode("utf-8")).decode("ascii")


def decode_authorization(header: str | None) -> tuple[str | None, str | None]:
    """The token in an Authorization header: (as sent, Base64-decoded or None).

    Both are returned because 2.1.1-era parties send the token raw; the caller knows the
    tokens it issued and decides which reading matches.
    """
    if not header or not header.startswith("Token "):
        return None, None
    sent = header[len("Token ") :].strip()
    try:
        decoded = base64.b64decode(sent, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return sent, None
    return sent, decoded


def envelope(
    data: object = None, status_code: int = 1000, message: str | None = None
) -> JsonObject:
    """The response envelope (transport_and_format, *Response format*); `data` is left
    out when None, as the spec advises where it defines no data."""
    body: JsonObject = {"status_code": status_code, "timestamp": format_datetime(utc_now())}
    if data is not None:
        body["data"] = data
    if message is not None:
        body["status_message"] = message
    return body


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def json_dumps(value: object) -> str:
    """JSON text; datetimes as OCPI DateTime."""
    return json.dumps(value, default=_default, separators=(",", ":"))


def json_loads(raw: bytes | str) -> Any:
    """Parse JSON keeping every fraction as an exact Decimal."""
    return json.loads(raw, parse_float=Decimal)


def next_link(headers: Mapping[str, str]) -> str | None:
    """The URL of the `rel="next"` entry of a `Link` header, if any."""
    link = next((v for k, v in headers.items() if k.lower() == "link"), None)
    if not link:
        return None
    match = _LINK_NEXT.search(link)
    return match.group(1) if match else None
