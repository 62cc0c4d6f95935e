"""The ceiling: a bare `websockets` server that parses each OCPP-J CALL and answers it,
with no validation, no routing table, no storage. Every benchmark runs it in the same run
as Laddpunkt and prints the ratio of their figures.

With `--http-port`, it also takes `POST /call/{station_id}/{action}` (a JSON payload) and
sends that CALL to the station, answering with the station's reply: the ceiling for the
command round trip.

    python -m bench.raw_responder --port 9400 [--http-port 9401]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web
from websockets.asyncio.server import ServerConnection, serve

__all__ = ["main"]

_tx = itertools.count(1)
_ids = itertools.count(1)
_stations: dict[str, ServerConnection] = {}
_pending: dict[str, asyncio.Future[Any]] = {}


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
    station_id = ws.request.path.rsplit("/", 1)[-1] if ws.request is not None else ""
    _stations[station_id] = ws
    try:
        async for message in ws:
            frame = orjson.loads(message)
            if frame[0] == 2:
                await ws.send(orjson.dumps([3, frame[1], _answer(frame[2])]).decode())
            else:
                future = _pending.pop(frame[1], None)
                if future is not None and not future.done():
                    future.set_result(frame)
    finally:
        if _stations.get(station_id) is ws:
            del _stations[station_id]


async def _call(request: web.Request) -> web.Response:
    ws = _stations.get(request.match_info["station_id"])
    if ws is None:
        return web.json_response({"error": "not connected"}, status=409)
    message_id = str(next(_ids))
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    _pending[message_id] = future
    payload = await request.json()
    await ws.send(orjson.dumps([2, message_id, request.match_info["action"], payload]).decode())
    try:
        answer = await asyncio.wait_for(future, 30)
    finally:
        _pending.pop(message_id, None)
    return web.json_response({"answer": answer})


async def _serve(host: str, port: int, http_port: int | None) -> None:
    runner: web.AppRunner | None = None
    if http_port is not None:
        app = web.Application()
        app.router.add_post("/call/{station_id}/{action}", _call)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, http_port).start()
    async with serve(
        _session,
        host,
        port,
        subprotocols=["ocpp1.6", "ocpp2.0.1"],  # type: ignore[list-item]
        compression=None,
        ping_interval=None,
        max_size=2**22,
        backlog=4096,
    ) as server:
        try:
            await server.serve_forever()
        finally:
            if runner is not None:
                await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description="bare OCPP-J responder (benchmark ceiling)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--http-port", type=int)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(_serve(args.host, args.port, args.http_port))
    except ImportError:  # pragma: no cover
        asyncio.run(_serve(args.host, args.port, args.http_port))


if __name__ == "__main__":
    main()
