"""The composition root: one Laddpunkt node (OCPP server, store writer, event bus, …).

`Node` is what `csms serve` runs, and what in-process integration tests start on free ports.
It is the only place that wires `csms` and `ocpi_gateway` together: they never import each
other (DESIGN.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from cli.admin_api import AdminServices, create_admin_app
from cli.http import HttpServer
from csms.app import CsmsApp
from csms.commands import CommandExecutor
from csms.context import CsmsServices
from ocpi_gateway.app import create_ocpi_app
from ocpi_gateway.push import PushSupervisor
from ocpi_gateway.realtime_auth import realtime_authorization
from ocpi_gateway.services import OcpiServices
from ocpi_gateway.v221.push_source import V221PushSource
from shared.authorization import Authorizer
from shared.billing.node import BillingServices
from shared.cluster.runtime import Cluster
from shared.config import Settings
from shared.events import LocalEventBus
from shared.heap import tune_for_serving
from shared.logging import get_logger
from shared.store.database import Database
from shared.store.migrate import upgrade_database
from shared.store.outbox_writers import OutboxWriters
from shared.store.writer import BatchWriter

__all__ = ["Node", "run_until_signalled"]

log = get_logger("laddpunkt.node")


class Node:
    """Everything one `csms serve` process runs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(settings.database)
        self.bus = LocalEventBus()
        self.writer = BatchWriter(
            self.database,
            self.bus,
            max_batch=settings.database.batch_max_messages,
            window_s=settings.database.batch_window_ms / 1000,
        )
        self.authorizer = Authorizer(self.database)
        self.services = CsmsServices(
            settings=settings,
            database=self.database,
            writer=self.writer,
            bus=self.bus,
            node_id=settings.node.id,
            authorizer=self.authorizer,
        )
        self.csms = CsmsApp(self.services)
        # Commands: stored and routed by the cluster's service, sent by this node's executor.
        self.cluster = Cluster(settings, self.database, self.writer, self.bus)
        self.commands = self.cluster.commands
        self.executor = CommandExecutor(self.services, self.csms.server.registry, self.commands)
        # Billing: running costs of active sessions, CDRs of finished ones.
        self.billing = BillingServices(
            settings, self.database, self.writer, self.bus, self.commands
        )
        self.http = HttpServer(settings.http.host, settings.http.port)
        self.http.add_health_check(self._health)
        self.http.add_metrics(self._metrics)
        self.http.mount(
            "/admin/",
            create_admin_app(AdminServices(settings, self.database, self.writer, self.commands)),
        )
        # OCPI: the roaming gateway for partners, on the same HTTP server.
        self.ocpi = OcpiServices(
            settings, self.database, self.writer, self.bus, commands=self.commands
        )
        ocpi_app = create_ocpi_app(self.ocpi)
        # Real-time authorization: unknown / whitelist NEVER tokens are asked of the eMSP.
        ocpi_app.cleanup_ctx.append(realtime_authorization(self.authorizer))
        self.http.mount("/ocpi/", ocpi_app)
        # OCPI pushes: outbox rows commit with each change; one worker per partner sends them.
        self.outbox = OutboxWriters(self.database)
        self.outbox.install(self.bus)
        self.push = PushSupervisor(self.ocpi, V221PushSource(self.ocpi))
        self.push.install(self.bus)
        self._started = False

    @property
    def ocpp_port(self) -> int:
        return self.csms.server.port

    @property
    def http_port(self) -> int:
        return self.http.port

    def _health(self) -> dict[str, object]:
        return {
            "node_id": self.settings.node.id,
            "stations_connected": len(self.csms.server.registry),
        }

    def _metrics(self) -> list[str]:
        return [
            "# TYPE laddpunkt_stations_connected gauge",
            f"laddpunkt_stations_connected {len(self.csms.server.registry)}",
            "# TYPE laddpunkt_store_batches_total counter",
            f"laddpunkt_store_batches_total {self.writer.batches}",
            "# TYPE laddpunkt_store_jobs_total counter",
            f"laddpunkt_store_jobs_total {self.writer.jobs}",
        ]

    async def start(self) -> None:
        """Migrate the schema, then start the writer and the servers."""
        log.info(
            "node.starting",
            node_id=self.settings.node.id,
            database=self.settings.database.display_url,
        )
        await upgrade_database(self.database)
        await self.outbox.load()
        self.writer.start()
        await self.cluster.start()
        self.executor.start()
        self.billing.start()
        await self.csms.start()
        await self.http.start()
        await self.push.start()
        self._started = True

    async def aclose(self) -> None:
        """Stop taking connections, close them, commit what is queued, release the database."""
        log.info("node.stopping", node_id=self.settings.node.id)
        with contextlib.suppress(Exception):
            await self.http.aclose()
        with contextlib.suppress(Exception):
            await self.csms.aclose()
        await self.push.aclose()
        await self.executor.aclose()
        await self.billing.aclose()
        await self.cluster.aclose()
        await self.writer.aclose()
        await self.bus.aclose()
        await self.database.dispose()
        log.info("node.stopped", node_id=self.settings.node.id)


async def run_until_signalled(node: Node) -> None:
    """Run `node` until SIGINT or SIGTERM, then shut it down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await node.start()
        tune_for_serving()  # shared/heap.py: a third less CPU per message
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await node.aclose()
