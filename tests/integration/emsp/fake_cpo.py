"""A small, correct OCPI 2.2.1 CPO on a real socket, to test the eMSP simulator against.

It does what a CPO does and nothing more: versions and credentials (both directions),
paginated Sender interfaces over lists the test fills, a tokens Receiver, commands and
charging profiles Receivers that POST their results to `response_url`, and helpers to
push objects to the eMSP. Every request it receives is kept in `received`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

CC, PARTY = "SE", "CPO"


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def envelope(data: Any = None, code: int = 1000, message: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status_code": code, "timestamp": now_text()}
    if data is not None:
        body["data"] = data
    if message:
        body["status_message"] = message
    return body


def _tokens_of(header: str) -> set[str | None]:
    """The token of an Authorization header read as Base64 and as raw (2.1.1 style)."""
    if not header.startswith("Token "):
        return set()
    try:
        decoded: str | None = base64.b64decode(header[6:], validate=True).decode()
    except ValueError:
        decoded = None
    return {decoded, header[6:]}


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeCpo:
    modules: list[tuple[str, str]] = field(
        default_factory=lambda: [
            ("credentials", "SENDER"),
            ("locations", "SENDER"),
            ("sessions", "SENDER"),
            ("cdrs", "SENDER"),
            ("tariffs", "SENDER"),
            ("tokens", "RECEIVER"),
            ("commands", "RECEIVER"),
            ("chargingprofiles", "RECEIVER"),
        ]
    )
    page_limit: int = 3
    command_result: str = "ACCEPTED"
    drop_filters_in_link: bool = False
    token_a: str = field(default_factory=lambda: secrets.token_hex(8))
    token_c: str | None = None
    emsp_token: str | None = None  # Token B: what we use to call the eMSP
    emsp_endpoints: dict[tuple[str, str], str] = field(default_factory=dict)
    objects: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"locations": [], "sessions": [], "cdrs": [], "tariffs": []}
    )
    tokens: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    received: list[Seen] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/ocpi"

    @property
    def versions_url(self) -> str:
        return f"{self.base}/versions"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/ocpi/versions", self._versions)
        r.add_get("/ocpi/2.2.1", self._details)
        r.add_route("*", "/ocpi/2.2.1/credentials", self._credentials)
        for module in ("locations", "sessions", "cdrs", "tariffs"):
            r.add_get(f"/ocpi/2.2.1/{module}", self._lister(module))
        r.add_get("/ocpi/2.2.1/locations/{id}", self._get_location)
        r.add_route("*", "/ocpi/2.2.1/tokens/{cc}/{party}/{uid}", self._token)
        r.add_post("/ocpi/2.2.1/commands/{command}", self._command)
        r.add_route("*", "/ocpi/2.2.1/chargingprofiles/{session_id}", self._profile)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()

    # --- middleware: auth and message ids ---------------------------------------------

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        raw = await request.read()
        self.received.append(
            Seen(
                request.method,
                request.path,
                dict(request.query),
                dict(request.headers),
                json.loads(raw) if raw else None,
            )
        )
        tokens = _tokens_of(request.headers.get("Authorization", ""))
        allowed: set[str | None] = {self.token_c} if self.token_c else set()
        if request.path.endswith(("/versions", "/2.2.1", "/credentials")):
            allowed.add(self.token_a)
        if not tokens & allowed:
            response: web.StreamResponse = web.json_response(envelope(code=2000), status=401)
        else:
            response = await handler(request)
        for name in ("X-Request-ID", "X-Correlation-ID"):
            response.headers[name] = request.headers.get(name, "")
        if "OCPI-from-party-id" in request.headers:
            response.headers["OCPI-to-country-code"] = request.headers["OCPI-from-country-code"]
            response.headers["OCPI-to-party-id"] = request.headers["OCPI-from-party-id"]
            response.headers["OCPI-from-country-code"] = CC
            response.headers["OCPI-from-party-id"] = PARTY
        return response

    # --- versions and credentials -----------------------------------------------------

    async def _versions(self, request: web.Request) -> web.Response:
        return web.json_response(envelope([{"version": "2.2.1", "url": f"{self.base}/2.2.1"}]))

    async def _details(self, request: web.Request) -> web.Response:
        endpoints = [
            {"identifier": m, "role": role, "url": f"{self.base}/2.2.1/{m}"}
            for m, role in self.modules
        ]
        return web.json_response(envelope({"version": "2.2.1", "endpoints": endpoints}))

    def credentials(self) -> dict[str, Any]:
        return {
            "token": self.token_c,
            "url": self.versions_url,
            "roles": [
                {
                    "role": "CPO",
                    "business_details": {"name": "Fake CPO"},
                    "party_id": PARTY,
                    "country_code": CC,
                }
            ],
        }

    async def _credentials(self, request: web.Request) -> web.Response:
        if request.method == "DELETE":
            self.token_c = None
            return web.json_response(envelope())
        if request.method == "GET":
            return web.json_response(envelope(self.credentials()))
        body = await request.json()
        self.emsp_token = body["token"]
        async with aiohttp.ClientSession() as http:
            versions = await self._get(http, body["url"])
            details = await self._get(http, versions["data"][0]["url"])
        self.emsp_endpoints = {
            (e["identifier"], e["role"]): e["url"] for e in details["data"]["endpoints"]
        }
        self.token_c = secrets.token_hex(12)
        self.token_a = "spent-" + secrets.token_hex(4)
        return web.json_response(envelope(self.credentials()))

    def headers(self, token: str | None = None, routing: bool = True) -> dict[str, str]:
        headers = {
            "Authorization": "Token "
            + base64.b64encode((token or self.emsp_token or "").encode()).decode(),
            "X-Request-ID": str(uuid.uuid4()),
            "X-Correlation-ID": str(uuid.uuid4()),
        }
        if routing:
            headers.update(
                {
                    "OCPI-from-country-code": CC,
                    "OCPI-from-party-id": PARTY,
                    "OCPI-to-country-code": "NL",
                    "OCPI-to-party-id": "SIM",
                }
            )
        return headers

    async def _get(self, http: aiohttp.ClientSession, url: str) -> Any:
        async with http.get(url, headers=self.headers(routing=False)) as response:
            return await response.json()

    async def connect(self, versions_url: str, token_a: str) -> tuple[int, Any]:
        """Register with the eMSP ourselves (the CPO as credentials Sender)."""
        async with aiohttp.ClientSession() as http:
            versions = await self._get_with(http, versions_url, token_a)
            details = await self._get_with(http, versions["data"][0]["url"], token_a)
            self.emsp_endpoints = {
                (e["identifier"], e["role"]): e["url"] for e in details["data"]["endpoints"]
            }
            url = self.emsp_endpoints[("credentials", "SENDER")]
            self.token_c = secrets.token_hex(12)
            async with http.post(
                url, json=self.credentials(), headers=self.headers(token_a, routing=False)
            ) as response:
                answer = await response.json()
                if response.status == 200 and answer["status_code"] == 1000:
                    self.emsp_token = answer["data"]["token"]
                return response.status, answer

    async def fetch(self, url: str, token: str, routing: bool = False) -> tuple[int, Any]:
        """GET `url` with `token`; returns the HTTP status and the envelope."""
        async with aiohttp.ClientSession() as http:
            async with http.get(url, headers=self.headers(token, routing=routing)) as response:
                return response.status, await response.json()

    async def _get_with(self, http: aiohttp.ClientSession, url: str, token: str) -> Any:
        async with http.get(url, headers=self.headers(token, routing=False)) as response:
            return await response.json()

    # --- Sender interfaces ------------------------------------------------------------

    def _lister(self, module: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            query = request.query
            offset = int(query.get("offset", 0))
            limit = min(int(query.get("limit", self.page_limit)), self.page_limit)
            items = [
                o
                for o in self.objects[module]
                if ("date_from" not in query or o["last_updated"] >= query["date_from"])
                and ("date_to" not in query or o["last_updated"] < query["date_to"])
            ]
            page = items[offset : offset + limit]
            headers = {"X-Total-Count": str(len(items)), "X-Limit": str(self.page_limit)}
            if offset + len(page) < len(items):
                params = {} if self.drop_filters_in_link else dict(query)
                params.update(offset=str(offset + len(page)), limit=str(limit))
                headers["Link"] = f'<{request.url.with_query(params)}>; rel="next"'
            return web.json_response(envelope(page), headers=headers)

        return handler

    async def _get_location(self, request: web.Request) -> web.Response:
        for location in self.objects["locations"]:
            if location["id"] == request.match_info["id"]:
                return web.json_response(envelope(location))
        return web.json_response(envelope(code=2003), status=404)

    # --- Receiver interfaces ----------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        m = request.match_info
        key = (m["cc"], m["party"], m["uid"], request.query.get("type", "RFID"))
        if request.method == "GET":
            token = self.tokens.get(key)
            return web.json_response(envelope(token), status=200 if token else 404)
        body = await request.json()
        if request.method == "PATCH":
            if key not in self.tokens:
                return web.json_response(envelope(code=2004), status=404)
            self.tokens[key].update(body)
            return web.json_response(envelope())
        created = key not in self.tokens
        self.tokens[key] = body
        return web.json_response(envelope(), status=201 if created else 200)

    async def post_result(self, url: str, result: dict[str, Any], delay: float = 0.05) -> None:
        await asyncio.sleep(delay)
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=result, headers=self.headers()) as response:
                await response.read()

    def _later(self, url: str, result: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self.post_result(url, result))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _command(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._later(body["response_url"], {"result": self.command_result})
        return web.json_response(envelope({"result": "ACCEPTED", "timeout": 30}))

    async def _profile(self, request: web.Request) -> web.Response:
        if request.method == "PUT":
            url, result = (await request.json())["response_url"], {"result": "ACCEPTED"}
        elif request.method == "DELETE":
            url, result = request.query["response_url"], {"result": "ACCEPTED"}
        else:
            url = request.query["response_url"]
            profile = {
                "start_date_time": now_text(),
                "charging_profile": {
                    "charging_rate_unit": "W",
                    "charging_profile_period": [{"start_period": 0, "limit": 7400.0}],
                },
            }
            result = {"result": "ACCEPTED", "profile": profile}
        self._later(url, result)
        return web.json_response(envelope({"result": "ACCEPTED", "timeout": 30}))

    # --- pushing to the eMSP ----------------------------------------------------------

    async def push(
        self,
        method: str,
        module: str,
        path: str = "",
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        query: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Send one request to the eMSP's endpoint of `module`; returns status, envelope,
        headers."""
        base = (
            self.emsp_endpoints.get((module, "RECEIVER")) or self.emsp_endpoints[(module, "SENDER")]
        )
        url = base + (f"/{path}" if path else "")
        sent = {**self.headers(routing=module != "credentials"), **(headers or {})}
        sent = {name: value for name, value in sent.items() if value}  # "" removes a header
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        async with aiohttp.ClientSession() as http:
            async with http.request(method, url, data=data, headers=sent, params=query) as response:
                return response.status, await response.json(), dict(response.headers)
