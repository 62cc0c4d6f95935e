"""Domain events and the event bus.

Events are published by the store *after* the transaction that caused them commits. Two kinds
of subscriber exist:

- after-commit subscribers (`subscribe`): OCPI push worker wake-ups, load management, CLI
  followers. They run on the event loop and must not block it.
- in-transaction writers (`add_transactional_writer`): run inside the very transaction that
  emitted the event, before it commits, so that what must be written with the change (the
  OCPI outbox row) commits or rolls back with it. They may only add deferred writes.

`EventBus` is the interface; `LocalEventBus` delivers in-process. A PostgreSQL LISTEN/NOTIFY
bus fills the same interface for several nodes.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from shared.logging import get_logger

if TYPE_CHECKING:
    from shared.store.uow import UnitOfWork

__all__ = [
    "CdrCreated",
    "CommandFinished",
    "ConnectorStatusChanged",
    "DomainEvent",
    "EventBus",
    "EventHandler",
    "LocalEventBus",
    "LocationChanged",
    "StationBooted",
    "StationConnected",
    "StationDisconnected",
    "TariffChanged",
    "TokenChanged",
    "TransactionEnded",
    "TransactionStarted",
    "TransactionUpdated",
    "TransactionalWriter",
]

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Base of all domain events; `at` is when the change happened (UTC)."""

    at: datetime


@dataclass(frozen=True, slots=True)
class StationConnected(DomainEvent):
    station_id: str
    node_id: str
    ocpp_version: str


@dataclass(frozen=True, slots=True)
class StationDisconnected(DomainEvent):
    station_id: str
    node_id: str


@dataclass(frozen=True, slots=True)
class StationBooted(DomainEvent):
    station_id: str
    registration_status: str


@dataclass(frozen=True, slots=True)
class ConnectorStatusChanged(DomainEvent):
    station_id: str
    evse_id: int
    connector_id: int
    status: str
    previous_status: str | None
    evse_status: str


@dataclass(frozen=True, slots=True)
class TransactionStarted(DomainEvent):
    transaction_id: int
    station_id: str
    evse_id: int
    connector_id: int
    id_token: str | None


@dataclass(frozen=True, slots=True)
class TransactionUpdated(DomainEvent):
    transaction_id: int
    station_id: str
    energy_wh: float


@dataclass(frozen=True, slots=True)
class TransactionEnded(DomainEvent):
    transaction_id: int
    station_id: str
    energy_wh: float
    stop_reason: str | None


@dataclass(frozen=True, slots=True)
class CdrCreated(DomainEvent):
    cdr_id: str
    transaction_id: int | None


@dataclass(frozen=True, slots=True)
class CommandFinished(DomainEvent):
    command_id: str
    station_id: str
    status: str


@dataclass(frozen=True, slots=True)
class TokenChanged(DomainEvent):
    source: str
    id_token: str


@dataclass(frozen=True, slots=True)
class LocationChanged(DomainEvent):
    location_id: str
    fields: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class TariffChanged(DomainEvent):
    tariff_id: str
    deleted: bool = False


E = TypeVar("E", bound=DomainEvent)
EventHandler = Callable[[Any], Awaitable[None] | None]
TransactionalWriter = Callable[["UnitOfWork", Any], Awaitable[None]]


class EventBus(Protocol):
    """Where committed domain events go."""

    def subscribe(self, event_type: type[E], handler: Callable[[E], Any]) -> None: ...

    def add_transactional_writer(
        self, event_type: type[E], writer: Callable[[UnitOfWork, E], Awaitable[None]]
    ) -> None: ...

    def transactional_writers(self, event_type: type[DomainEvent]) -> list[TransactionalWriter]: ...

    def publish(self, events: list[DomainEvent]) -> None: ...


class LocalEventBus:
    """In-process delivery. Handlers that return awaitables run as tasks the bus owns."""

    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[EventHandler]] = defaultdict(list)
        self._writers: dict[type[DomainEvent], list[TransactionalWriter]] = defaultdict(list)
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, event_type: type[E], handler: Callable[[E], Any]) -> None:
        self._handlers[event_type].append(handler)

    def add_transactional_writer(
        self, event_type: type[E], writer: Callable[[UnitOfWork, E], Awaitable[None]]
    ) -> None:
        self._writers[event_type].append(writer)

    def transactional_writers(self, event_type: type[DomainEvent]) -> list[TransactionalWriter]:
        return self._writers.get(event_type, [])

    def publish(self, events: list[DomainEvent]) -> None:
        for event in events:
            for handler in self._handlers.get(type(event), ()):
                try:
                    result = handler(event)
                except Exception:
                    log.exception("events.handler.failed", event_type=type(event).__name__)
                    continue
                if result is not None:
                    task: asyncio.Task[None] = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("events.handler.failed", error=repr(task.exception()))

    async def aclose(self) -> None:
        """Cancel and await handler tasks still running."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
