"""Functional block B (provisioning) and G (availability): BootNotification (B01–B03),
Heartbeat (G02), StatusNotification (G01)."""

from __future__ import annotations

from typing import Any

from csms.common import charger_time, now_utc
from csms.context import StationContext
from csms.ocppj import format_timestamp
from csms.v201.mapping import boot_info, connector_status
from shared.domain.stations import RegistrationStatus
from shared.store.stations import (
    StatusReport,
    get_registration,
    record_connector_status,
    touch_station,
)
from shared.store.uow import UnitOfWork
from shared.usecases.provisioning import decide_boot, store_boot

__all__ = ["on_boot_notification", "on_heartbeat", "on_status_notification"]

_BOOT_STATUS = {
    RegistrationStatus.ACCEPTED: "Accepted",
    RegistrationStatus.PENDING: "Pending",
    RegistrationStatus.REJECTED: "Rejected",
}


async def on_boot_notification(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    info = boot_info(payload)
    settings = ctx.settings.ocpp

    registration = ctx.view.registration
    if registration is not RegistrationStatus.ACCEPTED:
        # The operator may have accepted the station since it connected.
        async with ctx.database.read() as conn:
            registration = await get_registration(conn, ctx.station_id) or registration
    decision = decide_boot(
        registration,
        heartbeat_interval=settings.heartbeat_interval,
        retry_interval=settings.boot_retry_interval,
    )

    async def boot(uow: UnitOfWork) -> None:
        await store_boot(uow, ctx.station_id, info, decision)

    await ctx.commit(boot)
    ctx.view.registration = decision.status
    ctx.view.booted = decision.status is RegistrationStatus.ACCEPTED
    ctx.log.info(
        "ocpp.boot",
        status=decision.status.value,
        vendor=info.vendor,
        model=info.model,
        reason=info.reason,
    )
    return {
        "status": _BOOT_STATUS[decision.status],
        "currentTime": format_timestamp(now_utc()),
        "interval": decision.interval,
    }


async def on_heartbeat(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    async def seen(uow: UnitOfWork) -> None:
        touch_station(uow, ctx.station_id)

    await ctx.commit(seen)
    return {"currentTime": format_timestamp(now_utc())}


async def on_status_notification(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    evse_id = payload["evseId"]
    connector = payload["connectorId"]
    status = connector_status(payload["connectorStatus"])
    report = StatusReport(
        station_id=ctx.station_id,
        evse_id=evse_id,
        connector_id=connector,
        status=status,
        ocpp_status=payload["connectorStatus"],
        error_code=None,
        info=None,
        vendor_error_code=None,
        timestamp=charger_time(ctx, payload.get("timestamp"), "timestamp"),
    )
    previous = ctx.view.connectors.get((evse_id, connector))
    evse_status = ctx.view.evse_status_with(evse_id, connector, status)

    async def store(uow: UnitOfWork) -> None:
        record_connector_status(uow, report, previous=previous, evse_status=evse_status)
        touch_station(uow, ctx.station_id)

    await ctx.commit(store)
    ctx.view.set_connector(evse_id, connector, status)
    return {}
