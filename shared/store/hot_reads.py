"""The read-only queries partners' GETs run on every request, on the database driver itself.

Through SQLAlchemy, a keyset query for a page of location keys cost ~0.6 ms of CPU and an
empty read transaction ~0.13 ms (pool checkout, BEGIN, COMMIT, execution context, result
processing) — more than the rest of a page served from rendered documents. These few
statements are fixed, so they are written once as SQL text and run on a connection of their
own (docs/adr/0002-ocpi-pagination.md):

- SQLite: one `sqlite3` connection to the same file, `query_only`, in autocommit mode: each
  SELECT reads one consistent WAL snapshot, and it runs inline on the event loop like the
  rest of the store (`sqlite_inline`). No pool: a statement is executed and fetched without
  yielding, so requests never share a half-read cursor.
- PostgreSQL: a few asyncpg connections of its own (opened on demand) on the same database
  and schema; no transaction (a single SELECT is its own snapshot), statements prepared once
  per connection by asyncpg: one round trip.
- Anything else (an in-memory SQLite database, which another connection cannot see): the
  same queries through SQLAlchemy (`SqlAlchemyHotReads`), also the reference the tests hold
  the fast ones to.

The queries mirror `shared.store.location_reads` (`page_site_keys`, `find_site_key`), but
answer each site's `last_updated` as the driver gives it (a *stamp*: text on SQLite, a
`datetime` on PostgreSQL), because all the gateway does with most of them is compare them
with the stamp a rendering was kept under; only the cursor after a page's last site is a
real `datetime`.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from shared.config import DatabaseSettings
from shared.store.database import Database
from shared.store.location_reads import find_site_key, page_site_keys
from shared.store.paging import Cursor, Window
from shared.store.tables import locations

__all__ = ["HotReads", "KeyPage", "SiteKey", "SqlAlchemyHotReads", "keyset_sql", "open_hot_reads"]

_TABLE = locations.name

#: A site's id and its stamp (`last_updated` in the reader's own form, see module doc).
SiteKey = tuple[str, Hashable]


@dataclass(frozen=True, slots=True)
class KeyPage:
    """The keys of one page of sites in page order, the cursor after the last one, and
    whether more follow."""

    keys: list[SiteKey]
    last: Cursor | None
    more: bool


class HotReads(Protocol):
    """The hot queries (see module doc); `aclose()` releases the connections."""

    async def page_site_keys(
        self, window: Window, *, limit: int, after: Cursor | None = None, offset: int = 0
    ) -> KeyPage:
        """As `location_reads.page_site_keys`."""
        ...

    async def find_site_key(self, location_id: str) -> SiteKey | None:
        """As `location_reads.find_site_key`: the site's stored id and its stamp."""
        ...

    async def aclose(self) -> None:
        """Release what the reader holds."""
        ...


def keyset_sql(
    window: Window, after: Cursor | None, offset: int, placeholder: str
) -> tuple[str, tuple[str, ...]]:
    """The keyset page query of `shared.store.paging.page_query` over the site keys, as SQL
    text with `placeholder`s (``?``, or ``$`` numbered for asyncpg), and the names of its
    parameters in order: ``from``, ``to``, ``lu`` (twice), ``id``, ``limit``, ``offset``."""
    shape = (
        window.date_from is not None,
        window.date_to is not None,
        after is not None,
        after is None and bool(offset),
    )
    return _keyset_sql(*shape, placeholder)


@functools.lru_cache(maxsize=64)
def _keyset_sql(
    date_from: bool, date_to: bool, after: bool, offset: bool, placeholder: str
) -> tuple[str, tuple[str, ...]]:
    terms: list[str] = []
    names: list[str] = []
    if date_from:
        terms.append("last_updated >= ?")
        names.append("from")
    if date_to:
        terms.append("last_updated < ?")
        names.append("to")
    if after:
        # The redundant `>=` gives both planners the index range start.
        terms.append("last_updated >= ? AND (last_updated > ? OR id > ?)")
        names += ["lu", "lu", "id"]
    sql = f"SELECT last_updated, id FROM {_TABLE}"
    if terms:
        sql += " WHERE " + " AND ".join(terms)
    sql += " ORDER BY last_updated, id LIMIT ?"
    names.append("limit")
    if offset:
        sql += " OFFSET ?"
        names.append("offset")
    if placeholder == "$":
        parts = sql.split("?")
        sql = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
    return sql, tuple(names)


def _values(
    names: tuple[str, ...],
    window: Window,
    after: Cursor | None,
    limit: int,
    offset: int,
    stamp: Any,
) -> list[Any]:
    known = {
        "from": stamp(window.date_from),
        "to": stamp(window.date_to),
        "lu": stamp(after.last_updated) if after is not None else None,
        "id": after.id if after is not None else None,
        "limit": limit + 1,
        "offset": offset,
    }
    return [known[name] for name in names]


