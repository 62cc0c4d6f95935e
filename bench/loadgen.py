"""A multi-process OCPP-J load generator for the benchmarks (1.6 and 2.0.1).

Each worker process opens its share of the stations over raw websockets (no `ocpp` library:
the generator must stay cheap, see `bench/stations.py`), boots them, then issues calls at its
share of the aggregate rate, round-robin over its stations, at most one outstanding call per
station (OCPP-J). Stations answer the central system's calls at once (commands).

Phases, each announced on stdout by a JSON line once every worker has reached it, so a driver
can measure the server during one phase only:

    connect_start → booted → traffic_start → traffic_end → [idle_start → idle_end] → summary

Latency runs from the moment a call is due to its answer, queueing included. Every loop is
bounded by `--duration`, `--idle` and timeouts; traffic goes to loopback only.

    python -m bench.loadgen --url ws://127.0.0.1:9000/ocpp --version 1.6 \
        --stations 1000 --rate 2500 --duration 20 --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from websockets.asyncio.client import connect

from bench.common import raise_open_files
from bench.stations import MIXES, SimStation

__all__ = ["LoadOptions", "LoadResult", "loadgen_command", "run_load"]


@dataclass
class LoadOptions:
    url: str
    version: str = "1.6"
    stations: int = 100
    rate: float = 500.0
    duration: float = 10.0
    processes: int = 1
    prefix: str = "LOAD"
    mix: str = "mixed"  # a key of bench.stations.MIXES
    connect_concurrency: int = 200  # handshakes in flight per process
    idle: float = 0.0  # seconds to stay connected after the traffic
    timeout: float = 10.0
    id_tag: str = "BENCH-TAG"
    log_calls: bool = False  # print a line per call the central system makes
    log_status: bool = False  # print a line per status change sent (mix statusflip)


@dataclass
class LoadResult:
    stations: int = 0
    connected: int = 0
    booted: int = 0
    boot_seconds: float = 0.0
    issued: int = 0
    answered: int = 0
    errors: int = 0
    call_errors: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    traffic_seconds: float = 0.0
    cpu_seconds: float = 0.0
    commands_answered: int = 0

    def merge(self, other: LoadResult) -> None:
        self.stations += other.stations
        self.connected += other.connected
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
        self.commands_answered += other.commands_answered

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None

        return {
            "stations": self.stations,
            "connected": self.connected,
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
            "commands_answered": self.commands_answered,
        }


def _event(name: str, **fields: Any) -> None:
    """A phase line for a driver that measures the server during one phase only."""
    os.write(1, (json.dumps({"event": name, **fields}) + "\n").encode())


class _Phases:
    """Every worker waits for the others at each phase; worker 0 announces it."""

    def __init__(self, barrier: Any, index: int) -> None:
        self._barrier = barrier
        self._index = index

    async def reach(self, name: str) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._barrier.wait, 3600)
        if self._index == 0:
            _event(name, at_ns=time.perf_counter_ns())


async def _open(station: SimStation, options: LoadOptions, result: LoadResult) -> bool:
    try:
        station.ws = await connect(
            f"{options.url}/{station.id}",
            subprotocols=[f"ocpp{options.version}"],  # type: ignore[list-item]
            compression=None,
            open_timeout=options.timeout * 6,
            ping_interval=None,
            max_size=2**22,
            max_queue=4,
        )
    except Exception:
        result.errors += 1
        return False
    result.connected += 1
    return True


async def _open_and_boot(
    station: SimStation, options: LoadOptions, result: LoadResult, gate: asyncio.Semaphore
) -> asyncio.Task[None] | None:
    async with gate:
        if not await _open(station, options, result):
            return None
        reader = asyncio.create_task(station.read())
        action, payload = station.boot()
        try:
            answer = await station.call(action, payload, options.timeout * 6)
        except Exception:
            result.errors += 1
            return reader
    if answer[0] == 3 and answer[2].get("status") == "Accepted":
        result.booted += 1
    return reader


def _my_stations(options: LoadOptions, index: int) -> list[SimStation]:
    share, extra = divmod(options.stations, options.processes)
    first = index * share + min(index, extra)
    count = share + (1 if index < extra else 0)
    ids = (f"{options.prefix}-{first + n}" for n in range(count))
    return [
        SimStation(i, options.version, options.id_tag, options.log_calls, options.log_status)
        for i in ids
    ]


async def _worker_main(options: LoadOptions, index: int, barrier: Any) -> LoadResult:
    result = LoadResult()
    phases = _Phases(barrier, index)
    stations = _my_stations(options, index)
    result.stations = len(stations)
    await phases.reach("connect_start")
    start = time.perf_counter()
    gate = asyncio.Semaphore(options.connect_concurrency)
    opened = await asyncio.gather(*(_open_and_boot(s, options, result, gate) for s in stations))
    readers = [reader for reader in opened if reader is not None]
    result.boot_seconds = time.perf_counter() - start
    live = [s for s in stations if s.ws is not None]
    await phases.reach("booted")
    await phases.reach("traffic_start")
    if options.rate > 0 and options.duration > 0 and live:
        await _traffic(live, options, result)
    await phases.reach("traffic_end")
    if options.idle > 0:
        await phases.reach("idle_start")
        await asyncio.sleep(options.idle)
        await phases.reach("idle_end")
    await asyncio.gather(*(_close(s) for s in live))
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    result.commands_answered = sum(s.calls_answered for s in stations)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    return result


async def _close(station: SimStation) -> None:
    if station.ws is not None:
        try:
            await asyncio.wait_for(station.ws.close(), 5)
        except Exception:
            station.ws.transport.abort()


async def _traffic(stations: list[SimStation], options: LoadOptions, result: LoadResult) -> None:
    rate = options.rate / options.processes
    mix = MIXES[options.mix]
    interval = 1.0 / rate
    total = int(rate * options.duration)
    inflight: set[asyncio.Task[None]] = set()
    begin = time.perf_counter()

    async def one(station: SimStation, due: float, kind: str) -> None:
        async with station.lock:
            action, payload = station.next_call(kind)
            try:
                remaining = max(0.001, options.timeout - (time.perf_counter() - due))
                answer = await station.call(action, payload, remaining)
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
    raise_open_files(options.stations // options.processes + 1024)
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        result = asyncio.run(_worker_main(options, index, barrier))
    else:
        result = uvloop.run(_worker_main(options, index, barrier))
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
    deadline = time.monotonic() + options.duration + options.idle + options.stations / 20 + 180
    for _ in workers:
        merged.merge(LoadResult(**queue.get(timeout=max(1.0, deadline - time.monotonic()))))
    for worker in workers:
        worker.join(timeout=10)
    return merged


def loadgen_command(url: str, **options: object) -> list[str]:
    """The command line that runs this generator in its own process (options as flags;
    True becomes a bare flag, False and None are left out)."""
    command = [sys.executable, "-m", "bench.loadgen", "--url", url]
    for name, value in options.items():
        flag = f"--{name.replace('_', '-')}"
        if value is True:
            command.append(flag)
        elif value is not False and value is not None:
            command += [flag, str(value)]
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--url", required=True)
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--processes", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--prefix", default="LOAD")
    parser.add_argument("--mix", choices=sorted(MIXES), default="mixed")
    parser.add_argument("--connect-concurrency", type=int, default=200)
    parser.add_argument("--idle", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--log-calls", action="store_true")
    parser.add_argument("--log-status", action="store_true")
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
        connect_concurrency=args.connect_concurrency,
        idle=args.idle,
        timeout=args.timeout,
        log_calls=args.log_calls,
        log_status=args.log_status,
    )
    summary = run_load(options).summary()
    os.write(1, (json.dumps({"summary": summary}) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
