"""Transactions and their 2.0.1 events: the repository functions the use cases build on.

Rows become `Transaction` / `TransactionState` / `TransactionEventReport` here and nowhere
else. Reads take an `AsyncConnection`; writes take the `UnitOfWork` they belong to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Insert,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.transactions import (
    EnergyReading,
    Transaction,
    TransactionEventReport,
    TransactionEventType,
    TransactionState,
    TransactionStatus,
)
from shared.store.tables import transaction_events, transactions
from shared.store.types import UtcDateTime
from shared.store.uow import UnitOfWork
from shared.store.upsert import insert_ignore

__all__ = [
    "TransactionAuthorization",
    "active_transactions",
    "apply_energy_reading",
    "defer_energy_reading",
    "defer_event",
    "defer_folded_state",
    "defer_state_while_active",
    "find_by_fingerprint",
    "find_by_remote_start",
    "find_completed",
    "find_transaction",
    "get_transaction",
    "insert_event",
    "insert_transaction",
    "list_transactions",
    "load_events",
    "save_state",
    "set_authorization",
    "set_remote_start",
    "state_values",
]

_ACTIVE = TransactionStatus.ACTIVE.value


def state_values(state: TransactionState) -> dict[str, Any]:
    """The row columns that hold `state`."""
    return {
        "status": state.status.value,
        "started_at": state.started_at,
        "last_seq_no": state.last_seq_no,
        "ended_at": state.ended_at,
        "evse_id": state.evse_id,
        "connector_id": state.connector_id,
        "id_token": state.id_token,
        "id_token_type": state.id_token_type,
        "charging_state": state.charging_state,
        "stop_reason": state.stop_reason,
        "remote_start_id": state.remote_start_id,
        "reservation_id": state.reservation_id,
        "meter_start_wh": state.meter_start_wh,
        "meter_stop_wh": state.meter_stop_wh,
        "energy_wh": state.energy_wh,
        "last_meter_at": state.last_meter_at,
        "offline": state.offline,
    }


# Any state: its keys name the state columns (for statements built once).
_SAMPLE_STATE = TransactionState(status=TransactionStatus.ACTIVE, started_at=datetime.min)


def _state(row: Row[Any]) -> TransactionState:
    return TransactionState(
        status=TransactionStatus(row.status),
        started_at=row.started_at,
        last_seq_no=row.last_seq_no,
        ended_at=row.ended_at,
        evse_id=row.evse_id,
        connector_id=row.connector_id,
        id_token=row.id_token,
        id_token_type=row.id_token_type,
        charging_state=row.charging_state,
        stop_reason=row.stop_reason,
        remote_start_id=row.remote_start_id,
        reservation_id=row.reservation_id,
        meter_start_wh=row.meter_start_wh,
        meter_stop_wh=row.meter_stop_wh,
        energy_wh=row.energy_wh,
        last_meter_at=row.last_meter_at,
        offline=row.offline,
    )


def _transaction(row: Row[Any]) -> Transaction:
    return Transaction(
        id=row.id,
        station_id=row.station_id,
        transaction_ref=row.transaction_ref,
        state=_state(row),
        group_id=row.group_id,
        partner_id=row.partner_id,
        authorization_reference=row.authorization_reference,
        command_id=row.command_id,
        created_at=row.created_at,
        last_updated=row.last_updated,
    )


# Statements are built once, here, with bind parameters: building a SELECT per call and
# computing its cache key costs SQLAlchemy about twice what executing it does.
_BY_ID = select(transactions).where(transactions.c.id == bindparam("tx_id"))
_BY_REF = select(transactions).where(
    transactions.c.station_id == bindparam("sid"),
    transactions.c.transaction_ref == bindparam("ref"),
)
_BY_FINGERPRINT = select(transactions).where(
    transactions.c.station_id == bindparam("sid"),
    transactions.c.start_fingerprint == bindparam("fingerprint"),
)
_COMPLETED = (
    select(transactions)
    .where(
        transactions.c.station_id == bindparam("sid"),
        transactions.c.status == TransactionStatus.COMPLETED.value,
        transactions.c.ended_at == bindparam("ended_at", type_=UtcDateTime()),
        transactions.c.meter_stop_wh == bindparam("meter_stop", type_=Float()),
    )
    .order_by(transactions.c.id.desc())
    .limit(1)
)
_BY_REMOTE_START = (
    select(transactions)
    .where(
        transactions.c.station_id == bindparam("sid"),
        transactions.c.remote_start_id == bindparam("remote_start_id"),
    )
    .order_by(transactions.c.id.desc())
    .limit(1)
)


def _active_query(by_evse: bool, by_token: bool) -> Select[Any]:
    query = select(transactions).where(
        transactions.c.station_id == bindparam("sid"), transactions.c.status == _ACTIVE
    )
    if by_evse:
        query = query.where(transactions.c.evse_id == bindparam("evse_id"))
    if by_token:
        query = query.where(transactions.c.id_token == bindparam("id_token"))
    return query.order_by(transactions.c.started_at, transactions.c.id)


_ACTIVE_QUERIES = {
    (by_evse, by_token): _active_query(by_evse, by_token)
    for by_evse in (False, True)
    for by_token in (False, True)
}


async def _one(
    conn: AsyncConnection, query: Select[Any], params: dict[str, Any]
) -> Transaction | None:
    row = (await conn.execute(query, params)).first()
    return _transaction(row) if row is not None else None


async def get_transaction(conn: AsyncConnection, transaction_id: int) -> Transaction | None:
    """The transaction with our id `transaction_id`, or None."""
    return await _one(conn, _BY_ID, {"tx_id": transaction_id})


async def find_transaction(
    conn: AsyncConnection, station_id: str, transaction_ref: str
) -> Transaction | None:
    """The station's transaction known to the charger as `transaction_ref`, or None."""
    return await _one(conn, _BY_REF, {"sid": station_id, "ref": transaction_ref})


