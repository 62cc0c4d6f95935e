"""The simulated chargers of the load generator: protocol state, the calls they make, and the
answers they give to the central system's calls.

Deliberately thin (raw websockets and orjson, no `ocpp` library, no validation): the
generator must cost far less CPU than the server it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection

__all__ = ["MIXES", "SimStation", "now_text"]

#: Call kinds per mix, drawn round-robin: the issue's mix is MeterValues 60 %, Heartbeat
#: 20 %, StatusNotification 10 %, start/stop 10 %.
MIXES: dict[str, list[str]] = {
    "mixed": ["metervalues"] * 6 + ["heartbeat"] * 2 + ["status"] + ["startstop"],
    "heartbeat": ["heartbeat"],
    "metervalues": ["metervalues"],
    # One kind each, to see what a kind costs (bench_hotpath --mix status, …).
    "status": ["status"],
    "startstop": ["startstop"],
    # Every call changes the connector's status (Available <-> Preparing/Occupied): the
    # push benchmark's source of EVSE status changes.
    "statusflip": ["flip"],
}

# What a charger answers to the central system's calls (the benchmarks send commands).
_ANSWERS: dict[str, dict[str, Any]] = {
    "GetConfiguration": {"configurationKey": [], "unknownKey": []},
    "GetVariables": {"getVariableResult": []},
    "SetVariables": {"setVariableResult": []},
    "GetLocalListVersion": {"listVersion": 0},
    "GetCompositeSchedule": {"status": "Rejected"},
    "DataTransfer": {"status": "Accepted"},
    "ClearCache": {"status": "Accepted"},
    "UnlockConnector": {"status": "Unlocked"},
}
_DEFAULT_ANSWER: dict[str, Any] = {"status": "Accepted"}


def now_text() -> str:
    """The current time as chargers write it (RFC 3339, milliseconds, `Z`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class SimStation:
    """One simulated charger's protocol state: enough to produce a realistic mix."""

    def __init__(
        self,
        station_id: str,
        version: str,
        id_tag: str,
        log_calls: bool = False,
        log_status: bool = False,
    ) -> None:
        self.id = station_id
        self.version = version
        self.id_tag = id_tag
        self.log_calls = log_calls
        self.log_status = log_status
        self.flipped = False
        self.energy = random.uniform(1000, 50000)
        self.tx: str | None = None
        self.seq = 0
        self.ids = itertools.count(1)
        self.ws: ClientConnection | None = None
        self.pending: dict[str, asyncio.Future[list[Any]]] = {}
        self.lock = asyncio.Lock()
        self.calls_answered = 0

    # --- what the station sends ----------------------------------------------------------

    def boot(self) -> tuple[str, dict[str, Any]]:
        if self.version == "1.6":
            return "BootNotification", {"chargePointVendor": "Bench", "chargePointModel": "L1"}
        return "BootNotification", {
            "chargingStation": {"vendorName": "Bench", "model": "L1"},
            "reason": "PowerUp",
        }

    def next_call(self, kind: str) -> tuple[str, dict[str, Any]]:
        if kind == "heartbeat":
            return "Heartbeat", {}
        if kind == "status":
            return self._status()
        if kind == "startstop":
            return self._start() if self.tx is None else self._stop()
        if kind == "flip":
            return self._flip()
        return self._meter_values()

    def _flip(self) -> tuple[str, dict[str, Any]]:
        self.flipped = not self.flipped
        if self.version == "1.6":
            status = "Preparing" if self.flipped else "Available"
            payload: dict[str, Any] = {
                "connectorId": 1,
                "errorCode": "NoError",
                "status": status,
                "timestamp": now_text(),
            }
        else:
            status = "Occupied" if self.flipped else "Available"
            payload = {
                "timestamp": now_text(),
                "connectorStatus": status,
                "evseId": 1,
                "connectorId": 1,
            }
        if self.log_status:
            line = {"status": status, "station": self.id, "sent_ns": time.perf_counter_ns()}
            os.write(1, orjson.dumps(line) + b"\n")
        return "StatusNotification", payload

    def _status(self) -> tuple[str, dict[str, Any]]:
        if self.version == "1.6":
            status = "Charging" if self.tx else "Available"
            return "StatusNotification", {
                "connectorId": 1,
                "errorCode": "NoError",
                "status": status,
                "timestamp": now_text(),
            }
        return "StatusNotification", {
            "timestamp": now_text(),
            "connectorStatus": "Occupied" if self.tx else "Available",
            "evseId": 1,
            "connectorId": 1,
        }

    def _sampled(self) -> list[dict[str, Any]]:
        self.energy += random.uniform(10, 60)
        values: list[dict[str, Any]] = [
            {
                "value": f"{self.energy:.1f}",
                "measurand": "Energy.Active.Import.Register",
                "unit": "Wh",
            },
            {"value": "11000", "measurand": "Power.Active.Import", "unit": "W"},
        ]
        for phase in ("L1", "L2", "L3"):
            values.append(
                {"value": "16.0", "measurand": "Current.Import", "phase": phase, "unit": "A"}
            )
        for phase in ("L1-N", "L2-N", "L3-N"):
            values.append({"value": "230.1", "measurand": "Voltage", "phase": phase, "unit": "V"})
        if self.version == "2.0.1":
            for value in values:
                value["value"] = float(value["value"])
                value["unitOfMeasure"] = {"unit": value.pop("unit")}
        return values

    def _meter_values(self) -> tuple[str, dict[str, Any]]:
        if self.version == "1.6":
            payload: dict[str, Any] = {
                "connectorId": 1,
                "meterValue": [{"timestamp": now_text(), "sampledValue": self._sampled()}],
            }
            if self.tx is not None and self.tx.isdigit():
                payload["transactionId"] = int(self.tx)
            return "MeterValues", payload
        if self.tx is not None:
            return self._event("Updated", "MeterValuePeriodic")
        return "MeterValues", {
            "evseId": 1,
            "meterValue": [{"timestamp": now_text(), "sampledValue": self._sampled()}],
        }

    def _event(self, event_type: str, trigger: str) -> tuple[str, dict[str, Any]]:
        assert self.tx is not None
        payload: dict[str, Any] = {
            "eventType": event_type,
            "timestamp": now_text(),
            "triggerReason": trigger,
            "seqNo": self.seq,
            "transactionInfo": {"transactionId": self.tx},
            "meterValue": [{"timestamp": now_text(), "sampledValue": self._sampled()}],
        }
        self.seq += 1
        if event_type == "Started":
            payload["evse"] = {"id": 1, "connectorId": 1}
            payload["idToken"] = {"idToken": self.id_tag, "type": "ISO14443"}
        if event_type == "Ended":
            payload["transactionInfo"]["stoppedReason"] = "Local"
        return "TransactionEvent", payload

    def _start(self) -> tuple[str, dict[str, Any]]:
        if self.version == "1.6":
            self.tx = "pending"
            return "StartTransaction", {
                "connectorId": 1,
                "idTag": self.id_tag,
                "meterStart": int(self.energy),
                "timestamp": now_text(),
            }
        self.tx = f"{self.id}-{random.getrandbits(48):x}"
        self.seq = 0
        return self._event("Started", "Authorized")

    def _stop(self) -> tuple[str, dict[str, Any]]:
        tx = self.tx
        if self.version == "1.6":
            self.tx = None
            return "StopTransaction", {
                "transactionId": int(tx) if tx and tx.isdigit() else 0,
                "meterStop": int(self.energy),
                "timestamp": now_text(),
                "reason": "Local",
            }
        call = self._event("Ended", "StopAuthorized")
        self.tx = None
        return call

    def on_answer(self, action: str, payload: dict[str, Any]) -> None:
        if action == "StartTransaction" and "transactionId" in payload:
            self.tx = str(payload["transactionId"])

    # --- the socket ----------------------------------------------------------------------

    async def call(self, action: str, payload: dict[str, Any], timeout: float) -> list[Any]:
        """Send a CALL and wait for its answer frame."""
        assert self.ws is not None
        message_id = f"{self.id}-{next(self.ids)}"
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self.pending[message_id] = future
        try:
            await self.ws.send(orjson.dumps([2, message_id, action, payload]).decode())
            return await asyncio.wait_for(future, timeout)
        finally:
            self.pending.pop(message_id, None)

    async def read(self) -> None:
        """Match answers to our calls; answer the central system's calls at once."""
        assert self.ws is not None
        with contextlib.suppress(Exception):
            async for message in self.ws:
                frame = orjson.loads(message)
                if frame[0] == 2:
                    await self._answer(frame)
                    continue
                future = self.pending.get(frame[1])
                if future is not None and not future.done():
                    future.set_result(frame)

    async def _answer(self, frame: list[Any]) -> None:
        assert self.ws is not None
        received = time.perf_counter_ns()
        action = frame[2]
        answer = _ANSWERS.get(action, _DEFAULT_ANSWER)
        await self.ws.send(orjson.dumps([3, frame[1], answer]).decode())
        answered = time.perf_counter_ns()
        self.calls_answered += 1
        if self.log_calls:
            # One write per line: lines from several processes on one pipe stay whole.
            line = {
                "call": action,
                "station": self.id,
                "message_id": frame[1],
                "received_ns": received,
                "answered_ns": answered,
            }
            os.write(1, orjson.dumps(line) + b"\n")
