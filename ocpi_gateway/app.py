"""The OCPI aiohttp sub-application (the node mounts it at `/ocpi/`).

`create_ocpi_app(services)` builds it: the versions endpoint, each version's details and
module routes (from the version registries), one `OcpiClient` owned by the app's cleanup
context, and ONE middleware that every request passes through:

1. `X-Request-ID` / `X-Correlation-ID` are echoed (or made up when missing) on the answer
   (transport_and_format, *Unique message IDs*);
2. the credentials token is checked (`Authorization: Token …`, Base64 or raw): a missing or
   unknown token, or Token A outside versions/credentials, is HTTP 401;
3. routing headers are read for functional modules, and the answer carries them swapped
   (transport_and_format, *Message Routing Headers*); configuration modules get none;
4. every failure becomes an OCPI envelope with its status code and HTTP status (the table
   is the exception tree in `errors.py`, plus `_http_error` for the router's 404/405/413).

Handlers are framework-free (`routing.py`); `_route_handler` adapts them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from ocpi_gateway.auth import token_candidates
from ocpi_gateway.client import OcpiClient
from ocpi_gateway.documents import DocumentCaches
from ocpi_gateway.errors import (
    AuthenticationError,
    InvalidParametersError,
    MethodNotAllowedError,
    OcpiError,
    RouteNotFoundError,
    ServerError,
    UnsupportedVersionError,
)
from ocpi_gateway.routing import (
    Handler,
    ModuleSpec,
    OcpiRequest,
    OcpiResult,
    Party,
    Rendered,
    RenderedList,
    RequestContext,
)
from ocpi_gateway.services import OcpiIdentity, OcpiServices
from ocpi_gateway.token_cache import DEFAULT_TTL, KnownToken, TokenCache
from ocpi_gateway.v221.models.serialization import json_dumps
from ocpi_gateway.versions import VersionSpec, versions_handler
from shared.events import ConnectorStatusChanged, EventBus
from shared.logging import get_logger
from shared.secrets import hash_token
from shared.store.hot_reads import HotReads, open_hot_reads
from shared.store.location_writers import register_location_writers
from shared.store.partners import TokenKind, find_by_token_hash

__all__ = [
    "CLIENT",
    "CONTEXT",
    "DOCUMENTS",
    "HOT_READS",
    "SERVICES",
    "TOKENS",
    "VERSIONS",
    "create_ocpi_app",
    "supported_versions",
]

log = get_logger("laddpunkt.ocpi")

SERVICES = web.AppKey("ocpi_services", OcpiServices)
CLIENT = web.AppKey("ocpi_client", OcpiClient)
VERSIONS = web.AppKey("ocpi_versions", tuple[VersionSpec, ...])
DOCUMENTS = web.AppKey("ocpi_documents", DocumentCaches)
HOT_READS = web.AppKey("ocpi_hot_reads", HotReads)
#: Who we are, read from the settings once (they do not change while the app runs).
IDENTITY = web.AppKey("ocpi_identity", OcpiIdentity)
TOKENS = web.AppKey("ocpi_tokens", TokenCache)
CONTEXT = web.RequestKey("ocpi_context", RequestContext)
REQUEST_ID = web.RequestKey("ocpi_request_id", str)
CORRELATION_ID = web.RequestKey("ocpi_correlation_id", str)

HttpHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: Which module each route handler belongs to (the middleware's access rules need it).
MODULE_OF = web.AppKey("ocpi_module_of", dict[HttpHandler, ModuleSpec])

#: The versions endpoint and version details: configuration, reachable with Token A.
_VERSIONS_MODULE = ModuleSpec(
    identifier="versions", role="SENDER", routes=(), configuration=True, token_a=True
)
_VERSION_SEGMENT = re.compile(r"^\d+\.\d+(\.\d+)?$")
#: CiString(2) / CiString(3) of the routing headers.
_ROUTING_LIMITS = {"country-code": 2, "party-id": 3}


def supported_versions() -> tuple[VersionSpec, ...]:
    """Every version this build serves (one entry per version folder)."""
    from ocpi_gateway.v221.registry import VERSION as V221

    return (V221,)


def _route_handler(app: web.Application, module: ModuleSpec, handler: Handler) -> HttpHandler:
    """An aiohttp handler around one framework-free OCPI handler of `module`."""
    public_url = app[SERVICES].identity.public_url.rstrip("/")

    async def handle(request: web.Request) -> web.StreamResponse:
        app = request.app
        services = app[SERVICES]
        ocpi_request = OcpiRequest(
            method=request.method,
            path_params=dict(request.match_info),
            query={key: request.query.getone(key) for key in request.query},
            body=await request.read() if request.body_exists else b"",
            context=request[CONTEXT],
            services=services,
            client=app[CLIENT],
            url=public_url + request.path,
            received_at=services.clock(),
            documents=app[DOCUMENTS],
            reads=app[HOT_READS],
        )
        result = await handler(ocpi_request)
        return _render(request, result)

    app[MODULE_OF][handle] = module
    return handle


def _rendered_envelope(result: OcpiResult, now: datetime) -> bytes:
    """The envelope around `Rendered`/`RenderedList` data, as one join of bytes (the same
    JSON `json_dumps` writes for the envelope of parsed data)."""
    data = result.data
    parts: list[bytes] = [b'{"data":']
    if isinstance(data, Rendered):
        parts.append(data.json)
    else:
        parts.append(b"[")
        for item in data.items:
            parts += (item, b",")
        if data.items:
            parts.pop()
        parts.append(b"]")
    parts.append(b',"status_code":1000')
    if result.message:
        parts += (b',"status_message":', json_dumps(result.message))
    parts += (b',"timestamp":', json_dumps(now), b"}")
    return b"".join(parts)


def _render(request: web.Request, result: OcpiResult) -> web.Response:
    now = request.app[SERVICES].clock()
    if isinstance(result.data, Rendered | RenderedList):
        body = _rendered_envelope(result, now)
    else:
        envelope: dict[str, Any] = {}
        if result.data is not None:
            envelope["data"] = result.data
        envelope["status_code"] = 1000
        if result.message:
            envelope["status_message"] = result.message
        envelope["timestamp"] = now
        body = json_dumps(envelope)
    return web.Response(
        body=body,
        status=result.http_status,
        headers=dict(result.headers),
        content_type="application/json",
    )


def _error_response(request: web.Request, error: OcpiError) -> web.Response:
    body = {
        "status_code": error.status_code,
        "status_message": error.message,
        "timestamp": request.app[SERVICES].clock(),
    }
    response = web.Response(
        body=json_dumps(body), status=error.http_status, content_type="application/json"
    )
    if isinstance(error, AuthenticationError):
        response.headers["WWW-Authenticate"] = 'Token realm="ocpi"'
    if isinstance(error, MethodNotAllowedError) and error.allow:
        response.headers["Allow"] = ", ".join(error.allow)
    return response


def _http_error(request: web.Request, error: web.HTTPException) -> OcpiError:
    """The router's own refusals, in OCPI terms."""
    if error.status == 404:
        # The segment after the mount point is where a version number would be.
        segments = [part for part in request.path.split("/") if part]
        segment = segments[1] if len(segments) > 1 else ""
        known = {spec.number for spec in request.app[VERSIONS]}
        if _VERSION_SEGMENT.match(segment) and segment not in known:
            return UnsupportedVersionError(
                f"OCPI version {segment} is not supported here", http_status=404
            )
        return RouteNotFoundError(f"no OCPI resource at {request.path}")
    if error.status == 405:
        allow = tuple(sorted(getattr(error, "allowed_methods", ()) or ()))
        return MethodNotAllowedError(f"{request.method} is not allowed here", allow=allow)
    if error.status == 413:
        return InvalidParametersError("the request body is too large", http_status=413)
    return InvalidParametersError(error.reason or "bad request", http_status=error.status)


