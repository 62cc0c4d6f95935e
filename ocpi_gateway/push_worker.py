"""One partner's push worker: its cursor in the outbox, its deliveries, its recovery.

The worker reads the outbox after its cursor (`partner_push_state.last_outbox_id`), plans
the pushes (`push_plan.plan`), sends them with at most `concurrency` objects in flight, and
moves the cursor past what it handled. It sleeps until woken (a committed change) or
`poll_interval` passes, so a status change is pushed as soon as it is committed.

Ids are allocated before commit, so with several writers a smaller id can commit after a
larger one. A gap in the ids is therefore waited for (`gap_grace`) before the cursor passes
it; a gap older than that was a rolled-back transaction.

When the partner does not answer (`Outcome.DOWN`) the worker stops where it is: the cursor
stays before the first push that did not go out, and `failing_since` is stored. It then
retries with exponential backoff, first with a GET of the partner's versions endpoint.
Once the partner answers, it sends the current state of every object it missed, once
(`push_plan.replay_plan`), when the partner wants that (`partners.replay_missed`); stale
PATCHes are never sent. Otherwise the missed rows are skipped: the partner re-syncs by GET
(transport_and_format, *Offline behaviour*).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ocpi_gateway.client import OcpiClient
from ocpi_gateway.errors import PartnerCallError
from ocpi_gateway.push_delivery import Deliverer, Outcome, PartnerLink, PushSource
from ocpi_gateway.push_plan import PushTarget, plan, replay_plan
from ocpi_gateway.services import OcpiServices
from shared.logging import get_logger
from shared.store.outbox import (
    OutboxEntry,
    PushState,
    ensure_push_state,
    entries_after,
    last_outbox_id,
    save_push_state,
)

__all__ = ["PartnerPusher", "PushSettings", "PushStats"]

log = get_logger("laddpunkt.ocpi.push")


@dataclass(frozen=True, slots=True)
class PushSettings:
    """How the push workers behave."""

    timeout: float = 10.0  # per request ([ocpi] push_timeout)
    concurrency: int = 4  # objects in flight per partner
    batch: int = 500  # outbox rows read at a time
    gap_grace: float = 2.0  # seconds a gap in the ids is waited for
    poll_interval: float = 5.0  # look at the outbox at least this often
    retry_min: float = 2.0  # first retry of a partner that stopped answering
    retry_max: float = 300.0


@dataclass(slots=True)
class PushStats:
    """Counters of one partner's worker."""

    delivered: int = 0
    skipped: int = 0
    rejected: int = 0
    failures: int = 0
    replayed: int = 0
    recoveries: int = 0
    cursor: int = 0
    failing_since: datetime | None = None
    last_error: str | None = None


@dataclass(slots=True)
class _Batch:
    """How a batch went: the rows it covered, the ones that must be tried again."""

    last_id: int
    retry_from: int | None = None
    error: str | None = None
    down: bool = False
    counts: dict[Outcome, int] = field(default_factory=dict)


