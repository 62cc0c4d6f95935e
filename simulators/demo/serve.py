"""`csms serve` as a child process of the demo, stopped by it however the demo ends.

The server runs in its own process group, so that Ctrl-C reaches the demo alone and the
demo can stop things in order (simulators first, then the server, which then commits what
they sent). On Linux the child also asks the kernel for SIGTERM should the demo die
without cleaning up (PR_SET_PDEATHSIG), so no server outlives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import aiohttp

__all__ = ["CsmsServer", "DemoError", "csms_executable", "port_in_use"]

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class DemoError(Exception):
    """The demo cannot go on; the message says why and what to do."""


def csms_executable() -> str:
    """The `csms` script of this Python's environment (the venv `make demo` made)."""
    beside = Path(sys.executable).with_name("csms")
    if beside.exists():
        return str(beside)
    found = shutil.which("csms")
    if found is None:
        raise DemoError("the csms command is not installed: run `make demo` (it installs it)")
    return found


def port_in_use(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:`port`."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook making the child get SIGTERM when the demo dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    prctl = libc.prctl

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    return hook


class CsmsServer:
    """One `csms serve` child process with its log file."""

    def __init__(self, env: Mapping[str, str], log_path: Path, health_url: str) -> None:
        self._env = dict(env)
        self.log_path = log_path
        self._health_url = health_url
        self.process: asyncio.subprocess.Process | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, within: float = 120.0) -> float:
        """Start the server; return the seconds until it answered `/health`."""
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                csms_executable(),
                "serve",
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=_die_with_parent(),
            )
        await self._wait_healthy(began + within)
        return time.monotonic() - began

    async def _wait_healthy(self, deadline: float) -> None:
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while time.monotonic() < deadline:
                if not self.running:
                    raise DemoError(f"csms serve stopped at start-up:\n{self.log_tail()}")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with http.get(self._health_url) as answer:
                        if answer.status == 200:
                            return
                await asyncio.sleep(0.2)
        raise DemoError(f"csms serve did not answer {self._health_url} in time")

    async def wait(self) -> int:
        """Wait for the server to exit; its exit code."""
        assert self.process is not None
        return await self.process.wait()

    async def stop(self, grace: float = 20.0) -> int | None:
        """SIGTERM (a clean shutdown: it commits what it holds), SIGKILL after `grace`."""
        process = self.process
        if process is None:
            return None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        return process.returncode

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's log, for an error message."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])
