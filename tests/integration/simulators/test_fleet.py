"""The fleet runner: many stations, JSON events, summaries, clean stops."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import sys

from simulators.chargepoint import FleetOptions, run_fleet_async

from .fake_csms import FakeCsms


async def test_fleet_of_mixed_versions_reports_events_and_closes_every_socket(
    csms: FakeCsms,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    options = FleetOptions(
        count=6,
        version="mixed",
        url=csms.url,
        json=True,
        duration=4.0,
        sessions_per_hour=7200.0,
        session_duration=(1.0, 1.0),
        meter_sample_interval=1,
        summary_interval=1.0,
        connect_rate=20.0,
    )
    code = await run_fleet_async(options, out=out, err=err)

    assert code == 0
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    booted = {e["station_id"] for e in events if e["event"] == "booted"}
    assert booted == {f"SIM-{n}" for n in range(1, 7)}
    kinds = {e["event"] for e in events}
    assert {"connected", "booted", "transaction_started", "transaction_stopped", "summary"} <= kinds
    assert all(e["ts"].endswith("Z") for e in events)
    final = [e for e in events if e["event"] == "summary"][-1]
    assert final["stations"] == 6
    assert final["errors"] == 0
    assert "connected" in err.getvalue()
    versions = {m.station_id: m.payload for m in csms.received if m.action == "BootNotification"}
    assert "chargePointVendor" in versions["SIM-1"]
    assert "chargingStation" in versions["SIM-2"]
    await csms.wait_for(lambda: sum(csms.disconnects.values()) == 6)


async def test_command_line_fleet_stops_cleanly_on_sigterm(csms: FakeCsms) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulators.chargepoint",
        "--count",
        "3",
        "--version",
        "2.0.1",
        "--url",
        csms.url,
        "--json",
        "--summary-interval",
        "0.5",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    booted: set[str] = set()
    async with asyncio.timeout(30):
        while len(booted) < 3:
            line = await process.stdout.readline()
            assert line, "the simulator ended early"
            event = json.loads(line)
            if event["event"] == "booted":
                booted.add(event["station_id"])
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        rest, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()
    assert json.loads(rest.splitlines()[-1])["event"] == "summary"
    await csms.wait_for(lambda: sum(csms.disconnects.values()) == 3)
    assert not any(d for d in csms.connections if d not in {"SIM-1", "SIM-2", "SIM-3"})
