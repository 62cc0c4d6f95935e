"""`Demo`: Laddpunkt with simulated chargers and a simulated eMSP, until Ctrl-C.

In order: a fresh SQLite database, `csms serve` (a child process), the demo tariff and
location imported with `csms`, the stations registered and linked to the location, the
drivers' tokens added, the fleet started (1.6 and 2.0.1, some sessions at once and more as
they come), and the eMSP invited (`csms partners invite`), registered, its tokens uploaded
and a session started and stopped remotely. Then it runs until Ctrl-C (SIGINT, SIGTERM,
SIGHUP) or `--duration`, and stops what it started in reverse order: eMSP, fleet, server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from simulators.chargepoint import DEFAULT_ID_TAGS, Fleet, FleetOptions

from .operator import Operator, StationPlan
from .options import DemoOptions
from .output import EmspLines, LabelledStream, Say, shown_path
from .partner import DemoPartner
from .serve import CsmsServer, DemoError, csms_executable, port_in_use

__all__ = ["Demo", "demo_environment"]

_PARTNER_NAME = "Demo eMSP"
_EMSP_TOKENS = ("NLEMSDEMO00001", "NLEMSDEMO00002")
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def demo_environment(options: DemoOptions, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of the server and of every `csms` command the demo runs."""
    env = {
        k: v for k, v in environ.items() if k not in ("CSMS_CONFIG", "CSMS_DATABASE__SCHEMA_NAME")
    }
    path = options.database_path
    shown = path.as_posix() if path.is_absolute() else f"./{path.as_posix()}"
    env.update(
        CSMS_DATABASE__URL=f"sqlite+aiosqlite:///{shown}",
        CSMS_OCPP__HOST="127.0.0.1",
        CSMS_OCPP__PORT=str(options.ocpp_port),
        CSMS_HTTP__HOST="127.0.0.1",
        CSMS_HTTP__PORT=str(options.http_port),
        CSMS_OCPI__PUBLIC_URL=options.http_url,
        CSMS_LOGGING__FORMAT="json",
    )
    return env


