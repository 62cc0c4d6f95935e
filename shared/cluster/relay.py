"""Domain events across nodes: what one node publishes, every node's subscribers see.

Coarse events (`RELAYED_EVENTS`) published on this node's bus are queued, and a flusher
NOTIFYs them in batches on the events channel — after their commit and in a statement of
its own, never inside the transaction that caused them (a NOTIFYing transaction takes a
global lock at commit; PITFALLS "PostgreSQL LISTEN/NOTIFY"). Each notification stays under
the 8000-byte payload limit. Other nodes decode the events and publish them on their local
bus; a node skips its own notifications, and events it re-publishes are not relayed again.

Events are wake-ups, not the record: what they announce is in the database. An event lost
while a listener reconnects delays a subscriber until its next look at the store.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Iterator

import orjson
from sqlalchemy import text

from shared.cluster.codec import CodecError, decode_dataclass, encode_dataclass
from shared.cluster.listener import PgListener, channel_name
from shared.events import (
    CdrCreated,
    CommandFinished,
    ConnectorStatusChanged,
    DomainEvent,
    LocalEventBus,
    StationBooted,
    StationConnected,
    StationDisconnected,
    TransactionEnded,
    TransactionStarted,
)
from shared.logging import get_logger
from shared.store.database import Database

__all__ = ["MAX_PAYLOAD_BYTES", "RELAYED_EVENTS", "EventRelay", "event_types"]

log = get_logger(__name__)

#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep room for the envelope.
MAX_PAYLOAD_BYTES = 7900

RELAYED_EVENTS: tuple[type[DomainEvent], ...] = (
    StationConnected,
    StationDisconnected,
    StationBooted,
    ConnectorStatusChanged,
    TransactionStarted,
    TransactionEnded,
    CommandFinished,
    CdrCreated,
)

_BATCH_WINDOW_S = 0.01  # gather what else is published right after the first event


def event_types() -> dict[str, type[DomainEvent]]:
    """Every DomainEvent subclass known in this process, by class name."""
    found: dict[str, type[DomainEvent]] = {}
    pending = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        found.setdefault(cls.__name__, cls)
        pending.extend(cls.__subclasses__())
    return found


class EventRelay:
    """Relays `event_types` between this node's bus and the other nodes' buses."""

    def __init__(
        self,
        bus: LocalEventBus,
        database: Database,
        listener: PgListener,
        node_id: str,
        relayed: Iterable[type[DomainEvent]] = RELAYED_EVENTS,
    ) -> None:
        self._bus = bus
        self._database = database
        self._node_id = node_id
        self._channel = channel_name("events", database.settings)
        self._queue: list[DomainEvent] = []
        self._ready = asyncio.Event()
        self._republishing = False
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.received = 0
        for event_type in relayed:
            bus.subscribe(event_type, self._outgoing)
        listener.add_channel(self._channel, self._incoming)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._flush_loop(), name="cluster.relay")

    async def aclose(self) -> None:
        """Send what is queued, then stop."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await self._flush()

    def _outgoing(self, event: DomainEvent) -> None:
        if self._republishing:  # came from another node: it has already been relayed
            return
        self._queue.append(event)
        self._ready.set()

    async def _flush_loop(self) -> None:
        while True:
            await self._ready.wait()
            await asyncio.sleep(_BATCH_WINDOW_S)
            self._ready.clear()
            try:
                await self._flush()
            except Exception:
                log.exception("cluster.relay.notify_failed")

    async def _flush(self) -> None:
        events, self._queue = self._queue, []
        if not events:
            return
        payloads = list(self._payloads(events))
        async with self._database.begin() as conn:
            for payload in payloads:
                await conn.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": self._channel, "payload": payload},
                )
        self.sent += len(events)

    def _payloads(self, events: list[DomainEvent]) -> Iterator[str]:
        head = orjson.dumps(self._node_id).decode()
        parts: list[str] = []
        size = 0
        for event in events:
            part = orjson.dumps([type(event).__name__, encode_dataclass(event)]).decode()
            if len(part.encode()) + len(head) + 16 > MAX_PAYLOAD_BYTES:
                log.warning("cluster.relay.event_too_large", event_type=type(event).__name__)
                continue
            if parts and size + len(part.encode()) + len(head) + 16 > MAX_PAYLOAD_BYTES:
                yield f'{{"n":{head},"e":[{",".join(parts)}]}}'
                parts, size = [], 0
            parts.append(part)
            size += len(part.encode()) + 1
        if parts:
            yield f'{{"n":{head},"e":[{",".join(parts)}]}}'

    def _incoming(self, payload: str) -> None:
        try:
            message = orjson.loads(payload)
            node, items = message["n"], message["e"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("cluster.relay.invalid", payload=payload[:200])
            return
        if node == self._node_id:
            return
        known = event_types()
        events: list[DomainEvent] = []
        for name, data in items:
            cls = known.get(name)
            if cls is None:
                log.warning("cluster.relay.unknown_event", event_type=name)
                continue
            try:
                events.append(decode_dataclass(cls, data))
            except CodecError as exc:
                log.warning("cluster.relay.undecodable", event_type=name, error=str(exc))
        self.received += len(events)
        self._republishing = True
        try:
            self._bus.publish(events)
        finally:
            self._republishing = False
