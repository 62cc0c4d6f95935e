"""What answers change in the store: the device model, charging profiles, reservations,
the local list, and the link from a remote start to the transaction it caused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from cli.node import Node
from shared.authorization import AuthorizationStatus, IdToken
from shared.domain.commands import (
    CancelReservation,
    ClearChargingProfile,
    CommandStatus,
    GetConfiguration,
    LocalListEntry,
    ReserveNow,
    SendLocalList,
    SetChargingLimit,
    SetConfiguration,
    StartCharging,
)
from shared.store.device_model import VariableAddress, get_configuration_keys, get_variable
from shared.store.tables import (
    charging_profiles,
    local_list_entries,
    local_lists,
    reservations,
    transactions,
)
from tests.integration.commands.charger import Hold, Reply, connected_charger

NOW = datetime.now(UTC).replace(microsecond=0)


async def rows(node: Node, table: Any, **where: object) -> list[Any]:
    async with node.database.read() as conn:
        query = select(table).where(*(table.c[key] == value for key, value in where.items()))
        return list((await conn.execute(query)).all())


async def test_v16_configuration_lands_in_the_device_model(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-DM", "1.6") as charger:
        charger.answers["GetConfiguration"] = Reply(
            {
                "configurationKey": [
                    {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                    # A non-string value (PITFALLS "Real chargers" #5) is kept as text.
                    {"key": "NumberOfConnectors", "readonly": True, "value": 2},
                ],
                "unknownKey": ["Nope"],
            }
        )
        read = await node.commands.execute("CP-DM", GetConfiguration(), "test")
        changed = await node.commands.execute(
            "CP-DM", SetConfiguration("HeartbeatInterval", "60"), "test"
        )
    assert (read.status, changed.status) == (CommandStatus.ACCEPTED, CommandStatus.ACCEPTED)
    async with node.database.read() as conn:
        keys = await get_configuration_keys(conn, "CP-DM")
    assert [(k.key, k.value, k.readonly) for k in keys] == [
        ("HeartbeatInterval", "60", False),
        ("NumberOfConnectors", "2", True),
    ]


async def test_v201_variables_land_in_the_device_model(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-DM2", "2.0.1") as charger:
        charger.answers["GetVariables"] = Reply(
            {
                "getVariableResult": [
                    {
                        "attributeStatus": "Accepted",
                        "attributeValue": "30",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                    },
                    {
                        "attributeStatus": "Accepted",
                        "attributeType": "MaxSet",
                        "attributeValue": "22000",
                        "component": {"name": "EVSE", "evse": {"id": 1}},
                        "variable": {"name": "Power"},
                    },
                ]
            }
        )
        keys = ("OCPPCommCtrlr.HeartbeatInterval", "EVSE@1.Power/MaxSet")
        read = await node.commands.execute("CP-DM2", GetConfiguration(keys), "test")
        charger.answers["SetVariables"] = Reply(
            {
                "setVariableResult": [
                    {
                        "attributeStatus": "Rejected",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                    }
                ]
            }
        )
        refused = await node.commands.execute(
            "CP-DM2", SetConfiguration("OCPPCommCtrlr.HeartbeatInterval", "5"), "test"
        )
    assert read.status is CommandStatus.ACCEPTED
    assert refused.status is CommandStatus.REJECTED
    async with node.database.read() as conn:
        heartbeat = await get_variable(
            conn, "CP-DM2", VariableAddress("OCPPCommCtrlr", "HeartbeatInterval")
        )
        power = await get_variable(
            conn, "CP-DM2", VariableAddress("EVSE", "Power", evse_id=1, attribute_type="MaxSet")
        )
    assert heartbeat is not None
    assert heartbeat.value == "30"
    assert power is not None
    assert power.value == "22000"


async def test_a_new_limit_replaces_the_last_one(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-LIM", "1.6") as charger:
        first = await node.commands.execute("CP-LIM", SetChargingLimit(1, 7400), "loadmgmt")
        second = await node.commands.execute("CP-LIM", SetChargingLimit(1, 3700), "loadmgmt")
        charger.answers["SetChargingProfile"] = Reply({"status": "Rejected"})
        other = await node.commands.execute("CP-LIM", SetChargingLimit(2, 1000), "loadmgmt")
        charger.answers["ClearChargingProfile"] = Reply({"status": "Accepted"})
        await node.commands.execute("CP-LIM", ClearChargingProfile(evse_id=1), "loadmgmt")
    sent = [call.payload for call in charger.received if call.action == "SetChargingProfile"]
    ids = [payload["csChargingProfiles"]["chargingProfileId"] for payload in sent]
    assert ids[0] == ids[1] != ids[2]  # same EVSE, purpose and stack level: same profile id
    assert first.request.profile_id == ids[0]  # type: ignore[attr-defined]
    assert second.request.profile_id == ids[0]  # type: ignore[attr-defined]
    assert other.status is CommandStatus.REJECTED
    stored = {row.id: row for row in await rows(node, charging_profiles, station_id="CP-LIM")}
    assert stored[ids[0]].status == "cleared"
    assert stored[ids[0]].schedule["schedule"]["periods"][0]["limit"] == 3700
    assert stored[ids[2]].status == "rejected"
    assert stored[ids[0]].source == "loadmgmt"


async def test_reservation_rows_follow_the_answers(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-RES", "2.0.1"):
        made = await node.commands.execute(
            "CP-RES", ReserveNow(IdToken("TAG-9"), NOW + timedelta(minutes=30), evse_id=1), "test"
        )
        reservation_id = made.request.reservation_id  # type: ignore[attr-defined]
        assert (await rows(node, reservations, id=reservation_id))[0].status == "active"
        await node.commands.execute("CP-RES", CancelReservation(reservation_id), "test")
    [row] = await rows(node, reservations, station_id="CP-RES")
    assert (row.id, row.status, row.id_token, row.evse_id) == (
        reservation_id,
        "cancelled",
        "TAG-9",
        1,
    )


async def test_the_local_list_is_recorded_when_accepted(node: Node) -> None:
    full = SendLocalList(
        5,
        (
            LocalListEntry(IdToken("A")),
            LocalListEntry(IdToken("B"), AuthorizationStatus.BLOCKED, expiry=NOW),
        ),
    )
    change = SendLocalList(6, (LocalListEntry(IdToken("A"), None),), full=False)
    async with connected_charger(node.ocpp_port, "CP-LL", "1.6"):
        assert (await node.commands.execute("CP-LL", full, "test")).accepted
        assert (await node.commands.execute("CP-LL", change, "test")).accepted
    [version] = await rows(node, local_lists, station_id="CP-LL")
    entries = await rows(node, local_list_entries, station_id="CP-LL")
    assert version.version == 6
    assert [(e.id_token, e.status) for e in entries] == [("B", "Blocked")]


async def linked_command(node: Node, station_id: str) -> tuple[str | None, int | None]:
    for _ in range(100):
        [tx] = await rows(node, transactions, station_id=station_id)
        if tx.command_id is not None:
            return tx.command_id, tx.remote_start_id
        await asyncio.sleep(0.02)
    return None, None


async def test_v16_remote_start_is_linked_to_its_transaction(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-RS", "1.6") as charger:
        record = await node.commands.execute(
            "CP-RS", StartCharging(IdToken("TAG-1"), evse_id=1), "test"
        )
        answer = await charger.call(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": "TAG-1",
                "meterStart": 0,
                "timestamp": NOW.isoformat().replace("+00:00", "Z"),
            },
        )
        assert answer[0] == 3
        linked = await linked_command(node, "CP-RS")
    assert linked == (record.id, record.request.remote_start_id)  # type: ignore[attr-defined]


async def test_v201_remote_start_is_linked_even_when_the_transaction_comes_first(
    node: Node,
) -> None:
    async with connected_charger(node.ocpp_port, "CP-RS2", "2.0.1") as charger:
        charger.answers["RequestStartTransaction"] = Hold()
        pending = asyncio.create_task(
            node.commands.execute("CP-RS2", StartCharging(IdToken("TAG-2"), evse_id=1), "test")
        )
        call = await charger.next_call()
        remote_start_id = call.payload["remoteStartId"]
        started = await charger.call(
            "TransactionEvent",
            {
                "eventType": "Started",
                "timestamp": NOW.isoformat().replace("+00:00", "Z"),
                "triggerReason": "RemoteStart",
                "seqNo": 0,
                "transactionInfo": {"transactionId": "tx-1", "remoteStartId": remote_start_id},
                "idToken": {"idToken": "TAG-2", "type": "ISO14443"},
                "evse": {"id": 1, "connectorId": 1},
            },
        )
        assert started[0] == 3
        await charger.release("RequestStartTransaction", {"status": "Accepted"})
        record = await pending
        linked = await linked_command(node, "CP-RS2")
    assert record.accepted
    assert linked == (record.id, remote_start_id)
