"""The transaction repository on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.transactions import (
    EnergyReading,
    TransactionEventReport,
    TransactionEventType,
    TransactionState,
    TransactionStatus,
)
from shared.store.database import Database
from shared.store.transactions import (
    TransactionAuthorization,
    apply_energy_reading,
    find_by_remote_start,
    find_transaction,
    get_transaction,
    insert_event,
    insert_transaction,
    load_events,
    save_state,
    set_authorization,
)
from shared.store.uow import UnitOfWork

AT = datetime(2026, 11, 26, 10, 0, 0, 123000, tzinfo=UTC)

FULL_STATE = TransactionState(
    status=TransactionStatus.COMPLETED,
    started_at=AT,
    last_seq_no=4,
    ended_at=AT + timedelta(hours=1),
    evse_id=2,
    connector_id=1,
    id_token="TAG-1",
    id_token_type="ISO14443",
    charging_state="EVConnected",
    stop_reason="EVDisconnected",
    remote_start_id=77,
    reservation_id=5,
    meter_start_wh=1000.125,
    meter_stop_wh=12345.678,
    energy_wh=11345.553,
    last_meter_at=AT + timedelta(minutes=59),
    offline=True,
)


async def test_state_round_trips_exactly(database: Database) -> None:
    async with database.begin() as conn:
        uow = UnitOfWork(conn, None)
        tx_id = await insert_transaction(
            uow,
            "CS",
            FULL_STATE,
            transaction_ref="abc-1",
            authorization=TransactionAuthorization(group_id="G", partner_id=None),
        )
        v16_id = await insert_transaction(uow, "CP", FULL_STATE, fingerprint="f" * 64)
        await uow.flush()  # the 1.6 ref (our id) is written with the deferred rows
    async with database.read() as conn:
        stored = await get_transaction(conn, tx_id)
        v16 = await find_transaction(conn, "CP", str(v16_id))
        by_remote = await find_by_remote_start(conn, "CS", 77)
    assert stored is not None
    assert v16 is not None
    assert by_remote is not None
    assert stored.state == FULL_STATE
    assert (stored.transaction_ref, stored.group_id) == ("abc-1", "G")
    assert v16.transaction_ref == str(v16_id)  # 1.6: the charger knows it by our id
    assert by_remote.id == tx_id


async def test_events_are_stored_once_and_read_back(database: Database) -> None:
    event = TransactionEventReport(
        transaction_ref="T",
        seq_no=3,
        event_type=TransactionEventType.UPDATED,
        timestamp=AT,
        trigger_reason="MeterValuePeriodic",
        offline=True,
        charging_state="Charging",
        id_token="TAG",
        id_token_type="eMAID",
        evse_id=1,
        connector_id=1,
        first_energy=EnergyReading(1.5, AT),
        last_energy=EnergyReading(2.75, AT + timedelta(seconds=30)),
    )
    async with database.begin() as conn:
        uow = UnitOfWork(conn, None)
        state = TransactionState(status=TransactionStatus.ACTIVE, started_at=AT)
        tx_id = await insert_transaction(uow, "CS", state, transaction_ref="T")
        assert await insert_event(uow, tx_id, event)
        assert not await insert_event(uow, tx_id, event)
        assert await load_events(conn, tx_id, "T") == [event]


async def test_energy_readings_only_move_forward(database: Database) -> None:
    async with database.begin() as conn:
        uow = UnitOfWork(conn, None)
        state = TransactionState(
            status=TransactionStatus.ACTIVE, started_at=AT, meter_start_wh=100.0
        )
        tx_id = await insert_transaction(uow, "CP", state)
        later = EnergyReading(350.5, AT + timedelta(minutes=10))
        assert await apply_energy_reading(uow, tx_id, later) == 250.5
        older = EnergyReading(200.0, AT + timedelta(minutes=5))
        assert await apply_energy_reading(uow, tx_id, older) is None
        await set_authorization(uow, tx_id, TransactionAuthorization(group_id="FIRST"))
        await set_authorization(uow, tx_id, TransactionAuthorization(group_id="SECOND"))
        await save_state(uow, tx_id, TransactionState(TransactionStatus.COMPLETED, AT))
        assert (
            await apply_energy_reading(uow, tx_id, EnergyReading(999.0, AT + timedelta(hours=1)))
            is None
        )
        stored = await get_transaction(conn, tx_id)
    assert stored is not None
    assert stored.group_id == "FIRST"
    assert stored.state.status is TransactionStatus.COMPLETED
