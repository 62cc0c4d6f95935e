"""A multi-process OCPP-J load generator for the benchmarks (1.6 and 2.0.1).

Each worker process opens its share of the stations over raw websockets (no `ocpp` library:
the generator must stay cheap), boots them, then issues calls at its share of the aggregate
rate, round-robin over its stations, at most one outstanding call per station (OCPP-J). The
mix is the benchmark issue's: MeterValues 60 %, Heartbeat 20 %, StatusNotification 10 %,
start/stop 10 %. Latency runs from the moment a call is due to its answer, queueing included.
Every loop is bounded by `--duration` and a drain timeout; traffic goes to loopback only.

    python -m bench.loadgen --url ws://127.0.0.1:9000/ocpp --version 1.6 \
        --stations 1000 --rate 2500 --duration 20 --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import random
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

__all__ = ["LoadOptions", "LoadResult", "run_load"]


@dataclass
class LoadOptions:
    url: str
    version: str = "1.6"
    stations: int = 100
    rate: float = 500.0
    duration: float = 10.0
    processes: int = 1
    prefix: str = "LOAD"
    mix: str = "mixed"  # mixed | heartbeat | metervalues
    connect_rate: float = 500.0  # new connections per second per process
    timeout: float = 10.0
    id_tag: str = "BENCH-TAG"


@dataclass
class LoadResult:
    stations: int = 0
    booted: int = 0
    boot_seconds: float = 0.0
    issued: int = 0
    answered: int = 0
    errors: int = 0
    call_errors: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    traffic_seconds: float = 0.0
    cpu_seconds: float = 0.0

    def merge(self, other: LoadResult) -> None:
        self.stations += other.stations
        self.booted += other.booted
        self.boot_seconds = max(self.boot_seconds, other.boot_seconds)
        self.issued += other.issued
        self.answered += other.answered
        self.errors += other.errors
        for key, value in other.call_errors.items():
            self.call_errors[key] = self.call_errors.get(key, 0) + value
        self.latencies_ms.extend(other.latencies_ms)
        self.traffic_seconds = max(self.traffic_seconds, other.traffic_seconds)
        self.cpu_seconds += other.cpu_seconds

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None

        return {
            "stations": self.stations,
            "booted": self.booted,
            "boot_seconds": round(self.boot_seconds, 2),
            "issued": self.issued,
            "answered": self.answered,
            "errors": self.errors,
            "call_errors": self.call_errors,
            "calls_per_s": round(self.answered / self.traffic_seconds, 1)
            if self.traffic_seconds
            else None,
            "latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99), "max": pct(1.0)},
            "loadgen_cpu_seconds": round(self.cpu_seconds, 2),
        }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class _Station:
    """One simulated charger's protocol state: enough to produce a realistic mix."""

    def __init__(self, station_id: str, version: str, id_tag: str) -> None:
        self.id = station_id
        self.version = version
        self.id_tag = id_tag
        self.energy = random.uniform(1000, 50000)
        self.tx: str | None = None
        self.seq = 0
        self.ids = itertools.count(1)
        self.ws: ClientConnection | None = None
        self.pending: dict[str, asyncio.Future[list[Any]]] = {}
        self.lock = asyncio.Lock()

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
        return self._meter_values()

    def _status(self) -> tuple[str, dict[str, Any]]:
        if self.version == "1.6":
            status = "Charging" if self.tx else "Available"
            return "StatusNotification", {
                "connectorId": 1,
                "errorCode": "NoError",
                "status": status,
                "timestamp": _now(),
            }
        return "StatusNotification", {
            "timestamp": _now(),
            "connectorStatus": "Occupied" if self.tx else "Available",
            "evseId": 1,
            "connectorId": 1,
        }

    def _sampled(self) -> list[dict[str, Any]]:
        self.energy += random.uniform(10, 60)
        values: list[dict[str, Any]] = [
            {"value": f"{self.energy:.1f}", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
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
                "meterValue": [{"timestamp": _now(), "sampledValue": self._sampled()}],
            }
            if self.tx is not None and self.tx.isdigit():
                payload["transactionId"] = int(self.tx)
            return "MeterValues", payload
        if self.tx is not None:
            return self._event("Updated", "MeterValuePeriodic")
        return "MeterValues", {
            "evseId": 1,
            "meterValue": [{"timestamp": _now(), "sampledValue": self._sampled()}],
        }

    def _event(self, event_type: str, trigger: str) -> tuple[str, dict[str, Any]]:
        assert self.tx is not None
        payload: dict[str, Any] = {
            "eventType": event_type,
            "timestamp": _now(),
            "triggerReason": trigger,
            "seqNo": self.seq,
            "transactionInfo": {"transactionId": self.tx},
            "meterValue": [{"timestamp": _now(), "sampledValue": self._sampled()}],
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
                "timestamp": _now(),
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
                "timestamp": _now(),
                "reason": "Local",
            }
        call = self._event("Ended", "StopAuthorized")
        self.tx = None
        return call

    def on_answer(self, action: str, payload: dict[str, Any]) -> None:
        if action == "StartTransaction" and "transactionId" in payload:
            self.tx = str(payload["transactionId"])


_MIX = {
    "mixed": ["metervalues"] * 6 + ["heartbeat"] * 2 + ["status"] + ["startstop"],
    "heartbeat": ["heartbeat"],
    "metervalues": ["metervalues"],
}


async def _reader(station: _Station) -> None:
    assert station.ws is not None
    with contextlib.suppress(Exception):
        async for message in station.ws:
            frame = orjson.loads(message)
            future = station.pending.pop(frame[1], None)
            if future is not None and not future.done():
                future.set_result(frame)


async def _call(station: _Station, action: str, payload: dict[str, Any], timeout: float) -> list[Any]:
    assert station.ws is not None
    message_id = f"{station.id}-{next(station.ids)}"
    future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
    station.pending[message_id] = future
    await station.ws.send(orjson.dumps([2, message_id, action, payload]).decode())
    return await asyncio.wait_for(future, timeout)


async def _open(station: _Station, options: LoadOptions, result: LoadResult) -> asyncio.Task[None] | None:
    try:
        station.ws = await connect(
            f"{options.url}/{station.id}",
            subprotocols=[f"ocpp{options.version}"],  # type: ignore[list-item]
            compression=None,
            open_timeout=options.timeout * 3,
            ping_interval=None,
            max_size=2**22,
        )
    except Exception:
        result.errors += 1
        return None
    reader = asyncio.create_task(_reader(station))
    action, payload = station.boot()
    try:
        answer = await _call(station, action, payload, options.timeout * 3)
    except Exception:
        result.errors += 1
        return reader
    if answer[0] == 3 and answer[2].get("status") == "Accepted":
        result.booted += 1
    return reader


def _event(name: str, **fields: Any) -> None:
    """A progress line for a driver that measures the server during one phase only."""
    print(json.dumps({"event": name, **fields}), flush=True)


async def _worker_main(options: LoadOptions, index: int, barrier: Any) -> LoadResult:
    result = LoadResult()
    per_process = options.stations // options.processes + (
        1 if index < options.stations % options.processes else 0
    )
    first = sum(
        options.stations // options.processes + (1 if i < options.stations % options.processes else 0)
        for i in range(index)
    )
    stations = [
        _Station(f"{options.prefix}-{first + n}", options.version, options.id_tag)
        for n in range(per_process)
    ]
    result.stations = len(stations)
    start = time.perf_counter()
    readers: list[asyncio.Task[None]] = []
    opening: list[asyncio.Task[asyncio.Task[None] | None]] = []
    for n, station in enumerate(stations):
        opening.append(asyncio.create_task(_open(station, options, result)))
        if (n + 1) % 50 == 0:
            await asyncio.sleep(50 / options.connect_rate)
    for task in opening:
        reader = await task
        if reader is not None:
            readers.append(reader)
    result.boot_seconds = time.perf_counter() - start
    live = [s for s in stations if s.ws is not None]
    # Every worker has booted its stations before any traffic starts.
    await asyncio.get_running_loop().run_in_executor(None, barrier.wait, 600)
    if index == 0:
        _event("traffic_start")
    if options.rate > 0 and options.duration > 0 and live:
        await _traffic(live, options, result)
    await asyncio.get_running_loop().run_in_executor(None, barrier.wait, 600)
    if index == 0:
        _event("traffic_end")
    for station in live:
        assert station.ws is not None
        with contextlib.suppress(Exception):
            await station.ws.close()
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    return result


