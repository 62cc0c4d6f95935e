"""Alembic environment: runs on the connection handed over by `shared.store.migrate`.

Batch mode is on so that table rebuilds work on SQLite (PITFALLS: named constraints, and
foreign keys switched off during a rebuild, which `migrate.py` takes care of).
"""

from __future__ import annotations

from alembic import context

from shared.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through shared.store.migrate (csms db upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
