"""Functional block H, reservations: ReservationStatusUpdate (H04), a station telling that a
reservation expired or was removed without a transaction using it."""

from __future__ import annotations

from typing import Any

from csms.context import StationContext
from shared.store.uow import UnitOfWork
from shared.usecases.station_reports import update_reservation_status

__all__ = ["on_reservation_status_update"]


async def on_reservation_status_update(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    reservation_id = payload["reservationId"]
    status = payload["reservationUpdateStatus"]

    async def store(uow: UnitOfWork) -> bool:
        return await update_reservation_status(uow, ctx.station_id, reservation_id, status)

    known = await ctx.commit(store)
    if not known:
        # Still acknowledged (the response has no status to refuse with) and recorded.
        ctx.log.warning("ocpp.reservation.unknown", reservation_id=reservation_id, status=status)
    return {}
