"""In-transaction writers: domain events become outbox rows in the transaction that made them.

`OutboxWriters.install(bus)` registers one writer per event (`bus.add_transactional_writer`);
each only adds deferred rows (`defer_outbox`), so a status change costs one more row in the
batch's executemany. Only objects partners can see get rows:

- EVSEs linked to a published location (`ConnectorStatusChanged`, station (dis)connection,
  transaction start and end → EVSE PATCH of `status`). Which EVSEs those are is kept in
  memory (`PublishedEvses`), loaded at start and refreshed on `LocationChanged`, because the
  status path runs at hundreds of messages a second and must not query per message;
- sessions, only for the eMSP whose token started them (`transactions.partner_id`, or the
  partner whose START_SESSION command started it: commands requested by ``ocpi:<id>``);
  kept in memory per transaction, looked up once;
- CDRs for the same eMSP; locations and tariffs for everyone (`partner_id` NULL).

Rows say which fields changed; the gateway builds the payload from the object's state when
it delivers the row (so a late delivery never sends older data than the row's change).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, select, update

from shared.billing.costs import SessionCostChanged
from shared.events import (
    CdrCreated,
    ConnectorStatusChanged,
    EventBus,
    LocationChanged,
    StationConnected,
    StationDisconnected,
    TariffChanged,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)
from shared.logging import get_logger
from shared.store.database import Database
from shared.store.outbox import OutboxMethod, OutboxModule, defer_outbox
from shared.store.tables import cdrs, commands, evses, locations, transactions
from shared.store.uow import UnitOfWork

__all__ = ["OCPI_REQUESTER_PREFIX", "OutboxWriters", "PublishedEvses", "requested_by_partner"]

log = get_logger(__name__)

#: `commands.requested_by` of commands an OCPI partner sent: ``ocpi:<partner id>``.
OCPI_REQUESTER_PREFIX = "ocpi:"
#: mod_commands: a START_SESSION token counts as authorised for 15 minutes.
REMOTE_START_WINDOW = timedelta(minutes=15)
#: Sessions not (yet) attributed to a partner are looked up again after this long.
_RECHECK_S = 120.0
_MAX_CACHED = 100_000

# Fills in the partner of a remotely started session (only while still unknown).
_SET_PARTNER = (
    update(transactions)
    .where(transactions.c.id == bindparam("tx_id"), transactions.c.partner_id.is_(None))
    .values(partner_id=bindparam("partner"))
)

_SESSION_PROGRESS = ("kwh", "total_cost", "charging_periods", "status")
_SESSION_END = ("status", "end_date_time", "kwh", "total_cost", "charging_periods")


def requested_by_partner(partner_id: int) -> str:
    """The `requested_by` of a command sent on behalf of partner `partner_id`."""
    return f"{OCPI_REQUESTER_PREFIX}{partner_id}"


@dataclass(frozen=True, slots=True)
class _Published:
    location_id: str
    evse_uid: str


class PublishedEvses:
    """Which (station, EVSE) is published as which (location, EVSE uid)."""

    def __init__(self) -> None:
        self._by_evse: dict[tuple[str, int], _Published] = {}
        self.loaded = False

    def get(self, station_id: str, evse_id: int) -> _Published | None:
        return self._by_evse.get((station_id, evse_id))

    def of_station(self, station_id: str) -> list[_Published]:
        return [p for (s, _), p in self._by_evse.items() if s == station_id]

    def replace_location(self, location_id: str, rows: list[Any]) -> None:
        """Forget the location's EVSEs, then add `rows` (station_id, evse_id, evse_uid)."""
        for key in [k for k, p in self._by_evse.items() if p.location_id == location_id]:
            del self._by_evse[key]
        for row in rows:
            if row.evse_uid:
                self._by_evse[(row.station_id, row.evse_id)] = _Published(location_id, row.evse_uid)

    def replace_all(self, rows: list[Any]) -> None:
        self._by_evse = {
            (row.station_id, row.evse_id): _Published(row.location_id, row.evse_uid)
            for row in rows
            if row.evse_uid
        }
        self.loaded = True

    def __len__(self) -> int:
        return len(self._by_evse)


def _published_query(location_id: str | None = None) -> Any:
    query = (
        select(evses.c.station_id, evses.c.evse_id, evses.c.evse_uid, evses.c.location_id)
        .join(locations, locations.c.id == evses.c.location_id)
        .where(and_(locations.c.publish.is_(True), evses.c.removed.is_(False)))
    )
    if location_id is not None:
        query = query.where(evses.c.location_id == location_id)
    return query


