"""The database, read and written directly when the server is down.

`stations list` and `sessions list` fall back to reading it; `stations add` and
`tokens add` write it (operators provision stations before they ever connect, and before the
first `csms serve`, so a write first brings the schema up to date, as `serve` would).
The JSON is the same the operator API serves (`cli/views.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from cli.context import run_async
from cli.errors import CliError
from cli.provisioning import (
    LOCAL_TOKEN_SOURCE,
    StationProvisioning,
    TokenProvisioning,
    provision_station,
    provision_token,
)
from cli.views import Json, session_json, station_detail_json, station_json, token_json
from shared.config import DatabaseSettings
from shared.store.database import Database
from shared.store.migrate import upgrade_database
from shared.store.queries import count_station_variables, get_token, list_sessions
from shared.store.stations import get_station, list_stations
from shared.store.uow import UnitOfWork

__all__ = ["add_station", "add_token", "read_sessions", "read_stations"]

T = TypeVar("T")


def _missing_sqlite_file(settings: DatabaseSettings) -> Path | None:
    if not settings.is_sqlite:
        return None
    name = make_url(settings.url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name).expanduser()
    return None if path.exists() else path


def _run(
    settings: DatabaseSettings, work: Callable[[Database], Awaitable[T]], *, migrate: bool
) -> T:
    if not migrate and (missing := _missing_sqlite_file(settings)) is not None:
        raise CliError(f"there is no database at {missing} yet (run `csms db upgrade`)")

    async def main() -> T:
        database = Database(settings)
        try:
            if migrate:
                await upgrade_database(database)
            return await work(database)
        finally:
            await database.dispose()

    try:
        return run_async(main())
    except (OperationalError, ProgrammingError) as error:
        if "no such table" in str(error) or "does not exist" in str(error):
            raise CliError(
                f"the database {settings.display_url} has no Laddpunkt schema "
                "(run `csms db upgrade`)"
            ) from None
        raise CliError(f"cannot use the database {settings.display_url}: {error.orig}") from None
    except (DBAPIError, OSError) as error:
        raise CliError(f"cannot use the database {settings.display_url}: {error}") from None


def read_stations(settings: DatabaseSettings) -> list[Json]:
    """Every station, as `GET /admin/stations` would answer."""

    async def read(database: Database) -> list[Json]:
        async with database.read() as conn:
            return [station_json(station) for station in await list_stations(conn)]

    return _run(settings, read, migrate=False)


def read_sessions(
    settings: DatabaseSettings, *, active: bool | None, station_id: str | None, limit: int
) -> list[Json]:
    """Sessions, as `GET /admin/sessions` would answer."""

    async def read(database: Database) -> list[Json]:
        async with database.read() as conn:
            rows = await list_sessions(conn, active=active, station_id=station_id, limit=limit)
        return [session_json(row) for row in rows]

    return _run(settings, read, migrate=False)


def add_station(
    settings: DatabaseSettings, station_id: str, changes: StationProvisioning
) -> tuple[bool, Json]:
    """Provision a station in the database; (created, the station as `stations show`)."""

    async def write(database: Database) -> tuple[bool, Json]:
        async with database.begin() as conn:
            created = await provision_station(UnitOfWork(conn, None), station_id, changes)
        async with database.read() as conn:
            station = await get_station(conn, station_id)
            variables = await count_station_variables(conn, station_id)
            sessions = await list_sessions(conn, active=True, station_id=station_id)
        assert station is not None
        return created, station_detail_json(station, sessions=sessions, variable_count=variables)

    return _run(settings, write, migrate=True)


def add_token(settings: DatabaseSettings, token: TokenProvisioning) -> tuple[bool, Json]:
    """Add or replace a local id token in the database; (created, the token)."""

    async def write(database: Database) -> tuple[bool, Json]:
        async with database.begin() as conn:
            created = await provision_token(UnitOfWork(conn, None), token)
        async with database.read() as conn:
            stored = await get_token(conn, LOCAL_TOKEN_SOURCE, token.id_token)
        assert stored is not None
        return created, token_json(stored)

    return _run(settings, write, migrate=True)
