"""The unit of work a use case runs in: one database transaction, deferred bulk writes, and
the domain events to publish once it commits.

Use cases are plain async functions `async def f(uow: UnitOfWork, ...) -> T`. They read and
write through `uow.conn` (awaited, immediate) or `uow.defer(statement, params)` (collected and
executed as one `executemany` per statement when the unit of work is flushed — the cheap path
for hot facts such as meter values, heartbeats and status changes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events import DomainEvent, EventBus
from shared.store.fast_executemany import fast_statement

__all__ = ["UnitOfWork"]


class UnitOfWork:
    """One transaction's worth of work, possibly shared by several use cases (group commit)."""

    __slots__ = ("_bus", "_deferred", "conn", "events", "now")

    def __init__(self, conn: AsyncConnection, bus: EventBus | None, now: datetime | None = None):
        self.conn = conn
        self.now = now or datetime.now(UTC)
        self.events: list[DomainEvent] = []
        self._bus = bus
        self._deferred: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}

    def defer(self, statement: Executable, params: dict[str, Any]) -> None:
        """Queue `statement` with `params`; all queued rows of one statement run as one
        executemany at flush, statements in the order they were first deferred."""
        entry = self._deferred.get(id(statement))
        if entry is None:
            self._deferred[id(statement)] = (statement, [params])
        else:
            entry[1].append(params)

    def defer_many(self, statement: Executable, rows: list[dict[str, Any]]) -> None:
        """Queue many rows for one statement."""
        if not rows:
            return
        entry = self._deferred.get(id(statement))
        if entry is None:
            self._deferred[id(statement)] = (statement, list(rows))
        else:
            entry[1].extend(rows)

    def emit(self, event: DomainEvent) -> None:
        """Publish `event` after commit; in-transaction writers see it at flush."""
        self.events.append(event)

    async def flush(self) -> None:
        """Run transactional writers for the events so far, then the deferred statements."""
        if self._bus is not None:
            seen = 0
            while seen < len(self.events):  # writers may emit events of their own
                event = self.events[seen]
                seen += 1
                for writer in self._bus.transactional_writers(type(event)):
                    await writer(self, event)
        deferred, self._deferred = self._deferred, {}
        dialect = self.conn.dialect.name
        if dialect == "sqlite":
            await self._flush_sqlite(deferred)
        elif dialect == "postgresql" and self.conn.dialect.driver == "asyncpg":
            await self._flush_asyncpg(deferred)
        else:
            for statement, rows in deferred.values():
                await self.conn.execute(statement, rows)

    async def _flush_sqlite(
        self, deferred: dict[int, tuple[Executable, list[dict[str, Any]]]]
    ) -> None:
        # The inline SQLite driver runs on this thread: hand the rows to the DB-API cursor
        # directly (shared/store/fast_executemany.py), in the order they were deferred.
        raw = await self.conn.get_raw_connection()
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            for statement, rows in deferred.values():
                for run in _runs_of_same_shape(rows):
                    fast = fast_statement(statement, self.conn.dialect, run[0])
                    if fast is None:
                        await self.conn.execute(statement, run)
                    else:
                        cursor.executemany(fast.sql, fast.rows(run))
        finally:
            cursor.close()

    async def _flush_asyncpg(
        self, deferred: dict[int, tuple[Executable, list[dict[str, Any]]]]
    ) -> None:
        # asyncpg's own executemany (pipelined, prepared once) on the connection SQLAlchemy
        # holds. SQLAlchemy starts its asyncpg transaction lazily, at the first statement:
        # one through SQLAlchemy comes first, so the rows cannot land outside it.
        raw = await self.conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        if not driver.is_in_transaction():
            await self.conn.exec_driver_sql("SELECT 1")
        for statement, rows in deferred.values():
            for run in _runs_of_same_shape(rows):
                fast = fast_statement(statement, self.conn.dialect, run[0])
                if fast is None:
                    await self.conn.execute(statement, run)
                else:
                    await driver.executemany(fast.sql, fast.rows(run))


def _runs_of_same_shape(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive rows with the same keys, in order (order matters for upserts)."""
    runs: list[list[dict[str, Any]]] = []
    shape: tuple[str, ...] | None = None
    for row in rows:
        keys = tuple(row)
        if keys != shape:
            runs.append([])
            shape = keys
        runs[-1].append(row)
    return runs
