"""What becomes of a command: rejected, CALLERROR, no answer, offline, not booted,
unsupported; one call at a time per station; CommandFinished after the commit."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from cli.node import Node
from shared.authorization import IdToken
from shared.config import DatabaseSettings
from shared.domain.commands import (
    ClearCache,
    CommandStatus,
    GetTransactionStatus,
    RawCall,
    Reset,
    StartCharging,
    Unlock,
)
from shared.events import CommandFinished
from shared.store.tables import commands
from tests.harness import running_node
from tests.integration.commands.charger import Fail, Hold, Reply, Silence, connected_charger
from tests.integration.commands.conftest import settings_for

VERSIONS = ["1.6", "2.0.1"]


async def wait_until_status(node: Node, command_id: str, status: CommandStatus) -> None:
    for _ in range(200):
        record = await node.commands.get(command_id)
        if record is not None and record.status is status:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"command {command_id} never became {status.value}")


async def until_held(node: Node, station_id: str) -> None:
    """The websocket handshake ends before the session is registered: wait for that."""
    for _ in range(200):
        if node.executor.holds(station_id):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{station_id} never registered")


@pytest.mark.parametrize("version", VERSIONS)
async def test_rejected(node: Node, version: str) -> None:
    action = "RemoteStartTransaction" if version == "1.6" else "RequestStartTransaction"
    async with connected_charger(node.ocpp_port, "CP-R", version) as charger:
        charger.answers[action] = Reply({"status": "Rejected"})
        record = await node.commands.execute("CP-R", StartCharging(IdToken("T1")), "test")
    assert record.status is CommandStatus.REJECTED
    assert record.response == {"status": "Rejected"}
    assert record.error == "Rejected"


@pytest.mark.parametrize("version", VERSIONS)
async def test_unlock_failed_is_rejected(node: Node, version: str) -> None:
    async with connected_charger(node.ocpp_port, "CP-U", version) as charger:
        charger.answers["UnlockConnector"] = Reply({"status": "UnlockFailed"})
        record = await node.commands.execute("CP-U", Unlock(1), "test")
    assert (record.status, record.error) == (CommandStatus.REJECTED, "UnlockFailed")


@pytest.mark.parametrize("version", VERSIONS)
async def test_call_error_fails_with_its_code(node: Node, version: str) -> None:
    async with connected_charger(node.ocpp_port, "CP-E", version) as charger:
        charger.answers["Reset"] = Fail("NotSupported", "no resets here")
        record = await node.commands.execute("CP-E", Reset(hard=True), "test")
    assert record.status is CommandStatus.FAILED
    assert record.error == "CALLERROR NotSupported: no resets here"
    assert record.response is not None
    assert record.response["errorCode"] == "NotSupported"


@pytest.mark.parametrize("version", VERSIONS)
async def test_no_answer_times_out(node: Node, version: str) -> None:
    async with connected_charger(node.ocpp_port, "CP-T", version) as charger:
        charger.answers["ClearCache"] = Silence()
        record = await node.commands.execute("CP-T", ClearCache(), "test", timeout=0.3)
        # The connection survives the timeout: the next command is answered.
        charger.answers["ClearCache"] = Reply({"status": "Accepted"})
        after = await node.commands.execute("CP-T", ClearCache(), "test")
    assert record.status is CommandStatus.TIMEOUT
    assert record.error == "station CP-T did not answer ClearCache within 0.3 s"
    assert record.timeout_s == 0.3
    assert after.status is CommandStatus.ACCEPTED


async def test_offline_and_unknown_stations_fail_at_once(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-GONE", "1.6"):
        pass
    offline = await node.commands.submit("CP-GONE", Reset(), "test")
    unknown = await node.commands.execute("NOBODY", Reset(), "test")
    assert (offline.status, offline.error) == (
        CommandStatus.FAILED,
        "station CP-GONE is not connected",
    )
    assert (unknown.status, unknown.error) == (CommandStatus.FAILED, "station NOBODY is unknown")
    assert offline.sent_at is None
    assert offline.completed_at is not None
    assert await node.commands.get(offline.id) == offline


async def test_nothing_is_sent_before_the_boot_is_accepted(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-NEW", "2.0.1", boot=False) as charger:
        await until_held(node, "CP-NEW")
        early = await node.commands.execute("CP-NEW", Reset(), "test")
        await charger.boot()
        late = await node.commands.execute("CP-NEW", Reset(), "test")
    assert early.status is CommandStatus.FAILED
    assert early.error is not None
    assert "has not been accepted yet" in early.error
    assert late.status is CommandStatus.ACCEPTED
    assert [call.action for call in charger.received] == ["Reset"]


async def test_a_station_back_without_a_boot_gets_commands(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-BACK", "1.6"):
        pass
    async with connected_charger(node.ocpp_port, "CP-BACK", "1.6", boot=False) as charger:
        await until_held(node, "CP-BACK")
        record = await node.commands.execute("CP-BACK", ClearCache(), "test")
    assert record.status is CommandStatus.ACCEPTED
    assert [call.action for call in charger.received] == ["ClearCache"]


@pytest.mark.parametrize(
    ("version", "command", "reason"),
    [
        ("1.6", GetTransactionStatus("1"), "get_transaction_status is not available in OCPP 1.6"),
        ("2.0.1", RawCall("Reset", {"type": "Bogus"}), "not valid OCPP 2.0.1"),
        ("1.6", RawCall("NoSuchAction", {}), "not valid OCPP 1.6"),
    ],
)
async def test_what_cannot_be_sent_fails_without_sending(
    node: Node, version: str, command: object, reason: str
) -> None:
    async with connected_charger(node.ocpp_port, "CP-X", version) as charger:
        record = await node.commands.execute("CP-X", command, "test")  # type: ignore[arg-type]
    assert record.status is CommandStatus.FAILED
    assert record.error is not None
    assert reason in record.error
    assert charger.received == []


async def test_one_call_at_a_time_per_station(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-SEQ", "1.6") as charger:
        charger.answers["Reset"] = Hold()
        first = asyncio.create_task(node.commands.execute("CP-SEQ", Reset(), "test"))
        assert (await charger.next_call()).action == "Reset"
        second = await node.commands.submit("CP-SEQ", ClearCache(), "test")
        await wait_until_status(node, second.id, CommandStatus.SENT)
        # A round trip on the same socket: a second CALL sent meanwhile would be here now.
        assert (await charger.call("Heartbeat", {}))[0] == 3
        assert [call.action for call in charger.received] == ["Reset"]
        await charger.release("Reset", {"status": "Accepted"})
        assert (await charger.next_call()).action == "ClearCache"
        done = await node.commands.wait(second.id, 10)
        assert (await first).status is CommandStatus.ACCEPTED
    assert done is not None
    assert done.status is CommandStatus.ACCEPTED
    assert [call.action for call in charger.received] == ["Reset", "ClearCache"]


async def test_command_finished_is_published_after_the_commit(node: Node) -> None:
    seen: list[tuple[CommandFinished, str | None]] = []

    async def on_finished(event: CommandFinished) -> None:
        async with node.database.read() as conn:
            status = (
                await conn.execute(
                    select(commands.c.status).where(commands.c.id == event.command_id)
                )
            ).scalar_one_or_none()
        seen.append((event, status))

    node.bus.subscribe(CommandFinished, on_finished)
    async with connected_charger(node.ocpp_port, "CP-EV", "1.6"):
        record = await node.commands.execute("CP-EV", ClearCache(), "test")
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.02)
    [(event, stored)] = seen
    assert (event.command_id, event.station_id, event.status) == (record.id, "CP-EV", "accepted")
    assert stored == "accepted"


async def test_a_disconnect_while_waiting_fails_the_command(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "CP-DROP", "2.0.1") as charger:
        charger.answers["ClearCache"] = Hold()
        pending = asyncio.create_task(node.commands.execute("CP-DROP", ClearCache(), "test"))
        await charger.next_call()
        await charger.ws.close()
        record = await pending
    assert record.status is CommandStatus.FAILED
    assert record.error is not None
    assert "CP-DROP" in record.error


async def test_every_waiter_hears_the_result(db_settings: DatabaseSettings) -> None:
    # A poll that never comes during the test: only the wake-up can end the waits in time.
    settings = settings_for(db_settings)
    settings = settings.model_copy(
        update={"node": settings.node.model_copy(update={"command_poll_seconds": 300})}
    )
    async with (
        running_node(settings) as node,
        connected_charger(node.ocpp_port, "CP-W", "1.6") as charger,
    ):
        charger.answers["ClearCache"] = Hold()
        submitted = await node.commands.submit("CP-W", ClearCache(), "test")
        patient = [asyncio.create_task(node.commands.wait(submitted.id, 30)) for _ in range(2)]
        await charger.next_call()
        # An impatient waiter gives up first; the others must still be woken.
        impatient = await node.commands.wait(submitted.id, 0.05)
        await charger.release("ClearCache", {"status": "Accepted"})
        done = await asyncio.wait_for(asyncio.gather(*patient), 20)
    assert impatient is not None
    assert impatient.status is CommandStatus.SENT
    assert [record.status for record in done if record] == [CommandStatus.ACCEPTED] * 2
