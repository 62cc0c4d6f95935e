"""The client we call partners with, against a scripted server on a real socket."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from ocpi_gateway import client as client_module
from ocpi_gateway.client import OcpiClient
from ocpi_gateway.errors import (
    PartnerHttpError,
    PartnerResponseError,
    PartnerStatusError,
    PartnerUnreachableError,
)
from ocpi_gateway.routing import Party
from tests.conftest import free_port

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Scripted:
    """A server whose handler a test sets; it records the headers of every request."""

    port: int = 0
    handler: Handler | None = None
    seen: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/x"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(dict(request.headers))
        assert self.handler is not None
        return await self.handler(request)


def envelope(data: object = None, status: int = 1000) -> web.Response:
    body: dict[str, object] = {"status_code": status, "timestamp": "2024-01-01T00:00:00Z"}
    if data is not None:
        body["data"] = data
    return web.json_response(body)


@pytest.fixture
async def server() -> AsyncIterator[Scripted]:
    scripted = Scripted()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", scripted.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    scripted.port = free_port()
    await web.TCPSite(runner, "127.0.0.1", scripted.port).start()
    try:
        yield scripted
    finally:
        await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[OcpiClient]:
    async with OcpiClient(timeout=5) as ocpi_client:
        yield ocpi_client


async def test_headers_and_envelope(server: Scripted, client: OcpiClient) -> None:
    async def ok(_request: web.Request) -> web.Response:
        return envelope({"a": 1})

    server.handler = ok
    answer = await client.call(
        "PUT",
        server.url,
        "tok",
        body={"x": 1},
        correlation_id="corr-9",
        to_party=Party("NL", "EMS"),
        from_party=Party("SE", "LDP"),
    )
    assert answer.data == {"a": 1}
    assert answer.status_code == 1000
    assert answer.used_base64 is True
    again = await client.call("GET", server.url, "tok")
    first, second = server.seen
    assert first["Authorization"] == "Token " + base64.b64encode(b"tok").decode()
    assert first["X-Correlation-ID"] == "corr-9"
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert (first["OCPI-to-country-code"], first["OCPI-to-party-id"]) == ("NL", "EMS")
    assert (first["OCPI-from-country-code"], first["OCPI-from-party-id"]) == ("SE", "LDP")
    assert first["Content-Type"] == "application/json"
    assert "OCPI-to-party-id" not in second
    assert again.data == {"a": 1}


async def test_raw_token_fallback(server: Scripted, client: OcpiClient) -> None:
    async def raw_only(request: web.Request) -> web.Response:
        if request.headers["Authorization"] != "Token tok":
            return web.Response(status=401)
        return envelope([])

    server.handler = raw_only
    answer = await client.call("GET", server.url, "tok")
    assert answer.used_base64 is False
    with pytest.raises(PartnerHttpError) as refused:
        await client.call("GET", server.url, "tok", fallback=False)
    assert refused.value.status == 401


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (web.Response(status=500, text="boom"), PartnerHttpError),
        (web.Response(status=200, text="<html>"), PartnerResponseError),
        (web.json_response({"data": []}), PartnerResponseError),
        (web.json_response([1, 2]), PartnerResponseError),
        (web.json_response({"status_code": 2001, "status_message": "bad"}), PartnerStatusError),
        (web.json_response({"status_code": 3001}), PartnerStatusError),
    ],
)
async def test_failures_are_typed(
    server: Scripted, client: OcpiClient, response: web.Response, error: type[Exception]
) -> None:
    async def answer(_request: web.Request) -> web.Response:
        return response

    server.handler = answer
    with pytest.raises(error) as raised:
        await client.call("GET", server.url, "tok")
    if isinstance(raised.value, PartnerStatusError):
        assert raised.value.status_code in (2001, 3001)


async def test_unreachable_and_timeout(server: Scripted, client: OcpiClient) -> None:
    with pytest.raises(PartnerUnreachableError):
        await client.call("GET", f"http://127.0.0.1:{free_port()}/x", "tok")
    never = asyncio.Event()

    async def hang(_request: web.Request) -> web.Response:
        await never.wait()
        return envelope()

    server.handler = hang
    try:
        with pytest.raises(PartnerUnreachableError, match="in time"):
            await client.call("GET", server.url, "tok", time_limit=0.2)
    finally:
        never.set()  # let the server finish the request, so it can shut down


async def test_oversized_answer(
    server: Scripted, client: OcpiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "MAX_RESPONSE_BYTES", 1000)

    async def big(_request: web.Request) -> web.Response:
        return envelope("x" * 5000)

    server.handler = big
    with pytest.raises(PartnerResponseError, match="larger than"):
        await client.call("GET", server.url, "tok")


async def test_pages_follow_links_and_stop(server: Scripted, client: OcpiClient) -> None:
    async def paged(request: web.Request) -> web.Response:
        offset = int(request.query.get("offset", "0"))
        response = envelope([offset])
        if offset < 20:
            response.headers["Link"] = f'<{server.url}?offset={offset + 10}>; rel="next"'
        return response

    server.handler = paged
    pages = [page.data async for page in client.pages(server.url, "tok")]
    assert pages == [[0], [10], [20]]

    async def loops(_request: web.Request) -> web.Response:
        response = envelope([1])
        response.headers["Link"] = f'<{server.url}>; rel="next"'
        return response

    server.handler = loops
    assert len([page async for page in client.pages(server.url, "tok")]) == 1
