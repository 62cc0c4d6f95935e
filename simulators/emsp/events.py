"""Everything the simulated eMSP received, in order, and a way to wait for it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .wire import utc_now

__all__ = ["EmspEvent", "EventLog", "Predicate"]


@dataclass(frozen=True, slots=True)
class EmspEvent:
    """One request the CPO sent us (or one thing we did, `direction` "out").

    `module` is the OCPI module, `method` the HTTP method, `path` the object path after the
    module (e.g. ``SE/LDP/LOC1/EVSE-1``), `body` the parsed JSON, `status_code` the OCPI
    status we answered with, `problems` what was wrong with this request.
    """

    seq: int
    module: str
    method: str
    path: str
    body: Any
    status_code: int
    problems: tuple[str, ...] = ()
    direction: str = "in"
    at: datetime = field(default_factory=utc_now)

    @property
    def segments(self) -> list[str]:
        return [part for part in self.path.split("/") if part]

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "direction": self.direction,
            "module": self.module,
            "method": self.method,
            "path": self.path,
            "status_code": self.status_code,
            "problems": list(self.problems),
            "body": self.body,
            "at": self.at,
        }


Predicate = Callable[[EmspEvent], bool]


class EventLog:
    """An append-only list of events with `wait_for(predicate)`."""

    def __init__(self, on_event: Callable[[EmspEvent], None] | None = None) -> None:
        self.events: list[EmspEvent] = []
        self._waiters: list[tuple[Predicate, asyncio.Future[EmspEvent]]] = []
        self._on_event = on_event

    def add(self, **fields: Any) -> EmspEvent:
        """Append an event built from `fields` and wake the waiters it satisfies."""
        event = EmspEvent(seq=len(self.events) + 1, **fields)
        self.events.append(event)
        if self._on_event is not None:
            self._on_event(event)
        remaining = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            if predicate(event):
                future.set_result(event)
            else:
                remaining.append((predicate, future))
        self._waiters = remaining
        return event

    def find(self, predicate: Predicate) -> list[EmspEvent]:
        return [event for event in self.events if predicate(event)]

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest event (0 when there is none)."""
        return len(self.events)

    async def wait_for(
        self, predicate: Predicate, within: float = 10.0, *, since: int = 0
    ) -> EmspEvent:
        """The first event after sequence number `since` matching `predicate`, past or
        future. Raises `TimeoutError` after `within` seconds."""
        for event in self.events[since:]:
            if predicate(event):
                return event
        future: asyncio.Future[EmspEvent] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            async with asyncio.timeout(within):
                return await future
        finally:
            if not future.done():
                future.cancel()
            with contextlib.suppress(ValueError):
                self._waiters.remove((predicate, future))
