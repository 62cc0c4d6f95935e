"""Can one simulator process hold 2,000 stations against a real `csms serve`?

    python -m tests.e2e.fleet_capacity [--count 2000] [--hold 60] [--sessions-per-hour 2]

Starts `csms serve` on a fresh SQLite database (a temporary directory) and
`csms simulate chargers --count N --version mixed` in another process, waits until every
station has booted, then holds the fleet for `--hold` seconds with sessions running,
sampling the simulator's memory and CPU. Prints one JSON object with the figures and exits
1 if any station failed to boot, dropped its connection, reported an error, or the server
did not count every station as connected. `tests/e2e/test_fleet_capacity.py` runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from shared.config import DatabaseSettings
from tests.e2e.chain import CSMS, Chain, start_chain

__all__ = ["main", "measure"]

_TICKS = os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


class FleetWatch:
    """Reads the fleet's JSON events as they come and counts them."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()
        self.last_summary: dict[str, Any] = {}
        self.errors: Counter[str] = Counter()

    async def read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            event = json.loads(line)
            kind = event["event"]
            self.kinds[kind] += 1
            if kind == "summary":
                self.last_summary = event
            elif kind == "error":
                self.errors[str(event.get("what"))] += 1

    async def until_booted(self, count: int, within: float) -> float:
        began = time.monotonic()
        while self.kinds["booted"] < count:
            if time.monotonic() - began > within:
                raise TimeoutError(f"{self.kinds['booted']}/{count} booted in {within} s")
            await asyncio.sleep(0.2)
        return time.monotonic() - began


async def _server_connected(chain: Chain, prefix: str) -> int:
    listed = await chain.csms_json("stations", "list")
    return sum(1 for s in listed if s["id"].startswith(prefix) and s["connected"])


async def _hold(
    chain: Chain, pid: int, watch: FleetWatch, hold: float, prefix: str
) -> dict[str, Any]:
    """Sample the fleet process while it holds its stations."""
    cpu0, t0, peak = _cpu_s(pid), time.monotonic(), _rss_mib(pid)
    drops_before = watch.kinds["disconnected"]
    while time.monotonic() - t0 < hold:
        await asyncio.sleep(1.0)
        peak = max(peak, _rss_mib(pid))
    cpu = (_cpu_s(pid) - cpu0) / (time.monotonic() - t0)
    return {
        "hold_s": hold,
        "simulator_rss_mib": round(peak, 1),
        "simulator_cpu_percent_of_one_core": round(100 * cpu, 1),
        "disconnects_while_holding": watch.kinds["disconnected"] - drops_before,
        "server_counts_connected": await _server_connected(chain, prefix),
        "fleet_summary": watch.last_summary,
        "transactions_started": watch.kinds["transaction_started"],
        "transactions_stopped": watch.kinds["transaction_stopped"],
        "errors": dict(watch.errors),
    }


async def measure(
    workdir: Path, count: int, hold: float, sessions_per_hour: float, connect_rate: float
) -> dict[str, Any]:
    """Run the server and the fleet; the figures (see the module docstring)."""
    database = DatabaseSettings(url=f"sqlite+aiosqlite:///{workdir / 'capacity.db'}")
    prefix = "CAP"
    with start_chain(workdir, database) as chain:
        await chain.csms("tokens", "add", "04A1B2C3D4E5F6")  # one of the fleet's cards
        process = await asyncio.create_subprocess_exec(
            *(CSMS, "simulate", "chargers", "--count", str(count), "--version", "mixed"),
            *("--url", chain.ocpp_url, "--prefix", prefix, "--json", "--summary-interval", "5"),
            *("--sessions-per-hour", str(sessions_per_hour), "--connect-rate", str(connect_rate)),
            *("--id-tags", "04A1B2C3D4E5F6", "--session-duration", "120-600"),
            env=chain.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert process.stdout is not None
        watch = FleetWatch()
        reader = asyncio.create_task(watch.read(process.stdout))
        try:
            boot_s = await watch.until_booted(count, within=max(120.0, 3 * count / connect_rate))
            figures = {"stations": count, "seconds_to_boot_all": round(boot_s, 1)}
            figures.update(await _hold(chain, process.pid, watch, hold, prefix))
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
            figures_code = await asyncio.wait_for(process.wait(), 120)
            await reader
        figures["fleet_exit_code"] = figures_code
        figures["server_rss_mib"] = round(_rss_mib(chain.process.pid), 1)
        return figures


def verdict(figures: dict[str, Any]) -> list[str]:
    """What went wrong, if anything."""
    count = figures["stations"]
    problems = []
    if figures["server_counts_connected"] != count:
        problems.append(f"server counts {figures['server_counts_connected']} connected")
    if figures["disconnects_while_holding"]:
        problems.append(f"{figures['disconnects_while_holding']} disconnects while holding")
    if figures["fleet_summary"].get("connected") != count:
        problems.append(f"fleet reports {figures['fleet_summary'].get('connected')} connected")
    if figures["errors"]:
        problems.append(f"errors: {figures['errors']}")
    if figures["fleet_exit_code"] != 0:
        problems.append(f"fleet exited {figures['fleet_exit_code']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--hold", type=float, default=60.0, help="seconds to hold the fleet")
    parser.add_argument("--sessions-per-hour", type=float, default=2.0, help="per station")
    parser.add_argument("--connect-rate", type=float, default=100.0, help="stations per second")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fleet-capacity-") as tmp:
        figures = asyncio.run(
            measure(Path(tmp), args.count, args.hold, args.sessions_per_hour, args.connect_rate)
        )
    problems = verdict(figures)
    figures["problems"] = problems
    print(json.dumps(figures, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
