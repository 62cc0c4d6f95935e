"""Transport and format: envelope, tokens, ids, routing headers, versions, unknown URLs."""

from __future__ import annotations

import base64

import pytest

from ocpi_gateway.v221.models import OcpiResponse, VersionDetails
from tests.integration.ocpi.conftest import Gateway

PATHS = ["/versions", "/2.2.1", "/2.2.1/credentials", "/2.2.1/locations", "/2.2.1/tariffs"]


@pytest.mark.parametrize("path", [*PATHS, "/2.2.1/sessions", "/2.2.1/cdrs", "/2.2.1/nope"])
async def test_missing_or_unknown_token_is_401_in_an_envelope(gateway: Gateway, path: str) -> None:
    for headers in (
        {},
        {"Authorization": "Token " + base64.b64encode(b"unknown").decode()},
        {"Authorization": "Token unknown"},
        {"Authorization": "Bearer something"},
        {"Authorization": "Token " + "A" * 600},
    ):
        answer = await gateway.call("GET", path, headers=headers)
        assert answer.status == 401, (path, headers)
        assert answer.code == 2000
        assert answer.body["status_message"]
        assert "timestamp" in answer.body
        assert "data" not in answer.body


async def test_raw_and_base64_tokens_both_work(gateway: Gateway, registered: str) -> None:
    assert (await gateway.call("GET", "/2.2.1/locations", registered)).code == 1000
    raw = await gateway.call("GET", "/2.2.1/locations", registered, raw_token=True)
    assert raw.code == 1000
    # `echo token | base64` adds a newline; it is not part of the token.
    newline = base64.b64encode(registered.encode() + b"\n").decode()
    answer = await gateway.call(
        "GET", "/2.2.1/locations", headers={"Authorization": f"Token {newline}"}
    )
    assert answer.code == 1000


async def test_envelope_and_versions(gateway: Gateway, registered: str) -> None:
    answer = await gateway.call("GET", "/versions", registered)
    envelope = OcpiResponse[list[dict[str, str]]].model_validate(answer.body)
    assert envelope.status_code == 1000
    assert envelope.data == [{"version": "2.2.1", "url": f"{gateway.base}/2.2.1"}]
    assert answer.headers["Content-Type"].startswith("application/json")
    details = await gateway.call("GET", "/2.2.1/", registered)
    parsed = VersionDetails.model_validate(details.data)
    endpoints = {(str(e.identifier), str(e.role)): e.url for e in parsed.endpoints}
    assert endpoints == {
        ("credentials", "SENDER"): f"{gateway.base}/2.2.1/credentials",
        ("locations", "SENDER"): f"{gateway.base}/2.2.1/locations",
        ("tariffs", "SENDER"): f"{gateway.base}/2.2.1/tariffs",
        ("sessions", "SENDER"): f"{gateway.base}/2.2.1/sessions",
        ("cdrs", "SENDER"): f"{gateway.base}/2.2.1/cdrs",
    } | {key: url for key, url in endpoints.items() if key[0] not in _MINE}
    # Every endpoint listed answers.
    for (module, role), url in endpoints.items():
        if module in _MINE and role == "SENDER":
            assert (await gateway.call("GET", url, registered)).code == 1000, url


_MINE = {"credentials", "locations", "tariffs", "sessions", "cdrs"}


async def test_request_and_correlation_ids(gateway: Gateway, registered: str) -> None:
    sent = {"X-Request-ID": "req-1", "X-Correlation-ID": "corr-1"}
    answer = await gateway.call("GET", "/2.2.1/locations", registered, headers=sent)
    assert answer.headers["X-Request-ID"] == "req-1"
    assert answer.headers["X-Correlation-ID"] == "corr-1"
    made_up = await gateway.call("GET", "/2.2.1/locations", registered)
    assert len(made_up.headers["X-Request-ID"]) == 36
    assert len(made_up.headers["X-Correlation-ID"]) == 36
    failed = await gateway.call("GET", "/2.2.1/locations", "nope", headers=sent)
    assert failed.headers["X-Request-ID"] == "req-1"


