"""The simulator's credentials handshake against a fake CPO, both directions."""

from __future__ import annotations

import base64

import pytest

from simulators.emsp import CpoCallError, EmspSimulator, RegistrationError

from .fake_cpo import FakeCpo


async def test_register_exchanges_tokens_and_fetches_endpoints(
    cpo: FakeCpo, emsp: EmspSimulator
) -> None:
    token_a = cpo.token_a
    credentials = await emsp.register(cpo.versions_url, token_a)

    assert credentials["token"] == cpo.token_c
    assert emsp.party.outgoing_token == cpo.token_c
    assert emsp.party.has_endpoint("commands", "RECEIVER")
    # The CPO fetched our versions and details with Token B, which it now holds.
    assert cpo.emsp_token in emsp.party.incoming_tokens
    assert ("locations", "RECEIVER") in cpo.emsp_endpoints
    post = next(seen for seen in cpo.received if seen.method == "POST")
    assert post.headers["Authorization"] == "Token " + base64.b64encode(token_a.encode()).decode()
    assert post.body["roles"][0]["role"] == "EMSP"
    # Later calls use Token C, and the fake CPO refuses the spent Token A.
    pulled = await emsp.pull("locations")
    assert pulled.objects == []
    with pytest.raises(CpoCallError) as refused:
        await emsp.register(cpo.versions_url, token_a)
    assert refused.value.http_status == 401
    assert emsp.problems == []


async def test_register_refuses_a_cpo_without_locations(cpo: FakeCpo, emsp: EmspSimulator) -> None:
    cpo.modules = [m for m in cpo.modules if m[0] != "locations"]
    with pytest.raises(RegistrationError, match="locations SENDER"):
        await emsp.register(cpo.versions_url, cpo.token_a)
    # credentials, *Required endpoints not available*: no POST was sent.
    assert not any(seen.method == "POST" for seen in cpo.received)


async def test_cpo_registers_with_us_using_our_token_a(cpo: FakeCpo, emsp: EmspSimulator) -> None:
    token_a = emsp.issue_token_a()
    status, answer = await cpo.connect(emsp.versions_url, token_a)

    assert (status, answer["status_code"]) == (200, 1000)
    assert emsp.party.registered
    assert emsp.party.outgoing_token == cpo.token_c
    assert answer["data"]["token"] in emsp.party.incoming_tokens
    # Token A is spent: the versions endpoint refuses it now.
    status, _ = await cpo.fetch(emsp.versions_url, token_a)
    assert status == 401
    # A second POST with the new token is refused with 405 (credentials, *POST*).
    status, _, _ = await cpo.push("POST", "credentials", body=cpo.credentials())
    assert status == 405


async def test_unregister_and_update(cpo: FakeCpo, registered: EmspSimulator) -> None:
    old_b = set(registered.party.incoming_tokens)
    await registered.update_credentials()
    assert registered.party.incoming_tokens.isdisjoint(old_b)
    assert cpo.emsp_token in registered.party.incoming_tokens

    answer = await registered.unregister()
    assert answer.ok
    assert not registered.party.registered
    status, _, _ = await cpo.push("PUT", "sessions", "SE/CPO/S1", {"id": "S1"})
    assert status == 401


async def test_unknown_token_is_401(cpo: FakeCpo, registered: EmspSimulator) -> None:
    status, answer, _ = await cpo.push(
        "GET", "tokens", headers={"Authorization": "Token " + base64.b64encode(b"nope").decode()}
    )
    assert status == 401
    assert answer["status_code"] == 2000
