"""A small test charger on a real socket: it boots, then answers every CALL the CSMS sends.

Answers are controllable per action: a CALLRESULT payload (`Reply`), a CALLERROR
(`Fail`), or no answer at all (`Silence`). Every CALL received is kept and checked against
the strict schema (RFC 3339 date-times with a zone), like the independent ocpp-rpc peer does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from csms.ocppj import OcppError, get_validator

__all__ = ["Charger", "Fail", "Hold", "Received", "Reply", "Silence", "connected_charger"]


@dataclass(frozen=True)
class Reply:
    payload: dict[str, Any]


@dataclass(frozen=True)
class Fail:
    code: str = "InternalError"
    description: str = "it broke"


@dataclass(frozen=True)
class Silence:
    """Never answer."""


@dataclass(frozen=True)
class Hold:
    """Answer only when the test calls `Charger.release(action, payload)`."""


Answer = Reply | Fail | Silence | Hold


@dataclass
class Received:
    action: str
    payload: dict[str, Any]
    violation: str | None = None


@dataclass
class Charger:
    """Drives one websocket as a charging station."""

    ws: ClientConnection
    version: str
    answers: dict[str, Answer] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _pending: dict[str, asyncio.Future[list[Any]]] = field(default_factory=dict)
    _calls: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)
    _held: dict[str, str] = field(default_factory=dict)  # action → message id

    async def run(self) -> None:
        """Read frames until the socket closes."""
        with contextlib.suppress(Exception):
            async for text in self.ws:
                frame = orjson.loads(text)
                if frame[0] == 2:
                    await self._on_call(frame[1], frame[2], frame[3])
                elif frame[1] in self._pending:
                    self._pending.pop(frame[1]).set_result(frame)

    async def _on_call(self, message_id: str, action: str, payload: dict[str, Any]) -> None:
        violation = None
        try:
            get_validator(self.version, "strict").validate_request(action, payload)
        except OcppError as exc:
            violation = f"{exc.code.value}: {exc}"
        received = Received(action, payload, violation)
        self.received.append(received)
        self._calls.put_nowait(received)
        answer = self.answers.get(action, Reply({"status": "Accepted"}))
        if isinstance(answer, Reply):
            await self.ws.send(orjson.dumps([3, message_id, answer.payload]).decode())
        elif isinstance(answer, Fail):
            frame = [4, message_id, answer.code, answer.description, {}]
            await self.ws.send(orjson.dumps(frame).decode())
        elif isinstance(answer, Hold):
            self._held[action] = message_id

    async def release(self, action: str, payload: dict[str, Any]) -> None:
        """Answer the held CALL of `action` now."""
        message_id = self._held.pop(action)
        await self.ws.send(orjson.dumps([3, message_id, payload]).decode())

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        """Send a CALL of our own and return the answer frame."""
        message_id = f"c{next(self._ids)}"
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self.ws.send(orjson.dumps([2, message_id, action, payload]).decode())
        return await asyncio.wait_for(future, 10)

    async def next_call(self, timeout: float = 10) -> Received:
        """The next CALL the CSMS sent us."""
        return await asyncio.wait_for(self._calls.get(), timeout)

    async def boot(self) -> None:
        if self.version == "1.6":
            payload: dict[str, Any] = {"chargePointVendor": "Test", "chargePointModel": "TC-1"}
        else:
            payload = {
                "reason": "PowerUp",
                "chargingStation": {"vendorName": "Test", "model": "TC-1"},
            }
        answer = await self.call("BootNotification", payload)
        assert answer[0] == 3, answer
        assert answer[2]["status"] == "Accepted", answer


@contextlib.asynccontextmanager
async def connected_charger(
    port: int, station_id: str, version: str, *, boot: bool = True
) -> AsyncIterator[Charger]:
    """A connected (and booted) test charger; closed on exit."""
    async with connect(
        f"ws://127.0.0.1:{port}/ocpp/{station_id}",
        subprotocols=[f"ocpp{version}"],  # type: ignore[list-item]
        compression=None,
        open_timeout=5,
    ) as ws:
        charger = Charger(ws, version)
        reader = asyncio.create_task(charger.run())
        try:
            if boot:
                await charger.boot()
            yield charger
        finally:
            await ws.close()
            await reader
