"""DataTransfer from a 1.6 charge point (OCPP 1.6 §4.3): vendor handlers, else UnknownVendorId."""

from __future__ import annotations

from typing import Any

import orjson

from csms.context import StationContext
from csms.data_transfer import DataTransferRequest, handle_data_transfer

__all__ = ["on_data_transfer"]


async def on_data_transfer(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    request = DataTransferRequest(
        station_id=ctx.station_id,
        ocpp_version="1.6",
        vendor_id=payload["vendorId"],
        message_id=payload.get("messageId"),
        data=payload.get("data"),
    )
    reply = await handle_data_transfer(ctx, request)
    answer: dict[str, Any] = {"status": reply.status.value}
    if reply.data is not None:
        # 1.6 types `data` as a string: other JSON values are sent in their JSON spelling.
        answer["data"] = (
            reply.data if isinstance(reply.data, str) else orjson.dumps(reply.data).decode()
        )
    return answer
