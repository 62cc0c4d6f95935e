"""Calls from the simulated eMSP to the CPO, and what it checks in every answer.

Every request carries the Authorization header (Base64 token, or raw when told to mimic
an old partner), fresh X-Request-ID and X-Correlation-ID, and — for functional modules —
the four routing headers (transport_and_format, *Message Routing*: a direct request has
TO = receiving party, FROM = requesting party). Every answer is checked: the envelope's
fields, the echoed message ids, the routing headers of the direct response.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .party import PartyState
from .schema import check_value
from .wire import JsonObject, encode_token, json_dumps, json_loads, new_id

__all__ = ["CONFIG_MODULES", "CpoCallError", "CpoClient", "CpoResponse"]

#: Configuration modules: no routing headers (transport_and_format, *Message Routing*).
CONFIG_MODULES = frozenset({"versions", "credentials", "hubclientinfo"})


class CpoCallError(Exception):
    """A call to the CPO failed: transport error, HTTP error or OCPI error status."""

    def __init__(
        self, message: str, http_status: int | None = None, status_code: int | None = None
    ):
        super().__init__(message)
        self.http_status = http_status
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class CpoResponse:
    """One answer of the CPO: HTTP status, headers and the parsed envelope."""

    http_status: int
    headers: Mapping[str, str]
    body: JsonObject | None
    problems: list[str] = field(default_factory=list)

    @property
    def status_code(self) -> int | None:
        code = (self.body or {}).get("status_code")
        return code if isinstance(code, int) else None

    @property
    def data(self) -> Any:
        return (self.body or {}).get("data")

    @property
    def message(self) -> str | None:
        message = (self.body or {}).get("status_message")
        return message if isinstance(message, str) else None

    @property
    def ok(self) -> bool:
        return self.http_status < 300 and self.status_code is not None and self.status_code < 2000

    def raise_for_status(self, what: str) -> CpoResponse:
        """Return self when ok, else raise `CpoCallError` describing the failure."""
        if not self.ok:
            raise CpoCallError(
                f"{what}: HTTP {self.http_status}, OCPI {self.status_code}: {self.message}",
                self.http_status,
                self.status_code,
            )
        return self


class CpoClient:
    """HTTP client towards the CPO, bound to the eMSP's party state."""

    def __init__(
        self,
        party: PartyState,
        report_problem: Callable[[str], None],
        timeout: float = 15.0,
        raw_tokens: bool = False,
        routing_headers: bool = True,
    ) -> None:
        self._party = party
        self._report = report_problem
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self.raw_tokens = raw_tokens
        self.routing_headers = routing_headers
        self.calls = 0

    def report(self, problem: str) -> None:
        """Add a problem about the CPO to the simulator's list."""
        self._report(problem)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    def _headers(self, token: str, module: str, body: bool) -> dict[str, str]:
        headers = {
            "Authorization": f"Token {token}" if self.raw_tokens else encode_token(token),
            "X-Request-ID": new_id(),
            "X-Correlation-ID": new_id(),
        }
        if body:
            headers["Content-Type"] = "application/json"
        cpo = self._party.cpo_party
        if self.routing_headers and module not in CONFIG_MODULES and cpo is not None:
            headers["OCPI-from-country-code"] = self._party.country_code
            headers["OCPI-from-party-id"] = self._party.party_id
            headers["OCPI-to-country-code"] = cpo[0]
            headers["OCPI-to-party-id"] = cpo[1]
        return headers

    async def request(
        self,
        method: str,
        url: str,
        *,
        module: str,
        body: object = None,
        params: Mapping[str, str] | None = None,
        token: str | None = None,
    ) -> CpoResponse:
        """Send one request to the CPO and return its checked answer."""
        token = token or self._party.outgoing_token
        if token is None:
            raise CpoCallError("not registered with the CPO: no token to call it with")
        headers = self._headers(token, module, body is not None)
        data = json_dumps(body).encode() if body is not None else None
        self.calls += 1
        try:
            async with self._http().request(
                method, url, data=data, headers=headers, params=params
            ) as response:
                raw = await response.read()
                answer_headers = dict(response.headers)
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise CpoCallError(f"{method} {url}: {exc!r}") from exc
        return self._checked(method, url, module, status, answer_headers, raw, headers)

    def _checked(
        self,
        method: str,
        url: str,
        module: str,
        status: int,
        headers: dict[str, str],
        raw: bytes,
        sent: Mapping[str, str],
    ) -> CpoResponse:
        what = f"{method} {url} -> {status}"
        problems: list[str] = []
        body: JsonObject | None = None
        try:
            parsed = json_loads(raw) if raw else None
        except ValueError:
            parsed = None
            problems.append(f"{what}: the answer is not JSON")
        if isinstance(parsed, dict):
            body = parsed
            problems += _envelope_problems(body, what)
        elif raw and parsed is not None:
            problems.append(f"{what}: the answer is not an OCPI envelope")
        if status != 401 and not raw:
            problems.append(f"{what}: empty answer, the envelope is missing")
        problems += self._header_problems(headers, sent, module, what)
        for problem in problems:
            self._report(problem)
        return CpoResponse(status, headers, body, problems)

    def _header_problems(
        self, headers: Mapping[str, str], sent: Mapping[str, str], module: str, what: str
    ) -> list[str]:
        lowered = {k.lower(): v for k, v in headers.items()}
        problems = []
        for name in ("X-Request-ID", "X-Correlation-ID"):
            if lowered.get(name.lower()) != sent[name]:
                problems.append(f"{what}: {name} not echoed")
        if self.routing_headers and module not in CONFIG_MODULES and "OCPI-to-party-id" in sent:
            expected = {
                "ocpi-to-country-code": sent["OCPI-from-country-code"],
                "ocpi-to-party-id": sent["OCPI-from-party-id"],
                "ocpi-from-country-code": sent["OCPI-to-country-code"],
                "ocpi-from-party-id": sent["OCPI-to-party-id"],
            }
            for name, value in expected.items():
                if lowered.get(name, "").upper() != value.upper():
                    problems.append(f"{what}: routing header {name} is {lowered.get(name)!r}")
        return problems


def _envelope_problems(body: JsonObject, what: str) -> list[str]:
    """transport_and_format, *Response format*."""
    problems = []
    code = body.get("status_code")
    if isinstance(code, bool) or not isinstance(code, int) or not 1000 <= code <= 9999:
        problems.append(f"{what}: status_code {code!r} is not a four-digit int")
    problems += check_value("DateTime", body.get("timestamp"), f"{what}: timestamp", 25)
    message = body.get("status_message")
    if message is not None and not isinstance(message, str):
        problems.append(f"{what}: status_message is not a string")
    return problems
