"""A whole node for the receivers that reach chargers: OCPI partner registered through the
credentials handshake, a test charger connected over OCPP and published under a location."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from cli.node import Node
from ocpi_gateway.partners import invite_partner
from ocpi_gateway.v221.operator import import_locations, link_station_to_location
from shared.config import DatabaseSettings
from shared.store.tables import evses
from tests.conftest import drop_schema, free_port, make_database_settings
from tests.harness import node_settings, running_node
from tests.integration.commands.charger import Charger
from tests.integration.ocpi.conftest import Answer
from tests.integration.ocpi.fake_partner import FakePartner, Recorded
from tests.integration.ocpi.helpers import evse_doc, location_doc

__all__ = ["Site", "db_settings", "node", "publish", "register_partner", "wait_for_post"]

#: Where the fake partner takes results: a single path segment its catch-all route records.
RESULT_PATH = "/2.2.1/results"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_settings(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DatabaseSettings]:
    settings, schema = await make_database_settings(request.param, tmp_path)
    try:
        yield settings
    finally:
        await drop_schema(schema)


@pytest.fixture
async def node(db_settings: DatabaseSettings) -> AsyncIterator[Node]:
    port = free_port()
    settings = node_settings(
        db_settings,
        http={"port": port},
        ocpi={"public_url": f"http://127.0.0.1:{port}", "command_timeout": 4.0},
        ocpp={"call_timeout": 4.0},
        node={"command_poll_seconds": 0.2, "heartbeat_seconds": 0.5},
    )
    async with running_node(settings) as running:
        yield running


@dataclass
class Site:
    """The partner's view of the node."""

    node: Node
    partner: FakePartner
    token: str  # Token C: what the partner presents to us

    async def call(
        self, method: str, path: str, json: Any = None, *, data: bytes | None = None
    ) -> Answer:
        header = {"Authorization": "Token " + base64.b64encode(self.token.encode()).decode()}
        url = f"http://127.0.0.1:{self.node.http_port}/ocpi/2.2.1{path}"
        async with aiohttp.ClientSession() as session:
            async with session.request(method, url, json=json, data=data, headers=header) as r:
                return Answer(r.status, r.headers, await r.json())

    @property
    def response_url(self) -> str:
        return self.partner.base + RESULT_PATH


async def register_partner(node: Node, partner: FakePartner) -> Site:
    """The credentials handshake, as an eMSP does it with a Token A."""
    invitation = await invite_partner(node.ocpi, "eMSP")
    partner.token_for_us = "partner-token-b-0001"
    site = Site(node, partner, invitation.token_a)
    answer = await site.call("POST", "/credentials", partner.credentials("partner-token-b-0001"))
    assert answer.code == 1000, answer.body
    site.token = str(answer.data["token"])
    return site


async def publish(node: Node, charger: Charger, station_id: str, location_id: str = "LOC1") -> str:
    """Report connector 1 of `charger` Available and publish it under a location; its uid."""
    if charger.version == "1.6":
        payload: dict[str, Any] = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
    else:
        payload = {
            "timestamp": "2024-03-01T08:00:00Z",
            "connectorStatus": "Available",
            "evseId": 1,
            "connectorId": 1,
        }
    answer = await charger.call("StatusNotification", payload)
    assert answer[0] == 3, answer
    await import_locations(node.ocpi, location_doc(location_id, evses=[evse_doc("E-1", "1")]))
    await link_station_to_location(node.ocpi, location_id, station_id)
    async with node.database.read() as conn:
        row = (
            await conn.execute(select(evses.c.evse_uid).where(evses.c.station_id == station_id))
        ).one()
    return str(row.evse_uid)


async def wait_for_post(
    partner: FakePartner, path: str, count: int = 1, limit: float = 20
) -> list[Recorded]:
    """The POSTs the partner received at `path` once there are `count` of them."""
    for _ in range(int(limit / 0.05)):
        posts = [r for r in partner.requests if r.method == "POST" and r.path.endswith(path)]
        if len(posts) >= count:
            return posts
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {count} POST(s) to {path} within {limit} s")
