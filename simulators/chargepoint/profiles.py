"""Smart charging: installed charging profiles, the limit they impose, composite schedules.

Version-neutral: the dialects parse OCPP 1.6 / 2.0.1 `chargingProfile` objects into the
frozen dataclasses here. The rules follow OCPP 1.6 section 3.13 and OCPP 2.0.1 part 2,
functional block K (use cases K01, K08, K10):

- At each moment, per purpose, the valid profile with the highest `stackLevel` wins
  (1.6 §3.13.2, K01); a profile outside its validity, before its start or past its
  `duration` gives way to the next lower stack level.
- A `TxProfile` overrides a `TxDefaultProfile`; a `TxDefaultProfile` on an EVSE overrides one
  on EVSE 0 (1.6 §3.13.1, 2.0.1 K01).
- The station-wide maximum (`ChargePointMaxProfile` / `ChargingStationMaxProfile`, EVSE 0
  only) caps the sum of all EVSEs; the simulator shares it fairly between the EVSEs that
  are charging.
- Installing a profile replaces one with the same id, or with the same purpose and stack
  level on the same EVSE (1.6 §5.16.3, 2.0.1 K01).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import ProfileError
from .meter import ChargingLimit, SupplyRating

__all__ = [
    "ChargingProfile",
    "CompositePeriod",
    "ProfileKind",
    "ProfilePurpose",
    "ProfileStore",
    "RateUnit",
    "Recurrency",
    "Schedule",
    "SchedulePeriod",
]


class ProfilePurpose(enum.Enum):
    """What a profile limits; values are the OCPP 2.0.1 spellings."""

    STATION_MAX = "ChargingStationMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"


class ProfileKind(enum.Enum):
    """How a schedule's start is found."""

    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class Recurrency(enum.Enum):
    """The repeat period of a recurring profile."""

    DAILY = "Daily"
    WEEKLY = "Weekly"


class RateUnit(enum.Enum):
    """The unit of a schedule's limits."""

    AMPS = "A"
    WATTS = "W"


_RECURRENCE = {Recurrency.DAILY: timedelta(days=1), Recurrency.WEEKLY: timedelta(days=7)}


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """From `start_s` seconds into the schedule on, at most `limit` on `phases` phases."""

    start_s: int
    limit: float
    phases: int | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """A charging schedule: periods in one unit, an optional start and duration."""

    unit: RateUnit
    periods: tuple[SchedulePeriod, ...]
    start: datetime | None = None
    duration_s: int | None = None
    min_rate: float | None = None


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    """One charging profile as installed on the station."""

    profile_id: int
    stack_level: int
    purpose: ProfilePurpose
    kind: ProfileKind
    schedule: Schedule
    recurrency: Recurrency | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None


@dataclass(frozen=True, slots=True)
class CompositePeriod:
    """One period of a composite schedule, `start_s` seconds after its start."""

    start_s: int
    limit: float
    phases: int | None = None


def _period_at(
    profile: ChargingProfile, when: datetime, tx_start: datetime | None
) -> SchedulePeriod | None:
    """The schedule period of `profile` in force at `when`, or None if it is not in force."""
    if profile.valid_from is not None and when < profile.valid_from:
        return None
    if profile.valid_to is not None and when >= profile.valid_to:
        return None
    start = _schedule_start(profile, when, tx_start)
    if start is None or when < start:
        return None
    offset = (when - start).total_seconds()
    duration = profile.schedule.duration_s
    if duration is not None and offset >= duration:
        return None
    current: SchedulePeriod | None = None
    for period in profile.schedule.periods:
        if period.start_s <= offset:
            current = period
    return current


def _schedule_start(
    profile: ChargingProfile, when: datetime, tx_start: datetime | None
) -> datetime | None:
    schedule = profile.schedule
    if profile.kind is ProfileKind.RELATIVE:
        # Relative to the transaction's start; without one it would start now.
        return tx_start if tx_start is not None else when
    if profile.kind is ProfileKind.RECURRING:
        if schedule.start is None or profile.recurrency is None:
            return None
        step = _RECURRENCE[profile.recurrency]
        cycles = math.floor((when - schedule.start) / step)
        return schedule.start + cycles * step
    return schedule.start if schedule.start is not None else profile.valid_from


