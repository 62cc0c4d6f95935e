"""The credentials token in the `Authorization` header, both ways (no I/O here).

transport_and_format, *Authorization header*: the header is the literal ``Token``, one space
and the credentials token encoded as Base64 of its UTF-8 bytes (2.2.1). Many 2.1.1/2.2
implementations send the token itself instead; the spec leaves it to the receiver to cope.
So on input we try the decoded value first and the raw value second; on output we encode
unless the partner is known to want raw tokens (`partners.outgoing_token_base64`).

A decoded value is only a candidate if it is a possible credentials token: printable ASCII
without whitespace, at most 64 characters (credentials, *Credentials object*). Trailing
whitespace is dropped after decoding: ``echo token | base64`` adds a newline, and the spec's
own examples carry one.
"""

from __future__ import annotations

import base64
import binascii

__all__ = ["MAX_TOKEN_LENGTH", "encode_token_header", "is_token_text", "token_candidates"]

#: credentials, *Credentials object*: token is string(64).
MAX_TOKEN_LENGTH = 64
#: Far above any real header; longer values are refused before decoding.
_MAX_HEADER_LENGTH = 512


def is_token_text(value: str) -> bool:
    """True for 1–64 printable non-whitespace ASCII characters (U+0021–U+007E)."""
    return 0 < len(value) <= MAX_TOKEN_LENGTH and all("!" <= char <= "~" for char in value)


def _decoded(value: str) -> str | None:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8").rstrip()
    except UnicodeDecodeError:
        return None
    return text if is_token_text(text) else None


def token_candidates(header: str | None) -> list[str]:
    """The tokens an `Authorization` header may carry, most likely first.

    Empty when the header is missing, does not use the ``Token`` scheme, or holds nothing
    that could be a token.
    """
    if not header or len(header) > _MAX_HEADER_LENGTH:
        return []
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "token" or not value:
        return []
    candidates: list[str] = []
    decoded = _decoded(value)
    if decoded is not None:
        candidates.append(decoded)
    if is_token_text(value) and value not in candidates:
        candidates.append(value)
    return candidates


def encode_token_header(token: str, *, base64_encoded: bool = True) -> str:
    """The `Authorization` header value for `token` (Base64 unless told otherwise)."""
    if base64_encoded:
        return "Token " + base64.b64encode(token.encode("utf-8")).decode("ascii")
    return "Token " + token
