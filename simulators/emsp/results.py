"""Asynchronous results the CPO POSTs back to our `response_url`s.

mod_commands and mod_charging_profiles: the eMSP puts a unique id in each `response_url`
so it can match the CPO's later POST (CommandResult, ChargingProfileResult,
ClearProfileResult, ActiveChargingProfileResult) to the request that asked for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .schema import check_object
from .wire import JsonObject, new_id

__all__ = ["PendingRequest", "ResultBook"]


@dataclass(slots=True)
class PendingRequest:
    """One request that expects results at `response_url`.

    `response` is the CPO's synchronous answer (CommandResponse or ChargingProfileResponse
    data); `results` every asynchronous result POSTed so far (a reservation may be followed
    by CANCELED_RESERVATION on the same URL, mod_commands *Flow*).
    """

    uid: str
    module: str  # commands | chargingprofiles
    name: str  # START_SESSION, … or set | clear | get
    result_type: str  # schema name of the expected result
    response_url: str
    response: JsonObject | None = None
    results: list[JsonObject] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def result(self, within: float = 30.0) -> JsonObject:
        """The first asynchronous result; TimeoutError after `within` seconds."""
        async with asyncio.timeout(within):
            await self._arrived.wait()
        return self.results[0]

    @property
    def accepted(self) -> bool:
        """True when the CPO's synchronous answer was ACCEPTED."""
        return (self.response or {}).get("result") == "ACCEPTED"


class ResultBook:
    """The requests in flight, by the unique id in their `response_url`."""

    def __init__(self) -> None:
        self._pending: dict[str, PendingRequest] = {}

    def new(self, module: str, name: str, result_type: str, base_url: str) -> PendingRequest:
        uid = new_id()
        request = PendingRequest(uid, module, name, result_type, f"{base_url}/{name}/{uid}")
        self._pending[uid] = request
        return request

    def get(self, uid: str) -> PendingRequest | None:
        return self._pending.get(uid)

    def deliver(self, uid: str, body: object) -> tuple[PendingRequest | None, list[str]]:
        """Record a POSTed result; returns the request and the problems of the body."""
        request = self._pending.get(uid)
        if request is None:
            return None, [f"result for an unknown response_url id {uid}"]
        where = f"{request.module} {request.name} result"
        problems = check_object(request.result_type, body, where)
        if problems:
            return request, problems
        assert isinstance(body, dict)
        if request.results and request.module == "chargingprofiles":
            problems.append(f"{where}: posted more than once")
        request.results.append(body)
        request._arrived.set()
        return request, problems
