"""Where a partner's command goes: OCPI location/EVSE/connector -> station and EVSE, and the
partner's reservation ids -> our `reservations` rows (version-neutral reads and writes).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import evses, reservations
from shared.store.uow import UnitOfWork

__all__ = ["EvseTarget", "find_evse", "find_reservation", "tag_reservation"]


@dataclass(frozen=True, slots=True)
class EvseTarget:
    """A published EVSE: its station and OCPP EVSE id."""

    station_id: str
    evse_id: int
    evse_uid: str


async def find_evse(
    conn: AsyncConnection, location_id: str, evse_uid: str | None
) -> EvseTarget | None:
    """The EVSE `evse_uid` of location `location_id` (the location's only EVSE when
    `evse_uid` is None), or None when there is no such (single) published EVSE."""
    query = select(evses.c.station_id, evses.c.evse_id, evses.c.evse_uid).where(
        evses.c.location_id == location_id,
        evses.c.removed.is_(False),
        evses.c.evse_uid.is_not(None),
    )
    if evse_uid is not None:
        query = query.where(evses.c.evse_uid == evse_uid)
    rows = (await conn.execute(query.limit(2))).all()
    if len(rows) != 1:
        return None
    row = rows[0]
    return EvseTarget(row.station_id, int(row.evse_id), str(row.evse_uid))


async def find_reservation(
    conn: AsyncConnection, partner_id: int, external_id: str
) -> tuple[str, int] | None:
    """(station id, reservation row id) of the partner's reservation `external_id`."""
    row = (
        await conn.execute(
            select(reservations.c.station_id, reservations.c.id)
            .where(
                reservations.c.partner_id == partner_id,
                reservations.c.external_id == external_id,
            )
            .order_by(reservations.c.id.desc())
        )
    ).first()
    return (str(row.station_id), int(row.id)) if row is not None else None


async def tag_reservation(
    uow: UnitOfWork, reservation_id: int, partner_id: int, external_id: str
) -> None:
    """Remember that row `reservation_id` is the partner's reservation `external_id`."""
    await uow.conn.execute(
        update(reservations)
        .where(reservations.c.id == reservation_id)
        .values(partner_id=partner_id, external_id=external_id)
    )
