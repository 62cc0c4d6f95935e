"""Test helpers: a real node on free ports, and a raw OCPP-J client on a real socket."""

from __future__ import annotations

import base64
import contextlib
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from cli.node import Node
from shared.config import DatabaseSettings, Settings, load_settings

__all__ = ["OcppClient", "node_settings", "ocpp_client", "running_node"]


def node_settings(database: DatabaseSettings, **sections: dict[str, Any]) -> Settings:
    """Settings for a test node: free ports, the given database, overrides per section."""
    base = load_settings(None, environ={})
    data = base.model_dump()
    data["database"] = database.model_dump()
    data["ocpp"]["port"] = 0
    data["http"]["port"] = 0
    data["ocpp"]["validate_outgoing"] = True
    data["node"]["id"] = "test-node"
    for section, values in sections.items():
        data[section].update(values)
    return Settings.model_validate(data)


@contextlib.asynccontextmanager
async def running_node(settings: Settings) -> AsyncIterator[Node]:
    node = Node(settings)
    await node.start()
    try:
        yield node
    finally:
        await node.aclose()


class OcppClient:
    """A bare OCPP-J client: send exact frames, read exact answers."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        """Send a CALL and return the decoded answer frame (CALLRESULT or CALLERROR)."""
        message_id = f"m{next(self._ids)}"
        await self.ws.send(orjson.dumps([2, message_id, action, payload]).decode())
        return await self.answer_to(message_id)

    async def answer_to(self, message_id: str) -> list[Any]:
        while True:
            frame = orjson.loads(await self.ws.recv())
            if frame[0] in (3, 4) and frame[1] == message_id:
                return list(frame)

    async def send_raw(self, text: str) -> None:
        await self.ws.send(text)

    async def recv(self) -> list[Any]:
        return list(orjson.loads(await self.ws.recv()))


@contextlib.asynccontextmanager
async def ocpp_client(
    port: int,
    station_id: str,
    version: str | None = "1.6",
    password: str | None = None,
    path: str = "/ocpp",
) -> AsyncIterator[OcppClient]:
    headers = {}
    if password is not None:
        token = base64.b64encode(f"{station_id}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    subprotocols = [f"ocpp{version}"] if version else None
    async with connect(
        f"ws://127.0.0.1:{port}{path}/{station_id}",
        subprotocols=subprotocols,  # type: ignore[list-item]
        additional_headers=headers,
        compression=None,
        open_timeout=5,
    ) as ws:
        yield OcppClient(ws)


def sqlite_settings(tmp_path: Path) -> DatabaseSettings:
    return DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'node.db'}")


@contextlib.asynccontextmanager
async def open_database(settings: DatabaseSettings) -> AsyncIterator[Any]:
    """A read connection to the database a (stopped) node used."""
    from shared.store.database import Database

    database = Database(settings)
    try:
        async with database.read() as conn:
            yield conn
    finally:
        await database.dispose()
