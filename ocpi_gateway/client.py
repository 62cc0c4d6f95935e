"""Calls to partners: one aiohttp session, OCPI headers, envelope parsing, typed errors.

Every call we make to a partner goes through `OcpiClient.call` (registration, the push worker,
command results): it sets `Authorization` (Base64 or raw, see `auth.py`), a fresh
`X-Request-ID` and an `X-Correlation-ID` (transport_and_format, *Unique message IDs*), the
routing headers when asked to, bounds the time and the size of the answer, and parses the
OCPI envelope. The outcome is a `PartnerResponse` or one of the `PartnerCallError`s in
`errors.py` — never `None`.

Partners that still expect raw tokens answer a Base64 token with HTTP 401. `call` then tries
once more with the other encoding and reports in `PartnerResponse.used_base64` which one
worked, so the caller can remember it for that partner (`partners.outgoing_token_base64`).

The app owns one `OcpiClient` through its cleanup context (`app.py`); `async with
OcpiClient(...)` works too, for the CLI and tests.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import BaseModel, ValidationError

from ocpi_gateway.auth import encode_token_header
from ocpi_gateway.errors import (
    PartnerCallError,
    PartnerHttpError,
    PartnerResponseError,
    PartnerStatusError,
    PartnerUnreachableError,
)
from ocpi_gateway.routing import Party
from ocpi_gateway.v221.models.errors import describe_validation_error
from ocpi_gateway.v221.models.serialization import json_dumps, parse_json
from shared.logging import get_logger

__all__ = ["MAX_RESPONSE_BYTES", "OcpiClient", "PartnerResponse", "next_link"]

log = get_logger("laddpunkt.ocpi.client")

M = TypeVar("M", bound=BaseModel)

#: Answers larger than this are refused (a page of 1000 locations is a few MB).
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: Pages followed by `pages()` before it stops, whatever the partner's Link headers say.
MAX_PAGES = 10_000

_LINK_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel\s*=\s*"?next"?', re.IGNORECASE)


def next_link(header: str | None) -> str | None:
    """The `rel="next"` URL of a `Link` header, if any."""
    if not header:
        return None
    match = _LINK_NEXT.search(header)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class PartnerResponse:
    """A partner's answer in the OCPI envelope, with status_code in the 1xxx range."""

    url: str
    http_status: int
    status_code: int
    status_message: str | None
    data: Any
    headers: Mapping[str, str]
    used_base64: bool

    def parse(self, model: type[M]) -> M:
        """`data` validated as `model` (PartnerResponseError when it does not fit)."""
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            raise PartnerResponseError(
                f"{self.url}: unexpected data: {describe_validation_error(exc)}", url=self.url
            ) from None


