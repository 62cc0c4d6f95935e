"""Connection scale and boot storm: N stations connect and boot at once, then stay connected.

    python -m bench.bench_connections [--stations 10000] [--version 1.6|2.0.1]
        [--db sqlite|postgres] [--processes 4] [--idle 10]

For Laddpunkt and for the raw responder (same run, same generator), it prints: the time
from the first connection attempt until every station has its BootNotification answered,
server CPU per station for that (handshake + boot, stored), the server's RSS with every
station connected and idle (and per station, over the idle server's RSS before the storm),
and the load generator's own CPU. Targets (issue 9): 10,000 stations connect and boot in
< 40 s; RSS < 600 MiB with 10,000 connected.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from bench.common import (
    ServerProcess,
    drive,
    pg_available,
    print_table,
    rss_kib,
    start_csms,
    start_raw_responder,
)
from bench.loadgen import loadgen_command

__all__ = ["main", "measure"]


def measure(
    server: ServerProcess, version: str, stations: int, processes: int, idle: float
) -> dict[str, Any]:
    """Boot `stations` against `server` at once; sample it while they all sit connected."""
    rss_before = rss_kib(server.pid)
    command = loadgen_command(
        f"ws://127.0.0.1:{server.port}/ocpp",
        version=version,
        stations=stations,
        rate=0,
        duration=0,
        processes=processes,
        idle=idle,
        connect_concurrency=max(50, 1000 // processes),
        timeout=30,
        prefix=f"C{version.replace('.', '')}",
    )
    run = drive(server.pid, command)
    summary = run.summary
    booted = summary.get("booted") or 0
    storm_s = run.seconds_between("connect_start", "booted")
    storm_cpu = run.cpu_between("connect_start", "booted")
    idle_rss = max(run.phases["idle_start"].rss_kib, run.phases["idle_end"].rss_kib)
    return {
        "stations": stations,
        "connected": summary.get("connected"),
        "booted": booted,
        "connect_boot_s": round(storm_s, 2),
        "stations_per_s": round(booted / storm_s, 1) if storm_s else None,
        "server_cpu_ms_per_station": round(storm_cpu * 1000 / booted, 3) if booted else None,
        "server_rss_mib": round(idle_rss / 1024, 1),
        "rss_kib_per_station": round((idle_rss - rss_before) / booted, 1) if booted else None,
        "idle_cpu_share": round(
            run.cpu_between("idle_start", "idle_end")
            / run.seconds_between("idle_start", "idle_end"),
            3,
        ),
        "errors": summary.get("errors"),
        "loadgen_cpu_s": summary.get("loadgen_cpu_seconds"),
    }


def _ratio(value: float | None, raw: float | None) -> float | None:
    return round(value / raw, 2) if value and raw else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="connection scale and boot storm")
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--idle", type=float, default=10)
    args = parser.parse_args(argv)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not pg_available():
        print("postgres: no server on 127.0.0.1:5432, skipped", file=sys.stderr)
        dbs.remove("postgres")
    load = (args.version, args.stations, args.processes, args.idle)
    with start_raw_responder() as raw:
        time.sleep(0.5)
        raw_row = measure(raw, *load)
    rows: list[dict[str, Any]] = [{"server": "raw responder", **raw_row}]
    for db in dbs:
        with start_csms(db) as csms:
            time.sleep(1.0)
            row = measure(csms, *load)
        row["cpu_ratio"] = _ratio(
            row["server_cpu_ms_per_station"], raw_row["server_cpu_ms_per_station"]
        )
        row["time_ratio"] = _ratio(row["connect_boot_s"], raw_row["connect_boot_s"])
        rows.append({"server": f"laddpunkt/{db}", **row})
    print_table(
        f"Boot storm: {args.stations} stations (OCPP {args.version}) connect, boot, stay "
        f"connected (targets: < 40 s, RSS < 600 MiB at 10,000)",
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
