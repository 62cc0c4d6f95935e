"""Every benchmark, one after the other, then every figure against the targets of issue 9.

    python -m bench.run_all [--quick] [--db sqlite|postgres|both] [--only NAME[,NAME]]

`make bench` runs this. Each benchmark runs in its own process and prints its own table
(and a JSON line); at the end comes one table of targets, measured values and whether each
is met, with the machine it ran on (cores, Python, load average: other work on the machine
skews every figure, so the load average before and after is printed too). PostgreSQL runs
are skipped, saying so, when no server listens on 127.0.0.1:5432. `--quick` shortens every
run (a smoke test of the suite, not figures to quote).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.common import machine, pg_available, print_table

__all__ = ["main"]


@dataclass(frozen=True)
class _Bench:
    name: str
    module: str
    args: list[str]
    quick: list[str]


def _benches(dbs: str) -> list[_Bench]:
    return [
        _Bench("validation", "bench.bench_validation", [], []),
        _Bench(
            "hotpath",
            "bench.bench_hotpath",
            ["--db", dbs, "--rounds", "60"],
            ["--db", dbs, "--rounds", "20"],
        ),
        _Bench(
            "load",
            "bench.bench_ocpp_load",
            ["--db", dbs, "--rate", "2500", "--duration", "20"],
            ["--db", dbs, "--rate", "500", "--duration", "5", "--stations", "200"],
        ),
        _Bench(
            "connections",
            "bench.bench_connections",
            ["--db", dbs, "--stations", "10000", "--idle", "10"],
            ["--db", dbs, "--stations", "1000", "--idle", "2"],
        ),
        _Bench(
            "commands",
            "bench.bench_commands",
            ["--db", dbs, "--duration", "15"],
            ["--db", dbs, "--duration", "4", "--rate", "20", "--background", "300"],
        ),
        _Bench(
            "ocpi_pagination",
            "bench.bench_ocpi_pagination",
            ["--db", dbs],
            ["--db", dbs, "--locations", "2000", "--duration", "4"],
        ),
        _Bench(
            "ocpi_push",
            "bench.bench_ocpi_push",
            ["--db", dbs],
            ["--db", dbs, "--duration", "5", "--background", "300"],
        ),
    ]


def _run(bench: _Bench, quick: bool) -> list[dict[str, Any]]:
    """Run one benchmark, echoing its output; the rows of its JSON lines."""
    command = [sys.executable, "-m", bench.module, *(bench.quick if quick else bench.args)]
    print(f"\n#### {bench.name}: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    results: list[dict[str, Any]] = []
    for line in process.stdout:
        print(line, end="", flush=True)
        if line.startswith('{"benchmark"'):
            results.append(json.loads(line))
    process.wait()
    print(f"#### {bench.name}: exit {process.returncode} in {time.perf_counter() - started:.0f} s")
    return [{"benchmark": r["benchmark"], **row} for r in results for row in r["rows"]]


@dataclass(frozen=True)
class _Target:
    name: str
    bench: str
    rows: Callable[[dict[str, Any]], bool]
    label: Callable[[dict[str, Any]], str]
    value: Callable[[dict[str, Any]], Any]
    met: Callable[[Any], bool]
    wanted: str


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _laddpunkt(row: dict[str, Any]) -> bool:
    return str(row.get("server", "")).startswith("laddpunkt")


def _version_db(row: dict[str, Any]) -> str:
    return f"{row.get('version', '')} {row.get('server', '').removeprefix('laddpunkt/')}".strip()


_TARGETS = [
    _Target(
        "CPU per call vs raw responder",
        "load",
        _laddpunkt,
        _version_db,
        lambda r: r.get("ratio"),
        lambda v: _num(v) is not None and v <= 2.0,
        "<= 2x",
    ),
    _Target(
        "answered calls/s (2,500 offered)",
        "load",
        _laddpunkt,
        _version_db,
        lambda r: r.get("calls_per_s"),
        lambda v: _num(v) is not None and v >= 2500 * 0.98,
        ">= 2,500",
    ),
    _Target(
        "p99 latency at that load",
        "load",
        _laddpunkt,
        _version_db,
        lambda r: r.get("p99_ms"),
        lambda v: _num(v) is not None and v < 100,
        "< 100 ms",
    ),
    _Target(
        "10,000 stations connect + boot",
        "connections",
        _laddpunkt,
        _version_db,
        lambda r: r.get("connect_boot_s"),
        lambda v: _num(v) is not None and v < 40,
        "< 40 s",
    ),
    _Target(
        "RSS with 10,000 connected",
        "connections",
        _laddpunkt,
        _version_db,
        lambda r: r.get("server_rss_mib"),
        lambda v: _num(v) is not None and v < 600,
        "< 600 MiB",
    ),
    _Target(
        "OCPI locations pages",
        "ocpi_pagination",
        lambda r: str(r.get("run", "")).endswith("pages"),
        lambda r: str(r.get("run", "")),
        lambda r: r.get("requests/s"),
        lambda v: _num(v) is not None and v >= 1000,
        ">= 1,000 req/s",
    ),
    _Target(
        "EVSE status change -> partner, p99",
        "ocpi_push",
        _laddpunkt,
        _version_db,
        lambda r: r.get("push_p99_ms"),
        lambda v: _num(v) is not None and v < 1000,
        "< 1,000 ms",
    ),
    _Target(
        "OCPI command reaches the charger, p99",
        "commands",
        lambda r: r.get("path") == "ocpi",
        lambda r: f"{r.get('server', '')} load {r.get('background_calls_per_s')}/s",
        lambda r: r.get("reach_p99_ms"),
        lambda v: _num(v) is not None and v < 50,
        "< 50 ms",
    ),
]


def _summary(results: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    rows = []
    for target in _TARGETS:
        measured = [row for row in results.get(target.bench, []) if target.rows(row)]
        if not measured:
            rows.append({"target": target.name, "run": "(not run)", "wanted": target.wanted})
        for row in measured:
            value = target.value(row)
            rows.append(
                {
                    "target": target.name,
                    "run": target.label(row),
                    "measured": value,
                    "wanted": target.wanted,
                    "met": "yes" if target.met(value) else "NO",
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="all benchmarks, then the targets")
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--only", help="comma-separated benchmark names")
    args = parser.parse_args(argv)
    dbs = args.db
    if dbs != "sqlite" and not pg_available():
        print("PostgreSQL: no server on 127.0.0.1:5432; its runs are skipped", flush=True)
        dbs = "sqlite"
    before = machine()
    print(f"machine: {before} (os.cpu_count() = {os.cpu_count()} cores)", flush=True)
    wanted = set(args.only.split(",")) if args.only else None
    results: dict[str, list[dict[str, Any]]] = {}
    for bench in _benches(dbs):
        if wanted is None or bench.name in wanted:
            results[bench.name] = _run(bench, args.quick)
    after = machine()
    quick = " (--quick: smaller runs than the targets name; not figures to quote)"
    print_table(
        f"Issue 9 targets on {before['cores']} cores (load average {before['load_average_1m']} "
        f"before, {after['load_average_1m']} after){quick if args.quick else ''}",
        _summary(results),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