class Demo:
    """One run of the demo; `run()` returns the exit code."""

    def __init__(
        self, options: DemoOptions, say: Say | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self.options = options
        self.say = say or Say()
        self.env = demo_environment(options, os.environ if environ is None else environ)
        self.server = CsmsServer(self.env, options.log_path, f"{options.http_url}/health")
        self.operator = Operator(self.env, options.http_url, self.say)
        self.fleet: Fleet | None = None
        self.emsp_lines = EmspLines(self.say)
        self._fleet_stop = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[object]] = {}

    async def run(self) -> int:
        """Start everything, run until stopped, stop everything; 0 after a clean stop."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
        try:
            code = await self._start_then_run(stop)
        finally:
            # The handlers stay until everything is stopped: a second Ctrl-C must not cut
            # the clean-up short (the server's stop is bounded by its grace period).
            await self._shutdown()
            for sig in _STOP_SIGNALS:
                loop.remove_signal_handler(sig)
        return code

    async def _start_then_run(self, stop: asyncio.Event) -> int:
        starting = asyncio.create_task(self._start())
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError, DemoError):
                await starting
            self.say("stopped before the start was complete")
            return 0
        try:
            starting.result()
        except DemoError as error:
            self.say(f"error: {error}")
            return 1
        return await self._run_until(stop)

    async def _start(self) -> None:
        options = self.options
        self._prepare_files()
        self.say(f"starting csms serve (log: {options.log_path}) ...")
        seconds = await self.server.start()
        self.say(f"csms serve is up after {seconds:.1f} s")
        tariff_id = await self.operator.import_document("tariffs", options.tariff_file)
        location_id = await self.operator.import_document("locations", options.location_file)
        fleet = self._make_fleet()
        plans = [(s.station_id, s.config.version) for s in fleet.stations]
        await self._provision(plans, location_id, tariff_id)
        self._start_fleet(fleet)
        await self._wait_booted(fleet)
        self._hints()
        if options.emsp:
            await self._start_emsp(location_id)

    def _prepare_files(self) -> None:
        """A fresh database and log; refuse ports something else holds."""
        for port, name in ((self.options.ocpp_port, "OCPP"), (self.options.http_port, "HTTP")):
            if port_in_use(port):
                raise DemoError(
                    f"port {port} ({name}) is in use: choose others, e.g. "
                    "CSMS_OCPP__PORT=9100 CSMS_HTTP__PORT=8180 make demo"
                )
        self.options.data_dir.mkdir(parents=True, exist_ok=True)
        database = self.options.database_path
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        self.options.log_path.unlink(missing_ok=True)
        self.say(f"fresh database {database}")

    async def _provision(
        self, plans: Sequence[StationPlan], location_id: str, tariff_id: str
    ) -> None:
        versions = sorted({version for _, version in plans})
        self.say(
            f"registering {len(plans)} stations ({plans[0][0]} ... {plans[-1][0]}, "
            f"OCPP {' and '.join(versions)}) and linking them to {location_id} with tariff "
            f"{tariff_id}; adding the {len(DEFAULT_ID_TAGS)} RFID cards the drivers carry"
        )
        await self.operator.provision(plans, location_id, tariff_id, DEFAULT_ID_TAGS)

    def _make_fleet(self) -> Fleet:
        options = self.options
        fleet_options = FleetOptions(
            count=2 * options.stations_per_version,
            version="mixed",  # odd numbers 1.6, even numbers 2.0.1
            url=options.ocpp_url,
            sessions_per_hour=options.sessions_per_hour,
            prefix="DEMO",
            connect_rate=20.0,
            session_duration=options.session_duration,
            meter_sample_interval=options.sample_interval,
            summary_interval=10.0,
        )
        # LabelledStream is an io.TextIOBase: what typing.TextIO describes, under another name.
        summary = cast(TextIO, LabelledStream(self.say, "fleet"))
        self.fleet = Fleet(fleet_options, err=summary)
        return self.fleet

    def _start_fleet(self, fleet: Fleet) -> None:
        options = self.options
        low, high = (round(x / 60) for x in options.session_duration)
        self.say(
            f"starting {len(fleet.stations)} simulated chargers at {options.ocpp_url} "
            f"({options.sessions_per_hour:g} sessions/hour each, {low}-{high} min long, "
            f"meter values every {options.sample_interval} s)"
        )
        self._own("fleet", fleet.run(self._fleet_stop))
        self._own("first", self._first_sessions(fleet))

    async def _first_sessions(self, fleet: Fleet) -> None:
        """Drivers already waiting: a few sessions start as soon as their stations are up."""
        per_version: dict[str, int] = {}
        for station in fleet.stations:
            version = station.config.version
            if per_version.get(version, 0) >= self.options.first_sessions:
                continue
            per_version[version] = per_version.get(version, 0) + 1
            await station.wait_online()
            station.charging.start_session(1)

    async def _wait_booted(self, fleet: Fleet, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if all(station.online for station in fleet.stations):
                self.say(f"all {len(fleet.stations)} stations connected and accepted")
                return
            if self._tasks["fleet"].done():
                raise DemoError("the fleet stopped unexpectedly")
            await asyncio.sleep(0.2)
        online = sum(1 for s in fleet.stations if s.online)
        self.say(f"{online} of {len(fleet.stations)} stations online so far; going on")

    def _hints(self) -> None:
        options = self.options
        csms = shown_path(csms_executable())
        prefix = ""
        if options.http_port != 8080:
            prefix = f"CSMS_HTTP__PORT={options.http_port} "
        self.say.block(
            "Try, in another terminal:",
            [
                f"{prefix}{csms} stations list",
                f"{prefix}{csms} sessions list --active",
                f"{prefix}{csms} stations show DEMO-2",
                f"{prefix}{csms} cdrs list",
                f"{prefix}{csms} partners list",
                f"OCPI versions: {options.versions_url}",
                f"Server log:    {options.log_path}",
                "Ctrl-C stops everything the demo started.",
            ],
        )

    async def _start_emsp(self, location_id: str) -> None:
        token_a, versions_url = await self.operator.invite(_PARTNER_NAME)
        partner = DemoPartner(
            self.say, self.emsp_lines, _EMSP_TOKENS, stop_after=self.options.remote_stop_after
        )
        self._own("emsp", partner.run(versions_url, token_a, location_id))

    def _own(self, name: str, work: Coroutine[Any, Any, object]) -> None:
        """Run `work` as a task the demo owns (stopped at shutdown); say if it fails."""
        task = asyncio.create_task(work, name=f"demo-{name}")
        self._tasks[name] = task

        def finished(done: asyncio.Task[object]) -> None:
            if not done.cancelled() and done.exception() is not None:
                self.say(f"{name} stopped by an error: {done.exception()!r}")

        task.add_done_callback(finished)

    async def _run_until(self, stop: asyncio.Event) -> int:
        server = asyncio.create_task(self.server.wait(), name="demo-server-watch")
        stopped = asyncio.create_task(stop.wait())
        waiting: set[asyncio.Task[object]] = {server, stopped}
        done, _ = await asyncio.wait(
            waiting, timeout=self.options.duration, return_when=asyncio.FIRST_COMPLETED
        )
        for task in waiting:
            task.cancel()
        if server in done:
            self.say(f"csms serve exited ({server.result()}):\n{self.server.log_tail()}")
            return 1
        self.say("stopping ...")
        return 0

    async def _shutdown(self) -> None:
        """Stop the eMSP, then the fleet, then the server; wait for each."""
        for name in ("emsp", "first"):
            task = self._tasks.pop(name, None)
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        fleet_task = self._tasks.pop("fleet", None)
        if fleet_task is not None:
            self._fleet_stop.set()
            await asyncio.gather(fleet_task, return_exceptions=True)
        if self.options.emsp:
            self.say(f"location/tariff pushes received: {self.emsp_lines.pushes()}", "emsp")
        code = await self.server.stop()
        if code is not None:
            self.say(
                f"csms serve stopped ({code}); the database stays in {self.options.database_path}"
            )
