"""A real database, a store writer and the outbox writers installed on its bus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from shared.events import LocalEventBus
from shared.store.database import Database
from shared.store.outbox import OutboxEntry, entries_after
from shared.store.outbox_writers import OutboxWriters
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter


@dataclass
class Harness:
    database: Database
    bus: LocalEventBus
    writer: BatchWriter
    writers: OutboxWriters

    async def run(self, use_case: Any) -> Any:
        return await self.writer.run(use_case)

    async def rows(self, partner_id: int = 0) -> list[OutboxEntry]:
        async with self.database.read() as conn:
            return await entries_after(conn, 0, partner_id, limit=10_000)


@pytest.fixture
async def harness(database: Database) -> AsyncIterator[Harness]:
    bus = LocalEventBus()
    writer = BatchWriter(database, bus)
    writers = OutboxWriters(database)
    writers.install(bus)
    writer.start()
    try:
        yield Harness(database, bus, writer, writers)
    finally:
        await writer.aclose()
        await bus.aclose()


__all__ = ["Harness", "UnitOfWork"]
