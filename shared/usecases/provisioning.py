"""Boot (OCPP 2.0.1 functional block B): deciding the answer and storing the boot."""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.stations import BootInfo, RegistrationStatus
from shared.store.stations import record_boot
from shared.store.uow import UnitOfWork

__all__ = ["BootDecision", "decide_boot", "store_boot"]


@dataclass(frozen=True, slots=True)
class BootDecision:
    """How to answer a BootNotification."""

    status: RegistrationStatus
    interval: int


def decide_boot(
    registration: RegistrationStatus, *, heartbeat_interval: int, retry_interval: int
) -> BootDecision:
    """The answer follows the station's registration (B01–B03): Accepted stations get the
    heartbeat interval; Pending and Rejected ones the interval after which to try again."""
    accepted = registration is RegistrationStatus.ACCEPTED
    return BootDecision(
        status=registration, interval=heartbeat_interval if accepted else retry_interval
    )


async def store_boot(
    uow: UnitOfWork, station_id: str, info: BootInfo, decision: BootDecision
) -> None:
    """Store what the station said at boot and how it was answered."""
    record_boot(uow, station_id, info, decision.status)
