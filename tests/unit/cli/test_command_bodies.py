"""Reading a command from an operator API body: every verb's parameters, and clear refusals."""

from __future__ import annotations

from typing import Any

import pytest

from cli.admin_api.commands import decode_command
from cli.admin_api.errors import InvalidBodyError
from shared.authorization import IdToken
from shared.domain.commands import (
    RawCall,
    Reset,
    SetAvailability,
    SetChargingLimit,
    SetConfiguration,
    StartCharging,
    StopCharging,
    Unlock,
)


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        (
            "start_charging",
            {"id_token": {"value": "TAG", "type": "ISO14443"}, "evse_id": 2},
            StartCharging(IdToken("TAG", "ISO14443"), evse_id=2),
        ),
        ("stop_charging", {"transaction_ref": "42"}, StopCharging("42")),
        ("reset", {"hard": True}, Reset(hard=True)),
        ("reset", {}, Reset()),
        ("unlock", {"evse_id": 1, "connector_id": 1}, Unlock(1, 1)),
        ("set_availability", {"evse_id": 0, "operative": False}, SetAvailability(0, False)),
        ("set_configuration", {"key": "K", "value": "V"}, SetConfiguration("K", "V")),
        ("set_charging_limit", {"evse_id": 1, "limit_w": 7400}, SetChargingLimit(1, 7400.0)),
        (
            "raw_call",
            {"action": "TriggerMessage", "payload": {"requestedMessage": "Heartbeat"}},
            RawCall("TriggerMessage", {"requestedMessage": "Heartbeat"}),
        ),
    ],
)
def test_the_verbs_parameters_decode(kind: str, params: dict[str, Any], expected: object) -> None:
    assert decode_command(kind, params) == expected


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("reboot", {}, "unknown command 'reboot'"),
        ("reset", {"hard": True, "now": True}, "reset has no field(s) now"),
        ("stop_charging", {}, "stop_charging needs field(s) transaction_ref"),
        ("unlock", {"evse_id": 0}, "at least 1"),
        ("set_charging_limit", {"evse_id": 1, "limit_w": -5}, "limit_w"),
        ("reset", {"hard": "very"}, "hard"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(
    kind: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidBodyError) as refused:
        decode_command(kind, params)
    assert message in str(refused.value.detail)
