"""The lean executemany path is taken for the hot statements and stores what SQLAlchemy's
path would store."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from shared.config import DatabaseSettings
from shared.domain.stations import ConnectorStatus
from shared.store.database import Database
from shared.store.fast_executemany import fast_statement
from shared.store.migrate import upgrade_database
from shared.store.stations import StatusReport, add_station, record_connector_status, touch_station
from shared.store.tables import cdrs, connectors, meter_values, ocpp_messages
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter


async def test_hot_statements_compile_to_the_fast_path(tmp_path: Path) -> None:
    db = Database(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'f.db'}"))
    now = datetime.now(UTC)
    frame = {
        "station_id": "S",
        "direction": "in",
        "message_type": 2,
        "message_id": "1",
        "action": "Heartbeat",
        "timestamp": now,
        "frame": "[]",
    }
    meter = {
        "station_id": "S",
        "evse_id": 1,
        "transaction_id": None,
        "timestamp": now,
        "measurand": "Voltage",
        "phase": "L1-N",
        "unit": "V",
        "context": None,
        "location": None,
        "value": 230.5,
    }
    try:
        dialect = db.engine.dialect
        assert fast_statement(insert(ocpp_messages), dialect, frame) is not None
        assert fast_statement(insert(meter_values), dialect, meter) is not None
    finally:
        await db.dispose()


async def test_fast_path_round_trips_types(tmp_path: Path) -> None:
    db = Database(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'f.db'}"))
    await upgrade_database(db)
    writer = BatchWriter(db, None)
    writer.start()
    stamp = datetime(2026, 11, 26, 10, 0, 0, 5, tzinfo=UTC)

    async def work(uow: UnitOfWork) -> None:
        await add_station(uow, "S")
        touch_station(uow, "S")
        report = StatusReport(
            "S", 1, 1, ConnectorStatus.OCCUPIED, "Charging", None, None, None, stamp
        )
        record_connector_status(uow, report, previous=None, evse_status=ConnectorStatus.OCCUPIED)
        uow.defer(
            insert(cdrs),
            {
                "id": "CDR1",
                "transaction_id": None,
                "station_id": "S",
                "transaction_ref": "1",
                "country_code": "SE",
                "party_id": "LDP",
                "start_date_time": stamp,
                "end_date_time": stamp,
                "total_energy_kwh": Decimal("12.3456"),
                "total_cost_excl_vat": Decimal("4.10"),
                "total_cost_incl_vat": None,
                "currency": "EUR",
                "credit": False,
                "credit_reference_id": None,
                "partner_id": None,
                "record": {"a": [1, 2]},
                "created_at": stamp,
                "last_updated": stamp,
            },
        )

    await writer.run(work)
    await writer.aclose()
    async with db.read() as conn:
        connector = (await conn.execute(select(connectors))).one()
        cdr = (await conn.execute(select(cdrs))).one()
    await db.dispose()
    assert connector.status == "Occupied"
    assert connector.status_at == stamp
    assert cdr.total_energy_kwh == Decimal("12.3456")
    assert cdr.record == {"a": [1, 2]}
    assert cdr.credit is False
    assert cdr.start_date_time == stamp
