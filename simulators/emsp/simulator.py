"""`EmspSimulator`: a scriptable eMSP roaming partner on a real socket.

    async with EmspSimulator(EmspOptions(country_code="NL", party_id="SIM")) as emsp:
        await emsp.register(cpo_versions_url, token_a)
        await emsp.push_token(emsp.add_token("04A1B2C3D4"))
        locations = await emsp.pull("locations")
        start = await emsp.start_session(location_id, evse_uid)
        assert (await start.result())["result"] == "ACCEPTED"
        session = await emsp.wait_for_session(status="ACTIVE")
        ...
        assert emsp.problems == []

It is written from the OCPI 2.2.1 text alone and shares no code with the gateway, so what
it reports in `problems` are the CPO's mistakes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

from aiohttp import web

from .client import CpoClient, CpoResponse
from .events import EmspEvent, EventLog, Predicate
from .party import PartyState
from .pull import PullResult, pull_module
from .registration import credentials_url, register, update_credentials
from .remote import RemoteControl
from .results import ResultBook
from .server import EmspContext, build_app
from .store import ReceivedStore
from .tokens import EmspToken, TokenBook, make_token
from .wire import JsonObject, new_token

__all__ = ["EmspOptions", "EmspSimulator"]

#: What we require of a CPO before registering (credentials, *Required endpoints*).
REQUIRED_ENDPOINTS = (("locations", "SENDER"),)


@dataclass(frozen=True, slots=True)
class EmspOptions:
    """How the simulated eMSP presents itself and behaves."""

    versions_url: str | None = None  # the CPO's versions URL
    token_a: str | None = None  # the Token A the CPO gave us
    host: str = "127.0.0.1"
    port: int = 0
    public_url: str | None = None  # what the CPO is told; default http://host:port
    country_code: str = "NL"
    party_id: str = "SIM"
    business_name: str = "Simulated eMSP"
    json: bool = False
    quiet: bool = False
    token_uids: tuple[str, ...] = ("SIMRFID0001", "SIMRFID0002")
    start_session: str | None = None  # LOCATION[/EVSE[/CONNECTOR]] or "auto"
    stop_after: float | None = None  # stop the started session after this many seconds
    duration: float | None = None  # run this long, then exit
    call_timeout: float = 15.0
    raw_tokens: bool = False  # send our token without Base64 (a 2.1.1-era partner)
    accept_raw_tokens: bool = True
    routing_headers: bool = True
    page_limit: int = 50
    register_attempts: int = 10


class EmspSimulator(RemoteControl):
    """The simulated eMSP: its HTTP server, its calls to the CPO and what it received."""

    def __init__(
        self,
        options: EmspOptions | None = None,
        on_event: Callable[[EmspEvent], None] | None = None,
    ) -> None:
        self.options = options or EmspOptions()
        opts = self.options
        self.party = PartyState(opts.country_code, opts.party_id, opts.business_name)
        self.store = ReceivedStore()
        self.tokens = TokenBook()
        self.results = ResultBook()
        self.log = EventLog(on_event)
        self.client = CpoClient(
            self.party,
            self.store.problem,
            timeout=opts.call_timeout,
            raw_tokens=opts.raw_tokens,
            routing_headers=opts.routing_headers,
        )
        self.context = EmspContext(
            self.party,
            self.store,
            self.tokens,
            self.results,
            self.log,
            self.client,
            accept_raw_tokens=opts.accept_raw_tokens,
            routing_headers=opts.routing_headers,
            page_limit=opts.page_limit,
        )
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on `options.host:port` (port 0: a free one)."""
        self._runner = web.AppRunner(build_app(self.context), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.options.host, self.options.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.party.base_url = self.options.public_url or f"http://{self.options.host}:{self.port}"

    async def aclose(self) -> None:
        """Stop the server and close the client."""
        await self.client.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> EmspSimulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- simulated trouble -------------------------------------------------------------

    def go_offline(self) -> None:
        """Answer every request with HTTP 503 until `go_online()` (an outage)."""
        self.context.available = False

    def go_online(self) -> None:
        self.context.available = True

    def hold(self) -> None:
        """Keep every request waiting until `release()` (a partner that hangs)."""
        self.context.gate = asyncio.Event()

    def release(self) -> None:
        if self.context.gate is not None:
            self.context.gate.set()
            self.context.gate = None

    @property
    def versions_url(self) -> str:
        """Our versions URL, for a CPO that registers with us."""
        return self.party.versions_url

    @property
    def problems(self) -> list[str]:
        """Every mistake of the CPO seen so far."""
        return self.store.problems

    @property
    def events(self) -> list[EmspEvent]:
        return self.log.events

    # --- registration ------------------------------------------------------------------

    async def register(
        self, versions_url: str | None = None, token_a: str | None = None
    ) -> JsonObject:
        """Register with the CPO (we are the credentials Sender); returns its credentials."""
        url = versions_url or self.options.versions_url
        token = token_a or self.options.token_a
        if not url or not token:
            raise ValueError("register needs the CPO's versions URL and a Token A")
        credentials = await register(self.client, self.party, url, token, REQUIRED_ENDPOINTS)
        self.log.add(
            direction="out",
            module="credentials",
            method="POST",
            path="",
            body={"url": credentials.get("url"), "roles": credentials.get("roles")},
            status_code=1000,
        )
        return credentials

    async def update_credentials(self) -> JsonObject:
        """PUT new credentials to the CPO: a new token for it, a new one for us."""
        return await update_credentials(self.client, self.party)

    async def unregister(self) -> CpoResponse:
        """DELETE our credentials at the CPO; both sides stop talking."""
        answer = await self.client.request(
            "DELETE", credentials_url(self.party), module="credentials"
        )
        if answer.ok:
            self.party.forget_cpo()
        return answer

    def admit(self, token: str, country_code: str, party_id: str) -> None:
        """Accept `token` from the CPO `country_code*party_id` without a handshake (for a
        CPO wired up by hand, e.g. in tests of its push worker)."""
        self.party.incoming_tokens.add(token)
        self.party.cpo_roles = [{"role": "CPO", "country_code": country_code, "party_id": party_id}]
        self.party.registered = True

    def issue_token_a(self) -> str:
        """A Token A for a CPO that registers with us (``csms partners connect``)."""
        token = new_token()
        self.party.invite_tokens.add(token)
        return token

    # --- tokens ------------------------------------------------------------------------

    def add_token(
        self,
        uid: str,
        *,
        type: str = "RFID",
        whitelist: str = "ALWAYS",
        valid: bool = True,
        allowed: str = "ALLOWED",
        needs_location: bool = False,
        group_id: str | None = None,
    ) -> JsonObject:
        """Issue a token (not yet pushed); `allowed` is our real-time answer for it."""
        token = make_token(
            self.party.country_code,
            self.party.party_id,
            uid,
            type=type,
            whitelist=whitelist,
            valid=valid,
            group_id=group_id,
        )
        self.tokens.add(EmspToken(token, allowed=allowed, needs_location=needs_location))
        return token

    def _token_url(self, uid: str, token_type: str) -> tuple[str, dict[str, str]]:
        base = self.party.endpoint("tokens", "RECEIVER").rstrip("/")
        return f"{base}/{self.party.country_code}/{self.party.party_id}/{uid}", {"type": token_type}

    async def push_token(self, token: JsonObject | str) -> CpoResponse:
        """PUT a token (object, or the uid of one we issued) to the CPO's tokens Receiver."""
        if isinstance(token, str):
            entry = self.tokens.get(token) or next(
                (
                    e
                    for e in (
                        self.tokens.get(token, t) for t in ("APP_USER", "AD_HOC_USER", "OTHER")
                    )
                    if e
                ),
                None,
            )
            if entry is None:
                raise KeyError(f"no token {token} was issued")
            token = entry.token
        url, params = self._token_url(str(token["uid"]), str(token["type"]))
        answer = await self.client.request("PUT", url, module="tokens", body=token, params=params)
        self.log.add(
            direction="out",
            module="tokens",
            method="PUT",
            path=str(token["uid"]),
            body=token,
            status_code=answer.status_code or 0,
        )
        return answer

    async def patch_token(
        self, uid: str, fields: JsonObject, token_type: str = "RFID"
    ) -> CpoResponse:
        """PATCH some fields of a pushed token (`last_updated` is added)."""
        from .wire import format_datetime, utc_now

        body = {"last_updated": format_datetime(utc_now()), **fields}
        entry = self.tokens.get(uid, token_type)
        if entry is not None:
            entry.token.update(body)
        url, params = self._token_url(uid, token_type)
        return await self.client.request("PATCH", url, module="tokens", body=body, params=params)

    async def get_pushed_token(self, uid: str, token_type: str = "RFID") -> CpoResponse:
        """GET a token as the CPO stored it."""
        url, params = self._token_url(uid, token_type)
        return await self.client.request("GET", url, module="tokens", params=params)

    # --- pulling the CPO's Sender interfaces --------------------------------------------

    async def pull(
        self,
        module: str,
        *,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        limit: int | None = None,
    ) -> PullResult:
        """Every object of a CPO Sender interface, page by page (Link headers followed)."""
        url = self.party.endpoint(module, "SENDER")
        result = await pull_module(
            self.client, url, module, date_from=date_from, date_to=date_to, limit=limit
        )
        self.log.add(
            direction="out",
            module=module,
            method="GET",
            path="",
            body={"objects": len(result.objects), "pages": result.pages},
            status_code=1000,
            problems=tuple(result.problems),
        )
        return result

    async def get_object(self, module: str, *path: str) -> CpoResponse:
        """GET one object of a CPO Sender interface, e.g. ("locations", "LOC1", "EVSE1")."""
        url = self.party.endpoint(module, "SENDER").rstrip("/") + "/" + "/".join(path)
        return await self.client.request("GET", url, module=module)

    async def set_charging_preferences(
        self, session_id: str, preferences: JsonObject
    ) -> CpoResponse:
        """PUT charging preferences on a session (mod_sessions, Sender interface PUT)."""
        url = self.party.endpoint("sessions", "SENDER").rstrip("/")
        return await self.client.request(
            "PUT", f"{url}/{session_id}/charging_preferences", module="sessions", body=preferences
        )

    # --- waiting for what the CPO pushes ------------------------------------------------

    async def wait_for(
        self, predicate: Predicate, within: float = 10.0, since: int = 0
    ) -> EmspEvent:
        """The first received event after `since` matching `predicate` (TimeoutError)."""
        return await self.log.wait_for(predicate, within, since=since)

    async def wait_for_session(
        self, status: str | None = None, session_id: str | None = None, within: float = 10.0
    ) -> JsonObject:
        """The stored session once one (this one) has `status` (any status when None)."""

        def found() -> JsonObject | None:
            for session in self.store.sessions.values():
                if (session_id is None or session["id"] == session_id) and (
                    status is None or session.get("status") == status
                ):
                    return session
            return None

        await self.wait_for(lambda e: e.module == "sessions" and found() is not None, within)
        result = found()
        assert result is not None
        return result

    async def wait_for_cdr(self, session_id: str | None = None, within: float = 10.0) -> JsonObject:
        """The CDR received for `session_id` (any CDR when None)."""

        def found() -> JsonObject | None:
            if session_id is None:
                return next(iter(self.store.cdrs.values()), None)
            return self.store.cdr_for_session(session_id)

        await self.wait_for(lambda e: e.module == "cdrs" and found() is not None, within)
        result = found()
        assert result is not None
        return result

    async def wait_for_evse_status(
        self, evse_uid: str, status: str, within: float = 10.0, since: int = 0
    ) -> EmspEvent:
        """The push that put EVSE `evse_uid` in `status` (PATCH or PUT of EVSE/location)."""

        def matches(event: EmspEvent) -> bool:
            return event.module == "locations" and self.evse_status(evse_uid) == status

        return await self.wait_for(matches, within, since)

    def evse_status(self, evse_uid: str) -> str | None:
        """The status of an EVSE as last pushed to us."""
        for location in self.store.locations.values():
            for evse in location.get("evses") or []:
                if str(evse.get("uid")).upper() == evse_uid.upper():
                    status: Any = evse.get("status")
                    return str(status) if status is not None else None
        return None