class OcpiClient:
    """An HTTP client for OCPI calls to partners (one connection pool for all of them)."""

    def __init__(self, *, timeout: float = 10.0, user_agent: str = "Laddpunkt-OCPI") -> None:
        self.timeout = timeout
        self._user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"User-Agent": self._user_agent},
                json_serialize=lambda obj: json_dumps(obj).decode(),
            )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> OcpiClient:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def call(
        self,
        method: str,
        url: str,
        token: str,
        *,
        base64: bool = True,
        body: Any = None,
        correlation_id: str | None = None,
        to_party: Party | None = None,
        from_party: Party | None = None,
        time_limit: float | None = None,
        fallback: bool = True,
    ) -> PartnerResponse:
        """Send one request and return the partner's successful answer.

        With `fallback`, an HTTP 401 is retried once with the other token encoding.
        Raises a `PartnerCallError` for anything but an envelope with a 1xxx status.
        """
        try:
            return await self._call_once(
                method, url, token, base64, body, correlation_id, to_party, from_party, time_limit
            )
        except PartnerHttpError as error:
            if error.status != 401 or not fallback:
                raise
            log.info("ocpi.client.token_encoding_retry", url=url, base64=not base64)
            return await self._call_once(
                method,
                url,
                token,
                not base64,
                body,
                correlation_id,
                to_party,
                from_party,
                time_limit,
            )

    async def pages(
        self,
        url: str,
        token: str,
        *,
        base64: bool = True,
        correlation_id: str | None = None,
        max_pages: int = MAX_PAGES,
    ) -> AsyncIterator[PartnerResponse]:
        """GET `url` and every page its `Link: rel="next"` headers lead to (bounded)."""
        next_url: str | None = url
        seen: set[str] = set()
        for _ in range(max_pages):
            if next_url is None or next_url in seen:
                return
            seen.add(next_url)
            page = await self.call(
                "GET", next_url, token, base64=base64, correlation_id=correlation_id
            )
            base64 = page.used_base64
            yield page
            next_url = next_link(page.headers.get("Link"))

    def _session_or_fail(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("OcpiClient.start() was not called")
        return self._session

    async def _call_once(
        self,
        method: str,
        url: str,
        token: str,
        base64: bool,
        body: Any,
        correlation_id: str | None,
        to_party: Party | None,
        from_party: Party | None,
        time_limit: float | None,
    ) -> PartnerResponse:
        headers = {
            "Authorization": encode_token_header(token, base64_encoded=base64),
            "X-Request-ID": str(uuid.uuid4()),
            "X-Correlation-ID": correlation_id or str(uuid.uuid4()),
            "Accept": "application/json",
        }
        headers.update(_routing_headers(to_party, from_party))
        data: bytes | None = None
        if body is not None:
            data = json_dumps(body)
            headers["Content-Type"] = "application/json"
        session = self._session_or_fail()
        kwargs: dict[str, Any] = {"headers": headers, "data": data, "allow_redirects": False}
        if time_limit is not None:
            kwargs["timeout"] = aiohttp.ClientTimeout(total=time_limit)
        try:
            async with session.request(method, url, **kwargs) as response:
                raw = await _read_limited(response, url)
                headers_copy = CIMultiDictProxy(CIMultiDict(response.headers))
                return _envelope(url, response.status, headers_copy, raw, base64)
        except PartnerCallError:
            raise
        except TimeoutError:
            raise PartnerUnreachableError(f"{url}: no answer in time", url=url) from None
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise PartnerUnreachableError(f"{url}: {exc}", url=url) from None


def _routing_headers(to_party: Party | None, from_party: Party | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if to_party is not None:
        headers["OCPI-to-country-code"] = to_party.country_code
        headers["OCPI-to-party-id"] = to_party.party_id
    if from_party is not None:
        headers["OCPI-from-country-code"] = from_party.country_code
        headers["OCPI-from-party-id"] = from_party.party_id
    return headers


async def _read_limited(response: aiohttp.ClientResponse, url: str) -> bytes:
    if response.content_length is not None and response.content_length > MAX_RESPONSE_BYTES:
        raise PartnerResponseError(f"{url}: answer larger than {MAX_RESPONSE_BYTES} bytes", url=url)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(65536):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise PartnerResponseError(
                f"{url}: answer larger than {MAX_RESPONSE_BYTES} bytes", url=url
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _envelope(
    url: str, status: int, headers: Mapping[str, str], raw: bytes, used_base64: bool
) -> PartnerResponse:
    if not 200 <= status < 300:
        raise PartnerHttpError(f"{url}: HTTP {status}", url=url, status=status, body=raw[:2000])
    try:
        document = parse_json(raw)
    except (ValueError, RecursionError):
        raise PartnerResponseError(f"{url}: the answer is not JSON", url=url) from None
    if not isinstance(document, dict) or not isinstance(document.get("status_code"), int):
        raise PartnerResponseError(f"{url}: the answer is not an OCPI envelope", url=url)
    status_code = document["status_code"]
    message = document.get("status_message")
    message = message if isinstance(message, str) else None
    if not 1000 <= status_code <= 1999:
        raise PartnerStatusError(
            f"{url}: OCPI status {status_code}" + (f" ({message})" if message else ""),
            url=url,
            status_code=status_code,
            status_message=message,
        )
    return PartnerResponse(
        url=url,
        http_status=status,
        status_code=status_code,
        status_message=message,
        data=document.get("data"),
        headers=headers,
        used_base64=used_base64,
    )
