"""Opening a station's session: load the connection's view, record the connection."""

from __future__ import annotations

from sqlalchemy import select

from csms.context import CsmsServices, StationView
from shared.domain.stations import RegistrationStatus
from shared.events import StationConnected
from shared.store.stations import connector_statuses, get_registration, mark_connected
from shared.store.tables import transactions
from shared.store.uow import UnitOfWork

__all__ = ["open_station_view"]


async def open_station_view(
    services: CsmsServices,
    station_id: str,
    version: str,
    registration_if_new: RegistrationStatus,
) -> StationView:
    """Read what the connection must know (outside the writer, so a connection storm does
    not serialise reads behind writes), then record the connection in the next batch."""
    async with services.database.read() as conn:
        registration = await get_registration(conn, station_id)
        view = StationView(registration=registration or registration_if_new)
        view.connectors.update(await connector_statuses(conn, station_id))
        rows = await conn.execute(
            select(transactions.c.transaction_ref, transactions.c.id).where(
                transactions.c.station_id == station_id, transactions.c.status == "active"
            )
        )
        view.active_transactions.update({row.transaction_ref: row.id for row in rows})
    node_id = services.node_id

    async def connect(uow: UnitOfWork) -> None:
        mark_connected(
            uow,
            station_id,
            ocpp_version=version,
            node_id=node_id,
            registration_if_new=registration_if_new,
        )
        uow.emit(
            StationConnected(
                at=uow.now, station_id=station_id, node_id=node_id, ocpp_version=version
            )
        )

    await services.writer.run(connect)
    return view
