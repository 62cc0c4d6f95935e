"""Security events (OCPP 1.6 Security Edition 2, §4.3 SecurityEventNotification).

SignCertificate (§4.1) has no handler: the CSMS has no certificate authority to sign a
station's CSR with, so the dispatcher answers NotSupported rather than pretending.
"""

from __future__ import annotations

from typing import Any

from csms.common import charger_time
from csms.context import StationContext
from csms.notices import store_notice
from shared.store.station_events import StationEventKind
from shared.usecases.station_reports import StationNotice

__all__ = ["on_security_event_notification"]


async def on_security_event_notification(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Store the event with the station's own timestamp."""
    ctx.log.warning("ocpp.security_event", type=payload["type"], tech_info=payload.get("techInfo"))
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.SECURITY_EVENT,
            payload,
            timestamp=charger_time(ctx, payload["timestamp"], "timestamp"),
            status=payload["type"],
        ),
    )
    return {}
