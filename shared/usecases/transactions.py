"""Transactions and meter values (OCPP 2.0.1 functional blocks E and J; 1.6 §4.3, §4.7, §4.8).

Plain async functions over a `UnitOfWork`, shared by both OCPP versions. Each one stores what
the charger reported, emits the domain events, and returns what the handler needs to answer.
Charger misbehaviour is tolerated and logged, never refused (PITFALLS "Real chargers" #2, #6,
#7, #8): a fact a charger reports is a fact, even when it is late, repeated or orphaned.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from shared.domain.transactions import (
    SUPERSEDED_STOP_REASON,
    EnergyReading,
    MeterReport,
    Transaction,
    TransactionState,
    TransactionStatus,
    apply_reading,
)
from shared.events import TransactionEnded, TransactionStarted, TransactionUpdated
from shared.logging import get_logger
from shared.store.meter_values import record_meter_samples
from shared.store.stations import touch_station
from shared.store.transactions import (
    TransactionAuthorization,
    active_transactions,
    apply_energy_reading,
    defer_energy_reading,
    defer_state_while_active,
    find_by_fingerprint,
    find_completed,
    find_transaction,
    insert_transaction,
    save_state,
    set_remote_start,
)
from shared.store.uow import UnitOfWork

__all__ = [
    "MeterOutcome",
    "StartOutcome",
    "StopMatch",
    "StopOutcome",
    "TransactionStart",
    "TransactionStop",
    "link_remote_start",
    "record_meter_values",
    "start_transaction",
    "stop_transaction",
]

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class TransactionStart:
    """A charger reporting that a transaction started (1.6 StartTransaction)."""

    station_id: str
    evse_id: int
    connector_id: int
    id_token: str
    id_token_type: str | None
    meter_start_wh: float
    started_at: datetime
    fingerprint: str
    reservation_id: int | None = None


@dataclass(frozen=True, slots=True)
class StartOutcome:
    transaction_id: int
    state: TransactionState  # as stored (for the caller's view)
    duplicate: bool = False
    closed: tuple[int, ...] = ()  # transactions on the connector that never stopped

    @property
    def active(self) -> bool:
        return self.state.active


async def start_transaction(
    uow: UnitOfWork, start: TransactionStart, authorization: TransactionAuthorization
) -> StartOutcome:
    """Record a started transaction; the same start sent again gets the same id back.

    The transaction is recorded whatever the token's status: the charger has started it
    already (it stops it itself when told the token is not Accepted, 1.6 §5.2). A transaction
    still active on the same connector never got its stop: it is closed (see
    `SUPERSEDED_STOP_REASON`); if its StopTransaction arrives later it is still applied.
    """
    existing = await find_by_fingerprint(uow.conn, start.station_id, start.fingerprint)
    if existing is not None:
        log.warning(
            "transaction.start.duplicate",
            station_id=start.station_id,
            transaction_id=existing.id,
        )
        return StartOutcome(existing.id, existing.state, duplicate=True)
    stale = await active_transactions(uow.conn, start.station_id, evse_id=start.evse_id)
    for old in stale:
        await _supersede(uow, old, start.started_at)
    state = TransactionState(
        status=TransactionStatus.ACTIVE,
        started_at=start.started_at,
        evse_id=start.evse_id,
        connector_id=start.connector_id,
        id_token=start.id_token,
        id_token_type=start.id_token_type,
        reservation_id=start.reservation_id,
        meter_start_wh=start.meter_start_wh,
    )
    transaction_id = await insert_transaction(
        uow, start.station_id, state, fingerprint=start.fingerprint, authorization=authorization
    )
    _emit_started(uow, start.station_id, transaction_id, state)
    return StartOutcome(transaction_id, state, closed=tuple(old.id for old in stale))


async def _supersede(uow: UnitOfWork, old: Transaction, new_start: datetime) -> None:
    # The latest moment it can have ended is when the next one started. Its meter stop stays
    # unknown (None): that marks it as closed by us, so a late StopTransaction still applies.
    state = replace(
        old.state,
        status=TransactionStatus.COMPLETED,
        ended_at=max(new_start, old.state.started_at),
        stop_reason=SUPERSEDED_STOP_REASON,
        meter_stop_wh=None,
    )
    await save_state(uow, old.id, state)
    log.warning(
        "transaction.superseded",
        station_id=old.station_id,
        transaction_id=old.id,
        evse_id=old.state.evse_id,
        stop_reason=SUPERSEDED_STOP_REASON,
    )
    _emit_ended(uow, old.station_id, old.id, state)


class StopMatch(StrEnum):
    """How a StopTransaction found its transaction."""

    BY_ID = "by_id"  # its transactionId
    BY_STATION = "by_station"  # an invented/unknown id; the station's only matching active one
    RECORDED = "recorded"  # never seen before: recorded from what the stop says
    DUPLICATE = "duplicate"  # already stopped: answered, not applied again
    LATE = "late"  # we had closed it (never stopped); the real stop is applied now


@dataclass(frozen=True, slots=True)
class TransactionStop:
    """A charger reporting that a transaction stopped (1.6 StopTransaction)."""

    station_id: str
    charger_transaction_id: int
    id_token: str | None
    meter_stop_wh: float
    stopped_at: datetime
    reason: str
    fingerprint: str
    meter: MeterReport  # transactionData; its samples get the transaction's id here


@dataclass(frozen=True, slots=True)
class StopOutcome:
    transaction_id: int
    transaction_ref: str
    match: StopMatch

    @property
    def applied(self) -> bool:
        return self.match is not StopMatch.DUPLICATE


_MAX_INT32 = 2**31 - 1  # transactions.id is a 32-bit integer on PostgreSQL


async def stop_transaction(
    uow: UnitOfWork, stop: TransactionStop, known: tuple[int, TransactionState] | None = None
) -> StopOutcome:
    """Record a stopped transaction, however the charger identifies it (PITFALLS #2, #6, #8).

    Order: a stop we recorded before (same content) → the transaction with that id at this
    station → for an id we do not know, the station's only active transaction for the same
    idTag → otherwise a completed transaction is recorded from what the stop says.

    `known` is the transaction the stop names, (id, state) as the caller last stored it
    (the connection's view); an active one is stopped without reading anything.
    """
    if known is not None and known[1].active:
        return _stop_known(uow, stop, *known)
    recorded = await find_by_fingerprint(uow.conn, stop.station_id, stop.fingerprint)
    if recorded is not None:
        return StopOutcome(recorded.id, recorded.transaction_ref, StopMatch.DUPLICATE)
    transaction, match = await _find_stopped(uow, stop)
    if transaction is None:
        return await _record_unknown_stop(uow, stop)
    if transaction.state.active:
        await _apply_stop(uow, transaction, stop, ended=True)
        return StopOutcome(transaction.id, transaction.transaction_ref, match)
    if (
        transaction.state.stop_reason == SUPERSEDED_STOP_REASON
        and transaction.state.meter_stop_wh is None
    ):
        log.info("transaction.stop.late", station_id=stop.station_id, transaction_id=transaction.id)
        await _apply_stop(uow, transaction, stop, ended=False)
        return StopOutcome(transaction.id, transaction.transaction_ref, StopMatch.LATE)
    log.warning(
        "transaction.stop.duplicate", station_id=stop.station_id, transaction_id=transaction.id
    )
    return StopOutcome(transaction.id, transaction.transaction_ref, StopMatch.DUPLICATE)


async def _find_stopped(
    uow: UnitOfWork, stop: TransactionStop
) -> tuple[Transaction | None, StopMatch]:
    charger_id = stop.charger_transaction_id
    if 0 < charger_id <= _MAX_INT32:
        found = await find_transaction(uow.conn, stop.station_id, str(charger_id))
        if found is not None:
            return found, StopMatch.BY_ID
    candidates = [
        tx
        for tx in await active_transactions(uow.conn, stop.station_id, id_token=stop.id_token)
        if tx.state.started_at <= stop.stopped_at
    ]
    log.warning(
        "transaction.stop.unknown_id",
        station_id=stop.station_id,
        transaction_id=charger_id,
        candidates=[tx.id for tx in candidates],
    )
    if len(candidates) == 1:
        return candidates[0], StopMatch.BY_STATION
    # The same stop again, after it was matched by station: it finds the transaction it
    # completed by its end time and meter stop.
    done = await find_completed(
        uow.conn, stop.station_id, ended_at=stop.stopped_at, meter_stop_wh=stop.meter_stop_wh
    )
    if done is not None:
        return done, StopMatch.DUPLICATE
    return None, StopMatch.RECORDED


def _stopped_state(old: TransactionState, stop: TransactionStop) -> TransactionState:
    meter_start = old.meter_start_wh
    if meter_start is None and stop.meter.first_energy is not None:
        meter_start = stop.meter.first_energy.wh
    energy = stop.meter_stop_wh - meter_start if meter_start is not None else old.energy_wh
    return replace(
        old,
        status=TransactionStatus.COMPLETED,
        ended_at=stop.stopped_at,
        stop_reason=stop.reason,
        meter_start_wh=meter_start,
        meter_stop_wh=stop.meter_stop_wh,
        energy_wh=energy,
        last_meter_at=stop.stopped_at,
    )


async def _apply_stop(
    uow: UnitOfWork, transaction: Transaction, stop: TransactionStop, *, ended: bool
) -> None:
    state = _stopped_state(transaction.state, stop)
    _check_energy(stop.station_id, transaction.id, state)
    await save_state(uow, transaction.id, state)
    record_meter_samples(
        uow, stop.meter.samples, transaction_id=transaction.id, evse_id=state.evse_id
    )
    if ended:
        _emit_ended(uow, stop.station_id, transaction.id, state)
    else:
        uow.emit(TransactionUpdated(uow.now, transaction.id, stop.station_id, state.energy_wh))


def _stop_known(
    uow: UnitOfWork, stop: TransactionStop, transaction_id: int, old: TransactionState
) -> StopOutcome:
    # The caller's view holds it as active: no stop of it was stored (a stored stop would
    # have ended it), so it needs no look-up and its changes join the batch's executemany.
    state = _stopped_state(old, stop)
    _check_energy(stop.station_id, transaction_id, state)
    defer_state_while_active(uow, transaction_id, old, state)
    record_meter_samples(
        uow, stop.meter.samples, transaction_id=transaction_id, evse_id=state.evse_id
    )
    _emit_ended(uow, stop.station_id, transaction_id, state)
    return StopOutcome(transaction_id, str(stop.charger_transaction_id), StopMatch.BY_ID)


async def _record_unknown_stop(uow: UnitOfWork, stop: TransactionStop) -> StopOutcome:
    # PITFALLS #8: acknowledge and record. It started no later than its first sample.
    samples = stop.meter.samples
    started_at = min((s["timestamp"] for s in samples), default=stop.stopped_at)
    first = stop.meter.first_energy
    meter_start = first.wh if first is not None else None
    state = TransactionState(
        status=TransactionStatus.COMPLETED,
        started_at=min(started_at, stop.stopped_at),
        ended_at=stop.stopped_at,
        id_token=stop.id_token,
        stop_reason=stop.reason,
        meter_start_wh=meter_start,
        meter_stop_wh=stop.meter_stop_wh,
        energy_wh=stop.meter_stop_wh - meter_start if meter_start is not None else 0.0,
        last_meter_at=stop.stopped_at,
    )
    transaction_id = await insert_transaction(
        uow, stop.station_id, state, fingerprint=stop.fingerprint
    )
    log.warning(
        "transaction.stop.recorded_unknown",
        station_id=stop.station_id,
        charger_transaction_id=stop.charger_transaction_id,
        transaction_id=transaction_id,
    )
    _check_energy(stop.station_id, transaction_id, state)
    record_meter_samples(uow, samples, transaction_id=transaction_id)
    _emit_started(uow, stop.station_id, transaction_id, state)
    _emit_ended(uow, stop.station_id, transaction_id, state)
    return StopOutcome(transaction_id, str(transaction_id), StopMatch.RECORDED)


@dataclass(frozen=True, slots=True)
class MeterOutcome:
    """Where sampled values went: the transaction (if any) and, when the caller passed the
    transaction's state, that state after the readings."""

    transaction_id: int | None
    state: TransactionState | None = None


async def record_meter_values(
    uow: UnitOfWork,
    station_id: str,
    report: MeterReport,
    *,
    transaction_id: int | None = None,
    transaction_ref: str | None = None,
    known: TransactionState | None = None,
) -> MeterOutcome:
    """Store sampled values (deferred) and update the transaction's energy from them.

    `transaction_id` is given when the caller knows the transaction (an active one);
    `transaction_ref` when it must be looked up (a stopped or unknown one: PITFALLS #7 — the
    samples are stored either way, linked to the stopped transaction or to none).

    With `known`, the transaction's state as the caller last stored it (the connection's
    view), nothing is read: the energy is computed here and its update joins the batch's
    executemany, guarded as `apply_energy_reading` is.
    """
    if transaction_id is None and transaction_ref is not None:
        found = await find_transaction(uow.conn, station_id, transaction_ref)
        if found is None:
            log.warning(
                "meter_values.unknown_transaction", station_id=station_id, ref=transaction_ref
            )
        else:
            transaction_id = found.id
    record_meter_samples(uow, report.samples, transaction_id=transaction_id)
    touch_station(uow, station_id)
    reading = report.last_energy
    if transaction_id is None or reading is None:
        return MeterOutcome(transaction_id, known)
    if known is None:
        await _apply_energy(uow, station_id, transaction_id, reading)
        return MeterOutcome(transaction_id)
    state = apply_reading(known, reading)
    if state is None:
        return MeterOutcome(transaction_id, known)
    defer_energy_reading(uow, transaction_id, reading)
    uow.emit(TransactionUpdated(uow.now, transaction_id, station_id, state.energy_wh))
    return MeterOutcome(transaction_id, state)


async def _apply_energy(
    uow: UnitOfWork, station_id: str, transaction_id: int, reading: EnergyReading
) -> None:
    energy = await apply_energy_reading(uow, transaction_id, reading)
    if energy is not None:
        uow.emit(TransactionUpdated(uow.now, transaction_id, station_id, energy))


async def link_remote_start(
    uow: UnitOfWork,
    station_id: str,
    evse_id: int,
    id_token: str,
    *,
    command_id: str | None = None,
    remote_start_id: int | None = None,
    since: datetime | None = None,
) -> int | None:
    """Link the transaction a remote start caused to its command; return its id.

    OCPP 1.6 StartTransaction does not say it was remotely started: the transaction is the
    newest active, not yet linked one on that connector (EVSE) for that idTag, started no
    earlier than `since` (when the command was sent). None when there is no such one yet.
    """
    candidates = [
        tx
        for tx in await active_transactions(
            uow.conn, station_id, evse_id=evse_id, id_token=id_token
        )
        if tx.command_id is None and (since is None or tx.state.started_at >= since)
    ]
    if not candidates:
        return None
    transaction = candidates[-1]
    await set_remote_start(
        uow, transaction.id, command_id=command_id, remote_start_id=remote_start_id
    )
    log.info(
        "transaction.remote_start.linked",
        station_id=station_id,
        transaction_id=transaction.id,
        command_id=command_id,
    )
    return transaction.id


# --- helpers -------------------------------------------------------------------------------


def _check_energy(station_id: str, transaction_id: int, state: TransactionState) -> None:
    if state.energy_wh < 0:
        # A register that went backwards: a replaced meter or a charger bug. Kept as
        # reported (billing must look at it), but loudly.
        log.warning(
            "transaction.energy.negative",
            station_id=station_id,
            transaction_id=transaction_id,
            meter_start_wh=state.meter_start_wh,
            meter_stop_wh=state.meter_stop_wh,
        )


def _emit_started(
    uow: UnitOfWork, station_id: str, transaction_id: int, state: TransactionState
) -> None:
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


def _emit_ended(
    uow: UnitOfWork, station_id: str, transaction_id: int, state: TransactionState
) -> None:
    uow.emit(
        TransactionEnded(
            at=uow.now,
            transaction_id=transaction_id,
            station_id=station_id,
            energy_wh=state.energy_wh,
            stop_reason=state.stop_reason,
        )
    )
