"""Shared benchmark plumbing: start servers as subprocesses on loopback, measure a process's
CPU and memory, fresh databases, and printing figures with the machine they came from."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "PG_URL",
    "LoadProcess",
    "Phase",
    "Run",
    "ServerProcess",
    "cpu_seconds",
    "drive",
    "free_port",
    "loadavg",
    "machine",
    "pg_available",
    "print_table",
    "raise_open_files",
    "rss_kib",
    "spy_on",
    "start_csms",
    "start_raw_responder",
]

PG_URL = os.environ.get(
    "LADDPUNKT_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "load_average_1m": round(loadavg(), 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


@dataclass(frozen=True)
class Phase:
    """The server as a phase of the load generator began: time, CPU so far, memory."""

    at: float  # time.perf_counter() of the driver
    cpu_s: float
    rss_kib: int


@dataclass
class Run:
    """What a load generator run reported, and the server at each phase."""

    phases: dict[str, Phase]
    summary: dict[str, Any]
    lines: list[dict[str, Any]]  # every other JSON line (e.g. the calls the stations got)

    def cpu_between(self, start: str, end: str) -> float:
        return self.phases[end].cpu_s - self.phases[start].cpu_s

    def seconds_between(self, start: str, end: str) -> float:
        return self.phases[end].at - self.phases[start].at


def drive(pid: int, command: list[str], timeout: float = 900) -> Run:
    """Run the load generator `command`, sampling process `pid` at each phase line."""
    generator = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert generator.stdout is not None
    phases: dict[str, Phase] = {}
    summary: dict[str, Any] = {}
    lines: list[dict[str, Any]] = []
    try:
        for line in generator.stdout:
            event = json.loads(line)
            if "event" in event:
                now = time.perf_counter()
                phases[event["event"]] = Phase(now, cpu_seconds(pid), rss_kib(pid))
            elif "summary" in event:
                summary = event["summary"]
            else:
                lines.append(event)
        generator.wait(timeout=timeout)
    finally:
        if generator.poll() is None:
            generator.kill()
            generator.wait()
    return Run(phases, summary, lines)


def raise_open_files(wanted: int) -> int:
    """Raise this process's open-file limit towards `wanted` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return int(soft)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


class LoadProcess:
    """A load generator subprocess driven from asyncio: its phase lines can be awaited,
    every other line is kept in `lines`."""

    def __init__(self, command: list[str]) -> None:
        self._command = command
        self.lines: list[dict[str, Any]] = []
        self.summary: dict[str, Any] = {}
        self._phases: dict[str, asyncio.Event] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            *self._command, stdout=asyncio.subprocess.PIPE, limit=2**20
        )
        self._reader = asyncio.create_task(self._read())

    def _phase(self, name: str) -> asyncio.Event:
        return self._phases.setdefault(name, asyncio.Event())

    async def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            event = json.loads(line)
            if "event" in event:
                self._phase(event["event"]).set()
            elif "summary" in event:
                self.summary = event["summary"]
            else:
                self.lines.append(event)

    async def reached(self, phase: str, timeout: float) -> None:
        await asyncio.wait_for(self._phase(phase).wait(), timeout)

    async def finish(self, timeout: float) -> None:
        assert self._process is not None
        assert self._reader is not None
        try:
            await asyncio.wait_for(self._process.wait(), timeout)
            await self._reader
        finally:
            if self._process.returncode is None:
                self._process.kill()
                await self._process.wait()


def spy_on(pid: int, path: str) -> subprocess.Popen[bytes]:
    """py-spy (`--gil`, raw) on process `pid` until it gets SIGINT; the profile goes to
    `path` (read it with `python -m bench.profile_server --load PATH`)."""
    import shutil

    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "-p", str(pid), "--gil", "-r", "500", "-f", "raw", "-o", path]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # let it attach
    return process


def loadavg() -> float:
    """The 1-minute load average: other work on the machine skews every figure."""
    return os.getloadavg()[0]


