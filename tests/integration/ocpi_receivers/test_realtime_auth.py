"""Real-time authorization: the Authorizer asks the eMSP (POST tokens/{uid}/authorize) for
unknown tokens and whitelist NEVER, over a real socket to a small eMSP tokens server."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from ocpi_gateway.app import create_ocpi_app
from ocpi_gateway.client import OcpiClient
from ocpi_gateway.realtime_auth import RealtimeAuthorizer, realtime_authorization
from ocpi_gateway.v221.mapping.tokens import token_from_wire
from ocpi_gateway.v221.models import Token
from shared.authorization import AuthorizationStatus, Authorizer, IdToken
from shared.domain.partners import PartnerEndpoint, PartyRole
from shared.store.partners import Registration, create_registered
from shared.store.tokens import save_partner_token
from shared.store.uow import UnitOfWork
from tests.conftest import free_port
from tests.integration.ocpi.conftest import Gateway
from tests.integration.ocpi_receivers.test_tokens import URL, token

NOW = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
SECRET = "emsp-token-for-us-01"


@dataclass
class TokensServer:
    """The eMSP's tokens SENDER interface: answers `authorize` from `answers` by uid."""

    answers: dict[str, str] = field(default_factory=dict)
    asked: list[tuple[str, str, str]] = field(default_factory=list)
    port: int = 0

    async def authorize(self, request: web.Request) -> web.Response:
        uid = request.match_info["uid"]
        presented = base64.b64decode(request.headers["Authorization"][6:]).decode()
        self.asked.append((uid, request.query.get("type", ""), presented))
        allowed = self.answers.get(uid)
        if allowed is None:
            body = {"status_code": 2004, "timestamp": "2024-03-01T08:00:00Z"}
            return web.json_response(body, status=404)
        data = {
            "allowed": allowed,
            "token": token(uid=uid, whitelist="NEVER", group_id="REMOTE-GROUP"),
            "authorization_reference": "REF-1",
        }
        return web.json_response(
            {"status_code": 1000, "data": data, "timestamp": "2024-03-01T08:00:00Z"}
        )


@pytest.fixture
async def emsp() -> AsyncIterator[TokensServer]:
    server = TokensServer()
    app = web.Application()
    app.router.add_post("/tokens/{uid}/authorize", server.authorize)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    server.port = free_port()
    await web.TCPSite(runner, "127.0.0.1", server.port).start()
    try:
        yield server
    finally:
        await runner.cleanup()


async def _register(gateway: Gateway, tokens_url: str) -> int:
    registration = Registration(
        roles=(PartyRole("EMSP", "NL", "EMS"),),
        endpoints=(PartnerEndpoint("tokens", "SENDER", tokens_url),),
        versions_url="http://127.0.0.1:1/versions",
        version="2.2.1",
        incoming_token_hash="unused-hash",
        outgoing_token=SECRET,
    )

    async def add(uow: UnitOfWork) -> int:
        return await create_registered(uow, "eMSP", registration)

    return await gateway.writer.run(add)


async def test_unknown_token_is_asked_of_the_emsp(gateway: Gateway, emsp: TokensServer) -> None:
    partner_id = await _register(gateway, f"http://127.0.0.1:{emsp.port}/tokens")
    emsp.answers = {"REMOTE1": "ALLOWED", "REMOTE2": "NO_CREDIT"}
    async with OcpiClient(timeout=5) as client:
        authorizer = Authorizer(gateway.database, [RealtimeAuthorizer(gateway.database, client)])
        allowed = await authorizer.authorize("CS-1", IdToken("REMOTE1"), NOW)
        no_credit = await authorizer.authorize("CS-1", IdToken("REMOTE2"), NOW)
        unknown = await authorizer.authorize("CS-1", IdToken("NOBODY"), NOW)
    assert allowed.status is AuthorizationStatus.ACCEPTED
    assert (allowed.partner_id, allowed.group_id, allowed.authorization_reference) == (
        partner_id,
        "REMOTE-GROUP",
        "REF-1",
    )
    assert no_credit.status is AuthorizationStatus.NO_CREDIT
    assert unknown.status is AuthorizationStatus.INVALID
    assert emsp.asked == [
        ("REMOTE1", "RFID", SECRET),
        ("REMOTE2", "RFID", SECRET),
        ("NOBODY", "RFID", SECRET),
    ]


