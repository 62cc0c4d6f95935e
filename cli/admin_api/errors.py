"""Errors of the operator API, and the one table that turns them into HTTP answers.

```
ApiError                     {"error": code, "detail": …} with `status`
├── BadRequestError          400 bad_request      (malformed JSON, bad query parameter)
├── InvalidBodyError         422 invalid_request  (a body that fails validation)
├── UnauthorizedError        401 unauthorized     (missing or wrong bearer token)
├── ForbiddenError           403 forbidden        (no token configured, not from loopback)
├── NotFoundError            404 not_found        (unknown station, session, command, …)
├── StationOfflineError      409 station_offline  (a command for a station nobody holds)
└── CommandTimeoutError      504 command_timeout  (the charger did not answer in time)
```
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "BadRequestError",
    "CommandTimeoutError",
    "ForbiddenError",
    "InvalidBodyError",
    "NotFoundError",
    "StationOfflineError",
    "UnauthorizedError",
]


class ApiError(Exception):
    """An answer other than success: `status`, a stable `code`, a human `detail`."""

    status = 500
    code = "internal_error"

    def __init__(self, detail: Any = None) -> None:
        super().__init__(detail)
        self.detail = detail

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail}


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


class CommandTimeoutError(ApiError):
    status = 504
    code = "command_timeout"
