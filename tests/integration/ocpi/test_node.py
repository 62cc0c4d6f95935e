"""The whole chain in one node: `csms` commands, a charger on OCPP, a partner on OCPI."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from cli.node import Node
from shared.config import DatabaseSettings
from tests.conftest import drop_schema, free_port, make_database_settings
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.cli.helpers import ADMIN_TOKEN, CliRun, cli_env, server_args
from tests.integration.ocpi.conftest import Answer
from tests.integration.ocpi.fake_partner import FakePartner
from tests.integration.ocpi.helpers import evse_doc, location_doc, tariff_doc


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_settings(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DatabaseSettings]:
    settings, schema = await make_database_settings(request.param, tmp_path)
    try:
        yield settings
    finally:
        await drop_schema(schema)


@pytest.fixture
async def node(db_settings: DatabaseSettings) -> AsyncIterator[Node]:
    port = free_port()
    settings = node_settings(
        db_settings,
        http={"admin_token": ADMIN_TOKEN, "port": port},
        ocpi={"public_url": f"http://127.0.0.1:{port}"},
    )
    async with running_node(settings) as running:
        yield running


async def _get(node: Node, path: str, token: str) -> Answer:
    import base64

    header = {"Authorization": "Token " + base64.b64encode(token.encode()).decode()}
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{node.http_port}/ocpi{path}"
        async with session.get(url, headers=header) as response:
            return Answer(response.status, response.headers, await response.json())


def _write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


async def test_operator_charger_and_partner(
    node: Node, db_settings: DatabaseSettings, tmp_path: Path
) -> None:
    run = CliRun(cli_env(db_settings))
    server = server_args(node)
    invited = await run(*server, "partners", "invite", "--name", "Fake eMSP", "--json")
    assert invited.exit_code == 0, invited.output
    invitation = json.loads(invited.output)
    assert set(invitation) == {"token_a", "versions_url"}
    assert invitation["versions_url"] == f"http://127.0.0.1:{node.http_port}/ocpi/versions"

    partner = FakePartner(token_for_us="token-b")
    await partner.start()
    try:
        async with aiohttp.ClientSession() as session:
            import base64

            token_a = base64.b64encode(invitation["token_a"].encode()).decode()
            async with session.post(
                f"http://127.0.0.1:{node.http_port}/ocpi/2.2.1/credentials",
                json=partner.credentials("token-b"),
                headers={"Authorization": f"Token {token_a}"},
            ) as response:
                registered = await response.json()
        assert registered["status_code"] == 1000, registered
        token_c = registered["data"]["token"]
    finally:
        await partner.stop()

    tariffs = await run(*server, "tariffs", "import", _write(tmp_path, "t.json", tariff_doc("T1")))
    assert tariffs.exit_code == 0, tariffs.output
    site = location_doc("LOC1", evses=[evse_doc("HALL-1", "1")])
    imported = await run(
        *server, "locations", "import", _write(tmp_path, "l.json", [site]), "--json"
    )
    assert json.loads(imported.output) == {"created": ["LOC1"], "updated": []}

    async with ocpp_client(node.ocpp_port, "CP-1", "1.6") as charger:
        boot = await charger.call(
            "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}
        )
        assert boot[2]["status"] == "Accepted"
        for connector in (1, 2):
            await charger.call(
                "StatusNotification",
                {"connectorId": connector, "errorCode": "NoError", "status": "Available"},
            )
        linked = await run(*server, "locations", "link", "LOC1", "CP-1", "--tariff", "T1", "--json")
        assert linked.exit_code == 0, linked.output
        assert json.loads(linked.output)["evses"] == [
            {"evse_id": 1, "uid": "HALL-1"},
            {"evse_id": 2, "uid": "CP-1-2"},
        ]
        before = await _get(node, "/2.2.1/locations/LOC1", token_c)
        statuses = [(e["uid"], e["status"]) for e in before.data["evses"]]
        assert statuses == [("HALL-1", "AVAILABLE"), ("CP-1-2", "AVAILABLE")]
        assert before.data["evses"][0]["connectors"][0]["tariff_ids"] == ["T1"]
        await charger.call(
            "StatusNotification",
            {"connectorId": 2, "errorCode": "NoError", "status": "Charging"},
        )
        after = await _get(node, "/2.2.1/locations/LOC1", token_c)
        assert after.data["evses"][1]["status"] == "CHARGING"
        assert after.data["last_updated"] > before.data["last_updated"]
        changed = await _get(
            node, f"/2.2.1/locations?date_from={before.data['last_updated']}", token_c
        )
        assert [loc["id"] for loc in changed.data] == ["LOC1"]

    listed = await run(*server, "partners", "list", "--json")
    assert [p["status"] for p in json.loads(listed.output)] == ["registered"]


async def test_connect_and_remove_with_the_cli(node: Node, db_settings: DatabaseSettings) -> None:
    run = CliRun(cli_env(db_settings))
    server = server_args(node)
    partner = FakePartner()
    await partner.start()
    try:
        connected = await run(
            *server,  # --server URL --token ADMIN, before the sub-command
            "partners",
            "connect",
            "--versions-url",
            partner.versions_url,
            "--token",
            partner.token_for_us,
            "--json",
        )
        assert connected.exit_code == 0, connected.output
        created = json.loads(connected.output)
        assert created["status"] == "registered"
        assert partner.callback_answers[0]["status_code"] == 1000
        removed = await run(*server, "partners", "remove", str(created["id"]), "--json")
        assert removed.exit_code == 0, removed.output
        assert json.loads(removed.output)["warning"] is None
        assert partner.requests[-1].method == "DELETE"
        partner.versions = ["2.1.1"]
        failed = await run(
            *server,
            "partners",
            "connect",
            "--versions-url",
            partner.versions_url,
            "--token",
            "partner-token-c-0002",
        )
        assert failed.exit_code != 0
        assert "3002" in failed.output
    finally:
        await partner.stop()


async def test_imports_work_with_the_server_down(
    db_settings: DatabaseSettings, tmp_path: Path
) -> None:
    run = CliRun(cli_env(db_settings, CSMS_HTTP__PORT=str(free_port())))
    imported = await run(
        "locations", "import", _write(tmp_path, "l.json", location_doc("OFFLINE")), "--json"
    )
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout) == {
        "created": ["OFFLINE"],
        "updated": [],
    }
    bad = await run("locations", "import", _write(tmp_path, "b.json", {"id": "X"}))
    assert bad.exit_code == 1
    assert "missing required field" in bad.output
    invited = await run("partners", "invite", "--name", "Later", "--json")
    assert invited.exit_code == 0, invited.output
    assert "token_a" in json.loads(invited.stdout)
    tariffs = await run("tariffs", "import", _write(tmp_path, "t.json", tariff_doc("T9")))
    assert tariffs.exit_code == 0, tariffs.output
    linked = await run("locations", "link", "OFFLINE", "NO-SUCH-STATION")
    assert linked.exit_code == 5
    assert "unknown station" in linked.output


async def test_admin_api_errors(node: Node) -> None:
    base = f"http://127.0.0.1:{node.http_port}/admin"
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(f"{base}/locations", json={"id": "X"}) as response:
            assert response.status == 422
            assert "missing required field" in (await response.json())["detail"]
        async with session.post(f"{base}/locations", data=b"") as response:
            assert response.status == 422
        async with session.post(f"{base}/locations/NOPE/stations/CP", json={}) as response:
            assert response.status == 404
            assert "unknown location" in (await response.json())["detail"]
        async with session.delete(f"{base}/tariffs/NOPE") as response:
            assert response.status == 404
        async with session.delete(f"{base}/partners/999") as response:
            assert response.status == 404
        async with session.post(f"{base}/partners/invite", json={"name": ""}) as response:
            assert response.status == 422
        async with session.post(
            f"{base}/partners/connect",
            json={"versions_url": f"http://127.0.0.1:{free_port()}/v", "token": "t"},
        ) as response:
            assert response.status == 502
            assert "3001" in (await response.json())["detail"]
        async with session.post(f"{base}/tariffs", json=tariff_doc("T1")) as response:
            assert response.status == 201
        async with session.post(f"{base}/tariffs", json=tariff_doc("T1")) as response:
            assert response.status == 200
            assert await response.json() == {"created": [], "updated": ["T1"]}
        async with session.delete(f"{base}/tariffs/T1") as response:
            assert response.status == 200
    async with aiohttp.ClientSession() as anonymous:
        async with anonymous.post(f"{base}/partners/invite", json={"name": "x"}) as response:
            assert response.status == 401
