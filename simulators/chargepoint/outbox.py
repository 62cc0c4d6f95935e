"""Messages waiting to go to the CSMS, in order, surviving connection losses.

Transaction-related messages (1.6 StartTransaction / StopTransaction / transaction
MeterValues; 2.0.1 TransactionEvent) are queued while the station is offline and delivered
in order after it reconnects (OCPP 1.6 §4.8 / 3.18; 2.0.1 E04, "offline behaviour"); anything
else is only worth sending now, so it is dropped when the link goes down. The queue lives in
memory, as a charger's flash would keep it across a reboot of the application.
"""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .evse import Transaction

__all__ = ["Failure", "Outbox", "Outgoing"]


class Failure(enum.Enum):
    """Why a message got no CALLRESULT."""

    OFFLINE = "offline"  # the station was (or went) offline before it was sent
    CALL_ERROR = "call_error"  # the CSMS answered with a CALLERROR
    TIMEOUT = "timeout"  # no answer within the response timeout
    INVALID = "invalid"  # the payload failed schema validation (a simulator bug)


@dataclass(slots=True, eq=False)
class Outgoing:
    """One CALL to make.

    `build` makes the payload (an `ocpp` call dataclass) when it is sent, so that a 1.6 stop
    can carry the transaction id its queued start received; it returns None when the
    message no longer makes sense (it is then dropped). `transaction` marks the message
    as transaction-related, which keeps it queued across outages. An item with no `build`
    is a barrier: the sender acts on it (a reboot) once everything before it went out.
    An `urgent` item jumps the queue.
    """

    build: Callable[[], Any] | None
    on_result: Callable[[Any], None] | None = None
    on_failure: Callable[[Failure], None] | None = None
    transaction: Transaction | None = None
    urgent: bool = False
    attempts: int = 0

    @classmethod
    def ready(cls, payload: Any) -> Outgoing:
        """A message whose payload is already built."""
        return cls(build=lambda: payload)

    @property
    def transactional(self) -> bool:
        """Whether the message must survive an outage."""
        return self.transaction is not None

    def fail(self, failure: Failure) -> None:
        """Tell the sender's callback the message is given up."""
        if self.on_failure is not None:
            self.on_failure(failure)


class Outbox:
    """A FIFO of `Outgoing` with an awaitable head."""

    __slots__ = ("_items", "_ready")

    def __init__(self) -> None:
        self._items: deque[Outgoing] = deque()
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: Outgoing) -> None:
        """Queue `item` behind everything already queued."""
        self._items.append(item)
        self._ready.set()

    def put_front(self, item: Outgoing) -> None:
        """Queue `item` ahead of everything else (a barrier that must not wait)."""
        self._items.appendleft(item)
        self._ready.set()

    async def head(self) -> Outgoing:
        """The oldest item, waiting for one if the queue is empty (it stays queued)."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        return self._items[0]

    def pop(self, item: Outgoing) -> None:
        """Remove `item`, which must be the head."""
        if self._items and self._items[0] is item:
            self._items.popleft()

    def drop_volatile(self) -> None:
        """Forget every message that is not transaction-related, failing it as OFFLINE."""
        kept: deque[Outgoing] = deque()
        dropped: list[Outgoing] = []
        for item in self._items:
            (kept if item.transactional or item.build is None else dropped).append(item)
        self._items = kept
        for item in dropped:
            item.fail(Failure.OFFLINE)

    def pending_for(self, transaction_id: str | None = None) -> bool:
        """Whether transaction-related messages (of the transaction the CSMS knows as
        `transaction_id`, or of any) wait here."""
        return any(
            item.transaction is not None
            and (transaction_id is None or item.transaction.transaction_id == transaction_id)
            for item in self._items
        )
