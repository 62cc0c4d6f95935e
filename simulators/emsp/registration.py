"""The credentials handshake, both ways (credentials, *Registration*).

- `register`: we are the Sender. GET the CPO's versions and 2.2.1 details with Token A,
  check the endpoints we need are there (else do not POST, as the spec asks), make Token B,
  POST our credentials, keep Token C from the answer.
- `accept_registration`: the CPO is the Sender (``csms partners connect``). It POSTs its
  credentials with a Token A we issued; we fetch its versions with its token, hand out a
  new token, and Token A stops working.
"""

from __future__ import annotations

from collections.abc import Iterable

from .client import CpoCallError, CpoClient
from .party import VERSION, PartyState
from .schema import check_object, describe
from .wire import JsonObject, new_token

__all__ = [
    "RegistrationError",
    "accept_credentials",
    "credentials_url",
    "discover",
    "register",
    "update_credentials",
]


class RegistrationError(Exception):
    """The handshake cannot go on (the CPO's versions, endpoints or answer are unusable)."""


async def discover(
    client: CpoClient, party: PartyState, versions_url: str, token: str
) -> dict[tuple[str, str], str]:
    """Fetch the CPO's versions and the 2.2.1 details; store and return its endpoints."""
    versions = await client.request("GET", versions_url, module="versions", token=token)
    versions.raise_for_status("GET versions")
    listed = versions.data if isinstance(versions.data, list) else []
    for index, version in enumerate(listed):
        for problem in check_object("Version", version, f"versions[{index}]"):
            client.report(problem)
    url = next(
        (v.get("url") for v in listed if isinstance(v, dict) and v.get("version") == VERSION), None
    )
    if not isinstance(url, str):
        raise RegistrationError(f"the CPO offers no OCPI {VERSION} ({versions_url})")
    details = await client.request("GET", url, module="versions", token=token)
    details.raise_for_status(f"GET {VERSION} details")
    problems = check_object("VersionDetails", details.data, "version details")
    for problem in problems:
        client.report(problem)
    endpoints: dict[tuple[str, str], str] = {}
    for endpoint in (details.data or {}).get("endpoints") or []:
        if isinstance(endpoint, dict) and {"identifier", "role", "url"} <= endpoint.keys():
            endpoints[(str(endpoint["identifier"]), str(endpoint["role"]))] = str(endpoint["url"])
    party.cpo_version_url = url
    party.cpo_endpoints = endpoints
    return endpoints


def credentials_url(party: PartyState) -> str:
    """The CPO's credentials endpoint; its role does not matter (version details note)."""
    for (identifier, _role), url in party.cpo_endpoints.items():
        if identifier == "credentials":
            return url
    raise RegistrationError("the CPO lists no credentials endpoint")


def _missing(party: PartyState, required: Iterable[tuple[str, str]]) -> list[str]:
    return [f"{module} {role}" for module, role in required if not party.has_endpoint(module, role)]


async def register(
    client: CpoClient,
    party: PartyState,
    versions_url: str,
    token_a: str,
    required: Iterable[tuple[str, str]] = (),
) -> JsonObject:
    """Register with the CPO using `token_a`; returns the CPO's credentials."""
    await discover(client, party, versions_url, token_a)
    missing = _missing(party, required)
    if missing:
        # credentials, *Required endpoints not available*: do not POST, tell the operator.
        raise RegistrationError(f"the CPO lacks endpoints we need: {', '.join(missing)}")
    token_b = new_token()
    party.incoming_tokens.add(token_b)  # the CPO calls our versions with it during the POST
    answer = await client.request(
        "POST",
        credentials_url(party),
        module="credentials",
        body=party.credentials(token_b),
        token=token_a,
    )
    if not answer.ok:
        party.incoming_tokens.discard(token_b)
        raise CpoCallError(
            f"POST credentials: HTTP {answer.http_status}, OCPI {answer.status_code}: "
            f"{answer.message}",
            answer.http_status,
            answer.status_code,
        )
    _adopt(client, party, answer.data, "POST credentials answer")
    party.incoming_tokens = {token_b}
    party.cpo_versions_url = answer.data.get("url") or versions_url
    party.registered = True
    return dict(answer.data)


def _adopt(client: CpoClient, party: PartyState, credentials: object, what: str) -> None:
    problems = check_object("Credentials", credentials, what)
    if problems or not isinstance(credentials, dict):
        for problem in problems:
            client.report(problem)
        raise RegistrationError(f"{what} is not a Credentials object: {describe(problems)}")
    party.outgoing_token = str(credentials["token"])
    party.cpo_roles = [dict(role) for role in credentials["roles"]]


async def update_credentials(client: CpoClient, party: PartyState) -> JsonObject:
    """PUT new credentials (a new Token B) to the CPO; adopt the new Token C."""
    token_b = new_token()
    party.incoming_tokens.add(token_b)
    answer = await client.request(
        "PUT", credentials_url(party), module="credentials", body=party.credentials(token_b)
    )
    answer.raise_for_status("PUT credentials")
    _adopt(client, party, answer.data, "PUT credentials answer")
    party.incoming_tokens = {token_b}
    return dict(answer.data)


async def accept_credentials(
    client: CpoClient, party: PartyState, body: object, *, update: bool
) -> tuple[int, JsonObject | None, str | None]:
    """Handle the CPO's POST (or PUT, `update`) of its credentials to us.

    Returns (OCPI status code, our credentials or None, message).
    """
    problems = check_object("Credentials", body, "credentials from the CPO")
    if problems or not isinstance(body, dict):
        return 2001, None, describe(problems)
    try:
        await discover(client, party, str(body["url"]), str(body["token"]))
    except (CpoCallError, RegistrationError) as exc:
        # credentials, *Errors during registration*: 3001 when we cannot use its API.
        return 3001, None, str(exc)
    party.outgoing_token = str(body["token"])
    party.cpo_versions_url = str(body["url"])
    party.cpo_roles = [dict(role) for role in body["roles"]]
    token = new_token()
    party.incoming_tokens = {token}
    party.invite_tokens.clear()  # Token A is spent
    party.registered = True
    return 1000, party.credentials(token), "updated" if update else None