def _module_of(request: web.Request) -> ModuleSpec | None:
    return request.app[MODULE_OF].get(request.match_info.handler)


def _routing_party(request: web.Request, direction: str) -> Party | None:
    country = request.headers.get(f"OCPI-{direction}-country-code", "").strip()
    party = request.headers.get(f"OCPI-{direction}-party-id", "").strip()
    if not country and not party:
        return None
    for name, value in (("country-code", country), ("party-id", party)):
        limit = _ROUTING_LIMITS[name]
        if not value or len(value) > limit or not value.isascii() or not value.isprintable():
            raise InvalidParametersError(
                f"header OCPI-{direction}-{name} must be a CiString of 1 to {limit} characters"
            )
    return Party(country.upper(), party.upper())


async def _find_partner(request: web.Request, header: str | None) -> KnownToken | None:
    """The partner the `Authorization` header names (cached, see `token_cache`)."""
    cache = request.app[TOKENS]
    known = cache.get(header) if header else None
    if known is not None:
        return known
    candidates = token_candidates(header)
    if not candidates:
        raise AuthenticationError("missing credentials token (Authorization: Token …)")
    async with request.app[SERVICES].database.read() as conn:
        for token in candidates:
            found = await find_by_token_hash(conn, hash_token(token))
            if found is not None:
                known = KnownToken(token, *found)
                cache.put(header or "", known)
                return known
    return None


async def _authenticate(request: web.Request, module: ModuleSpec | None) -> RequestContext:
    known = await _find_partner(request, request.headers.get("Authorization"))
    if known is None:
        raise AuthenticationError("unknown credentials token")
    token, partner, kind = known.token, known.partner, known.kind
    if kind is TokenKind.INVITE and (module is None or not module.token_a):
        # transport_and_format, *Authorization header*: Token A is for versions and
        # credentials only.
        raise AuthenticationError("this token is only valid on versions and credentials")
    from_party = to_party = None
    if module is not None and not module.configuration:
        from_party = _routing_party(request, "from")
        to_party = _routing_party(request, "to")
        if to_party is not None and not request.app[IDENTITY].is_us(
            to_party.country_code, to_party.party_id
        ):
            raise RouteNotFoundError(
                f"{to_party.country_code}*{to_party.party_id} is not a party on this platform"
            )
    return RequestContext(
        partner=partner,
        token_kind=kind,
        token=token,
        request_id=request[REQUEST_ID],
        correlation_id=request[CORRELATION_ID],
        from_party=from_party,
        to_party=to_party,
    )


