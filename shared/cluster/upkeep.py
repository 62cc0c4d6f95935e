"""Routing upkeep on PostgreSQL: every `[node] command_poll_seconds`, claim the commands
addressed to this node (a lost notification only delays a command) and fail the unfinished
commands of nodes that stopped (no heartbeat for three beats), so nobody waits for them."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from sqlalchemy import select

from shared.cluster.nodes import stale_after
from shared.cluster.routing import RoutedCommandService
from shared.config import Settings
from shared.logging import get_logger
from shared.store.database import Database
from shared.store.tables import nodes

__all__ = ["CommandUpkeep"]

log = get_logger(__name__)

ORPHAN_REASON = "the node holding the station stopped before the command was answered"


class CommandUpkeep:
    """The poll timer of one node. `start()`, then `aclose()` at shutdown."""

    def __init__(
        self, settings: Settings, database: Database, commands: RoutedCommandService
    ) -> None:
        self._interval = settings.node.command_poll_seconds
        self._stale = stale_after(settings.node.heartbeat_seconds)
        self._database = database
        self._commands = commands
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="commands.upkeep")

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            self._commands.wake_executor()
            try:
                await self.fail_orphans_of_stopped_nodes()
            except Exception:
                log.exception("command.upkeep.failed")

    async def fail_orphans_of_stopped_nodes(self) -> None:
        """Fail unfinished commands addressed to nodes without a recent heartbeat."""
        now = datetime.now(UTC)
        async with self._database.read() as conn:
            rows = await conn.execute(
                select(nodes.c.id).where(nodes.c.heartbeat_at >= now - self._stale)
            )
            live = {row.id for row in rows} | {self._commands.node_id}
        await self._commands.fail_unfinished(
            ORPHAN_REASON, live_nodes=live, created_before=now - self._stale
        )
