"""`make demo` in small: `python -m simulators.demo` on free ports in a fresh directory
starts the server, the stations and the eMSP, says what to try, and after Ctrl-C (SIGINT)
leaves nothing running."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.e2e.chain import eventually

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]


def processes_in(directory: Path) -> list[str]:
    """Command lines of the processes whose working directory is `directory`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == directory:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue  # gone, or not ours to look at
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_demo_runs_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    ocpp_port, http_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSMS_")}
    env.update(
        CSMS_OCPP__PORT=str(ocpp_port),
        CSMS_HTTP__PORT=str(http_port),
        PYTHONPATH=str(PROJECT),
    )
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "simulators.demo", "--stations", "2"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # as a terminal's job: its own process group
    )
    assert process.stdout is not None
    lines: list[str] = []

    async def read() -> None:
        assert process.stdout is not None
        while line := await process.stdout.readline():
            lines.append(line.decode())

    reader = asyncio.create_task(read())
    try:
        await eventually(lambda: any("Try, in another" in x for x in lines), 45, "the hints")
        await eventually(lambda: any("registered with the CPO" in x for x in lines), 20, "eMSP")
        assert len(processes_in(tmp_path)) == 2  # the demo and its csms serve
    finally:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
        code = await asyncio.wait_for(process.wait(), 40)
        await reader
    output = "".join(lines)
    assert code == 0, output
    assert "all 4 stations connected and accepted" in output
    assert f"CSMS_HTTP__PORT={http_port}" in output  # the hints name the port in use
    assert f"http://127.0.0.1:{http_port}/ocpi/versions" in output
    assert "Tariffs added: DEMO-AC" in output
    assert "Locations added: DEMO-HAMNEN" in output
    assert "csms serve stopped (0)" in output
    assert processes_in(tmp_path) == []
    database = sqlite3.connect(tmp_path / "data" / "demo.db")
    try:
        rows = database.execute("SELECT id, ocpp_version, connected FROM stations ORDER BY id")
        assert rows.fetchall() == [
            ("DEMO-1", "1.6", 0),
            ("DEMO-2", "2.0.1", 0),
            ("DEMO-3", "1.6", 0),
            ("DEMO-4", "2.0.1", 0),
        ]
    finally:
        database.close()
