"""A roaming partner that only listens: every OCPI request it gets (pushed locations,
command results) is answered at once with status 1000 and written to a log as a JSON line
with the time it arrived (`time.perf_counter_ns`, the machine's monotonic clock, so the
benchmark can compare it with what the chargers sent).

    python -m bench.fake_partner --port 9500 --log received.jsonl
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime

import orjson
from aiohttp import web

__all__ = ["main"]


def _app(log_path: str) -> web.Application:
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    async def receive(request: web.Request) -> web.Response:
        received = time.perf_counter_ns()
        body = await request.read()
        line = {
            "method": request.method,
            "path": request.path,
            "received_ns": received,
            "body": body[:400].decode("utf-8", "replace"),
        }
        os.write(log, orjson.dumps(line) + b"\n")
        envelope = {
            "status_code": 1000,
            "status_message": "Success",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        return web.json_response(envelope)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receive)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="a listening OCPI partner for benchmarks")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    web.run_app(_app(args.log), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
