"""Storing a station's report as a station event, the one way every version's handlers do it."""

from __future__ import annotations

from csms.context import StationContext
from shared.store.uow import UnitOfWork
from shared.usecases.station_reports import StationNotice, record_station_notice

__all__ = ["store_notice"]


async def store_notice(ctx: StationContext, notice: StationNotice) -> None:
    """Commit `notice` (with the incoming frame) before the handler answers."""

    async def store(uow: UnitOfWork) -> None:
        await record_station_notice(uow, ctx.station_id, notice)

    await ctx.commit(store)
    ctx.log.info(
        "ocpp.notice",
        kind=notice.kind.value,
        status=notice.status,
        request_id=notice.request_id,
        evse_id=notice.evse_id,
    )
