"""OCPI push latency: a charger's status change → the partner's locations endpoint, under load.

    python -m bench.bench_ocpi_push [--db sqlite|postgres|both] [--version 1.6|2.0.1]
        [--flippers 100] [--flip-rate 20] [--duration 20] [--background 1000]

`--flippers` stations, each with its EVSE 1 published at a location of its own, change
their connector's status `--flip-rate` times a second in all (StatusNotification
Available <-> Preparing/Occupied, every one a change), while 1,000 other stations send the
mixed load at `--background` calls/s. A registered eMSP (a bare aiohttp partner,
`bench/fake_partner.py`) receives the pushed EVSE PATCHes. Per push: from the moment the
charger sent the status change it reflects (the latest one of that station before the
push arrived) to its arrival at the partner, on the machine's one monotonic clock.
Issue 9 target: < 1 s p99.

The raw responder has no push path, so there is no ratio here: the reference is the
background load's own answer latency, printed alongside.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import LoadProcess, free_port, pg_available, print_table, start_csms
from bench.loadgen import loadgen_command
from bench.ocpi_seed import evse_uid, seed_roaming

__all__ = ["main", "measure"]

TAG = "BENCH-TAG"


def _pct(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


# What a flipper's status change becomes at the partner (the EVSE's OCPI status).
_PUSHED_AS = {"Available": "AVAILABLE", "Preparing": "CHARGING", "Occupied": "CHARGING"}
_STATUS = re.compile(r'"status"\s*:\s*"([A-Z_]+)"')


def _latencies(
    sent: list[dict[str, Any]], received: list[dict[str, Any]], stations: list[str]
) -> tuple[list[float], int]:
    """(ms per push of a flipper's status change, other pushes of the flippers' EVSEs).

    A push is matched to the station's latest change to the status it carries sent before
    it arrived; pushes that carry no change of ours (AVAILABLE when a station connects,
    UNKNOWN when it goes away) are counted apart.
    """
    by_uid = {evse_uid(station): station for station in stations}
    changes: dict[tuple[str, str], list[int]] = {}
    for line in sent:
        key = (line["station"], _PUSHED_AS.get(line["status"], "?"))
        changes.setdefault(key, []).append(line["sent_ns"])
    for times in changes.values():
        times.sort()
    latencies: list[float] = []
    other = 0
    for push in received:
        station = by_uid.get(push["path"].rstrip("/").rsplit("/", 1)[-1])
        if station is None:
            continue  # a whole location, or another station's EVSE
        status = _STATUS.search(push["body"])
        times = changes.get((station, status.group(1) if status else ""), [])
        index = bisect.bisect_right(times, push["received_ns"]) - 1
        if index < 0:
            other += 1
            continue
        latencies.append((push["received_ns"] - times[index]) / 1e6)
    return latencies, other


async def _run(
    port: int, version: str, stations: list[str], args: argparse.Namespace
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    url = f"ws://127.0.0.1:{port}/ocpp"
    suffix = version.replace(".", "")
    noise: LoadProcess | None = None
    if args.background > 0:
        noise = LoadProcess(
            loadgen_command(
                url,
                version=version,
                stations=1000,
                rate=args.background,
                duration=args.duration + 15,
                processes=2,
                prefix=f"BG{suffix}",
            )
        )
        await noise.start()
        await noise.reached("traffic_start", 300)
        await asyncio.sleep(2)
    flippers = LoadProcess(
        loadgen_command(
            url,
            version=version,
            stations=len(stations),
            rate=args.flip_rate,
            duration=args.duration,
            processes=1,
            mix="statusflip",
            log_status=True,
            prefix=f"PF{suffix}",
        )
    )
    await flippers.start()
    await flippers.finish(args.duration + 300)
    background: dict[str, Any] = {}
    if noise is not None:
        await noise.finish(args.duration + 300)
        background = noise.summary
    return [line for line in flippers.lines if "sent_ns" in line], background


def measure(db: str, version: str, args: argparse.Namespace) -> dict[str, Any]:
    suffix = version.replace(".", "")
    stations = [f"PF{suffix}-{n}" for n in range(args.flippers)]
    partner_port = free_port()
    with tempfile.TemporaryDirectory(prefix="laddpunkt-push-") as folder:
        log = Path(folder) / "received.jsonl"
        command = [sys.executable, "-m", "bench.fake_partner", "--port", str(partner_port)]
        partner = subprocess.Popen([*command, "--log", str(log)])
        partner_url = f"http://127.0.0.1:{partner_port}/ocpi/emsp/2.2.1/locations"
        try:

            def seed(env: dict[str, str]) -> None:
                asyncio.run(seed_roaming(env, stations, version, partner_url))

            with start_csms(db, tokens=(TAG,), prepare=seed) as server:
                time.sleep(2.0)  # the push workers look at the partners
                sent, background = asyncio.run(_run(server.port, version, stations, args))
                time.sleep(3.0)  # the last pushes
        finally:
            partner.terminate()
            partner.wait(timeout=20)
        received = [json.loads(line) for line in log.read_text().splitlines() if line]
    latencies, other = _latencies(sent, received, stations)
    return {
        "server": f"laddpunkt/{db}",
        "version": version,
        "changes_sent": len(sent),
        "pushes_received": len(latencies),
        "other_pushes": other,
        "push_p50_ms": _pct(latencies, 0.5),
        "push_p99_ms": _pct(latencies, 0.99),
        "push_max_ms": _pct(latencies, 1.0),
        "background_calls_per_s": background.get("calls_per_s"),
        "background_p99_ms": (background.get("latency_ms") or {}).get("p99"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="OCPI push latency under load")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--flippers", type=int, default=100)
    parser.add_argument("--flip-rate", type=float, default=20)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--background", type=float, default=1000)
    args = parser.parse_args(argv)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not pg_available():
        print("postgres: no server on 127.0.0.1:5432, skipped", file=sys.stderr)
        dbs.remove("postgres")
    rows = [measure(db, args.version, args) for db in dbs]
    print_table(
        f"OCPI push: EVSE status change -> partner ({args.flip_rate:g} changes/s, "
        f"{args.background:g} calls/s mixed load; target < 1 s p99)",
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
