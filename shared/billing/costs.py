"""The running cost of every active session, kept up to date as meter values arrive.

`SessionCostTracker` is a background worker the node owns. It listens to the transaction
events (after commit), and:

- when a session starts, chooses its tariff with `select_tariff` from the connector's
  `tariff_ids` at the start time and stores it (`transactions.tariff_id`, `currency`) with
  the session's `BillingSnapshot` (the tariff document, the CdrLocation and the time zone
  as they are then, `shared.billing.snapshot`): the session is priced with that snapshot
  to its end, and its CDR records it, whatever an operator edits meanwhile (mod_tariffs:
  the driver accepts the tariff valid at the start);
- as meter values arrive, prices the session so far, incrementally (one `SessionPricer` per
  active session, in memory; rebuilt from the stored meter values after a restart or an
  offline replay), writes `cost_excl_vat`, `cost_incl_vat`, `currency` on the transaction
  through the writer and emits `SessionCostChanged` in the same transaction (the OCPI push
  outbox turns it into a session PATCH, mod_sessions);
- when a station connects (after a restart of the node, say), loads its active sessions;
- for OCPP 2.0.1 stations that have cost display enabled (`TariffCostCtrlr.Enabled[Cost]`,
  use case I03), sends CostUpdated with the total including VAT.

It never prices inside the OCPP writer's batch, and never on every meter value: sessions are
marked dirty by the events and priced together at most once per `interval` seconds (the
debounce that keeps 2,500 meter values per second cheap), and re-priced every `refresh`
seconds even without new values, because time-based tariffs keep counting. A change is
announced only when the cost rounded to the currency's minor unit changed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from shared.billing.cost_display import CostDisplay
from shared.billing.running import RunningCost, RunningSession
from shared.billing.snapshot import BillingSnapshot, session_snapshot
from shared.billing.tariff import Price
from shared.billing.usage_from_store import OutOfOrderError
from shared.events import (
    DomainEvent,
    EventBus,
    StationConnected,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)
from shared.logging import get_logger
from shared.store.billing import (
    active_session_ids,
    get_session_record,
    meter_readings,
    set_billing_snapshot,
    set_running_cost,
    state_changes,
    status_changes,
)
from shared.store.database import Database
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from shared.commands import CommandService

__all__ = ["SessionCostChanged", "SessionCostTracker"]

log = get_logger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class SessionCostChanged(DomainEvent):
    """A session's cost so far changed (rounded to the currency's minor unit).

    Emitted in the transaction that stores the cost, so an in-transaction writer (the OCPI
    outbox) commits its session PATCH with it: `total_cost` = (`cost_excl_vat`,
    `cost_incl_vat`), `kwh` = `energy_kwh`, `last_updated` = `at`.
    """

    transaction_id: int
    station_id: str
    currency: str
    cost_excl_vat: Decimal
    cost_incl_vat: Decimal | None
    energy_kwh: Decimal
    tariff_id: str


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SessionCostTracker:
    """Prices active sessions in the background. `start()`, then `aclose()` at shutdown."""

    def __init__(
        self,
        database: Database,
        writer: BatchWriter,
        bus: EventBus,
        *,
        interval: float = 10.0,
        refresh: float = 60.0,
        commands: CommandService | None = None,
        cost_updated_interval: float = 60.0,
        clock: Clock = _utc_now,
    ) -> None:
        self._database = database
        self._writer = writer
        self._bus = bus
        self._interval = interval
        self._refresh = refresh
        self._display = (
            None if commands is None else CostDisplay(database, commands, cost_updated_interval)
        )
        self.clock = clock
        self._sessions: dict[int, RunningSession] = {}
        self._dirty: set[int] = set()
        self._connected: set[str] = set()  # stations whose active sessions are to be loaded
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._subscribed = False

    # --- lifecycle -------------------------------------------------------------------------

    def subscribe(self) -> None:
        """Listen to the transaction events (once)."""
        if self._subscribed:
            return
        self._subscribed = True
        self._bus.subscribe(TransactionStarted, self._on_started)
        self._bus.subscribe(TransactionUpdated, self._on_updated)
        self._bus.subscribe(TransactionEnded, self._on_ended)
        self._bus.subscribe(StationConnected, self._on_connected)

    def start(self) -> None:
        """Subscribe and start the pricing loop."""
        self.subscribe()
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="billing.cost_tracker")

    async def aclose(self) -> None:
        """Stop the loop (what is half done is simply done again after a restart)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def tracked(self) -> frozenset[int]:
        """Ids of the sessions priced in memory."""
        return frozenset(self._sessions)

    def _on_started(self, event: TransactionStarted) -> None:
        self._mark(event.transaction_id)

    def _on_updated(self, event: TransactionUpdated) -> None:
        self._mark(event.transaction_id)

    def _on_connected(self, event: StationConnected) -> None:
        # After a restart (or when a station moves to this node) its running sessions are
        # priced from the store, even if its charger sends no meter values.
        self._connected.add(event.station_id)

    def _on_ended(self, event: TransactionEnded) -> None:
        # The CDR worker prices the finished session from the store.
        self._sessions.pop(event.transaction_id, None)
        self._dirty.discard(event.transaction_id)

    def _mark(self, transaction_id: int) -> None:
        self._dirty.add(transaction_id)
        if self._interval <= 0:
            self._wake.set()

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(self._interval, 0.01))
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("billing.cost_tracker.failed")

    # --- one round -------------------------------------------------------------------------

    async def run_once(self) -> list[RunningCost]:
        """Price the dirty sessions and the ones not priced for `refresh` seconds; store and
        announce what changed. Returns the costs computed."""
        now = self.clock()
        due = set(self._dirty)
        self._dirty.clear()
        due |= await self._sessions_of_connected()
        for session_id, session in self._sessions.items():
            if (
                session.priced_at is None
                or (now - session.priced_at).total_seconds() >= self._refresh
            ):
                due.add(session_id)
        if not due:
            return []
        taken: dict[int, BillingSnapshot] = {}
        async with self._database.read() as conn:
            await self._load_missing(conn, due, taken)
            await self._feed(conn, [i for i in due if i in self._sessions])
        costs = []
        for session_id in sorted(due):
            running = self._sessions.get(session_id)
            cost = None if running is None else running.cost(now)
            if cost is not None:
                costs.append(cost)
        changed = await self._store(costs, taken)
        if self._display is not None:
            pairs = [(self._sessions.get(c.transaction_id), c) for c in changed]
            await self._display.send([(s, c) for s, c in pairs if s is not None], now)
        return costs

    async def _sessions_of_connected(self) -> set[int]:
        stations, self._connected = self._connected, set()
        if not stations:
            return set()
        async with self._database.read() as conn:
            found = await active_session_ids(conn, stations)
        return set(found) - set(self._sessions)

    async def _load_missing(
        self, conn: AsyncConnection, due: set[int], taken: dict[int, BillingSnapshot]
    ) -> None:
        for session_id in sorted(due - set(self._sessions)):
            session = await self._load(conn, session_id, taken)
            if session is None:
                due.discard(session_id)
            else:
                self._sessions[session_id] = session

    async def _load(
        self, conn: AsyncConnection, transaction_id: int, taken: dict[int, BillingSnapshot]
    ) -> RunningSession | None:
        """A running session built from the store, or None when it is not active. Its
        snapshot is the stored one, or one taken now (noted in `taken`, to be stored)."""
        record = await get_session_record(conn, transaction_id)
        if record is None or not record.active:
            return None
        snapshot, taken_now = await session_snapshot(conn, record)
        if taken_now:
            taken[record.id] = snapshot
        meter_start = (
            None if record.meter_start_wh is None else Decimal(repr(record.meter_start_wh))
        )
        session = RunningSession(
            record.id,
            record.station_id,
            record.transaction_ref,
            started_at=record.started_at,
            meter_start_wh=meter_start,
            tariff=None if snapshot.tariff is None else snapshot.tariff.tariff,
            time_zone=snapshot.time_zone,
        )
        if record.cost_incl_vat is not None or record.cost_excl_vat is not None:
            session.reported = Price(record.cost_excl_vat or Decimal(0), record.cost_incl_vat)
        return session

    async def _feed(self, conn: AsyncConnection, session_ids: Sequence[int]) -> None:
        priced = [i for i in session_ids if not self._sessions[i].free]
        if not priced:
            return
        after_reading = min(self._sessions[i].last_reading_id for i in priced)
        after_event = min(self._sessions[i].last_event_id for i in priced)
        after_status = min(self._sessions[i].last_status_id for i in priced)
        readings = await meter_readings(conn, priced, after_id=after_reading)
        changes = await state_changes(conn, priced, after_id=after_event)
        statuses = await status_changes(conn, priced, after_id=after_status)
        for session_id in priced:
            session = self._sessions[session_id]
            try:
                session.feed(
                    readings.get(session_id, []),
                    changes.get(session_id, []),
                    statuses.get(session_id, []),
                )
            except OutOfOrderError:
                log.info("billing.session.rebuilt", transaction_id=session_id)
                await self._rebuild(conn, session)

    async def _rebuild(self, conn: AsyncConnection, session: RunningSession) -> None:
        record = await get_session_record(conn, session.transaction_id)
        if record is None:
            self._sessions.pop(session.transaction_id, None)
            return
        every_reading = await meter_readings(conn, [record.id])
        every_change = await state_changes(conn, [record.id])
        every_status = await status_changes(conn, [record.id])
        meter_start = (
            None if record.meter_start_wh is None else Decimal(repr(record.meter_start_wh))
        )
        self._sessions[record.id] = session.rebuilt(
            every_reading.get(record.id, []),
            every_change.get(record.id, []),
            every_status.get(record.id, []),
            started_at=record.started_at,
            meter_start_wh=meter_start,
        )

    async def _store(
        self, costs: list[RunningCost], taken: dict[int, BillingSnapshot]
    ) -> list[RunningCost]:
        """Write the snapshots taken and the costs that changed; returns the changed ones."""
        changed = [
            cost
            for cost in costs
            if (session := self._sessions.get(cost.transaction_id)) is not None
            and session.reported != cost.rounded
        ]
        if not changed and not taken:
            return []

        async def write(uow: UnitOfWork) -> list[RunningCost]:
            for transaction_id, snapshot in taken.items():
                tariff = snapshot.tariff
                await set_billing_snapshot(
                    uow,
                    transaction_id,
                    snapshot.to_json(),
                    None if tariff is None else tariff.id,
                    None if tariff is None else tariff.currency,
                )
            stored = []
            for cost in changed:
                if await set_running_cost(uow, cost.transaction_id, cost.rounded, cost.currency):
                    uow.emit(_changed_event(uow.now, cost))
                    stored.append(cost)
            return stored

        stored = await self._writer.run(write)
        for cost in stored:
            session = self._sessions.get(cost.transaction_id)
            if session is not None:
                session.reported = cost.rounded
        return stored


def _changed_event(at: datetime, cost: RunningCost) -> SessionCostChanged:
    return SessionCostChanged(
        at=at,
        transaction_id=cost.transaction_id,
        station_id=cost.station_id,
        currency=cost.currency,
        cost_excl_vat=cost.rounded.excl_vat,
        cost_incl_vat=cost.rounded.incl_vat,
        energy_kwh=cost.energy_kwh,
        tariff_id=cost.tariff_id,
    )
