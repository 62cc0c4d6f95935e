"""Meter values: the most frequent fact chargers report, written in bulk.

`record_meter_samples` only queues the rows on the unit of work: they go to the database as
one executemany per group commit, with one precompiled INSERT, together with every other
station's samples of the same batch.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.transactions import MeterSample
from shared.store.tables import meter_values
from shared.store.uow import UnitOfWork

__all__ = ["meter_samples", "record_meter_samples"]

_INSERT = insert(meter_values)

_COLUMNS = (
    meter_values.c.station_id,
    meter_values.c.evse_id,
    meter_values.c.transaction_id,
    meter_values.c.timestamp,
    meter_values.c.measurand,
    meter_values.c.phase,
    meter_values.c.unit,
    meter_values.c.context,
    meter_values.c.location,
    meter_values.c.value,
)


def record_meter_samples(
    uow: UnitOfWork,
    samples: list[MeterSample],
    *,
    transaction_id: int | None = None,
    evse_id: int = 0,
) -> None:
    """Queue `samples` for the batch's executemany (nothing is awaited).

    With `transaction_id`, every sample is linked to that transaction first, and samples
    that name no EVSE (0) get `evse_id`.
    """
    if not samples:
        return
    if transaction_id is not None:
        for sample in samples:
            sample["transaction_id"] = transaction_id
            if not sample["evse_id"]:
                sample["evse_id"] = evse_id
    # A TypedDict is a dict at run time; the cast costs nothing.
    uow.defer_many(_INSERT, cast(list[dict[str, Any]], samples))


async def meter_samples(
    conn: AsyncConnection,
    *,
    station_id: str | None = None,
    transaction_id: int | None = None,
) -> list[MeterSample]:
    """Stored samples of a station and/or a transaction, in the order they were stored."""
    query = select(*_COLUMNS)
    if station_id is not None:
        query = query.where(meter_values.c.station_id == station_id)
    if transaction_id is not None:
        query = query.where(meter_values.c.transaction_id == transaction_id)
    rows = await conn.execute(query.order_by(meter_values.c.id))
    return [
        MeterSample(
            station_id=row.station_id,
            evse_id=row.evse_id,
            transaction_id=row.transaction_id,
            timestamp=row.timestamp,
            measurand=row.measurand,
            phase=row.phase,
            unit=row.unit,
            context=row.context,
            location=row.location,
            value=row.value,
        )
        for row in rows
    ]
