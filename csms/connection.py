"""One charging station's websocket: reads frames in order, answers CALLs, carries our CALLs.

Incoming CALLs are handled one after the other (OCPP-J allows one outstanding CALL per
direction), so a station's messages are stored in the order it sent them; every station has
its own task, so a slow one delays nobody else. Our own CALLs (`call()`) are serialised by a
lock and matched with their CALLRESULT/CALLERROR by message id.

Never `await connection.call()` from inside a handler of the same station: the answer could
only be read after the handler returns (PITFALLS: the `ocpp` library deadlocks the same way).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from csms.context import StationContext
from csms.dispatch import RouteTable, dispatch_call
from csms.ocppj import (
    Call,
    CallError,
    CallResult,
    FrameError,
    Validator,
    call_error_frame,
    call_frame,
    call_result_frame,
    parse_frame,
)
from csms.ocppj.common import JsonObject
from csms.repeats import RepeatGuard

__all__ = ["CallOutcome", "StationConnection", "StationOfflineError"]

_RECENT_CALLS = 16


class StationOfflineError(Exception):
    """The station has no open connection (or it closed while we waited)."""


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What became of a CALL we sent: a result payload, a CALLERROR, or a timeout."""

    action: str
    message_id: str
    result: JsonObject | None = None
    error: CallError | None = None
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.result is not None


class StationConnection:
    """The live link to one station on this node."""

    def __init__(
        self,
        ws: ServerConnection,
        ctx: StationContext,
        routes: RouteTable,
        validator: Validator,
        outgoing_validator: Validator | None,
        repeats: RepeatGuard | None = None,
    ) -> None:
        self.ws = ws
        self._repeats = repeats
        self.ctx = ctx
        self._routes = routes
        self._validator = validator
        self._outgoing_validator = outgoing_validator
        self._pending: dict[str, asyncio.Future[CallResult | CallError]] = {}
        self._call_lock = asyncio.Lock()
        self._recent: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self.closed = asyncio.Event()

    @property
    def station_id(self) -> str:
        return self.ctx.station_id

    @property
    def version(self) -> str:
        return self.ctx.version

    async def serve(self) -> None:
        """Read and handle frames until the socket closes."""
        try:
            async for message in self.ws:
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                await self._on_frame(text)
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            for future in self._pending.values():
                if not future.done():
                    future.cancel()

    async def _on_frame(self, text: str) -> None:
        try:
            frame = parse_frame(text)
        except FrameError as error:
            await self._on_bad_frame(text, error)
            return
        if isinstance(frame, Call):
            await self._on_call(frame, text)
        else:
            self.ctx.log_incoming(text, 3 if isinstance(frame, CallResult) else 4, frame.message_id)
            future = self._pending.get(frame.message_id)
            if future is None or future.done():
                # OCPP-J: an answer to nothing we asked is logged and dropped.
                self.ctx.log.warning("ocpp.answer.unexpected", message_id=frame.message_id)
            else:
                future.set_result(frame)

    async def _on_bad_frame(self, text: str, error: FrameError) -> None:
        self.ctx.log_incoming(text, error.message_type, error.message_id)
        answer_id = error.answer_id(self._routes.version)
        self.ctx.log.warning(
            "ocpp.frame.invalid",
            code=error.code.value,
            description=error.description,
            answered=answer_id is not None,
        )
        if answer_id is not None:
            await self._send(call_error_frame(answer_id, error, self._routes.version), 4, answer_id)

    async def _on_call(self, call: Call, text: str) -> None:
        recent = self._recent.get(call.message_id)
        if recent is not None and recent[0] == text:
            # The same CALL again (a charger retrying after a lost answer): answer it the
            # same way without storing it twice (PITFALLS "Real chargers" #14).
            self.ctx.log.warning("ocpp.call.duplicate", message_id=call.message_id)
            await self._send(recent[1], 3, call.message_id, call.action)
            return
        if recent is not None:
            self.ctx.log.warning("ocpp.call.reused_message_id", message_id=call.message_id)
        if self._repeats is not None and self._repeats.is_repeat(self.station_id, call):
            # Sent again after a lost answer (maybe on a new connection): already stored.
            self.ctx.log.warning("ocpp.call.repeat", action=call.action, message_id=call.message_id)
            self.ctx.log_incoming(text, 2, call.message_id)
            await self._send(call_result_frame(call.message_id, {}), 3, call.message_id)
            return
        answer = await dispatch_call(
            self.ctx, call, text, self._routes, self._validator, self._outgoing_validator
        )
        if self._repeats is not None and answer.startswith("[3"):
            self._repeats.remember(self.station_id, call)
        self._recent[call.message_id] = (text, answer)
        if len(self._recent) > _RECENT_CALLS:
            self._recent.popitem(last=False)
        await self._send(answer, 3, call.message_id, call.action)

    async def _send(
        self, frame: str, message_type: int, message_id: str, action: str | None = None
    ) -> None:
        try:
            await self.ws.send(frame)
        except ConnectionClosed:
            self.ctx.log.info("ocpp.send.closed", message_id=message_id)
            return
        self.ctx.log_outgoing(frame, message_type, message_id, action)

    async def call(self, action: str, payload: JsonObject, wait_s: float) -> CallOutcome:
        """Send a CALL and wait for its answer (one at a time per station, OCPP-J §4.1.1)."""
        if self._outgoing_validator is not None:
            self._outgoing_validator.validate_request(action, payload)
        async with self._call_lock:
            if self.closed.is_set():
                raise StationOfflineError(f"station {self.station_id} is not connected")
            message_id = str(uuid.uuid4())
            future: asyncio.Future[CallResult | CallError] = (
                asyncio.get_running_loop().create_future()
            )
            self._pending[message_id] = future
            try:
                frame = call_frame(message_id, action, payload)
                try:
                    await self.ws.send(frame)
                except ConnectionClosed as exc:
                    raise StationOfflineError(f"station {self.station_id} disconnected") from exc
                self.ctx.log_outgoing(frame, 2, message_id, action)
                try:
                    answer = await asyncio.wait_for(future, wait_s)
                except TimeoutError:
                    return CallOutcome(action, message_id, timed_out=True)
                except asyncio.CancelledError:
                    if self.closed.is_set():
                        raise StationOfflineError(
                            f"station {self.station_id} disconnected before answering"
                        ) from None
                    raise
            finally:
                self._pending.pop(message_id, None)
        if isinstance(answer, CallError):
            return CallOutcome(action, message_id, error=answer)
        return CallOutcome(action, message_id, result=answer.payload)

    def abort(self) -> None:
        """Drop the TCP connection without a close handshake (the peer stopped answering)."""
        self.ws.transport.abort()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket (e.g. replaced by a newer connection) and wait for `serve` to end."""
        with contextlib.suppress(Exception):
            await self.ws.close(code, reason)
