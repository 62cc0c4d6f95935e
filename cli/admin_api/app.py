"""The operator API: an aiohttp sub-application the node mounts at `/admin/`.

Authentication (DESIGN.md: bearer token `[http] admin_token`): with a token configured,
every request must carry `Authorization: Bearer <token>`; without one, only requests from
the loopback interface are served (logged once at start-up). Every answer is JSON; errors
are `{"error": code, "detail": …}` with a fitting status (see `errors.py`).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from pydantic import ValidationError

from cli.admin_api.errors import (
    ApiError,
    ForbiddenError,
    InvalidBodyError,
    UnauthorizedError,
)
from cli.admin_api.keys import SERVICES, AdminServices
from shared.logging import get_logger

__all__ = ["AdminServices", "create_admin_app"]

log = get_logger("laddpunkt.admin")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    # A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _check_access(request: web.Request, token: str | None) -> None:
    if token is None:
        if not _is_loopback(request.remote):
            raise ForbiddenError(
                "no [http] admin_token is configured: the operator API only answers "
                "requests from 127.0.0.1"
            )
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise UnauthorizedError("missing bearer token (Authorization: Bearer <admin_token>)")
    if not hmac.compare_digest(presented.strip().encode(), token.encode()):
        raise UnauthorizedError("wrong admin token")


def _error_response(error: ApiError) -> web.Response:
    response = web.json_response(error.body(), status=error.status)
    if isinstance(error, UnauthorizedError):
        response.headers["WWW-Authenticate"] = 'Bearer realm="laddpunkt-admin"'
    return response


def _http_error_code(status: int) -> str:
    return {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(status, "http_error")


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The one table from failures to answers (STYLE: errors in one place per edge)."""
    try:
        return await handler(request)
    except ApiError as error:
        return _error_response(error)
    except ValidationError as error:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in error.errors(include_url=False)
        ]
        return _error_response(InvalidBodyError(details))
    except web.HTTPException as error:
        if error.status < 400:
            raise
        body = {"error": _http_error_code(error.status), "detail": error.reason}
        return web.json_response(body, status=error.status, headers=_allow_header(error))
    except Exception:
        log.exception("admin.request.failed", method=request.method, path=request.path)
        return _error_response(ApiError("unexpected server error; see the server log"))


def _allow_header(error: web.HTTPException) -> dict[str, str]:
    allow = error.headers.get("Allow")
    return {"Allow": allow} if allow else {}


def _auth(token: str | None) -> Middleware:
    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        _check_access(request, token)
        return await handler(request)

    return authenticate


async def _announce(app: web.Application) -> None:
    services = app[SERVICES]
    if services.settings.http.admin_token is None:
        log.warning(
            "admin.api.loopback_only",
            reason="no [http] admin_token configured",
            detail="the operator API answers requests from 127.0.0.1 only",
        )


async def _index(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    return web.json_response(
        {
            "service": "laddpunkt-admin",
            "node_id": services.settings.node.id,
            "commands": services.commands is not None,
        }
    )


def create_admin_app(services: AdminServices) -> web.Application:
    """The `/admin/` sub-application over `services`."""
    from cli.admin_api import billing, commands, directory, ocpi, sessions, stations

    secret = services.settings.http.admin_token
    token = secret.get_secret_value() if secret is not None else None
    app = web.Application(middlewares=[_errors, _auth(token)])
    app[SERVICES] = services
    app.on_startup.append(_announce)
    app.router.add_get("/", _index)
    stations.add_routes(app.router)
    sessions.add_routes(app.router)
    commands.add_routes(app.router)
    directory.add_routes(app.router)
    billing.add_routes(app.router)
    ocpi.add_routes(app.router)
    return app
