"""Firmware Management profile (OCPP 1.6 §4.4, §4.5) and the security whitepaper's signed
firmware and log upload (OCPP 1.6 Security Edition 2, §4.2 and §4.4).

Each status report is stored as a station event; the latest one is the station's firmware
or upload state (`shared.usecases.station_reports.station_report_summary`).
"""

from __future__ import annotations

from typing import Any

from csms.context import StationContext
from csms.notices import store_notice
from shared.store.station_events import StationEventKind
from shared.usecases.station_reports import StationNotice

__all__ = [
    "on_diagnostics_status_notification",
    "on_firmware_status_notification",
    "on_log_status_notification",
    "on_signed_firmware_status_notification",
]


async def on_firmware_status_notification(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Progress of an UpdateFirmware (1.6 §4.5); `Idle` only answers a TriggerMessage."""
    await store_notice(
        ctx,
        StationNotice(StationEventKind.FIRMWARE_STATUS, payload, status=payload["status"]),
    )
    return {}


async def on_diagnostics_status_notification(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Progress of a GetDiagnostics upload (1.6 §4.4)."""
    await store_notice(
        ctx,
        StationNotice(StationEventKind.DIAGNOSTICS_STATUS, payload, status=payload["status"]),
    )
    return {}


async def on_signed_firmware_status_notification(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Progress of a SignedUpdateFirmware: the 2.0.1 status vocabulary, with its requestId.
    Kept with the plain firmware statuses: both describe the one firmware of the station."""
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


async def on_log_status_notification(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Progress of a GetLog upload (the whitepaper's successor of GetDiagnostics)."""
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.LOG_STATUS,
            payload,
            status=payload["status"],
            request_id=payload.get("requestId"),
        ),
    )
    return {}