def pg_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), 1):
            return True
    except OSError:
        return False


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int
    http_port: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_listening(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {seconds}s")


@contextlib.contextmanager
def start_raw_responder() -> Iterator[ServerProcess]:
    """The raw responder, with its command endpoint on `http_port`."""
    raise_open_files(65536)  # inherited by the server: 10,000 stations need as many sockets
    port, http_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.raw_responder",
            "--port",
            str(port),
            "--http-port",
            str(http_port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = ServerProcess(process, port, http_port)
    try:
        _wait_listening(port, process)
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def _database_url(kind: str) -> Iterator[dict[str, str]]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="laddpunkt-bench-") as folder:
            yield {"CSMS_DATABASE__URL": f"sqlite+aiosqlite:///{folder}/bench.db"}
        return
    schema = f"bench_{secrets.token_hex(4)}"
    _psql(f"CREATE SCHEMA {schema}")
    try:
        yield {"CSMS_DATABASE__URL": PG_URL, "CSMS_DATABASE__SCHEMA_NAME": schema}
    finally:
        _psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _psql(sql: str) -> None:
    import asyncio

    import asyncpg  # type: ignore[import-untyped]

    async def run() -> None:
        conn = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg", "postgresql"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@contextlib.contextmanager
def start_csms(
    db: str,
    extra_env: dict[str, str] | None = None,
    tokens: tuple[str, ...] = (),
    prepare: Callable[[dict[str, str]], None] | None = None,
) -> Iterator[ServerProcess]:
    """`csms serve` on free loopback ports and a fresh database of kind `db`; `prepare`
    gets the server's environment (its database) to seed it before the server starts."""
    with _database_url(db) as db_env, tempfile.TemporaryDirectory() as workdir:
        raise_open_files(65536)  # inherited by the server
        port, http_port = free_port(), free_port()
        env = {
            **os.environ,
            **db_env,
            "CSMS_OCPP__PORT": str(port),
            "CSMS_HTTP__PORT": str(http_port),
            # The defaults: INFO, as JSON lines (what a service writes to its journal).
            "CSMS_LOGGING__LEVEL": "INFO",
            "CSMS_LOGGING__FORMAT": "json",
            # OCPI links and response URLs name where clients reach this server.
            "CSMS_OCPI__PUBLIC_URL": f"http://127.0.0.1:{http_port}",
            **(extra_env or {}),
        }
        if tokens:
            _add_tokens(env, tokens)
        if prepare is not None:
            prepare(env)
        log = Path(workdir) / "server.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [str(Path(sys.executable).with_name("csms")), "serve"],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=workdir,
            )
            server = ServerProcess(process, port, http_port)
            try:
                try:
                    _wait_listening(port, process)
                except RuntimeError:
                    tail = log.read_text(errors="replace").splitlines()[-30:]
                    print("\n".join(["csms serve failed:", *tail]), file=sys.stderr)
                    raise
                yield server
            finally:
                server.stop()


def _add_tokens(env: dict[str, str], tokens: tuple[str, ...]) -> None:
    """Accepted id tokens, written before the server starts (schema created first)."""
    code = (
        "import asyncio, sys\n"
        "from datetime import UTC, datetime\n"
        "from sqlalchemy import insert\n"
        "from shared.config import load_settings\n"
        "from shared.store.database import Database\n"
        "from shared.store.migrate import upgrade_database\n"
        "from shared.store.tables import id_tokens\n"
        "async def main():\n"
        "    db = Database(load_settings().database)\n"
        "    await upgrade_database(db)\n"
        "    now = datetime.now(UTC)\n"
        "    async with db.begin() as conn:\n"
        "        await conn.execute(insert(id_tokens), [dict(source='local', id_token=t,"
        " type='ISO14443', status='Accepted', last_updated=now) for t in sys.argv[1:]])\n"
        "    await db.dispose()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", code, *tokens], env=env, check=True)


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """Figures for people, then one JSON line for scripts."""
    print(f"\n== {title} ==")
    if rows:
        keys = list(dict.fromkeys(key for row in rows for key in row))
        widths = {k: max(len(k), *(len(str(r.get(k, ""))) for r in rows)) for k in keys}
        print("  ".join(k.ljust(widths[k]) for k in keys))
        for row in rows:
            print("  ".join(str(row.get(k, "")).ljust(widths[k]) for k in keys))
    print(json.dumps({"benchmark": title, "machine": machine(), "rows": rows}))
