"""Registration both ways against a fake partner on a real socket (credentials module)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ocpi_gateway.client import OcpiClient
from ocpi_gateway.errors import (
    NoMatchingEndpointsError,
    PartnerApiError,
    UnsupportedVersionError,
)
from ocpi_gateway.v221.registration import connect, disconnect
from shared.store.partners import get_partner, list_partners
from shared.store.tables import partners
from tests.integration.ocpi.conftest import Gateway, register
from tests.integration.ocpi.fake_partner import FakePartner


async def test_partner_registers_with_token_a_and_gets_token_c(
    gateway: Gateway, partner: FakePartner
) -> None:
    token_a = await gateway.invite("Fake eMSP")
    partner.token_for_us = "token-b"
    answer = await gateway.call(
        "POST", "/2.2.1/credentials", token_a, json=partner.credentials("token-b")
    )
    assert (answer.status, answer.code) == (200, 1000), answer.body
    token_c = answer.data["token"]
    assert token_c not in (token_a, "token-b")
    assert answer.data["url"] == f"{gateway.base}/versions"
    assert answer.data["roles"] == [
        {
            "role": "CPO",
            "business_details": {"name": "Laddpunkt"},
            "party_id": "LDP",
            "country_code": "SE",
        }
    ]
    # We fetched the partner's versions and details with its Token B.
    fetched = [(r.method, r.path) for r in partner.requests]
    assert fetched == [("GET", "/ocpi/emsp/versions"), ("GET", "/ocpi/emsp/2.2.1")]
    async with gateway.database.read() as conn:
        (stored,) = await list_partners(conn)
        row = (await conn.execute(select(partners))).one()
    assert stored.status == "registered"
    assert [(r.role, r.country_code, r.party_id) for r in stored.roles] == [("EMSP", "NL", "EMS")]
    assert stored.endpoint("sessions", "RECEIVER") is not None
    assert stored.versions_url == partner.versions_url
    assert stored.version == "2.2.1"
    # Tokens we only check are stored hashed; the one we send is kept.
    assert token_c not in (row.incoming_token_hash or "")
    assert row.invite_token_hash is None
    assert row.outgoing_token == "token-b"
    # Token A stops working; Token C works.
    assert (await gateway.call("GET", "/versions", token_a)).status == 401
    assert (await gateway.call("GET", "/2.2.1/credentials", token_c)).code == 1000


async def test_token_a_only_on_versions_and_credentials(gateway: Gateway) -> None:
    token_a = await gateway.invite()
    assert (await gateway.call("GET", "/versions", token_a)).code == 1000
    assert (await gateway.call("GET", "/2.2.1", token_a)).code == 1000
    answer = await gateway.call("GET", "/2.2.1/credentials", token_a)
    assert answer.code == 1000
    assert answer.data["token"] == token_a
    refused = await gateway.call("GET", "/2.2.1/locations", token_a)
    assert refused.status == 401
    assert refused.code == 2000
    assert "versions and credentials" in refused.body["status_message"]


async def test_post_when_registered_and_put_delete_when_not_are_405(
    gateway: Gateway, partner: FakePartner, registered: str
) -> None:
    again = await gateway.call(
        "POST", "/2.2.1/credentials", registered, json=partner.credentials("x")
    )
    assert again.status == 405
    assert again.code == 2000
    token_a = await gateway.invite("second")
    for method in ("PUT", "DELETE"):
        answer = await gateway.call(
            method, "/2.2.1/credentials", token_a, json=partner.credentials("y")
        )
        assert answer.status == 405, (method, answer.body)
    patch = await gateway.call("PATCH", "/2.2.1/credentials", registered, json={})
    assert patch.status == 405


async def test_put_issues_new_token_and_refetches_endpoints(
    gateway: Gateway, partner: FakePartner, registered: str
) -> None:
    partner.modules.append(("hubclientinfo", "RECEIVER"))
    partner.token_for_us = "token-b2"
    before = len(partner.requests)
    answer = await gateway.call(
        "PUT", "/2.2.1/credentials", registered, json=partner.credentials("token-b2")
    )
    assert answer.code == 1000, answer.body
    new_token = answer.data["token"]
    assert new_token != registered
    assert len(partner.requests) == before + 2
    assert (await gateway.call("GET", "/versions", registered)).status == 401
    assert (await gateway.call("GET", "/versions", new_token)).code == 1000
    async with gateway.database.read() as conn:
        (stored,) = await list_partners(conn)
    assert stored.endpoint("hubclientinfo", "RECEIVER") is not None


async def test_delete_unregisters(gateway: Gateway, registered: str) -> None:
    answer = await gateway.call("DELETE", "/2.2.1/credentials", registered)
    assert (answer.status, answer.code) == (200, 1000)
    assert "data" not in answer.body
    assert (await gateway.call("GET", "/versions", registered)).status == 401


async def test_unreachable_partner_is_3001_and_nothing_changes(
    gateway: Gateway, partner: FakePartner
) -> None:
    token_a = await gateway.invite()
    partner.fail_versions = True
    partner.token_for_us = "token-b"
    answer = await gateway.call(
        "POST", "/2.2.1/credentials", token_a, json=partner.credentials("token-b")
    )
    assert (answer.status, answer.code) == (200, 3001), answer.body
    # Token A still works: the registration can be retried.
    assert (await gateway.call("GET", "/versions", token_a)).code == 1000


async def test_partner_without_2_2_1_is_3002(gateway: Gateway, partner: FakePartner) -> None:
    token_a = await gateway.invite()
    partner.versions = ["2.1.1"]
    partner.token_for_us = "token-b"
    answer = await gateway.call(
        "POST", "/2.2.1/credentials", token_a, json=partner.credentials("token-b")
    )
    assert answer.code == 3002


async def test_partner_lacking_credentials_module_is_3003(
    gateway: Gateway, partner: FakePartner
) -> None:
    token_a = await gateway.invite()
    partner.modules = [("locations", "RECEIVER")]
    partner.token_for_us = "token-b"
    answer = await gateway.call(
        "POST", "/2.2.1/credentials", token_a, json=partner.credentials("token-b")
    )
    assert answer.code == 3003, answer.body


async def test_invalid_credentials_body_is_2001(gateway: Gateway) -> None:
    token_a = await gateway.invite()
    bad = {"token": "has space", "url": "not a url", "roles": []}
    answer = await gateway.call("POST", "/2.2.1/credentials", token_a, json=bad)
    assert (answer.status, answer.code) == (200, 2001)
    assert answer.body["status_message"].startswith("token:")
    malformed = await gateway.call("POST", "/2.2.1/credentials", token_a, data=b"{not json")
    assert (malformed.status, malformed.code) == (400, 2001)
    # Nothing changed: still invited.
    async with gateway.database.read() as conn:
        (stored,) = await list_partners(conn)
    assert stored.status == "invited"


async def test_we_register_with_a_partner(gateway: Gateway, partner: FakePartner) -> None:
    async with OcpiClient(timeout=5) as client:
        registered = await connect(
            gateway.services, client, partner.versions_url, partner.token_for_us, "Fake eMSP"
        )
    assert registered.status == "registered"
    assert [(r.role, r.party_id) for r in registered.roles] == [("EMSP", "EMS")]
    # The partner called our versions with the token we gave it, during our POST.
    assert partner.callback_answers
    assert partner.callback_answers[0]["status_code"] == 1000
    token_b = partner.our_token
    assert token_b is not None
    assert (await gateway.call("GET", "/2.2.1/credentials", token_b)).code == 1000
    assert (await gateway.call("GET", "/2.2.1/locations", token_b)).code == 1000
    async with gateway.database.read() as conn:
        row = (await conn.execute(select(partners))).one()
    assert row.outgoing_token == "partner-token-c-0002"
    assert row.outgoing_token_base64 is True


async def test_raw_token_partner_gets_raw_tokens_and_it_is_remembered(
    gateway: Gateway, partner: FakePartner
) -> None:
    partner.raw_tokens_only = True
    async with OcpiClient(timeout=5) as client:
        registered = await connect(
            gateway.services, client, partner.versions_url, partner.token_for_us, "Old eMSP"
        )
    assert registered.outgoing_token_base64 is False
    headers = [r.headers["Authorization"] for r in partner.requests]
    assert headers[-1] == "Token partner-token-a-0001"


async def test_connect_errors_are_typed_and_leave_nothing_behind(
    gateway: Gateway, partner: FakePartner
) -> None:
    url, token = partner.versions_url, "partner-token-a-0001"
    async with OcpiClient(timeout=5) as client:
        partner.versions = ["2.1.1"]
        with pytest.raises(UnsupportedVersionError):
            await connect(gateway.services, client, url, token, "x")
        partner.versions = ["2.2.1"]
        partner.modules = [("locations", "RECEIVER")]
        with pytest.raises(NoMatchingEndpointsError):
            await connect(gateway.services, client, url, token, "x")
        with pytest.raises(PartnerApiError, match="versions"):
            await connect(gateway.services, client, url, "wrong-token", "x")
    async with gateway.database.read() as conn:
        assert await list_partners(conn) == []


async def test_disconnect_tells_the_partner(gateway: Gateway, partner: FakePartner) -> None:
    async with OcpiClient(timeout=5) as client:
        registered = await connect(
            gateway.services, client, partner.versions_url, partner.token_for_us, "eMSP"
        )
        warning = await disconnect(gateway.services, client, registered)
    assert warning is None
    assert partner.requests[-1].method == "DELETE"
    async with gateway.database.read() as conn:
        stored = await get_partner(conn, registered.id)
    assert stored is not None
    assert stored.status == "unregistered"


async def test_register_helper(gateway: Gateway, partner: FakePartner) -> None:
    token = await register(gateway, partner)
    assert (await gateway.call("GET", "/versions", token)).code == 1000


@pytest.mark.parametrize(
    "example",
    [
        "credentials_example.json",
        "credentials_example2.json",
        "credentials_example3.json",
        "credentials_example4.json",
    ],
)
async def test_spec_credentials_examples_register(
    gateway: Gateway, partner: FakePartner, example: str
) -> None:
    from tests.integration.ocpi.helpers import spec_example

    body = spec_example(example)
    partner.token_for_us = body["token"]
    body["url"] = partner.versions_url
    token_a = await gateway.invite()
    answer = await gateway.call("POST", "/2.2.1/credentials", token_a, json=body)
    assert answer.code == 1000, answer.body
    async with gateway.database.read() as conn:
        (stored,) = await list_partners(conn)
    assert [(r.role, r.country_code, r.party_id) for r in stored.roles] == [
        (r["role"], r["country_code"], r["party_id"]) for r in body["roles"]
    ]
