"""Authorize (OCPP 1.6 §4.1, §5.2): may this idTag charge?"""

from __future__ import annotations

from typing import Any

from csms.common import now_utc
from csms.context import StationContext
from csms.v16.mapping import id_tag_info
from shared.authorization import IdToken
from shared.store.uow import UnitOfWork
from shared.usecases.authorization import authorize_token, record_authorization

__all__ = ["on_authorize"]


async def on_authorize(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Answer with the authorizer's decision, once the request and decision are stored."""
    token = IdToken(payload["idTag"])
    result = await authorize_token(ctx.services.authorizer, ctx.station_id, token, now_utc())

    async def record(uow: UnitOfWork) -> None:
        record_authorization(uow, ctx.station_id, token, result)

    await ctx.commit(record)
    ctx.log.info("ocpp.authorize", id_tag=token.value, status=result.status.value)
    return {"idTagInfo": id_tag_info(result)}
