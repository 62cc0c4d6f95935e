"""The whole chain for end-to-end tests: a real `csms serve` process, the real `csms`
commands, simulated stations and partners on 127.0.0.1, and readers of what they did.

`Chain` is one running server; the `chain` fixture (conftest) starts one per database
kind and shares it between tests, which keep apart by using their own station ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, overload

from shared.config import DatabaseSettings
from simulators.chargepoint import OcppVersion, Station, StationConfig, StationEvent
from simulators.chargepoint.outbox import Outgoing
from tests.conftest import free_port

__all__ = [
    "Chain",
    "EventRecorder",
    "LostAnswer",
    "SentLog",
    "compare_readings",
    "database_env",
    "eventually",
    "parse_time",
    "running_station",
    "start_chain",
    "together",
]

T = TypeVar("T")
CSMS = str(Path(sys.executable).with_name("csms"))
ENERGY = "Energy.Active.Import.Register"


def database_env(settings: DatabaseSettings) -> dict[str, str]:
    """`CSMS_DATABASE__*` variables for `settings`."""
    env = {"CSMS_DATABASE__URL": settings.url}
    if settings.schema_name:
        env["CSMS_DATABASE__SCHEMA_NAME"] = settings.schema_name
    return env


@dataclass
class Chain:
    """A running `csms serve` and the environment its `csms` commands need."""

    workdir: Path
    database: DatabaseSettings
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    ocpp_port: int
    http_port: int
    log_path: Path

    @property
    def ocpp_url(self) -> str:
        return f"ws://127.0.0.1:{self.ocpp_port}/ocpp"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    async def csms(self, *args: str, expect: int = 0) -> str:
        """Run `csms ARGS` against this server; its stdout (fails on another exit code)."""
        process = await asyncio.create_subprocess_exec(
            CSMS,
            *args,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 50)
        assert process.returncode == expect, (
            f"csms {' '.join(args)} exited {process.returncode}: {err.decode()}{out.decode()}"
        )
        return out.decode()

    async def csms_json(self, *args: str) -> Any:
        """`csms ARGS --json`, parsed."""
        return json.loads(await self.csms(*args, "--json"))

    def station(self, station_id: str, version: OcppVersion, **config: Any) -> Station:
        """A simulated station pointed at this server (not started)."""
        options: dict[str, Any] = {"evses": 1, "meter_sample_interval": 1, "backoff_max": 2.0}
        options.update(config)
        return Station(
            StationConfig(station_id=station_id, url=self.ocpp_url, version=version, **options),
            observer=EventRecorder(),
        )

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"csms serve exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"csms serve did not listen on {port} in time")


@contextlib.contextmanager
def start_chain(workdir: Path, database: DatabaseSettings) -> Iterator[Chain]:
    """`csms serve` on free ports, telling partners its real OCPI URL; SIGTERM at the end.

    (tests/e2e/conftest.py `serve_process` picks its own ports, so the OCPI public URL,
    which must name the HTTP port, cannot be set through it.)
    """
    ocpp_port, http_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSMS_")}
    env.update(
        database_env(database),
        CSMS_OCPP__PORT=str(ocpp_port),
        CSMS_HTTP__PORT=str(http_port),
        CSMS_OCPI__PUBLIC_URL=f"http://127.0.0.1:{http_port}",
        CSMS_OCPP__VALIDATE_OUTGOING="true",
        CSMS_LOGGING__FORMAT="json",
        CSMS_NODE__ID=f"e2e-{ocpp_port}",
    )
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [CSMS, "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    chain = Chain(workdir, database, env, process, ocpp_port, http_port, log_path)
    try:
        _wait_listening(http_port, process, log_path)
        yield chain
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class EventRecorder:
    """A station observer that keeps every event and lets a test wait for one."""

    events: list[StationEvent] = field(default_factory=list)

    def on_station_event(self, event: StationEvent) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]

    async def wait(self, kind: str, within: float = 30.0) -> StationEvent:
        """The first event of `kind` (past or future)."""
        return await eventually(
            lambda: next((e for e in self.events if e.kind == kind), None), within, kind
        )


@overload
async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    within: float = ...,
    what: str = ...,
    every: float = ...,
) -> T: ...


@overload
async def eventually(
    probe: Callable[[], T | None], within: float = ..., what: str = ..., every: float = ...
) -> T: ...


async def eventually(
    probe: Callable[[], Any],
    within: float = 30.0,
    what: str = "condition",
    every: float = 0.1,
) -> Any:
    """Poll `probe` (sync or async) until it returns something truthy; that value."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {within} s")
        await asyncio.sleep(every)


