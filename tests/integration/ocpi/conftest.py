"""Fixtures: the OCPI app on a real socket over a real database (SQLite and PostgreSQL),
a client that speaks to it like a partner, and a fake partner platform."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from ocpi_gateway.app import create_ocpi_app
from ocpi_gateway.documents import DocumentCaches
from ocpi_gateway.partners import invite_partner
from ocpi_gateway.services import OcpiServices
from shared.events import LocalEventBus
from shared.store.database import Database
from shared.store.migrate import upgrade_database
from shared.store.writer import BatchWriter
from tests.conftest import drop_schema, free_port, make_database_settings
from tests.harness import node_settings
from tests.integration.ocpi.fake_partner import FakePartner


@dataclass
class Answer:
    status: int
    headers: Any
    body: dict[str, Any]

    @property
    def code(self) -> int:
        return int(self.body["status_code"])

    @property
    def data(self) -> Any:
        return self.body.get("data")


@dataclass
class Gateway:
    services: OcpiServices
    database: Database
    writer: BatchWriter
    bus: LocalEventBus
    session: aiohttp.ClientSession
    port: int
    documents: DocumentCaches

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/ocpi"

    async def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        *,
        raw_token: bool = False,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """`method` on `{base}{path}` (or an absolute URL) with `token` (Base64 by default)."""
        url = path if path.startswith("http") else self.base + path
        sent = dict(headers or {})
        if token is not None:
            value = token if raw_token else base64.b64encode(token.encode()).decode()
            sent["Authorization"] = f"Token {value}"
        body = io.BytesIO(data) if data is not None else None
        async with self.session.request(method, url, json=json, data=body, headers=sent) as r:
            return Answer(r.status, r.headers, await r.json())

    async def invite(self, name: str = "eMSP") -> str:
        invitation = await invite_partner(self.services, name)
        return invitation.token_a


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def gateway(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Gateway]:
    """The OCPI app mounted at /ocpi/ on 127.0.0.1, as `csms serve` mounts it."""
    db_settings, schema = await make_database_settings(request.param, tmp_path)
    database = Database(db_settings)
    bus = LocalEventBus()
    writer = BatchWriter(database, bus)
    runner: web.AppRunner | None = None
    session: aiohttp.ClientSession | None = None
    try:
        await upgrade_database(database)
        writer.start()
        port = free_port()
        settings = node_settings(
            db_settings, ocpi={"public_url": f"http://127.0.0.1:{port}", "push_timeout": 5.0}
        )
        services = OcpiServices(settings=settings, database=database, writer=writer, bus=bus)
        root = web.Application(client_max_size=4 * 1024 * 1024)  # as cli/http.py
        # Every rendered object is checked against the 2.2.1 models (off in production).
        documents = DocumentCaches(validate=True)
        root.add_subapp("/ocpi/", create_ocpi_app(services, documents=documents))
        runner = web.AppRunner(root, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        session = aiohttp.ClientSession()
        yield Gateway(services, database, writer, bus, session, port, documents)
    finally:
        if session is not None:
            await session.close()
        if runner is not None:
            await runner.cleanup()
        await writer.aclose()
        await bus.aclose()
        await database.dispose()
        await drop_schema(schema)


@pytest.fixture
async def partner() -> AsyncIterator[FakePartner]:
    fake = FakePartner()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def register(gateway: Gateway, partner: FakePartner, name: str = "eMSP") -> str:
    """Register `partner` with the gateway through the real handshake; its Token C."""
    token_a = await gateway.invite(name)
    partner.token_for_us = "partner-token-b-0001"
    answer = await gateway.call(
        "POST",
        "/2.2.1/credentials",
        token_a,
        json=partner.credentials("partner-token-b-0001"),
    )
    assert answer.status == 200, answer.body
    assert answer.code == 1000, answer.body
    return str(answer.data["token"])


@pytest.fixture
async def registered(gateway: Gateway, partner: FakePartner) -> str:
    """A registered partner's token (Token C) for calls to the gateway."""
    return await register(gateway, partner)
