"""`run_emsp(options)`: the simulator as a program (``python -m simulators.emsp``,
``csms simulate emsp``): listen, register, upload tokens, pull, optionally start a session,
then print whatever the CPO pushes until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from .client import CpoCallError
from .registration import RegistrationError
from .report import Printer
from .simulator import EmspOptions, EmspSimulator
from .wire import JsonObject

__all__ = ["pick_evse", "run_emsp", "run_emsp_async"]

_PULLED = ("locations", "tariffs", "sessions", "cdrs")


async def _register(sim: EmspSimulator, printer: Printer) -> bool:
    delay = 1.0
    for attempt in range(1, max(1, sim.options.register_attempts) + 1):
        try:
            credentials = await sim.register()
        except CpoCallError as exc:
            retry = exc.http_status is None or exc.http_status >= 500
            printer.note("register_failed", attempt=attempt, error=str(exc), retry=retry)
            if not retry or attempt == sim.options.register_attempts:
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
            continue
        except RegistrationError as exc:
            printer.note("register_failed", attempt=attempt, error=str(exc), retry=False)
            return False
        roles = [f"{r['role']} {r['country_code']}*{r['party_id']}" for r in credentials["roles"]]
        printer.note("registered", cpo=", ".join(roles), endpoints=len(sim.party.cpo_endpoints))
        return True
    return False


def pick_evse(locations: list[JsonObject], target: str) -> tuple[str, str | None, str | None]:
    """(location, EVSE, connector) for `target`: ``LOC[/EVSE[/CONNECTOR]]`` or ``auto``
    (the first AVAILABLE EVSE of the pulled locations)."""
    if target != "auto":
        parts = target.split("/")
        return parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None
    for location in locations:
        for evse in location.get("evses") or []:
            if evse.get("status") == "AVAILABLE" and evse.get("connectors"):
                return str(location["id"]), str(evse["uid"]), str(evse["connectors"][0]["id"])
    raise LookupError("no AVAILABLE EVSE in the pulled locations")


async def _charge(sim: EmspSimulator, locations: list[JsonObject], printer: Printer) -> None:
    assert sim.options.start_session is not None
    location_id, evse_uid, connector_id = pick_evse(locations, sim.options.start_session)
    uid = sim.options.token_uids[0] if sim.options.token_uids else None
    start = await sim.start_session(location_id, evse_uid, connector_id, token_uid=uid)
    printer.note("start_session", location=location_id, evse=evse_uid, response=start.response)
    if not start.accepted:
        return
    result = await start.result(within=float((start.response or {}).get("timeout", 60)) + 5)
    printer.note("start_session_result", result=result.get("result"))
    if result.get("result") != "ACCEPTED":
        return
    session = await sim.wait_for_session(status="ACTIVE", within=120)
    printer.note("session_active", session=session["id"])
    if sim.options.stop_after is None:
        return
    await asyncio.sleep(sim.options.stop_after)
    stop = await sim.stop_session(session["id"])
    printer.note("stop_session", session=session["id"], response=stop.response)
    cdr = await sim.wait_for_cdr(session["id"], within=120)
    printer.note("cdr", id=cdr["id"], kwh=cdr.get("total_energy"), cost=cdr.get("total_cost"))


async def _work(sim: EmspSimulator, printer: Printer) -> int:
    for uid in sim.options.token_uids:
        sim.add_token(uid)
    if not sim.options.versions_url or not sim.options.token_a:
        token_a = sim.issue_token_a()
        printer.note("waiting_for_cpo", versions_url=sim.versions_url, token_a=token_a)
        return 0
    if not await _register(sim, printer):
        return 1
    if sim.party.has_endpoint("tokens", "RECEIVER"):
        for uid in sim.options.token_uids:
            answer = await sim.push_token(uid)
            printer.note("token_pushed", uid=uid, status_code=answer.status_code)
    pulled: dict[str, Any] = {}
    for module in _PULLED:
        if sim.party.has_endpoint(module, "SENDER"):
            result = await sim.pull(module)
            pulled[module] = result.objects
            printer.note("pulled", module=module, objects=len(result.objects), pages=result.pages)
    if sim.options.start_session:
        try:
            await _charge(sim, pulled.get("locations", []), printer)
        except (LookupError, TimeoutError, CpoCallError) as exc:
            printer.note("charge_failed", error=str(exc))
    return 0


async def run_emsp_async(
    options: EmspOptions, stop: asyncio.Event | None = None, printer: Printer | None = None
) -> int:
    """Run the simulator until `stop` is set or `options.duration` passes."""
    printer = printer or Printer(json=options.json, quiet=options.quiet)
    stop = stop or asyncio.Event()
    async with EmspSimulator(options, on_event=printer) as sim:
        printer.note("listening", versions_url=sim.versions_url)
        code = await _work(sim, printer)
        if code == 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(options.duration):
                    await stop.wait()
        printer.note("summary", events=len(sim.events), problems=len(sim.problems))
        for problem in sim.problems:
            printer.note("problem", text=problem)
        return code


async def _main(options: EmspOptions) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        return await run_emsp_async(options, stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def run_emsp(options: EmspOptions) -> int:
    """Run the simulator in a new event loop until Ctrl-C; returns the exit code."""
    return asyncio.run(_main(options))
