"""Delivering one push to one partner: build the request from the object's current state,
send it, and say how it went.

Request shapes (each module's *Receiver Interface*):

- locations: ``PUT|PATCH {url}/{cc}/{party}/{location_id}[/{evse_uid}]`` — a PATCH carries
  the changed fields and always `last_updated`;
- sessions: ``PUT|PATCH {url}/{cc}/{party}/{session_id}``; a PATCH carries kWh, cost,
  status and only the charging periods the partner has not had yet (they are appended,
  mod_sessions *PATCH*); a session the partner never got a PUT for is PUT, not PATCHed;
- cdrs: ``POST {url}`` once; the answer's `Location` header is kept (mod_cdrs *POST*);
- tariffs: ``PUT|DELETE {url}/{cc}/{party}/{tariff_id}``.

Outcomes: DELIVERED; SKIPPED (nothing to send: unknown object, no endpoint, nothing new,
a hub client that is not CONNECTED); REJECTED (the partner answered but refused: a failed
PATCH is retried once as a PUT, transport_and_format *PATCH*); DOWN (no answer, timeout,
HTTP 5xx, 401/403/408/429): the worker stops and recovers later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from ocpi_gateway.client import OcpiClient, PartnerResponse
from ocpi_gateway.errors import (
    PartnerCallError,
    PartnerHttpError,
    PartnerUnreachableError,
)
from ocpi_gateway.push_plan import PushTarget
from ocpi_gateway.routing import Party
from ocpi_gateway.services import OcpiServices
from shared.domain.partners import Partner
from shared.logging import get_logger
from shared.store.hub_clients import get_hub_client
from shared.store.outbox import OutboxMethod, OutboxModule, cdr_delivery, mark_delivered
from shared.store.partners import set_outgoing_base64
from shared.store.uow import UnitOfWork

__all__ = ["Deliverer", "Outcome", "PartnerLink", "PushSource"]

log = get_logger("laddpunkt.ocpi.push")

JsonDict = dict[str, Any]
_DOWN_STATUSES = frozenset({401, 403, 408, 429})


class PushSource(Protocol):
    """Current objects in their wire form, or None when unknown or not shared."""

    async def location(self, conn: AsyncConnection, location_id: str) -> JsonDict | None: ...

    async def evse(
        self, conn: AsyncConnection, location_id: str, evse_uid: str
    ) -> JsonDict | None: ...

    async def session(
        self, conn: AsyncConnection, session_id: str, partner_id: int
    ) -> JsonDict | None:
        """The session as `partner_id` may see it (None when it is not that partner's)."""
        ...

    async def cdr(self, conn: AsyncConnection, cdr_id: str) -> JsonDict | None: ...

    async def tariff(self, conn: AsyncConnection, tariff_id: str) -> JsonDict | None: ...


class Outcome(Enum):
    DELIVERED = "delivered"
    SKIPPED = "skipped"
    REJECTED = "rejected"
    DOWN = "down"


@dataclass(slots=True)
class PartnerLink:
    """The partner as the worker knows it, and what it remembers of past pushes."""

    partner: Partner
    token: str
    base64: bool = True
    #: session id -> charging periods the partner has (it got a PUT of the session).
    session_periods: dict[str, int] = field(default_factory=dict)
    #: EVSE object id -> status last sent (a PATCH repeating it is not sent).
    evse_status: dict[str, str] = field(default_factory=dict)

    @property
    def party(self) -> Party | None:
        role = self.partner.party
        return Party(role.country_code.upper(), role.party_id.upper()) if role else None


@dataclass(frozen=True, slots=True)
class _Call:
    method: str
    url: str
    body: Any
    to_party: Party | None
    remember: tuple[str, Any] | None = None  # what to note once delivered


def _owner_url(base: str, obj: Mapping[str, Any], *path: str) -> str:
    # transport_and_format, *Client Owned Object Push*: {url}/{country_code}/{party_id}/{id}
    return "/".join([base.rstrip("/"), str(obj["country_code"]), str(obj["party_id"]), *path])


def _patch_body(current: Mapping[str, Any], fields: frozenset[str]) -> JsonDict | None:
    body = {name: current[name] for name in sorted(fields) if name in current}
    if any(name not in current for name in fields if name != "charging_periods"):
        return None  # a field went away: PATCH cannot take information back, PUT it
    body["last_updated"] = current["last_updated"]
    return body


def _as(target: PushTarget, method: OutboxMethod) -> PushTarget:
    return PushTarget(target.module, target.object_id, method, entry_ids=target.entry_ids)


def _closed_periods(session: Mapping[str, Any]) -> list[Any]:
    periods = list(session.get("charging_periods") or [])
    # While a session is active its last period is still growing: send it once closed.
    return periods[:-1] if session.get("status") == "ACTIVE" else periods


class Deliverer:
    """Sends pushes for one partner."""

    def __init__(
        self,
        link: PartnerLink,
        services: OcpiServices,
        source: PushSource,
        client: OcpiClient,
        timeout: float,
    ) -> None:
        self.link = link
        self._services = services
        self._source = source
        self._client = client
        self._timeout = timeout

    async def deliver(self, target: PushTarget, *, replay: bool = False) -> Outcome:
        """Push `target`. When the partner refuses a PATCH, the object is PUT; when it
        refuses an EVSE, its whole location is PUT (transport_and_format, *PATCH*: if the
        object does not exist there, PUT it)."""
        outcome = await self._attempt(target, replay)
        if outcome is Outcome.REJECTED and target.method is OutboxMethod.PATCH:
            outcome = await self._attempt(_as(target, OutboxMethod.PUT), replay)
        if (
            outcome is Outcome.REJECTED
            and target.module is OutboxModule.LOCATIONS
            and target.evse_uid is not None
        ):
            location = PushTarget(
                target.module, target.location_id, OutboxMethod.PUT, entry_ids=target.entry_ids
            )
            outcome = await self._attempt(location, replay)
        return outcome

    async def _attempt(self, target: PushTarget, replay: bool) -> Outcome:
        endpoint = self.link.partner.endpoint(target.module.value, "RECEIVER")
        if endpoint is None:
            return Outcome.SKIPPED
        async with self._services.database.read() as conn:
            call = await self._build(conn, target, endpoint.url, replay)
            if call is None or not await self._reachable(conn, call.to_party):
                return Outcome.SKIPPED
        try:
            response = await self._client.call(
                call.method,
                call.url,
                self.link.token,
                base64=self.link.base64,
                body=call.body,
                to_party=call.to_party,
                from_party=Party(
                    self._services.identity.country_code, self._services.identity.party_id
                ),
                time_limit=self._timeout,
            )
        except PartnerCallError as error:
            return self._failed(target, call, error)
        await self._delivered(target, call, response)
        return Outcome.DELIVERED

    def _failed(self, target: PushTarget, call: _Call, error: PartnerCallError) -> Outcome:
        down = isinstance(error, PartnerUnreachableError) or (
            isinstance(error, PartnerHttpError)
            and (error.status >= 500 or error.status in _DOWN_STATUSES)
        )
        log.warning(
            "ocpi.push.failed",
            partner=self.link.partner.id,
            module=target.module.value,
            object_id=target.object_id,
            method=call.method,
            error=error.message,
            down=down,
        )
        return Outcome.DOWN if down else Outcome.REJECTED

    async def _delivered(self, target: PushTarget, call: _Call, response: PartnerResponse) -> None:
        if response.used_base64 != self.link.base64:
            self.link.base64 = response.used_base64
            partner_id, encoded = self.link.partner.id, response.used_base64

            async def remember(uow: UnitOfWork) -> None:
                await set_outgoing_base64(uow, partner_id, encoded)

            await self._services.writer.run(remember)
        if call.remember is not None:
            kind, value = call.remember
            if kind == "periods":
                self.link.session_periods[target.object_id] = int(value)
            elif kind == "evse_status":
                self.link.evse_status[target.object_id] = str(value)
        if target.module is OutboxModule.CDRS:
            location = response.headers.get("Location")
            entry_id = max(target.entry_ids)

            async def mark(uow: UnitOfWork) -> None:
                await mark_delivered(uow, entry_id, location)

            await self._services.writer.run(mark)

    async def _reachable(self, conn: AsyncConnection, party: Party | None) -> bool:
        """mod_hub_client_info: no requests to a party behind a hub unless CONNECTED."""
        if party is None or not self.link.partner.is_hub or self.link.party == party:
            return True
        client = await get_hub_client(conn, party.country_code, party.party_id)
        return client is None or client.reachable

    def _receiver_party(self, owner: Mapping[str, Any] | None) -> Party | None:
        """The party a session or CDR is for: its token's eMSP when the partner hosts it
        or routes to it (a hub), else the partner's own party."""
        if owner is not None:
            party = Party(
                str(owner.get("country_code", "")).upper(), str(owner.get("party_id", "")).upper()
            )
            if self.link.partner.is_hub or self.link.partner.hosts(
                party.country_code, party.party_id
            ):
                return party
        return self.link.party

    async def _build(
        self, conn: AsyncConnection, target: PushTarget, url: str, replay: bool
    ) -> _Call | None:
        if target.module is OutboxModule.LOCATIONS:
            return await self._location_call(conn, target, url, replay)
        if target.module is OutboxModule.SESSIONS:
            return await self._session_call(conn, target, url)
        if target.module is OutboxModule.CDRS:
            return await self._cdr_call(conn, target, url)
        return await self._tariff_call(conn, target, url)

    async def _location_call(
        self, conn: AsyncConnection, target: PushTarget, url: str, replay: bool
    ) -> _Call | None:
        location_id, evse_uid = target.location_id, target.evse_uid
        location = await self._source.location(conn, location_id)
        if location is None:
            return None
        path: tuple[str, ...] = (location_id,)
        current = location
        if evse_uid is not None:
            evse = await self._source.evse(conn, location_id, evse_uid)
            if evse is None:
                return None
            current, path = evse, (location_id, evse_uid)
        target_url = _owner_url(url, location, *path)
        if target.method is OutboxMethod.PUT or replay:
            remember = ("evse_status", current.get("status")) if evse_uid else None
            return _Call("PUT", target_url, current, self.link.party, remember)
        body = _patch_body(current, target.fields)
        if body is None:
            return _Call("PUT", target_url, current, self.link.party)
        if evse_uid is not None and "status" in body:
            if set(body) == {"status", "last_updated"} and (
                self.link.evse_status.get(target.object_id) == body["status"]
            ):
                return None  # the partner has this status already
            return _Call(
                "PATCH", target_url, body, self.link.party, ("evse_status", body["status"])
            )
        return _Call("PATCH", target_url, body, self.link.party)

    async def _session_call(
        self, conn: AsyncConnection, target: PushTarget, url: str
    ) -> _Call | None:
        session = await self._source.session(conn, target.object_id, self.link.partner.id)
        if session is None:
            return None
        to_party = self._receiver_party(session.get("cdr_token"))
        target_url = _owner_url(url, session, str(session["id"]))
        periods = _closed_periods(session)
        sent = self.link.session_periods.get(target.object_id)
        if target.method is OutboxMethod.PUT or sent is None:
            # mod_sessions: PUT before any PATCH; a PUT replaces the charging periods.
            body = {**session, "charging_periods": periods}
            if not periods:
                body.pop("charging_periods")
            return _Call("PUT", target_url, body, to_party, ("periods", len(periods)))
        fields = target.fields - {"charging_periods"}
        patch = _patch_body(session, frozenset(fields))
        if patch is None:
            return _Call(
                "PUT",
                target_url,
                {**session, "charging_periods": periods},
                to_party,
                ("periods", len(periods)),
            )
        new = periods[sent:]
        if new:
            patch["charging_periods"] = new  # appended by the receiver
        return _Call("PATCH", target_url, patch, to_party, ("periods", len(periods)))

    async def _cdr_call(self, conn: AsyncConnection, target: PushTarget, url: str) -> _Call | None:
        if await cdr_delivery(conn, target.object_id, self.link.partner.id) is not None:
            return None  # mod_cdrs: a CDR is sent once
        cdr = await self._source.cdr(conn, target.object_id)
        if cdr is None:
            return None
        return _Call("POST", url, cdr, self._receiver_party(cdr.get("cdr_token")))

    async def _tariff_call(
        self, conn: AsyncConnection, target: PushTarget, url: str
    ) -> _Call | None:
        tariff = await self._source.tariff(conn, target.object_id)
        if tariff is not None:
            return _Call("PUT", _owner_url(url, tariff, str(tariff["id"])), tariff, self.link.party)
        if target.method is not OutboxMethod.DELETE:
            return None
        identity = self._services.identity
        owner = {"country_code": identity.country_code, "party_id": identity.party_id}
        return _Call("DELETE", _owner_url(url, owner, target.object_id), None, self.link.party)
