"""`csms …` through click's CliRunner against a running node, and against the database with
the server down: JSON shapes, tables, exit codes, error messages, provisioning."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from websockets.exceptions import InvalidStatus

from cli.node import Node
from shared.config import DatabaseSettings
from shared.store.tables import transactions
from tests.conftest import free_port
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.cli.helpers import (
    ADMIN_TOKEN,
    CliRun,
    admin,
    cli_env,
    json_out,
    server_args,
)

BOOT_16 = {"chargePointVendor": "Acme", "chargePointModel": "AC-22"}
RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
SESSION_KEYS = {
    "id",
    "transaction_id",
    "station_id",
    "evse_id",
    "id_tag",
    "start",
    "end",
    "energy_wh",
    "status",
}


def _down() -> list[str]:
    """`--server` pointing at a port where nothing listens."""
    return ["--server", f"http://127.0.0.1:{free_port()}"]


async def _boot_16(node: Node, station_id: str) -> None:
    async with ocpp_client(node.ocpp_port, station_id, "1.6") as cp:
        await cp.call("BootNotification", BOOT_16)
        await cp.call(
            "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
        )


async def _insert_session(node: Node, *, active: bool) -> None:
    start = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    async with node.database.begin() as conn:
        await conn.execute(
            insert(transactions).values(
                station_id="CP-1",
                evse_id=1,
                connector_id=1,
                transaction_ref="42",
                status="active" if active else "completed",
                id_token="TAG-1",
                started_at=start,
                ended_at=None if active else start.replace(hour=9),
                energy_wh=3210.0,
                created_at=start,
                last_updated=start,
            )
        )


# --- lists -------------------------------------------------------------------------------


async def test_stations_list_json_shape(node: Node, run_cli: CliRun) -> None:
    async with ocpp_client(node.ocpp_port, "CP-1", "1.6") as cp:
        await cp.call("BootNotification", BOOT_16)
        await cp.call(
            "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging"}
        )
        result = await run_cli("stations", "list", "--json", *server_args(node))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    [station] = json_out(result)
    assert station["id"] == "CP-1"
    assert station["ocpp_version"] == "1.6"
    assert station["connected"] is True
    assert RFC3339_Z.match(station["last_seen"])
    assert station["evses"] == [
        {
            "evse_id": 1,
            "status": "Occupied",
            "connectors": [{"connector_id": 1, "status": "Occupied", "ocpp_status": "Charging"}],
        }
    ]


async def test_stations_list_table_for_people(node: Node, run_cli: CliRun) -> None:
    await _boot_16(node, "CP-TABLE")
    result = await run_cli("stations", "list", *server_args(node))
    assert result.exit_code == 0, result.output
    assert "CP-TABLE" in result.stdout
    assert "Available" in result.stdout
    assert "1.6" in result.stdout
    empty = await run_cli("partners", "list", *server_args(node))
    assert (empty.exit_code, empty.stdout.strip()) == (0, "No partners yet.")


async def test_options_before_the_sub_command_work_too(node: Node, run_cli: CliRun) -> None:
    result = await run_cli(*server_args(node), "stations", "list", "--json")
    assert (result.exit_code, json_out(result)) == (0, [])


async def test_the_server_is_found_from_the_configuration(
    node: Node, db_settings: DatabaseSettings
) -> None:
    run = CliRun(
        cli_env(
            db_settings,
            CSMS_HTTP__PORT=str(node.http_port),
            CSMS_HTTP__ADMIN_TOKEN=ADMIN_TOKEN,
        )
    )
    await admin(node, "PUT", "/stations/CP-CONF", body={})
    result = await run("stations", "list", "--json")
    assert result.exit_code == 0, result.output
    assert [s["id"] for s in json_out(result)] == ["CP-CONF"]
    assert result.stderr == ""  # asked the server, no fallback


async def test_stations_show(node: Node, run_cli: CliRun) -> None:
    await _boot_16(node, "CP-SHOW")
    result = await run_cli("stations", "show", "CP-SHOW", "--json", *server_args(node))
    assert result.exit_code == 0, result.output
    shown = json_out(result)
    assert (shown["id"], shown["vendor"], shown["model"]) == ("CP-SHOW", "Acme", "AC-22")
    table = await run_cli("stations", "show", "CP-SHOW", *server_args(node))
    assert table.exit_code == 0, table.output
    assert "AC-22" in table.stdout
    assert "Available" in table.stdout


async def test_sessions_list_json_shape_and_active_filter(node: Node, run_cli: CliRun) -> None:
    await _insert_session(node, active=True)
    result = await run_cli("sessions", "list", "--active", "--json", *server_args(node))
    assert result.exit_code == 0, result.output
    [session] = json_out(result)
    assert set(session) == SESSION_KEYS
    assert session["transaction_id"] == "42"
    assert session["end"] is None
    assert session["energy_wh"] == 3210.0
    assert session["status"] == "active"
    table = await run_cli("sessions", "list", *server_args(node))
    assert "TAG-1" in table.stdout
    assert "3,210" in table.stdout
    shown = await run_cli("sessions", "show", str(session["id"]), "--json", *server_args(node))
    assert json_out(shown)["meter_values"] == []


# --- errors and exit codes ---------------------------------------------------------------


async def test_wrong_or_missing_token_exits_4(node: Node, run_cli: CliRun) -> None:
    wrong = await run_cli("stations", "list", *server_args(node, token="wrong"))
    assert wrong.exit_code == 4
    assert "refused access (wrong admin token)" in wrong.stderr
    assert wrong.stdout == ""
    missing = await run_cli("stations", "list", *server_args(node, token=None))
    assert missing.exit_code == 4
    assert "missing bearer token" in missing.stderr


async def test_unknown_station_exits_5(node: Node, run_cli: CliRun) -> None:
    result = await run_cli("stations", "show", "NOPE", *server_args(node))
    assert result.exit_code == 5
    assert "unknown station 'NOPE'" in result.stderr


async def test_show_with_the_server_down_exits_3(run_cli: CliRun) -> None:
    result = await run_cli("stations", "show", "CP-1", *_down())
    assert result.exit_code == 3
    assert "cannot reach the Laddpunkt server" in result.stderr
    assert "csms serve" in result.stderr


async def test_a_port_that_is_not_laddpunkt_exits_8(node: Node, run_cli: CliRun) -> None:
    # The OCPP websocket port answers HTTP, but not like the operator API.
    result = await run_cli("stations", "list", "--server", f"http://127.0.0.1:{node.ocpp_port}")
    assert result.exit_code == 8, result.output
    assert "Laddpunkt node" in result.stderr


async def test_bad_command_lines_exit_2(run_cli: CliRun) -> None:
    both = await run_cli("stations", "add", "CP", "--password", "x", "--remove-password")
    assert both.exit_code == 2
    assert "either --password or --remove-password" in both.stderr
    version = await run_cli("stations", "add", "CP", "--version", "1.5")
    assert version.exit_code == 2
    token = await run_cli("tokens", "add", "x" * 37)
    assert token.exit_code == 2


# --- with the server down ----------------------------------------------------------------


async def test_lists_read_the_database_when_the_server_is_down(
    db_settings: DatabaseSettings, run_cli: CliRun
) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await _boot_16(node, "CP-1")
        await _insert_session(node, active=False)
    stations = await run_cli("stations", "list", "--json", *_down())
    assert stations.exit_code == 0, stations.output
    assert "Reading the database directly" in stations.stderr
    [station] = json_out(stations)
    assert (station["id"], station["ocpp_version"], station["connected"]) == ("CP-1", "1.6", False)
    assert station["evses"][0]["connectors"][0]["status"] == "Available"
    sessions = await run_cli("sessions", "list", "--json", *_down())
    assert sessions.exit_code == 0, sessions.output
    assert "Reading the database directly" in sessions.stderr
    [session] = json_out(sessions)
    assert set(session) == SESSION_KEYS
    assert session["status"] == "completed"
    active = await run_cli("sessions", "list", "--active", "--json", *_down())
    assert json_out(active) == []


async def test_add_writes_the_database_when_the_server_is_down(
    db_settings: DatabaseSettings, run_cli: CliRun
) -> None:
    # Before the very first `csms serve`: the schema does not exist yet either.
    result = await run_cli(
        "stations",
        "add",
        "CP-OFF",
        "--password",
        "provisioned pw",
        "--version",
        "1.6",
        "--ping-interval",
        "0",
        "--strict",
        "--registration",
        "pending",
        "--json",
        *_down(),
    )
    assert result.exit_code == 0, result.output
    assert "Writing to the database directly" in result.stderr
    answer = json_out(result)
    assert answer["created"] is True
    station = answer["station"]
    assert station["has_password"] is True
    assert (station["lenient"], station["ping_interval"]) == (False, 0)
    async with running_node(node_settings(db_settings)) as node:
        async with ocpp_client(node.ocpp_port, "CP-OFF", None, password="provisioned pw") as cp:
            boot = await cp.call("BootNotification", BOOT_16)
        assert boot[2]["status"] == "Pending"
        with pytest.raises(InvalidStatus) as refused:
            async with ocpp_client(node.ocpp_port, "CP-OFF", "1.6", password="guess"):
                pass
        assert refused.value.response.status_code == 401


async def test_lists_without_a_database_say_so(tmp_path: object) -> None:
    from pathlib import Path

    missing = Path(str(tmp_path)) / "nowhere" / "laddpunkt.db"
    run = CliRun(cli_env(DatabaseSettings(url=f"sqlite+aiosqlite:///{missing}")))
    result = await run("stations", "list", *_down())
    assert result.exit_code == 1
    assert "no database at" in result.stderr
    assert "csms db upgrade" in result.stderr
    assert not missing.exists()


# --- provisioning through the server -----------------------------------------------------


async def test_add_through_the_server_then_the_charger_connects(
    node: Node, run_cli: CliRun
) -> None:
    added = await run_cli(
        "stations", "add", "CP-NEW", "--password", "s3cret pw", *server_args(node)
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == (
        "Station CP-NEW added (with a password, registration accepted)."
    )
    assert added.stderr == ""
    async with ocpp_client(node.ocpp_port, "CP-NEW", "1.6", password="s3cret pw") as cp:
        assert (await cp.call("BootNotification", BOOT_16))[2]["status"] == "Accepted"
    with pytest.raises(InvalidStatus) as refused:
        async with ocpp_client(node.ocpp_port, "CP-NEW", "1.6", password="wrong"):
            pass
    assert refused.value.response.status_code == 401
    updated = await run_cli(
        "stations", "add", "CP-NEW", "--registration", "rejected", "--json", *server_args(node)
    )
    answer = json_out(updated)
    assert answer["created"] is False
    assert answer["station"]["registration_status"] == "rejected"
    assert answer["station"]["has_password"] is True


async def test_tokens_add_and_list(node: Node, run_cli: CliRun) -> None:
    added = await run_cli("tokens", "add", "04A1B2C3", "--group", "FLEET", *server_args(node))
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == "Token 04A1B2C3 added (Accepted)."
    blocked = await run_cli(
        "tokens", "add", "04A1B2C3", "--status", "Blocked", "--json", *server_args(node)
    )
    assert json_out(blocked)["created"] is False
    listed = await run_cli("tokens", "list", "--json", *server_args(node))
    [token] = json_out(listed)
    assert (token["id_token"], token["status"], token["group_id"]) == (
        "04A1B2C3",
        "Blocked",
        None,  # a replaced token takes exactly what the new command gave
    )


async def test_tokens_add_with_the_server_down(
    db_settings: DatabaseSettings, run_cli: CliRun
) -> None:
    result = await run_cli("tokens", "add", "DRIVER-9", "--expiry", "2030-01-01T00:00:00", *_down())
    assert result.exit_code == 0, result.output
    assert "Writing to the database directly" in result.stderr
    async with running_node(node_settings(db_settings)) as node:
        _, tokens, _ = await admin(node, "GET", "/tokens", token=None)
    assert [(t["id_token"], t["expiry"]) for t in tokens] == [
        ("DRIVER-9", "2030-01-01T00:00:00.000Z")
    ]


# --- the frame log -----------------------------------------------------------------------


async def test_messages_prints_the_frame_log(node: Node, run_cli: CliRun) -> None:
    await _boot_16(node, "CP-LOG")
    await node.writer.run(_nothing)
    result = await run_cli("messages", "CP-LOG", "--json", *server_args(node))
    assert result.exit_code == 0, result.output
    frames = [json.loads(line) for line in result.stdout.splitlines()]
    calls = [f["action"] for f in frames if f["direction"] == "in"]
    assert calls == ["BootNotification", "StatusNotification"]
    people = await run_cli("messages", "CP-LOG", "-n", "1", *server_args(node))
    assert people.exit_code == 0
    assert len(people.stdout.strip().splitlines()) == 1
    assert "->" in people.stdout  # the last frame is our answer to the status


async def test_messages_follow_prints_new_frames(node: Node, run_cli: CliRun) -> None:
    async with ocpp_client(node.ocpp_port, "CP-F", "1.6") as cp:
        await cp.call("BootNotification", BOOT_16)
        await node.writer.run(_nothing)  # our answer is logged with the next batch
        follower = asyncio.ensure_future(
            run_cli(
                "messages",
                "CP-F",
                "--follow",
                "--limit",
                "0",
                "--count",
                "2",
                "--interval",
                "0.05",
                "--json",
                *server_args(node),
            )
        )
        # The follower starts from the newest frame it sees; keep the charger talking until
        # it has printed two new ones (bounded).
        for _ in range(200):
            if follower.done():
                break
            await cp.call("Heartbeat", {})
            await asyncio.sleep(0.05)
        result = await follower
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    frames = [json.loads(line) for line in lines]
    assert "BootNotification" not in result.stdout  # history was skipped (--limit 0)
    assert frames[0]["id"] < frames[1]["id"]


async def test_messages_for_an_unknown_station_exits_5(node: Node, run_cli: CliRun) -> None:
    result = await run_cli("messages", "NOPE", *server_args(node))
    assert result.exit_code == 5


async def _nothing(_uow: object) -> None:
    return None


# --- sessions from real chargers ---------------------------------------------------------


async def test_sessions_of_both_versions_as_the_chargers_know_them(
    node: Node, run_cli: CliRun
) -> None:
    await run_cli("tokens", "add", "DRIVER-1", *server_args(node))
    async with ocpp_client(node.ocpp_port, "CP-16", "1.6") as cp:
        await cp.call("BootNotification", BOOT_16)
        started = await cp.call(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": "DRIVER-1",
                "meterStart": 1000,
                "timestamp": "2026-11-26T08:00:00Z",
            },
        )
        tx = started[2]["transactionId"]
        await cp.call(
            "MeterValues",
            {
                "connectorId": 1,
                "transactionId": tx,
                "meterValue": [
                    {
                        "timestamp": "2026-11-26T08:30:00Z",
                        "sampledValue": [
                            {
                                "value": "2500",
                                "measurand": "Energy.Active.Import.Register",
                                "unit": "Wh",
                            }
                        ],
                    }
                ],
            },
        )
        active = await run_cli("sessions", "list", "--active", "--json", *server_args(node))
        await cp.call(
            "StopTransaction",
            {"transactionId": tx, "meterStop": 4000, "timestamp": "2026-11-26T09:00:00Z"},
        )
    async with ocpp_client(node.ocpp_port, "CP-201", "2.0.1") as cp:
        await cp.call(
            "BootNotification",
            {"chargingStation": {"vendorName": "Acme", "model": "DC"}, "reason": "PowerUp"},
        )
        await cp.call(
            "TransactionEvent",
            {
                "eventType": "Started",
                "timestamp": "2026-11-26T10:00:00Z",
                "triggerReason": "Authorized",
                "seqNo": 0,
                "transactionInfo": {"transactionId": "tx-201-a"},
                "idToken": {"idToken": "DRIVER-1", "type": "ISO14443"},
                "evse": {"id": 1, "connectorId": 1},
            },
        )
        every = await run_cli("sessions", "list", "--json", *server_args(node))
    [running] = json_out(active)
    assert (running["station_id"], running["transaction_id"]) == ("CP-16", str(tx))
    assert running["id_tag"] == "DRIVER-1"
    by_station = {s["station_id"]: s for s in json_out(every)}
    assert set(by_station) == {"CP-16", "CP-201"}
    assert all(set(s) == SESSION_KEYS for s in by_station.values())
    done = by_station["CP-16"]
    assert (done["status"], done["energy_wh"]) == ("completed", 3000.0)
    assert (done["start"], done["end"]) == ("2026-11-26T08:00:00.000Z", "2026-11-26T09:00:00.000Z")
    assert by_station["CP-201"]["transaction_id"] == "tx-201-a"
    assert by_station["CP-201"]["status"] == "active"
    shown = await run_cli("sessions", "show", str(done["id"]), "--json", *server_args(node))
    values = [m["value"] for m in json_out(shown)["meter_values"]]
    assert 2500.0 in values
