"""The simulated eMSP's HTTP side: versions, credentials, Receiver and Sender interfaces.

Every request passes one wrapper (`_endpoint`) that does what transport_and_format asks
of a server and checks what it asks of the client:

- Authorization: the token we gave the CPO (Base64, or raw as 2.1.1-era parties send
  it); a Token A we issued works on versions and credentials only; otherwise HTTP 401.
- X-Request-ID / X-Correlation-ID: must be sent; echoed in the answer.
- Routing headers on functional modules: TO must be us, FROM one of the CPO's roles;
  the answer carries them reversed (*Message Routing*, direct response).
- Request bodies: valid JSON (else HTTP 400), Content-Type application/json.
- Client-owned objects: URL country code and party id must be one of the CPO's roles.

Whatever the CPO gets wrong is added to the problem list and to the event it caused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .client import CONFIG_MODULES, CpoClient
from .events import EventLog
from .party import OUR_MODULES, VERSION, PartyState
from .results import ResultBook
from .store import Outcome, ReceivedStore
from .tokens import TokenBook
from .wire import decode_authorization, envelope, json_dumps, json_loads, new_id

__all__ = ["EMSP_CONTEXT", "EmspContext", "Handler", "Request", "build_app", "endpoint"]


@dataclass(slots=True)
class EmspContext:
    """Everything the request handlers share."""

    party: PartyState
    store: ReceivedStore
    tokens: TokenBook
    results: ResultBook
    log: EventLog
    client: CpoClient
    accept_raw_tokens: bool = True
    routing_headers: bool = True
    page_limit: int = 50
    #: False: every request gets HTTP 503 at once (a partner in an outage).
    available: bool = True
    #: When set and not yet released, requests wait for it (a partner that hangs).
    gate: asyncio.Event | None = None
    refused: int = 0  # requests answered 503 while unavailable

    def problem(self, text: str) -> None:
        self.store.problem(text)


EMSP_CONTEXT = web.AppKey("emsp_context", EmspContext)


@dataclass(frozen=True, slots=True)
class Request:
    """What a handler gets: the context, the aiohttp request, the parsed body."""

    ctx: EmspContext
    http: web.Request
    body: Any
    token: str  # the credentials token the CPO presented (decoded)

    def arg(self, name: str) -> str:
        return self.http.match_info[name]


Handler = Callable[[Request], Awaitable[Outcome]]


def _module_of(path: str) -> tuple[str, str]:
    """(module, object path) of a request path under /ocpi/emsp/."""
    parts = [p for p in path.split("/") if p][2:]  # drop "ocpi", "emsp"
    if not parts or parts[0] == "versions" or len(parts) == 1:
        return "versions", ""
    return parts[1], "/".join(parts[2:])


def _authenticate(
    ctx: EmspContext, request: web.Request, module: str
) -> tuple[str | None, list[str]]:
    sent, decoded = decode_authorization(request.headers.get("Authorization"))
    party = ctx.party
    for candidate, raw in ((decoded, False), (sent, True)):
        if candidate is None:
            continue
        if candidate in party.incoming_tokens or (
            candidate in party.invite_tokens and module in ("versions", "credentials")
        ):
            if raw and not ctx.accept_raw_tokens:
                return None, ["the CPO sent its token without Base64 encoding"]
            notes = ["the CPO sent its token without Base64 (2.2.1 wants it)"] if raw else []
            return candidate, notes
    return None, []


def _header_problems(ctx: EmspContext, request: web.Request, module: str) -> list[str]:
    where = f"{request.method} {request.path}"
    problems = [
        f"{where}: {name} missing"
        for name in ("X-Request-ID", "X-Correlation-ID")
        if not request.headers.get(name)
    ]
    if ctx.routing_headers and module not in CONFIG_MODULES:
        to = (
            request.headers.get("OCPI-to-country-code", "").upper(),
            request.headers.get("OCPI-to-party-id", "").upper(),
        )
        if to != (ctx.party.country_code.upper(), ctx.party.party_id.upper()):
            problems.append(f"{where}: OCPI-to headers {to} do not name us")
        sender = (
            request.headers.get("OCPI-from-country-code", ""),
            request.headers.get("OCPI-from-party-id", ""),
        )
        if not ctx.party.is_cpo_party(*sender):
            problems.append(f"{where}: OCPI-from headers {sender} are not one of the CPO's roles")
    if request.can_read_body and request.content_type != "application/json":
        problems.append(f"{where}: Content-Type is {request.content_type!r}")
    return problems


def _respond(ctx: EmspContext, request: web.Request, module: str, outcome: Outcome) -> web.Response:
    headers = {
        "X-Request-ID": request.headers.get("X-Request-ID") or new_id(),
        "X-Correlation-ID": request.headers.get("X-Correlation-ID") or new_id(),
        **outcome.headers,
    }
    if module not in CONFIG_MODULES:
        headers["OCPI-from-country-code"] = ctx.party.country_code
        headers["OCPI-from-party-id"] = ctx.party.party_id
        headers["OCPI-to-country-code"] = request.headers.get("OCPI-from-country-code", "")
        headers["OCPI-to-party-id"] = request.headers.get("OCPI-from-party-id", "")
    body = envelope(outcome.data, outcome.status_code, outcome.message)
    return web.Response(
        body=json_dumps(body).encode(),
        status=outcome.http_status,
        headers=headers,
        content_type="application/json",
    )


def endpoint(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Wrap a handler with authentication, header checks, body parsing and recording."""

    async def wrapped(request: web.Request) -> web.Response:
        ctx = request.app[EMSP_CONTEXT]
        if ctx.gate is not None:
            await ctx.gate.wait()
        if not ctx.available:
            ctx.refused += 1
            return web.Response(status=503, text="simulated outage")
        module, path = _module_of(request.path)
        token, notes = _authenticate(ctx, request, module)
        if token is None:
            outcome = Outcome(status_code=2000, http_status=401, message="unknown token")
            ctx.log.add(
                module=module,
                method=request.method,
                path=path,
                body=None,
                status_code=401,
                problems=tuple(notes),
            )
            for note in notes:
                ctx.problem(note)
            return _respond(ctx, request, module, outcome)
        problems = [*notes, *_header_problems(ctx, request, module)]
        body: Any = None
        raw = await request.read()
        if raw:
            try:
                body = json_loads(raw)
            except ValueError:
                problems.append(f"{request.method} {request.path}: body is not JSON")
                outcome = Outcome(status_code=2001, http_status=400, message="invalid JSON")
                return _finish(ctx, request, module, path, None, outcome, problems)
        before = len(ctx.store.problems)
        outcome = await handler(Request(ctx, request, body, token))
        problems += ctx.store.problems[before:]
        del ctx.store.problems[before:]
        return _finish(ctx, request, module, path, body, outcome, problems)

    return wrapped


