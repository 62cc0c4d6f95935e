"""Functional block O, display messages: NotifyDisplayMessages (O04), the answer to our
GetDisplayMessages, possibly in several parts (`tbc`)."""

from __future__ import annotations

from typing import Any

from csms.context import StationContext
from csms.notices import store_notice
from shared.store.station_events import StationEventKind
from shared.usecases.station_reports import StationNotice

__all__ = ["on_notify_display_messages"]


async def on_notify_display_messages(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    await store_notice(
        ctx,
        StationNotice(StationEventKind.DISPLAY_MESSAGES, payload, request_id=payload["requestId"]),
    )
    return {}
