"""Opening a station's session: record the connection, then load the connection's view."""

from __future__ import annotations

from sqlalchemy import select

from csms.context import CsmsServices, StationView
from shared.domain.stations import RegistrationStatus
from shared.events import StationConnected
from shared.store.stations import connector_statuses, mark_connected
from shared.store.tables import transactions
from shared.store.uow import UnitOfWork

__all__ = ["open_station_view"]


async def open_station_view(
    services: CsmsServices,
    station_id: str,
    version: str,
    registration_if_new: RegistrationStatus,
) -> StationView:
    """Mark the station connected to this node and return what the connection must know."""
    node_id = services.node_id

    async def connect(uow: UnitOfWork) -> StationView:
        station = await mark_connected(
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
        view = StationView(registration=station.registration_status)
        view.connectors.update(await connector_statuses(uow.conn, station_id))
        rows = await uow.conn.execute(
            select(transactions.c.transaction_ref, transactions.c.id).where(
                transactions.c.station_id == station_id, transactions.c.status == "active"
            )
        )
        view.active_transactions.update({row.transaction_ref: row.id for row in rows})
        return view

    return await services.writer.run(connect)
