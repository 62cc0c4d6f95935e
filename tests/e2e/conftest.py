"""End-to-end fixtures: a real `csms serve` process on free loopback ports."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.e2e.chain import Chain

__all__ = ["ServeProcess", "serve_process"]


@dataclass
class ServeProcess:
    process: subprocess.Popen[bytes]
    ocpp_port: int
    http_port: int
    env: dict[str, str]
    log_path: Path

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _wait_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"csms serve exited early with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"csms serve did not listen on {port} within {seconds}s")


@contextlib.contextmanager
def serve_process(workdir: Path, env: dict[str, str]) -> Iterator[ServeProcess]:
    """Start `csms serve` in `workdir` with `env` (CSMS_* settings) on free ports."""
    ocpp_port, http_port = free_port(), free_port()
    full_env = {
        **os.environ,
        "CSMS_OCPP__PORT": str(ocpp_port),
        "CSMS_HTTP__PORT": str(http_port),
        "CSMS_LOGGING__FORMAT": "json",
        **env,
    }
    log_path = workdir / f"serve-{ocpp_port}.log"
    csms = str(Path(sys.executable).with_name("csms"))
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [csms, "serve"], cwd=workdir, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    served = ServeProcess(process, ocpp_port, http_port, full_env, log_path)
    try:
        _wait_port(ocpp_port, process)
        yield served
    finally:
        served.stop()


@pytest.fixture
def e2e_workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def chain(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Chain]:
    """One `csms serve` per database kind, shared by the chain tests (which keep apart by
    station id): starting a server costs seconds, and the whole e2e folder must stay quick."""
    import asyncio

    from tests.conftest import drop_schema, make_database_settings
    from tests.e2e.chain import start_chain

    workdir = tmp_path_factory.mktemp(f"chain-{request.param}")
    settings, schema = asyncio.run(make_database_settings(request.param, workdir))
    try:
        with start_chain(workdir, settings) as running:
            yield running
    finally:
        asyncio.run(drop_schema(schema))
