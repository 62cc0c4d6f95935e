"""Functional block N, diagnostics: LogStatusNotification (N01), NotifyMonitoringReport
(N02), NotifyEvent (N07), NotifyCustomerInformation (N09/N10)."""

from __future__ import annotations

from typing import Any

from csms.common import charger_time
from csms.context import StationContext
from csms.notices import store_notice
from csms.v201.mapping import event_actual_values
from shared.store.device_model import record_variable_values
from shared.store.station_events import StationEventKind
from shared.store.uow import UnitOfWork
from shared.usecases.station_reports import StationNotice, record_station_notice

__all__ = [
    "on_log_status_notification",
    "on_notify_customer_information",
    "on_notify_event",
    "on_notify_monitoring_report",
]


async def on_log_status_notification(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Progress of a GetLog upload (N01)."""
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


async def on_notify_event(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Each EventData becomes a `device_event` with its own timestamp; its `actualValue` is
    the variable's Actual value then (N07), so the device model is brought up to date too."""
    context = {"generatedAt": payload["generatedAt"], "seqNo": payload["seqNo"]}
    if "tbc" in payload:
        context["tbc"] = payload["tbc"]
    notices = [
        StationNotice(
            StationEventKind.DEVICE_EVENT,
            {**event, **context},
            timestamp=charger_time(ctx, event["timestamp"], "eventData.timestamp"),
            status=event["trigger"],
            evse_id=(event["component"].get("evse") or {}).get("id"),
        )
        for event in payload["eventData"]
    ]
    values = event_actual_values(payload["eventData"])

    async def store(uow: UnitOfWork) -> None:
        for notice in notices:
            await record_station_notice(uow, ctx.station_id, notice)
        record_variable_values(uow, ctx.station_id, values)

    await ctx.commit(store)
    ctx.log.info("ocpp.device_model.events", events=len(notices), seq_no=payload["seqNo"])
    return {}


async def on_notify_monitoring_report(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """One part of the monitors report answering our GetMonitoringReport (N02)."""
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.MONITORING_REPORT,
            payload,
            timestamp=charger_time(ctx, payload["generatedAt"], "generatedAt"),
            request_id=payload["requestId"],
        ),
    )
    return {}


async def on_notify_customer_information(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """One part of the customer data answering our CustomerInformation request (N09/N10)."""
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.CUSTOMER_INFORMATION,
            payload,
            timestamp=charger_time(ctx, payload["generatedAt"], "generatedAt"),
            request_id=payload["requestId"],
        ),
    )
    return {}
