"""The ceiling: a bare `websockets` server that parses each OCPP-J CALL and answers it,
with no validation, no routing table, no storage. Every benchmark runs it in the same run
as Laddpunkt and prints the ratio of their CPU per call.

    python -m bench.raw_responder --port 9400
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection, serve

__all__ = ["main"]

_tx = itertools.count(1)


def _answer(action: str) -> dict[str, Any]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if action == "BootNotification":
        return {"status": "Accepted", "currentTime": now, "interval": 300}
    if action == "Heartbeat":
        return {"currentTime": now}
    if action in ("Authorize",):
        return {"idTagInfo": {"status": "Accepted"}}
    if action == "StartTransaction":
        return {"transactionId": next(_tx), "idTagInfo": {"status": "Accepted"}}
    if action == "TransactionEvent":
        return {"idTokenInfo": {"status": "Accepted"}}
    return {}


async def _session(ws: ServerConnection) -> None:
    async for message in ws:
        frame = orjson.loads(message)
        if frame[0] == 2:
            await ws.send(orjson.dumps([3, frame[1], _answer(frame[2])]).decode())


async def _serve(host: str, port: int) -> None:
    async with serve(
        _session,
        host,
        port,
        subprotocols=["ocpp1.6", "ocpp2.0.1"],  # type: ignore[list-item]
        compression=None,
        ping_interval=None,
        max_size=2**22,
    ) as server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="bare OCPP-J responder (benchmark ceiling)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(_serve(args.host, args.port))
    except ImportError:  # pragma: no cover
        asyncio.run(_serve(args.host, args.port))


if __name__ == "__main__":
    main()
