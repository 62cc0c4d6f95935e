"""HubClientInfo Receiver interface: a hub PUTs the ClientInfo of the parties it serves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from shared.store.hub_client_info import get_client
from shared.store.tables import hub_client_info
from tests.integration.ocpi.conftest import Gateway, register
from tests.integration.ocpi.fake_partner import FakePartner

URL = "/2.2.1/hubclientinfo/NL/ABC"


def info(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "country_code": "NL",
        "party_id": "ABC",
        "role": "EMSP",
        "status": "CONNECTED",
        "last_updated": "2024-03-01T08:00:00Z",
    }
    body.update(changes)
    return body


async def register_hub(gateway: Gateway, partner: FakePartner) -> str:
    token_a = await gateway.invite("Hub")
    partner.token_for_us = "partner-token-b-0001"
    credentials = partner.credentials("partner-token-b-0001")
    credentials["roles"][0]["role"] = "HUB"
    answer = await gateway.call("POST", "/2.2.1/credentials", token_a, json=credentials)
    assert answer.code == 1000, answer.body
    return str(answer.data["token"])


async def _rows(gateway: Gateway) -> int:
    async with gateway.database.read() as conn:
        query = select(func.count()).select_from(hub_client_info)
        return int((await conn.execute(query)).scalar_one())


async def test_hub_puts_and_gets_client_info(gateway: Gateway, partner: FakePartner) -> None:
    hub = await register_hub(gateway, partner)
    answer = await gateway.call("PUT", URL, hub, json=info())
    assert (answer.status, answer.code) == (200, 1000), answer.body
    assert (await gateway.call("GET", URL, hub)).data == info()
    offline = info(status="OFFLINE", last_updated="2024-03-01T09:00:00Z")
    assert (
        await gateway.call("PUT", "/2.2.1/hubclientinfo/nl/abc", hub, json=offline)
    ).code == 1000
    await gateway.call(
        "PUT", "/2.2.1/hubclientinfo/DE/XYZ", hub, json=info(country_code="DE", party_id="XYZ")
    )
    listed = await gateway.call("GET", "/2.2.1/hubclientinfo", hub)
    assert [(c["country_code"], c["status"]) for c in listed.data] == [
        ("DE", "CONNECTED"),
        ("NL", "OFFLINE"),
    ]
    async with gateway.database.read() as conn:
        stored = await get_client(conn, "NL", "ABC")
    assert stored is not None
    assert stored.status == "OFFLINE"


async def test_bad_input_changes_nothing(gateway: Gateway, partner: FakePartner) -> None:
    hub = await register_hub(gateway, partner)
    cases: list[tuple[str, Any, int, int]] = [
        (URL, info(party_id="XYZ"), 200, 2001),
        (URL, info(status="ASLEEP"), 200, 2001),
        (URL, info(role="KING"), 200, 2001),
        (URL, {k: v for k, v in info().items() if k != "last_updated"}, 200, 2001),
        ("/2.2.1/hubclientinfo/SE/LDP", info(country_code="SE", party_id="LDP"), 200, 2001),
        ("/2.2.1/hubclientinfo/NLX/ABC", info(), 200, 2001),
    ]
    for path, body, http, code in cases:
        answer = await gateway.call("PUT", path, hub, json=body)
        assert (answer.status, answer.code) == (http, code), (path, body, answer.body)
    malformed = await gateway.call("PUT", URL, hub, data=b"{")
    assert (malformed.status, malformed.code) == (400, 2001)
    unknown = await gateway.call("GET", URL, hub)
    assert (unknown.status, unknown.code) == (404, 2001), unknown.body
    assert await _rows(gateway) == 0


async def test_only_hubs_put(gateway: Gateway, partner: FakePartner) -> None:
    emsp = await register(gateway, partner)
    answer = await gateway.call("PUT", URL, emsp, json=info())
    assert (answer.status, answer.code) == (403, 2001), answer.body
    assert (await gateway.call("PUT", URL, None, json=info())).status == 401
    assert await _rows(gateway) == 0
