"""Boot, heartbeat and connector status (OCPP 2.0.1 functional blocks B and G)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.stations import BootInfo, RegistrationStatus
from shared.store.stations import get_registration, record_boot
from shared.store.uow import UnitOfWork

__all__ = ["BootDecision", "boot_station"]


@dataclass(frozen=True, slots=True)
class BootDecision:
    """How to answer a BootNotification."""

    status: RegistrationStatus
    interval: int


async def boot_station(
    uow: UnitOfWork,
    station_id: str,
    info: BootInfo,
    *,
    heartbeat_interval: int,
    retry_interval: int,
) -> BootDecision:
    """Store the boot and decide the answer from the station's registration (B01–B03).

    Accepted stations get the heartbeat interval; Pending and Rejected ones the interval
    after which to try again.
    """
    status = await get_registration(uow.conn, station_id) or RegistrationStatus.ACCEPTED
    await record_boot(uow, station_id, info, status)
    interval = heartbeat_interval if status is RegistrationStatus.ACCEPTED else retry_interval
    return BootDecision(status=status, interval=interval)
