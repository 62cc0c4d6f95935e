"""Functional block B, device model reports: NotifyReport (B07 Get Base Report, B08 Get
Custom Report).

A report answers our GetBaseReport/GetReport and may come in parts: the same `requestId`,
`seqNo` counting from 0, `tbc` (to be continued) true on every part but the last. Each part
is stored as it arrives, so nothing waits for the whole report and a lost connection loses
no part already answered.
"""

from __future__ import annotations

from typing import Any

from csms.common import charger_time
from csms.context import StationContext
from csms.v201.mapping import report_variables
from shared.store.uow import UnitOfWork
from shared.usecases.station_reports import DeviceModelReportPart, record_device_model_report

__all__ = ["on_notify_report"]


async def on_notify_report(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    part = DeviceModelReportPart(
        request_id=payload["requestId"],
        seq_no=payload["seqNo"],
        tbc=payload.get("tbc", False),
        generated_at=charger_time(ctx, payload["generatedAt"], "generatedAt"),
        variables=report_variables(payload.get("reportData") or []),
    )

    async def store(uow: UnitOfWork) -> int:
        return await record_device_model_report(uow, ctx.station_id, part)

    written = await ctx.commit(store)
    ctx.log.info(
        "ocpp.device_model.report",
        request_id=part.request_id,
        seq_no=part.seq_no,
        tbc=part.tbc,
        attributes=written,
    )
    return {}
