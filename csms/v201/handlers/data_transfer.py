"""Functional block P, DataTransfer (P02: a station's vendor-specific message)."""

from __future__ import annotations

from typing import Any

from csms.context import StationContext
from csms.data_transfer import DataTransferRequest, handle_data_transfer

__all__ = ["on_data_transfer"]


async def on_data_transfer(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    request = DataTransferRequest(
        station_id=ctx.station_id,
        ocpp_version="2.0.1",
        vendor_id=payload["vendorId"],
        message_id=payload.get("messageId"),
        data=payload.get("data"),
    )
    reply = await handle_data_transfer(ctx, request)
    answer: dict[str, Any] = {"status": reply.status.value}
    if reply.data is not None:
        answer["data"] = reply.data
    if reply.reason is not None:
        answer["statusInfo"] = {"reasonCode": reply.reason}
    return answer
