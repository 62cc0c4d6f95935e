"""The OCPP frame log: reading a station's frames, and retention."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from shared.store.database import Database
from shared.store.tables import ocpp_messages

__all__ = ["purge_frames_before"]

_BATCH = 5000


async def purge_frames_before(database: Database, before: datetime) -> int:
    """Delete frames older than `before`, in small batches so writers are never held up
    for long (SQLite has one writer). Returns how many rows went."""
    removed = 0
    while True:
        async with database.begin() as conn:
            ids = (
                (
                    await conn.execute(
                        select(ocpp_messages.c.id)
                        .where(ocpp_messages.c.timestamp < before)
                        .order_by(ocpp_messages.c.id)
                        .limit(_BATCH)
                    )
                )
                .scalars()
                .all()
            )
            if not ids:
                return removed
            await conn.execute(delete(ocpp_messages).where(ocpp_messages.c.id.in_(ids)))
            removed += len(ids)
