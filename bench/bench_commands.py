"""Command round trip: a command from the operator API or from an OCPI partner → command
service → charger → answer → result.

    python -m bench.bench_commands [--version 1.6|2.0.1] [--db sqlite|postgres|both]
        [--targets 100] [--rate 50] [--duration 15] [--background 1000]

`--targets` stations (load generator, `--log-calls`), each with EVSE 1 published for
roaming, answer every call at once and log when it arrived and when they answered. The
driver asks them to unlock connector 1, at most one command per station at a time, by:

- *admin*: `POST /admin/stations/{id}/commands` (`unlock`, waiting for the result);
- *ocpi*: `POST /ocpi/2.2.1/commands/UNLOCK_CONNECTOR` as a registered eMSP; the result
  is the CommandResult the node POSTs to the command's `response_url` (a fake partner);
- *raw*: the raw responder's `POST /call/{id}/UnlockConnector` (the ceiling).

Per command, on the machine's one monotonic clock: *reach*, from the request being sent
until the charger has the CALL (issue 9 target for OCPI: < 50 ms p99), and *round trip*,
until the result is back, minus the charger's own time. Each path runs on an idle server
and with `--background` calls/s of the mixed load from 1,000 other stations. Server CPU
per command is taken from the idle runs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import (
    LoadProcess,
    ServerProcess,
    cpu_seconds,
    free_port,
    pg_available,
    print_table,
    spy_on,
    start_csms,
    start_raw_responder,
)
from bench.loadgen import loadgen_command
from bench.ocpi_seed import PARTNER_TOKEN, evse_uid, location_id, seed_roaming

__all__ = ["main", "measure"]

_OCPI_HEADERS = {"Authorization": "Token " + base64.b64encode(PARTNER_TOKEN.encode()).decode()}


@dataclass
class _Sent:
    station: str
    number: int
    sent_ns: int
    done_ns: int = 0
    ok: bool = False


@dataclass(frozen=True)
class _Target:
    """Where and how commands are sent."""

    path: str  # raw | admin | ocpi
    server: ServerProcess
    version: str
    partner_url: str = ""

    def request(self, station: str, number: int) -> tuple[str, dict[str, Any]]:
        base = f"http://127.0.0.1:{self.server.http_port}"
        if self.path == "raw":
            connector = {"connectorId": 1} if self.version == "1.6" else {"evseId": 1}
            payload = connector if self.version == "1.6" else {**connector, "connectorId": 1}
            return f"{base}/call/{station}/UnlockConnector", payload
        if self.path == "admin":
            body = {"command": "unlock", "params": {"evse_id": 1}, "wait": True}
            return f"{base}/admin/stations/{station}/commands", body
        body = {
            "response_url": f"{self.partner_url}/results/{number}",
            "location_id": location_id(station),
            "evse_uid": evse_uid(station),
            "connector_id": "1",
        }
        return f"{base}/ocpi/2.2.1/commands/UNLOCK_CONNECTOR", body

    def accepted(self, status: int, answer: Any) -> bool:
        if status != 200:
            return False
        if self.path == "raw":
            return True
        if self.path == "admin":
            return bool(answer.get("status") in ("accepted", "Accepted"))
        return bool((answer.get("data") or {}).get("result") == "ACCEPTED")


async def _issue(target: _Target, stations: list[str], rate: float, duration: float) -> list[_Sent]:
    sent: list[_Sent] = []
    busy: set[str] = set()
    headers = _OCPI_HEADERS if target.path == "ocpi" else {}

    async def one(http: aiohttp.ClientSession, station: str, number: int) -> None:
        url, body = target.request(station, number)
        record = _Sent(station, number, time.perf_counter_ns())
        sent.append(record)
        try:
            async with http.post(url, json=body, headers=headers) as response:
                record.ok = target.accepted(response.status, await response.json())
        finally:
            record.done_ns = time.perf_counter_ns()
            if target.path == "ocpi":
                await asyncio.sleep(0.5)  # the result arrives on its own; one at a time
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
            task = asyncio.create_task(one(http, station, n))
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


def _match(
    sent: list[_Sent], lines: list[dict[str, Any]], results: dict[int, int]
) -> tuple[list[float], list[float]]:
    """(reach ms, round trip minus charger time ms) per answered command. `results`: when
    each OCPI command's result reached the partner (by command number)."""
    calls: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        if line.get("call") == "UnlockConnector":
            calls.setdefault(line["station"], []).append(line)
    for entries in calls.values():
        entries.sort(key=lambda line: line["received_ns"])
    reach: list[float] = []
    round_trip: list[float] = []
    for record in sorted(sent, key=lambda r: r.sent_ns):
        done = results.get(record.number, record.done_ns) if results else record.done_ns
        entries = calls.get(record.station) or []
        # One command at a time per station: its call is the first one after it was sent.
        call = next((c for c in entries if record.sent_ns <= c["received_ns"] <= done), None)
        if call is None or not record.ok:
            continue
        entries.remove(call)
        charger = call["answered_ns"] - call["received_ns"]
        reach.append((call["received_ns"] - record.sent_ns) / 1e6)
        round_trip.append((done - record.sent_ns - charger) / 1e6)
    return reach, round_trip


