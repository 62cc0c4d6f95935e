"""Deciding whether an id token may charge.

`Authorizer.authorize()` looks the token up in the stored tokens (ours and those uploaded by
roaming partners), applies status, expiry and whitelist rules, and asks the pluggable remote
authorizers (e.g. an eMSP's real-time authorization over OCPI) for tokens that are unknown or
must not be decided locally.

Real chargers change tokens (PITFALLS "Real chargers" #13): a 1.6 idTag is cut at 20
characters, some append a serial suffix. An exact match is tried first, then a unique token
that starts with a 20-character tag, then the longest stored token the tag starts with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.logging import get_logger
from shared.store.database import Database
from shared.store.tables import id_tokens

__all__ = [
    "AuthorizationResult",
    "AuthorizationStatus",
    "Authorizer",
    "IdToken",
    "RemoteAuthorizer",
    "find_token",
]

log = get_logger(__name__)

_TRUNCATED_LENGTH = 20  # OCPP 1.6 IdToken is CiString20Type
_MIN_PREFIX = 6


class AuthorizationStatus(StrEnum):
    """OCPP 2.0.1 AuthorizationStatusEnumType (1.6 maps Unknown/NoCredit… onto Invalid)."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    CONCURRENT_TX = "ConcurrentTx"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    NO_CREDIT = "NoCredit"
    NOT_ALLOWED_TYPE = "NotAllowedTypeEVSE"
    NOT_AT_THIS_LOCATION = "NotAtThisLocation"
    NOT_AT_THIS_TIME = "NotAtThisTime"
    UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class IdToken:
    value: str
    type: str = "ISO14443"


@dataclass(frozen=True, slots=True)
class AuthorizationResult:
    status: AuthorizationStatus
    expiry: datetime | None = None
    group_id: str | None = None
    partner_id: int | None = None
    matched_token: str | None = None
    authorization_reference: str | None = None


class RemoteAuthorizer(Protocol):
    """Asks someone else (a roaming partner) about a token; None means "not mine"."""

    async def authorize(
        self, station_id: str, token: IdToken, stored: AuthorizationResult | None
    ) -> AuthorizationResult | None: ...


_EXACT = (
    select(id_tokens).where(id_tokens.c.id_token == bindparam("value")).order_by(id_tokens.c.id)
)


async def find_token(conn: AsyncConnection, value: str) -> Row[Any] | None:
    """The stored token for `value`, tolerating truncation and suffixes (see module doc)."""
    exact = (await conn.execute(_EXACT, {"value": value})).first()
    if exact is not None:
        return exact
    if len(value) == _TRUNCATED_LENGTH:
        rows = (
            await conn.execute(
                select(id_tokens).where(id_tokens.c.id_token.startswith(value, autoescape=True))
            )
        ).all()
        if len(rows) == 1:
            log.info("auth.token.truncated_match", id_token=value, stored=rows[0].id_token)
            return rows[0]
    if len(value) > _MIN_PREFIX:
        # A stored token that is a prefix of what the charger sent (serial suffix appended).
        candidate = (
            await conn.execute(
                select(id_tokens)
                .where(func.length(id_tokens.c.id_token) >= _MIN_PREFIX)
                .where(
                    func.substr(value, 1, func.length(id_tokens.c.id_token)) == id_tokens.c.id_token
                )
                .order_by(func.length(id_tokens.c.id_token).desc())
            )
        ).first()
        if candidate is not None:
            log.info("auth.token.suffix_match", id_token=value, stored=candidate.id_token)
            return candidate
    return None


def _decide(row: Row[Any], now: datetime) -> AuthorizationResult:
    status = (
        AuthorizationStatus(row.status) if row.status in _STATUSES else AuthorizationStatus.INVALID
    )
    if status is AuthorizationStatus.ACCEPTED and row.expiry is not None and row.expiry <= now:
        status = AuthorizationStatus.EXPIRED
    return AuthorizationResult(
        status=status,
        expiry=row.expiry,
        group_id=row.group_id,
        partner_id=row.partner_id,
        matched_token=row.id_token,
    )


_STATUSES = {s.value for s in AuthorizationStatus}


class Authorizer:
    """Local decisions from the store, remote ones from the registered authorizers.

    A token we asked a station to start with (a remote start from the operator or a roaming
    partner) is granted for that station for a while: the charger's StartTransaction /
    TransactionEvent for it must not be answered Invalid just because the token is not one
    we store (F01/F02: the CSMS already authorised it when it asked).
    """

    def __init__(self, database: Database, remotes: Sequence[RemoteAuthorizer] = ()) -> None:
        self._database = database
        self._remotes: list[RemoteAuthorizer] = list(remotes)
        self._grants: dict[tuple[str, str], datetime] = {}

    def grant_remote_start(self, station_id: str, token: IdToken, until: datetime) -> None:
        """Accept `token` at `station_id` until `until` (called before the remote start goes
        out: the charger may start before we read its answer)."""
        self._grants[(station_id, token.value)] = until

    def revoke_remote_start(self, station_id: str, token: IdToken) -> None:
        self._grants.pop((station_id, token.value), None)

    def _granted(self, station_id: str, token: IdToken, now: datetime) -> bool:
        until = self._grants.get((station_id, token.value))
        if until is None:
            return False
        if until <= now:
            del self._grants[(station_id, token.value)]
            return False
        return True

    def add_remote(self, remote: RemoteAuthorizer) -> None:
        self._remotes.append(remote)

    async def authorize(
        self, station_id: str, token: IdToken, now: datetime
    ) -> AuthorizationResult:
        """The decision for `token` presented at `station_id`."""
        async with self._database.read() as conn:
            row = await find_token(conn, token.value)
        stored = _decide(row, now) if row is not None else None
        # Whitelist NEVER (OCPI): the eMSP must be asked every time; ALLOWED_OFFLINE/ALLOWED
        # still let us decide from the stored token.
        must_ask = row is None or row.whitelist == "NEVER"
        if must_ask:
            for remote in self._remotes:
                try:
                    answer = await remote.authorize(station_id, token, stored)
                except Exception:
                    log.exception("auth.remote.failed", station_id=station_id)
                    continue
                if answer is not None:
                    return answer
        if self._granted(station_id, token, now) and (
            stored is None or stored.status is not AuthorizationStatus.BLOCKED
        ):
            log.info("auth.remote_start_grant", station_id=station_id, id_token=token.value)
            return AuthorizationResult(
                status=AuthorizationStatus.ACCEPTED,
                group_id=stored.group_id if stored else None,
                partner_id=stored.partner_id if stored else None,
                matched_token=stored.matched_token if stored else token.value,
            )
        if stored is not None:
            return stored
        return AuthorizationResult(status=AuthorizationStatus.INVALID)
