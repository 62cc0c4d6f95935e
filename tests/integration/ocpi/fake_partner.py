"""A fake eMSP platform on a real socket (127.0.0.1, a free port) for registration tests.

It serves versions, 2.2.1 details and credentials the way an eMSP would, checks the tokens
it is called with, and records every request. Behaviours are switches:

- `raw_tokens_only`: refuses Base64-encoded tokens with HTTP 401 (a 2.1.1-era partner);
- `versions` / `endpoints`: what it advertises (drop 2.2.1 or credentials to test 3002/3003);
- `fail_versions`: its versions endpoint answers HTTP 500;
- `call_back`: while handling our credentials POST, it calls our versions URL with the
  token we gave it (what a real partner does), and records the answer.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.conftest import free_port

__all__ = ["FakePartner", "Recorded"]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakePartner:
    """The eMSP side. Start with `await partner.start()`, stop with `await partner.stop()`."""

    country_code: str = "NL"
    party_id: str = "EMS"
    #: The token we must present (its Token A before registration, then its Token C).
    token_for_us: str = "partner-token-a-0001"
    raw_tokens_only: bool = False
    fail_versions: bool = False
    call_back: bool = True
    versions: list[str] = field(default_factory=lambda: ["2.1.1", "2.2.1"])
    modules: list[tuple[str, str]] = field(
        default_factory=lambda: [
            ("credentials", "SENDER"),
            ("locations", "RECEIVER"),
            ("sessions", "RECEIVER"),
            ("cdrs", "RECEIVER"),
            ("tariffs", "RECEIVER"),
            ("tokens", "SENDER"),
            ("commands", "SENDER"),
        ]
    )
    requests: list[Recorded] = field(default_factory=list)
    #: The token we handed to it (Token B when we register with it, Token C otherwise).
    our_token: str | None = None
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/ocpi/emsp"

    @property
    def versions_url(self) -> str:
        return f"{self.base}/versions"

    def credentials(self, token: str) -> dict[str, Any]:
        return {
            "token": token,
            "url": self.versions_url,
            "roles": [
                {
                    "role": "EMSP",
                    "party_id": self.party_id,
                    "country_code": self.country_code,
                    "business_details": {"name": "Fake eMSP"},
                }
            ],
        }

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ocpi/emsp/versions", self._versions)
        app.router.add_get("/ocpi/emsp/2.2.1", self._details)
        app.router.add_route("*", "/ocpi/emsp/2.2.1/credentials", self._credentials)
        app.router.add_route("*", "/ocpi/emsp/2.2.1/{module}", self._other)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _presented(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Token "):
            return None
        value = header[len("Token ") :]
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = None
        if decoded is not None:
            return None if self.raw_tokens_only else decoded
        return value

    async def _record(self, request: web.Request) -> Any:
        raw = await request.read()
        body = await request.json() if raw else None
        self.requests.append(Recorded(request.method, request.path, dict(request.headers), body))
        return body

    def _authorised(self, request: web.Request) -> bool:
        return self._presented(request) == self.token_for_us

    @staticmethod
    def _envelope(data: Any, status: int = 1000, http: int = 200) -> web.Response:
        body: dict[str, Any] = {"status_code": status, "timestamp": "2024-01-01T00:00:00Z"}
        if data is not None:
            body["data"] = data
        return web.json_response(body, status=http)

    async def _versions(self, request: web.Request) -> web.Response:
        await self._record(request)
        if not self._authorised(request):
            return self._envelope(None, 2000, 401)
        if self.fail_versions:
            return web.Response(status=500, text="down")
        return self._envelope([{"version": v, "url": f"{self.base}/{v}"} for v in self.versions])

    async def _details(self, request: web.Request) -> web.Response:
        await self._record(request)
        if not self._authorised(request):
            return self._envelope(None, 2000, 401)
        return self._envelope(
            {
                "version": "2.2.1",
                "endpoints": [
                    {"identifier": m, "role": r, "url": f"{self.base}/2.2.1/{m}"}
                    for m, r in self.modules
                ],
            }
        )

    async def _credentials(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        if not self._authorised(request):
            return self._envelope(None, 2000, 401)
        if request.method == "DELETE":
            self.our_token = None
            return self._envelope(None)
        if request.method not in ("POST", "PUT"):
            return self._envelope(None, 2000, 405)
        self.our_token = body["token"]
        if self.call_back:
            async with aiohttp.ClientSession() as session:
                encoded = base64.b64encode(self.our_token.encode()).decode()
                async with session.get(
                    body["url"], headers={"Authorization": f"Token {encoded}"}
                ) as response:
                    self.callback_answers.append(await response.json())
        self.token_for_us = "partner-token-c-0002"
        return self._envelope(self.credentials(self.token_for_us))

    async def _other(self, request: web.Request) -> web.Response:
        await self._record(request)
        if not self._authorised(request):
            return self._envelope(None, 2000, 401)
        return self._envelope(None)