async def measure(
    target: _Target,
    stations: list[str],
    rate: float,
    duration: float,
    background: float,
    results_log: Path | None = None,
    spy: str | None = None,
) -> dict[str, Any]:
    """Send commands to `stations` for `duration` s, optionally under mixed load."""
    url = f"ws://127.0.0.1:{target.server.port}/ocpp"
    suffix = target.version.replace(".", "")
    answering = LoadProcess(
        loadgen_command(
            url,
            version=target.version,
            stations=len(stations),
            rate=0,
            duration=0,
            processes=1,
            idle=duration + 20,
            log_calls=True,
            prefix=f"CMD{suffix}",
        )
    )
    await answering.start()
    noise: LoadProcess | None = None
    if background > 0:
        noise = LoadProcess(
            loadgen_command(
                url,
                version=target.version,
                stations=1000,
                rate=background,
                duration=duration + 10,
                processes=2,
                prefix=f"BG{suffix}",
            )
        )
        await noise.start()
    await answering.reached("idle_start", 300)
    if noise is not None:
        await noise.reached("traffic_start", 300)
        await asyncio.sleep(2)  # let the background load settle
    recorder = spy_on(target.server.pid, spy) if spy else None
    cpu_start = cpu_seconds(target.server.pid)
    sent = await _issue(target, stations, rate, duration)
    cpu = cpu_seconds(target.server.pid) - cpu_start
    if recorder is not None:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)
    await answering.finish(duration + 120)
    if noise is not None:
        await noise.finish(duration + 120)
    results: dict[int, int] = {}
    if results_log is not None and results_log.exists():
        for line in results_log.read_text().splitlines():
            entry = json.loads(line)
            if "/results/" in entry["path"]:
                results[int(entry["path"].rsplit("/", 1)[-1])] = entry["received_ns"]
    reach, round_trip = _match(sent, answering.lines, results)
    return {
        "path": target.path,
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


def _laddpunkt_rows(db: str, args: argparse.Namespace, backgrounds: list[float]) -> list[Any]:
    suffix = args.version.replace(".", "")
    stations = [f"CMD{suffix}-{n}" for n in range(args.targets)]
    rows = []
    partner_port = free_port()
    with tempfile.TemporaryDirectory(prefix="laddpunkt-commands-") as folder:
        log = Path(folder) / "results.jsonl"
        command = [sys.executable, "-m", "bench.fake_partner", "--port", str(partner_port)]
        partner = subprocess.Popen([*command, "--log", str(log)])

        def seed(env: dict[str, str]) -> None:
            asyncio.run(seed_roaming(env, stations, args.version, None))

        try:
            with start_csms(db, tokens=("BENCH-TAG",), prepare=seed) as server:
                time.sleep(1.0)
                for path in ("admin", "ocpi"):
                    target = _Target(path, server, args.version, f"http://127.0.0.1:{partner_port}")
                    for background in backgrounds:
                        spy = f"{args.spy}.{db}.{path}" if args.spy and not background else None
                        load = (stations, args.rate, args.duration, background, log, spy)
                        row = asyncio.run(measure(target, *load))
                        rows.append({"server": f"laddpunkt/{db}", **row})
        finally:
            partner.terminate()
            partner.wait(timeout=20)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="command round trip")
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--background", type=float, default=1000)
    parser.add_argument("--spy", help="py-spy the idle runs into SPY.<db>.<path>")
    args = parser.parse_args(argv)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not pg_available():
        print("postgres: no server on 127.0.0.1:5432, skipped", file=sys.stderr)
        dbs.remove("postgres")
    backgrounds = [0.0, args.background] if args.background > 0 else [0.0]
    suffix = args.version.replace(".", "")
    stations = [f"CMD{suffix}-{n}" for n in range(args.targets)]
    raw_rows: dict[float, dict[str, Any]] = {}
    with start_raw_responder() as raw:
        for background in backgrounds:
            target = _Target("raw", raw, args.version)
            load = (stations, args.rate, args.duration, background)
            raw_rows[background] = asyncio.run(measure(target, *load))
    rows: list[dict[str, Any]] = [{"server": "raw responder", **row} for row in raw_rows.values()]
    for db in dbs:
        for row in _laddpunkt_rows(db, args, backgrounds):
            raw_row = raw_rows[row["background_calls_per_s"]]
            row["reach_p99_ratio"] = _ratio(row["reach_p99_ms"], raw_row["reach_p99_ms"])
            rows.append(row)
    print_table(
        f"Command round trip (UnlockConnector, OCPP {args.version}, {args.rate:g}/s over "
        f"{args.targets} stations; target: an OCPI command reaches the charger < 50 ms p99)",
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
