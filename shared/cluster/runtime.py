"""What one node runs to take part in routing: its `nodes` row and heartbeat, the command
service, and on PostgreSQL the listener, the event relay and the poll timer. `cli/node.py`
starts it after the store writer and stops it before the writer closes."""

from __future__ import annotations

from shared.cluster.listener import PgListener
from shared.cluster.nodes import NodeRegistry
from shared.cluster.relay import EventRelay
from shared.cluster.routing import RoutedCommandService
from shared.cluster.upkeep import CommandUpkeep
from shared.config import Settings
from shared.events import LocalEventBus
from shared.logging import get_logger
from shared.store.database import Database
from shared.store.writer import BatchWriter

__all__ = ["Cluster"]

log = get_logger(__name__)

_LISTEN_WAIT_S = 5.0


class Cluster:
    """Node registry + command service (+ listener, relay and upkeep on PostgreSQL)."""

    def __init__(
        self, settings: Settings, database: Database, writer: BatchWriter, bus: LocalEventBus
    ) -> None:
        node = settings.node
        self.registry = NodeRegistry(writer, node.id, node.heartbeat_seconds)
        self.commands = RoutedCommandService(settings, database, writer, bus, node.id)
        self.listener: PgListener | None = None
        self.relay: EventRelay | None = None
        self.upkeep: CommandUpkeep | None = None
        if not database.is_sqlite:
            self.listener = PgListener(settings.database)
            self.commands.attach_listener(self.listener)
            self.relay = EventRelay(bus, database, self.listener, node.id)
            self.upkeep = CommandUpkeep(settings, database, self.commands)

    async def start(self) -> None:
        """Register the node, then listen (waiting a little for the first connection: a
        command routed to us meanwhile is still claimed by the first poll)."""
        await self.registry.start()
        await self.commands.start()
        if self.listener is not None:
            self.listener.start()
            if not await self.listener.wait_connected(_LISTEN_WAIT_S):
                log.warning("cluster.listener.not_ready", waited_s=_LISTEN_WAIT_S)
        if self.relay is not None:
            self.relay.start()
        if self.upkeep is not None:
            self.upkeep.start()

    async def aclose(self) -> None:
        """Stop in reverse order; the node row goes last (the writer must still run)."""
        if self.upkeep is not None:
            await self.upkeep.aclose()
        if self.relay is not None:
            await self.relay.aclose()
        if self.listener is not None:
            await self.listener.aclose()
        await self.commands.aclose()
        await self.registry.aclose()
