"""Firmware updates and log (diagnostics) uploads, as timed status sequences.

Nothing is downloaded or uploaded: the simulated firmware walks through the status sequence
of OCPP 1.6 §5.19/§4.5 (FirmwareStatusNotification) and §5.9/§4.4
(DiagnosticsStatusNotification), or 2.0.1 L01 and N01 (FirmwareStatusNotification and
LogStatusNotification with the CSMS's requestId). A location that is not a usable URL fails
the way a real download or upload would. Installing waits until no transaction runs, then
reboots; the new firmware reports `Installed` after the next accepted boot.

Statuses are passed to the dialect in their 2.0.1 spelling; the 1.6 dialect translates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from .evse import BootReason
from .timeutil import utc_now

if TYPE_CHECKING:
    from .station import Station

__all__ = ["Maintenance", "StatusReport"]

StatusReport = Callable[[str, "int | None"], None]
"""Sends one status notification: (2.0.1 status spelling, requestId)."""

_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp"})
_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")
# One step: do something; return False to be called again one step later (waiting).
_Step = Callable[[], bool]


def usable_location(location: str) -> bool:
    """Whether `location` is a URL a charger could download from or upload to."""
    parsed = urlparse(location)
    return parsed.scheme.lower() in _SCHEMES and bool(parsed.netloc)


class Maintenance:
    """The firmware and log-upload state of one station."""

    def __init__(self, station: Station) -> None:
        self._station = station
        self.firmware_version = station.config.firmware_version
        self.firmware_status = "Idle"
        self.firmware_request_id: int | None = None
        self.log_status = "Idle"
        self.log_request_id: int | None = None
        self._installed: tuple[StatusReport, int | None] | None = None

    @property
    def firmware_busy(self) -> bool:
        """Whether a firmware update is under way."""
        return "firmware" in self._station.timers

    def update_firmware(
        self, location: str, retrieve_at: datetime, request_id: int | None, report: StatusReport
    ) -> bool:
        """Start an update; True if it replaced one under way (2.0.1 `AcceptedCanceled`)."""
        replaced = self.firmware_busy
        self.firmware_request_id = request_id
        ok = usable_location(location)
        found = _VERSION.search(location.rsplit("/", 1)[-1])
        target = found.group(1) if found else _next_version(self.firmware_version)

        def status(name: str) -> _Step:
            def step() -> bool:
                self.firmware_status = name
                report(name, request_id)
                return True

            return step

        def install() -> bool:
            if self._station.active_transactions():
                return False  # L01: wait until no transaction is running
            status("Installing")()
            return True

        def reboot() -> bool:
            status("InstallRebooting")()
            self.firmware_version = target
            self._installed = (report, request_id)
            self._station.request_reboot(BootReason.FIRMWARE_UPDATE, graceful=True)
            return True

        wait = max(0.0, (retrieve_at - utc_now()).total_seconds())
        steps = [status("Downloading")]
        steps += [status("Downloaded"), install, reboot] if ok else [status("DownloadFailed")]
        self._run("firmware", wait, steps)
        return replaced

    def installed_report(self) -> tuple[StatusReport, int | None] | None:
        """After an accepted boot: the `Installed` report owed, if an update just finished."""
        owed, self._installed = self._installed, None
        if owed is not None:
            self.firmware_status = "Installed"
        return owed

    def upload_log(self, location: str, request_id: int | None, report: StatusReport) -> str:
        """Start an upload; returns the file name that will be uploaded."""
        stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
        filename = f"{self._station.station_id}-{stamp}.log"
        self.log_request_id = request_id
        final = "Uploaded" if usable_location(location) else "UploadFailure"

        def status(name: str) -> _Step:
            def step() -> bool:
                self.log_status = name
                report(name, request_id)
                return True

            return step

        self._run("log", 0.0, [status("Uploading"), status(final)])
        return filename

    def _run(self, name: str, first_delay: float, steps: list[_Step]) -> None:
        """Run `steps` one `step_delay` apart (the first after `first_delay`)."""
        timers, gap = self._station.timers, self._station.config.step_delay

        def run_from(index: int) -> None:
            if index >= len(steps):
                return
            advanced = steps[index]()
            following = index + 1 if advanced else index
            if following < len(steps):
                timers.set(name, gap, lambda: run_from(following))

        timers.set(name, first_delay, lambda: run_from(0))


def _next_version(version: str) -> str:
    parts = version.split(".")
    if parts and parts[-1].isdigit():
        parts[-1] = str(int(parts[-1]) + 1)
        return ".".join(parts)
    return f"{version}.1"
