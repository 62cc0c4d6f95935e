"""Functional block A, security: SecurityEventNotification (A04).

SignCertificate (A02/A03), Get15118EVCertificate (M01) and GetCertificateStatus (M06) have
no handler: they need a certificate authority, a contract-certificate pool and an OCSP
responder that this CSMS does not run, so the dispatcher answers NotSupported.
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
    """Store the event with the station's own timestamp (A04.FR.02: the CSMS answers every
    one; the list of types is Part 2 appendix "Security events")."""
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
