"""Run a fleet of simulated stations in one process, with a live summary.

`run_fleet(FleetOptions(...))` is what `csms simulate chargers` and
`python -m simulators.chargepoint` call. Stations start staggered at `connect_rate` per
second so that a large fleet does not hit the CSMS in one burst. Every `summary_interval`
seconds a one-line summary goes to stderr; with `json=True`, events and summaries also go to
stdout as one JSON object per line (`connected`, `disconnected`, `booted`, `boot_refused`,
`transaction_started`, `transaction_stopped`, `error`, `summary`). SIGINT/SIGTERM or the end of
`duration` stops every station and closes every socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Literal, TextIO

from .config import DEFAULT_ID_TAGS, OcppVersion, StationConfig
from .errors import ConfigurationError
from .observer import StationEvent
from .station import Station
from .timeutil import format_rfc3339, utc_now

__all__ = ["Fleet", "FleetOptions", "FleetSummary", "run_fleet", "run_fleet_async"]

FleetVersion = Literal["1.6", "2.0.1", "mixed"]


@dataclass(frozen=True, slots=True)
class FleetOptions:
    """What fleet to simulate. Stations are named `{prefix}-{n}` for n from `first`."""

    count: int
    version: FleetVersion
    url: str
    sessions_per_hour: float = 1.0
    password: str | None = None
    json: bool = False
    duration: float | None = None
    prefix: str = "SIM"
    first: int = 1
    connect_rate: float = 50.0
    evses: int = 2
    connectors_per_evse: int = 1
    id_tags: tuple[str, ...] = DEFAULT_ID_TAGS
    summary_interval: float = 5.0
    meter_sample_interval: int = 60
    session_duration: tuple[float, float] = (1200.0, 5400.0)
    ping_interval: int = 0
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ConfigurationError("count must be at least 1")
        if self.version not in ("1.6", "2.0.1", "mixed"):
            raise ConfigurationError(f"version must be 1.6, 2.0.1 or mixed, not {self.version}")
        if self.connect_rate <= 0 or self.summary_interval <= 0:
            raise ConfigurationError("connect rate and summary interval must be positive")
        if self.duration is not None and self.duration <= 0:
            raise ConfigurationError("duration must be positive")

    def station_version(self, n: int) -> OcppVersion:
        """The OCPP version of station number `n` (mixed: odd 1.6, even 2.0.1)."""
        if self.version == "mixed":
            return "1.6" if n % 2 else "2.0.1"
        return self.version

    def station_config(self, n: int) -> StationConfig:
        """The configuration of station number `n`."""
        return StationConfig(
            station_id=f"{self.prefix}-{n}",
            url=self.url,
            version=self.station_version(n),
            password=self.password,
            evses=self.evses,
            connectors_per_evse=self.connectors_per_evse,
            sessions_per_hour=self.sessions_per_hour,
            session_duration=self.session_duration,
            id_tags=self.id_tags,
            meter_sample_interval=self.meter_sample_interval,
            ping_interval=self.ping_interval,
            seed=None if self.seed is None else self.seed * 1_000_003 + n,
        )


@dataclass(frozen=True, slots=True)
class FleetSummary:
    """The fleet at one moment."""

    stations: int
    started: int
    connected: int
    booted: int
    active_transactions: int
    messages_sent: int
    messages_per_second: float
    errors: int

    def line(self, top_errors: list[tuple[str, int]]) -> str:
        """The human one-liner."""
        text = (
            f"stations {self.started}/{self.stations} | connected {self.connected} | "
            f"booted {self.booted} | tx {self.active_transactions} | "
            f"sent {self.messages_per_second:.1f} msg/s | errors {self.errors}"
        )
        if top_errors:
            text += " (" + ", ".join(f"{what} {n}" for what, n in top_errors) + ")"
        return text


class Fleet:
    """Many stations, one event loop, one observer."""

    def __init__(
        self, options: FleetOptions, *, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.options = options
        self._out = out or sys.stdout
        self._err = err or sys.stderr
        configs = [options.station_config(options.first + i) for i in range(options.count)]
        self.stations = [Station(config, observer=self) for config in configs]
        self._tasks: list[asyncio.Task[None]] = []
        self._error_kinds: Counter[str] = Counter()
        self._last_sent = 0
        self._last_time = time.monotonic()
        self.ever_connected = False

    def on_station_event(self, event: StationEvent) -> None:
        """Count and (with `json`) print one station event."""
        if event.kind == "connected":
            self.ever_connected = True
        elif event.kind == "error":
            self._error_kinds[str(event.data.get("what", "error"))] += 1
        if self.options.json:
            self._write({"event": event.kind, "station_id": event.station_id, **event.data})

    def _write(self, record: dict[str, object]) -> None:
        line = json.dumps({"ts": format_rfc3339(utc_now()), **record}, separators=(",", ":"))
        self._out.write(line + "\n")
        self._out.flush()

    def summary(self) -> FleetSummary:
        """Counters over every station, and the send rate since the last summary."""
        now = time.monotonic()
        sent = sum(s.stats.messages_sent for s in self.stations)
        elapsed = max(now - self._last_time, 1e-9)
        rate = (sent - self._last_sent) / elapsed
        self._last_sent, self._last_time = sent, now
        return FleetSummary(
            stations=len(self.stations),
            started=len(self._tasks),
            connected=sum(1 for s in self.stations if s.connected),
            booted=sum(1 for s in self.stations if s.online),
            active_transactions=sum(len(s.active_transactions()) for s in self.stations),
            messages_sent=sent,
            messages_per_second=rate,
            errors=sum(s.stats.errors for s in self.stations),
        )

    def report(self) -> FleetSummary:
        """Print a summary line (and a JSON summary) now."""
        summary = self.summary()
        self._err.write(summary.line(self._error_kinds.most_common(3)) + "\n")
        self._err.flush()
        if self.options.json:
            self._write({"event": "summary", **_fields(summary)})
        return summary

    async def run(self, stop: asyncio.Event | None = None) -> int:
        """Start the stations, report until `stop` or the duration ends, then stop them all."""
        stop = stop or asyncio.Event()
        starter = asyncio.create_task(self._start_all(), name="fleet-starter")
        reporter = asyncio.create_task(self._report_forever(), name="fleet-reporter")
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.options.duration):
                    await stop.wait()
        finally:
            for task in (starter, reporter):
                task.cancel()
            await asyncio.gather(starter, reporter, return_exceptions=True)
            await self.shutdown()
        self.report()
        return 0 if self.ever_connected else 1

    async def _start_all(self) -> None:
        gap = 1.0 / self.options.connect_rate
        for station in self.stations:
            self._tasks.append(asyncio.create_task(station.run(), name=station.station_id))
            await asyncio.sleep(gap)

    async def _report_forever(self) -> None:
        while True:
            await asyncio.sleep(self.options.summary_interval)
            self.report()

    async def shutdown(self) -> None:
        """Stop every station that was started and close its socket."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _fields(summary: FleetSummary) -> dict[str, object]:
    return {
        "stations": summary.stations,
        "started": summary.started,
        "connected": summary.connected,
        "booted": summary.booted,
        "active_transactions": summary.active_transactions,
        "messages_sent": summary.messages_sent,
        "messages_per_second": round(summary.messages_per_second, 2),
        "errors": summary.errors,
    }


async def run_fleet_async(
    options: FleetOptions, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the fleet on the running loop until SIGINT/SIGTERM or `options.duration`."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        return await Fleet(options, out=out, err=err).run(stop)
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def run_fleet(options: FleetOptions) -> int:
    """Run the fleet to completion; the process exit code (0 ok, 1 never connected)."""
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(run_fleet_async(options))