async def find_by_fingerprint(
    conn: AsyncConnection, station_id: str, fingerprint: str
) -> Transaction | None:
    """The station's transaction recorded from a message with this fingerprint, or None."""
    return await _one(conn, _BY_FINGERPRINT, {"sid": station_id, "fingerprint": fingerprint})


async def find_completed(
    conn: AsyncConnection, station_id: str, *, ended_at: datetime, meter_stop_wh: float
) -> Transaction | None:
    """The station's completed transaction that ended at `ended_at` with that meter stop."""
    params = {"sid": station_id, "ended_at": ended_at, "meter_stop": meter_stop_wh}
    return await _one(conn, _COMPLETED, params)


async def find_by_remote_start(
    conn: AsyncConnection, station_id: str, remote_start_id: int
) -> Transaction | None:
    """The station's newest transaction that carries 2.0.1 `remoteStartId`, or None."""
    params = {"sid": station_id, "remote_start_id": remote_start_id}
    return await _one(conn, _BY_REMOTE_START, params)


async def active_transactions(
    conn: AsyncConnection,
    station_id: str,
    *,
    evse_id: int | None = None,
    id_token: str | None = None,
) -> list[Transaction]:
    """The station's active transactions (optionally on one EVSE / for one token), oldest
    first."""
    query = _ACTIVE_QUERIES[(evse_id is not None, id_token is not None)]
    params = {"sid": station_id, "evse_id": evse_id, "id_token": id_token}
    rows = await conn.execute(query, params)
    return [_transaction(row) for row in rows]


async def list_transactions(
    conn: AsyncConnection, *, station_id: str | None = None, active_only: bool = False
) -> list[Transaction]:
    """Transactions, newest first (all stations unless `station_id` is given)."""
    query = select(transactions)
    if station_id is not None:
        query = query.where(transactions.c.station_id == station_id)
    if active_only:
        query = query.where(transactions.c.status == _ACTIVE)
    rows = await conn.execute(query.order_by(transactions.c.id.desc()))
    return [_transaction(row) for row in rows]


