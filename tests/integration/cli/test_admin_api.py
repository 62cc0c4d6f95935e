"""The operator API over a real socket, on SQLite and PostgreSQL: auth, stations, the frame
log, sessions, tokens and partners."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from websockets.exceptions import InvalidStatus

from cli.node import Node
from shared.config import DatabaseSettings
from shared.store.tables import meter_values, partners, transactions
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.cli.helpers import admin

BOOT_16 = {"chargePointVendor": "Acme", "chargePointModel": "AC-22"}
BOOT_201 = {
    "chargingStation": {"vendorName": "Acme", "model": "DC-50", "serialNumber": "S-1"},
    "reason": "PowerUp",
}
RFC3339_Z = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"


# --- authentication ----------------------------------------------------------------------


async def test_without_a_token_configured_loopback_is_served(
    db_settings: DatabaseSettings,
) -> None:
    async with running_node(node_settings(db_settings)) as node:
        status, body, _ = await admin(node, "GET", "/stations", token=None)
        assert (status, body) == (200, [])
        # A token is not needed, and one that is presented is not checked either.
        status, _, _ = await admin(node, "GET", "/stations", token="anything")
        assert status == 200


async def test_with_a_token_configured_it_is_required(node: Node) -> None:
    status, body, headers = await admin(node, "GET", "/stations", token=None)
    assert status == 401
    assert body["error"] == "unauthorized"
    assert "bearer" in body["detail"].lower()
    assert headers["WWW-Authenticate"].startswith("Bearer")
    status, body, _ = await admin(node, "GET", "/stations", token="wrong")
    assert (status, body["error"], body["detail"]) == (401, "unauthorized", "wrong admin token")
    status, body, _ = await admin(node, "GET", "/stations")
    assert (status, body) == (200, [])


async def test_health_stays_open_when_admin_wants_a_token(node: Node) -> None:
    import aiohttp

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{node.http_port}/health") as response,
    ):
        assert response.status == 200


async def test_unknown_paths_and_methods_answer_json(node: Node) -> None:
    status, body, _ = await admin(node, "GET", "/no-such-thing")
    assert (status, body["error"]) == (404, "not_found")
    status, body, headers = await admin(node, "DELETE", "/stations")
    assert (status, body["error"]) == (405, "method_not_allowed")
    assert "GET" in headers["Allow"]


async def test_unknown_paths_need_the_token_too(node: Node) -> None:
    status, body, _ = await admin(node, "GET", "/no-such-thing", token="wrong")
    # Without the token nobody learns which paths exist.
    assert (status, body["error"]) == (401, "unauthorized")


# --- stations ----------------------------------------------------------------------------


async def test_stations_list_and_show_shapes(node: Node) -> None:
    async with ocpp_client(node.ocpp_port, "CP-16", "1.6") as cp16:
        assert (await cp16.call("BootNotification", BOOT_16))[2]["status"] == "Accepted"
        for connector, status in ((0, "Available"), (1, "Charging"), (2, "Faulted")):
            await cp16.call(
                "StatusNotification",
                {"connectorId": connector, "errorCode": "NoError", "status": status},
            )
        async with ocpp_client(node.ocpp_port, "CP-201", "2.0.1") as cp201:
            await cp201.call("BootNotification", BOOT_201)
            await cp201.call(
                "StatusNotification",
                {
                    "timestamp": "2026-11-26T10:00:00Z",
                    "connectorStatus": "Occupied",
                    "evseId": 1,
                    "connectorId": 1,
                },
            )
            status, listed, _ = await admin(node, "GET", "/stations")
            _, shown, _ = await admin(node, "GET", "/stations/CP-16")
        after_201_left = await _stations_when(node, lambda s: not s["CP-201"]["connected"])
    assert status == 200
    by_id = {station["id"]: station for station in listed}
    assert sorted(by_id) == ["CP-16", "CP-201"]
    cp = by_id["CP-16"]
    assert cp["ocpp_version"] == "1.6"
    assert cp["connected"] is True
    assert cp["last_seen"] is not None
    assert re.match(RFC3339_Z, cp["last_seen"]), cp["last_seen"]
    assert cp["station_status"] == "Available"  # connector 0 is the charge point itself
    assert cp["evses"] == [
        {
            "evse_id": 1,
            "status": "Occupied",
            "connectors": [{"connector_id": 1, "status": "Occupied", "ocpp_status": "Charging"}],
        },
        {
            "evse_id": 2,
            "status": "Faulted",
            "connectors": [{"connector_id": 1, "status": "Faulted", "ocpp_status": "Faulted"}],
        },
    ]
    assert by_id["CP-201"]["ocpp_version"] == "2.0.1"
    assert by_id["CP-201"]["evses"][0]["status"] == "Occupied"
    assert shown["vendor"] == "Acme"
    assert shown["model"] == "AC-22"
    assert shown["has_password"] is False
    assert shown["active_sessions"] == []
    assert shown["evses"][1]["connectors"][0]["status"] == "Faulted"
    assert "error_code" in shown["evses"][1]["connectors"][0]
    assert {s["id"]: s["connected"] for s in after_201_left} == {"CP-16": True, "CP-201": False}


async def _stations_when(
    node: Node, condition: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """The station list once `condition(stations by id)` holds (the server records a
    disconnection after the socket has closed; poll a bounded number of times)."""
    for _ in range(200):
        _, listed, _ = await admin(node, "GET", "/stations")
        if condition({s["id"]: s for s in listed}):
            return list(listed)
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition never held: {listed}")


async def test_show_unknown_station_is_404(node: Node) -> None:
    status, body, _ = await admin(node, "GET", "/stations/NOPE")
    assert status == 404
    assert body == {"error": "not_found", "detail": "unknown station 'NOPE'"}


async def test_station_ids_with_odd_characters_round_trip(node: Node) -> None:
    status, body, _ = await admin(node, "PUT", "/stations/CP%20%23%3F1", body={})
    assert status == 201
    assert body["station"]["id"] == "CP #?1"
    status, body, _ = await admin(node, "GET", "/stations/CP%20%23%3F1")
    assert (status, body["id"]) == (200, "CP #?1")


async def test_add_with_password_guards_the_websocket(node: Node) -> None:
    status, body, _ = await admin(
        node,
        "PUT",
        "/stations/CP-PW",
        body={"password": "correct horse battery", "version": "2.0.1", "ping_interval": 0},
    )
    assert status == 201
    assert body["created"] is True
    station = body["station"]
    assert station["has_password"] is True
    assert station["version_override"] == "2.0.1"
    assert station["ping_interval"] == 0
    assert station["registration_status"] == "accepted"
    assert "password" not in str(body).replace("has_password", "")
    async with ocpp_client(node.ocpp_port, "CP-PW", None, password="correct horse battery") as cp:
        boot = await cp.call("BootNotification", BOOT_201)  # no subprotocol → 2.0.1 override
        assert boot[2]["status"] == "Accepted"
    with pytest.raises(InvalidStatus) as refused:
        async with ocpp_client(node.ocpp_port, "CP-PW", "2.0.1", password="wrong"):
            pass
    assert refused.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as anonymous:
        async with ocpp_client(node.ocpp_port, "CP-PW", "2.0.1"):
            pass
    assert anonymous.value.response.status_code == 401


async def test_update_keeps_what_is_not_given(node: Node) -> None:
    await admin(
        node,
        "PUT",
        "/stations/CP-U",
        body={"password": "first password", "registration": "pending", "lenient": False},
    )
    status, body, _ = await admin(node, "PUT", "/stations/CP-U", body={"ping_interval": 30})
    assert status == 200
    assert body["created"] is False
    station = body["station"]
    assert station["has_password"] is True
    assert station["registration_status"] == "pending"
    assert station["lenient"] is False
    assert station["ping_interval"] == 30
    # A changed password replaces the old one at once.
    await admin(node, "PUT", "/stations/CP-U", body={"password": "second password"})
    with pytest.raises(InvalidStatus):
        async with ocpp_client(node.ocpp_port, "CP-U", "1.6", password="first password"):
            pass
    async with ocpp_client(node.ocpp_port, "CP-U", "1.6", password="second password") as cp:
        boot = await cp.call("BootNotification", BOOT_16)
    assert boot[2]["status"] == "Pending"
    _, body, _ = await admin(node, "PUT", "/stations/CP-U", body={"remove_password": True})
    assert body["station"]["has_password"] is False
    async with ocpp_client(node.ocpp_port, "CP-U", "1.6") as cp:
        assert (await cp.call("Heartbeat", {}))[0] in (3, 4)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "1.5"}, "version"),
        ({"ping_interval": -1}, "ping_interval"),
        ({"registration": "maybe"}, "registration"),
        ({"password": ""}, "password"),
        ({"pasword": "typo"}, "pasword"),
        ({"password": "x", "remove_password": True}, ""),
    ],
)
async def test_add_rejects_bad_fields_with_422(
    node: Node, body: dict[str, Any], field: str
) -> None:
    status, answer, _ = await admin(node, "PUT", "/stations/CP-BAD", body=body)
    assert status == 422
    assert answer["error"] == "invalid_request"
    assert field in [item["field"] for item in answer["detail"]]
    assert (await admin(node, "GET", "/stations/CP-BAD"))[0] == 404


async def test_add_rejects_malformed_json_with_400(node: Node) -> None:
    status, answer, _ = await admin(node, "PUT", "/stations/CP-BAD", raw=b"{not json")
    assert status == 400
    assert answer["error"] == "bad_request"
    status, answer, _ = await admin(node, "PUT", "/stations/CP-BAD", raw=b"[1, 2]")
    assert (status, answer["error"]) == (422, "invalid_request")


# --- the frame log -----------------------------------------------------------------------


async def test_messages_tail_and_follow(node: Node) -> None:
    async with ocpp_client(node.ocpp_port, "CP-LOG", "1.6") as cp:
        await cp.call("BootNotification", BOOT_16)
        await cp.call("Heartbeat", {})
    await node.writer.run(_nothing)  # the outgoing frames are written with the next batch
    status, page, _ = await admin(node, "GET", "/stations/CP-LOG/messages")
    assert status == 200
    frames = page["messages"]
    assert [(f["direction"], f["action"]) for f in frames if f["message_type"] == 2] == [
        ("in", "BootNotification"),
        ("in", "Heartbeat"),
    ]
    assert sum(1 for f in frames if f["direction"] == "out") == 2
    assert [f["id"] for f in frames] == sorted(f["id"] for f in frames)
    assert page["last_id"] == frames[-1]["id"]
    _, newest, _ = await admin(node, "GET", "/stations/CP-LOG/messages?limit=1")
    assert newest["messages"] == frames[-1:]
    first = frames[0]["id"]
    _, rest, _ = await admin(node, "GET", f"/stations/CP-LOG/messages?after={first}&limit=2")
    assert rest["messages"] == frames[1:3]
    _, nothing, _ = await admin(node, "GET", f"/stations/CP-LOG/messages?after={frames[-1]['id']}")
    assert nothing == {"station_id": "CP-LOG", "messages": [], "last_id": frames[-1]["id"]}


@pytest.mark.parametrize("query", ["after=x", "limit=0", "limit=100000", "after=-1"])
async def test_messages_bad_query_is_400(node: Node, query: str) -> None:
    await admin(node, "PUT", "/stations/CP-Q", body={})
    status, body, _ = await admin(node, "GET", f"/stations/CP-Q/messages?{query}")
    assert (status, body["error"]) == (400, "bad_request")


async def test_messages_of_unknown_station_is_404(node: Node) -> None:
    status, _, _ = await admin(node, "GET", "/stations/NOPE/messages")
    assert status == 404


async def _nothing(_uow: object) -> None:
    return None


# --- sessions ----------------------------------------------------------------------------


async def _insert_sessions(node: Node) -> None:
    start = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    common = {
        "created_at": start,
        "last_updated": start,
        "connector_id": 1,
        "ended_at": None,
        "meter_start_wh": None,
        "meter_stop_wh": None,
        "stop_reason": None,
    }
    async with node.database.begin() as conn:
        await conn.execute(
            insert(transactions),
            [
                {
                    **common,
                    "id": 1,
                    "station_id": "CP-S",
                    "evse_id": 1,
                    "transaction_ref": "1",
                    "status": "completed",
                    "id_token": "TAG-1",
                    "started_at": start,
                    "ended_at": start + timedelta(hours=1),
                    "energy_wh": 7400.0,
                    "meter_start_wh": 1000.0,
                    "meter_stop_wh": 8400.0,
                    "stop_reason": "Local",
                },
                {
                    **common,
                    "id": 2,
                    "station_id": "CP-S",
                    "evse_id": 2,
                    "transaction_ref": "f3a1c2d4-tx",
                    "status": "active",
                    "id_token": "TAG-2",
                    "started_at": start + timedelta(hours=2),
                    "energy_wh": 1250.5,
                },
            ],
        )
        await conn.execute(
            insert(meter_values),
            [
                {
                    "station_id": "CP-S",
                    "evse_id": 2,
                    "transaction_id": 2,
                    "timestamp": start + timedelta(hours=2, minutes=minute),
                    "measurand": "Energy.Active.Import.Register",
                    "unit": "Wh",
                    "value": 1000.0 + minute * 25,
                }
                for minute in (10, 0, 5)
            ],
        )


async def test_sessions_list_shape_and_filters(node: Node) -> None:
    await _insert_sessions(node)
    status, every, _ = await admin(node, "GET", "/sessions")
    assert status == 200
    assert [s["id"] for s in every] == [2, 1]  # newest first
    assert every[1] == {
        "id": 1,
        "transaction_id": "1",
        "station_id": "CP-S",
        "evse_id": 1,
        "id_tag": "TAG-1",
        "start": "2026-11-26T08:00:00.000Z",
        "end": "2026-11-26T09:00:00.000Z",
        "energy_wh": 7400.0,
        "status": "completed",
    }
    _, active, _ = await admin(node, "GET", "/sessions?active=true")
    assert [(s["id"], s["transaction_id"], s["end"]) for s in active] == [(2, "f3a1c2d4-tx", None)]
    _, finished, _ = await admin(node, "GET", "/sessions?active=false")
    assert [s["id"] for s in finished] == [1]
    _, other, _ = await admin(node, "GET", "/sessions?station_id=CP-OTHER")
    assert other == []
    _, one, _ = await admin(node, "GET", "/sessions?limit=1")
    assert [s["id"] for s in one] == [2]
    status, body, _ = await admin(node, "GET", "/sessions?active=perhaps")
    assert (status, body["error"]) == (400, "bad_request")


async def test_session_show_has_meter_values_in_time_order(node: Node) -> None:
    await _insert_sessions(node)
    status, session, _ = await admin(node, "GET", "/sessions/2")
    assert status == 200
    assert session["transaction_id"] == "f3a1c2d4-tx"
    assert [m["value"] for m in session["meter_values"]] == [1000.0, 1125.0, 1250.0]
    assert session["meter_values"][0]["measurand"] == "Energy.Active.Import.Register"
    status, _, _ = await admin(node, "GET", "/stations/CP-S")
    assert status == 404  # sessions alone do not make a station
    for missing in ("/sessions/99", "/sessions/abc"):
        status, body, _ = await admin(node, "GET", missing)
        assert (status, body["error"]) == (404, "not_found")


async def test_station_show_lists_its_active_sessions(node: Node) -> None:
    await admin(node, "PUT", "/stations/CP-S", body={})
    await _insert_sessions(node)
    _, station, _ = await admin(node, "GET", "/stations/CP-S")
    assert [s["id"] for s in station["active_sessions"]] == [2]


# --- tokens and partners -----------------------------------------------------------------


async def test_tokens_add_list_and_replace(node: Node) -> None:
    status, body, _ = await admin(node, "POST", "/tokens", body={"id_token": "04A1B2C3"})
    assert status == 201
    assert body["token"]["status"] == "Accepted"
    assert body["token"]["source"] == "local"
    status, body, _ = await admin(
        node,
        "POST",
        "/tokens",
        body={
            "id_token": "04A1B2C3",
            "status": "Blocked",
            "type": "ISO15693",
            "expiry": "2027-01-01T00:00:00+01:00",
            "group_id": "FLEET-1",
        },
    )
    assert (status, body["created"]) == (200, False)
    _, listed, _ = await admin(node, "GET", "/tokens")
    assert len(listed) == 1
    assert listed[0]["status"] == "Blocked"
    assert listed[0]["type"] == "ISO15693"
    assert listed[0]["expiry"] == "2026-12-31T23:00:00.000Z"
    assert listed[0]["group_id"] == "FLEET-1"
    _, partner_tokens, _ = await admin(node, "GET", "/tokens?source=SE*EMP")
    assert partner_tokens == []


@pytest.mark.parametrize(
    "body",
    [
        {"id_token": ""},
        {"id_token": "x" * 37},
        {"id_token": "A", "type": "Magnetic"},
        {"id_token": "A", "status": "Maybe"},
        {"id_token": "A", "expiry": "2027-01-01T00:00:00"},  # no zone: ambiguous
        {"token": "A"},
    ],
)
async def test_tokens_reject_bad_bodies(node: Node, body: dict[str, Any]) -> None:
    status, answer, _ = await admin(node, "POST", "/tokens", body=body)
    assert (status, answer["error"]) == (422, "invalid_request")


async def test_a_token_added_over_the_api_authorizes_a_charger(node: Node) -> None:
    async with ocpp_client(node.ocpp_port, "CP-AUTH", "1.6") as cp:
        await cp.call("BootNotification", BOOT_16)
        before = await cp.call("Authorize", {"idTag": "DRIVER-1"})
        await admin(node, "POST", "/tokens", body={"id_token": "DRIVER-1"})
        after = await cp.call("Authorize", {"idTag": "DRIVER-1"})
    if before[0] == 4:
        pytest.skip("this build does not handle 1.6 Authorize yet")
    assert before[2]["idTagInfo"]["status"] == "Invalid"
    assert after[2]["idTagInfo"]["status"] == "Accepted"


async def test_partners_list_and_show_without_secrets(node: Node) -> None:
    now = datetime.now(UTC)
    async with node.database.begin() as conn:
        await conn.execute(
            insert(partners).values(
                id=7,
                name="Example eMSP",
                status="registered",
                country_code="NL",
                party_id="EXA",
                roles=[{"role": "EMSP", "country_code": "NL", "party_id": "EXA"}],
                versions_url="http://127.0.0.1:1/versions",
                version="2.2.1",
                endpoints=[{"identifier": "tokens", "role": "SENDER", "url": "http://x/t"}],
                incoming_token_hash="f" * 64,
                outgoing_token="their-secret-token",
                created_at=now,
                updated_at=now,
            )
        )
    status, listed, _ = await admin(node, "GET", "/partners")
    assert status == 200
    assert [p["name"] for p in listed] == ["Example eMSP"]
    _, shown, _ = await admin(node, "GET", "/partners/7")
    assert shown["roles"][0]["party_id"] == "EXA"
    assert shown["country_code"] == "NL"
    assert shown["endpoints"] == [{"identifier": "tokens", "role": "SENDER", "url": "http://x/t"}]
    assert "their-secret-token" not in str(shown)
    assert "f" * 64 not in str(shown)
    assert (await admin(node, "GET", "/partners/8"))[0] == 404
