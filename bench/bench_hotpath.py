"""The server's own cost per message, without sockets: a node in this process, stations
that hand frames straight to the dispatcher, CPU time per call.

    python -m bench.bench_hotpath [--version 1.6|2.0.1|both] [--db sqlite|postgres]
        [--stations 100] [--rounds 40] [--mix mixed]

Every station sends one call at a time (as over a real socket) and all stations send at
once, so each group commit carries about `--stations` messages: the regime of a busy server.
What is measured is exactly what `StationConnection` does per CALL after the websocket:
parse, validate, route, handle, store (group commit), write the answer, log the frame — so
its figures move with our code only, not with the websockets library or the machine's other
load. `bench_ocpp_load` is the end-to-end figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from bench.common import PG_URL, pg_available, print_table, spy_on
from bench.stations import MIXES, SimStation

__all__ = ["main", "measure"]


@contextmanager
def _database(db: str) -> Iterator[dict[str, Any]]:
    if db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="laddpunkt-hotpath-") as folder:
            yield {"url": f"sqlite+aiosqlite:///{folder}/hotpath.db"}
        return
    from bench.common import _psql  # only with PostgreSQL

    schema = f"hotpath_{os.getpid()}"
    _psql(f"CREATE SCHEMA {schema}")
    try:
        yield {"url": PG_URL, "schema_name": schema}
    finally:
        _psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


async def measure(
    version: str,
    db: dict[str, Any],
    stations: int,
    rounds: int,
    mix: str,
    spy: str | None = None,
    default_gc: bool = False,
    count_sql: bool = False,
) -> float:
    """Microseconds of this process's CPU per answered call."""
    from cli.node import Node
    from csms.ocppj import Call, parse_frame
    from csms.station_view import load_station_view, record_connection
    from shared.config import load_settings

    settings = load_settings(None, environ={})
    data = settings.model_dump()
    data["database"].update(db)
    data["ocpp"]["port"] = data["http"]["port"] = 0
    data["logging"]["level"] = "WARNING"
    node = Node(type(settings).model_validate(data))
    await node.start()
    try:
        await _add_token(node, "BENCH-TAG")
        server = node.csms.server
        routes = server.routes[version]
        validator = server._validators[version]
        sims = [SimStation(f"HOT-{n}", version, "BENCH-TAG") for n in range(stations)]
        contexts = []
        for sim in sims:
            from csms.context import StationContext
            from shared.domain.stations import RegistrationStatus

            async with node.database.read() as conn:
                view = await load_station_view(conn, sim.id, RegistrationStatus.ACCEPTED)
            await record_connection(node.services, sim.id, version, RegistrationStatus.ACCEPTED)
            ctx = StationContext(sim.id, version, node.services, view, server_log())
            contexts.append(ctx)

        async def one(sim: SimStation, ctx: Any, kind: str, number: int) -> None:
            from csms.dispatch import dispatch_call

            action, payload = sim.boot() if kind == "boot" else sim.next_call(kind)
            text = orjson.dumps([2, f"m{number}", action, payload]).decode()
            frame = parse_frame(text)
            assert isinstance(frame, Call)
            answer = await dispatch_call(ctx, frame, text, routes, validator, None)
            ctx.log_outgoing(answer, 3, f"m{number}", action)
            decoded = orjson.loads(answer)
            if decoded[0] == 3:
                sim.on_answer(action, decoded[2])

        await asyncio.gather(*(one(s, c, "boot", 0) for s, c in zip(sims, contexts, strict=True)))
        kinds = MIXES[mix]
        for warm in range(len(kinds)):  # warm up: every kind once, compiled statements cached
            await asyncio.gather(
                *(one(s, c, kinds[warm], 1) for s, c in zip(sims, contexts, strict=True))
            )
        if not default_gc:
            from shared.heap import tune_for_serving

            tune_for_serving()  # as `csms serve` does once it has started
        statements = _count_statements(node.database.engine.sync_engine) if count_sql else None
        calls = 0
        recorder = spy_on(os.getpid(), spy) if spy else None
        start = time.process_time()
        for number in range(rounds):
            kind = kinds[number % len(kinds)]
            await asyncio.gather(
                *(one(s, c, kind, number + 2) for s, c in zip(sims, contexts, strict=True))
            )
            calls += len(sims)
        cpu = time.process_time() - start
        if statements is not None:
            _print_statements(statements, calls)
        if recorder is not None:
            recorder.send_signal(signal.SIGINT)
            recorder.wait(timeout=60)
        return cpu * 1e6 / calls
    finally:
        await node.aclose()


def _count_statements(engine: Any) -> Counter[str]:
    """Every statement SQLAlchemy executes from now on (not the lean executemany's rows)."""
    from sqlalchemy import event

    counts: Counter[str] = Counter()

    def count(*args: Any) -> None:
        statement, many = args[2], args[5]
        counts[("many " if many else "") + " ".join(statement.split())] += 1

    event.listen(engine, "before_cursor_execute", count)
    return counts


def _print_statements(counts: Counter[str], calls: int) -> None:
    print(f"statements through SQLAlchemy per 1,000 calls ({calls} calls):")
    for statement, count in counts.most_common(40):
        print(f"{1000 * count / calls:9.1f}  {statement[:150]}")


def server_log() -> Any:
    from shared.logging import get_logger

    return get_logger("bench.hotpath")


async def _add_token(node: Any, token: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from shared.store.tables import id_tokens

    now = datetime.now(UTC)
    async with node.database.begin() as conn:
        await conn.execute(
            insert(id_tokens),
            [
                {
                    "source": "local",
                    "id_token": token,
                    "type": "ISO14443",
                    "status": "Accepted",
                    "last_updated": now,
                }
            ],
        )


def _run(coroutine: Coroutine[Any, Any, float]) -> float:
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="server CPU per message without sockets")
    parser.add_argument("--version", choices=["1.6", "2.0.1", "both"], default="both")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--mix", choices=sorted(MIXES), default="mixed")
    parser.add_argument("--spy", help="write a py-spy profile (raw) of the measured rounds here")
    parser.add_argument(
        "--default-gc", action="store_true", help="keep CPython's GC settings (no tuning)"
    )
    parser.add_argument(
        "--count-sql", action="store_true", help="print the statements SQLAlchemy runs per call"
    )
    args = parser.parse_args(argv)
    versions = ["1.6", "2.0.1"] if args.version == "both" else [args.version]
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not pg_available():
        print("postgres: no server on 127.0.0.1:5432, skipped", file=sys.stderr)
        dbs.remove("postgres")
    from shared.logging import configure_logging

    configure_logging("INFO", "json")  # the defaults of csms serve (not on a terminal)
    rows = []
    for version in versions:
        for db in dbs:
            with _database(db) as settings:
                micros = _run(
                    measure(
                        version,
                        settings,
                        args.stations,
                        args.rounds,
                        args.mix,
                        args.spy,
                        args.default_gc,
                        args.count_sql,
                    )
                )
            rows.append(
                {"version": version, "db": db, "mix": args.mix, "us_per_call": round(micros, 1)}
            )
    print_table(f"Hot path without sockets: {args.stations} stations at once", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