def _finish(
    ctx: EmspContext,
    request: web.Request,
    module: str,
    path: str,
    body: Any,
    outcome: Outcome,
    problems: list[str],
) -> web.Response:
    ctx.store.problems.extend(problems)
    ctx.log.add(
        module=module,
        method=request.method,
        path=path,
        body=body,
        status_code=outcome.status_code,
        problems=tuple(problems),
    )
    return _respond(ctx, request, module, outcome)


async def versions(req: Request) -> Outcome:
    """GET versions (version_information_endpoint)."""
    return Outcome(data=[{"version": VERSION, "url": req.ctx.party.version_url}])


async def version_details(req: Request) -> Outcome:
    """GET the 2.2.1 version details: our endpoints and their roles."""
    party = req.ctx.party
    endpoints = [
        {"identifier": module, "role": role, "url": party.module_url(module)}
        for module, role in OUR_MODULES.items()
    ]
    return Outcome(data={"version": VERSION, "endpoints": endpoints})


def build_app(ctx: EmspContext) -> web.Application:
    """The eMSP's aiohttp application, every route under /ocpi/emsp/."""
    from .routes import ROUTES  # the module handlers import this one

    app = web.Application()
    app[EMSP_CONTEXT] = ctx
    base = f"/ocpi/emsp/{VERSION}"
    app.router.add_get("/ocpi/emsp/versions", endpoint(versions))
    app.router.add_get(base, endpoint(version_details))
    for method, path, handler in ROUTES:
        app.router.add_route(method, base + path, endpoint(handler))
    return app
