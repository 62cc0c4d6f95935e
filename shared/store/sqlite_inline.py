"""An SQLite dialect for SQLAlchemy's asyncio API that runs statements inline on the event
loop and only the COMMIT of a write in a thread.

Why (measured, see docs/adr/0001-ocpp-hot-path.md): aiosqlite runs every statement in its own
thread and pays a thread hand-off (and GIL contention) per statement — a batch of BEGIN, two
executemany and COMMIT cost ~0.8 ms of CPU against ~0.5 ms inline. SQLite statements on
indexed rows take microseconds, so running them on the loop is cheaper than handing them off;
the one slow step is the fsync at COMMIT (synchronous=FULL), which goes to a thread so the
loop keeps serving stations meanwhile. A read-only transaction's COMMIT writes nothing and
stays inline.

The URL the operator writes stays `sqlite+aiosqlite:///…` (the documented contract);
`shared.store.database` builds this engine for the same file.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.util import await_only

__all__ = ["INLINE_DRIVER", "InlineSQLiteDialect"]

INLINE_DRIVER = "laddpunkt_inline"

# One thread is enough: only the writer commits writes, one batch at a time.
_commit_executor = concurrent.futures.ThreadPoolExecutor(
    max_workers=2, thread_name_prefix="sqlite-commit"
)
_changes_at_begin: dict[int, int] = {}


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        # SQLAlchemy's asyncio results call this to pre-fetch rows off a thread; an inline
        # cursor is read on the loop whenever the caller fetches.
        return None


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


def _yield_to_greenlet() -> None:
    # SQLAlchemy's asyncio layer insists that an execution awaited something; awaiting a
    # finished future costs a greenlet switch, not an event-loop turn.
    done = asyncio.get_running_loop().create_future()
    done.set_result(None)
    await_only(done)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite, usable through `create_async_engine`."""

    is_async = True
    supports_statement_cache = True

    def create_connect_args(self, url: Any) -> Any:
        args, kwargs = super().create_connect_args(url)
        kwargs.setdefault("factory", _Connection)
        return args, kwargs

    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        _yield_to_greenlet()
        cursor.execute(statement, parameters)

    def do_executemany(
        self, cursor: Any, statement: str, parameters: Any, context: Any = None
    ) -> None:
        _yield_to_greenlet()
        cursor.executemany(statement, parameters)

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        _yield_to_greenlet()
        cursor.execute(statement)

    def do_begin(self, dbapi_connection: Any) -> None:
        _changes_at_begin[id(dbapi_connection)] = dbapi_connection.total_changes

    def do_commit(self, dbapi_connection: Any) -> None:
        before = _changes_at_begin.pop(id(dbapi_connection), None)
        if before is not None and dbapi_connection.total_changes == before:
            dbapi_connection.commit()  # nothing written: no fsync, no hand-off
            return
        loop = asyncio.get_running_loop()
        await_only(loop.run_in_executor(_commit_executor, dbapi_connection.commit))

    def do_rollback(self, dbapi_connection: Any) -> None:
        _changes_at_begin.pop(id(dbapi_connection), None)
        dbapi_connection.rollback()


registry.register(f"sqlite.{INLINE_DRIVER}", __name__, "InlineSQLiteDialect")
