"""A fleet boots: `csms simulate chargers` against a real `csms serve`, watched with
`csms stations list`, then stopped with Ctrl-C (SIGINT) and seen to go offline."""

from __future__ import annotations

import asyncio
import io
import json
import signal
from collections import Counter
from typing import Any

import pytest

from cli.commands.simulate import LiveLine
from tests.e2e.chain import CSMS, Chain, eventually

pytestmark = pytest.mark.e2e

COUNT = 10
PREFIX = "E2E-FLEET"


async def read_events(stream: asyncio.StreamReader, events: list[dict[str, Any]]) -> None:
    """Collect the fleet's JSON events (one per line) until the stream ends."""
    while line := await stream.readline():
        events.append(json.loads(line))


async def fleet_stations(chain: Chain) -> list[dict[str, Any]]:
    listed = await chain.csms_json("stations", "list")
    return [s for s in listed if s["id"].startswith(f"{PREFIX}-")]


async def test_fleet_boots_reports_and_stops(chain: Chain) -> None:
    process = await asyncio.create_subprocess_exec(
        *(CSMS, "simulate", "chargers", "--count", str(COUNT), "--version", "mixed"),
        *("--url", chain.ocpp_url, "--prefix", PREFIX, "--sessions-per-hour", "0"),
        *("--json", "--summary-interval", "1", "--duration", "50"),
        env=chain.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    events: list[dict[str, Any]] = []
    reader = asyncio.create_task(read_events(process.stdout, events))
    try:

        def all_booted() -> bool:
            return sum(1 for e in events if e["event"] == "booted") == COUNT

        def summarised() -> bool:
            return any(e["event"] == "summary" and e["booted"] == COUNT for e in events)

        await eventually(all_booted, 30, "every station booted")
        await eventually(summarised, 10, "a summary of the booted fleet")

        async def all_reported() -> list[dict[str, Any]] | None:
            stations = await fleet_stations(chain)
            statuses = [c["status"] for s in stations for e in s["evses"] for c in e["connectors"]]
            ready = len(stations) == COUNT and statuses.count("Available") == 2 * COUNT
            return stations if ready else None

        stations = await eventually(all_reported, 20, "every connector reported", every=0.5)
        assert all(s["connected"] for s in stations)
        versions = Counter(s["ocpp_version"] for s in stations)
        assert versions == {"1.6": COUNT // 2, "2.0.1": COUNT // 2}
        assert {s["id"]: s["ocpp_version"] for s in stations}[f"{PREFIX}-1"] == "1.6"
        assert all(len(s["evses"]) == 2 for s in stations)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)  # what Ctrl-C does
        code = await asyncio.wait_for(process.wait(), 30)
        await reader
        summary = (await process.stderr.read()).decode()
    assert code == 0, summary
    assert Counter(e["event"] for e in events)["disconnected"] == COUNT
    last = events[-1]
    assert last["event"] == "summary"
    assert (last["stations"], last["connected"], last["errors"]) == (COUNT, 0, 0)
    assert f"stations {COUNT}/{COUNT} | connected {COUNT} | booted {COUNT}" in summary

    async def all_offline() -> bool:
        return not any(s["connected"] for s in await fleet_stations(chain))

    await eventually(all_offline, 15, "the server saw every station go", every=0.5)


def test_summary_line_rewrites_itself_on_a_terminal() -> None:
    """On a terminal each summary replaces the last (one live line); elsewhere lines stay."""
    screen = io.StringIO()
    live = LiveLine(screen, live=True)
    live.write("stations 1/2 | connected 1\n")
    live.write("stations 2/2 | conn")
    live.write("ected 2\n")
    live.finish()
    assert screen.getvalue() == (
        "\r\x1b[Kstations 1/2 | connected 1\r\x1b[Kstations 2/2 | connected 2\n"
    )
    log = io.StringIO()
    plain = LiveLine(log, live=False)
    plain.write("a\nb\n")
    plain.finish()
    assert log.getvalue() == "a\nb\n"
