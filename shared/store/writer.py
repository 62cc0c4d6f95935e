"""Group commit: one writer task turns many callers' use cases into one transaction.

A caller awaits `writer.run(use_case)`; the writer gathers what is queued (up to
`max_batch`), runs each use case in order inside one transaction, flushes the deferred bulk
writes, commits, and only then resolves every caller's future and publishes the events. So a
charger's answer still goes out only after what it reported is durably stored, while the cost
of a commit (an fsync, a round trip) is shared by the whole batch.

If the batch transaction fails, each use case is retried alone in its own transaction so one
bad message cannot fail the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Executable
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events import DomainEvent, EventBus
from shared.logging import get_logger
from shared.store.database import Database
from shared.store.uow import UnitOfWork

__all__ = ["BatchWriter", "UseCase", "WriterClosedError"]

T = TypeVar("T")
UseCase = Callable[[UnitOfWork], Awaitable[T]]

log = get_logger(__name__)


class WriterClosedError(RuntimeError):
    """The writer is shutting down and takes no more work."""


@dataclass(slots=True)
class _Job(Generic[T]):
    use_case: UseCase[T]
    future: asyncio.Future[T]
    result: Any = None
    events: list[DomainEvent] = field(default_factory=list)


class BatchWriter:
    """Owns the write path of one process. Start with `start()`, stop with `aclose()`."""

    def __init__(
        self,
        database: Database,
        bus: EventBus | None,
        max_batch: int = 500,
        window_s: float = 0.0,
    ) -> None:
        self._database = database
        self._bus = bus
        self._max_batch = max_batch
        self._window_s = window_s
        # Jobs in arrival order (None: stop); a plain deque, drained in C, and a future the
        # loop waits on while it is empty (asyncio.Queue costs a few µs per job).
        self._queue: deque[_Job[Any] | None] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._background: list[tuple[Executable, dict[str, Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: AsyncConnection | None = None
        self._closed = False
        self.batches = 0
        self.jobs = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="store.writer")

    async def run(self, use_case: UseCase[T]) -> T:
        """Run `use_case` in the next batch; returns its result once committed."""
        if self._closed:
            raise WriterClosedError("the store writer is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._push(_Job(use_case, future))
        return await future

    def write_soon(self, statement: Executable, params: dict[str, Any]) -> None:
        """Add a row to the next batch without waiting for it (logs of what we sent)."""
        self._background.append((statement, params))
        if not self._queue:
            self._push(_Job(_noop, asyncio.get_running_loop().create_future()))

    def _push(self, job: _Job[Any] | None) -> None:
        self._queue.append(job)
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)

    async def _next(self) -> _Job[Any] | None:
        while not self._queue:
            self._wakeup = asyncio.get_running_loop().create_future()
            try:
                await self._wakeup
            finally:
                self._wakeup = None
        return self._queue.popleft()

    async def _loop(self) -> None:
        queue = self._queue
        while True:
            first = await self._next()
            if first is None:
                break
            if self._window_s > 0:
                # Let other stations' messages join this commit: a commit costs about the
                # same for one message as for hundreds.
                await asyncio.sleep(self._window_s)
            batch = [first]
            stop = False
            while queue and len(batch) < self._max_batch:
                job = queue.popleft()
                if job is None:
                    stop = True
                    break
                batch.append(job)
            await self._commit_batch(batch)
            if stop:
                break

    async def _commit_batch(self, batch: list[_Job[Any]]) -> None:
        background, self._background = self._background, []
        try:
            events = await self._execute(batch, background)
        except Exception as exc:
            if len(batch) == 1 and not background:
                _fail(batch[0], exc)
                return
            log.warning("store.batch.retrying_alone", size=len(batch), error=repr(exc))
            for job in batch:
                try:
                    events = await self._execute([job], [])
                except Exception as job_exc:
                    _fail(job, job_exc)
                else:
                    self._finish([job], events)
            if background:
                with contextlib.suppress(Exception):
                    await self._execute([], background)
            return
        self._finish(batch, events)

    async def _connection(self) -> AsyncConnection:
        # The writer keeps one connection for its life: no pool checkout, pre-ping or
        # reset per batch (together they cost more CPU than a small batch itself).
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = await self._database.write_connection()
        return self._conn

    async def _execute(
        self, batch: list[_Job[Any]], background: list[tuple[Executable, dict[str, Any]]]
    ) -> list[DomainEvent]:
        conn = await self._connection()
        try:
            async with conn.begin():
                uow = UnitOfWork(conn, self._bus)
                for job in batch:
                    before = len(uow.events)
                    job.result = await job.use_case(uow)
                    job.events = uow.events[before:]
                for statement, params in background:
                    uow.defer(statement, params)
                await uow.flush()
                return uow.events
        except (OSError, DBAPIError) as exc:
            if isinstance(exc, OSError) or exc.connection_invalidated:
                await self._drop_connection()
            raise

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    def _finish(self, batch: list[_Job[Any]], events: list[DomainEvent]) -> None:
        self.batches += 1
        self.jobs += len(batch)
        for job in batch:
            if not job.future.done():
                job.future.set_result(job.result)
        if events and self._bus is not None:
            self._bus.publish(events)

    async def aclose(self) -> None:
        """Finish what is queued, then stop. Later `run()` calls raise WriterClosedError."""
        self._closed = True
        if self._task is None:
            return
        self._push(None)
        await self._task
        self._task = None
        if self._background:
            await self._commit_batch([])
        await self._drop_connection()


async def _noop(_uow: UnitOfWork) -> None:
    return None


def _fail(job: _Job[Any], exc: BaseException) -> None:
    if not job.future.done():
        job.future.set_exception(exc)
