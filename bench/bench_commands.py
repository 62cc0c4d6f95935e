"""Command round trip: operator API → command service → charger → answer → result.

    python -m bench.bench_commands [--version 1.6|2.0.1] [--db sqlite|postgres]
        [--targets 100] [--rate 50] [--duration 15] [--background 1000]

`--targets` stations (load generator, `--log-calls`) answer every call at once and log when
it arrived and when they answered; the driver sends ClearCache to them through
`POST /admin/stations/{id}/commands` (waiting for the result), at most one per station at a
time. Per command it measures, on the machine's one monotonic clock:

- reach: from the request being sent until the charger has the CALL (the OCPI target is
  < 50 ms p99 for this part);
- round trip: the whole request minus the charger's own time (CALL received → answered).

It runs once on an idle server and once with `--background` calls/s of the mixed load from
1,000 other stations; and against the raw responder's `POST /call/…` (same generator, same
client) for the ratio. Server CPU per command is taken from the idle run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.common import (
    ServerProcess,
    cpu_seconds,
    pg_available,
    print_table,
    start_csms,
    start_raw_responder,
)
from bench.loadgen import loadgen_command

__all__ = ["main", "measure"]


@dataclass
class _Sent:
    station: str
    sent_ns: int
    done_ns: int = 0
    ok: bool = False


class _Generator:
    """A load generator subprocess whose phase lines can be awaited."""

    def __init__(self, command: list[str]) -> None:
        self._command = command
        self.lines: list[dict[str, Any]] = []
        self._phases: dict[str, asyncio.Event] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            *self._command, stdout=asyncio.subprocess.PIPE, limit=2**20
        )
        self._reader = asyncio.create_task(self._read())

    def _phase(self, name: str) -> asyncio.Event:
        return self._phases.setdefault(name, asyncio.Event())

    async def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            event = json.loads(line)
            if "event" in event:
                self._phase(event["event"]).set()
            else:
                self.lines.append(event)

    async def reached(self, phase: str, timeout: float) -> None:
        await asyncio.wait_for(self._phase(phase).wait(), timeout)

    async def finish(self, timeout: float) -> None:
        assert self._process is not None
        assert self._reader is not None
        try:
            await asyncio.wait_for(self._process.wait(), timeout)
            await self._reader
        finally:
            if self._process.returncode is None:
                self._process.kill()
                await self._process.wait()


def _url(server: ServerProcess, raw: bool, station: str) -> str:
    if raw:
        return f"http://127.0.0.1:{server.http_port}/call/{station}/ClearCache"
    return f"http://127.0.0.1:{server.http_port}/admin/stations/{station}/commands"


async def _issue(
    server: ServerProcess, raw: bool, stations: list[str], rate: float, duration: float
) -> list[_Sent]:
    sent: list[_Sent] = []
    busy: set[str] = set()
    body: dict[str, Any] = {} if raw else {"command": "clear_cache", "params": {}, "wait": True}

    async def one(http: aiohttp.ClientSession, station: str) -> None:
        record = _Sent(station, time.perf_counter_ns())
        sent.append(record)
        try:
            async with http.post(_url(server, raw, station), json=body) as response:
                answer = await response.json()
                record.ok = response.status == 200 and (
                    raw or answer.get("status") in ("accepted", "Accepted")
                )
        finally:
            record.done_ns = time.perf_counter_ns()
            busy.discard(station)

    tasks: set[asyncio.Task[None]] = set()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        begin = time.perf_counter()
        for n in range(int(rate * duration)):
            delay = begin + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            station = stations[n % len(stations)]
            if station in busy:
                continue
            busy.add(station)
            task = asyncio.create_task(one(http, station))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=60)
    return sent


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)


def _match(sent: list[_Sent], lines: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """(reach ms, round trip minus charger time ms) per answered command."""
    calls: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        if line.get("call") == "ClearCache":
            calls.setdefault(line["station"], []).append(line)
    for entries in calls.values():
        entries.sort(key=lambda line: line["received_ns"])
    reach: list[float] = []
    round_trip: list[float] = []
    for record in sorted(sent, key=lambda r: r.sent_ns):
        entries = calls.get(record.station) or []
        # One command at a time per station: its call is the first one after it was sent.
        call = next(
            (c for c in entries if record.sent_ns <= c["received_ns"] <= record.done_ns), None
        )
        if call is None or not record.ok:
            continue
        entries.remove(call)
        charger = call["answered_ns"] - call["received_ns"]
        reach.append((call["received_ns"] - record.sent_ns) / 1e6)
        round_trip.append((record.done_ns - record.sent_ns - charger) / 1e6)
    return reach, round_trip


async def measure(
    server: ServerProcess,
    raw: bool,
    version: str,
    targets: int,
    rate: float,
    duration: float,
    background: float,
) -> dict[str, Any]:
    """Send commands to `targets` stations for `duration` s, optionally under mixed load."""
    url = f"ws://127.0.0.1:{server.port}/ocpp"
    answering = _Generator(
        loadgen_command(
            url,
            version=version,
            stations=targets,
            rate=0,
            duration=0,
            processes=1,
            idle=duration + 20,
            log_calls=True,
            prefix=f"CMD{version.replace('.', '')}",
        )
    )
    await answering.start()
    noise: _Generator | None = None
    if background > 0:
        noise = _Generator(
            loadgen_command(
                url,
                version=version,
                stations=1000,
                rate=background,
                duration=duration + 10,
                processes=2,
                prefix=f"BG{version.replace('.', '')}",
            )
        )
        await noise.start()
    await answering.reached("idle_start", 300)
    if noise is not None:
        await noise.reached("traffic_start", 300)
        await asyncio.sleep(2)  # let the background load settle
    stations = [f"CMD{version.replace('.', '')}-{n}" for n in range(targets)]
    cpu_start = cpu_seconds(server.pid)
    sent = await _issue(server, raw, stations, rate, duration)
    cpu = cpu_seconds(server.pid) - cpu_start
    await answering.finish(duration + 120)
    if noise is not None:
        await noise.finish(duration + 120)
    reach, round_trip = _match(sent, answering.lines)
    return {
        "background_calls_per_s": background,
        "commands": len(sent),
        "answered": len(round_trip),
        "reach_p50_ms": _pct(reach, 0.5),
        "reach_p99_ms": _pct(reach, 0.99),
        "round_trip_p50_ms": _pct(round_trip, 0.5),
        "round_trip_p99_ms": _pct(round_trip, 0.99),
        "server_cpu_ms_per_command": round(cpu * 1000 / len(sent), 3)
        if sent and background == 0
        else None,
    }


def _ratio(value: float | None, raw: float | None) -> float | None:
    return round(value / raw, 2) if value and raw else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="command round trip")
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--background", type=float, default=1000)
    args = parser.parse_args(argv)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not pg_available():
        print("postgres: no server on 127.0.0.1:5432, skipped", file=sys.stderr)
        dbs.remove("postgres")
    rows: list[dict[str, Any]] = []
    backgrounds = [0.0, args.background] if args.background > 0 else [0.0]
    for background in backgrounds:
        load = (args.version, args.targets, args.rate, args.duration, background)
        with start_raw_responder() as raw:
            raw_row = asyncio.run(measure(raw, True, *load))
        rows.append({"server": "raw responder", **raw_row})
        for db in dbs:
            with start_csms(db, tokens=("BENCH-TAG",)) as csms:
                time.sleep(1.0)
                row = asyncio.run(measure(csms, False, *load))
            row["p99_ratio"] = _ratio(row["round_trip_p99_ms"], raw_row["round_trip_p99_ms"])
            rows.append({"server": f"laddpunkt/{db}", **row})
    print_table(
        f"Command round trip (ClearCache, OCPP {args.version}, {args.rate:g}/s over "
        f"{args.targets} stations; target: reaches the charger < 50 ms p99)",
        rows,
    )
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
