"""Where the server's CPU goes under load: py-spy (`--gil`) on `csms serve` during the
traffic phase of the load generator, aggregated by function.

    python -m bench.profile_server [--version 1.6] [--db sqlite] [--mix mixed]
        [--stations 1000] [--rate 1000] [--duration 15] [--top 40] [--native]
        [--phase traffic|boot] [--keep FILE] [--load FILE] [--callers NAME]

Prints two tables: self time (where the interpreter actually was) and inclusive time (what a
function and everything it called cost), each as a share of the samples that held the GIL.
Needs `py-spy` in the virtualenv (`.venv/bin/pip install py-spy`) and the right to trace
(root, or `kernel.yama.ptrace_scope=0`). Not part of `make bench`: a tool for finding costs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.common import cpu_seconds, start_csms
from bench.loadgen import loadgen_command

__all__ = ["aggregate", "callers", "main"]


def aggregate(raw: str) -> tuple[Counter[str], Counter[str], int]:
    """(self samples, inclusive samples, total) per function from py-spy's raw output."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_function(frame) for frame in stack.split(";")]
        frames = [frame for frame in frames if frame]
        if not frames:
            continue
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return own, inclusive, total


def callers(raw: str, target: str) -> Counter[str]:
    """Samples of functions whose name contains `target`, by their caller chain (3 deep)."""
    chains: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = [_function(frame) for frame in stack.split(";")]
        for index, frame in enumerate(frames):
            if target in frame:
                chain = " < ".join(reversed(frames[max(0, index - 3) : index + 1]))
                chains[chain] += int(count_text)
                break
    return chains


def _function(frame: str) -> str:
    # "name (path/file.py:123)" → "name (path/file.py)": one entry per function.
    name, _, where = frame.partition(" (")
    if not where:
        return frame.strip()
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def _print(title: str, counts: Counter[str], total: int, top: int) -> None:
    print(f"\n== {title} ({total} samples) ==")
    for name, count in counts.most_common(top):
        print(f"{100 * count / total:6.1f} %  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="profile csms serve under load")
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--mix", default="mixed")
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--native", action="store_true", help="include native frames")
    parser.add_argument("--keep", type=Path, help="also write py-spy's raw output here")
    parser.add_argument("--callers", action="append", default=[], help="who calls NAME")
    parser.add_argument("--load", type=Path, help="analyse a kept raw file, run nothing")
    parser.add_argument("--phase", choices=sorted(_PHASES), default="traffic")
    args = parser.parse_args(argv)
    raw = args.load.read_text() if args.load else _record(args)
    own, inclusive, total = aggregate(raw)
    if not total:
        print("no samples (is py-spy allowed to trace?)", file=sys.stderr)
        return 1
    _print("self", own, total, args.top)
    _print("inclusive", inclusive, total, args.top)
    for target in args.callers:
        _print(f"callers of {target}", callers(raw, target), total, 12)
    return 0


_PHASES = {"traffic": ("traffic_start", "traffic_end"), "boot": ("connect_start", "booted")}


def _record(args: argparse.Namespace) -> str:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    first, last = _PHASES[args.phase]
    with start_csms(args.db, tokens=("BENCH-TAG",)) as server, tempfile.TemporaryDirectory() as tmp:
        raw_path = Path(tmp) / "profile.txt"
        command = loadgen_command(
            f"ws://127.0.0.1:{server.port}/ocpp",
            version=args.version,
            stations=args.stations,
            rate=args.rate,
            duration=args.duration,
            processes=args.processes,
            mix=args.mix,
            timeout=30,
        )
        generator = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert generator.stdout is not None
        recorder: subprocess.Popen[bytes] | None = None
        cpu_start = 0.0
        summary: dict[str, object] = {}
        for line in generator.stdout:
            event = json.loads(line)
            if event.get("event") == first:
                cpu_start = cpu_seconds(server.pid)
                spy_args = [spy, "record", "-p", str(server.pid), "--gil", "-f", "raw"]
                spy_args += ["-o", str(raw_path), "-r", "200"]
                if args.native:
                    spy_args.append("--native")
                recorder = subprocess.Popen(
                    spy_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            elif event.get("event") == last:
                if recorder is not None:
                    recorder.send_signal(signal.SIGINT)  # py-spy writes its file and ends
                cpu = cpu_seconds(server.pid) - cpu_start
                print(f"server CPU during {args.phase}: {cpu:.2f} s")
            elif "summary" in event:
                summary = event["summary"]
        generator.wait(timeout=120)
        if recorder is not None:
            recorder.wait(timeout=120)
        print(json.dumps(summary))
        raw = raw_path.read_text() if raw_path.exists() else ""
        if args.keep:
            args.keep.write_text(raw)
    return raw


if __name__ == "__main__":
    sys.exit(main())
