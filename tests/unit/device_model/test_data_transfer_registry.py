"""The DataTransfer vendor registry: lookup, duplicates, failures and overruns."""

from __future__ import annotations

import asyncio

import pytest
import structlog

from csms.data_transfer import (
    DataTransferRegistry,
    DataTransferReply,
    DataTransferRequest,
    DataTransferStatus,
    registry_of,
)

LOG = structlog.get_logger("test")


def _request(vendor: str, message: str | None = None) -> DataTransferRequest:
    return DataTransferRequest("CS-1", "2.0.1", vendor, message, data=None)


async def _accept(request: DataTransferRequest) -> DataTransferReply:
    return DataTransferReply(DataTransferStatus.ACCEPTED, data=request.message_id)


async def test_unknown_vendor_and_case_insensitive_match() -> None:
    registry = DataTransferRegistry()
    assert (await registry.handle(_request("com.acme"), LOG)).status is (
        DataTransferStatus.UNKNOWN_VENDOR_ID
    )
    registry.register("com.Acme", _accept)
    assert "COM.ACME" in registry
    reply = await registry.handle(_request("com.acme", "Hi"), LOG)
    assert (reply.status, reply.data) == (DataTransferStatus.ACCEPTED, "Hi")
    registry.unregister("COM.acme")
    assert registry.handler_for("com.acme") is None


def test_a_vendor_is_registered_once() -> None:
    registry = DataTransferRegistry()
    registry.register("v", _accept)
    with pytest.raises(ValueError, match="registered"):
        registry.register("V", _accept)


async def test_failing_or_slow_handlers_are_rejected() -> None:
    release = asyncio.Event()

    async def slow(_: DataTransferRequest) -> DataTransferReply:
        await release.wait()
        return DataTransferReply(DataTransferStatus.ACCEPTED)

    async def broken(_: DataTransferRequest) -> DataTransferReply:
        raise KeyError("oops")

    async def wrong(_: DataTransferRequest) -> DataTransferReply:
        return "Accepted"  # type: ignore[return-value]

    registry = DataTransferRegistry(timeout_s=0.05)
    registry.register("slow", slow)
    registry.register("broken", broken)
    registry.register("wrong", wrong)
    replies = [await registry.handle(_request(v), LOG) for v in ("slow", "broken", "wrong")]
    assert [(r.status, r.reason) for r in replies] == [
        (DataTransferStatus.REJECTED, "Timeout"),
        (DataTransferStatus.REJECTED, "InternalError"),
        (DataTransferStatus.REJECTED, "InternalError"),
    ]


def test_registry_of_services() -> None:
    class Services:
        data_transfer = DataTransferRegistry()

    assert registry_of(Services()) is Services.data_transfer
    fallback = registry_of(object())
    assert isinstance(fallback, DataTransferRegistry)
    assert "anything" not in fallback
