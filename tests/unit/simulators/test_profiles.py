"""Charging profiles: which one wins when, and the composite schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulators.chargepoint.errors import ProfileError
from simulators.chargepoint.meter import ChargingLimit, SupplyRating
from simulators.chargepoint.profiles import (
    ChargingProfile,
    ProfileKind,
    ProfilePurpose,
    ProfileStore,
    RateUnit,
    Recurrency,
    Schedule,
    SchedulePeriod,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def profile(
    profile_id: int,
    limit: float | list[tuple[int, float]],
    *,
    purpose: ProfilePurpose = ProfilePurpose.TX_DEFAULT,
    stack: int = 0,
    unit: RateUnit = RateUnit.WATTS,
    kind: ProfileKind = ProfileKind.ABSOLUTE,
    start: datetime | None = T0,
    duration: int | None = None,
    recurrency: Recurrency | None = None,
    valid_to: datetime | None = None,
    tx: str | None = None,
) -> ChargingProfile:
    steps = [(0, limit)] if isinstance(limit, float) else limit
    return ChargingProfile(
        profile_id=profile_id,
        stack_level=stack,
        purpose=purpose,
        kind=kind,
        schedule=Schedule(
            unit=unit,
            periods=tuple(SchedulePeriod(s, v) for s, v in steps),
            start=start,
            duration_s=duration,
        ),
        recurrency=recurrency,
        valid_to=valid_to,
        transaction_id=tx,
    )


def store() -> ProfileStore:
    return ProfileStore(SupplyRating(), evse_count=2)


def test_the_highest_stack_level_in_force_wins() -> None:
    profiles = store()
    profiles.install(1, profile(1, 11000.0, stack=0))
    profiles.install(1, profile(2, 4000.0, stack=3, duration=600))
    assert profiles.evse_limit(1, T0 + timedelta(seconds=10), None) == ChargingLimit(watts=4000.0)
    # Past its duration the stack-3 profile gives way to stack 0.
    assert profiles.evse_limit(1, T0 + timedelta(seconds=700), None) == ChargingLimit(watts=11000.0)


def test_periods_change_the_limit_during_the_schedule() -> None:
    profiles = store()
    profiles.install(0, profile(1, [(0, 16.0), (3600, 8.0)], unit=RateUnit.AMPS))
    assert profiles.evse_limit(2, T0 + timedelta(minutes=30), None).amps == 16.0
    assert profiles.evse_limit(2, T0 + timedelta(minutes=90), None).amps == 8.0
    assert profiles.evse_limit(2, T0 - timedelta(minutes=1), None) == ChargingLimit()


def test_a_tx_profile_overrides_the_default_and_needs_a_transaction() -> None:
    profiles = store()
    profiles.install(0, profile(1, 11000.0))
    with pytest.raises(ProfileError):
        profiles.install(1, profile(2, 3000.0, purpose=ProfilePurpose.TX))
    profiles.install(
        1,
        profile(2, 3000.0, purpose=ProfilePurpose.TX, kind=ProfileKind.RELATIVE, start=None),
        active_tx="tx-1",
    )
    assert profiles.evse_limit(1, T0, tx_start=T0).watts == 3000.0
    assert profiles.evse_limit(1, T0, tx_start=None).watts == 11000.0
    with pytest.raises(ProfileError):
        profiles.install(
            1, profile(3, 3000.0, purpose=ProfilePurpose.TX, tx="tx-2"), active_tx="tx-1"
        )


def test_the_evse_default_beats_the_station_default_at_equal_stack_level() -> None:
    profiles = store()
    profiles.install(0, profile(1, 11000.0, stack=1))
    profiles.install(2, profile(2, 7000.0, stack=1))
    assert profiles.evse_limit(2, T0, None).watts == 7000.0
    assert profiles.evse_limit(1, T0, None).watts == 11000.0


def test_install_replaces_same_id_and_same_purpose_and_stack() -> None:
    profiles = store()
    profiles.install(1, profile(1, 5000.0, stack=2))
    profiles.install(1, profile(1, 6000.0, stack=4))
    profiles.install(1, profile(7, 7000.0, stack=4))
    assert [(p.profile_id, p.schedule.periods[0].limit) for _, p in profiles.installed()] == [
        (7, 7000.0)
    ]


def test_station_maximum_only_on_evse_zero() -> None:
    profiles = store()
    with pytest.raises(ProfileError):
        profiles.install(1, profile(1, 5000.0, purpose=ProfilePurpose.STATION_MAX))
    profiles.install(0, profile(1, 5000.0, purpose=ProfilePurpose.STATION_MAX))
    assert profiles.station_limit(T0).shared(2) == ChargingLimit(watts=2500.0)


def test_daily_recurring_profile_repeats() -> None:
    profiles = store()
    night = profile(
        1,
        [(0, 22000.0), (8 * 3600, 3700.0)],
        kind=ProfileKind.RECURRING,
        recurrency=Recurrency.DAILY,
        start=datetime(2025, 1, 1, tzinfo=UTC),
    )
    profiles.install(0, night)
    assert profiles.evse_limit(1, datetime(2025, 3, 7, 2, tzinfo=UTC), None).watts == 22000.0
    assert profiles.evse_limit(1, datetime(2025, 3, 7, 14, tzinfo=UTC), None).watts == 3700.0


def test_validity_ends_a_profile() -> None:
    profiles = store()
    profiles.install(1, profile(1, 1000.0, valid_to=T0 + timedelta(hours=1)))
    assert profiles.evse_limit(1, T0 + timedelta(hours=2), None) == ChargingLimit()


def test_malformed_schedules_are_refused() -> None:
    profiles = store()
    with pytest.raises(ProfileError):
        profiles.install(1, profile(1, [(10, 1000.0)]))
    with pytest.raises(ProfileError):
        profiles.install(1, profile(1, [(0, 1000.0), (0, 2000.0)]))
    with pytest.raises(ProfileError):
        profiles.install(3, profile(1, 1000.0))
    with pytest.raises(ProfileError):
        profiles.install(1, profile(1, 1000.0, stack=99))


def test_clear_by_criteria() -> None:
    profiles = store()
    profiles.install(1, profile(1, 1000.0, stack=1))
    profiles.install(2, profile(2, 1000.0, stack=2))
    profiles.install(0, profile(3, 1000.0, purpose=ProfilePurpose.STATION_MAX))
    assert profiles.clear(stack_level=2) == 1
    assert profiles.clear(purpose=ProfilePurpose.STATION_MAX) == 1
    assert profiles.clear(profile_id=99) == 0
    assert len(profiles) == 1


def test_composite_merges_the_layers_and_includes_the_rating() -> None:
    profiles = store()
    profiles.install(0, profile(1, 9000.0, purpose=ProfilePurpose.STATION_MAX))
    profiles.install(1, profile(2, [(0, 16.0), (600, 6.0)], unit=RateUnit.AMPS, duration=1200))
    periods = profiles.composite(1, T0, 1800, RateUnit.WATTS, None)
    rating = SupplyRating()
    assert [(p.start_s, p.limit) for p in periods] == [
        (0, 9000.0),  # 16 A on 3 phases is 11 kW: the station maximum is lower
        (600, round(rating.watts(6.0), 1)),
        (1200, 9000.0),
    ]
    empty = store().composite(2, T0, 60, RateUnit.AMPS, None)
    assert [(p.start_s, p.limit) for p in empty] == [(0, rating.max_current_a)]
