"""OCPP 2.0.1 TransactionEvent: store every event, derive the transaction from them (E01–E15).

Each event is stored once in `transaction_events` (unique per transaction and seqNo), so a
repeated event is recognised and answered without being applied again. The transaction's
row holds the fold of its events in seqNo order (`shared.domain.transactions`): the next
event in order advances it; an event older than the newest applied one — delivered late from
a station's offline queue (E12, `offline: true`) — makes it fold all stored events again. A
late Ended therefore still ends the transaction, and an Updated that arrives after the Ended
does not reopen it.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.transactions import (
    MeterSample,
    TransactionEventReport,
    TransactionEventType,
    TransactionState,
    advance,
    fold_events,
    needs_refold,
    open_state,
)
from shared.events import TransactionEnded, TransactionStarted, TransactionUpdated
from shared.logging import get_logger
from shared.store.meter_values import record_meter_samples
from shared.store.stations import touch_station
from shared.store.transactions import (
    TransactionAuthorization,
    defer_event,
    defer_folded_state,
    find_transaction,
    insert_event,
    insert_transaction,
    load_events,
    save_state,
    set_authorization,
)
from shared.store.uow import UnitOfWork

__all__ = ["EventOutcome", "record_transaction_event"]

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class EventOutcome:
    """The transaction after an event, and whether the event was new."""

    transaction_id: int
    state: TransactionState
    duplicate: bool = False
    created: bool = False


async def record_transaction_event(
    uow: UnitOfWork,
    station_id: str,
    event: TransactionEventReport,
    samples: list[MeterSample],
    authorization: TransactionAuthorization | None = None,
    known: tuple[int, TransactionState] | None = None,
) -> EventOutcome:
    """Store `event` with its sampled values and bring the transaction up to date.

    The first event seen of a transaction creates it, whatever its type: a station that was
    offline may deliver an Updated or an Ended before (or without) the Started.

    `known` is the transaction (id, state) as the caller last stored it — the connection's
    view. An event that comes next in seqNo order then needs no read at all: it is folded
    here and everything it changes joins the batch's executemany.
    """
    touch_station(uow, station_id)
    if known is not None and _next_in_order(known[1], event):
        return await _advance_known(uow, station_id, event, samples, authorization, *known)
    transaction = await find_transaction(uow.conn, station_id, event.transaction_ref)
    if transaction is None:
        return await _create(uow, station_id, event, samples, authorization)
    if not await insert_event(uow, transaction.id, event):
        log.warning(
            "transaction.event.duplicate",
            station_id=station_id,
            transaction_id=transaction.id,
            seq_no=event.seq_no,
        )
        return EventOutcome(transaction.id, transaction.state, duplicate=True)
    old = transaction.state
    if needs_refold(old, event):
        log.info(
            "transaction.event.out_of_order",
            station_id=station_id,
            transaction_id=transaction.id,
            seq_no=event.seq_no,
            last_seq_no=old.last_seq_no,
            offline=event.offline,
        )
        state = fold_events(await load_events(uow.conn, transaction.id, event.transaction_ref))
    else:
        state = advance(old, event)
    if state != old:
        await save_state(uow, transaction.id, state)
    if authorization is not None and event.id_token is not None:
        await set_authorization(uow, transaction.id, authorization)
    record_meter_samples(uow, samples, transaction_id=transaction.id, evse_id=state.evse_id)
    _emit_changes(uow, station_id, transaction.id, old, state)
    return EventOutcome(transaction.id, state)


def _next_in_order(state: TransactionState, event: TransactionEventReport) -> bool:
    # Every stored event is folded into the state, so its last seqNo is the highest stored:
    # an event above it is new and in order (neither a duplicate nor a late one).
    return state.last_seq_no is not None and event.seq_no > state.last_seq_no


async def _advance_known(
    uow: UnitOfWork,
    station_id: str,
    event: TransactionEventReport,
    samples: list[MeterSample],
    authorization: TransactionAuthorization | None,
    transaction_id: int,
    old: TransactionState,
) -> EventOutcome:
    defer_event(uow, transaction_id, event)
    state = advance(old, event)
    defer_folded_state(uow, transaction_id, old, state)
    if authorization is not None and event.id_token is not None:
        await set_authorization(uow, transaction_id, authorization)
    record_meter_samples(uow, samples, transaction_id=transaction_id, evse_id=state.evse_id)
    _emit_changes(uow, station_id, transaction_id, old, state)
    return EventOutcome(transaction_id, state)


async def _create(
    uow: UnitOfWork,
    station_id: str,
    event: TransactionEventReport,
    samples: list[MeterSample],
    authorization: TransactionAuthorization | None,
) -> EventOutcome:
    state = open_state(event)
    transaction_id = await insert_transaction(
        uow,
        station_id,
        state,
        transaction_ref=event.transaction_ref,
        authorization=authorization,
    )
    await insert_event(uow, transaction_id, event)
    record_meter_samples(uow, samples, transaction_id=transaction_id, evse_id=state.evse_id)
    if event.event_type is not TransactionEventType.STARTED:
        log.warning(
            "transaction.event.started_missing",
            station_id=station_id,
            transaction_id=transaction_id,
            event_type=event.event_type.value,
            seq_no=event.seq_no,
            offline=event.offline,
        )
    uow.emit(
        TransactionStarted(
            at=uow.now,
            transaction_id=transaction_id,
            station_id=station_id,
            evse_id=state.evse_id,
            connector_id=state.connector_id,
            id_token=state.id_token,
        )
    )
    if not state.active:
        _emit_ended(uow, station_id, transaction_id, state)
    return EventOutcome(transaction_id, state, created=True)


def _emit_changes(
    uow: UnitOfWork,
    station_id: str,
    transaction_id: int,
    old: TransactionState,
    new: TransactionState,
) -> None:
    if old.active and not new.active:
        _emit_ended(uow, station_id, transaction_id, new)
    elif new != old:
        uow.emit(TransactionUpdated(uow.now, transaction_id, station_id, new.energy_wh))


def _emit_ended(
    uow: UnitOfWork, station_id: str, transaction_id: int, state: TransactionState
) -> None:
    if state.energy_wh < 0:
        log.warning(
            "transaction.energy.negative",
            station_id=station_id,
            transaction_id=transaction_id,
            energy_wh=state.energy_wh,
        )
    uow.emit(
        TransactionEnded(
            at=uow.now,
            transaction_id=transaction_id,
            station_id=station_id,
            energy_wh=state.energy_wh,
            stop_reason=state.stop_reason,
        )
    )