async def together(*coroutines: Coroutine[Any, Any, T]) -> list[T]:
    """Run `coroutines` concurrently; their results in order. When one fails the others
    are cancelled and awaited (no station outlives the test), and its error is raised."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except ExceptionGroup as failed:
        if len(failed.exceptions) == 1:
            raise failed.exceptions[0] from None
        raise
    return [task.result() for task in tasks]


@contextlib.asynccontextmanager
async def running_station(station: Station) -> AsyncIterator[Station]:
    """Run `station` until the block ends; fail if its task died on its own."""
    task = asyncio.create_task(station.run(), name=station.station_id)
    try:
        async with asyncio.timeout(30):
            await station.wait_online()
        yield station
    finally:
        await station.stop()
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise AssertionError(f"{station.station_id} crashed") from task.exception()


class SentLog:
    """What a station queued that is transaction-related, each message once, in order.

    It wraps the station's real `send` and each message's payload builder: the station
    works as before, and `payloads()` tells what it meant to deliver. A message sent
    again after a lost answer is one entry here; the CSMS must store it once too.
    """

    def __init__(self, station: Station) -> None:
        self._items: list[Outgoing] = []
        self._payloads: dict[int, Any] = {}
        self._wrapped: set[int] = set()
        self.attempts = 0
        original = station.send

        def send(item: Outgoing) -> None:
            if item.transactional and item.build is not None and id(item) not in self._wrapped:
                self._wrap(item)
            original(item)

        station.send = send  # type: ignore[method-assign]

    def _wrap(self, item: Outgoing) -> None:
        build = item.build
        assert build is not None
        self._wrapped.add(id(item))
        self._items.append(item)

        def recording() -> Any:
            payload = build()
            if payload is not None:
                self._payloads[id(item)] = payload
                self.attempts += 1
            return payload

        item.build = recording

    @property
    def queued(self) -> int:
        """How many transactional messages the station queued (sent or not yet)."""
        return len(self._items)

    def payloads(self) -> list[Any]:
        """The payload of every transactional message built so far, in queue order."""
        return [self._payloads[id(i)] for i in self._items if id(i) in self._payloads]

    def energy_samples(self) -> list[tuple[datetime, float]]:
        """(timestamp, Wh) of every energy register reading in those messages."""
        samples = []
        for payload in self.payloads():
            for value in (
                getattr(payload, "meter_value", None)
                or getattr(payload, "transaction_data", None)
                or []
            ):
                stamp = parse_time(value["timestamp"])
                for sampled in value["sampled_value"]:
                    if sampled.get("measurand", ENERGY) == ENERGY and not sampled.get("phase"):
                        samples.append((stamp, float(sampled["value"])))
        return samples


class LostAnswer:
    """Loses the CSMS's answer to the station's next CALL, and the link with it.

    Armed, it drops the next CALLRESULT the station receives and cuts the connection for
    `outage` seconds: the CSMS has stored the message and answered, the station never
    hears it and sends the message again after reconnecting, as real chargers do. (Cutting
    at a random moment only sometimes catches a message in flight.)
    """

    def __init__(self, station: Station, outage: float) -> None:
        self.armed = False
        self.fired = False
        make = station.dialect.charge_point

        def charge_point(connection: Any) -> Any:
            cp: Any = make(connection)  # the library ChargePoint: route_message is there
            route = cp.route_message

            async def route_message(raw: str) -> None:
                if self.armed and json.loads(raw)[0] == 3:
                    self.armed, self.fired = False, True
                    station.drop_connection(outage)
                    return
                await route(raw)

            cp.route_message = route_message
            return cp

        station.dialect.charge_point = charge_point  # type: ignore[method-assign]


def compare_readings(
    stored: list[tuple[datetime, float]], sent: list[tuple[datetime, float]]
) -> dict[str, list[tuple[str, float]]]:
    """What is wrong with `stored` against what the station `sent`: readings missing,
    stored twice, or never sent. Empty lists when every reading is there exactly once."""
    from collections import Counter

    counts = Counter(stored)
    wanted = set(sent)

    def shown(items: Iterable[tuple[datetime, float]]) -> list[tuple[str, float]]:
        return [(stamp.isoformat(), value) for stamp, value in sorted(items)]

    return {
        "missing": shown(wanted - counts.keys()),
        "doubled": shown(r for r, n in counts.items() if n > 1),
        "unexpected": shown(counts.keys() - wanted),
    }


def parse_time(value: str | datetime) -> datetime:
    """An RFC 3339 string or a datetime, as an aware UTC datetime to the millisecond."""
    moment = (
        value
        if isinstance(value, datetime)
        else datetime.fromisoformat(value.replace("Z", "+00:00"))
    )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
