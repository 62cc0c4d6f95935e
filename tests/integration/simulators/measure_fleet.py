"""Measure the simulator's memory and CPU with N idle stations.

    python -m tests.integration.simulators.measure_fleet --count 2000

Starts the fake CSMS in one process and `python -m simulators.chargepoint` in another,
waits until every station has booted, then samples the simulator's RSS and CPU time while
the fleet idles (heartbeats only). Prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

_TICKS = os.sysconf("SC_CLK_TCK")


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _tasks_and_threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def measure(count: int, version: str, idle_s: float, connect_rate: float) -> dict[str, object]:
    """Start a fake CSMS and a fleet of `count` stations; return the fleet's figures."""
    server_cmd = [sys.executable, "-m", "tests.integration.simulators.serve_fake"]
    with subprocess.Popen(server_cmd, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            fleet_cmd = [
                sys.executable, "-m", "simulators.chargepoint", "--count", str(count),
                "--version", version, "--url", url, "--sessions-per-hour", "0", "--json",
                "--connect-rate", str(connect_rate), "--summary-interval", "2",
            ]  # fmt: skip
            with subprocess.Popen(
                fleet_cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
            ) as fleet:
                try:
                    return _observe(fleet, count, idle_s)
                finally:
                    fleet.terminate()
                    fleet.communicate(timeout=120)  # drain: it reports every disconnect
        finally:
            server.terminate()
            server.communicate(timeout=60)


def _observe(fleet: subprocess.Popen[str], count: int, idle_s: float) -> dict[str, object]:
    assert fleet.stdout is not None
    started = time.monotonic()
    booted = 0
    while booted < count:
        line = fleet.stdout.readline()
        if not line:
            raise RuntimeError("the fleet ended before every station booted")
        if json.loads(line)["event"] == "booted":
            booted += 1
    boot_time = time.monotonic() - started
    time.sleep(2.0)  # let the post-boot status notifications settle
    rss_start, cpu_start, t_start = _rss_kib(fleet.pid), _cpu_s(fleet.pid), time.monotonic()
    deadline = t_start + idle_s
    peak = rss_start
    while time.monotonic() < deadline:
        time.sleep(1.0)
        peak = max(peak, _rss_kib(fleet.pid))
        while _readable(fleet):  # keep the pipe drained
            fleet.stdout.readline()
    cpu = (_cpu_s(fleet.pid) - cpu_start) / (time.monotonic() - t_start)
    return {
        "stations": count,
        "seconds_to_boot_all": round(boot_time, 1),
        "rss_mib": round(peak / 1024, 1),
        "rss_kib_per_station": round(peak / count, 1),
        "idle_cpu_percent_of_one_core": round(cpu * 100, 2),
        "threads": _tasks_and_threads(fleet.pid),
    }


def _readable(process: subprocess.Popen[str]) -> bool:
    import select

    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 0)
    return bool(ready)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--version", default="mixed")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds to sample")
    parser.add_argument("--connect-rate", type=float, default=200.0)
    args = parser.parse_args()
    baseline = measure(1, args.version, 5.0, args.connect_rate)
    figures = measure(args.count, args.version, args.idle, args.connect_rate)
    per_station = (float(figures["rss_mib"]) - float(baseline["rss_mib"])) * 1024 / (args.count - 1)  # type: ignore[arg-type]
    figures["baseline_rss_mib"] = baseline["rss_mib"]
    figures["marginal_kib_per_station"] = round(per_station, 1)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
