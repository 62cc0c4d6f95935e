"""The `nodes` table: which Laddpunkt nodes are running, by their heartbeat.

Each node upserts its row at start, refreshes `heartbeat_at` every `[node]
heartbeat_seconds` and deletes the row when it stops cleanly. A node whose heartbeat is older
than `stale_after` is taken for stopped: its stations are not reachable, and what it left
unfinished is failed by the others (`shared/commands.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.logging import get_logger
from shared.store.tables import nodes
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert
from shared.store.writer import BatchWriter

__all__ = ["NodeInfo", "NodeRegistry", "list_nodes", "stale_after"]

log = get_logger(__name__)


def stale_after(heartbeat_seconds: float) -> timedelta:
    """How old a heartbeat may be before its node counts as stopped (three missed beats)."""
    return timedelta(seconds=3 * heartbeat_seconds + 1)


@dataclass(frozen=True, slots=True)
class NodeInfo:
    id: str
    started_at: datetime
    heartbeat_at: datetime

    def alive(self, now: datetime, heartbeat_seconds: float) -> bool:
        return self.heartbeat_at >= now - stale_after(heartbeat_seconds)


async def list_nodes(conn: AsyncConnection) -> list[NodeInfo]:
    """Every node row, by id (alive or not: check `NodeInfo.alive`)."""
    rows = await conn.execute(select(nodes).order_by(nodes.c.id))
    return [NodeInfo(row.id, row.started_at, row.heartbeat_at) for row in rows]


class NodeRegistry:
    """This node's row: registered by `start()`, beating until `aclose()` removes it."""

    def __init__(self, writer: BatchWriter, node_id: str, heartbeat_seconds: float) -> None:
        self._writer = writer
        self.node_id = node_id
        self._interval = heartbeat_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        node_id = self.node_id

        async def register(uow: UnitOfWork) -> None:
            statement = upsert(uow.conn.dialect.name, nodes, ["id"], ["started_at", "heartbeat_at"])
            await uow.conn.execute(
                statement, {"id": node_id, "started_at": uow.now, "heartbeat_at": uow.now}
            )

        await self._writer.run(register)
        self._task = asyncio.create_task(self._beat(), name="cluster.heartbeat")
        log.info("cluster.node.registered", node_id=node_id)

    async def _beat(self) -> None:
        node_id = self.node_id

        async def beat(uow: UnitOfWork) -> None:
            await uow.conn.execute(
                update(nodes).where(nodes.c.id == node_id).values(heartbeat_at=uow.now)
            )

        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._writer.run(beat)
            except Exception:
                log.exception("cluster.heartbeat.failed", node_id=node_id)

    async def aclose(self) -> None:
        """Stop beating and remove the row (call before the writer closes)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        node_id = self.node_id

        async def unregister(uow: UnitOfWork) -> None:
            await uow.conn.execute(delete(nodes).where(nodes.c.id == node_id))

        try:
            await self._writer.run(unregister)
        except Exception:
            log.exception("cluster.node.unregister_failed", node_id=node_id)
