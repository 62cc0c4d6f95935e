"""PostgreSQL LISTEN on a dedicated connection, reconnected with backoff.

Notifications are delivered only to a connection that is listening at the moment they are
sent, so this connection is not one from the pool (the pool recycles connections, and a
PgBouncer in transaction mode would drop the LISTEN) and it is watched: a termination
callback and a periodic `SELECT 1` notice a dead link, and after every (re)connection the
`on_connect` callbacks run so that the node catches up with what it missed — commands are
rows in a table, a notification is only a wake-up (PITFALLS "PostgreSQL LISTEN/NOTIFY").
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from shared.config import DatabaseSettings
from shared.logging import get_logger

__all__ = ["PgListener", "channel_name", "connect_dsn"]

log = get_logger(__name__)

_FIRST_BACKOFF = 0.5


def channel_name(base: str, settings: DatabaseSettings) -> str:
    """A channel per schema: notifications are database-wide, schemas are not."""
    name = f"laddpunkt_{base}" + (f"_{settings.schema_name}" if settings.schema_name else "")
    return name[:63]  # NAMEDATALEN - 1


def connect_dsn(settings: DatabaseSettings) -> str:
    """The asyncpg DSN of a `postgresql+asyncpg://` SQLAlchemy URL."""
    url = make_url(settings.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class PgListener:
    """Listens on channels; callbacks run on the event loop and must not block."""

    def __init__(
        self,
        settings: DatabaseSettings,
        *,
        health_interval: float = 10.0,
        max_backoff: float = 30.0,
    ) -> None:
        self._settings = settings
        self._health_interval = health_interval
        self._max_backoff = max_backoff
        self._channels: dict[str, list[Callable[[str], None]]] = defaultdict(list)
        self._on_connect: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: Any = None
        self.connected = asyncio.Event()
        self.connections = 0  # successful (re)connections so far

    def add_channel(self, channel: str, callback: Callable[[str], None]) -> None:
        """Call `callback(payload)` for every notification on `channel` (before `start`)."""
        self._channels[channel].append(callback)

    def on_connect(self, callback: Callable[[], None]) -> None:
        """Call `callback()` after every (re)connection, once the channels are listened to."""
        self._on_connect.append(callback)

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (None while disconnected)."""
        conn = self._conn
        return int(conn.get_server_pid()) if conn is not None and not conn.is_closed() else None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="cluster.listener")

    async def wait_connected(self, within: float) -> bool:
        """True once listening (within `within` seconds)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), within)
        return self.connected.is_set()

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        backoff = _FIRST_BACKOFF
        while True:
            try:
                await self._listen_once()
                backoff = _FIRST_BACKOFF  # it was up: start over with a short wait
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("cluster.listener.failed", error=repr(exc), retry_in=backoff)
            delay = backoff * (0.5 + random.random())  # jitter: nodes do not reconnect in step
            backoff = min(backoff * 2, self._max_backoff)
            await asyncio.sleep(delay)

    async def _listen_once(self) -> None:
        lost = asyncio.Event()
        conn = await asyncpg.connect(connect_dsn(self._settings), timeout=10)
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            for channel in self._channels:
                await conn.add_listener(channel, self._dispatch)
            self._conn = conn
            self.connections += 1
            self.connected.set()
            log.info("cluster.listener.connected", channels=sorted(self._channels))
            for callback in self._on_connect:
                callback()
            await self._watch(conn, lost)
            log.warning("cluster.listener.lost")
        finally:
            self.connected.clear()
            self._conn = None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)
            if not conn.is_closed():
                conn.terminate()

    async def _watch(self, conn: Any, lost: asyncio.Event) -> None:
        """Return when the connection is gone (closed by the server, or not answering)."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self._health_interval)
                return
            try:
                await asyncio.wait_for(conn.fetchval("SELECT 1"), 5)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                return

    def _dispatch(self, _conn: Any, _pid: int, channel: str, payload: str) -> None:
        for callback in self._channels.get(channel, ()):
            try:
                callback(payload)
            except Exception:
                log.exception("cluster.listener.callback_failed", channel=channel)