def _to_limit(period: SchedulePeriod, unit: RateUnit) -> ChargingLimit:
    if unit is RateUnit.WATTS:
        return ChargingLimit(watts=period.limit)
    return ChargingLimit(amps=period.limit)


class ProfileStore:
    """The charging profiles installed on one station, per EVSE (0: the whole station)."""

    __slots__ = ("_by_evse", "evse_count", "max_installed", "max_stack_level", "rating")

    def __init__(
        self,
        rating: SupplyRating,
        evse_count: int,
        *,
        max_stack_level: int = 8,
        max_installed: int = 16,
    ) -> None:
        self.rating = rating
        self.evse_count = evse_count
        self.max_stack_level = max_stack_level
        self.max_installed = max_installed
        self._by_evse: dict[int, list[ChargingProfile]] = {}

    def __len__(self) -> int:
        return sum(len(profiles) for profiles in self._by_evse.values())

    def installed(self, evse_id: int | None = None) -> Iterator[tuple[int, ChargingProfile]]:
        """(evse id, profile) pairs, of one EVSE or of all."""
        for evse, profiles in sorted(self._by_evse.items()):
            if evse_id is None or evse == evse_id:
                for profile in profiles:
                    yield evse, profile

    def install(
        self, evse_id: int, profile: ChargingProfile, *, active_tx: str | None = None
    ) -> None:
        """Install `profile` on `evse_id` (0: station-wide).

        `active_tx` is the id of the transaction running on that EVSE, if any.

        Raises:
            ProfileError: the profile cannot be installed there (the caller answers Rejected).
        """
        self._check(evse_id, profile, active_tx)
        self.clear(profile_id=profile.profile_id)
        profiles = self._by_evse.setdefault(evse_id, [])
        profiles[:] = [
            p
            for p in profiles
            if (p.purpose, p.stack_level) != (profile.purpose, profile.stack_level)
        ]
        if len(self) >= self.max_installed:
            raise ProfileError("no room for another charging profile")
        profiles.append(profile)

    def _check(self, evse_id: int, profile: ChargingProfile, active_tx: str | None) -> None:
        if not 0 <= evse_id <= self.evse_count:
            raise ProfileError(f"no EVSE {evse_id}")
        if not 0 <= profile.stack_level <= self.max_stack_level:
            raise ProfileError(f"stack level {profile.stack_level} out of range")
        if profile.purpose is ProfilePurpose.STATION_MAX and evse_id != 0:
            raise ProfileError("a station maximum profile belongs on EVSE 0")
        if profile.purpose is ProfilePurpose.TX:
            # 1.6 §5.16.3, 2.0.1 K01: a TxProfile needs a transaction to apply to.
            if evse_id == 0 or active_tx is None:
                raise ProfileError("a TxProfile needs an active transaction on its EVSE")
            if profile.transaction_id not in (None, active_tx):
                raise ProfileError("TxProfile for a different transaction")
        periods = profile.schedule.periods
        if not periods or periods[0].start_s != 0:
            raise ProfileError("a schedule's first period must start at 0")
        starts = [p.start_s for p in periods]
        if starts != sorted(set(starts)):
            raise ProfileError("schedule periods must start in increasing order")
        if profile.kind is ProfileKind.RECURRING and (
            profile.recurrency is None or profile.schedule.start is None
        ):
            raise ProfileError("a recurring profile needs a recurrency kind and a start")

    def clear(
        self,
        *,
        profile_id: int | None = None,
        evse_id: int | None = None,
        purpose: ProfilePurpose | None = None,
        stack_level: int | None = None,
    ) -> int:
        """Remove the profiles matching every criterion given; return how many went."""
        removed = 0
        for evse, profiles in self._by_evse.items():
            keep = []
            for p in profiles:
                matches = (
                    (profile_id is None or p.profile_id == profile_id)
                    and (evse_id is None or evse == evse_id)
                    and (purpose is None or p.purpose is purpose)
                    and (stack_level is None or p.stack_level == stack_level)
                )
                if matches:
                    removed += 1
                else:
                    keep.append(p)
            profiles[:] = keep
        return removed

    def evse_limit(self, evse_id: int, when: datetime, tx_start: datetime | None) -> ChargingLimit:
        """The Tx or TxDefault limit on `evse_id` at `when` (empty if none applies)."""
        if tx_start is not None:
            found = self._winner(self._candidates(evse_id, ProfilePurpose.TX), when, tx_start)
            if found is not None:
                return found
        defaults = self._candidates(evse_id, ProfilePurpose.TX_DEFAULT)
        defaults += self._candidates(0, ProfilePurpose.TX_DEFAULT)
        return self._winner(defaults, when, tx_start) or ChargingLimit()

    def station_limit(self, when: datetime) -> ChargingLimit:
        """The station-wide maximum at `when` (empty if none applies)."""
        found = self._winner(self._candidates(0, ProfilePurpose.STATION_MAX), when, None)
        return found or ChargingLimit()

    def _candidates(self, evse_id: int, purpose: ProfilePurpose) -> list[ChargingProfile]:
        return [p for p in self._by_evse.get(evse_id, ()) if p.purpose is purpose]

    def _winner(
        self, profiles: list[ChargingProfile], when: datetime, tx_start: datetime | None
    ) -> ChargingLimit | None:
        # sorted() is stable: at equal stack levels the EVSE's own profile (listed first)
        # wins over one inherited from EVSE 0.
        for profile in sorted(profiles, key=lambda p: -p.stack_level):
            period = _period_at(profile, when, tx_start)
            if period is not None:
                return _to_limit(period, profile.schedule.unit)
        return None

    def composite(
        self,
        evse_id: int,
        start: datetime,
        duration_s: int,
        unit: RateUnit,
        tx_start: datetime | None,
    ) -> list[CompositePeriod]:
        """The limits on `evse_id` from `start` for `duration_s`, in `unit` (K08 / 1.6 §5.7).

        Includes the EVSE's rating, so the answer is never empty.
        """
        end = start + timedelta(seconds=duration_s)
        periods: list[CompositePeriod] = []
        for moment in self._breakpoints(evse_id, start, end, tx_start):
            limit = self._combined(evse_id, moment, tx_start)
            value = round(self._in_unit(limit, unit, evse_id), 1)
            offset = int((moment - start).total_seconds())
            if not periods or periods[-1].limit != value:
                periods.append(CompositePeriod(start_s=offset, limit=value))
        return periods

    def _combined(self, evse_id: int, when: datetime, tx_start: datetime | None) -> ChargingLimit:
        station = self.station_limit(when)
        if evse_id == 0:
            return station
        return self.evse_limit(evse_id, when, tx_start).tighter(station)

    def _in_unit(self, limit: ChargingLimit, unit: RateUnit, evse_id: int) -> float:
        evses = self.evse_count if evse_id == 0 else 1
        if unit is RateUnit.WATTS:
            value = self.rating.max_power_w * evses
            if limit.amps is not None:
                value = min(value, self.rating.watts(limit.amps))
            if limit.watts is not None:
                value = min(value, limit.watts)
            return value
        value = self.rating.max_current_a * evses
        if limit.watts is not None:
            value = min(value, self.rating.amps(limit.watts))
        if limit.amps is not None:
            value = min(value, limit.amps)
        return value

    def _breakpoints(
        self, evse_id: int, start: datetime, end: datetime, tx_start: datetime | None
    ) -> list[datetime]:
        """Every moment in [start, end) at which the combined limit may change."""
        moments = {start}
        for evse, profile in self.installed():
            if evse not in (0, evse_id):
                continue
            moments.update(m for m in (profile.valid_from, profile.valid_to) if m is not None)
            for base in _occurrences(profile, start, end, tx_start):
                moments.update(
                    base + timedelta(seconds=p.start_s) for p in profile.schedule.periods
                )
                if profile.schedule.duration_s is not None:
                    moments.add(base + timedelta(seconds=profile.schedule.duration_s))
        return sorted(m for m in moments if start <= m < end)


def _occurrences(
    profile: ChargingProfile, start: datetime, end: datetime, tx_start: datetime | None
) -> list[datetime]:
    """The starts of `profile`'s schedule that can touch [start, end)."""
    if profile.kind is not ProfileKind.RECURRING:
        base = _schedule_start(profile, start, tx_start)
        return [base] if base is not None else []
    first = _schedule_start(profile, start, tx_start)
    if first is None or profile.recurrency is None:
        return []
    step = _RECURRENCE[profile.recurrency]
    bases = []
    moment = first
    while moment < end:
        bases.append(moment)
        moment += step
    return bases
