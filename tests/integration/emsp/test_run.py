"""`run_emsp_async` as `csms simulate emsp` runs it, against the fake CPO."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from simulators.emsp import EmspOptions, Printer, run_emsp_async
from simulators.emsp.__main__ import parse_args
from simulators.emsp.run import pick_evse

from .examples import example
from .fake_cpo import FakeCpo


async def test_run_registers_uploads_pulls_and_reports(cpo: FakeCpo) -> None:
    cpo.objects["locations"] = [example("location_example")]
    out = io.StringIO()
    stop = asyncio.Event()
    options = EmspOptions(
        versions_url=cpo.versions_url, token_a=cpo.token_a, token_uids=("RFID1",), json=True
    )
    task = asyncio.create_task(run_emsp_async(options, stop, Printer(json=True, stream=out)))
    for _ in range(200):  # bounded: until the pull of every module is printed
        await asyncio.sleep(0.02)
        if out.getvalue().count('"event":"pulled"') == 4:
            break
    stop.set()
    assert await task == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    notes = [line["event"] for line in lines if line["event"] != "ocpi"]
    assert notes[:3] == ["listening", "registered", "token_pushed"]
    # The CPO fetched our versions during the registration, shown as received events.
    assert any(line["event"] == "ocpi" and line["module"] == "versions" for line in lines)
    assert ("NL", "SIM", "RFID1", "RFID") in cpo.tokens
    pulled = {line["module"]: line["objects"] for line in lines if line["event"] == "pulled"}
    assert pulled == {"locations": 1, "tariffs": 0, "sessions": 0, "cdrs": 0}
    assert lines[-1] == {"event": "summary", "events": lines[-1]["events"], "problems": 0}


async def test_run_without_cpo_waits_with_a_token_a() -> None:
    out = io.StringIO()
    options = EmspOptions(duration=0.05)
    assert await run_emsp_async(options, printer=Printer(stream=out)) == 0
    assert "waiting_for_cpo" in out.getvalue()
    assert "token_a=" in out.getvalue()


async def test_run_exits_1_when_registration_is_refused(cpo: FakeCpo) -> None:
    out = io.StringIO()
    options = EmspOptions(versions_url=cpo.versions_url, token_a="wrong", register_attempts=1)
    assert await run_emsp_async(options, printer=Printer(stream=out)) == 1
    assert "register_failed" in out.getvalue()


def test_pick_evse() -> None:
    location = example("location_example")
    assert pick_evse([location], "auto") == ("LOC1", "3256", "1")
    assert pick_evse([], "L/E/C") == ("L", "E", "C")
    with pytest.raises(LookupError):
        pick_evse([], "auto")


def test_command_line() -> None:
    options = parse_args(
        [
            "--versions-url",
            "http://x/v",
            "--token-a",
            "A",
            "--token",
            "T1",
            "--start-session",
            "auto",
            "--json",
        ]
    )
    assert options.versions_url == "http://x/v"
    assert options.token_uids == ("T1",)
    assert options.start_session == "auto"
    assert options.json
    with pytest.raises(SystemExit):
        parse_args(["--versions-url", "http://x/v"])


def test_click_command_runs_the_simulator() -> None:
    from click.testing import CliRunner

    from cli.commands.simulate_emsp import emsp

    result = CliRunner().invoke(emsp, ["--duration", "0.05", "--json"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line)["event"] for line in result.output.splitlines()]
    assert events[:2] == ["listening", "waiting_for_cpo"]
    assert CliRunner().invoke(emsp, ["--token-a", "A"]).exit_code == 2
