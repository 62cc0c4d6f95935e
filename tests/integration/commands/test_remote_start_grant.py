"""A token we asked a station to start with is accepted when the charger starts with it,
even though we store no such token (F01/F02); a rejected remote start grants nothing."""

from __future__ import annotations

from cli.node import Node
from shared.authorization import IdToken
from shared.domain.commands import StartCharging
from tests.integration.commands.charger import Reply, connected_charger


async def test_v16_remote_start_token_is_accepted_at_start(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "RS-16", "1.6") as charger:
        result = await node.commands.execute(
            "RS-16", StartCharging(id_token=IdToken("OPERATOR-TAG"), evse_id=1), "test"
        )
        assert result.status.value == "accepted"
        start = await charger.call(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": "OPERATOR-TAG",
                "meterStart": 0,
                "timestamp": "2026-11-26T10:00:00Z",
            },
        )
        assert start[2]["idTagInfo"]["status"] == "Accepted"
        other = await charger.call("Authorize", {"idTag": "SOMEONE-ELSE"})
        assert other[2]["idTagInfo"]["status"] == "Invalid"


async def test_v201_rejected_remote_start_grants_nothing(node: Node) -> None:
    async with connected_charger(node.ocpp_port, "RS-201", "2.0.1") as charger:
        charger.answers["RequestStartTransaction"] = Reply({"status": "Rejected"})
        result = await node.commands.execute(
            "RS-201", StartCharging(id_token=IdToken("NOPE-TAG"), evse_id=1), "test"
        )
        assert result.status.value == "rejected"
        answer = await charger.call(
            "Authorize", {"idToken": {"idToken": "NOPE-TAG", "type": "ISO14443"}}
        )
        assert answer[2]["idTokenInfo"]["status"] == "Invalid"
