"""Enums used across OCPI 2.2.1 modules that would otherwise import each other.

`TokenType` belongs to the Tokens module and `ProfileType` to the Sessions
module, but Tokens needs ProfileType, Sessions needs CDRs and CDRs need
TokenType: defining both here breaks that cycle. Import them from `tokens` and
`sessions`, where the spec defines them.
"""

from __future__ import annotations

from .base import OcpiEnum

__all__ = ["ProfileType", "TokenType"]


class TokenType(OcpiEnum):
    """mod_tokens, *TokenType* enum."""

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    OTHER = "OTHER"
    RFID = "RFID"


class ProfileType(OcpiEnum):
    """mod_sessions, *ProfileType* enum: smart charging profile types."""

    CHEAP = "CHEAP"
    FAST = "FAST"
    GREEN = "GREEN"
    REGULAR = "REGULAR"
