"""Nothing acknowledged is lost: `kill -9` the server right after its answers, restart it,
and every station, transaction and meter value it acknowledged is still there."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.config import DatabaseSettings
from shared.store.tables import meter_values, stations, transactions
from tests.conftest import drop_schema, make_database_settings
from tests.e2e.conftest import serve_process
from tests.harness import ocpp_client, open_database

pytestmark = pytest.mark.e2e


def _db_env(settings: DatabaseSettings) -> dict[str, str]:
    env = {"CSMS_DATABASE__URL": settings.url}
    if settings.schema_name:
        env["CSMS_DATABASE__SCHEMA_NAME"] = settings.schema_name
    return env


async def _charge(port: int, station_id: str, samples: int) -> int:
    """Boot, start, send meter values; return the transaction id the server acknowledged."""
    async with ocpp_client(port, station_id, "1.6") as client:
        boot = await client.call(
            "BootNotification", {"chargePointVendor": "Acme", "chargePointModel": "X"}
        )
        assert boot[2]["status"] == "Accepted"
        start = await client.call(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": "CRASH-TAG",
                "meterStart": 1000,
                "timestamp": "2026-11-26T10:00:00Z",
            },
        )
        assert start[0] == 3
        tx = int(start[2]["transactionId"])
        for n in range(samples):
            answer = await client.call(
                "MeterValues",
                {
                    "connectorId": 1,
                    "transactionId": tx,
                    "meterValue": [
                        {
                            "timestamp": f"2026-11-26T10:{n // 60:02d}:{n % 60:02d}Z",
                            "sampledValue": [
                                {
                                    "value": str(1000 + 10 * n),
                                    "measurand": "Energy.Active.Import.Register",
                                    "unit": "Wh",
                                },
                                {"value": "7400", "measurand": "Power.Active.Import", "unit": "W"},
                            ],
                        }
                    ],
                },
            )
            assert answer[0] == 3
        return tx


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_acknowledged_facts_survive_kill_9(kind: str, tmp_path: Path) -> None:
    settings, schema = await make_database_settings(kind, tmp_path)
    try:
        with serve_process(tmp_path, _db_env(settings)) as server:
            tx = await _charge(server.ocpp_port, "CRASH-1", samples=40)
            server.kill9()  # no shutdown, no final commit: only what was acknowledged
        async with open_database(settings) as conn:
            assert (
                await conn.execute(select(func.count()).select_from(stations))
            ).scalar_one() == 1
            row = (await conn.execute(select(transactions).where(transactions.c.id == tx))).one()
            assert row.status == "active"
            assert row.id_token == "CRASH-TAG"
            stored = (
                await conn.execute(
                    select(func.count())
                    .select_from(meter_values)
                    .where(meter_values.c.transaction_id == tx)
                )
            ).scalar_one()
        assert stored == 80  # 40 messages x 2 sampled values, every one acknowledged
        with serve_process(tmp_path, _db_env(settings)) as server:
            async with ocpp_client(server.ocpp_port, "CRASH-1", "1.6") as client:
                stop = await client.call(
                    "StopTransaction",
                    {"transactionId": tx, "meterStop": 1400, "timestamp": "2026-11-26T11:00:00Z"},
                )
                assert stop[0] == 3
        async with open_database(settings) as conn:
            row = (await conn.execute(select(transactions).where(transactions.c.id == tx))).one()
        assert row.status == "completed"
        assert row.energy_wh == 400
    finally:
        await drop_schema(schema)
