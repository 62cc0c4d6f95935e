"""Pushing to partners through the outbox (DESIGN.md): the supervisor of the push workers.

`PushSupervisor` runs one `PartnerPusher` per registered partner, as a task it owns. It
looks at the partners every `refresh_interval` seconds (new registrations, new tokens or
endpoints, partners that left) and wakes the workers whenever a change that writes outbox
rows is committed (or relayed from another node), so a status change goes out at once.

A slow or dead partner only holds its own worker: each has its own cursor, its own
bounded concurrency and a time limit per request; nothing on the OCPP side waits for a
push (the rows were committed with the change).

On PostgreSQL several nodes may run; each partner is pushed by one node at a time, the one
holding its advisory lock (`pg_try_advisory_lock`, on one connection per node, released
when that connection goes). SQLite has one node.

Old rows every partner has passed are pruned once a day (`retention`); CDR rows stay (they
hold the partners' `Location` answers).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpi_gateway.client import OcpiClient
from ocpi_gateway.push_delivery import PartnerLink, PushSource
from ocpi_gateway.push_worker import PartnerPusher, PushSettings, PushStats
from ocpi_gateway.services import OcpiServices
from shared.billing.costs import SessionCostChanged
from shared.domain.partners import Partner, PartnerStatus
from shared.events import (
    CdrCreated,
    ConnectorStatusChanged,
    EventBus,
    LocationChanged,
    StationConnected,
    StationDisconnected,
    TariffChanged,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)
from shared.logging import get_logger
from shared.store.outbox import drop_push_state, get_push_state, prune_outbox
from shared.store.partners import get_secrets, list_partners
from shared.store.tables import partner_push_state
from shared.store.uow import UnitOfWork

__all__ = ["PushSettings", "PushStats", "PushSupervisor"]

log = get_logger("laddpunkt.ocpi.push")

#: Events whose transaction may have written outbox rows.
WAKING_EVENTS: tuple[type[Any], ...] = (
    ConnectorStatusChanged,
    StationConnected,
    StationDisconnected,
    TransactionStarted,
    TransactionUpdated,
    SessionCostChanged,
    TransactionEnded,
    CdrCreated,
    LocationChanged,
    TariffChanged,
)
#: Advisory locks are per database, not per schema: the first key names the schema too,
#: so deployments (or test runs) sharing a database in different schemas do not collide.
_LOCK_SPACE = "hashtext(current_schema() || '/ocpi.push')"


@dataclass(slots=True)
class _Running:
    pusher: PartnerPusher
    task: asyncio.Task[None]


class _Leases:
    """Which partners this node may push to (PostgreSQL advisory locks)."""

    def __init__(self, services: OcpiServices) -> None:
        self._database = services.database
        self._conn: AsyncConnection | None = None
        self._held: set[int] = set()

    async def acquire(self, partner_id: int) -> bool:
        """Take the partner's lock if no other node holds it (callers serialise)."""
        if self._database.is_sqlite or partner_id in self._held:
            return True
        if self._conn is None:
            self._conn = await self._database.engine.connect()
        locked = (
            await self._conn.execute(
                text(f"SELECT pg_try_advisory_lock({_LOCK_SPACE}, :b)"), {"b": partner_id}
            )
        ).scalar()
        await self._conn.commit()
        if locked:
            self._held.add(partner_id)
        return bool(locked)

    async def release(self, partner_id: int) -> None:
        if partner_id not in self._held or self._conn is None:
            return
        self._held.discard(partner_id)
        await self._conn.execute(
            text(f"SELECT pg_advisory_unlock({_LOCK_SPACE}, :b)"), {"b": partner_id}
        )
        await self._conn.commit()

    async def alive(self) -> bool:
        """False when the lock connection broke (every lock is gone with it)."""
        if self._conn is None:
            return True
        try:
            await self._conn.execute(text("SELECT 1"))
            await self._conn.commit()
        except Exception:
            await self.close()
            return False
        return True

    async def close(self) -> None:
        self._held.clear()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None


