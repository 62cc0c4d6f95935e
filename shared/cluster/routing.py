"""`RoutedCommandService`: commands stored in the `commands` table and routed to the node
that holds the station's websocket (DESIGN.md "Commands").

- the station is held by this node → the local executor (`csms/commands.py`) runs it;
- on SQLite there is one node: a station this node does not hold is not connected;
- on PostgreSQL, a station held by another live node → the command row is inserted and that
  node is NOTIFYed in the same transaction (payload: ids only); it claims the row, sends the
  call, writes the result and NOTIFYs us back. Every node also claims its pending rows on a
  timer (`shared/cluster/upkeep.py`) and when its listener (re)connects, so a lost
  notification only delays a command;
- otherwise (unknown station, offline, its node stopped) the command fails at once.

Results reach waiters through `CommandFinished` on the local bus (published after the result
commits, relayed from other nodes), the "done" notification, or — at the latest — a re-read
of the row every `[node] command_poll_seconds`.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

import orjson
from sqlalchemy import text

from shared.cluster.listener import PgListener, channel_name
from shared.cluster.nodes import stale_after
from shared.commands import AnswerWriter, Claimed, LocalExecutor, Triage
from shared.config import Settings
from shared.domain.commands import (
    Command,
    CommandRecord,
    CommandResult,
    CommandStatus,
    next_status,
)
from shared.events import CommandFinished, EventBus, TransactionStarted
from shared.logging import get_logger
from shared.store.command_effects import (
    apply_command_effects,
    link_started_transaction,
    prepare_command,
)
from shared.store.commands import (
    StaleCommandError,
    StationRoute,
    claim_pending,
    finish_command,
    get_command,
    insert_command,
    list_commands,
    mark_sent,
    station_route,
    unfinished_commands,
)
from shared.store.database import Database
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter

__all__ = ["RoutedCommandService"]

log = get_logger(__name__)

T = TypeVar("T")
P = TypeVar("P")


class RoutedCommandService:
    """`CommandService` over the `commands` table, routed to the node holding the station."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        writer: BatchWriter,
        bus: EventBus,
        node_id: str,
    ) -> None:
        self._settings = settings
        self._database = database
        self._writer = writer
        self._bus = bus
        self.node_id = node_id
        self._single_node = database.is_sqlite
        self._channel = channel_name("commands", settings.database)
        self._executor: LocalExecutor | None = None
        self._waiters: dict[str, set[asyncio.Event]] = {}
        bus.subscribe(CommandFinished, self._on_finished)
        bus.subscribe(TransactionStarted, self._on_transaction_started)

    # --- wiring --------------------------------------------------------------------------

    def attach_executor(self, executor: LocalExecutor) -> None:
        self._executor = executor

    def attach_listener(self, listener: PgListener) -> None:
        """Take command notifications; claim what is pending after every (re)connection."""
        listener.add_channel(self._channel, self._on_notification)
        listener.on_connect(self.wake_executor)

    async def start(self) -> None:
        """Fail what a previous run of this node left unfinished (its calls are gone)."""
        await self.fail_unfinished(
            "the node restarted before the command was answered",
            target_node=None if self._single_node else self.node_id,
        )

    async def aclose(self) -> None:
        """Release whoever still waits (they read the row as it stands)."""
        for events in self._waiters.values():
            for event in events:
                event.set()

    # --- the public API ------------------------------------------------------------------

    async def submit(
        self,
        station_id: str,
        command: Command,
        requested_by: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (the answer timeout, not ours)
    ) -> CommandRecord:
        """See `CommandService.submit`."""
        timeout_s = timeout if timeout is not None else self._settings.ocpp.call_timeout
        if timeout_s <= 0:
            raise ValueError("timeout must be positive")

        async def store(uow: UnitOfWork) -> CommandRecord:
            route = await station_route(uow.conn, station_id)
            target, failure = self._route(station_id, route, uow.now)
            record = CommandRecord(
                id=str(uuid.uuid4()),
                station_id=station_id,
                kind=command.kind,
                status=CommandStatus.PENDING,
                request=command,
                requested_by=requested_by,
                created_at=uow.now,
                origin_node=self.node_id,
                target_node=target,
                timeout_s=timeout_s,
            )
            if failure is not None:
                record = _finished(record, CommandStatus.FAILED, failure, uow.now)
            else:
                prepared = await prepare_command(uow, station_id, command, requested_by)
                record = replace(record, request=prepared)
            await insert_command(uow, record)
            if target is not None and target != self.node_id:
                await self._notify(uow, "run", record.id, target)
            return record

        record = await self._transact(store)
        log.info(
            "command.submitted",
            command_id=record.id,
            station_id=station_id,
            kind=command.kind,
            status=record.status.value,
            target_node=record.target_node,
            requested_by=requested_by,
        )
        if record.status is CommandStatus.PENDING and record.target_node == self.node_id:
            self.wake_executor([record.id])
        return record

    async def execute(
        self,
        station_id: str,
        command: Command,
        requested_by: str,
        timeout: float | None = None,  # noqa: ASYNC109 (the answer timeout, not ours)
    ) -> CommandRecord:
        """See `CommandService.execute`."""
        record = await self.submit(station_id, command, requested_by, timeout=timeout)
        if record.finished:
            return record
        # Routing slack: a lost notification waits for the next poll of the owner.
        slack = 2 * self._settings.node.command_poll_seconds + 5.0
        found = await self.wait(record.id, record.timeout_s + slack)
        return found or record

    async def wait(self, command_id: str, timeout: float) -> CommandRecord | None:  # noqa: ASYNC109
        """See `CommandService.wait`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        poll = self._settings.node.command_poll_seconds
        event = asyncio.Event()
        self._waiters.setdefault(command_id, set()).add(event)
        try:
            while True:
                event.clear()
                record = await self.get(command_id)
                remaining = deadline - loop.time()
                if record is None or record.finished or remaining <= 0:
                    return record
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, poll))
        finally:
            events = self._waiters.get(command_id)
            if events is not None:
                events.discard(event)
                if not events:
                    del self._waiters[command_id]

    async def get(self, command_id: str) -> CommandRecord | None:
        async with self._database.read() as conn:
            return await get_command(conn, command_id)

    async def list(
        self, station_id: str | None = None, limit: int = 100
    ) -> builtins.list[CommandRecord]:
        async with self._database.read() as conn:
            return await list_commands(conn, station_id, limit)

    # --- for the executor ----------------------------------------------------------------

    async def claim(
        self, command_ids: Collection[str] | None, triage: Triage[P]
    ) -> builtins.list[Claimed[P]]:
        """Claim pending commands addressed to this node: each becomes sent (returned, for
        the executor to send) or failed (what `triage` said), in one transaction."""

        async def claim_rows(uow: UnitOfWork) -> builtins.list[Claimed[P]]:
            claimed: builtins.list[Claimed[P]] = []
            for record in await claim_pending(uow, self.node_id, command_ids):
                decision = await triage(uow, record)
                if isinstance(decision, CommandResult):
                    await self._finish(uow, record, decision, None)
                    continue
                action, plan = decision
                claimed.append(Claimed(await mark_sent(uow, record, action), action, plan))
            return claimed

        return await self._transact(claim_rows)

    async def complete(
        self,
        record: CommandRecord,
        result: CommandResult,
        answer_writer: AnswerWriter | None = None,
    ) -> CommandRecord:
        """Store the charger's answer (and what it means for the device model, profiles,
        reservations, transactions); emits CommandFinished and tells the asking node."""

        async def store(uow: UnitOfWork) -> CommandRecord:
            finished = await self._finish(uow, record, result, None)
            if answer_writer is not None:
                await answer_writer(uow)
            return finished

        try:
            finished = await self._transact(store)
        except StaleCommandError:
            log.warning("command.finish.stale", command_id=record.id)
            return record
        log.info(
            "command.finished",
            command_id=record.id,
            station_id=record.station_id,
            kind=record.kind,
            status=finished.status.value,
            reason=finished.error,
        )
        return finished

    # --- internals -----------------------------------------------------------------------

    def _route(
        self, station_id: str, route: StationRoute, now: datetime
    ) -> tuple[str | None, str | None]:
        """(target node, None) or (None, why it cannot be sent)."""
        if not route.known:
            return None, f"station {station_id} is unknown"
        held = self._executor is not None and self._executor.holds(station_id)
        if held and (self._single_node or route.node_id == self.node_id):
            return self.node_id, None
        offline = f"station {station_id} is not connected"
        if self._single_node or not route.connected or route.node_id in (None, self.node_id):
            return None, offline
        if not self._node_alive(route.node_heartbeat_at, now):
            return None, f"{offline} (its node {route.node_id} stopped)"
        return route.node_id, None

    def _node_alive(self, heartbeat_at: datetime | None, now: datetime) -> bool:
        return heartbeat_at is not None and heartbeat_at >= now - self._stale_after()

    def _stale_after(self) -> timedelta:
        return stale_after(self._settings.node.heartbeat_seconds)

    async def _finish(
        self,
        uow: UnitOfWork,
        record: CommandRecord,
        result: CommandResult,
        ocpp_action: str | None,
    ) -> CommandRecord:
        finished = await finish_command(uow, record, result, ocpp_action)
        await apply_command_effects(uow, finished)
        origin = finished.origin_node
        if not self._single_node and origin is not None and origin != self.node_id:
            await self._notify(uow, "done", finished.id, origin)
        return finished

    async def _transact(self, use_case: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """SQLite: through the group-commit writer (one writer at a time). PostgreSQL: a
        transaction of its own, because it may NOTIFY, and a NOTIFYing transaction takes a
        global lock at commit that hot writes must not wait for (PITFALLS)."""
        if self._single_node:
            return await self._writer.run(use_case)
        async with self._database.begin() as conn:
            uow = UnitOfWork(conn, self._bus)
            result = await use_case(uow)
            await uow.flush()
        self._bus.publish(uow.events)
        return result

    async def _notify(self, uow: UnitOfWork, op: str, command_id: str, node: str) -> None:
        payload = orjson.dumps({"op": op, "id": command_id, "to": node}).decode()
        await uow.conn.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": self._channel, "payload": payload},
        )

    def _on_notification(self, payload: str) -> None:
        try:
            message = orjson.loads(payload)
            op, command_id, node = message["op"], message["id"], message["to"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("command.notification.invalid", payload=payload[:200])
            return
        if node != self.node_id:
            return
        if op == "run":
            self.wake_executor([command_id])
        elif op == "done":
            self._wake_waiter(command_id)

    def wake_executor(self, command_ids: Collection[str] = ()) -> None:
        """Ask the local executor to claim these (or all) pending commands of this node."""
        if self._executor is not None:
            self._executor.wake(command_ids)

    def _wake_waiter(self, command_id: str) -> None:
        for event in self._waiters.get(command_id, ()):
            event.set()

    def _on_finished(self, event: CommandFinished) -> None:
        self._wake_waiter(event.command_id)

    async def _on_transaction_started(self, event: TransactionStarted) -> None:
        # Only the node holding the station links (relayed copies arrive everywhere).
        if self._executor is None or not self._executor.holds(event.station_id):
            return

        async def link(uow: UnitOfWork) -> str | None:
            return await link_started_transaction(uow, event.transaction_id)

        command_id = await self._writer.run(link)
        if command_id is not None:
            log.info(
                "command.remote_start.linked",
                command_id=command_id,
                transaction_id=event.transaction_id,
            )

    async def fail_unfinished(
        self,
        reason: str,
        *,
        target_node: str | None = None,
        live_nodes: Collection[str] | None = None,
        created_before: datetime | None = None,
    ) -> None:
        """Fail unfinished commands: addressed to `target_node`, or (with `live_nodes`) to a
        node not among them; only those created before `created_before`, when given."""

        async def fail(uow: UnitOfWork) -> int:
            orphans = await unfinished_commands(
                uow, target_node=target_node, live_nodes=live_nodes, created_before=created_before
            )
            for record in orphans:
                await self._finish(
                    uow, record, CommandResult(CommandStatus.FAILED, None, reason), None
                )
            return len(orphans)

        count = await self._transact(fail)
        if count:
            log.warning("command.orphans.failed", count=count, reason=reason)


def _finished(
    record: CommandRecord, status: CommandStatus, reason: str, now: datetime
) -> CommandRecord:
    return replace(
        record, status=next_status(record.status, status), error=reason, completed_at=now
    )
