"""Push delivery to simulated eMSPs: order, speed of status updates, isolation of a dead
partner, and the one-time replay of what a partner missed."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from ocpi_gateway.push import PushSupervisor
from shared.events import (
    CdrCreated,
    ConnectorStatusChanged,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)
from shared.store.outbox import OutboxModule, cdr_delivery
from shared.store.tables import outbox
from shared.store.uow import UnitOfWork
from simulators.emsp import EmspEvent, EmspSimulator
from tests.unit.outbox import seed

from .conftest import PushHarness, example, stamp


def _status(evse_id: int, status: str = "Occupied") -> ConnectorStatusChanged:
    return ConnectorStatusChanged(seed.NOW, "CP-1", evse_id, 1, status, "Available", status)


async def _emit(push: PushHarness, *events: object) -> None:
    async def emit(uow: UnitOfWork) -> None:
        for event in events:
            uow.emit(event)  # type: ignore[arg-type]

    await push.run(emit)


def _pushes(sim: EmspSimulator, module: str) -> list[tuple[str, str]]:
    return [(e.method, e.path) for e in sim.events if e.module == module and e.direction == "in"]


async def test_evse_status_is_patched_when_the_change_commits(push: PushHarness) -> None:
    await push.site()
    _, sim = await push.partner()
    push.source.set_evse_status("EVSE-1", "CHARGING")
    await _emit(push, _status(1))

    await sim.wait_for_evse_status("EVSE-1", "CHARGING", within=10)
    assert _pushes(sim, "locations") == [("PATCH", "SE/LDP/LOC1/EVSE-1")]
    body = sim.events[-1].body
    assert set(body) == {"status", "last_updated"}
    assert sim.problems == []


async def _session(push: PushHarness, partner_id: int) -> int:
    async def start(uow: UnitOfWork) -> int:
        return await seed.transaction(uow, "CP-1", 1, partner_id=partner_id)

    tx = int(await push.run(start))
    push.source.sessions[str(tx)] = example(
        "session_example_1_simple_start", id=str(tx), status="ACTIVE", last_updated=stamp()
    )
    return tx


def _period(minute: int, kwh: int) -> dict[str, object]:
    return {
        "start_date_time": f"2024-05-01T13:{minute:02d}:00Z",
        "dimensions": [{"type": "ENERGY", "volume": kwh}],
    }


async def test_session_put_comes_first_and_periods_are_appended(push: PushHarness) -> None:
    await push.site()
    partner_id, sim = await push.partner()
    tx = await _session(push, partner_id)
    session = push.source.sessions[str(tx)]
    await _emit(push, TransactionStarted(seed.NOW, tx, "CP-1", 1, 1, "TOKEN1"))
    await sim.wait_for_session(status="ACTIVE", within=10)

    for minute, kwh in ((0, 1), (15, 2), (30, 3)):
        session["charging_periods"] = [*session.get("charging_periods", []), _period(minute, kwh)]
        session.update(kwh=kwh, last_updated=stamp())
        since = sim.log.last_seq
        await _emit(push, TransactionUpdated(seed.NOW, tx, "CP-1", kwh * 1000.0))
        await sim.wait_for(lambda e: e.module == "sessions", within=10, since=since)
    session.update(status="COMPLETED", end_date_time=stamp(), last_updated=stamp())
    push.source.cdrs["CDR-1"] = example("cdr_example", id="CDR-1", last_updated=stamp())

    async def finish(uow: UnitOfWork) -> None:
        await seed.cdr(uow, "CDR-1", tx, partner_id)
        uow.emit(TransactionEnded(seed.NOW, tx, "CP-1", 3000.0, "Local"))
        uow.emit(CdrCreated(seed.NOW, "CDR-1", tx))

    await push.run(finish)
    await sim.wait_for_cdr(within=10)
    stored = await sim.wait_for_session(status="COMPLETED", within=10)

    methods = [method for method, _ in _pushes(sim, "sessions")]
    assert methods[0] == "PUT"
    assert set(methods[1:]) == {"PATCH"}
    # The open period goes out once closed; every period arrives exactly once.
    assert [p["start_date_time"] for p in stored["charging_periods"]] == [
        "2024-05-01T13:00:00Z",
        "2024-05-01T13:15:00Z",
        "2024-05-01T13:30:00Z",
    ]
    assert stored["kwh"] == 3
    delivery = None
    for _ in range(200):  # bounded: the mark is written right after the answer
        async with push.database.read() as conn:
            delivery = await cdr_delivery(conn, "CDR-1", partner_id)
        if delivery is not None:
            break
        await asyncio.sleep(0.02)
    assert delivery is not None
    assert delivery.delivered_location is not None
    assert delivery.delivered_location.endswith("/cdrs/SE-LDP-CDR-1")
    assert sim.problems == []


async def test_sessions_go_only_to_the_token_owner(push: PushHarness) -> None:
    await push.site()
    owner_id, owner = await push.partner()
    _, other = await push.partner(party=("DE", "XYZ"))
    tx = await _session(push, owner_id)
    await _emit(push, TransactionStarted(seed.NOW, tx, "CP-1", 1, 1, "TOKEN1"))
    await owner.wait_for_session(within=10)
    push.source.set_evse_status("EVSE-2", "OUTOFORDER")
    await _emit(push, _status(2, "Faulted"))
    # Both partners get the status; the session stayed with its owner.
    await other.wait_for(lambda e: e.module == "locations", within=10)
    assert _pushes(other, "sessions") == []


async def test_a_hanging_partner_does_not_delay_the_others(push: PushHarness) -> None:
    await push.site()
    _, stuck = await push.partner()
    _, healthy = await push.partner(party=("DE", "XYZ"))
    stuck.hold()
    push.source.set_evse_status("EVSE-1", "CHARGING")
    await _emit(push, _status(1))

    await healthy.wait_for(lambda e: e.module == "locations", within=10)
    # The other partner was served while this one still holds the request.
    assert stuck.context.gate is not None
    assert _pushes(stuck, "locations") == []
    stuck.release()
    await stuck.wait_for(lambda e: e.module == "locations", within=10)


async def _wait_down(push: PushHarness, partner_id: int) -> None:
    pusher = push.supervisor.pusher(partner_id)
    assert pusher is not None
    for _ in range(200):  # bounded: the worker notices within its request timeout
        if pusher.failing_since is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the worker did not notice the outage")


async def test_a_partner_back_from_an_outage_gets_each_missed_object_once(
    push: PushHarness,
) -> None:
    await push.site()
    partner_id, sim = await push.partner()
    sim.go_offline()
    for status in ("CHARGING", "AVAILABLE", "CHARGING"):
        push.source.set_evse_status("EVSE-1", status)
        await _emit(push, _status(1, status.title()))
    await _wait_down(push, partner_id)
    tx = await _session(push, partner_id)
    await _emit(push, TransactionStarted(seed.NOW, tx, "CP-1", 1, 1, "TOKEN1"))
    push.source.sessions[str(tx)].update(kwh=5, last_updated=stamp())
    await _emit(push, TransactionUpdated(seed.NOW, tx, "CP-1", 5000.0))
    push.source.cdrs["CDR-9"] = example("cdr_example", id="CDR-9", last_updated=stamp())

    async def cdr(uow: UnitOfWork) -> None:
        await seed.cdr(uow, "CDR-9", tx, partner_id)
        uow.emit(CdrCreated(seed.NOW, "CDR-9", tx))

    await push.run(cdr)
    assert sim.context.refused > 0
    sim.go_online()
    await sim.wait_for_cdr(within=10)
    await sim.wait_for_session(within=10)

    received = [(e.method, e.module, e.path) for e in sim.events if e.module != "versions"]
    assert sorted(received) == sorted(
        [
            ("PUT", "locations", "SE/LDP/LOC1/EVSE-1"),
            ("PUT", "sessions", f"SE/LDP/{tx}"),
            ("POST", "cdrs", ""),
        ]
    )
    assert sim.evse_status("EVSE-1") == "CHARGING"  # the current state, not the history
    assert sim.store.session(str(tx))["kwh"] == 5  # type: ignore[index]
    # And nothing more: the stale PATCHes are never sent.
    await _emit(push, _status(2))
    await sim.wait_for(lambda e: e.path.endswith("EVSE-2"), within=10)
    assert [e for e in sim.events if e.method == "PATCH" and e.path.endswith("EVSE-1")] == []


async def test_a_partner_that_declines_replay_gets_only_new_changes(push: PushHarness) -> None:
    await push.site()
    partner_id, sim = await push.partner(replay=False)
    sim.go_offline()
    push.source.set_evse_status("EVSE-1", "CHARGING")
    await _emit(push, _status(1))
    await _wait_down(push, partner_id)
    sim.go_online()
    pusher = push.supervisor.pusher(partner_id)
    assert pusher is not None
    for _ in range(200):  # bounded: until the worker's next retry finds it back
        if pusher.failing_since is None:
            break
        await asyncio.sleep(0.05)
    push.source.set_evse_status("EVSE-2", "CHARGING")
    await _emit(push, _status(2))
    event: EmspEvent = await sim.wait_for(lambda e: e.module == "locations", within=10)
    assert event.path == "SE/LDP/LOC1/EVSE-2"
    assert _pushes(sim, "locations") == [("PATCH", "SE/LDP/LOC1/EVSE-2")]


async def test_a_cdr_is_posted_once(push: PushHarness) -> None:
    await push.site()
    partner_id, sim = await push.partner()
    tx = await _session(push, partner_id)
    push.source.cdrs["CDR-2"] = example("cdr_example", id="CDR-2", last_updated=stamp())

    async def cdr(uow: UnitOfWork) -> None:
        await seed.cdr(uow, "CDR-2", tx, partner_id)
        uow.emit(CdrCreated(seed.NOW, "CDR-2", tx))

    await push.run(cdr)
    await sim.wait_for_cdr(within=10)
    await _emit(push, CdrCreated(seed.NOW, "CDR-2", tx), _status(2))  # announced again
    await sim.wait_for(lambda e: e.module == "locations", within=10)
    assert _pushes(sim, "cdrs") == [("POST", "")]
    async with push.database.read() as conn:
        rows = (await conn.execute(select(outbox.c.id).where(outbox.c.module == "cdrs"))).all()
    assert len(rows) == 2  # two rows, one POST
    assert OutboxModule.CDRS.value == "cdrs"


async def test_one_node_at_a_time_pushes_to_a_partner(push: PushHarness) -> None:
    if push.database.is_sqlite:
        pytest.skip("one node on SQLite: there is no second node to keep out")
    partner_id, _ = await push.partner()
    other_node = PushSupervisor(push.services, push.source, settings=push.supervisor.settings)
    await other_node.start()
    try:
        assert push.supervisor.pusher(partner_id) is not None
        assert other_node.pusher(partner_id) is None  # the lock is held by the first node
        await push.supervisor.aclose()  # the first node stops: the lock is released
        await other_node.refresh()
        assert other_node.pusher(partner_id) is not None
    finally:
        await other_node.aclose()


async def test_a_partner_that_registers_again_starts_afresh(push: PushHarness) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import update

    from shared.store.outbox import get_push_state
    from shared.store.tables import partners

    await push.site()
    partner_id, sim = await push.partner()

    async def status(value: str, when: datetime | None = None) -> None:
        async def change(uow: UnitOfWork) -> None:
            values: dict[str, object] = {"status": value}
            if when is not None:
                values["updated_at"] = when
            await uow.conn.execute(
                update(partners).where(partners.c.id == partner_id).values(**values)
            )

        await push.run(change)
        await push.supervisor.refresh()

    await status("unregistered")
    assert push.supervisor.pusher(partner_id) is None
    async with push.database.read() as conn:
        assert await get_push_state(conn, partner_id) is None
    push.source.set_evse_status("EVSE-1", "CHARGING")
    await _emit(push, _status(1))  # while it is gone: never sent
    await status("registered", datetime.now(UTC))
    push.source.set_evse_status("EVSE-2", "CHARGING")
    await _emit(push, _status(2))
    await sim.wait_for(lambda e: e.module == "locations", within=10)
    assert _pushes(sim, "locations") == [("PATCH", "SE/LDP/LOC1/EVSE-2")]