@dataclass(frozen=True, slots=True)
class TransactionAuthorization:
    """Who authorised a transaction, as the authorizer said (stored with it)."""

    group_id: str | None = None
    partner_id: int | None = None
    authorization_reference: str | None = None


_INSERT_RETURNING_ID = insert(transactions).returning(transactions.c.id)
_SET_REF = (
    update(transactions)
    .where(transactions.c.id == bindparam("tx_id"))
    .values(transaction_ref=bindparam("ref"))
)


async def insert_transaction(
    uow: UnitOfWork,
    station_id: str,
    state: TransactionState,
    *,
    transaction_ref: str | None = None,
    fingerprint: str | None = None,
    authorization: TransactionAuthorization | None = None,
) -> int:
    """Store a new transaction and return its id.

    Without `transaction_ref` the charger knows it by our id (OCPP 1.6: the database
    allocates transactionId), so the reference becomes `str(id)`.
    """
    auth = authorization or TransactionAuthorization()
    values = state_values(state) | {
        "station_id": station_id,
        # Unique per station until replaced by str(id) just below.
        "transaction_ref": transaction_ref or f"#{uuid.uuid4().hex}",
        "start_fingerprint": fingerprint,
        "group_id": auth.group_id,
        "partner_id": auth.partner_id,
        "authorization_reference": auth.authorization_reference,
        "created_at": uow.now,
        "last_updated": uow.now,
    }
    transaction_id: int = (await uow.conn.execute(_INSERT_RETURNING_ID, values)).scalar_one()
    if transaction_ref is None:
        # With the batch's executemany: until the flush the row keeps its unique
        # placeholder, and nothing reads a 1.6 transaction by its ref before the answer.
        uow.defer(_SET_REF, {"tx_id": transaction_id, "ref": str(transaction_id)})
    return transaction_id


_SAVE_STATE = (
    update(transactions)
    .where(transactions.c.id == bindparam("tx_id"))
    .values(
        {
            **{key: bindparam(f"p_{key}") for key in state_values(_SAMPLE_STATE)},
            "last_updated": bindparam("now"),
        }
    )
)


async def save_state(uow: UnitOfWork, transaction_id: int, state: TransactionState) -> None:
    """Overwrite the transaction's state columns."""
    params = {f"p_{key}": value for key, value in state_values(state).items()}
    await uow.conn.execute(_SAVE_STATE, params | {"tx_id": transaction_id, "now": uow.now})


_SET_AUTHORIZATION = (
    update(transactions)
    .where(transactions.c.id == bindparam("tx_id"))
    .values(
        group_id=func.coalesce(transactions.c.group_id, bindparam("group_id", type_=String())),
        partner_id=func.coalesce(
            transactions.c.partner_id, bindparam("partner_id", type_=Integer())
        ),
        authorization_reference=func.coalesce(
            transactions.c.authorization_reference, bindparam("reference", type_=String())
        ),
    )
)


async def set_authorization(
    uow: UnitOfWork, transaction_id: int, authorization: TransactionAuthorization
) -> None:
    """Fill in who authorised the transaction, keeping what is already known."""
    await uow.conn.execute(
        _SET_AUTHORIZATION,
        {
            "tx_id": transaction_id,
            "group_id": authorization.group_id,
            "partner_id": authorization.partner_id,
            "reference": authorization.authorization_reference,
        },
    )


async def set_remote_start(
    uow: UnitOfWork,
    transaction_id: int,
    *,
    command_id: str | None,
    remote_start_id: int | None,
) -> None:
    """Link a transaction to the remote start command that caused it."""
    values: dict[str, Any] = {"last_updated": uow.now}
    if command_id is not None:
        values["command_id"] = command_id
    if remote_start_id is not None:
        values["remote_start_id"] = remote_start_id
    await uow.conn.execute(
        update(transactions).where(transactions.c.id == transaction_id).values(**values)
    )


