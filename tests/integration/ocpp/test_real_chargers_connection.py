"""PITFALLS "Real chargers" at the connection level, with the exact frames such chargers send:
#3 a different subprotocol on each reconnect, #4 1.6 payloads on a 2.0.1 connection, #5 a
status errorCode outside the enum (lenient by default, refused for a strict station), #14
duplicate message ids, #15 a 100-sample MeterValues frame."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update

from shared.config import DatabaseSettings
from shared.store.stations import add_station, get_station
from shared.store.tables import meter_values, ocpp_messages, stations
from shared.store.uow import UnitOfWork
from tests.harness import node_settings, ocpp_client, open_database, running_node

BOOT_16 = {"chargePointVendor": "Acme", "chargePointModel": "AC"}
BOOT_201 = {"chargingStation": {"vendorName": "Acme", "model": "DC"}, "reason": "PowerUp"}


def _sqlite(tmp_path: Path) -> DatabaseSettings:
    return DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'rc.db'}")


async def test_3_subprotocol_changes_between_reconnects(tmp_path: Path) -> None:
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        async with ocpp_client(node.ocpp_port, "FLIP", "1.6") as client:
            assert (await client.call("BootNotification", BOOT_16))[2]["status"] == "Accepted"
        async with ocpp_client(node.ocpp_port, "FLIP", "2.0.1") as client:
            assert (await client.call("BootNotification", BOOT_201))[2]["status"] == "Accepted"
        async with node.database.read() as conn:
            station = await get_station(conn, "FLIP")
    assert station is not None
    assert station.ocpp_version == "2.0.1"


async def test_4_v16_payload_on_a_v201_connection(tmp_path: Path) -> None:
    async with (
        running_node(node_settings(_sqlite(tmp_path))) as node,
        ocpp_client(node.ocpp_port, "MIXED", "2.0.1") as client,
    ):
        await client.call("BootNotification", BOOT_201)
        answer = await client.call(
            "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
        )
        assert answer[0] == 4
        assert answer[2] == "OccurrenceConstraintViolation"
        assert "connectorStatus" in answer[3]
        wrong_shape = await client.call(
            "BootNotification", {"chargePointVendor": "Acme", "chargePointModel": "AC"}
        )
        assert wrong_shape[0] == 4
        # the connection stays usable
        assert (await client.call("Heartbeat", {}))[0] == 3


async def test_5_error_code_outside_the_enum(tmp_path: Path) -> None:
    status = {"connectorId": 1, "errorCode": "Error", "status": "Faulted", "info": "E-42"}
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        async with ocpp_client(node.ocpp_port, "LENIENT") as client:
            await client.call("BootNotification", BOOT_16)
            kept = await client.call("StatusNotification", status)
            assert kept[0] == 3
        async with node.database.read() as conn:
            station = await get_station(conn, "LENIENT")
        assert station is not None
        connector = station.evses[0].connectors[0]
        assert connector.status.value == "Faulted"
        assert connector.error_code == "Error"

        async def strict(uow: UnitOfWork) -> None:
            await add_station(uow, "STRICT")
            await uow.conn.execute(
                update(stations).where(stations.c.id == "STRICT").values(lenient=False)
            )

        await node.writer.run(strict)
        async with ocpp_client(node.ocpp_port, "STRICT") as client:
            await client.call("BootNotification", BOOT_16)
            refused = await client.call("StatusNotification", status)
            assert refused[0] == 4
            assert refused[2] == "PropertyConstraintViolation"


async def test_14_duplicate_message_id_answered_once_stored_once(tmp_path: Path) -> None:
    frame = (
        '[2,"dup-1","StatusNotification",{"connectorId":1,"errorCode":"NoError",'
        '"status":"Available"}]'
    )
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        async with ocpp_client(node.ocpp_port, "DUP") as client:
            await client.call("BootNotification", BOOT_16)
            await client.send_raw(frame)
            first = await client.recv()
            await client.send_raw(frame)
            second = await client.recv()
            assert first == second
            assert first[0] == 3
    async with open_database(_sqlite(tmp_path)) as conn:
        stored = (
            await conn.execute(
                select(func.count())
                .select_from(ocpp_messages)
                .where(ocpp_messages.c.message_id == "dup-1", ocpp_messages.c.direction == "in")
            )
        ).scalar_one()
    assert stored == 1


async def test_15_a_100_sample_meter_values_frame(tmp_path: Path) -> None:
    samples = [
        {
            "timestamp": f"2026-11-26T10:{n // 60:02d}:{n % 60:02d}Z",
            "sampledValue": [
                {
                    "value": f"{1000 + n}.5",
                    "measurand": "Energy.Active.Import.Register",
                    "unit": "Wh",
                }
            ],
        }
        for n in range(100)
    ]
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        async with ocpp_client(node.ocpp_port, "BIGMV") as client:
            await client.call("BootNotification", BOOT_16)
            answer = await client.call("MeterValues", {"connectorId": 1, "meterValue": samples})
            assert answer[0] == 3
    async with open_database(_sqlite(tmp_path)) as conn:
        values = (await conn.execute(select(meter_values.c.value))).scalars().all()
    assert len(values) == 100
    assert max(values) == 1099.5


async def test_6_meter_values_sent_again_after_a_reconnect_are_stored_once(
    tmp_path: Path,
) -> None:
    payload = {
        "connectorId": 1,
        "meterValue": [
            {
                "timestamp": "2026-11-26T10:00:00Z",
                "sampledValue": [
                    {"value": "1234.5", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
                ],
            }
        ],
    }
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        async with ocpp_client(node.ocpp_port, "AGAIN") as client:
            await client.call("BootNotification", BOOT_16)
            assert (await client.call("MeterValues", payload))[0] == 3
        # the answer "got lost": the charger reconnects and sends it again, new message id
        async with ocpp_client(node.ocpp_port, "AGAIN") as client:
            client._ids = iter(range(100, 200))  # type: ignore[assignment]
            assert (await client.call("MeterValues", payload))[2] == {}
            later = dict(
                payload,
                meterValue=[dict(payload["meterValue"][0], timestamp="2026-11-26T10:01:00Z")],
            )
            assert (await client.call("MeterValues", later))[0] == 3
    async with open_database(_sqlite(tmp_path)) as conn:
        values = (await conn.execute(select(meter_values.c.timestamp))).scalars().all()
    assert len(values) == 2
