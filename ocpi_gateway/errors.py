"""The gateway's exceptions: each knows its OCPI status code and HTTP status.

The one middleware in `app.py` turns any of them into an OCPI envelope; handlers only raise.
HTTP statuses follow status_codes: a request that is valid JSON, reaches an existing resource
and comes from an authenticated party gets HTTP 200 with an error status code; HTTP errors
are kept for the transport layer (unreadable JSON 400, unknown token 401, unknown resource
404, a method the resource refuses 405). Errors from calls *to* partners (`client.py`) are in
the `PartnerCallError` branch.

```
OcpiError                        3000  HTTP 500
├── ClientError                  2000  HTTP 200
│   ├── AuthenticationError      2000  HTTP 401  (missing/unknown token, Token A misused)
│   ├── RouteNotFoundError       2000  HTTP 404  (no such module or URL)
│   ├── MethodNotAllowedError    2000  HTTP 405  (incl. credentials POST/PUT/DELETE rules)
│   ├── InvalidParametersError   2001  HTTP 200  (bad body or query; `http_status` may differ)
│   │   ├── MalformedJsonError   2001  HTTP 400  (the body is not JSON)
│   │   └── UnknownObjectError   2001  HTTP 404  (unknown session, tariff, …)
│   ├── NotEnoughInformationError 2002 HTTP 200
│   ├── UnknownLocationError     2003  HTTP 404  (unknown location, EVSE or connector)
│   └── UnknownTokenError        2004  HTTP 404
└── ServerError                  3000  HTTP 500
    ├── PartnerApiError          3001  HTTP 200  (we could not use the partner's API)
    ├── UnsupportedVersionError  3002  HTTP 404 / 200
    └── NoMatchingEndpointsError 3003  HTTP 200
PartnerCallError                 (a call we made to a partner failed; see client.py)
├── PartnerUnreachableError      (connection refused, DNS, TLS, timeout)
├── PartnerHttpError             (an HTTP status outside 2xx; `status`, `body`)
├── PartnerResponseError         (no OCPI envelope, or data that does not validate)
└── PartnerStatusError           (an envelope with a non-1xxx status_code)
```
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AuthenticationError",
    "ClientError",
    "InvalidParametersError",
    "MalformedJsonError",
    "MethodNotAllowedError",
    "NoMatchingEndpointsError",
    "NotEnoughInformationError",
    "OcpiError",
    "PartnerApiError",
    "PartnerCallError",
    "PartnerHttpError",
    "PartnerResponseError",
    "PartnerStatusError",
    "PartnerUnreachableError",
    "RouteNotFoundError",
    "ServerError",
    "UnknownLocationError",
    "UnknownObjectError",
    "UnknownTokenError",
    "UnsupportedVersionError",
]


class OcpiError(Exception):
    """An answer other than success, with its OCPI `status_code` and `http_status`."""

    status_code: ClassVar[int] = 3000
    default_http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status if http_status is not None else self.default_http_status


class ClientError(OcpiError):
    """2000: the client did something wrong."""

    status_code = 2000
    default_http_status = 200


class AuthenticationError(ClientError):
    """transport_and_format, *Authorization header*: a missing or unknown token, or Token A
    on a module other than versions and credentials → HTTP 401."""

    default_http_status = 401


class RouteNotFoundError(ClientError):
    """No module or object lives at this URL."""

    default_http_status = 404


class MethodNotAllowedError(ClientError):
    """The resource does not take this method (HTTP 405); `allow` lists those it takes."""

    default_http_status = 405

    def __init__(self, message: str, *, allow: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allow = allow


class InvalidParametersError(ClientError):
    """2001: invalid or missing parameters (a body or query that does not validate)."""

    status_code = 2001


class MalformedJsonError(InvalidParametersError):
    """status_codes: a body that is not valid JSON must get HTTP 400."""

    default_http_status = 400


class UnknownObjectError(InvalidParametersError):
    """An id in the URL that names nothing we have (HTTP 404, status_codes: a GET of a
    resource that does not exist)."""

    default_http_status = 404


class NotEnoughInformationError(ClientError):
    """2002: not enough information."""

    status_code = 2002


class UnknownLocationError(ClientError):
    """2003: unknown location (also an unknown EVSE or connector of a location)."""

    status_code = 2003
    default_http_status = 404


class UnknownTokenError(ClientError):
    """2004: unknown token."""

    status_code = 2004
    default_http_status = 404


class ServerError(OcpiError):
    """3000: the server failed."""


class PartnerApiError(ServerError):
    """3001: unable to use the client's API (e.g. its versions during registration)."""

    status_code = 3001
    default_http_status = 200


class UnsupportedVersionError(ServerError):
    """3002: unsupported version."""

    status_code = 3002
    default_http_status = 200


class NoMatchingEndpointsError(ServerError):
    """3003: no matching endpoints, or endpoints we need are missing."""

    status_code = 3003
    default_http_status = 200


class PartnerCallError(Exception):
    """A call we made to a partner did not succeed."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.url = url


class PartnerUnreachableError(PartnerCallError):
    """No HTTP answer: connection refused, name resolution, TLS, or timeout."""


class PartnerHttpError(PartnerCallError):
    """An HTTP status outside 2xx."""

    def __init__(self, message: str, *, url: str = "", status: int, body: bytes = b"") -> None:
        super().__init__(message, url=url)
        self.status = status
        self.body = body


class PartnerResponseError(PartnerCallError):
    """The answer is not an OCPI envelope, or its data does not fit the expected object."""


class PartnerStatusError(PartnerCallError):
    """An envelope whose status_code is not in the 1xxx range."""

    def __init__(
        self, message: str, *, url: str = "", status_code: int, status_message: str | None
    ) -> None:
        super().__init__(message, url=url)
        self.status_code = status_code
        self.status_message = status_message
