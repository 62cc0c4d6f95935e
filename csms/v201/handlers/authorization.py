"""Functional block C (authorization): Authorize (C01, C03, C05)."""

from __future__ import annotations

from typing import Any

from csms.common import now_utc
from csms.context import StationContext
from csms.v201.mapping import id_token, id_token_info
from shared.store.uow import UnitOfWork
from shared.usecases.authorization import authorize_token, record_authorization

__all__ = ["on_authorize"]


async def on_authorize(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Answer with the authorizer's decision, once the request and decision are stored.

    Certificates (ISO 15118 contract certificates, C07) are not checked: no
    `certificateStatus` is sent, which the schema allows.
    """
    token = id_token(payload["idToken"])
    result = await authorize_token(ctx.services.authorizer, ctx.station_id, token, now_utc())

    async def record(uow: UnitOfWork) -> None:
        record_authorization(uow, ctx.station_id, token, result)

    await ctx.commit(record)
    ctx.log.info(
        "ocpp.authorize", id_token=token.value, type=token.type, status=result.status.value
    )
    return {"idTokenInfo": id_token_info(result)}
