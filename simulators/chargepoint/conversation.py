"""One connection's dialogue with the CSMS: boot if needed, then the outbox, in order.

OCPP-J allows one outstanding CALL per direction (OCPP-J 1.6 §4.1.1, 2.0.1 part 4 §4.1.1),
so the conversation sends the head of the outbox, waits for its answer, and only then
goes on. Transaction messages that fail are retried MessageAttempts times, the n-th time after
n × MessageAttemptInterval seconds (1.6 §4.8 TransactionMessageAttempts/RetryInterval,
2.0.1 E04); other messages are given up at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from ocpp.exceptions import OCPPError, UnknownCallErrorCodeError

from . import keys as k
from .outbox import Failure, Outgoing

if TYPE_CHECKING:
    from .dialect import ChargePointLike
    from .station import Station

__all__ = ["Conversation", "RebootNow"]

_log = logging.getLogger(__name__)
_CALL_FAILURES = (OCPPError, UnknownCallErrorCodeError, TimeoutError)


class RebootNow(Exception):
    """Raised out of the conversation when the outbox reaches a reboot barrier."""


def _honour_cancellation() -> None:
    """Raise CancelledError if this task was cancelled but the cancellation got lost.

    Python 3.11's `asyncio.wait_for` (which the library's `call()` uses) returns the result
    instead of raising when the cancellation and the answer arrive together; the task would
    then carry on and never stop.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class Conversation:
    """What one station says over one connection."""

    def __init__(self, station: Station, cp: ChargePointLike) -> None:
        self._station = station
        self._cp = cp

    async def run(self) -> None:
        """Boot (after a reboot), then send the outbox until cancelled or a reboot."""
        station = self._station
        if station.needs_boot or station.config.boot_on_reconnect:
            await self._boot()
        station.came_online()
        while True:
            item = await station.outbox.head()
            if item.build is None:
                station.outbox.pop(item)
                raise RebootNow
            await self._exchange(item)

    async def _boot(self) -> None:
        """BootNotification until Accepted, waiting the interval the CSMS gives (B02/B03)."""
        station = self._station
        while True:
            station.boot_trigger.clear()
            payload = station.dialect.boot_notification(station.boot_reason)
            try:
                result = await self._cp.call(payload, False)
            except _CALL_FAILURES as exc:
                _honour_cancellation()
                station.report_error("boot_failed", exc)
                await self._wait_boot_retry(station.config.boot_retry_default)
                continue
            _honour_cancellation()
            station.stats.messages_sent += 1
            answer = station.dialect.parse_boot(result)
            if station.boot_answered(answer):
                return
            await self._wait_boot_retry(answer.interval or station.config.boot_retry_default)

    async def _wait_boot_retry(self, delay: float) -> None:
        """Sleep `delay` seconds, or until the CSMS triggers a BootNotification."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._station.boot_trigger.wait()

    async def _exchange(self, item: Outgoing) -> None:
        """Send the head of the outbox and hand its answer to the sender."""
        station = self._station
        payload = item.build() if item.build is not None else None
        if payload is None:  # the message lost its reason to exist (e.g. an unknown tx id)
            station.outbox.pop(item)
            return
        try:
            result = await self._cp.call(payload, False)
        except _CALL_FAILURES as exc:
            _honour_cancellation()
            station.stats.messages_sent += 1
            failure = Failure.TIMEOUT if isinstance(exc, TimeoutError) else Failure.CALL_ERROR
            await self._retry_or_drop(item, failure, exc)
            return
        _honour_cancellation()
        station.stats.messages_sent += 1
        station.outbox.pop(item)
        if item.on_result is not None:
            try:
                item.on_result(result)
            except Exception as exc:
                _log.exception("sim.result.failed station_id=%s", station.station_id)
                station.report_error("result_handling_failed", exc)

    async def _retry_or_drop(self, item: Outgoing, failure: Failure, exc: Exception) -> None:
        station = self._station
        item.attempts += 1
        station.report_error(f"call_{failure.value}", exc)
        attempts = station.device_model.integer(k.K_MESSAGE_ATTEMPTS)
        if item.transactional and item.attempts < attempts:
            interval = station.device_model.integer(k.K_MESSAGE_INTERVAL)
            await asyncio.sleep(interval * item.attempts)
            return
        station.outbox.pop(item)
        item.fail(failure)
