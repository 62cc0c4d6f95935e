"""Real-time authorization: asking an eMSP about a token (mod_tokens, *Real-time
authorization*), as a `shared.authorization.RemoteAuthorizer`.

The OCPP side's `Authorizer` asks its remotes when a token is unknown or stored with
whitelist NEVER. We then POST `{tokens}/{token_uid}/authorize?type=` to the eMSP's tokens
SENDER interface (version-neutral: 2.1.1 and 2.2.1 share the call and the AuthorizationInfo
fields read here):

- a stored token: its own eMSP is asked; if it cannot be reached, does not know the token
  or offers no tokens interface, the token is not allowed (mod_tokens, *WhitelistType*
  NEVER: "no online connection, not allowed");
- an unknown token: every registered partner offering tokens SENDER is asked in turn, the
  first that knows it (anything but 2004 / HTTP 404) decides; none: "not mine" (None).

`allowed` maps onto the OCPP status: ALLOWED Accepted, BLOCKED Blocked, EXPIRED Expired,
NO_CREDIT NoCredit, NOT_ALLOWED Invalid (OCPP has no closer status).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ocpi_gateway.app import CLIENT, SERVICES
from ocpi_gateway.client import OcpiClient
from ocpi_gateway.errors import (
    PartnerCallError,
    PartnerHttpError,
    PartnerResponseError,
    PartnerStatusError,
)
from shared.authorization import AuthorizationResult, AuthorizationStatus, Authorizer, IdToken
from shared.domain.partners import Partner, PartnerStatus
from shared.logging import get_logger
from shared.store.database import Database
from shared.store.partners import get_partner, get_secrets, list_partners

__all__ = ["ALLOWED_STATUS", "RealtimeAuthorizer", "realtime_authorization"]

log = get_logger("laddpunkt.ocpi.realtime_auth")

#: AllowedType -> OCPP AuthorizationStatus.
ALLOWED_STATUS = {
    "ALLOWED": AuthorizationStatus.ACCEPTED,
    "BLOCKED": AuthorizationStatus.BLOCKED,
    "EXPIRED": AuthorizationStatus.EXPIRED,
    "NO_CREDIT": AuthorizationStatus.NO_CREDIT,
    "NOT_ALLOWED": AuthorizationStatus.INVALID,
}
#: OCPP 1.6/2.0.1 token types seen at chargers -> OCPI TokenType.
_OCPI_TYPES = {"Central": "APP_USER", "eMAID": "APP_USER", "NoAuthorization": "AD_HOC_USER"}


class _Unknown(Exception):
    """The partner does not know the token."""


@dataclass(frozen=True, slots=True)
class _Asked:
    partner: Partner
    token: str


class RealtimeAuthorizer:
    """Asks eMSPs over OCPI; register with `Authorizer.add_remote`."""

    def __init__(self, database: Database, client: OcpiClient, *, time_limit: float = 5.0):
        self._database = database
        self._client = client
        self._time_limit = time_limit

    async def authorize(
        self, station_id: str, token: IdToken, stored: AuthorizationResult | None
    ) -> AuthorizationResult | None:
        """The eMSP's decision on `token`, or None when no partner claims it."""
        if stored is not None and stored.partner_id is None:
            return None  # one of our own tokens
        value = stored.matched_token if stored and stored.matched_token else token.value
        for asked in await self._candidates(stored):
            try:
                data = await self._ask(asked, value, token.type)
            except (_Unknown, PartnerCallError) as exc:
                log.warning(
                    "ocpi.realtime_auth.no_answer", partner=asked.partner.id, error=repr(exc)
                )
                if stored is not None:
                    # The token's own eMSP gave no decision: NEVER means not allowed.
                    return AuthorizationResult(
                        status=AuthorizationStatus.INVALID, partner_id=asked.partner.id
                    )
                continue
            return _result(data, asked.partner.id, value, stored)
        if stored is not None:
            # Its eMSP is gone or offers no tokens interface: nobody may allow a NEVER token.
            return AuthorizationResult(
                status=AuthorizationStatus.INVALID, partner_id=stored.partner_id
            )
        return None

    async def _candidates(self, stored: AuthorizationResult | None) -> list[_Asked]:
        async with self._database.read() as conn:
            if stored is not None and stored.partner_id is not None:
                one = await get_partner(conn, stored.partner_id)
                partners = [one] if one is not None else []
            else:
                partners = await list_partners(conn)
            asked = []
            for partner in partners:
                if partner.status is not PartnerStatus.REGISTERED:
                    continue
                if partner.endpoint("tokens", "SENDER") is None:
                    continue
                secret = (await get_secrets(conn, partner.id)).outgoing_token
                if secret is not None:
                    asked.append(_Asked(partner, secret))
        return asked

    async def _ask(self, asked: _Asked, value: str, ocpp_type: str) -> dict[str, Any]:
        endpoint = asked.partner.endpoint("tokens", "SENDER")
        assert endpoint is not None  # checked in _candidates
        token_type = _OCPI_TYPES.get(ocpp_type, "RFID")
        url = f"{endpoint.url.rstrip('/')}/{value}/authorize?type={token_type}"
        try:
            answer = await self._client.call(
                "POST",
                url,
                asked.token,
                base64=asked.partner.outgoing_token_base64,
                time_limit=self._time_limit,
            )
        except PartnerStatusError as exc:
            if exc.status_code == 2004:
                raise _Unknown from None
            raise
        except PartnerHttpError as exc:
            if exc.status == 404:
                raise _Unknown from None
            raise
        if not isinstance(answer.data, dict) or answer.data.get("allowed") not in ALLOWED_STATUS:
            raise PartnerResponseError(f"{url}: no AuthorizationInfo in the answer", url=url)
        return answer.data


def _result(
    data: dict[str, Any], partner_id: int, value: str, stored: AuthorizationResult | None
) -> AuthorizationResult:
    token = data.get("token") if isinstance(data.get("token"), dict) else {}
    assert isinstance(token, dict)
    group = token.get("group_id") or (stored.group_id if stored else None)
    reference = data.get("authorization_reference")
    return AuthorizationResult(
        status=ALLOWED_STATUS[str(data["allowed"])],
        group_id=str(group) if group else None,
        partner_id=partner_id,
        matched_token=value,
        authorization_reference=str(reference) if reference else None,
    )


def realtime_authorization(
    authorizer: Authorizer,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A `cleanup_ctx` for the OCPI app (`create_ocpi_app`) that registers a
    `RealtimeAuthorizer` on the app's database and partner client with `authorizer`
    once the app starts (after the client's own context: append it last)."""

    async def register(app: web.Application) -> AsyncIterator[None]:
        authorizer.add_remote(RealtimeAuthorizer(app[SERVICES].database, app[CLIENT]))
        yield

    return register
