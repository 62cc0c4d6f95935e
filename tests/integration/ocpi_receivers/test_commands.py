"""Commands Receiver interface on a whole node: the eMSP's commands reach a test charger
(1.6 and 2.0.1) and the CommandResult comes back to its response_url."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from cli.node import Node
from shared.store.tables import transactions
from tests.integration.commands.charger import Charger, Reply, Silence, connected_charger
from tests.integration.ocpi.fake_partner import FakePartner
from tests.integration.ocpi_receivers.node_setup import (
    RESULT_PATH,
    Site,
    db_settings,
    node,
    publish,
    register_partner,
    wait_for_post,
)
from tests.integration.ocpi_receivers.test_tokens import token

__all__ = ["db_settings", "node"]

STATION = "CP-OCPI-1"


@pytest.fixture
async def site(node: Node) -> AsyncIterator[Site]:
    partner = FakePartner()
    await partner.start()
    try:
        yield await register_partner(node, partner)
    finally:
        await partner.stop()


def start_body(site: Site, evse_uid: str, **changes: Any) -> dict[str, Any]:
    body = {
        "response_url": site.response_url,
        "token": token(whitelist="NEVER"),
        "location_id": "LOC1",
        "evse_uid": evse_uid,
        "connector_id": "1",
    }
    body.update(changes)
    return body


def accepted(answer: Any) -> None:
    assert (answer.status, answer.code) == (200, 1000), answer.body
    assert answer.data["result"] == "ACCEPTED", answer.data
    assert answer.data["timeout"] > 0


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_start_then_stop_session(node: Node, site: Site, version: str) -> None:
    async with connected_charger(node.ocpp_port, STATION, version) as charger:
        evse_uid = await publish(node, charger, STATION)
        accepted(await site.call("POST", "/commands/START_SESSION", start_body(site, evse_uid)))
        call = await charger.next_call()
        while call.action not in ("RemoteStartTransaction", "RequestStartTransaction"):
            call = await charger.next_call()
        assert call.violation is None
        tag = call.payload.get("idTag") or call.payload["idToken"]["idToken"]
        assert tag == "04AB1234"
        posts = await wait_for_post(site.partner, RESULT_PATH)
        assert posts[0].body == {"result": "ACCEPTED"}
        headers = posts[0].headers
        assert (headers["OCPI-to-country-code"], headers["OCPI-to-party-id"]) == ("NL", "EMS")
        assert (headers["OCPI-from-country-code"], headers["OCPI-from-party-id"]) == ("SE", "LDP")
        await _charger_starts(charger, version, call.payload)
        session_id = await _session_id(node)
        stop = {"response_url": site.response_url, "session_id": session_id}
        accepted(await site.call("POST", "/commands/STOP_SESSION", stop))
        call = await charger.next_call()
        while call.action not in ("RemoteStopTransaction", "RequestStopTransaction"):
            call = await charger.next_call()
        posts = await wait_for_post(site.partner, RESULT_PATH, 2)
        assert posts[1].body == {"result": "ACCEPTED"}


async def _charger_starts(charger: Charger, version: str, request: dict[str, Any]) -> None:
    if version == "1.6":
        payload: dict[str, Any] = {
            "connectorId": 1,
            "idTag": request["idTag"],
            "meterStart": 0,
            "timestamp": "2024-03-01T08:00:00Z",
        }
        answer = await charger.call("StartTransaction", payload)
    else:
        payload = {
            "eventType": "Started",
            "timestamp": "2024-03-01T08:00:00Z",
            "triggerReason": "RemoteStart",
            "seqNo": 0,
            "transactionInfo": {
                "transactionId": "TX-OCPI-1",
                "remoteStartId": request["remoteStartId"],
            },
            "idToken": request["idToken"],
            "evse": {"id": 1, "connectorId": 1},
        }
        answer = await charger.call("TransactionEvent", payload)
    assert answer[0] == 3, answer


async def _session_id(node: Node) -> str:
    async with node.database.read() as conn:
        row = (await conn.execute(select(transactions.c.id, transactions.c.partner_id))).one()
    assert row.partner_id is not None
    return str(row.id)


async def test_results_follow_the_charger(node: Node, site: Site) -> None:
    async with connected_charger(node.ocpp_port, STATION, "1.6") as charger:
        evse_uid = await publish(node, charger, STATION)
        charger.answers["UnlockConnector"] = Reply({"status": "UnlockFailed"})
        charger.answers["ReserveNow"] = Silence()
        unlock = {
            "response_url": site.response_url,
            "location_id": "LOC1",
            "evse_uid": evse_uid,
            "connector_id": "1",
        }
        accepted(await site.call("POST", "/commands/UNLOCK_CONNECTOR", unlock))
        posts = await wait_for_post(site.partner, RESULT_PATH)
        assert posts[0].body["result"] == "REJECTED"
        reserve = {
            "response_url": site.response_url,
            "token": token(),
            "expiry_date": "2030-01-01T00:00:00Z",
            "reservation_id": "R-1",
            "location_id": "LOC1",
            "evse_uid": evse_uid,
        }
        accepted(await site.call("POST", "/commands/RESERVE_NOW", reserve))
        posts = await wait_for_post(site.partner, RESULT_PATH, 2)
        assert posts[1].body["result"] == "TIMEOUT"
        cancel = {"response_url": site.response_url, "reservation_id": "R-1"}
        refused = await site.call("POST", "/commands/CANCEL_RESERVATION", cancel)
        assert refused.data["result"] == "REJECTED", refused.data


async def test_immediate_refusals(node: Node, site: Site) -> None:
    async with connected_charger(node.ocpp_port, STATION, "1.6") as charger:
        evse_uid = await publish(node, charger, STATION)
        stop = {"response_url": site.response_url, "session_id": "999"}
        unknown = await site.call("POST", "/commands/STOP_SESSION", stop)
        assert (unknown.code, unknown.data["result"]) == (1000, "UNKNOWN_SESSION")
        nowhere = await site.call(
            "POST", "/commands/START_SESSION", start_body(site, "NO-SUCH-EVSE")
        )
        assert nowhere.data["result"] == "REJECTED"
        assert nowhere.data["message"][0]["text"]
        bad = await site.call("POST", "/commands/START_SESSION", {"response_url": "x"})
        assert (bad.status, bad.code) == (200, 2001), bad.body
        malformed = await site.call("POST", "/commands/START_SESSION", data=b"{")
        assert (malformed.status, malformed.code) == (400, 2001), malformed.body
        other = await site.call("POST", "/commands/SELF_DESTRUCT", start_body(site, evse_uid))
        assert (other.status, other.code) == (404, 2001), other.body
        assert charger.received == []
    assert not [r for r in site.partner.requests if r.path.endswith(RESULT_PATH)]
