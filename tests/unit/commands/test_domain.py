"""The command lifecycle table, results, variable keys and the JSON round trip."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.authorization import AuthorizationStatus, IdToken
from shared.cluster.codec import CodecError, decode_dataclass, encode_dataclass
from shared.domain.commands import (
    COMMAND_TYPES,
    FINAL_STATUSES,
    TRANSITIONS,
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    CommandResult,
    CommandStatus,
    DataTransfer,
    IllegalTransitionError,
    LocalListEntry,
    RawCall,
    SchedulePeriod,
    SendLocalList,
    SetChargingLimit,
    StartCharging,
    VariableKey,
    next_status,
)
from shared.store.commands import decode_request, encode_request

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("current", list(CommandStatus))
@pytest.mark.parametrize("new", list(CommandStatus))
def test_transitions_follow_the_table(current: CommandStatus, new: CommandStatus) -> None:
    if new in TRANSITIONS[current]:
        assert next_status(current, new) is new
    else:
        with pytest.raises(IllegalTransitionError):
            next_status(current, new)


def test_lifecycle_shape() -> None:
    assert TRANSITIONS[CommandStatus.PENDING] == {CommandStatus.SENT, CommandStatus.FAILED}
    assert TRANSITIONS[CommandStatus.SENT] == {
        CommandStatus.ACCEPTED,
        CommandStatus.REJECTED,
        CommandStatus.FAILED,
        CommandStatus.TIMEOUT,
    }
    assert {
        CommandStatus.ACCEPTED,
        CommandStatus.REJECTED,
        CommandStatus.FAILED,
        CommandStatus.TIMEOUT,
    } == FINAL_STATUSES


def test_a_result_must_be_final() -> None:
    with pytest.raises(ValueError, match="final"):
        CommandResult(CommandStatus.SENT)


def test_result_from_status_names_the_status_and_its_info() -> None:
    accepted = frozenset({"Accepted", "Scheduled"})
    ok = CommandResult.from_status({"status": "Accepted"}, accepted=accepted)
    assert (ok.status, ok.reason) == (CommandStatus.ACCEPTED, None)
    later = CommandResult.from_status(
        {"status": "Scheduled"}, accepted=accepted, notes={"Scheduled": "after the session"}
    )
    assert (later.status, later.reason) == (CommandStatus.ACCEPTED, "Scheduled; after the session")
    no = CommandResult.from_status(
        {"status": "Rejected", "statusInfo": {"reasonCode": "Busy", "additionalInfo": "in use"}},
        accepted=accepted,
    )
    assert (no.status, no.reason) == (CommandStatus.REJECTED, "Rejected; Busy: in use")
    odd = CommandResult.from_status({"foo": 1}, accepted=accepted)
    assert odd.status is CommandStatus.FAILED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OCPPCommCtrlr.HeartbeatInterval", VariableKey("OCPPCommCtrlr", "HeartbeatInterval")),
        ("EVSE@1.AvailabilityState", VariableKey("EVSE", "AvailabilityState", evse_id=1)),
        (
            "Connector[x]@1.2.Power[L1]/Target",
            VariableKey("Connector", "Power", "x", 1, 2, "L1", "Target"),
        ),
    ],
)
def test_variable_keys_parse(text: str, expected: VariableKey) -> None:
    assert VariableKey.parse(text) == expected


@pytest.mark.parametrize("text", ["HeartbeatInterval", "", ".Variable", "A.B.C.D", "A@x.B"])
def test_bad_variable_keys_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a 2\.0\.1 variable key"):
        VariableKey.parse(text)


def test_domain_rules() -> None:
    with pytest.raises(ValueError, match="not both"):
        StartCharging(
            IdToken("T"),
            charging_limit_w=1000,
            charging_profile=SetChargingLimit(1, 1000).profile(),
        )
    with pytest.raises(ValueError, match="full local list"):
        SendLocalList(1, (LocalListEntry(IdToken("T"), status=None),), full=True)
    with pytest.raises(ValueError, match="start at 0"):
        ChargingSchedule(ChargingRateUnit.WATTS, (SchedulePeriod(10, 1.0),))


def test_limit_purpose_depends_on_the_evse() -> None:
    assert SetChargingLimit(0, 1).profile().purpose is ChargingProfilePurpose.STATION_MAX
    assert SetChargingLimit(2, 1).profile().purpose is ChargingProfilePurpose.TX_DEFAULT


EXAMPLES = [
    StartCharging(
        IdToken("TAG", "Central"),
        evse_id=1,
        remote_start_id=7,
        charging_profile=ChargingProfile(
            0,
            ChargingProfilePurpose.TX,
            ChargingProfileKind.RELATIVE,
            ChargingSchedule(ChargingRateUnit.WATTS, (SchedulePeriod(0, 11000.0, 3),)),
            id=4,
        ),
    ),
    SendLocalList(
        3,
        (
            LocalListEntry(IdToken("A"), AuthorizationStatus.BLOCKED, expiry=NOW),
            LocalListEntry(IdToken("B"), None),
        ),
        full=False,
    ),
    SetChargingLimit(1, 7400.5, starts_at=NOW, profile_id=9),
    DataTransfer("acme", "m", {"nested": [1, "two", None]}),
    RawCall("Reset", {"type": "Hard"}),
]


@pytest.mark.parametrize("command", EXAMPLES, ids=lambda c: c.kind)
def test_commands_round_trip_through_json(command: object) -> None:
    stored = encode_request(command)  # type: ignore[arg-type]
    assert decode_request(command.kind, stored) == command  # type: ignore[attr-defined]


def test_every_kind_is_registered_once() -> None:
    assert len(COMMAND_TYPES) == len({cls for cls in COMMAND_TYPES.values()})
    for kind, cls in COMMAND_TYPES.items():
        assert cls.kind == kind


def test_decoding_refuses_what_does_not_fit() -> None:
    with pytest.raises(CodecError):
        decode_dataclass(SetChargingLimit, {"evse_id": "one", "limit_w": 3})
    with pytest.raises(ValueError, match="unknown command kind"):
        decode_request("fly_to_the_moon", {})


@given(
    evse=st.integers(0, 100),
    limit=st.floats(0, 1e6, allow_nan=False),
    level=st.integers(0, 20),
    phases=st.none() | st.integers(1, 3),
)
def test_limits_round_trip(evse: int, limit: float, level: int, phases: int | None) -> None:
    command = SetChargingLimit(evse, limit, stack_level=level, number_phases=phases, starts_at=NOW)
    assert decode_dataclass(SetChargingLimit, encode_dataclass(command)) == command
