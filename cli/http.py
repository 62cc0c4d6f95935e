"""The node's HTTP server: `/health`, `/metrics`, and the sub-applications mounted on it
(`/ocpi/` from ocpi_gateway, `/admin/` from cli.admin_api)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from shared.logging import get_logger

__all__ = ["HttpServer"]

log = get_logger("laddpunkt.http")

HealthCheck = Callable[[], dict[str, object]]
MetricsSource = Callable[[], list[str]]


class HttpServer:
    """One aiohttp application on `[http] host/port`; others add sub-apps before `start()`."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.app = web.Application(client_max_size=4 * 1024 * 1024)
        self._health: list[HealthCheck] = []
        self._metrics: list[MetricsSource] = []
        self.app.router.add_get("/health", self._on_health)
        self.app.router.add_get("/metrics", self._on_metrics)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    def add_health_check(self, check: HealthCheck) -> None:
        self._health.append(check)

    def add_metrics(self, source: MetricsSource) -> None:
        """`source` returns Prometheus text-format lines."""
        self._metrics.append(source)

    def mount(self, prefix: str, subapp: web.Application) -> None:
        self.app.add_subapp(prefix, subapp)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        # With port 0 the OS picks one; read it back from the runner's listening sockets.
        for address in self._runner.addresses:
            if isinstance(address, tuple):
                self.port = int(address[1])
                break
        log.info("http.server.listening", host=self.host, port=self.port)

    async def aclose(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _on_health(self, _request: web.Request) -> web.Response:
        status: dict[str, object] = {"status": "ok"}
        for check in self._health:
            status.update(check())
        return web.json_response(status)

    async def _on_metrics(self, _request: web.Request) -> web.Response:
        lines: list[str] = []
        for source in self._metrics:
            lines.extend(source())
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")