async def _traffic(stations: list[_Station], options: LoadOptions, result: LoadResult) -> None:
    rate = options.rate / options.processes
    mix = _MIX[options.mix]
    interval = 1.0 / rate
    total = int(rate * options.duration)
    inflight: set[asyncio.Task[None]] = set()
    begin = time.perf_counter()

    async def one(station: _Station, due: float, kind: str) -> None:
        async with station.lock:
            action, payload = station.next_call(kind)
            try:
                remaining = max(0.001, options.timeout - (time.perf_counter() - due))
                answer = await _call(station, action, payload, remaining)
            except Exception:
                result.errors += 1
                return
            if answer[0] == 3:
                result.answered += 1
                result.latencies_ms.append((time.perf_counter() - due) * 1000)
                station.on_answer(action, answer[2])
            else:
                result.call_errors[answer[2]] = result.call_errors.get(answer[2], 0) + 1

    for n in range(total):
        due = begin + n * interval
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        station = stations[n % len(stations)]
        task = asyncio.create_task(one(station, due, mix[(n // len(stations)) % len(mix)]))
        result.issued += 1
        inflight.add(task)
        task.add_done_callback(inflight.discard)
    if inflight:
        await asyncio.wait(inflight, timeout=options.timeout + 1)
    result.traffic_seconds = time.perf_counter() - begin


def _worker(options: LoadOptions, index: int, queue: Any, barrier: Any) -> None:
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    result = runner(_worker_main(options, index, barrier))
    queue.put(asdict(result))


def run_load(options: LoadOptions) -> LoadResult:
    """Run the load in `options.processes` worker processes and merge their results."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    barrier = context.Barrier(options.processes)
    workers = [
        context.Process(target=_worker, args=(options, i, queue, barrier), daemon=True)
        for i in range(options.processes)
    ]
    for worker in workers:
        worker.start()
    merged = LoadResult()
    deadline = time.monotonic() + options.duration + options.stations / 50 + 120
    for _ in workers:
        merged.merge(LoadResult(**queue.get(timeout=max(1.0, deadline - time.monotonic()))))
    for worker in workers:
        worker.join(timeout=10)
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--url", required=True)
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--processes", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--prefix", default="LOAD")
    parser.add_argument("--mix", choices=sorted(_MIX), default="mixed")
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args(argv)
    if not args.url.startswith(("ws://127.", "ws://localhost", "wss://127.")):
        parser.error("benchmarks send traffic to loopback only")
    options = LoadOptions(
        url=args.url.rstrip("/"),
        version=args.version,
        stations=args.stations,
        rate=args.rate,
        duration=args.duration,
        processes=args.processes,
        prefix=args.prefix,
        mix=args.mix,
        timeout=args.timeout,
    )
    print(json.dumps({"summary": run_load(options).summary()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
