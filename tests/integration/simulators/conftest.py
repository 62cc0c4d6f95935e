"""Fixtures: a fake CSMS on a real socket, and stations that run against it."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest

from simulators.chargepoint import Station, StationConfig, StationEvent

from .fake_csms import FakeCsms


class Recorder:
    """A station observer that keeps every event."""

    def __init__(self) -> None:
        self.events: list[StationEvent] = []

    def on_station_event(self, event: StationEvent) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
async def csms() -> AsyncIterator[FakeCsms]:
    server = FakeCsms()
    await server.start()
    yield server
    await server.stop()


def fast_config(url: str, station_id: str = "CP-1", **overrides: Any) -> StationConfig:
    """A station that does in seconds what real ones do in minutes."""
    base = StationConfig(
        station_id=station_id,
        url=url,
        meter_sample_interval=1,
        heartbeat_interval=60,
        response_timeout=5.0,
        backoff_min=0.05,
        backoff_max=0.5,
        backoff_random=0.05,
        reboot_delay=0.1,
        unplug_delay=(0.2, 0.3),
        step_delay=0.05,
        boot_retry_default=1,
        seed=7,
    )
    return replace(base, **overrides)


StationFactory = Callable[..., Station]


@pytest.fixture
async def start_station(csms: FakeCsms) -> AsyncIterator[Callable[..., Any]]:
    """Start stations against the fake CSMS; all are stopped at the end of the test."""
    running: list[tuple[Station, asyncio.Task[None], Recorder]] = []

    async def start(**overrides: Any) -> tuple[Station, Recorder]:
        recorder = Recorder()
        station = Station(fast_config(csms.url, **overrides), observer=recorder)
        task = asyncio.create_task(station.run())
        running.append((station, task, recorder))
        async with asyncio.timeout(20):
            await station.wait_online()
        return station, recorder

    yield start
    for station, task, _ in running:
        await station.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    # A CALLERROR from the CSMS means a message of ours broke the schema: always a bug here.
    refused = [
        e.data
        for _, _, recorder in running
        for e in recorder.events
        if e.kind == "error" and str(e.data["what"]).startswith("call_")
    ]
    assert not refused, refused
    # Every timestamp we sent is RFC 3339 in UTC with a Z.
    stamps = [v for m in csms.received for v in _timestamps(m.payload)]
    bad = [v for v in stamps if not _RFC3339_Z.match(v)]
    assert not bad, bad


_RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
_TIME_KEYS = {"timestamp", "generatedAt", "scheduleStart", "startSchedule", "validFrom", "validTo"}


def _timestamps(value: Any) -> list[str]:
    """Every value under a timestamp-like key, anywhere in a payload."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in _TIME_KEYS and isinstance(v, str)]
        return found + [t for v in value.values() for t in _timestamps(v)]
    if isinstance(value, list):
        return [t for v in value for t in _timestamps(v)]
    return []
