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
