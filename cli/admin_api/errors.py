"""Errors of the operator API, and the one table that turns them into HTTP answers.

```
ApiError                     {"error": code, "detail": …} with `status`
├── BadRequestError          400 bad_request      (malformed JSON, bad query parameter)
├── InvalidBodyError         422 invalid_request  (a body that fails validation)
├── UnauthorizedError        401 unauthorized     (missing or wrong bearer token)
├── ForbiddenError           403 forbidden        (no token configured, not from loopback)
├── NotFoundError            404 not_found        (unknown station, session, command, …)
├── StationOfflineError      409 station_offline  (a command for a station nobody holds)
└── UnavailableError         503 unavailable      (this node cannot do that, e.g. commands)
```
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "BadRequestError",
    "ForbiddenError",
    "InvalidBodyError",
    "NotFoundError",
    "StationOfflineError",
    "UnauthorizedError",
    "UnavailableError",
]


class ApiError(Exception):
    """An answer other than success: `status`, a stable `code`, a human `detail`."""

    status = 500
    code = "internal_error"

    def __init__(self, detail: Any = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail, **self.extra}


class BadRequestError(ApiError):
    status = 400
    code = "bad_request"


class InvalidBodyError(ApiError):
    status = 422
    code = "invalid_request"


class UnauthorizedError(ApiError):
    status = 401
    code = "unauthorized"


class ForbiddenError(ApiError):
    status = 403
    code = "forbidden"


class NotFoundError(ApiError):
    status = 404
    code = "not_found"


class StationOfflineError(ApiError):
    status = 409
    code = "station_offline"


class UnavailableError(ApiError):
    status = 503
    code = "unavailable"