def _sqlite_text(value: datetime | None) -> str | None:
    # How SQLAlchemy stores UtcDateTime on SQLite: naive UTC, "YYYY-MM-DD HH:MM:SS.ffffff"
    # (compared as text, so the format must be exactly the stored one).
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_time(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class _SqliteHotReads:
    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA query_only=1")

    async def page_site_keys(
        self, window: Window, *, limit: int, after: Cursor | None = None, offset: int = 0
    ) -> KeyPage:
        sql, names = keyset_sql(window, after, offset, "?")
        values = _values(names, window, after, limit, offset, _sqlite_text)
        rows = self._conn.execute(sql, values).fetchall()
        page = rows[:limit]
        keys: list[SiteKey] = [(key, stamp) for stamp, key in page]
        last = Cursor(_sqlite_time(page[-1][0]), page[-1][1]) if page else None
        return KeyPage(keys, last, len(rows) > limit)

    async def find_site_key(self, location_id: str) -> SiteKey | None:
        query = f"SELECT id, last_updated FROM {_TABLE} WHERE id = ?"
        row = self._conn.execute(query, (location_id,)).fetchone()
        if row is None:
            loose = f"SELECT id, last_updated FROM {_TABLE} WHERE upper(id) = ? LIMIT 1"
            row = self._conn.execute(loose, (location_id.upper(),)).fetchone()
        return (row[0], row[1]) if row is not None else None

    async def aclose(self) -> None:
        self._conn.close()


class _Connections:
    """A few asyncpg connections, handed out last-in first-out. (asyncpg's own pool costs
    ~0.1 ms of CPU per acquire and release — as much as the query it wraps.) A connection
    that broke is dropped when it comes back; the next caller opens a new one."""

    def __init__(self, connect: Callable[[], Awaitable[Any]], size: int) -> None:
        self._connect = connect
        self._size = size
        self._idle: list[Any] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[Any]] = deque()

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        """`sql` on a free connection; its rows."""
        conn = await self._acquire()
        try:
            rows: list[Any] = await conn.fetch(sql, *args)
            return rows
        finally:
            self._release(conn)

    async def _acquire(self) -> Any:
        while True:
            if self._idle:
                conn = self._idle.pop()
                if not conn.is_closed():
                    return conn
                self._open -= 1  # broke while idle (e.g. the server restarted)
                continue
            if self._open < self._size:
                self._open += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._open -= 1
                    self._wake(None)
                    raise
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                conn = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self._release(waiter.result())  # handed over just as we were cancelled
                raise
            if conn is not None:
                return conn
            # None: a connection was dropped, so there is room to open one.

    def _wake(self, conn: Any) -> bool:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def _release(self, conn: Any) -> None:
        if conn.is_closed():
            self._open -= 1
            self._wake(None)
        elif not self._wake(conn):
            self._idle.append(conn)

    async def aclose(self) -> None:
        """Close the idle connections (the server has stopped asking by now)."""
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()
        self._open -= len(idle)


class _PostgresHotReads:
    def __init__(self, connections: _Connections) -> None:
        self._connections = connections

    @classmethod
    def open(cls, settings: DatabaseSettings) -> _PostgresHotReads:
        url = make_url(settings.url).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        server_settings = {"search_path": settings.schema_name} if settings.schema_name else None

        async def connect() -> Any:
            import asyncpg  # type: ignore[import-untyped]

            return await asyncpg.connect(dsn, server_settings=server_settings)

        return cls(_Connections(connect, size=max(2, min(settings.pool_size, 4))))

    async def page_site_keys(
        self, window: Window, *, limit: int, after: Cursor | None = None, offset: int = 0
    ) -> KeyPage:
        sql, names = keyset_sql(window, after, offset, "$")
        values = _values(names, window, after, limit, offset, lambda moment: moment)
        rows = await self._connections.fetch(sql, *values)
        page = rows[:limit]
        keys: list[SiteKey] = [(row[1], row[0]) for row in page]
        last = Cursor(page[-1][0], page[-1][1]) if page else None
        return KeyPage(keys, last, len(rows) > limit)

    async def find_site_key(self, location_id: str) -> SiteKey | None:
        query = f"SELECT id, last_updated FROM {_TABLE} WHERE id = $1"
        rows = await self._connections.fetch(query, location_id)
        if not rows:
            loose = f"SELECT id, last_updated FROM {_TABLE} WHERE upper(id) = $1 LIMIT 1"
            rows = await self._connections.fetch(loose, location_id.upper())
        return (rows[0][0], rows[0][1]) if rows else None

    async def aclose(self) -> None:
        await self._connections.aclose()


class SqlAlchemyHotReads:
    """The hot queries through SQLAlchemy (`location_reads`), on `database`'s pool."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def page_site_keys(
        self, window: Window, *, limit: int, after: Cursor | None = None, offset: int = 0
    ) -> KeyPage:
        """As `location_reads.page_site_keys` (stamps are `datetime`s)."""
        async with self._database.read() as conn:
            found, more = await page_site_keys(
                conn, window, limit=limit, after=after, offset=offset
            )
        keys: list[SiteKey] = [(str(key.id), key.last_updated) for key in found]
        return KeyPage(keys, found[-1] if found else None, more)

    async def find_site_key(self, location_id: str) -> SiteKey | None:
        """As `location_reads.find_site_key`."""
        async with self._database.read() as conn:
            found = await find_site_key(conn, location_id)
        return (str(found.id), found.last_updated) if found is not None else None

    async def aclose(self) -> None:
        """Nothing of its own to release."""


def _sqlite_path(settings: DatabaseSettings) -> str | None:
    database = make_url(settings.url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


async def open_hot_reads(database: Database, *, fast: bool = True) -> HotReads:
    """The hot reader for `database`: on the driver when `fast` and the database allows it
    (see module doc), else through SQLAlchemy."""
    settings = database.settings
    if fast and database.is_sqlite:
        path = _sqlite_path(settings)
        if path is not None:
            return _SqliteHotReads(path)
    elif fast and database.dialect == "postgresql":
        return _PostgresHotReads.open(settings)
    return SqlAlchemyHotReads(database)
