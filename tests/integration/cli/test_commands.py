"""`csms stations start|stop|reset|…` and `/admin/…/commands` against a small test charger
on a real socket, both OCPP versions, SQLite and PostgreSQL: what reaches the charger, what
is printed, and the exit code for every outcome."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from cli.node import Node
from shared.config import DatabaseSettings
from tests.harness import node_settings, running_node
from tests.integration.cli.helpers import ADMIN_TOKEN, CliRun, admin, json_out, server_args
from tests.integration.commands.charger import Fail, Reply, Silence, connected_charger

SET_VARIABLES_ACCEPTED = {
    "setVariableResult": [
        {
            "attributeStatus": "Accepted",
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "HeartbeatInterval"},
        }
    ]
}


@pytest.fixture
async def node(db_settings: DatabaseSettings) -> AsyncIterator[Node]:
    """A node with short command timers (a lost notification is picked up within 0.2 s)."""
    settings = node_settings(
        db_settings,
        http={"admin_token": ADMIN_TOKEN},
        ocpp={"call_timeout": 5.0},
        node={"command_poll_seconds": 0.2, "heartbeat_seconds": 0.5},
    )
    async with running_node(settings) as running:
        yield running


@dataclass(frozen=True)
class Verb:
    """One CLI verb: its arguments, the action the charger must get, and what it must hold."""

    args: tuple[str, ...]
    action: str
    expect: dict[str, Any]
    answer: dict[str, Any]


V16 = [
    Verb(
        ("start", "--id-tag", "TAG-1", "--evse", "2"),
        "RemoteStartTransaction",
        {"idTag": "TAG-1", "connectorId": 2},
        {"status": "Accepted"},
    ),
    Verb(
        ("stop", "--transaction", "42"),
        "RemoteStopTransaction",
        {"transactionId": 42},
        {"status": "Accepted"},
    ),
    Verb(("reset", "--hard"), "Reset", {"type": "Hard"}, {"status": "Accepted"}),
    Verb(("reset",), "Reset", {"type": "Soft"}, {"status": "Accepted"}),
    Verb(("unlock", "--evse", "1"), "UnlockConnector", {"connectorId": 1}, {"status": "Unlocked"}),
    Verb(
        ("availability", "--evse", "1", "--state", "inoperative"),
        "ChangeAvailability",
        {"connectorId": 1, "type": "Inoperative"},
        {"status": "Accepted"},
    ),
    Verb(
        ("set-config", "HeartbeatInterval", "120"),
        "ChangeConfiguration",
        {"key": "HeartbeatInterval", "value": "120"},
        {"status": "Accepted"},
    ),
    Verb(
        ("profile", "--evse", "1", "--limit-w", "7400"),
        "SetChargingProfile",
        {"connectorId": 1},
        {"status": "Accepted"},
    ),
    Verb(
        ("call", "TriggerMessage", "--payload", '{"requestedMessage": "Heartbeat"}'),
        "TriggerMessage",
        {"requestedMessage": "Heartbeat"},
        {"status": "Accepted"},
    ),
]

V201 = [
    Verb(
        ("start", "--id-tag", "TAG-1", "--evse", "1"),
        "RequestStartTransaction",
        {"idToken": {"idToken": "TAG-1", "type": "ISO14443"}, "evseId": 1},
        {"status": "Accepted"},
    ),
    Verb(
        ("stop", "--transaction", "tx-abc"),
        "RequestStopTransaction",
        {"transactionId": "tx-abc"},
        {"status": "Accepted"},
    ),
    Verb(("reset", "--hard"), "Reset", {"type": "Immediate"}, {"status": "Accepted"}),
    Verb(
        ("unlock", "--evse", "1"),
        "UnlockConnector",
        {"evseId": 1, "connectorId": 1},
        {"status": "Unlocked"},
    ),
    Verb(
        ("availability", "--evse", "1", "--state", "operative"),
        "ChangeAvailability",
        {"operationalStatus": "Operative", "evse": {"id": 1}},
        {"status": "Accepted"},
    ),
    Verb(
        ("set-config", "OCPPCommCtrlr.HeartbeatInterval", "120"),
        "SetVariables",
        {
            "setVariableData": [
                {
                    "attributeValue": "120",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                }
            ]
        },
        SET_VARIABLES_ACCEPTED,
    ),
    Verb(
        ("profile", "--evse", "1", "--limit-w", "11000"),
        "SetChargingProfile",
        {"evseId": 1},
        {"status": "Accepted"},
    ),
]


def _holds(actual: Any, expected: Any) -> bool:
    """`actual` has everything `expected` has (dicts compared key by key)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _holds(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_holds(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


@pytest.mark.parametrize(
    ("version", "verb"),
    [("1.6", verb) for verb in V16] + [("2.0.1", verb) for verb in V201],
    ids=lambda v: v if isinstance(v, str) else "-".join(v.args[:2]),
)
async def test_every_verb_reaches_the_charger_and_exits_0_when_accepted(
    node: Node, run_cli: CliRun, version: str, verb: Verb
) -> None:
    station = f"CP-{version}"
    async with connected_charger(node.ocpp_port, station, version) as charger:
        charger.answers[verb.action] = Reply(verb.answer)
        result = await run_cli(
            "stations", verb.args[0], station, *verb.args[1:], "--json", *server_args(node)
        )
    assert result.exit_code == 0, result.output
    record = json_out(result)
    assert record["status"] == "accepted"
    assert record["ocpp_action"] == verb.action
    assert record["response"] == verb.answer
    assert record["requested_by"] == "operator"
    [call] = [r for r in charger.received if r.action == verb.action]
    assert call.violation is None, call.violation
    assert _holds(call.payload, verb.expect), call.payload


async def test_the_profile_verb_limits_in_watts(node: Node, run_cli: CliRun) -> None:
    async with connected_charger(node.ocpp_port, "CP-P", "1.6") as charger:
        result = await run_cli(
            "stations", "profile", "CP-P", "--evse", "1", "--limit-w", "7400", *server_args(node)
        )
    assert result.exit_code == 0, result.output
    [call] = charger.received
    schedule = call.payload["csChargingProfiles"]["chargingSchedule"]
    assert schedule["chargingRateUnit"] == "W"
    assert schedule["chargingSchedulePeriod"][0]["limit"] == 7400


async def test_accepted_is_printed_for_people(node: Node, run_cli: CliRun) -> None:
    async with connected_charger(node.ocpp_port, "CP-H", "1.6"):
        result = await run_cli("stations", "reset", "CP-H", *server_args(node))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "CP-H: Reset accepted"
    assert json.loads("\n".join(result.stdout.splitlines()[1:])) == {"status": "Accepted"}


async def test_a_rejection_exits_1_and_says_why(node: Node, run_cli: CliRun) -> None:
    async with connected_charger(node.ocpp_port, "CP-R", "2.0.1") as charger:
        charger.answers["RequestStopTransaction"] = Reply(
            {"status": "Rejected", "statusInfo": {"reasonCode": "UnknownTx"}}
        )
        result = await run_cli(
            "stations", "stop", "CP-R", "--transaction", "nope", "--json", *server_args(node)
        )
    assert result.exit_code == 1
    assert json_out(result)["status"] == "rejected"
    assert "CP-R rejected the command" in result.stderr
    assert "UnknownTx" in result.stderr


async def test_a_callerror_exits_1(node: Node, run_cli: CliRun) -> None:
    async with connected_charger(node.ocpp_port, "CP-E", "1.6") as charger:
        charger.answers["UnlockConnector"] = Fail("NotImplemented", "no lock here")
        result = await run_cli("stations", "unlock", "CP-E", "--evse", "1", *server_args(node))
    assert result.exit_code == 1
    assert "failed" in result.stderr
    assert "CALLERROR NotImplemented" in result.stderr


async def test_no_answer_exits_7(node: Node, run_cli: CliRun) -> None:
    async with connected_charger(node.ocpp_port, "CP-T", "1.6") as charger:
        charger.answers["Reset"] = Silence()
        result = await run_cli(
            "stations", "reset", "CP-T", "--timeout", "1", "--json", *server_args(node)
        )
    assert result.exit_code == 7, result.output
    assert json_out(result)["status"] == "timeout"
    assert "did not answer in time" in result.stderr


async def test_an_offline_station_exits_6(node: Node, run_cli: CliRun) -> None:
    await admin(node, "PUT", "/stations/CP-OFF", body={})
    result = await run_cli("stations", "reset", "CP-OFF", *server_args(node))
    assert result.exit_code == 6, result.output
    assert "CP-OFF is not connected" in result.stderr
    status, body, _ = await admin(
        node, "POST", "/stations/CP-OFF/commands", body={"command": "reset"}
    )
    assert (status, body["error"]) == (409, "station_offline")
    assert body["command"]["status"] == "failed"  # the attempt is on record


async def test_an_unknown_station_exits_5(node: Node, run_cli: CliRun) -> None:
    result = await run_cli("stations", "start", "NOPE", "--id-tag", "T", *server_args(node))
    assert result.exit_code == 5
    assert "unknown station 'NOPE'" in result.stderr


async def test_the_server_down_exits_3(run_cli: CliRun) -> None:
    result = await run_cli("stations", "reset", "CP", "--server", "http://127.0.0.1:9")
    assert result.exit_code == 3
    assert "cannot reach the Laddpunkt server" in result.stderr


async def test_a_raw_call_that_breaks_the_schema_fails(node: Node, run_cli: CliRun) -> None:
    async with connected_charger(node.ocpp_port, "CP-S", "1.6") as charger:
        result = await run_cli(
            "stations",
            "call",
            "CP-S",
            "Reset",
            "--payload",
            '{"type": "Sideways"}',
            *server_args(node),
        )
    assert result.exit_code == 1
    assert charger.received == []  # never sent


async def test_bad_payload_json_is_a_usage_error(run_cli: CliRun) -> None:
    result = await run_cli("stations", "call", "CP", "Reset", "--payload", "{oops")
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr


async def test_commands_list_and_show(node: Node, run_cli: CliRun) -> None:
    async with connected_charger(node.ocpp_port, "CP-L", "1.6"):
        sent = await run_cli("stations", "reset", "CP-L", "--hard", "--json", *server_args(node))
    command_id = json_out(sent)["id"]
    listed = await run_cli("commands", "list", "--station", "CP-L", "--json", *server_args(node))
    assert [(c["id"], c["command"], c["status"]) for c in json_out(listed)] == [
        (command_id, "reset", "accepted")
    ]
    shown = await run_cli("commands", "show", command_id, "--json", *server_args(node))
    assert json_out(shown)["request"]["hard"] is True
    table = await run_cli("commands", "list", *server_args(node))
    assert "CP-L" in table.stdout
    missing = await run_cli("commands", "show", "no-such-id", *server_args(node))
    assert missing.exit_code == 5


# --- the API's own checks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"command": "explode"}, "unknown command 'explode'"),
        ({"command": "reset", "params": {"hard": True, "soft": 1}}, "no field(s) soft"),
        ({"command": "unlock", "params": {"evse_id": 0}}, "at least 1"),
        ({"command": "stop_charging"}, "stop_charging needs field(s) transaction_ref"),
        ({"command": "reset", "timeout": 0}, None),
        ({"command": "reset", "extra": 1}, None),
    ],
)
async def test_bad_command_bodies_are_422(
    node: Node, body: dict[str, Any], detail: str | None
) -> None:
    await admin(node, "PUT", "/stations/CP-B", body={})
    status, answer, _ = await admin(node, "POST", "/stations/CP-B/commands", body=body)
    assert (status, answer["error"]) == (422, "invalid_request")
    if detail is not None:
        assert detail in answer["detail"]


