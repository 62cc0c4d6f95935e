"""OCPI locations: GET list pages and single objects over 300,000 EVSEs (issue 9 target:
≥ 1,000 requests/s of pages).

    python -m bench.bench_ocpi_pagination [--db sqlite|postgres|both] [--locations 30000]
        [--evses 10] [--limit 50] [--clients 16] [--duration 20] [--processes 1]
        [--changes 0] [--no-raw]

The network is seeded straight into a fresh database through the store's tables (SQLite
file or PostgreSQL schema): `--locations` sites of one station each, `--evses` EVSEs per
station (odd EVSEs carry two connectors, even ones one), as linking publishes them
(`evse_uid_for`, `emi3_evse_id`), `last_updated` spread over 30 days. A registered partner
is written too; `csms serve` is then started on that database and driven over loopback by
`--processes` client processes of `--clients` aiohttp clients each (never parsing bodies):

- *pages*: every client crawls `GET /ocpi/2.2.1/locations?limit=L` by its `Link` headers
  and starts over at the end (each crawl's first page counts the window);
- *objects*: every client GETs random locations (3 of 4) and EVSEs (1 of 4).

Before the measured phases one full crawl runs by itself (a cold server: the figure a
restarted node pays once), and one page is checked against the 2.2.1 models. `--changes`
status changes per second are written meanwhile by another connection as another node
would (connector row + site `last_updated`), so pages keep being invalidated.

For the ceiling, the same clients fetch a page of the same size from a bare aiohttp
server that sends pre-built bytes (`--no-raw` skips it); the ratio says how much of each
request our code costs beyond HTTP itself. Figures: requests/s, p50/p99 latency, server CPU
per request, client CPU per request, bytes per answer, and the machine's core count.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import (
    PG_URL,
    ServerProcess,
    cpu_seconds,
    drive,
    free_port,
    pg_available,
    print_table,
    rss_kib,
    start_csms,
)

__all__ = ["main"]

_TOKEN = "bench-partner-token-" + "x" * 24


# --- seeding -------------------------------------------------------------------------------


def _site_row(n: int, stamp: datetime) -> dict[str, Any]:
    attributes = {
        "parking_type": "ON_STREET",
        "operator": {"name": "Laddpunkt Bench"},
        "facilities": ["CAFE", "SUPERMARKET"],
        "opening_times": {"twentyfourseven": True},
        "charging_when_closed": True,
    }
    return {
        "id": f"LOC{n:06d}",
        "country_code": "SE",
        "party_id": "LDP",
        "publish": True,
        "name": f"Laddplats {n}",
        "address": f"Storgatan {n % 200 + 1}",
        "city": "Stockholm",
        "postal_code": f"{11100 + n % 900}",
        "state": None,
        "country": "SWE",
        "latitude": f"{59 + (n % 1000) / 10000:.6f}",
        "longitude": f"{18 + (n % 997) / 10000:.6f}",
        "time_zone": "Europe/Stockholm",
        "details": {"attributes": attributes, "evses": []},
        "last_updated": stamp,
    }


def _station_rows(
    n: int, evses: int, stamp: datetime
) -> tuple[dict[str, Any], list[Any], list[Any]]:
    from shared.store.location_links import emi3_evse_id, evse_uid_for

    station_id = f"BENCH-{n:06d}"
    station = {
        "id": station_id,
        "ocpp_version": "2.0.1",
        "registration_status": "accepted",
        "connected": True,
        "created_at": stamp,
        "updated_at": stamp,
    }
    evse_rows, plug_rows = [], []
    for evse_id in range(1, evses + 1):
        evse_rows.append(
            {
                "station_id": station_id,
                "evse_id": evse_id,
                "status": "Available",
                "location_id": f"LOC{n:06d}",
                "evse_uid": evse_uid_for(station_id, evse_id),
                "ocpi_evse_id": emi3_evse_id("SE", "LDP", station_id, evse_id),
                "removed": False,
                "last_updated": stamp,
            }
        )
        dc = evse_id % 2 == 1
        for connector_id in (1, 2) if dc else (1,):
            plug_rows.append(
                {
                    "station_id": station_id,
                    "evse_id": evse_id,
                    "connector_id": connector_id,
                    "status": "Available",
                    "standard": ("IEC_62196_T2_COMBO" if connector_id == 1 else "CHADEMO")
                    if dc
                    else None,
                    "format": "CABLE" if dc else None,
                    "power_type": "DC" if dc else None,
                    "max_voltage": 920 if dc else None,
                    "max_amperage": 400 if dc else None,
                    "max_electric_power": 150000 if dc else None,
                    "tariff_ids": ["DC-1"] if dc else ["AC-1"],
                    "last_updated": stamp,
                }
            )
    return station, evse_rows, plug_rows


async def _seed(env: dict[str, str], locations: int, evses: int) -> dict[str, Any]:
    """The network and a registered partner, straight into the database `env` names."""
    from sqlalchemy import insert

    from shared.config import DatabaseSettings
    from shared.domain.partners import PartyRole
    from shared.secrets import hash_token
    from shared.store import tables
    from shared.store.database import Database
    from shared.store.migrate import upgrade_database
    from shared.store.partners import Registration, create_registered
    from shared.store.uow import UnitOfWork

    database = Database(
        DatabaseSettings(
            url=env["CSMS_DATABASE__URL"], schema_name=env.get("CSMS_DATABASE__SCHEMA_NAME")
        )
    )
    started = time.perf_counter()
    try:
        await upgrade_database(database)
        now = datetime.now(UTC)
        chunk = 1000
        for first in range(0, locations, chunk):
            sites, stations, evse_rows, plug_rows = [], [], [], []
            for n in range(first, min(first + chunk, locations)):
                stamp = now - timedelta(days=30) + timedelta(seconds=n * 86.4 * 1000 / locations)
                sites.append(_site_row(n, stamp))
                station, some_evses, some_plugs = _station_rows(n, evses, stamp)
                stations.append(station)
                evse_rows += some_evses
                plug_rows += some_plugs
            async with database.begin() as conn:
                await conn.execute(insert(tables.locations), sites)
                await conn.execute(insert(tables.stations), stations)
                await conn.execute(insert(tables.evses), evse_rows)
                await conn.execute(insert(tables.connectors), plug_rows)
        registration = Registration(
            roles=(PartyRole("EMSP", "NL", "EMS", "Bench eMSP"),),
            endpoints=(),
            versions_url="http://127.0.0.1:9/versions",
            version="2.2.1",
            incoming_token_hash=hash_token(_TOKEN),
            outgoing_token="unused",
        )
        async with database.begin() as conn:
            await create_registered(UnitOfWork(conn, None), "bench", registration)
        if database.is_sqlite:
            async with database.connect() as conn:
                await conn.exec_driver_sql("ANALYZE")
        else:
            async with database.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql("ANALYZE")
    finally:
        await database.dispose()
    return {"seed_s": round(time.perf_counter() - started, 1)}


@contextmanager
def _fresh_database(kind: str) -> Iterator[dict[str, str]]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="laddpunkt-ocpi-bench-") as folder:
            yield {"CSMS_DATABASE__URL": f"sqlite+aiosqlite:///{folder}/bench.db"}
        return
    from bench.common import _psql

    schema = f"bench_ocpi_{secrets.token_hex(4)}"
    _psql(f"CREATE SCHEMA {schema}")
    try:
        yield {"CSMS_DATABASE__URL": PG_URL, "CSMS_DATABASE__SCHEMA_NAME": schema}
    finally:
        _psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# --- the client processes ------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class _Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.bytes = 0
        self.errors = 0
        self.crawls = 0


def _next_link(header: str | None) -> str | None:
    if not header or 'rel="next"' not in header:
        return None
    return header[header.index("<") + 1 : header.index(">")]


async def _crawler(session: Any, first: str, stop: float, tally: _Tally) -> None:
    url: str | None = first
    while time.monotonic() < stop:
        if url is None:
            url = first
            tally.crawls += 1
        started = time.perf_counter()
        async with session.get(url) as response:
            body = await response.read()
            link = response.headers.get("Link")
            ok = response.status == 200 and body.startswith(b'{"data":')
        tally.latencies.append(time.perf_counter() - started)
        tally.bytes += len(body)
        if not ok:
            tally.errors += 1
            url = None
            continue
        url = _next_link(link)


async def _getter(session: Any, base: str, stop: float, tally: _Tally, args: Any) -> None:
    rng = random.Random()
    while time.monotonic() < stop:
        n = rng.randrange(args.locations)
        url = f"{base}/LOC{n:06d}"
        if rng.random() < 0.25:
            url += f"/BENCH-{n:06d}-{rng.randrange(1, args.evses + 1)}"
        started = time.perf_counter()
        async with session.get(url) as response:
            body = await response.read()
            ok = response.status == 200 and b'"status_code":1000' in body
        tally.latencies.append(time.perf_counter() - started)
        tally.bytes += len(body)
        tally.errors += 0 if ok else 1


async def _run_clients(args: Any) -> None:
    import aiohttp

    headers = {"Authorization": "Token " + base64.b64encode(_TOKEN.encode()).decode()}
    connector = aiohttp.TCPConnector(limit=args.clients, force_close=False)
    tally = _Tally()
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:
        base = f"http://127.0.0.1:{args.port}{args.path}"
        print(json.dumps({"event": "start"}), flush=True)
        cpu_before = time.process_time()
        stop = time.monotonic() + args.duration
        if args.mode == "pages":
            first = f"{base}?limit={args.limit}"
            workers = [_crawler(session, first, stop, tally) for _ in range(args.clients)]
        else:
            workers = [_getter(session, base, stop, tally, args) for _ in range(args.clients)]
        started = time.perf_counter()
        await asyncio.gather(*workers)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
        print(json.dumps({"event": "end"}), flush=True)
    summary = {
        "requests": len(tally.latencies),
        "elapsed_s": elapsed,
        "latencies": tally.latencies,
        "bytes": tally.bytes,
        "errors": tally.errors,
        "client_cpu_s": cpu,
    }
    print(json.dumps({"summary": summary}), flush=True)


def _client_command(args: Any, port: int, path: str, mode: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.bench_ocpi_pagination",
        "--client",
        "--port",
        str(port),
        "--path",
        path,
        "--mode",
        mode,
        "--limit",
        str(args.limit),
        "--clients",
        str(args.clients),
        "--duration",
        str(args.duration),
        "--locations",
        str(args.locations),
        "--evses",
        str(args.evses),
    ]


def _measure(pid: int, command: list[str], processes: int, label: str) -> dict[str, Any]:
    """`processes` client processes at once; figures of the whole."""
    if processes == 1:
        runs = [drive(pid, command)]
    else:
        import concurrent.futures

        with concurrent.futures.ThreadPoolExecutor(processes) as pool:
            runs = list(pool.map(lambda _: drive(pid, command), range(processes)))
    latencies = [x for run in runs for x in run.summary.get("latencies", [])]
    requests = sum(run.summary.get("requests", 0) for run in runs)
    elapsed = max(run.summary.get("elapsed_s", 1e-9) for run in runs)
    server_cpu = max(run.phases["end"].cpu_s for run in runs) - min(
        run.phases["start"].cpu_s for run in runs
    )
    client_cpu = sum(run.summary.get("client_cpu_s", 0.0) for run in runs)
    total_bytes = sum(run.summary.get("bytes", 0) for run in runs)
    return {
        "run": label,
        "requests/s": round(requests / elapsed),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "server_cpu_ms/req": round(server_cpu / max(requests, 1) * 1000, 3),
        "server_cpu_%": round(server_cpu / elapsed * 100),
        "client_cpu_ms/req": round(client_cpu / max(requests, 1) * 1000, 3),
        "kB/answer": round(total_bytes / max(requests, 1) / 1000, 1),
        "errors": sum(run.summary.get("errors", 0) for run in runs),
    }


# --- the server side -----------------------------------------------------------------------


def _wait_http(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no HTTP server on {port}")


async def _cold_crawl(port: int, limit: int) -> dict[str, Any]:
    """One crawl alone (cold caches), and the first page checked against the models."""
    import aiohttp

    from ocpi_gateway.v221.models import Location

    headers = {"Authorization": "Token " + base64.b64encode(_TOKEN.encode()).decode()}
    url: str | None = f"http://127.0.0.1:{port}/ocpi/2.2.1/locations?limit={limit}"
    pages = seen = 0
    total = ""
    started = time.perf_counter()
    async with aiohttp.ClientSession(headers=headers) as session:
        while url is not None and pages < 1_000_000:
            async with session.get(url) as response:
                body = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET {url}: HTTP {response.status}")
                link = response.headers.get("Link")
                total = total or response.headers.get("X-Total-Count", "")
            document = json.loads(body)
            if pages == 0:
                for item in document["data"]:
                    Location.model_validate(item)
            seen += len(document["data"])
            pages += 1
            url = _next_link(link)
    if str(seen) != total:
        raise RuntimeError(f"the crawl saw {seen} locations, X-Total-Count said {total}")
    return {"cold_crawl_s": round(time.perf_counter() - started, 1), "pages": pages}


async def _write_changes(env: dict[str, str], rate: float, locations: int, evses: int) -> None:
    """Status changes as another node writes them: connector, EVSE and site bumped."""
    from sqlalchemy import update

    from shared.config import DatabaseSettings
    from shared.store import tables
    from shared.store.database import Database

    database = Database(
        DatabaseSettings(
            url=env["CSMS_DATABASE__URL"], schema_name=env.get("CSMS_DATABASE__SCHEMA_NAME")
        )
    )
    rng = random.Random(7)
    try:
        while True:
            n, evse = rng.randrange(locations), rng.randrange(1, evses + 1)
            station = f"BENCH-{n:06d}"
            status = rng.choice(["Available", "Occupied"])
            now = datetime.now(UTC)
            async with database.begin() as conn:
                where = (tables.connectors.c.station_id == station,)
                await conn.execute(
                    update(tables.connectors)
                    .where(*where, tables.connectors.c.evse_id == evse)
                    .values(status=status, last_updated=now)
                )
                await conn.execute(
                    update(tables.locations)
                    .where(tables.locations.c.id == f"LOC{n:06d}")
                    .values(last_updated=now)
                )
            await asyncio.sleep(1 / rate)
    finally:
        await database.dispose()


@contextmanager
def _changes(env: dict[str, str], args: Any) -> Iterator[None]:
    if not args.changes:
        yield
        return
    code = (
        "import asyncio, json, sys\n"
        "from bench.bench_ocpi_pagination import _write_changes\n"
        "asyncio.run(_write_changes(json.loads(sys.argv[1]), *map(float, sys.argv[2:])))\n"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            json.dumps(env),
            str(args.changes),
            str(args.locations),
            str(args.evses),
        ]
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def _run_db(kind: str, args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with _fresh_database(kind) as db_env:
        seeded = asyncio.run(_seed(db_env, args.locations, args.evses))
        print(f"{kind}: seeded in {seeded['seed_s']} s", file=sys.stderr)
        http_port = free_port()
        env = {
            **db_env,
            # Links carry the public URL: it must be where the clients reach the server.
            "CSMS_HTTP__PORT": str(http_port),
            "CSMS_OCPI__PUBLIC_URL": f"http://127.0.0.1:{http_port}",
        }
        with start_csms("sqlite", extra_env=env) as server:
            server.http_port = http_port
            _wait_http(http_port)
            cpu_before = cpu_seconds(server.pid)
            cold = asyncio.run(_cold_crawl(server.http_port, args.limit))
            cold["server_cpu_s"] = round(cpu_seconds(server.pid) - cpu_before, 1)
            print(f"{kind}: cold crawl {cold}", file=sys.stderr)
            with _changes(db_env, args):
                for mode in args.modes.split(","):
                    path = "/ocpi/2.2.1/locations"
                    command = _client_command(args, server.http_port, path, mode)
                    with _profiled(server.pid, args, f"{kind} {mode}"):
                        row = _measure(server.pid, command, args.processes, f"{kind} {mode}")
                    row["limit"] = args.limit if mode == "pages" else ""
                    row["cold_crawl_s"] = cold["cold_crawl_s"] if mode == "pages" else ""
                    row["server_rss_MiB"] = rss_kib(server.pid) // 1024
                    rows.append(row)
    return rows


@contextmanager
def _profiled(pid: int, args: Any, label: str) -> Iterator[None]:
    """py-spy on the server while the clients run (`--profile N`: print the top N)."""
    if not args.profile:
        yield
        return
    import shutil
    from pathlib import Path

    from bench.profile_server import aggregate

    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "profile.txt"
        command = [spy, "record", "-p", str(pid), "--gil", "-f", "raw", "-r", "200"]
        command += ["-d", str(int(args.duration)), "-o", str(raw)]
        recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield
        recorder.wait(timeout=args.duration + 60)
        own, inclusive, total = aggregate(raw.read_text() if raw.exists() else "")
    for title, counts in (("self", own), ("inclusive", inclusive)):
        print(f"\n== {label}: {title} ({total} samples with the GIL) ==")
        for name, count in counts.most_common(args.profile):
            print(f"{100 * count / max(total, 1):6.1f} %  {name}")


# --- the ceiling: pre-built bytes from a bare aiohttp server -------------------------------


def _raw_server(port: int, size: int) -> None:
    from aiohttp import web

    item = b'{"id":"' + b"x" * 40 + b'"}'
    count = max(1, size // (len(item) + 1))
    body = b'{"data":[' + b",".join([item] * count) + b'],"status_code":1000}'
    link = f'<http://127.0.0.1:{port}/raw?cursor=abc>; rel="next"'

    async def page(request: web.Request) -> web.Response:
        return web.Response(
            body=body,
            content_type="application/json",
            headers={"Link": link, "X-Total-Count": "30000", "X-Limit": "50"},
        )

    app = web.Application()
    app.router.add_get("/raw", page)
    app.router.add_get("/raw/{tail:.*}", page)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


@contextmanager
def _start_raw(size: int) -> Iterator[ServerProcess]:
    port = free_port()
    command = [sys.executable, "-m", "bench.bench_ocpi_pagination", "--raw-server", str(port)]
    process = subprocess.Popen([*command, "--raw-size", str(size)])
    server = ServerProcess(process, port, port)  # type: ignore[arg-type]
    try:
        _wait_http(port)
        yield server
    finally:
        server.stop()


def _raw_row(args: Any, size: int) -> dict[str, Any]:
    with _start_raw(size) as raw:
        command = _client_command(args, raw.port, "/raw", "pages")
        row = _measure(raw.pid, command, args.processes, "raw aiohttp, same bytes")
    row["limit"] = args.limit
    row["cold_crawl_s"] = ""
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="OCPI locations pagination")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--locations", type=int, default=30_000)
    parser.add_argument("--evses", type=int, default=10)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--changes", type=float, default=0, help="status changes per second")
    parser.add_argument("--no-raw", action="store_true")
    parser.add_argument("--modes", default="pages,objects", help="pages,objects or one")
    parser.add_argument("--profile", type=int, default=0, help="py-spy: print the top N")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["pages", "objects"], help=argparse.SUPPRESS)
    parser.add_argument("--raw-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--raw-size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        asyncio.run(_run_clients(args))
        return 0
    if args.raw_server:
        _raw_server(args.raw_server, args.raw_size)
        return 0
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in kinds and not pg_available():
        print("PostgreSQL is not reachable on 127.0.0.1:5432: skipped", file=sys.stderr)
        kinds.remove("postgres")
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        rows += _run_db(kind, args)
    if not args.no_raw and rows:
        page = next(r for r in rows if r["run"].endswith("pages"))
        rows.append(_raw_row(args, int(page["kB/answer"] * 1000)))
        ceiling = rows[-1]["server_cpu_ms/req"]
        for row in rows[:-1]:
            if row["run"].endswith("pages") and ceiling:
                row["cpu_vs_raw"] = round(row["server_cpu_ms/req"] / ceiling, 1)
    title = (
        f"OCPI locations: {args.locations * args.evses:,} EVSEs in {args.locations:,} locations, "
        f"limit={args.limit}, {args.processes}×{args.clients} clients, {args.duration:g} s, "
        f"changes {args.changes:g}/s, {os.cpu_count()} cores"
    )
    print_table(title, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