def _set_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["X-Request-ID"] = request[REQUEST_ID]
    response.headers["X-Correlation-ID"] = request[CORRELATION_ID]
    context = request.get(CONTEXT)
    module = _module_of(request)
    if context is None or module is None or module.configuration:
        return
    # A response goes back to the requesting party, from the party that answers.
    identity = request.app[IDENTITY]
    if context.from_party is not None:
        response.headers["OCPI-to-country-code"] = context.from_party.country_code
        response.headers["OCPI-to-party-id"] = context.from_party.party_id
    response.headers["OCPI-from-country-code"] = identity.country_code
    response.headers["OCPI-from-party-id"] = identity.party_id


@web.middleware
async def ocpi_middleware(request: web.Request, handler: HttpHandler) -> web.StreamResponse:
    """Authentication, routing headers, ids, and the error table (see module doc)."""
    request[REQUEST_ID] = request.headers.get("X-Request-ID") or str(uuid.uuid4())
    request[CORRELATION_ID] = request.headers.get("X-Correlation-ID") or str(uuid.uuid4())
    try:
        http_exception = request.match_info.http_exception
        if http_exception is not None:
            # Authenticate first (an unknown token is 401 on any URL), then refuse.
            request[CONTEXT] = await _authenticate(request, _VERSIONS_MODULE)
            raise http_exception
        request[CONTEXT] = await _authenticate(request, _module_of(request))
        response = await handler(request)
    except OcpiError as error:
        response = _error_response(request, error)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = _error_response(request, _http_error(request, error))
    except Exception:
        log.exception("ocpi.request.failed", method=request.method, path=request.path)
        response = _error_response(request, ServerError("unexpected server error"))
    if request.method != "GET" and (module := _module_of(request)) and module.configuration:
        request.app[TOKENS].clear()  # credentials may have changed (token_cache)
    _set_headers(request, response)
    return response


def _add_module_routes(app: web.Application, root: str, module: ModuleSpec) -> None:
    base = f"{root}/{module.segment}"
    for route in module.routes:
        handler = _route_handler(app, module, route.handler)
        path = base + route.path
        app.router.add_route(route.method, path, handler)
        app.router.add_route(route.method, path + "/", handler)


def _add_version_routes(app: web.Application, spec: VersionSpec) -> None:
    details = _route_handler(app, _VERSIONS_MODULE, spec.details(spec))
    app.router.add_get(f"/{spec.number}", details)
    app.router.add_get(f"/{spec.number}/", details)
    for module in spec.modules:
        _add_module_routes(app, f"/{spec.number}", module)


async def _client_context(app: web.Application) -> AsyncIterator[None]:
    client = app[CLIENT]
    await client.start()
    yield
    await client.aclose()


def _reads_context(fast: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    async def hot_reads(app: web.Application) -> AsyncIterator[None]:
        app[HOT_READS] = await open_hot_reads(app[SERVICES].database, fast=fast)
        try:
            yield
        finally:
            await app[HOT_READS].aclose()

    return hot_reads


def _install_writers(bus: EventBus) -> None:
    """The in-transaction writers that keep what partners see current (once per bus)."""
    if not any(
        getattr(writer, "__module__", "") == "shared.store.location_writers"
        for writer in bus.transactional_writers(ConnectorStatusChanged)
    ):
        register_location_writers(bus)


def create_ocpi_app(
    services: OcpiServices,
    versions: tuple[VersionSpec, ...] | None = None,
    *,
    documents: DocumentCaches | None = None,
    fast_reads: bool = True,
    token_ttl: float = DEFAULT_TTL,
) -> web.Application:
    """The `/ocpi/` sub-application over `services` (all supported versions by default).

    `documents` keeps rendered objects (a fresh `DocumentCaches` by default; tests pass one
    in `validate` mode); `fast_reads` runs the hot queries on the driver
    (`shared.store.hot_reads`); `token_ttl` is how long a token look-up is kept
    (`token_cache`; 0: not at all).
    """
    specs = versions if versions is not None else supported_versions()
    app = web.Application(middlewares=[ocpi_middleware])
    app[SERVICES] = services
    app[IDENTITY] = services.identity
    app[VERSIONS] = specs
    app[DOCUMENTS] = documents if documents is not None else DocumentCaches()
    app[TOKENS] = TokenCache(token_ttl)
    app[CLIENT] = OcpiClient(timeout=services.settings.ocpi.push_timeout)
    app.cleanup_ctx.append(_client_context)
    app.cleanup_ctx.append(_reads_context(fast_reads))
    if services.bus is not None:
        _install_writers(services.bus)
    app[MODULE_OF] = {}
    listing = _route_handler(app, _VERSIONS_MODULE, versions_handler(specs))
    app.router.add_get("/versions", listing)
    app.router.add_get("/versions/", listing)
    for spec in specs:
        _add_version_routes(app, spec)
    return app