async def test_submit_without_waiting_is_202(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-W", "1.6") as charger:
        status, record, _ = await admin(
            node,
            "POST",
            "/stations/CP-W/commands",
            body={"command": "reset", "params": {"hard": True}, "wait": False},
        )
        assert status == 202
        assert record["status"] in ("pending", "sent", "accepted")
        call = await charger.next_call()
    assert call.action == "Reset"
    status, listed, _ = await admin(node, "GET", "/commands?station_id=CP-W")
    assert [c["id"] for c in listed] == [record["id"]]


async def test_configuration_read_by_a_command_shows_as_variables(
    node: Node, run_cli: CliRun
) -> None:
    async with connected_charger(node.ocpp_port, "CP-V", "1.6") as charger:
        charger.answers["GetConfiguration"] = Reply(
            {
                "configurationKey": [
                    {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                    {"key": "NumberOfConnectors", "readonly": True, "value": "2"},
                ]
            }
        )
        status, record, _ = await admin(
            node, "POST", "/stations/CP-V/commands", body={"command": "get_configuration"}
        )
    assert (status, record["status"]) == (200, "accepted")
    result = await run_cli("stations", "variables", "CP-V", "--json", *server_args(node))
    assert result.exit_code == 0, result.output
    keys = {v["variable"]: (v["value"], v["mutability"]) for v in json_out(result)}
    assert keys == {
        "HeartbeatInterval": ("300", "ReadWrite"),
        "NumberOfConnectors": ("2", "ReadOnly"),
    }
    table = await run_cli("stations", "variables", "CP-V", *server_args(node))
    assert "NumberOfConnectors" in table.stdout
    shown = await run_cli("stations", "show", "CP-V", "--json", *server_args(node))
    assert json_out(shown)["variable_count"] == 2
