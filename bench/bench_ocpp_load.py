"""Sustained mixed OCPP load: server CPU per answered call, calls/s and latency, for
Laddpunkt (SQLite and PostgreSQL, every message persisted before its answer) against the raw
responder measured in the same run.

    python -m bench.bench_ocpp_load [--version 1.6|2.0.1|both] [--db sqlite|postgres|both]
        [--stations 1000] [--rate 2500] [--duration 20] [--processes 2]

The load generator's own CPU is printed too: when it nears 100 % per process, it is the limit.
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
    start_csms,
    start_raw_responder,
)
from bench.loadgen import loadgen_command

__all__ = ["main", "measure"]

TAG = "BENCH-TAG"


def measure(
    server: ServerProcess, version: str, stations: int, rate: float, duration: float, processes: int
) -> dict[str, Any]:
    """Drive `server` with the load generator; CPU is sampled over the traffic phase only."""
    command = loadgen_command(
        f"ws://127.0.0.1:{server.port}/ocpp",
        version=version,
        stations=stations,
        rate=rate,
        duration=duration,
        processes=processes,
        prefix=f"L{version.replace('.', '')}",
    )
    run = drive(server.pid, command)
    summary = run.summary
    answered = summary.get("answered") or 0
    server_cpu = run.cpu_between("traffic_start", "traffic_end")
    seconds = run.seconds_between("traffic_start", "traffic_end")
    return {
        "calls_per_s": summary.get("calls_per_s"),
        "answered": answered,
        "errors": summary.get("errors", 0) + sum(summary.get("call_errors", {}).values()),
        "p50_ms": summary.get("latency_ms", {}).get("p50"),
        "p99_ms": summary.get("latency_ms", {}).get("p99"),
        "server_cpu_ms_per_call": round(server_cpu * 1000 / answered, 3) if answered else None,
        "server_cpu_share": round(server_cpu / seconds, 2),
        "server_rss_mib": round(run.phases["traffic_end"].rss_kib / 1024, 1),
        "loadgen_cpu_s": summary.get("loadgen_cpu_seconds"),
        "call_errors": summary.get("call_errors", {}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="sustained mixed OCPP load")
    parser.add_argument("--version", choices=["1.6", "2.0.1", "both"], default="both")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=2500)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)
    versions = ["1.6", "2.0.1"] if args.version == "both" else [args.version]
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not pg_available():
        print("postgres: no server on 127.0.0.1:5432, skipped", file=sys.stderr)
        dbs.remove("postgres")
    rows: list[dict[str, Any]] = []
    load = (args.stations, args.rate, args.duration, args.processes)
    for version in versions:
        with start_raw_responder() as raw:
            raw_row = measure(raw, version, *load)
        rows.append({"server": "raw responder", "version": version, **raw_row})
        for db in dbs:
            with start_csms(db, tokens=(TAG,)) as csms:
                time.sleep(0.5)
                row = measure(csms, version, *load)
            ratio = (
                round(row["server_cpu_ms_per_call"] / raw_row["server_cpu_ms_per_call"], 2)
                if row["server_cpu_ms_per_call"] and raw_row["server_cpu_ms_per_call"]
                else None
            )
            rows.append({"server": f"laddpunkt/{db}", "version": version, **row, "ratio": ratio})
    print_table(
        f"OCPP mixed load: {args.stations} stations, {args.rate:g} calls/s for {args.duration:g} s",
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