class OutboxWriters:
    """The outbox's in-transaction writers and the caches that keep them cheap."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.published = PublishedEvses()
        # transaction id -> (partner id or None, monotonic time of the lookup)
        self._partners: OrderedDict[int, tuple[int | None, float]] = OrderedDict()

    def install(self, bus: EventBus) -> None:
        """Register the writers (and the after-commit cache refresh) on `bus`."""
        bus.add_transactional_writer(ConnectorStatusChanged, self.on_status)
        bus.add_transactional_writer(StationConnected, self.on_station)
        bus.add_transactional_writer(StationDisconnected, self.on_station)
        bus.add_transactional_writer(TransactionStarted, self.on_started)
        bus.add_transactional_writer(TransactionUpdated, self.on_updated)
        bus.add_transactional_writer(SessionCostChanged, self.on_cost)
        bus.add_transactional_writer(TransactionEnded, self.on_ended)
        bus.add_transactional_writer(CdrCreated, self.on_cdr)
        bus.add_transactional_writer(LocationChanged, self.on_location)
        bus.add_transactional_writer(TariffChanged, self.on_tariff)
        bus.subscribe(LocationChanged, self.after_location_change)

    async def load(self) -> None:
        """Read which EVSEs are published (at start; later kept by LocationChanged)."""
        async with self._database.read() as conn:
            rows = (await conn.execute(_published_query())).all()
        self.published.replace_all(list(rows))
        log.info("outbox.published_evses.loaded", evses=len(self.published))

    async def after_location_change(self, event: LocationChanged) -> None:
        """After commit: re-read the location's EVSEs (the in-transaction view may have
        been rolled back, or changed by a later transaction)."""
        async with self._database.read() as conn:
            rows = (await conn.execute(_published_query(event.location_id))).all()
        self.published.replace_location(event.location_id, list(rows))

    # --- EVSE status ---------------------------------------------------------------------

    async def _published(self, uow: UnitOfWork, station_id: str, evse_id: int) -> _Published | None:
        if self.published.loaded:
            return self.published.get(station_id, evse_id)
        # Before the first load (start-up): ask the database, in this transaction.
        row = (
            await uow.conn.execute(
                _published_query().where(
                    evses.c.station_id == station_id, evses.c.evse_id == evse_id
                )
            )
        ).first()
        return _Published(row.location_id, row.evse_uid) if row and row.evse_uid else None

    def _evse_row(self, uow: UnitOfWork, published: _Published) -> None:
        defer_outbox(
            uow,
            OutboxModule.LOCATIONS,
            f"{published.location_id}/{published.evse_uid}",
            OutboxMethod.PATCH,
            fields=("status",),
        )

    async def on_status(self, uow: UnitOfWork, event: ConnectorStatusChanged) -> None:
        published = await self._published(uow, event.station_id, event.evse_id)
        if published is not None:
            self._evse_row(uow, published)

    async def on_station(
        self, uow: UnitOfWork, event: StationConnected | StationDisconnected
    ) -> None:
        # A station that goes away leaves its EVSEs' status unknown, and back again.
        for published in self.published.of_station(event.station_id):
            self._evse_row(uow, published)

    # --- sessions and CDRs ---------------------------------------------------------------

    async def _partner_of(self, uow: UnitOfWork, transaction_id: int, fresh: bool) -> int | None:
        cached = self._partners.get(transaction_id)
        now = time.monotonic()
        if cached is not None and not fresh:
            partner_id, checked = cached
            if partner_id is not None or now - checked < _RECHECK_S:
                return partner_id
        row = (
            await uow.conn.execute(
                select(
                    transactions.c.partner_id,
                    transactions.c.station_id,
                    transactions.c.id_token,
                    transactions.c.created_at,
                ).where(transactions.c.id == transaction_id)
            )
        ).first()
        partner_id = row.partner_id if row is not None else None
        if row is not None and partner_id is None and row.id_token:
            partner_id = await self._remote_start_partner(uow, row)
            if partner_id is not None:
                uow.defer(_SET_PARTNER, {"tx_id": transaction_id, "partner": partner_id})
        self._remember(transaction_id, partner_id, now)
        return partner_id

    async def _remote_start_partner(self, uow: UnitOfWork, tx: Any) -> int | None:
        """The partner whose recent START_SESSION asked for this token at this station."""
        rows = await uow.conn.execute(
            select(commands.c.requested_by, commands.c.request)
            .where(
                commands.c.station_id == tx.station_id,
                commands.c.kind == "start_charging",
                commands.c.requested_by.startswith(OCPI_REQUESTER_PREFIX),
                commands.c.created_at >= tx.created_at - REMOTE_START_WINDOW,
            )
            .order_by(commands.c.created_at.desc())
        )
        for row in rows:
            token = (row.request or {}).get("id_token") or {}
            value = token.get("value") if isinstance(token, dict) else None
            if value == tx.id_token or (
                len(tx.id_token) == 20 and str(value).startswith(tx.id_token)
            ):
                try:
                    return int(row.requested_by[len(OCPI_REQUESTER_PREFIX) :])
                except ValueError:
                    return None
        return None

    def _remember(self, transaction_id: int, partner_id: int | None, now: float) -> None:
        self._partners[transaction_id] = (partner_id, now)
        self._partners.move_to_end(transaction_id)
        while len(self._partners) > _MAX_CACHED:
            self._partners.popitem(last=False)

    def _session_row(
        self,
        uow: UnitOfWork,
        transaction_id: int,
        partner_id: int,
        method: OutboxMethod,
        fields: tuple[str, ...] = (),
    ) -> None:
        defer_outbox(
            uow,
            OutboxModule.SESSIONS,
            str(transaction_id),
            method,
            fields=fields,
            partner_id=partner_id,
        )

    async def on_started(self, uow: UnitOfWork, event: TransactionStarted) -> None:
        partner_id = await self._partner_of(uow, event.transaction_id, fresh=True)
        if partner_id is not None:
            # mod_sessions: the new Session is PUT, before any PATCH of it.
            self._session_row(uow, event.transaction_id, partner_id, OutboxMethod.PUT)
        published = await self._published(uow, event.station_id, event.evse_id)
        if published is not None:
            self._evse_row(uow, published)

    async def on_updated(self, uow: UnitOfWork, event: TransactionUpdated) -> None:
        partner_id = await self._partner_of(uow, event.transaction_id, fresh=False)
        if partner_id is not None:
            self._session_row(
                uow, event.transaction_id, partner_id, OutboxMethod.PATCH, _SESSION_PROGRESS
            )

    async def on_cost(self, uow: UnitOfWork, event: SessionCostChanged) -> None:
        partner_id = await self._partner_of(uow, event.transaction_id, fresh=False)
        if partner_id is not None:
            self._session_row(
                uow, event.transaction_id, partner_id, OutboxMethod.PATCH, _SESSION_PROGRESS
            )

    async def on_ended(self, uow: UnitOfWork, event: TransactionEnded) -> None:
        partner_id = await self._partner_of(uow, event.transaction_id, fresh=True)
        if partner_id is not None:
            self._session_row(
                uow, event.transaction_id, partner_id, OutboxMethod.PATCH, _SESSION_END
            )
        row = (
            await uow.conn.execute(
                select(transactions.c.evse_id).where(transactions.c.id == event.transaction_id)
            )
        ).first()
        if row is not None:
            published = await self._published(uow, event.station_id, row.evse_id)
            if published is not None:
                self._evse_row(uow, published)

    async def on_cdr(self, uow: UnitOfWork, event: CdrCreated) -> None:
        row = (
            await uow.conn.execute(select(cdrs.c.partner_id).where(cdrs.c.id == event.cdr_id))
        ).first()
        partner_id = row.partner_id if row is not None else None
        if partner_id is None and event.transaction_id is not None:
            partner_id = await self._partner_of(uow, event.transaction_id, fresh=True)
        if partner_id is not None:
            defer_outbox(
                uow, OutboxModule.CDRS, event.cdr_id, OutboxMethod.POST, partner_id=partner_id
            )

    # --- locations and tariffs -----------------------------------------------------------

    async def on_location(self, uow: UnitOfWork, event: LocationChanged) -> None:
        rows = (await uow.conn.execute(_published_query(event.location_id))).all()
        # In this transaction the change is visible: let status rows of the same batch
        # onwards see the new links at once (the after-commit refresh confirms it).
        self.published.replace_location(event.location_id, list(rows))
        method = OutboxMethod.PATCH if event.fields else OutboxMethod.PUT
        defer_outbox(uow, OutboxModule.LOCATIONS, event.location_id, method, fields=event.fields)

    async def on_tariff(self, uow: UnitOfWork, event: TariffChanged) -> None:
        method = OutboxMethod.DELETE if event.deleted else OutboxMethod.PUT
        defer_outbox(uow, OutboxModule.TARIFFS, event.tariff_id, method)
