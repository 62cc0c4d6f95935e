"""Opening a station's session: load the connection's view, record the connection."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from csms.context import CsmsServices, StationView
from shared.domain.stations import RegistrationStatus
from shared.events import StationConnected
from shared.store.stations import connector_statuses, mark_connected
from shared.store.transactions import active_transactions
from shared.store.uow import UnitOfWork

__all__ = ["load_station_view", "record_connection"]


async def load_station_view(
    conn: AsyncConnection, station_id: str, registration: RegistrationStatus
) -> StationView:
    """What the connection must know of its station (read in the handshake's transaction)."""
    view = StationView(registration=registration)
    view.connectors.update(await connector_statuses(conn, station_id))
    for transaction in await active_transactions(conn, station_id):
        view.remember_transaction(transaction.transaction_ref, transaction.id, transaction.state)
    return view


async def record_connection(
    services: CsmsServices,
    station_id: str,
    version: str,
    registration_if_new: RegistrationStatus,
) -> None:
    """Record in the next batch that this node holds the station's socket."""
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