# The reading only counts when it is not older than the last one applied (offline replays
# deliver old MeterValues after newer ones).
_AT = bindparam("at", type_=UtcDateTime())
_WH = bindparam("wh", type_=Float())
_APPLY_ENERGY = (
    update(transactions)
    .where(
        and_(
            transactions.c.id == bindparam("tx_id"),
            transactions.c.status == _ACTIVE,
            (transactions.c.last_meter_at.is_(None)) | (transactions.c.last_meter_at <= _AT),
        )
    )
    .values(
        energy_wh=_WH - func.coalesce(transactions.c.meter_start_wh, _WH),
        last_meter_at=_AT,
        last_updated=bindparam("now"),
    )
    .returning(transactions.c.energy_wh)
)


# The same change, queued for the batch's executemany when the caller knows the transaction
# (the connection's view): nothing comes back, the caller computes the energy itself.
_DEFER_ENERGY = (
    update(transactions)
    .where(
        and_(
            transactions.c.id == bindparam("tx_id"),
            transactions.c.status == _ACTIVE,
            (transactions.c.last_meter_at.is_(None)) | (transactions.c.last_meter_at <= _AT),
        )
    )
    .values(
        energy_wh=_WH - func.coalesce(transactions.c.meter_start_wh, _WH),
        last_meter_at=_AT,
        last_updated=bindparam("now"),
    )
)


def defer_energy_reading(uow: UnitOfWork, transaction_id: int, reading: EnergyReading) -> None:
    """`apply_energy_reading`, deferred to the batch's executemany (with the same guards)."""
    uow.defer(
        _DEFER_ENERGY,
        {"tx_id": transaction_id, "wh": reading.wh, "at": reading.at, "now": uow.now},
    )


async def apply_energy_reading(
    uow: UnitOfWork, transaction_id: int, reading: EnergyReading
) -> float | None:
    """Set an active transaction's energy from a register reading; the new energy in Wh, or
    None when the transaction is not active or already has a newer reading."""
    row = (
        await uow.conn.execute(
            _APPLY_ENERGY,
            {"tx_id": transaction_id, "wh": reading.wh, "at": reading.at, "now": uow.now},
        )
    ).first()
    return None if row is None else float(row.energy_wh)


# --- 2.0.1 transaction events --------------------------------------------------------------

_event_inserts: dict[str, Insert] = {}


def _insert_event_statement(dialect: str) -> Insert:
    statement = _event_inserts.get(dialect)
    if statement is None:
        statement = insert_ignore(dialect, transaction_events, ["transaction_id", "seq_no"])
        statement = statement.returning(transaction_events.c.id)
        _event_inserts[dialect] = statement
    return statement


def _reading(reading: EnergyReading | None) -> list[Any] | None:
    return None if reading is None else [reading.wh, reading.at.isoformat()]


def _read_reading(value: Any) -> EnergyReading | None:
    if not value:
        return None
    return EnergyReading(wh=float(value[0]), at=datetime.fromisoformat(value[1]))


def _event_row(
    uow: UnitOfWork, transaction_id: int, event: TransactionEventReport
) -> dict[str, Any]:
    data = {
        "charging_state": event.charging_state,
        "stopped_reason": event.stopped_reason,
        "remote_start_id": event.remote_start_id,
        "id_token": event.id_token,
        "id_token_type": event.id_token_type,
        "evse_id": event.evse_id,
        "connector_id": event.connector_id,
        "reservation_id": event.reservation_id,
        "first_energy": _reading(event.first_energy),
        "last_energy": _reading(event.last_energy),
    }
    return {
        "transaction_id": transaction_id,
        "seq_no": event.seq_no,
        "event_type": event.event_type.value,
        "timestamp": event.timestamp,
        "trigger_reason": event.trigger_reason,
        "offline": event.offline,
        "data": data,
        "received_at": uow.now,
    }


async def insert_event(uow: UnitOfWork, transaction_id: int, event: TransactionEventReport) -> bool:
    """Store one event of the transaction; False if its seqNo is already stored."""
    row = (
        await uow.conn.execute(
            _insert_event_statement(uow.conn.dialect.name),
            _event_row(uow, transaction_id, event),
        )
    ).first()
    return row is not None


