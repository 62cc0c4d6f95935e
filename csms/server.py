"""The OCPP-J websocket endpoint: handshake (path, subprotocol, basic auth), then one
`StationConnection` per station.

Handshake rules (DESIGN.md contracts, PITFALLS "Real chargers" #3, #10):
- the station id is the last path segment under `[ocpp] path`, URL-decoded;
- the subprotocol list is read leniently (`,ocpp2.0.1` works); the first one we speak wins;
  no subprotocol at all → the station's version override or `[ocpp] default_version`;
  only unsupported ones → HTTP 400 naming what we speak;
- security profile 1/2: HTTP Basic auth with user = station id, checked against the stored
  scrypt hash (a wrong password → 401, logged without the password);
- unknown stations follow `[ocpp] unknown_stations`; `reject` → HTTP 404;
- a new connection for a station already connected replaces the old one at once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import secrets
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from sqlalchemy.ext.asyncio import AsyncConnection
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from csms.connection import StationConnection
from csms.context import CsmsServices, StationContext, StationView
from csms.dispatch import RouteTable
from csms.ocppj import get_validator
from csms.registry import ConnectionRegistry
from csms.repeats import RepeatGuard
from csms.station_view import load_station_view, record_connection
from shared.domain.stations import RegistrationStatus
from shared.logging import get_logger
from shared.secrets import verify_password
from shared.store.stations import StationSettings, get_station_settings, mark_disconnected
from shared.store.uow import UnitOfWork

__all__ = ["SUBPROTOCOLS", "HandshakeInfo", "OcppServer"]

_T = TypeVar("_T")

SUBPROTOCOLS = {"ocpp1.6": "1.6", "ocpp2.0.1": "2.0.1"}
_LISTEN_BACKLOG = 4096  # the kernel caps it at net.core.somaxconn
_BY_VERSION = {version: name for name, version in SUBPROTOCOLS.items()}

log = get_logger("csms.server")


@dataclass(frozen=True, slots=True)
class HandshakeInfo:
    station_id: str
    version: str
    subprotocol: str | None
    known: bool
    ping_interval: float | None
    lenient: bool
    view: StationView


def offered_subprotocols(headers: Headers) -> list[str]:
    """Every subprotocol the client offered, tolerating empty and repeated list elements."""
    offered: list[str] = []
    for value in headers.get_all("Sec-WebSocket-Protocol"):
        offered.extend(part.strip() for part in value.split(",") if part.strip())
    return offered


class OcppServer:
    """Owns the websocket server and the connections of this node."""

    def __init__(self, services: CsmsServices, routes: dict[str, RouteTable]) -> None:
        self.services = services
        self.routes = routes
        self.registry = ConnectionRegistry()
        settings = services.settings.ocpp
        self._validators = {v: get_validator(v, "lenient") for v in routes}
        self._outgoing = (
            {v: get_validator(v, "strict") for v in routes} if settings.validate_outgoing else {}
        )
        self._server: Server | None = None
        self._auth_cache: dict[str, tuple[str, bytes]] = {}
        self._auth_key = secrets.token_bytes(32)
        self._handshakes: dict[int, HandshakeInfo] = {}
        self._sessions: set[asyncio.Task[None]] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._repeats = RepeatGuard()

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        assert self._server is not None
        sockets = list(self._server.sockets)
        port: int = sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        settings = self.services.settings.ocpp
        for validator in self._validators.values():
            validator.warm_up()
        self._server = await serve(
            self._session,
            settings.host,
            settings.port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            compression=None,
            max_size=settings.max_frame_bytes,
            ping_interval=None,
            close_timeout=2,  # a deaf peer must not hold up shutdown or a replacement
            ssl=self._ssl_context(),
            server_header="Laddpunkt",
            # A boot storm (every charger reconnecting after a restart) brings thousands of
            # connections at once; asyncio's default listen backlog of 100 drops their SYNs
            # and the chargers retry seconds later.
            backlog=_LISTEN_BACKLOG,
        )
        log.info(
            "ocpp.server.listening",
            host=settings.host,
            port=self.port,
            path=settings.path,
            tls=self._ssl_context() is not None,
        )

    def _ssl_context(self) -> ssl.SSLContext | None:
        settings = self.services.settings.ocpp
        if not settings.tls_cert:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
        return context

    async def aclose(self) -> None:
        """Close every station's socket and stop listening."""
        if self._server is not None:
            self._server.close(close_connections=True)
            await self._server.wait_closed()
        if self._sessions or self._background:
            await asyncio.gather(*self._sessions, *self._background, return_exceptions=True)

    # --- handshake -------------------------------------------------------------------------

    def _refuse(self, status: HTTPStatus, reason: str, **fields: object) -> Response:
        log.warning("ocpp.handshake.refused", status=int(status), reason=reason, **fields)
        response = Response(int(status), status.phrase, Headers(), f"{reason}\n".encode())
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
        response.headers["Content-Length"] = str(len(response.body))
        return response

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        settings = self.services.settings.ocpp
        path = urlsplit(request.path).path
        prefix = settings.path.rstrip("/") + "/"
        if not path.startswith(prefix) or path == prefix:
            return self._refuse(HTTPStatus.NOT_FOUND, f"expected {prefix}{{station_id}}", path=path)
        station_id = unquote(path.rstrip("/").rsplit("/", 1)[-1])
        if not station_id or len(station_id) > 255:
            return self._refuse(HTTPStatus.NOT_FOUND, "missing or too long station id", path=path)
        offered = offered_subprotocols(request.headers)
        async with self.services.database.read() as conn:
            known = await get_station_settings(conn, station_id)
            version = self._choose_version(offered, known.version_override)
            if version is None:
                return self._refuse(
                    HTTPStatus.BAD_REQUEST,
                    f"unsupported subprotocol(s) {', '.join(offered)}; "
                    f"this server speaks {', '.join(SUBPROTOCOLS)}",
                    station_id=station_id,
                )
            admitted = await self._admit(conn, request, station_id, known)
        if isinstance(admitted, Response):
            return admitted
        self._handshakes[id(connection)] = HandshakeInfo(
            station_id=station_id,
            version=version,
            subprotocol=next((p for p in offered if SUBPROTOCOLS.get(p) == version), None),
            known=known.known,
            ping_interval=_first_set(known.ping_interval, settings.ping_interval),
            lenient=bool(_first_set(known.lenient, settings.lenient)),
            view=admitted,
        )
        if not offered:
            log.info("ocpp.handshake.no_subprotocol", station_id=station_id, served_as=version)
        return None

    def _choose_version(self, offered: list[str], override: str | None) -> str | None:
        if not offered:
            return override or self.services.settings.ocpp.default_version
        for name in offered:
            version = SUBPROTOCOLS.get(name)
            if version is not None and version in self.routes:
                return version
        return None

    async def _admit(
        self,
        conn: AsyncConnection,
        request: Request,
        station_id: str,
        known: StationSettings,
    ) -> Response | StationView:
        """Authenticate, then load the station's view in the same read transaction."""
        refusal = self._authenticate(request, station_id, known)
        if refusal is not None:
            return refusal
        registration = known.registration or self._registration_if_new()
        return await load_station_view(conn, station_id, registration)

    def _registration_if_new(self) -> RegistrationStatus:
        policy = self.services.settings.ocpp.unknown_stations
        return RegistrationStatus.PENDING if policy == "pending" else RegistrationStatus.ACCEPTED

    def _authenticate(
        self, request: Request, station_id: str, known: StationSettings
    ) -> Response | None:
        policy = self.services.settings.ocpp.unknown_stations
        if not known.known and policy == "reject":
            return self._refuse(HTTPStatus.NOT_FOUND, "unknown station", station_id=station_id)
        password_hash = known.password_hash
        if password_hash is None:
            return None
        password = _basic_password(request.headers.get("Authorization"), station_id)
        if password is None or not self._password_ok(station_id, password, password_hash):
            response = self._refuse(
                HTTPStatus.UNAUTHORIZED, "authentication failed", station_id=station_id
            )
            response.headers["WWW-Authenticate"] = 'Basic realm="laddpunkt", charset="UTF-8"'
            return response
        return None

    def _password_ok(self, station_id: str, password: str, stored: str) -> bool:
        # scrypt costs ~20–50 ms: remember the last good (hash, password MAC) per station so
        # reconnect storms do not pay it again.
        mac = hmac.new(self._auth_key, password.encode(), hashlib.sha256).digest()
        cached = self._auth_cache.get(station_id)
        if cached is not None and cached[0] == stored and hmac.compare_digest(cached[1], mac):
            return True
        if verify_password(password, stored):
            self._auth_cache[station_id] = (stored, mac)
            return True
        return False

    def _select_subprotocol(
        self, connection: ServerConnection, subprotocols: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        info = self._handshakes.get(id(connection))
        if info is None or info.subprotocol is None:
            return None
        return Subprotocol(info.subprotocol)

    # --- session ---------------------------------------------------------------------------

    async def _session(self, ws: ServerConnection) -> None:
        info = self._handshakes.pop(id(ws), None)
        if info is None:  # process_request refused; websockets never calls us then
            return
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        try:
            await self._run_session(ws, info)
        finally:
            self._sessions.discard(task)

    async def _run_session(self, ws: ServerConnection, info: HandshakeInfo) -> None:
        services = self.services
        station_log = log.bind(station_id=info.station_id, ocpp_version=info.version)
        view = info.view
        view.lenient = info.lenient
        await record_connection(
            services, info.station_id, info.version, self._registration_if_new()
        )
        ctx = StationContext(info.station_id, info.version, services, view, station_log)
        connection = StationConnection(
            ws,
            ctx,
            self.routes[info.version],
            self._validators[info.version],
            self._outgoing.get(info.version),
            self._repeats,
        )
        previous = self.registry.replace(connection)
        if previous is not None:
            # The new socket wins at once; the old one (maybe half-open, PITFALLS #10) is
            # closed in the background so its close handshake cannot delay the new one.
            station_log.info("ocpp.connection.replaced")
            self._own(asyncio.create_task(previous.close(1000, "replaced by a newer connection")))
        station_log.info("ocpp.connection.opened", subprotocol=info.subprotocol)
        keepalive = (
            asyncio.create_task(self._keepalive(connection, info.ping_interval))
            if info.ping_interval
            else None
        )
        try:
            await connection.serve()
        finally:
            if keepalive is not None:
                keepalive.cancel()
            still_current = self.registry.remove(connection)
            station_log.info(
                "ocpp.connection.closed", code=ws.close_code, replaced=not still_current
            )
            if still_current:
                await self._record_disconnect(info.station_id)

    def _own(self, task: asyncio.Task[None]) -> None:
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _record_disconnect(self, station_id: str) -> None:
        node_id = self.services.node_id

        async def disconnected(uow: UnitOfWork) -> None:
            await mark_disconnected(uow, station_id, node_id)

        try:
            await self.services.writer.run(disconnected)
        except Exception:
            log.exception("ocpp.disconnect.not_recorded", station_id=station_id)

    async def _keepalive(self, connection: StationConnection, interval: float) -> None:
        timeout = self.services.settings.ocpp.ping_timeout
        while not connection.closed.is_set():
            await asyncio.sleep(interval)
            try:
                pong = await connection.ws.ping()
                await asyncio.wait_for(pong, timeout)
            except TimeoutError:
                # The peer is gone or deaf: a close handshake would wait for it in vain.
                connection.ctx.log.warning("ocpp.keepalive.timeout", interval=interval)
                connection.abort()
                return
            except Exception:
                return


def _first_set(*values: _T | None) -> _T | None:
    """The first value that is not None (per-station setting, then the node's default)."""
    return next((value for value in values if value is not None), None)


def _basic_password(header: str | None, station_id: str) -> str | None:
    """The password from `Authorization: Basic …` when the user is `station_id`."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep or user != station_id:
        return None
    return password
