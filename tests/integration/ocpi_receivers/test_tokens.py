"""Tokens Receiver interface: PUT/PATCH/GET by the eMSP, and the OCPP side authorizing them."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from shared.authorization import AuthorizationStatus, Authorizer, IdToken
from shared.store.tables import id_tokens
from tests.integration.ocpi.conftest import Gateway

NOW = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
URL = "/2.2.1/tokens/NL/EMS/04AB1234"


def token(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "country_code": "NL",
        "party_id": "EMS",
        "uid": "04AB1234",
        "type": "RFID",
        "contract_id": "NLEMSC00001234",
        "visual_number": "DF000-2001-8999-1",
        "issuer": "Fake eMSP",
        "group_id": "FAMILY-1",
        "valid": True,
        "whitelist": "ALLOWED",
        "language": "nl",
        "default_profile_type": "GREEN",
        "energy_contract": {"supplier_name": "Greenpower", "contract_id": "GP-1"},
        "last_updated": "2024-03-01T08:00:00Z",
    }
    body.update(changes)
    return body


async def _count(gateway: Gateway) -> int:
    async with gateway.database.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(id_tokens))).scalar_one())


async def test_put_then_get_returns_the_token(gateway: Gateway, registered: str) -> None:
    answer = await gateway.call("PUT", URL, registered, json=token())
    assert (answer.status, answer.code) == (200, 1000), answer.body
    got = await gateway.call("GET", URL + "?type=RFID", registered)
    assert (got.status, got.code) == (200, 1000), got.body
    assert got.data == token()
    async with gateway.database.read() as conn:
        row = (await conn.execute(select(id_tokens))).one()
    assert (row.source, row.status, row.whitelist, row.partner_id is not None) == (
        "NL*EMS",
        "Accepted",
        "ALLOWED",
        True,
    )


async def test_authorizer_decides_from_uploaded_tokens(gateway: Gateway, registered: str) -> None:
    authorizer = Authorizer(gateway.database)
    unknown = await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
    assert unknown.status is AuthorizationStatus.INVALID
    await gateway.call("PUT", URL, registered, json=token())
    accepted = await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
    assert (accepted.status, accepted.group_id) == (AuthorizationStatus.ACCEPTED, "FAMILY-1")
    later = (NOW + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    patched = await gateway.call(
        "PATCH", URL, registered, json={"valid": False, "last_updated": later}
    )
    assert (patched.status, patched.code) == (200, 1000), patched.body
    blocked = await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
    assert blocked.status is AuthorizationStatus.BLOCKED
    got = await gateway.call("GET", URL, registered)
    assert got.data == token(valid=False, last_updated=later)


async def test_put_replaces_the_token(gateway: Gateway, registered: str) -> None:
    await gateway.call("PUT", URL, registered, json=token())
    replaced = token(whitelist="NEVER", issuer="Other", group_id=None)
    del replaced["group_id"]
    answer = await gateway.call("PUT", URL, registered, json=replaced)
    assert answer.code == 1000, answer.body
    assert (await gateway.call("GET", URL, registered)).data == replaced
    assert await _count(gateway) == 1


async def test_unknown_token_is_2004(gateway: Gateway, registered: str) -> None:
    got = await gateway.call("GET", URL, registered)
    assert (got.status, got.code) == (404, 2004), got.body
    patched = await gateway.call(
        "PATCH", URL, registered, json={"valid": False, "last_updated": "2024-03-01T09:00:00Z"}
    )
    assert (patched.status, patched.code) == (404, 2004), patched.body
    await gateway.call("PUT", URL, registered, json=token())
    other_type = await gateway.call("GET", URL + "?type=APP_USER", registered)
    assert other_type.code == 2004, other_type.body


async def test_bad_input_changes_nothing(gateway: Gateway, registered: str) -> None:
    bad: list[tuple[str, str, Any, int, int]] = [
        ("PUT", URL, token(uid="OTHER"), 200, 2001),
        ("PUT", URL, token(country_code="DE"), 200, 2001),
        ("PUT", URL, token(type="APP_USER"), 200, 2001),
        ("PUT", URL, token(valid="yes"), 200, 2001),
        ("PUT", URL, token(issuer="x" * 65), 200, 2001),
        ("PUT", URL, {k: v for k, v in token().items() if k != "whitelist"}, 200, 2001),
        (
            "PUT",
            "/2.2.1/tokens/DE/XYZ/04AB1234",
            token(country_code="DE", party_id="XYZ"),
            403,
            2001,
        ),
        ("PUT", URL + "?type=BOGUS", token(), 200, 2001),
    ]
    for method, path, body, http, code in bad:
        answer = await gateway.call(method, path, registered, json=body)
        assert (answer.status, answer.code) == (http, code), (path, body, answer.body)
        assert answer.body.get("status_message")
    malformed = await gateway.call("PUT", URL, registered, data=b"{not json")
    assert (malformed.status, malformed.code) == (400, 2001), malformed.body
    assert await _count(gateway) == 0
    await gateway.call("PUT", URL, registered, json=token())
    no_date = await gateway.call("PATCH", URL, registered, json={"valid": False})
    assert no_date.code == 2001, no_date.body
    rename = await gateway.call(
        "PATCH", URL, registered, json={"uid": "X", "last_updated": "2024-03-01T09:00:00Z"}
    )
    assert rename.code == 2001, rename.body
    assert (await gateway.call("GET", URL, registered)).data == token()


async def test_without_token_is_401(gateway: Gateway, registered: str) -> None:
    answer = await gateway.call("PUT", URL, None, json=token())
    assert answer.status == 401
    answer = await gateway.call("PUT", URL, "not-a-token", json=token())
    assert answer.status == 401
    assert await _count(gateway) == 0


async def test_whitelist_never_is_not_decided_locally_without_a_remote(
    gateway: Gateway, registered: str
) -> None:
    await gateway.call("PUT", URL, registered, json=token(whitelist="NEVER"))
    seen: list[Any] = []

    class Remote:
        async def authorize(self, station_id: str, tok: IdToken, stored: Any) -> Any:
            seen.append(copy.copy(stored))
            return None

    authorizer = Authorizer(gateway.database, [Remote()])
    await authorizer.authorize("CS-1", IdToken("04AB1234"), NOW)
    assert len(seen) == 1
    assert seen[0].status is AuthorizationStatus.ACCEPTED