async def test_routing_headers(gateway: Gateway, registered: str) -> None:
    to_us = {
        "OCPI-to-country-code": "se",
        "OCPI-to-party-id": "ldp",
        "OCPI-from-country-code": "NL",
        "OCPI-from-party-id": "EMS",
    }
    answer = await gateway.call("GET", "/2.2.1/locations", registered, headers=to_us)
    assert answer.code == 1000
    assert answer.headers["OCPI-to-country-code"] == "NL"
    assert answer.headers["OCPI-to-party-id"] == "EMS"
    assert answer.headers["OCPI-from-country-code"] == "SE"
    assert answer.headers["OCPI-from-party-id"] == "LDP"
    # Configuration modules take no routing headers and answer none.
    versions = await gateway.call("GET", "/versions", registered, headers=to_us)
    assert "OCPI-from-party-id" not in versions.headers
    elsewhere = {**to_us, "OCPI-to-party-id": "XYZ"}
    refused = await gateway.call("GET", "/2.2.1/locations", registered, headers=elsewhere)
    assert (refused.status, refused.code) == (404, 2000)
    too_long = {**to_us, "OCPI-from-party-id": "TOOLONG"}
    bad = await gateway.call("GET", "/2.2.1/locations", registered, headers=too_long)
    assert (bad.status, bad.code) == (200, 2001)


async def test_unknown_urls_and_versions(gateway: Gateway, registered: str) -> None:
    unknown = await gateway.call("GET", "/2.2.1/nomodule", registered)
    assert (unknown.status, unknown.code) == (404, 2000)
    old = await gateway.call("GET", "/2.1.1/locations", registered)
    assert (old.status, old.code) == (404, 3002)
    assert "2.1.1" in old.body["status_message"]
    method = await gateway.call("DELETE", "/2.2.1/tariffs", registered)
    assert (method.status, method.code) == (405, 2000)


async def test_body_too_large_is_refused(gateway: Gateway, registered: str) -> None:
    big = b'{"profile_type": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    answer = await gateway.call(
        "PUT", "/2.2.1/sessions/1/charging_preferences", registered, data=big
    )
    assert answer.status == 413
    assert answer.code == 2001


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"token": "x" * 65}, "token: longer than 64"),
        ({"token": 12345}, "token: expected a string"),
        ({"url": "ftp:/nope"}, "url:"),
        ({"roles": []}, "roles: must contain at least 1"),
        ({"roles": "EMSP"}, "roles: expected an array"),
        ({"roles": [{"role": "KING"}]}, "roles[0].role"),
        ({"token": None}, "token:"),
    ],
)
async def test_bad_credentials_change_nothing(
    gateway: Gateway, change: dict[str, object], message: str
) -> None:
    from shared.store.partners import list_partners

    token_a = await gateway.invite()
    body = {
        "token": "token-b",
        "url": "http://127.0.0.1:1/versions",
        "roles": [
            {
                "role": "EMSP",
                "party_id": "EMS",
                "country_code": "NL",
                "business_details": {"name": "x"},
            }
        ],
    }
    body.update(change)
    answer = await gateway.call("POST", "/2.2.1/credentials", token_a, json=body)
    assert (answer.status, answer.code) == (200, 2001), answer.body
    assert answer.body["status_message"].startswith(message)
    async with gateway.database.read() as conn:
        (stored,) = await list_partners(conn)
    assert stored.status == "invited"
    assert (await gateway.call("GET", "/versions", token_a)).code == 1000


@pytest.mark.parametrize(
    "body",
    [
        {"profile_type": "REGULAR", "energy_need": "20"},
        {"profile_type": "REGULAR", "discharge_allowed": "yes"},
        {"profile_type": "REGULAR", "departure_time": "soon"},
        {},
        [],
    ],
)
async def test_bad_charging_preferences(gateway: Gateway, registered: str, body: object) -> None:
    answer = await gateway.call(
        "PUT", "/2.2.1/sessions/1/charging_preferences", registered, json=body
    )
    assert (answer.status, answer.code) == (200, 2001), answer.body
