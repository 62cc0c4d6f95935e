"""Vendor-specific DataTransfer: vendorId → handler, per node.

A charger's DataTransfer (1.6 §4.3, 2.0.1 P01) carries a `vendorId`, an optional
`messageId` and free data. Without a handler for the vendor the CSMS answers
`UnknownVendorId` (1.6 §4.3; 2.0.1 P01.FR.06). With one, the handler decides:

.. code-block:: python

    async def on_acme(request: DataTransferRequest) -> DataTransferReply:
        if request.message_id != "Ping":
            return DataTransferReply(DataTransferStatus.UNKNOWN_MESSAGE_ID)
        return DataTransferReply(DataTransferStatus.ACCEPTED, data="pong")

    services.data_transfer.register("com.acme", on_acme)

Handlers run on the station's read loop before the message is stored, outside the batch
transaction (vendor logic must never hold up the group commit), bounded by the registry's
timeout. A handler that fails or overruns is logged and the charger gets `Rejected`; every
DataTransfer is stored as a station event either way, with the answer given.

vendorId is matched case-insensitively: 1.6 types it CiString255.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import structlog

from csms.context import StationContext
from shared.store.station_events import StationEventKind
from shared.store.uow import UnitOfWork
from shared.usecases.station_reports import StationNotice, record_station_notice

__all__ = [
    "DataTransferRegistry",
    "DataTransferReply",
    "DataTransferRequest",
    "DataTransferStatus",
    "VendorHandler",
    "handle_data_transfer",
    "registry_of",
]


class DataTransferStatus(StrEnum):
    """DataTransferStatus (1.6) / DataTransferStatusEnumType (2.0.1): the same four values."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    UNKNOWN_MESSAGE_ID = "UnknownMessageId"
    UNKNOWN_VENDOR_ID = "UnknownVendorId"


@dataclass(frozen=True, slots=True)
class DataTransferRequest:
    """A DataTransfer a station sent. `data` is a string in 1.6, any JSON value in 2.0.1."""

    station_id: str
    ocpp_version: str
    vendor_id: str
    message_id: str | None
    data: Any = None


@dataclass(frozen=True, slots=True)
class DataTransferReply:
    """The answer: a status, optional data (1.6: a string) and, for 2.0.1, a reason code."""

    status: DataTransferStatus
    data: Any = None
    reason: str | None = None


VendorHandler = Callable[[DataTransferRequest], Awaitable[DataTransferReply]]


class DataTransferRegistry:
    """The vendor handlers of one node."""

    def __init__(self, timeout_s: float = 10.0) -> None:
        self.timeout_s = timeout_s
        self._handlers: dict[str, VendorHandler] = {}

    def register(self, vendor_id: str, handler: VendorHandler) -> None:
        """Handle DataTransfers of `vendor_id`; raises ValueError if one is registered."""
        key = vendor_id.casefold()
        if key in self._handlers:
            raise ValueError(f"a DataTransfer handler for vendor {vendor_id!r} is registered")
        self._handlers[key] = handler

    def unregister(self, vendor_id: str) -> None:
        """Stop handling `vendor_id` (no error if it was not handled)."""
        self._handlers.pop(vendor_id.casefold(), None)

    def handler_for(self, vendor_id: str) -> VendorHandler | None:
        return self._handlers.get(vendor_id.casefold())

    def __contains__(self, vendor_id: object) -> bool:
        return isinstance(vendor_id, str) and vendor_id.casefold() in self._handlers

    async def handle(
        self, request: DataTransferRequest, log: structlog.typing.FilteringBoundLogger
    ) -> DataTransferReply:
        """Run the vendor's handler; UnknownVendorId without one, Rejected if it fails."""
        handler = self.handler_for(request.vendor_id)
        if handler is None:
            return DataTransferReply(DataTransferStatus.UNKNOWN_VENDOR_ID)
        try:
            async with asyncio.timeout(self.timeout_s):
                reply = await handler(request)
        except TimeoutError:
            log.error("ocpp.data_transfer.timeout", vendor_id=request.vendor_id)
            return DataTransferReply(DataTransferStatus.REJECTED, reason="Timeout")
        except Exception:
            log.exception("ocpp.data_transfer.failed", vendor_id=request.vendor_id)
            return DataTransferReply(DataTransferStatus.REJECTED, reason="InternalError")
        if not isinstance(reply, DataTransferReply):
            log.error("ocpp.data_transfer.bad_reply", vendor_id=request.vendor_id)
            return DataTransferReply(DataTransferStatus.REJECTED, reason="InternalError")
        return reply


_NO_VENDORS = DataTransferRegistry()


def registry_of(services: object) -> DataTransferRegistry:
    """The node's registry (`CsmsServices.data_transfer`), or an empty one.

    Until `CsmsServices` carries the field, every node answers UnknownVendorId; the empty
    fallback is never registered into (it is module-private).
    """
    registry = getattr(services, "data_transfer", None)
    return registry if isinstance(registry, DataTransferRegistry) else _NO_VENDORS


async def handle_data_transfer(
    ctx: StationContext, request: DataTransferRequest
) -> DataTransferReply:
    """Answer a station's DataTransfer through the node's registry and store it, with the
    answer, as a `data_transfer` station event."""
    reply = await registry_of(ctx.services).handle(request, ctx.log)
    notice = StationNotice(
        kind=StationEventKind.DATA_TRANSFER,
        data={
            "vendorId": request.vendor_id,
            "messageId": request.message_id,
            "data": request.data,
            "answer": {"status": reply.status.value, "data": reply.data, "reason": reply.reason},
        },
        status=reply.status.value,
    )

    async def store(uow: UnitOfWork) -> None:
        await record_station_notice(uow, ctx.station_id, notice)

    await ctx.commit(store)
    ctx.log.info(
        "ocpp.data_transfer",
        vendor_id=request.vendor_id,
        message_id=request.message_id,
        status=reply.status.value,
    )
    return reply
