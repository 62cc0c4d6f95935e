"""The demo's roaming partner: the simulated eMSP registers, uploads its tokens and starts
and stops a session at the demo location remotely (OCPI 2.2.1 mod_commands).

It learns about its session from what the CPO pushes and, should pushes not come, from
the CPO's sessions and cdrs Sender interfaces (an eMSP may always pull, mod_sessions).
Whatever the CPO does not offer (tokens or commands Receiver) is said and skipped.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterable

from simulators.emsp import CpoCallError, EmspOptions, EmspSimulator, RegistrationError
from simulators.emsp.wire import JsonObject

from .output import EmspLines, Say

__all__ = ["DemoPartner"]

_WAIT_S = 60.0  # for a command result, a session, a CDR
_POLL_S = 3.0  # how often to pull while no push has come


class DemoPartner:
    """One eMSP, its tokens, and one remote session at `location_id`."""

    def __init__(
        self, say: Say, lines: EmspLines, tokens: tuple[str, ...], stop_after: float
    ) -> None:
        self._say = say
        self._lines = lines
        self._tokens = tokens
        self._stop_after = stop_after

    async def run(self, versions_url: str, token_a: str, location_id: str) -> None:
        """Register, upload, charge once remotely, then keep receiving until cancelled."""
        options = EmspOptions(
            country_code="NL", party_id="EMS", business_name="Demo eMSP", token_uids=self._tokens
        )
        async with EmspSimulator(options, on_event=self._lines) as sim:
            self._say(f"eMSP listening at {sim.versions_url}", "emsp")
            if await self._register(sim, versions_url, token_a):
                await self._upload_tokens(sim)
                await self._remote_session(sim, location_id)
            await asyncio.Event().wait()  # go on printing pushes until the demo stops

    async def _register(self, sim: EmspSimulator, versions_url: str, token_a: str) -> bool:
        for attempt in range(1, 6):
            try:
                await sim.register(versions_url, token_a)
            except (CpoCallError, RegistrationError) as error:
                self._say(f"registration attempt {attempt} failed: {error}", "emsp")
                await asyncio.sleep(attempt)
                continue
            modules = sorted({f"{m} {r.lower()}" for m, r in sim.party.cpo_endpoints})
            self._say(f"registered with the CPO; it offers {', '.join(modules)}", "emsp")
            return True
        return False

    async def _upload_tokens(self, sim: EmspSimulator) -> None:
        if not sim.party.has_endpoint("tokens", "RECEIVER"):
            self._say("the CPO has no tokens Receiver: tokens not uploaded", "emsp")
            return
        for uid in self._tokens:
            sim.add_token(uid)
            answer = await sim.push_token(uid)
            self._say(f"token {uid} uploaded (OCPI status {answer.status_code})", "emsp")

    async def _remote_session(self, sim: EmspSimulator, location_id: str) -> None:
        if not sim.party.has_endpoint("commands", "RECEIVER"):
            self._say("the CPO has no commands Receiver: no remote session", "emsp")
            return
        for _attempt in range(3):
            try:
                if await self._charge(sim, location_id):
                    return
            except (CpoCallError, LookupError, TimeoutError) as error:
                self._say(f"remote session failed: {error or type(error).__name__}", "emsp")
            await asyncio.sleep(5)

    async def _charge(self, sim: EmspSimulator, location_id: str) -> bool:
        """START_SESSION at a free EVSE, wait, STOP_SESSION, wait for the CDR."""
        evse_uid, connector_id = await _free_evse(sim, location_id)
        token = self._tokens[0] if sim.tokens.get(self._tokens[0]) else None
        start = await sim.start_session(location_id, evse_uid, connector_id, token_uid=token)
        answer = (start.response or {}).get("result")
        self._say(f"START_SESSION at {location_id}/{evse_uid}: {answer}", "emsp")
        if not start.accepted or (await start.result(_WAIT_S)).get("result") != "ACCEPTED":
            self._say(f"the charger did not start: {start.results or start.response}", "emsp")
            return False
        session = await _wait_for(
            sim, "sessions", lambda s: s.get("evse_uid") == evse_uid and s.get("status") == "ACTIVE"
        )
        self._say(
            f"session {session['id']} is ACTIVE; stopping it in {self._stop_after:g} s", "emsp"
        )
        await asyncio.sleep(self._stop_after)
        stop = await sim.stop_session(str(session["id"]))
        result = await stop.result(_WAIT_S) if stop.accepted else stop.response
        self._say(f"STOP_SESSION {session['id']}: {(result or {}).get('result')}", "emsp")
        cdr = await _wait_for(sim, "cdrs", lambda c: c.get("session_id") == session["id"])
        cost = (cdr.get("total_cost") or {}).get("incl_vat")
        self._say(
            f"CDR {cdr['id']}: {cdr.get('total_energy')} kWh, {cost} {cdr.get('currency')}",
            "emsp",
        )
        return True


async def _free_evse(sim: EmspSimulator, location_id: str) -> tuple[str, str]:
    """An AVAILABLE EVSE of the location (random, so retries try others), and a connector."""
    answer = await sim.get_object("locations", location_id)
    answer.raise_for_status(f"GET locations/{location_id}")
    location = answer.data if isinstance(answer.data, dict) else {}
    free = [
        e
        for e in location.get("evses") or []
        if e.get("status") == "AVAILABLE" and e.get("connectors")
    ]
    if not free:
        raise LookupError(f"no AVAILABLE EVSE at {location_id} now")
    evse = random.choice(free)
    return str(evse["uid"]), str(evse["connectors"][0]["id"])


async def _wait_for(
    sim: EmspSimulator, module: str, matches: Callable[[JsonObject], bool]
) -> JsonObject:
    """The first object of `module` (sessions, cdrs) that `matches`: pushed to us, or
    pulled from the CPO every few seconds while no push brought it."""
    deadline = time.monotonic() + _WAIT_S
    while time.monotonic() < deadline:
        found = _first(_received(sim, module), matches)
        if found is None:
            pulled = await sim.pull(module)
            found = _first(pulled.objects, matches)
        if found is not None:
            return found
        await asyncio.sleep(_POLL_S)
    raise TimeoutError(f"no matching {module} object within {_WAIT_S:g} s")


def _received(sim: EmspSimulator, module: str) -> Iterable[JsonObject]:
    return list((sim.store.sessions if module == "sessions" else sim.store.cdrs).values())


def _first(
    objects: Iterable[JsonObject], matches: Callable[[JsonObject], bool]
) -> JsonObject | None:
    return next((o for o in objects if isinstance(o, dict) and matches(o)), None)