class PartnerPusher:
    """Pushes the outbox to one partner. `run()` until cancelled; `wake()` on changes."""

    def __init__(
        self,
        link: PartnerLink,
        services: OcpiServices,
        source: PushSource,
        client: OcpiClient,
        settings: PushSettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.link = link
        self._services = services
        self._client = client
        self._settings = settings
        self._clock = clock
        self._deliverer = Deliverer(link, services, source, client, settings.timeout)
        self._wakeup = asyncio.Event()
        self._gaps: dict[int, float] = {}
        self._retry_delay = settings.retry_min
        self._retry_at = 0.0
        self.stats = PushStats()
        self.cursor = 0
        self.failing_since: datetime | None = None

    @property
    def partner_id(self) -> int:
        return self.link.partner.id

    def wake(self) -> None:
        """Something was committed: look at the outbox now."""
        self._wakeup.set()

    def update(self, link: PartnerLink) -> None:
        """New partner data (endpoints, token); a failing partner is retried at once."""
        link.session_periods = self.link.session_periods
        link.evse_status = self.link.evse_status
        self.link = link
        self._deliverer.link = link
        self._retry_at = 0.0
        self.wake()

    async def run(self) -> None:
        """Deliver until cancelled."""
        partner_id = self.partner_id
        # Rows written since the partner registered are its to receive, even those written
        # before this worker started.
        since = self.link.partner.updated_at
        state = await self._services.writer.run(
            lambda uow: ensure_push_state(uow, partner_id, since)
        )
        self.cursor = state.last_outbox_id
        self.failing_since = state.failing_since
        if self.failing_since is not None:
            self._retry_at = self._clock()
        while True:
            try:
                busy = await (self._recover() if self.failing_since else self._deliver_new())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("ocpi.push.worker_failed", partner=partner_id)
                busy = False
            if not busy:
                await self._sleep()

    async def _sleep(self) -> None:
        timeout = self._settings.poll_interval
        if self.failing_since is not None:
            timeout = max(0.0, self._retry_at - self._clock())
        elif self._gaps:
            timeout = min(timeout, self._settings.gap_grace / 2)
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
        # arrives as the event fires, and the worker would never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wakeup.wait()
        self._wakeup.clear()

    # --- normal delivery ----------------------------------------------------------------

    def _usable(self, rows: list[OutboxEntry]) -> list[OutboxEntry]:
        """The rows up to the first gap that may still fill (see module doc)."""
        now = self._clock()
        for passed in [start for start in self._gaps if start <= self.cursor]:
            del self._gaps[passed]  # filled in, or passed since
        usable: list[OutboxEntry] = []
        expected = self.cursor + 1
        for row in rows:
            if row.id > expected:
                first_seen = self._gaps.setdefault(expected, now)
                if now - first_seen < self._settings.gap_grace:
                    break
                self._gaps.pop(expected, None)
            usable.append(row)
            expected = row.id + 1
        return usable

    def _wanted(self, row: OutboxEntry) -> bool:
        if row.partner_id not in (None, self.partner_id):
            return False
        return self.link.partner.endpoint(row.module.value, "RECEIVER") is not None

    async def _deliver_new(self) -> bool:
        """Deliver the next batch; True when there may be more to do at once."""
        async with self._services.database.read() as conn:
            rows = await entries_after(conn, self.cursor, None, limit=self._settings.batch)
        usable = self._usable(rows)
        if not usable:
            return False
        mine = [row for row in usable if self._wanted(row)]
        batch = await self._send(plan(mine), replay=False)
        batch.last_id = usable[-1].id
        await self._finish(batch)
        return not batch.down and len(rows) == self._settings.batch

    async def _send(self, groups: list[list[PushTarget]], *, replay: bool) -> _Batch:
        batch = _Batch(last_id=self.cursor)
        semaphore = asyncio.Semaphore(self._settings.concurrency)

        async def group_task(group: list[PushTarget]) -> None:
            async with semaphore:
                for index, target in enumerate(group):
                    if batch.down:
                        self._retry(batch, group[index:])
                        return
                    outcome = await self._deliverer.deliver(target, replay=replay)
                    batch.counts[outcome] = batch.counts.get(outcome, 0) + 1
                    if outcome is Outcome.DOWN:
                        batch.down = True
                        batch.error = f"{target.module.value} {target.object_id}: no answer"
                        self._retry(batch, group[index:])
                        return

        await asyncio.gather(*(group_task(group) for group in groups))
        self._count(batch)
        return batch

    @staticmethod
    def _retry(batch: _Batch, targets: list[PushTarget]) -> None:
        first = min(target.first_id for target in targets)
        batch.retry_from = first if batch.retry_from is None else min(batch.retry_from, first)

    def _count(self, batch: _Batch) -> None:
        self.stats.delivered += batch.counts.get(Outcome.DELIVERED, 0)
        self.stats.skipped += batch.counts.get(Outcome.SKIPPED, 0)
        self.stats.rejected += batch.counts.get(Outcome.REJECTED, 0)

    async def _finish(self, batch: _Batch) -> None:
        if batch.down:
            # Stop before the first push that did not go out; recover later.
            self.cursor = max(self.cursor, (batch.retry_from or batch.last_id + 1) - 1)
            self._fail(batch.error or "no answer")
        else:
            self.cursor = max(self.cursor, batch.last_id)
        await self._save()

    def _fail(self, error: str) -> None:
        now = datetime.now(UTC)
        if self.failing_since is None:
            self.failing_since = now
            self._retry_delay = self._settings.retry_min
            log.warning("ocpi.push.partner_down", partner=self.partner_id, error=error)
        else:
            self._retry_delay = min(self._retry_delay * 2, self._settings.retry_max)
        self._retry_at = self._clock() + self._retry_delay
        self.stats.failures += 1
        self.stats.last_error = error

    async def _save(self) -> None:
        state = PushState(self.partner_id, self.cursor, self.failing_since, self.stats.last_error)
        await self._services.writer.run(lambda uow: save_push_state(uow, state))
        self.stats.cursor = self.cursor
        self.stats.failing_since = self.failing_since

    # --- recovery -----------------------------------------------------------------------

    async def _probe(self) -> str | None:
        """GET the partner's versions endpoint; the error, or None when it answers."""
        url = self.link.partner.versions_url
        if not url:
            return None
        try:
            await self._client.call(
                "GET",
                url,
                self.link.token,
                base64=self.link.base64,
                time_limit=self._settings.timeout,
            )
        except PartnerCallError as error:
            return error.message
        return None

    async def _missed(self, up_to: int) -> list[OutboxEntry]:
        missed: list[OutboxEntry] = []
        after = self.cursor
        while after < up_to:
            async with self._services.database.read() as conn:
                rows = await entries_after(
                    conn, after, self.partner_id, limit=self._settings.batch, up_to=up_to
                )
            if not rows:
                break
            missed += [row for row in rows if self._wanted(row)]
            after = rows[-1].id
        return missed

    async def _recover(self) -> bool:
        """Try the partner again once its retry time has come; True when it is back."""
        if self._clock() < self._retry_at:
            return False
        error = await self._probe()
        if error is not None:
            self._fail(error)
            await self._save()
            return False
        async with self._services.database.read() as conn:
            up_to = await last_outbox_id(conn)
        replayed = 0
        if self.link.partner.replay_missed:
            groups = replay_plan(await self._missed(up_to))
            batch = await self._send(groups, replay=True)
            if batch.down:
                self._fail(batch.error or "no answer")
                await self._save()
                return False
            replayed = batch.counts.get(Outcome.DELIVERED, 0)
        self.stats.replayed += replayed
        self.stats.recoveries += 1
        log.info(
            "ocpi.push.partner_back",
            partner=self.partner_id,
            down_since=self.failing_since.isoformat() if self.failing_since else None,
            replayed=replayed,
            replay=self.link.partner.replay_missed,
        )
        self.cursor = max(self.cursor, up_to)
        self.failing_since = None
        self.stats.last_error = None
        self._gaps.clear()
        await self._save()
        return True
