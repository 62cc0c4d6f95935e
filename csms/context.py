"""What a message handler gets: the station it talks to, the services, and `commit()`.

Handlers are plain async functions `(ctx, payload) -> response payload`. They translate the
wire payload into domain terms, run one use case through `await ctx.commit(use_case)` (which
stores the incoming frame in the same transaction and returns after the commit), and build
the answer. The answer therefore never goes out before what the charger reported is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from sqlalchemy import insert

from shared.config import Settings
from shared.domain.stations import ConnectorStatus, RegistrationStatus, evse_status
from shared.domain.transactions import TransactionState
from shared.events import EventBus
from shared.store.database import Database
from shared.store.tables import ocpp_messages
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter

if TYPE_CHECKING:
    from csms.data_transfer import DataTransferRegistry
    from shared.authorization import Authorizer

__all__ = ["CsmsServices", "StationContext", "StationView"]

T = TypeVar("T")

_LOG_FRAME = insert(ocpp_messages)


@dataclass(slots=True)
class CsmsServices:
    """Everything the OCPP side of one node shares."""

    settings: Settings
    database: Database
    writer: BatchWriter
    bus: EventBus
    node_id: str
    authorizer: Authorizer
    data_transfer: DataTransferRegistry = field(default_factory=lambda: _new_registry())


def _new_registry() -> DataTransferRegistry:
    from csms.data_transfer import DataTransferRegistry  # here: the module imports this one

    return DataTransferRegistry()


@dataclass(slots=True)
class StationView:
    """The connection's own picture of its station, kept in step with what it stored.

    It saves a database read per message: the status a connector had before, which
    transactions run where.
    """

    registration: RegistrationStatus
    connectors: dict[tuple[int, int], ConnectorStatus] = field(default_factory=dict)
    active_transactions: dict[str, int] = field(default_factory=dict)  # charger ref → our id
    # The stored state of those transactions (our id → state), as this connection last
    # stored it: MeterValues and TransactionEvent fold into it without reading the row.
    transaction_states: dict[int, TransactionState] = field(default_factory=dict)
    booted: bool = False
    # Actions we asked for with TriggerMessage, allowed once even before acceptance.
    triggered: set[str] = field(default_factory=set)
    lenient: bool = True

    def set_connector(self, evse_id: int, connector_id: int, status: ConnectorStatus) -> None:
        self.connectors[(evse_id, connector_id)] = status

    def known_transaction(self, ref: str) -> tuple[int, TransactionState] | None:
        """(our id, stored state) of the active transaction `ref`, or None."""
        transaction_id = self.active_transactions.get(ref)
        if transaction_id is None:
            return None
        state = self.transaction_states.get(transaction_id)
        return None if state is None else (transaction_id, state)

    def remember_transaction(self, ref: str, transaction_id: int, state: TransactionState) -> None:
        """After a commit: `ref` is stored with `state`; one no longer active is forgotten."""
        if not state.active:
            self.forget_transaction(ref)
            return
        self.active_transactions[ref] = transaction_id
        self.transaction_states[transaction_id] = state

    def forget_transaction(self, ref: str) -> None:
        """After a commit: `ref` is no longer active."""
        transaction_id = self.active_transactions.pop(ref, None)
        if transaction_id is not None:
            self.transaction_states.pop(transaction_id, None)

    def evse_status_with(
        self, evse_id: int, connector_id: int, status: ConnectorStatus
    ) -> ConnectorStatus:
        """The EVSE's status if `connector_id` took `status`."""
        statuses = [
            status if key == (evse_id, connector_id) else value
            for key, value in self.connectors.items()
            if key[0] == evse_id
        ]
        if (evse_id, connector_id) not in self.connectors:
            statuses.append(status)
        return evse_status(statuses)


class StationContext:
    """Per-connection context handed to every handler of that station."""

    __slots__ = (
        "_frame",
        "_frame_action",
        "_frame_at",
        "_frame_id",
        "_frame_stored",
        "log",
        "services",
        "station_id",
        "version",
        "view",
    )

    def __init__(
        self,
        station_id: str,
        version: str,
        services: CsmsServices,
        view: StationView,
        log: structlog.typing.FilteringBoundLogger,
    ) -> None:
        self.station_id = station_id
        self.version = version
        self.services = services
        self.view = view
        self.log = log
        self._frame: str | None = None
        self._frame_id: str | None = None
        self._frame_action: str | None = None
        self._frame_at: datetime = datetime.now(UTC)
        self._frame_stored = True

    @property
    def lenient(self) -> bool:
        return self.view.lenient

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def database(self) -> Database:
        return self.services.database

    @property
    def bus(self) -> EventBus:
        return self.services.bus

    def begin_call(self, frame: str, message_id: str, action: str) -> None:
        """Called by the dispatcher before a handler runs: the frame to store with its facts."""
        self._frame = frame
        self._frame_id = message_id
        self._frame_action = action
        self._frame_at = datetime.now(UTC)
        self._frame_stored = not self.services.settings.ocpp.frame_log

    async def commit(self, use_case: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run `use_case` in the next group commit, together with the incoming frame's log
        row; return its result once committed."""
        if self._frame_stored:
            return await self.services.writer.run(use_case)
        self._frame_stored = True
        row = self._frame_row()

        async def with_frame(uow: UnitOfWork) -> T:
            uow.defer(_LOG_FRAME, row)
            return await use_case(uow)

        return await self.services.writer.run(with_frame)

    async def finish_call(self) -> None:
        """After the handler: store the incoming frame if the handler stored nothing."""
        if not self._frame_stored:
            self._frame_stored = True
            row = self._frame_row()

            async def only_frame(uow: UnitOfWork) -> None:
                uow.defer(_LOG_FRAME, row)

            await self.services.writer.run(only_frame)

    def log_outgoing(
        self, frame: str, message_type: int, message_id: str, action: str | None
    ) -> None:
        """Store a frame we sent, with the next batch (we do not wait for it)."""
        if self.services.settings.ocpp.frame_log:
            self.services.writer.write_soon(
                _LOG_FRAME,
                {
                    "station_id": self.station_id,
                    "direction": "out",
                    "message_type": message_type,
                    "message_id": message_id,
                    "action": action,
                    "timestamp": datetime.now(UTC),
                    "frame": frame,
                },
            )

    def log_incoming(self, frame: str, message_type: int | None, message_id: str | None) -> None:
        """Store a frame that is not a CALL (results, errors, garbage), without waiting."""
        if self.services.settings.ocpp.frame_log:
            self.services.writer.write_soon(
                _LOG_FRAME,
                {
                    "station_id": self.station_id,
                    "direction": "in",
                    "message_type": message_type,
                    "message_id": message_id,
                    "action": None,
                    "timestamp": datetime.now(UTC),
                    "frame": frame,
                },
            )

    def _frame_row(self) -> dict[str, Any]:
        return {
            "station_id": self.station_id,
            "direction": "in",
            "message_type": 2,
            "message_id": self._frame_id,
            "action": self._frame_action,
            "timestamp": self._frame_at,
            "frame": self._frame,
        }