class PushSupervisor:
    """Runs the push workers. `install(bus)`, `start()`, then `aclose()` at shutdown."""

    def __init__(
        self,
        services: OcpiServices,
        source: PushSource,
        *,
        settings: PushSettings | None = None,
        client: OcpiClient | None = None,
        refresh_interval: float = 2.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._services = services
        self._source = source
        self.settings = settings or PushSettings(timeout=services.settings.ocpi.push_timeout)
        self._client = client or OcpiClient(timeout=self.settings.timeout)
        self._own_client = client is None
        self._refresh_interval = refresh_interval
        self._retention = retention
        self._running: dict[int, _Running] = {}
        self._leases = _Leases(services)
        self._task: asyncio.Task[None] | None = None
        # One refresh at a time: the lease connection and the worker table are shared.
        self._refreshing = asyncio.Lock()
        self._last_prune = datetime.min.replace(tzinfo=UTC)

    def install(self, bus: EventBus) -> None:
        """Wake the workers after every commit that may have written outbox rows."""
        for event_type in WAKING_EVENTS:
            bus.subscribe(event_type, self._on_event)

    def _on_event(self, _event: object) -> None:
        self.wake()

    def wake(self) -> None:
        """Tell every worker to look at the outbox now."""
        for running in self._running.values():
            running.pusher.wake()

    def stats(self) -> dict[int, PushStats]:
        """Each running worker's counters, by partner id."""
        return {pid: running.pusher.stats for pid, running in self._running.items()}

    def pusher(self, partner_id: int) -> PartnerPusher | None:
        running = self._running.get(partner_id)
        return running.pusher if running is not None else None

    async def start(self) -> None:
        """Start the workers of the registered partners, then keep them in step."""
        if self._own_client:
            await self._client.start()
        await self.refresh()
        self._task = asyncio.create_task(self._loop(), name="ocpi.push.supervisor")

    async def aclose(self) -> None:
        """Stop every worker (a push in flight is abandoned; its row stays unsent)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task})
            self._task = None
        async with self._refreshing:
            for partner_id in list(self._running):
                await self._stop(partner_id)
            await self._leases.close()
        if self._own_client:
            await self._client.aclose()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_interval)
            try:
                async with self._refreshing:
                    if not await self._leases.alive():
                        for partner_id in list(self._running):
                            await self._stop(partner_id)
                await self.refresh()
                await self._prune()
            except Exception:
                log.exception("ocpi.push.refresh_failed")

    async def refresh(self) -> None:
        """Start, update or stop workers to match the registered partners."""
        async with self._refreshing:
            await self._refresh()

    async def _refresh(self) -> None:
        async with self._services.database.read() as conn:
            everyone = await list_partners(conn)
            partners = [p for p in everyone if p.status is PartnerStatus.REGISTERED]
            tokens = {p.id: (await get_secrets(conn, p.id)).outgoing_token for p in partners}
            gone = [p.id for p in everyone if p.status is not PartnerStatus.REGISTERED]
            gone = [pid for pid in gone if await get_push_state(conn, pid) is not None]
        wanted = {p.id: p for p in partners if tokens.get(p.id)}
        for partner_id in list(self._running):
            if partner_id not in wanted:
                await self._stop(partner_id)
        if gone:  # after their workers stopped, so no cursor is written back
            await self._services.writer.run(lambda uow: drop_push_state(uow, gone))
        for partner_id, partner in wanted.items():
            link = PartnerLink(partner, str(tokens[partner_id]), partner.outgoing_token_base64)
            running = self._running.get(partner_id)
            if running is not None:
                if _changed(running.pusher.link, link):
                    running.pusher.update(link)
            elif await self._leases.acquire(partner_id):
                self._start(link)

    def _start(self, link: PartnerLink) -> None:
        pusher = PartnerPusher(link, self._services, self._source, self._client, self.settings)
        task = asyncio.create_task(pusher.run(), name=f"ocpi.push.partner.{link.partner.id}")
        self._running[link.partner.id] = _Running(pusher, task)
        log.info("ocpi.push.worker_started", partner=link.partner.id)

    async def _stop(self, partner_id: int) -> None:
        running = self._running.pop(partner_id, None)
        if running is not None:
            running.task.cancel()
            # asyncio.wait, not `await task`: our own cancellation must not be swallowed.
            await asyncio.wait({running.task})
        await self._leases.release(partner_id)

    async def _prune(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_prune < timedelta(days=1):
            return
        self._last_prune = now
        async with self._services.database.read() as conn:
            below = (
                await conn.execute(select(func.min(partner_push_state.c.last_outbox_id)))
            ).scalar()
        if below is None:
            return
        older_than = now - self._retention

        async def prune(uow: UnitOfWork) -> int:
            return await prune_outbox(uow, int(below), older_than)

        deleted = await self._services.writer.run(prune)
        log.info("ocpi.push.pruned", rows=deleted)


def _changed(old: PartnerLink, new: PartnerLink) -> bool:
    return (
        old.token != new.token
        or old.base64 != new.base64
        or _shape(old.partner) != _shape(new.partner)
    )


def _shape(partner: Partner) -> tuple[Any, ...]:
    return (partner.endpoints, partner.roles, partner.replay_missed, partner.versions_url)
