"""Why a `csms` command failed, and the exit code each reason gives scripts.

```
CliError (click.ClickException)          exit 1  the charger rejected, bad input, …
├── ServerUnreachableError               exit 3  nothing answers at the server URL
├── AccessDeniedError                    exit 4  wrong or missing admin token (401/403)
├── NotFoundError                        exit 5  unknown station, session, partner
├── StationOfflineError                  exit 6  the station is not connected
├── ChargerTimeoutError                  exit 7  the charger did not answer in time
└── ServerError                          exit 8  the server failed or answered nonsense
```
Exit code 2 is click's: the command line itself was wrong.
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar

import click

__all__ = [
    "AccessDeniedError",
    "ChargerTimeoutError",
    "CliError",
    "ExitCode",
    "NotFoundError",
    "ServerError",
    "ServerUnreachableError",
    "StationOfflineError",
]


class ExitCode(IntEnum):
    """Exit codes of `csms` commands (documented in `csms --help`)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    SERVER_UNREACHABLE = 3
    ACCESS_DENIED = 4
    NOT_FOUND = 5
    STATION_OFFLINE = 6
    CHARGER_TIMEOUT = 7
    SERVER_ERROR = 8


class CliError(click.ClickException):
    """A failure reported as `Error: <message>` on stderr with a specific exit code."""

    exit_code: ClassVar[int] = ExitCode.FAILED


class ServerUnreachableError(CliError):
    exit_code: ClassVar[int] = ExitCode.SERVER_UNREACHABLE


class AccessDeniedError(CliError):
    exit_code: ClassVar[int] = ExitCode.ACCESS_DENIED


class NotFoundError(CliError):
    exit_code: ClassVar[int] = ExitCode.NOT_FOUND


class StationOfflineError(CliError):
    exit_code: ClassVar[int] = ExitCode.STATION_OFFLINE


class ChargerTimeoutError(CliError):
    exit_code: ClassVar[int] = ExitCode.CHARGER_TIMEOUT


class ServerError(CliError):
    exit_code: ClassVar[int] = ExitCode.SERVER_ERROR
