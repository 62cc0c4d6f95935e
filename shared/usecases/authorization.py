"""Authorizing id tokens and recording the decision (OCPP 2.0.1 functional block C).

The decision itself is `shared.authorization.Authorizer`'s (stored tokens, remote
authorizers, truncated and suffixed tokens). This module adds what both OCPP versions need
around it: tokens that carry no identity, and the record of each Authorize request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from shared.authorization import AuthorizationResult, AuthorizationStatus, Authorizer, IdToken
from shared.logging import get_logger
from shared.store.stations import touch_station
from shared.store.tables import station_events
from shared.store.transactions import TransactionAuthorization
from shared.store.uow import UnitOfWork

__all__ = [
    "AUTHORIZATION_EVENT",
    "NO_AUTHORIZATION",
    "authorize_token",
    "record_authorization",
    "transaction_authorization",
]

log = get_logger(__name__)

#: 2.0.1 IdTokenEnumType for "no identity, the station authorised by itself" (C-block, free
#: charging): there is nothing to look up.
NO_AUTHORIZATION = "NoAuthorization"

#: `station_events.kind` of a recorded Authorize request.
AUTHORIZATION_EVENT = "authorization"

_INSERT_EVENT = insert(station_events)


async def authorize_token(
    authorizer: Authorizer, station_id: str, token: IdToken, now: datetime
) -> AuthorizationResult:
    """The decision for `token` at `station_id`.

    A `NoAuthorization` token is accepted as is: the station was configured to charge
    without authorization and tells us so; answering Invalid would only make it stop a
    session its owner wants to give away.
    """
    if token.type == NO_AUTHORIZATION:
        log.info("auth.token.no_authorization", station_id=station_id)
        return AuthorizationResult(status=AuthorizationStatus.ACCEPTED)
    return await authorizer.authorize(station_id, token, now)


def record_authorization(
    uow: UnitOfWork, station_id: str, token: IdToken, result: AuthorizationResult
) -> None:
    """Store that the station asked about `token` and what it was told (deferred)."""
    uow.defer(
        _INSERT_EVENT,
        {
            "station_id": station_id,
            "kind": AUTHORIZATION_EVENT,
            "timestamp": uow.now,
            "data": {
                "id_token": token.value,
                "type": token.type,
                "status": result.status.value,
                "matched_token": result.matched_token,
                "group_id": result.group_id,
                "partner_id": result.partner_id,
            },
            "received_at": uow.now,
        },
    )
    touch_station(uow, station_id)


def transaction_authorization(result: AuthorizationResult | None) -> TransactionAuthorization:
    """What of a decision is stored with the transaction it authorised."""
    if result is None:
        return TransactionAuthorization()
    return TransactionAuthorization(
        group_id=result.group_id,
        partner_id=result.partner_id,
        authorization_reference=result.authorization_reference,
    )
