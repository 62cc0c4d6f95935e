"""Alembic migrations: `csms db upgrade`, or `shared.store.migrate.upgrade_database`."""
