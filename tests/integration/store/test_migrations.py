from sqlalchemy import inspect

from shared.store.database import Database
from shared.store.migrate import current_revision, head_revision, upgrade_database
from shared.store.tables import metadata


async def test_upgrade_is_idempotent_and_matches_tables(database: Database) -> None:
    await upgrade_database(database)  # a second time: nothing to do
    assert await current_revision(database) == head_revision()
    async with database.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(metadata.tables) <= names


async def test_schema_matches_models(database: Database) -> None:
    """Autogenerate finds no difference: the migrations describe exactly `tables.py`."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def diff(sync_conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_conn, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    async with database.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_upgrade_keeps_existing_rows(database: Database) -> None:
    """A migration that rebuilds tables (SQLite batch mode) must not cascade-delete rows."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import func, insert, select

    from shared.store.migrate import _config
    from shared.store.tables import charging_profiles, connectors, evses, stations

    async with database.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(_config(c), "0001"))
    now = datetime.now(UTC)
    async with database.begin() as conn:
        await conn.execute(
            insert(stations).values(
                id="S", registration_status="accepted", created_at=now, updated_at=now
            )
        )
        await conn.execute(
            insert(evses).values(station_id="S", evse_id=1, status="Available", last_updated=now)
        )
        await conn.execute(
            insert(connectors).values(
                station_id="S", evse_id=1, connector_id=1, status="Available", last_updated=now
            )
        )
        await conn.exec_driver_sql(
            "INSERT INTO charging_profiles (station_id, evse_id, purpose, stack_level, kind,"
            " schedule, source, status, created_at, updated_at) VALUES"
            " ('S', 1, 'TxProfile', 0, 'Absolute', '{}', 'station', 'installed',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    await upgrade_database(database)
    assert await current_revision(database) == head_revision()
    async with database.read() as conn:
        assert (await conn.execute(select(func.count()).select_from(connectors))).scalar_one() == 1
        assert (await conn.execute(select(func.count()).select_from(evses))).scalar_one() == 1
        profile = (await conn.execute(select(charging_profiles))).one()
    assert profile.purpose == "TxProfile"
