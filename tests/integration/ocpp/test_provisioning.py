"""Boot, heartbeat and status over real sockets, both versions, stored in a real database."""

from __future__ import annotations

from sqlalchemy import select

from shared.config import DatabaseSettings
from shared.store.stations import get_station
from shared.store.tables import ocpp_messages
from tests.harness import node_settings, ocpp_client, open_database, running_node

BOOT_16 = {"chargePointVendor": "Acme", "chargePointModel": "AC-22", "firmwareVersion": "1.2"}
BOOT_201 = {
    "chargingStation": {"vendorName": "Acme", "model": "DC-50", "serialNumber": "S-1"},
    "reason": "PowerUp",
}


async def test_v16_boot_heartbeat_status_are_stored(db_settings: DatabaseSettings) -> None:
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, "CP-16", "1.6") as client,
    ):
        boot = await client.call("BootNotification", BOOT_16)
        assert boot[0] == 3
        assert boot[2]["status"] == "Accepted"
        assert boot[2]["interval"] == 300
        assert boot[2]["currentTime"].endswith("Z")
        beat = await client.call("Heartbeat", {})
        assert beat[0] == 3
        assert beat[2]["currentTime"].endswith("Z")
        status = await client.call(
            "StatusNotification",
            {"connectorId": 1, "errorCode": "NoError", "status": "Charging"},
        )
        assert status == [3, status[1], {}]
        whole = await client.call(
            "StatusNotification",
            {"connectorId": 0, "errorCode": "NoError", "status": "Available"},
        )
        assert whole[0] == 3
    async with open_database(db_settings) as conn:
        station = await get_station(conn, "CP-16")
        frames = (await conn.execute(select(ocpp_messages.c.direction))).all()
    assert station is not None
    assert station.vendor == "Acme"
    assert station.firmware_version == "1.2"
    assert station.ocpp_version == "1.6"
    assert not station.connected
    by_evse = {evse.evse_id: evse for evse in station.evses}
    assert by_evse[1].status.value == "Occupied"
    assert by_evse[1].connectors[0].ocpp_status == "Charging"
    assert by_evse[0].status.value == "Available"
    assert sum(1 for f in frames if f.direction == "in") == 4


async def test_v201_boot_and_status(db_settings: DatabaseSettings) -> None:
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, "CP-201", "2.0.1") as client,
    ):
        boot = await client.call("BootNotification", BOOT_201)
        assert boot[2]["status"] == "Accepted"
        status = await client.call(
            "StatusNotification",
            {
                "timestamp": "2026-11-26T10:00:00Z",
                "connectorStatus": "Occupied",
                "evseId": 2,
                "connectorId": 1,
            },
        )
        assert status[0] == 3
        async with node.database.read() as conn:
            station = await get_station(conn, "CP-201")
    assert station is not None
    assert station.connected
    assert station.ocpp_version == "2.0.1"
    assert station.serial_number == "S-1"
    assert [(e.evse_id, e.status.value) for e in station.evses] == [(2, "Occupied")]


async def test_pending_station_may_only_boot(db_settings: DatabaseSettings) -> None:
    settings = node_settings(db_settings, ocpp={"unknown_stations": "pending"})
    async with running_node(settings) as node, ocpp_client(node.ocpp_port, "NEW-1") as client:
        refused = await client.call("Heartbeat", {})
        assert refused[0] == 4
        assert refused[2] == "SecurityError"
        boot = await client.call("BootNotification", BOOT_16)
        assert boot[2]["status"] == "Pending"
        assert boot[2]["interval"] == settings.ocpp.boot_retry_interval
