"""The seam between the version-neutral station and one OCPP version.

A dialect builds the messages the station sends (spelled for its version) and creates the
`ocpp` library charge point whose `@on` handlers answer the CSMS. `v16.Dialect16` and
`v201.Dialect201` implement it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from websockets.asyncio.client import ClientConnection

from .auth import AuthStatus
from .evse import BootReason, Connector, Evse, Reservation, Transaction
from .meter import MeterReading
from .outbox import Outgoing

__all__ = ["BootAnswer", "ChargePointLike", "Dialect", "UpdateTrigger"]


class UpdateTrigger(enum.Enum):
    """Why a transaction update is sent."""

    PERIODIC = "periodic"  # MeterValueSampleInterval / TxUpdatedInterval elapsed
    TRIGGERED = "triggered"  # the CSMS asked with TriggerMessage


class BootAnswer(NamedTuple):
    """The parts of a BootNotification answer the station acts on."""

    status: str
    interval: int


class ChargePointLike(Protocol):
    """The part of `ocpp.charge_point.ChargePoint` the station uses."""

    async def start(self) -> None:
        """Read and route messages until the connection closes."""

    async def call(self, payload: Any, suppress: bool = True) -> Any:
        """Send a CALL and return the CALLRESULT payload."""


class Dialect(Protocol):
    """Messages and handlers of one OCPP version."""

    version: str
    subprotocol: str

    def charge_point(self, connection: ClientConnection) -> ChargePointLike:
        """The library charge point for a fresh connection."""

    def boot_notification(self, reason: BootReason) -> Any:
        """The BootNotification payload."""

    def parse_boot(self, result: Any) -> BootAnswer:
        """Status and interval out of a BootNotification result."""

    def heartbeat(self) -> Outgoing:
        """A Heartbeat."""

    def statuses(self) -> list[Outgoing]:
        """StatusNotifications for every connector (after boot or reconnect)."""

    def connector_changed(self, connector: Connector, tx: Transaction | None) -> list[Outgoing]:
        """What to send after `connector`'s status changed."""

    def station_availability_changed(self) -> list[Outgoing]:
        """What to send after the whole station became (in)operative."""

    def reservation_ended(self, reservation: Reservation, status: str) -> list[Outgoing]:
        """What to send when a reservation expired (`Expired`) or was dropped (`Removed`)."""

    def authorize(self, id_tag: str, done: Callable[[AuthStatus | None], None]) -> Outgoing:
        """An Authorize; `done` gets the status, or None when there was no answer."""

    def transaction_started(self, tx: Transaction, reading: MeterReading) -> Outgoing:
        """StartTransaction / TransactionEvent Started."""

    def transaction_updated(
        self, tx: Transaction, reading: MeterReading, trigger: UpdateTrigger
    ) -> Outgoing:
        """MeterValues / TransactionEvent Updated."""

    def transaction_ended(self, tx: Transaction, reading: MeterReading) -> Outgoing:
        """StopTransaction / TransactionEvent Ended."""

    def clock_aligned(self, evse: Evse, reading: MeterReading) -> Outgoing:
        """A clock-aligned sample of `evse` (part of its transaction, if one runs)."""

    def after_boot(self) -> list[Outgoing]:
        """Messages owed after an accepted boot (e.g. a firmware update's `Installed`)."""
