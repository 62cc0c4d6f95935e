"""Functional block L, firmware management: FirmwareStatusNotification (L01/L02) and
PublishFirmwareStatusNotification (L03, a local controller publishing firmware)."""

from __future__ import annotations

from typing import Any

from csms.context import StationContext
from csms.notices import store_notice
from shared.store.station_events import StationEventKind
from shared.usecases.station_reports import StationNotice

__all__ = ["on_firmware_status_notification", "on_publish_firmware_status_notification"]


async def on_firmware_status_notification(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Progress of an UpdateFirmware; `requestId` is absent only when the status is Idle
    (L01.FR.20)."""
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.FIRMWARE_STATUS,
            payload,
            status=payload["status"],
            request_id=payload.get("requestId"),
        ),
    )
    return {}


async def on_publish_firmware_status_notification(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Progress of a PublishFirmware; when Published, `location` lists the URIs (L03)."""
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.PUBLISH_FIRMWARE_STATUS,
            payload,
            status=payload["status"],
            request_id=payload.get("requestId"),
        ),
    )
    return {}
