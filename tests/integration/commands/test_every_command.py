"""Every CSMS-initiated message of both versions, through the command service to a charger
on a real socket and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from cli.node import Node
from tests.integration.commands.cases import Case, cases
from tests.integration.commands.charger import Reply, connected_charger

ALL = [(version, case) for version in ("1.6", "2.0.1") for case in cases(version)]


@pytest.mark.parametrize(("version", "case"), ALL, ids=lambda v: getattr(v, "name", v))
async def test_command_reaches_the_charger_and_the_answer_is_stored(
    node: Node, version: str, case: Case
) -> None:
    station = f"CP-{version}-{case.name}"
    async with connected_charger(node.ocpp_port, station, version) as charger:
        charger.answers[case.action] = Reply(case.answer)
        record = await node.commands.execute(station, case.command, "test:every")

    assert (record.status, record.ocpp_action) == (case.status, case.action), record.error
    assert record.response == case.answer
    if case.reason is not None:
        assert record.error is not None
        assert case.reason in record.error
    sent = [call for call in charger.received if call.action == case.action]
    assert len(sent) == 1
    assert sent[0].violation is None, sent[0].violation
    assert record.sent_at is not None
    assert record.completed_at is not None
    assert record.created_at <= record.sent_at <= record.completed_at
    assert await node.commands.get(record.id) == record
    assert [r.id for r in await node.commands.list(station)] == [record.id]
