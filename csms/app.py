"""The OCPP side of a node: the websocket server plus the services its handlers use."""

from __future__ import annotations

from csms.context import CsmsServices
from csms.dispatch import RouteTable
from csms.server import OcppServer
from csms.v16.routes import ROUTES as V16_ROUTES
from csms.v201.routes import ROUTES as V201_ROUTES

__all__ = ["ROUTE_TABLES", "CsmsApp"]

ROUTE_TABLES: dict[str, RouteTable] = {"1.6": V16_ROUTES, "2.0.1": V201_ROUTES}


class CsmsApp:
    """Start with `start()`; `aclose()` closes every station's socket."""

    def __init__(self, services: CsmsServices) -> None:
        self.services = services
        self.server = OcppServer(services, ROUTE_TABLES)

    async def start(self) -> None:
        await self.server.start()

    async def aclose(self) -> None:
        await self.server.aclose()
