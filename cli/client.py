"""A small, synchronous client of the operator API (`/admin/`) for the `csms` commands.

Standard library only (urllib), so `csms` starts fast. Every failure becomes one of the
`cli.errors` exceptions, whose message says what went wrong and what to try.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from cli.errors import (
    AccessDeniedError,
    CliError,
    NotFoundError,
    ServerError,
    ServerUnreachableError,
    StationOfflineError,
)

__all__ = ["DEFAULT_TIMEOUT", "AdminClient", "admin_base_url", "segment"]

DEFAULT_TIMEOUT = 10.0


def segment(value: str | int) -> str:
    """`value` quoted as one path segment (station ids may hold `#`, `?`, spaces, …)."""
    return urllib.parse.quote(str(value), safe="")


def admin_base_url(server: str | None, host: str, port: int) -> str:
    """The operator API's base URL: `--server` (a node URL, with or without `/admin`) or
    the configured `[http] host/port` (a wildcard address means this machine)."""
    if server:
        base = server.strip().rstrip("/")
        if "://" not in base:
            base = f"http://{base}"
        return base if base.endswith("/admin") else f"{base}/admin"
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/admin"


def _describe(detail: Any) -> str:
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, Mapping) and "message" in item:
                field = item.get("field")
                parts.append(f"{field}: {item['message']}" if field else str(item["message"]))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail) if detail is not None else ""


class AdminClient:
    """Calls `/admin/…` on one node with the configured bearer token."""

    def __init__(self, base_url: str, token: str | None, timeout: float = DEFAULT_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def get(
        self,
        path: str,
        query: Mapping[str, object | None] | None = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        """GET `path` (below `/admin`) and return the decoded JSON."""
        return self.request("GET", path, query=query, timeout=timeout)

    def post(self, path: str, body: object, *, timeout: float | None = None) -> Any:
        return self.request("POST", path, body=body, timeout=timeout)

    def put(self, path: str, body: object, *, timeout: float | None = None) -> Any:
        return self.request("PUT", path, body=body, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        query: Mapping[str, object | None] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Send one request; raise a `cli.errors` exception for anything but success."""
        url = self.base_url + path
        if query:
            pairs = {k: _query_value(v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        wait = timeout if timeout is not None else self.timeout
        try:
            with urllib.request.urlopen(request, timeout=wait) as response:
                return self._decode(response.read(), url)
        except urllib.error.HTTPError as error:
            raise self._http_error(error, url) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise self._timeout(wait) from None
            raise self._unreachable(error.reason) from None
        except TimeoutError:
            raise self._timeout(wait) from None
        except (ConnectionError, OSError) as error:
            raise self._unreachable(error) from None

    def _unreachable(self, reason: object) -> ServerUnreachableError:
        return ServerUnreachableError(
            f"cannot reach the Laddpunkt server at {self.base_url} ({reason}). "
            "Is `csms serve` running? Point elsewhere with --server URL."
        )

    def _timeout(self, wait: float) -> ServerError:
        return ServerError(f"the server at {self.base_url} did not answer within {wait:g} s")

    def _decode(self, raw: bytes, url: str) -> Any:
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            raise ServerError(
                f"{url} did not answer with JSON: is it a Laddpunkt node's operator API?"
            ) from None

    def _http_error(self, error: urllib.error.HTTPError, url: str) -> CliError:
        raw = error.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        if not isinstance(body, dict) or "error" not in body:
            return ServerError(
                f"{url} answered HTTP {error.code} {error.reason}: "
                "is it a Laddpunkt node's operator API?"
            )
        detail = _describe(body.get("detail")) or str(body["error"])
        status = error.code
        if status in (401, 403):
            return AccessDeniedError(
                f"the server refused access ({detail}). Set [http] admin_token in the config "
                "or CSMS_HTTP__ADMIN_TOKEN, or pass --token."
            )
        if status == 404:
            return NotFoundError(detail)
        if status == 409 and body["error"] == "station_offline":
            return StationOfflineError(detail)
        if status >= 500:
            return ServerError(f"the server failed: {detail}")
        return CliError(detail)


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
