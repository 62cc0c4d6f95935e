"""Instants at which a local wall-clock restriction can change its verdict.

Time-of-day, day-of-week and date restrictions are read on the location's wall clock
(mod_tariffs, TariffRestrictions: "in local time, the time zone is defined in the time_zone
field of the Location"). Splitting a session at every instant where the wall clock passes one
of the tariff's times of day (or midnight), and at every change of UTC offset, leaves pieces
within which such restrictions cannot change; evaluating them at a piece's start is then exact.

Daylight saving time makes a wall time occur twice (autumn) or not at all (spring). Both
readings of each wall time are used, and the instant of the offset change itself, so a jump
over a boundary is caught where it happens. Extra split points are harmless: pieces with the
same prices are merged again later.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["calendar_boundaries"]

_MIDNIGHT = time(0, 0)
_ONE_DAY = timedelta(days=1)
_ONE_HOUR = timedelta(hours=1)
_ONE_SECOND = timedelta(seconds=1)


def calendar_boundaries(
    zone: ZoneInfo, walls: frozenset[time], start: datetime, end: datetime
) -> list[datetime]:
    """Sorted UTC instants strictly inside `(start, end)` where the wall clock of `zone`
    passes one of `walls` or midnight, or where the zone's UTC offset changes."""
    if end <= start:
        return []
    key = tuple(sorted(walls | {_MIDNIGHT}))
    day = start.astimezone(zone).date() - _ONE_DAY
    last_day = end.astimezone(zone).date() + _ONE_DAY
    found: set[datetime] = set()
    while day <= last_day:  # bounded: one pass per local day the interval touches
        found.update(t for t in _day_boundaries(zone.key, day, key) if start < t < end)
        day += _ONE_DAY
    return sorted(found)


@lru_cache(maxsize=4096)
def _day_boundaries(zone_key: str, day: date, walls: tuple[time, ...]) -> tuple[datetime, ...]:
    zone = ZoneInfo(zone_key)
    instants: set[datetime] = set()
    for wall in walls:
        for fold in (0, 1):
            local = datetime.combine(day, wall, tzinfo=zone).replace(fold=fold)
            instants.add(local.astimezone(UTC))
    instants.update(_offset_changes(zone, day))
    return tuple(sorted(instants))


def _offset_changes(zone: ZoneInfo, day: date) -> Iterable[datetime]:
    """UTC instants (to the second) at which `zone` changes its offset around `day`."""
    probe = datetime.combine(day, _MIDNIGHT, tzinfo=zone).astimezone(UTC) - 2 * _ONE_HOUR
    previous = probe.astimezone(zone).utcoffset()
    for _ in range(30):  # hourly probes over the local day and a margin each side
        following = probe + _ONE_HOUR
        offset = following.astimezone(zone).utcoffset()
        if offset != previous:
            yield _bisect_change(zone, probe, following)
        probe, previous = following, offset


def _bisect_change(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first whole second in `(before, after]` that has `after`'s offset."""
    target = after.astimezone(zone).utcoffset()
    low, high = before, after
    while high - low > _ONE_SECOND:  # halves an hour down to a second: ~12 rounds
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high