async def _stored_token(gateway: Gateway, partner_id: int, whitelist: str) -> None:
    body = token(whitelist=whitelist)
    body["last_updated"] = NOW

    async def add(uow: UnitOfWork) -> None:
        await save_partner_token(uow, token_from_wire(Token.model_validate(body), partner_id))

    await gateway.writer.run(add)


async def test_whitelist_never_asks_every_time(gateway: Gateway, emsp: TokensServer) -> None:
    partner_id = await _register(gateway, f"http://127.0.0.1:{emsp.port}/tokens")
    await _stored_token(gateway, partner_id, "NEVER")
    emsp.answers = {"04AB1234": "BLOCKED"}
    async with OcpiClient(timeout=5) as client:
        authorizer = Authorizer(gateway.database, [RealtimeAuthorizer(gateway.database, client)])
        blocked = await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
        emsp.answers = {"04AB1234": "ALLOWED"}
        allowed = await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
        emsp.answers = {}
        forgotten = await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
    assert blocked.status is AuthorizationStatus.BLOCKED
    assert allowed.status is AuthorizationStatus.ACCEPTED
    assert forgotten.status is AuthorizationStatus.INVALID
    assert [uid for uid, _, _ in emsp.asked] == ["04AB1234"] * 3


async def test_whitelist_never_with_the_emsp_unreachable_is_refused(gateway: Gateway) -> None:
    partner_id = await _register(gateway, f"http://127.0.0.1:{free_port()}/tokens")
    await _stored_token(gateway, partner_id, "NEVER")
    async with OcpiClient(timeout=5) as client:
        authorizer = Authorizer(gateway.database, [RealtimeAuthorizer(gateway.database, client)])
        result = await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
    assert result.status is AuthorizationStatus.INVALID


async def test_whitelist_allowed_is_decided_locally(
    gateway: Gateway, registered: str, emsp: TokensServer
) -> None:
    await gateway.call("PUT", URL, registered, json=token(whitelist="ALLOWED"))
    await _register(gateway, f"http://127.0.0.1:{emsp.port}/tokens")
    async with OcpiClient(timeout=5) as client:
        authorizer = Authorizer(gateway.database, [RealtimeAuthorizer(gateway.database, client)])
        result = await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
    assert result.status is AuthorizationStatus.ACCEPTED
    assert emsp.asked == []


async def test_unreachable_emsp_leaves_unknown_tokens_unknown(gateway: Gateway) -> None:
    await _register(gateway, f"http://127.0.0.1:{free_port()}/tokens")
    async with OcpiClient(timeout=5) as client:
        authorizer = Authorizer(gateway.database, [RealtimeAuthorizer(gateway.database, client)])
        result: Any = await authorizer.authorize("CS-1", IdToken("REMOTE1"), NOW)
    assert result.status is AuthorizationStatus.INVALID


async def test_the_ocpi_app_registers_it(gateway: Gateway, emsp: TokensServer) -> None:
    await _register(gateway, f"http://127.0.0.1:{emsp.port}/tokens")
    emsp.answers = {"REMOTE1": "ALLOWED"}
    authorizer = Authorizer(gateway.database)
    app = create_ocpi_app(gateway.services)
    app.cleanup_ctx.append(realtime_authorization(authorizer))
    runner = web.AppRunner(app, access_log=None)
    before = await authorizer.authorize("CS-1", IdToken("REMOTE1"), NOW)
    await runner.setup()
    try:
        after = await authorizer.authorize("CS-1", IdToken("REMOTE1"), NOW)
    finally:
        await runner.cleanup()
    assert before.status is AuthorizationStatus.INVALID
    assert after.status is AuthorizationStatus.ACCEPTED