def defer_event(uow: UnitOfWork, transaction_id: int, event: TransactionEventReport) -> None:
    """Store one event of the transaction with the batch's executemany. For an event the
    caller knows to be new (its seqNo is above every stored one); one that is stored after
    all is ignored, never stored twice."""
    statement = insert_ignore(
        uow.conn.dialect.name, transaction_events, ["transaction_id", "seq_no"]
    )
    uow.defer(statement, _event_row(uow, transaction_id, event))


_STATE_UPDATES: dict[tuple[tuple[str, ...], str], Any] = {}


def _state_update(columns: tuple[str, ...], guard: str) -> Any:
    statement = _STATE_UPDATES.get((columns, guard))
    if statement is None:
        seq = transactions.c.last_seq_no
        condition: ColumnElement[bool] = (
            seq.is_(None) | (seq < bindparam("seq", type_=Integer()))
            if guard == "seq"
            else transactions.c.status == _ACTIVE
        )
        statement = (
            update(transactions)
            .where(transactions.c.id == bindparam("tx_id"), condition)
            .values(
                {
                    **{key: bindparam(f"p_{key}") for key in columns},
                    "last_updated": bindparam("now"),
                }
            )
        )
        _STATE_UPDATES[(columns, guard)] = statement
    return statement


def _defer_changes(
    uow: UnitOfWork,
    transaction_id: int,
    old: TransactionState,
    new: TransactionState,
    guard: str,
) -> None:
    before = state_values(old)
    changed = {key: value for key, value in state_values(new).items() if before[key] != value}
    params = {f"p_{key}": value for key, value in changed.items()}
    uow.defer(
        _state_update(tuple(changed), guard),
        params | {"tx_id": transaction_id, "seq": new.last_seq_no, "now": uow.now},
    )


def defer_folded_state(
    uow: UnitOfWork, transaction_id: int, old: TransactionState, new: TransactionState
) -> None:
    """Write the state columns that `new` changed from `old`, with the batch's executemany.

    Only the changed columns are written, so what others set meanwhile (a remote start
    link) stays; and only while the stored state is older than `new` (its last seqNo is
    lower), so a connection with a stale picture can never move a transaction back.
    """
    _defer_changes(uow, transaction_id, old, new, "seq")


def defer_state_while_active(
    uow: UnitOfWork, transaction_id: int, old: TransactionState, new: TransactionState
) -> None:
    """Write the state columns that `new` changed from `old` (a 1.6 stop of a transaction the
    caller knows is active), with the batch's executemany, only while it is still active."""
    _defer_changes(uow, transaction_id, old, new, "active")


_EVENTS = (
    select(transaction_events)
    .where(transaction_events.c.transaction_id == bindparam("tx_id"))
    .order_by(transaction_events.c.seq_no)
)


async def load_events(
    conn: AsyncConnection, transaction_id: int, transaction_ref: str
) -> list[TransactionEventReport]:
    """Every stored event of the transaction, in seqNo order."""
    rows = await conn.execute(_EVENTS, {"tx_id": transaction_id})
    events = []
    for row in rows:
        data = row.data
        events.append(
            TransactionEventReport(
                transaction_ref=transaction_ref,
                seq_no=row.seq_no,
                event_type=TransactionEventType(row.event_type),
                timestamp=row.timestamp,
                trigger_reason=row.trigger_reason,
                offline=row.offline,
                charging_state=data.get("charging_state"),
                stopped_reason=data.get("stopped_reason"),
                remote_start_id=data.get("remote_start_id"),
                id_token=data.get("id_token"),
                id_token_type=data.get("id_token_type"),
                evse_id=data.get("evse_id") or 0,
                connector_id=data.get("connector_id") or 0,
                reservation_id=data.get("reservation_id"),
                first_energy=_read_reading(data.get("first_energy")),
                last_energy=_read_reading(data.get("last_energy")),
            )
        )
    return events
