"""A small CSMS on a real socket for the simulator's tests.

It is built from the `ocpp` library's server-side charge points on
`websockets.asyncio.server.serve` (127.0.0.1, port 0), validates every message against the
schemas as any CSMS would, records what each station sent (camelCase, as on the wire), and
lets a test send commands. It stores nothing and deduplicates nothing: tests look at exactly
what arrived.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint as ServerCP16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as ServerCP201
from ocpp.v201 import call_result as result201
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Received:
    """One CALL a station sent, as it was on the wire."""

    station_id: str
    connection: int
    action: str
    payload: dict[str, Any]


@dataclass
class FakeCsms:
    """Accepts stations on ws://127.0.0.1:{port}/ocpp/{id} and records their messages."""

    boot_statuses: list[str] = field(default_factory=lambda: ["Accepted"])
    boot_interval: int = 60
    heartbeat_interval: int = 60
    invalid_tags: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    connections: dict[str, list[Any]] = field(default_factory=dict)
    disconnects: dict[str, int] = field(default_factory=dict)
    _server: Server | None = None
    _tx_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))
    _boots: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The endpoint to give the stations (the station id is appended)."""
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/ocpp"

    async def start(self) -> None:
        self._server = await serve(
            self._accept,
            "127.0.0.1",
            0,
            subprotocols=["ocpp1.6", "ocpp2.0.1"],  # type: ignore[list-item]
            compression=None,
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _accept(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        station_id = connection.request.path.rstrip("/").rsplit("/", 1)[-1]
        kind = ServerStation16 if connection.subprotocol == "ocpp1.6" else ServerStation201
        cp = kind(station_id, connection, self, len(self.connections.get(station_id, [])))
        self.connections.setdefault(station_id, []).append(cp)
        try:
            await cp.start()
        except ConnectionClosed:
            pass
        finally:
            self.disconnects[station_id] = self.disconnects.get(station_id, 0) + 1

    def record(self, item: Received) -> None:
        self.received.append(item)

    def boot_status(self, station_id: str) -> str:
        count = self._boots.get(station_id, 0)
        self._boots[station_id] = count + 1
        return self.boot_statuses[min(count, len(self.boot_statuses) - 1)]

    def next_transaction_id(self) -> int:
        return next(self._tx_ids)

    # -- what tests use -------------------------------------------------------------------

    def messages(self, station_id: str, action: str | None = None) -> list[Received]:
        return [
            m
            for m in self.received
            if m.station_id == station_id and (action is None or m.action == action)
        ]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> None:
        """Wait until `predicate()` is true (polled: station timers change state too)."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.02)

    async def send_raw(self, station_id: str, frame: list[Any]) -> list[Any]:
        """Send a hand-made CALL frame (possibly invalid) and return the raw answer frame."""
        cp = self.connections[station_id][-1]
        await cp._connection.send(json.dumps(frame))
        async with asyncio.timeout(10):
            answer = await cp._response_queue.get()
        return [answer.message_type_id, answer.unique_id, *_rest(answer)]

    async def call(self, station_id: str, payload: Any) -> Any:
        """Send a CALL to the station's newest connection; returns the CALLRESULT."""
        return await self.connections[station_id][-1].call(payload, suppress=False)


def _rest(answer: Any) -> list[Any]:
    if answer.message_type_id == 3:
        return [answer.payload]
    return [answer.error_code, answer.error_description, answer.error_details]


class _Recording:
    """Records every CALL before the library routes it."""

    _csms: FakeCsms
    _station_id: str
    _connection_no: int

    async def route_message(self, raw_msg: str) -> None:
        message = json.loads(raw_msg)
        if message[0] == 2:
            item = Received(self._station_id, self._connection_no, message[2], message[3])
            self._csms.record(item)
        await super().route_message(raw_msg)  # type: ignore[misc]


