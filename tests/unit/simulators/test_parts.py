"""Back-off, local authorization, the outbox, timestamps, fleet options and the CLI."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.chargepoint.__main__ import parse_args
from simulators.chargepoint.auth import AuthStatus, ListUpdateResult, LocalAuth
from simulators.chargepoint.backoff import Backoff
from simulators.chargepoint.config import StationConfig
from simulators.chargepoint.errors import ConfigurationError
from simulators.chargepoint.fleet import FleetOptions
from simulators.chargepoint.outbox import Failure, Outbox, Outgoing
from simulators.chargepoint.timeutil import format_rfc3339, parse_rfc3339


def test_backoff_doubles_up_to_the_repeat_count_then_stays() -> None:
    backoff = Backoff(random.Random(1), minimum=1.0, maximum=100.0, random_range=0.0, repeat=3)
    assert [backoff.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0


@given(seed=st.integers(0, 2**32), attempts=st.integers(1, 30))
def test_backoff_jitter_stays_in_range(seed: int, attempts: int) -> None:
    backoff = Backoff(random.Random(seed), minimum=0.5, maximum=30.0, random_range=2.0, repeat=10)
    for _ in range(attempts):
        delay = backoff.next_delay()
        assert 0.5 <= delay <= 32.0


def test_local_list_versions_and_priority_over_cache() -> None:
    auth = LocalAuth(max_entries=2)
    auth.remember("A", AuthStatus.INVALID)
    assert auth.update_list(1, full=True, entries=[("A", AuthStatus.ACCEPTED)]) is (
        ListUpdateResult.ACCEPTED
    )
    assert auth.lookup("A") is AuthStatus.ACCEPTED  # the list wins over the cache
    assert auth.update_list(1, full=False, entries=[("B", AuthStatus.ACCEPTED)]) is (
        ListUpdateResult.VERSION_MISMATCH
    )
    assert auth.update_list(2, full=False, entries=[("A", None), ("B", AuthStatus.BLOCKED)]) is (
        ListUpdateResult.ACCEPTED
    )
    assert auth.lookup("A") is None
    assert auth.lookup("B") is AuthStatus.BLOCKED
    too_many = [(t, AuthStatus.ACCEPTED) for t in "XYZ"]
    assert auth.update_list(3, full=True, entries=too_many) is ListUpdateResult.FAILED
    assert auth.list_version == 2


async def test_outbox_keeps_order_and_only_transaction_messages_survive_an_outage() -> None:
    outbox = Outbox()
    failures: list[Failure] = []
    tx_item = Outgoing(lambda: "tx", transaction=object())  # type: ignore[arg-type]
    plain = Outgoing(lambda: "status", on_failure=failures.append)
    barrier = Outgoing(None)
    for item in (tx_item, plain, barrier):
        outbox.put(item)
    assert await outbox.head() is tx_item
    outbox.drop_volatile()
    assert failures == [Failure.OFFLINE]
    assert len(outbox) == 2
    urgent = Outgoing(lambda: "first")
    outbox.put_front(urgent)
    assert await outbox.head() is urgent
    outbox.pop(tx_item)  # not the head: nothing happens
    assert len(outbox) == 3


def test_timestamps_go_out_in_utc_with_z() -> None:
    moment = datetime(2025, 5, 4, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_rfc3339(moment) == "2025-05-04T10:30:15.123Z"
    assert format_rfc3339(datetime(2025, 5, 4, 12, 0)) == "2025-05-04T12:00:00.000Z"


@given(st.datetimes(timezones=st.just(UTC)))
def test_timestamps_round_trip_to_the_millisecond(moment: datetime) -> None:
    back = parse_rfc3339(format_rfc3339(moment))
    assert abs(back - moment) < timedelta(milliseconds=1)
    assert back.tzinfo is not None


def test_incoming_timestamps_without_a_zone_are_utc() -> None:
    assert parse_rfc3339("2025-01-01T00:00:00") == datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_rfc3339("2025-01-01T02:00:00+02:00") == datetime(2025, 1, 1, tzinfo=UTC)


def test_fleet_names_and_versions() -> None:
    options = FleetOptions(count=4, version="mixed", url="ws://127.0.0.1:9000/ocpp", seed=5)
    configs = [options.station_config(n) for n in range(1, 5)]
    assert [c.station_id for c in configs] == ["SIM-1", "SIM-2", "SIM-3", "SIM-4"]
    assert [c.version for c in configs] == ["1.6", "2.0.1", "1.6", "2.0.1"]
    assert len({c.seed for c in configs}) == 4
    assert configs[0].endpoint == "ws://127.0.0.1:9000/ocpp/SIM-1"


@pytest.mark.parametrize(
    "bad",
    [
        {"count": 0},
        {"version": "1.5"},
        {"connect_rate": 0},
        {"duration": -1},
    ],
)
def test_fleet_options_are_checked(bad: dict[str, object]) -> None:
    good: dict[str, object] = {"count": 1, "version": "1.6", "url": "ws://127.0.0.1:1/ocpp"}
    with pytest.raises(ConfigurationError):
        FleetOptions(**{**good, **bad})  # type: ignore[arg-type]


def test_station_config_is_checked() -> None:
    with pytest.raises(ConfigurationError):
        StationConfig(station_id="CP-1", url="http://127.0.0.1/ocpp")
    with pytest.raises(ConfigurationError):
        StationConfig(station_id="a/b", url="ws://127.0.0.1/ocpp")
    with pytest.raises(ConfigurationError):
        StationConfig(station_id="CP", url="ws://127.0.0.1/ocpp", id_tags=("x" * 21,))
    assert StationConfig(station_id="CP 1", url="ws://h/ocpp/").endpoint == "ws://h/ocpp/CP%201"


def test_command_line() -> None:
    options = parse_args(
        [
            "--count",
            "3",
            "--version",
            "2.0.1",
            "--url",
            "ws://127.0.0.1:9000/ocpp",
            "--sessions-per-hour",
            "4",
            "--json",
            "--duration",
            "30",
            "--id-tags",
            "A,B",
        ]
    )
    assert (options.count, options.version, options.sessions_per_hour) == (3, "2.0.1", 4.0)
    assert options.json is True
    assert options.duration == 30.0
    assert options.id_tags == ("A", "B")
    with pytest.raises(SystemExit):
        parse_args(["--count", "0", "--version", "1.6", "--url", "ws://127.0.0.1:1/x"])


def test_clock_aligned_samples_fall_on_multiples_of_the_interval_after_midnight() -> None:
    from simulators.chargepoint.metering import next_aligned_delay

    moment = datetime(2025, 6, 1, 10, 7, 30, tzinfo=UTC)
    assert next_aligned_delay(moment, 900) == 450.0  # next at 10:15:00
    assert next_aligned_delay(moment.replace(minute=15, second=0), 900) == 900.0
    assert next_aligned_delay(moment, 86_400) == 13 * 3600 + 52 * 60 + 30
