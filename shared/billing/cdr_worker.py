"""The durable CDR worker: every finished session gets its CDR, even across a crash.

`CdrWorker` listens (after commit) to `TransactionEnded` and issues the session's CDR
(`shared.billing.issuing`); at start-up and every `scan_interval` seconds it also looks for
completed transactions that have no CDR, so a crash between the end of a session and its
CDR never loses one. A session we closed ourselves (the charger started another one on
its connector, PITFALLS #6) waits `settle_seconds` for its real stop; scans retry it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

from shared.billing.cdrs import CdrIssuer
from shared.billing.issuing import SETTLE_SECONDS, issue_cdr
from shared.events import EventBus, TransactionEnded
from shared.logging import get_logger
from shared.store.cdrs import (
    StoredCdr,
    highest_transaction_id,
    lowest_active_transaction,
    transactions_without_cdr,
)
from shared.store.database import Database
from shared.store.writer import BatchWriter

__all__ = ["CdrWorker"]

log = get_logger(__name__)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CdrWorker:
    """Issues the CDR of every finished session. `start()`, then `aclose()` at shutdown."""

    def __init__(
        self,
        database: Database,
        writer: BatchWriter,
        bus: EventBus,
        issuer: CdrIssuer,
        *,
        scan_interval: float = 300.0,
        batch: int = 100,
        settle_seconds: float = SETTLE_SECONDS,
        clock: Clock = _utc_now,
    ) -> None:
        self._database = database
        self._writer = writer
        self._bus = bus
        self.issuer = issuer
        self._scan_interval = scan_interval
        self._batch = batch
        self._settle_seconds = settle_seconds
        self.clock = clock
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._subscribed = False
        self._floor = 0  # every completed transaction below this id has a CDR
        self.issued = 0

    def start(self) -> None:
        """Subscribe to ended sessions and start issuing (a scan comes first)."""
        if not self._subscribed:
            self._subscribed = True
            self._bus.subscribe(TransactionEnded, self._on_ended)
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="billing.cdr_worker")

    async def aclose(self) -> None:
        """Stop; a session whose CDR was not issued yet is found by the next start's scan."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _on_ended(self, event: TransactionEnded) -> None:
        self._queue.put_nowait(event.transaction_id)

    async def _loop(self) -> None:
        await self._scan_logged()
        while True:
            try:
                transaction_id = await asyncio.wait_for(self._queue.get(), self._scan_interval)
            except TimeoutError:
                await self._scan_logged()
                continue
            await self._issue_logged(transaction_id)

    async def _scan_logged(self) -> None:
        try:
            await self.scan()
        except Exception:
            log.exception("billing.cdr.scan_failed")

    async def _issue_logged(self, transaction_id: int) -> StoredCdr | None:
        try:
            return await self.issue(transaction_id)
        except Exception:
            # Left for the next scan (the transaction still has no CDR).
            log.exception("billing.cdr.failed", transaction_id=transaction_id)
            return None

    async def issue(self, transaction_id: int) -> StoredCdr | None:
        """Issue the CDR of `transaction_id` now (see `issue_cdr`)."""
        cdr = await issue_cdr(
            self._database,
            self._writer,
            transaction_id,
            self.issuer,
            issued_at=self.clock(),
            settle_seconds=self._settle_seconds,
        )
        if cdr is not None:
            self.issued += 1
        return cdr

    async def scan(self) -> list[str]:
        """Issue the CDRs missing for completed transactions; the ids issued."""
        async with self._database.read() as conn:
            ceiling = await highest_transaction_id(conn) + 1
            lowest_active = await lowest_active_transaction(conn)
        issued: list[str] = []
        failed: list[int] = []
        after = self._floor - 1
        while True:
            async with self._database.read() as conn:
                missing = await transactions_without_cdr(conn, after_id=after, limit=self._batch)
            for transaction_id in missing:
                cdr = await self._issue_logged(transaction_id)
                if cdr is None:
                    failed.append(transaction_id)
                else:
                    issued.append(cdr.id)
            if len(missing) < self._batch:
                break
            after = missing[-1]
        self._floor = min([ceiling, *failed, *([lowest_active] if lowest_active else [])])
        if issued:
            log.info("billing.cdr.scan_issued", count=len(issued))
        return issued