class ServerStation16(_Recording, ServerCP16):
    def __init__(self, station_id: str, connection: Any, csms: FakeCsms, number: int) -> None:
        super().__init__(station_id, connection)
        self._csms, self._station_id, self._connection_no = csms, station_id, number

    def _tag_info(self, id_tag: str) -> dict[str, str]:
        return {"status": "Invalid" if id_tag in self._csms.invalid_tags else "Accepted"}

    @on("BootNotification")
    def on_boot_notification(self, **_: Any) -> Any:
        status = self._csms.boot_status(self._station_id)
        interval = (
            self._csms.heartbeat_interval if status == "Accepted" else self._csms.boot_interval
        )
        return result16.BootNotification(current_time=_now(), interval=interval, status=status)

    @on("Heartbeat")
    def on_heartbeat(self) -> Any:
        return result16.Heartbeat(current_time=_now())

    @on("StatusNotification")
    def on_status_notification(self, **_: Any) -> Any:
        return result16.StatusNotification()

    @on("Authorize")
    def on_authorize(self, id_tag: str) -> Any:
        return result16.Authorize(id_tag_info=self._tag_info(id_tag))

    @on("StartTransaction")
    def on_start_transaction(self, id_tag: str, **_: Any) -> Any:
        return result16.StartTransaction(
            transaction_id=self._csms.next_transaction_id(), id_tag_info=self._tag_info(id_tag)
        )

    @on("StopTransaction")
    def on_stop_transaction(self, **_: Any) -> Any:
        return result16.StopTransaction(id_tag_info={"status": "Accepted"})

    @on("MeterValues")
    def on_meter_values(self, **_: Any) -> Any:
        return result16.MeterValues()

    @on("FirmwareStatusNotification")
    def on_firmware_status(self, **_: Any) -> Any:
        return result16.FirmwareStatusNotification()

    @on("DiagnosticsStatusNotification")
    def on_diagnostics_status(self, **_: Any) -> Any:
        return result16.DiagnosticsStatusNotification()


class ServerStation201(_Recording, ServerCP201):
    def __init__(self, station_id: str, connection: Any, csms: FakeCsms, number: int) -> None:
        super().__init__(station_id, connection)
        self._csms, self._station_id, self._connection_no = csms, station_id, number

    @on("BootNotification")
    def on_boot_notification(self, **_: Any) -> Any:
        status = self._csms.boot_status(self._station_id)
        interval = (
            self._csms.heartbeat_interval if status == "Accepted" else self._csms.boot_interval
        )
        return result201.BootNotification(current_time=_now(), interval=interval, status=status)

    @on("Heartbeat")
    def on_heartbeat(self, **_: Any) -> Any:
        return result201.Heartbeat(current_time=_now())

    @on("StatusNotification")
    def on_status_notification(self, **_: Any) -> Any:
        return result201.StatusNotification()

    @on("Authorize")
    def on_authorize(self, id_token: dict[str, Any], **_: Any) -> Any:
        invalid = id_token["id_token"] in self._csms.invalid_tags
        return result201.Authorize(id_token_info={"status": "Invalid" if invalid else "Accepted"})

    @on("TransactionEvent")
    def on_transaction_event(self, id_token: dict[str, Any] | None = None, **_: Any) -> Any:
        if id_token is None:
            return result201.TransactionEvent()
        invalid = id_token["id_token"] in self._csms.invalid_tags
        return result201.TransactionEvent(
            id_token_info={"status": "Invalid" if invalid else "Accepted"}
        )

    @on("MeterValues")
    def on_meter_values(self, **_: Any) -> Any:
        return result201.MeterValues()

    @on("NotifyReport")
    def on_notify_report(self, **_: Any) -> Any:
        return result201.NotifyReport()

    @on("ReportChargingProfiles")
    def on_report_charging_profiles(self, **_: Any) -> Any:
        return result201.ReportChargingProfiles()

    @on("ReservationStatusUpdate")
    def on_reservation_status_update(self, **_: Any) -> Any:
        return result201.ReservationStatusUpdate()

    @on("FirmwareStatusNotification")
    def on_firmware_status(self, **_: Any) -> Any:
        return result201.FirmwareStatusNotification()

    @on("LogStatusNotification")
    def on_log_status(self, **_: Any) -> Any:
        return result201.LogStatusNotification()
