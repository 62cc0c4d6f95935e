"""Cutting the stretch between two samples into pieces priced by one set of components.

mod_cdrs, ChargingPeriod: a new period starts whenever another price component becomes
active, and the CPO may work out that moment from the meter readings around it. Within a
stretch between two samples the state, power and current are those of the first sample; the
register is interpolated linearly. The stretch is cut where the wall clock passes a
time-of-day or date boundary, where the elapsed time passes a min/max_duration, and where the
interpolated energy passes a min/max_kwh. Every restriction is then constant on each piece, so
it is evaluated once, at the piece's start (the inclusive `min_*`/`start_*` bounds and
exclusive `max_*`/`end_*` bounds of mod_tariffs then fall on the right side of each cut).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.billing._calendar import calendar_boundaries
from shared.billing._matching import ElementSelector, Moment, Phase
from shared.billing._numbers import seconds_between
from shared.billing.tariff import PriceComponent, Tariff, TariffDimension
from shared.billing.usage import UsageState

__all__ = ["ActiveComponents", "Interval", "Segment", "Segmenter"]

ActiveComponents = tuple[tuple[TariffDimension, int, PriceComponent], ...]

_WH_PER_KWH = Decimal(1000)
_KW_PER_WH_PER_S = Decimal("3.6")  # 1 Wh per second is 3600 W


@dataclass(frozen=True, slots=True)
class Interval:
    """The stretch from one sample to the next (or to the end of the usage)."""

    start: datetime
    end: datetime
    phase: Phase
    phase_start: datetime
    state: UsageState
    energy_before_wh: Decimal  # session energy at `start`
    energy_wh: Decimal  # energy delivered during the stretch
    power_w: Decimal | None
    current_a: Decimal | None


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of an interval during which the same components are active."""

    start: datetime
    end: datetime
    phase: Phase
    state: UsageState
    energy_wh: Decimal
    power_kw: Decimal | None
    current_a: Decimal | None
    active: ActiveComponents


class Segmenter:
    """Cuts intervals of one usage, priced with one tariff in one time zone."""

    def __init__(self, tariff: Tariff, zone: ZoneInfo, reservation_expired: bool) -> None:
        restrictions = [e.restrictions for e in tariff.elements if e.restrictions is not None]
        self._zone = zone
        self._calendar = any(r.uses_calendar for r in restrictions)
        self._walls = frozenset(
            t for r in restrictions for t in (r.start_time, r.end_time) if t is not None
        )
        self._durations = sorted(
            {d for r in restrictions for d in (r.min_duration, r.max_duration) if d is not None}
        )
        self._thresholds_wh = sorted(
            {k * _WH_PER_KWH for r in restrictions for k in (r.min_kwh, r.max_kwh) if k is not None}
        )
        self._selectors = {
            phase: ElementSelector(tariff, phase, reservation_expired) for phase in Phase
        }

    def cut(self, interval: Interval) -> list[Segment]:
        """The interval as consecutive segments, each with its active components."""
        points = self._breakpoints(interval)
        power_kw = _power_kw(interval)
        segments: list[Segment] = []
        for (start, energy_start), (end, energy_end) in itertools.pairwise(points):
            if start == end and energy_start == energy_end:
                continue
            moment = Moment(
                local=start.astimezone(self._zone),
                elapsed_s=seconds_between(interval.phase_start, start),
                energy_kwh=energy_start / _WH_PER_KWH,
                power_kw=power_kw,
                current_a=interval.current_a,
            )
            active = self._selectors[interval.phase].active(interval.state, moment)
            segments.append(
                Segment(
                    start=start,
                    end=end,
                    phase=interval.phase,
                    state=interval.state,
                    energy_wh=energy_end - energy_start,
                    power_kw=power_kw,
                    current_a=interval.current_a,
                    active=active,
                )
            )
        return segments

    def _breakpoints(self, interval: Interval) -> list[tuple[datetime, Decimal]]:
        """(instant, session energy) at each cut, in order, energy never decreasing."""
        first = interval.energy_before_wh
        last = first + interval.energy_wh
        span = seconds_between(interval.start, interval.end)
        points = [(interval.start, first), (interval.end, last)]
        for instant in self._time_cuts(interval):
            elapsed = seconds_between(interval.start, instant)
            points.append((instant, first + interval.energy_wh * elapsed / span))
        for threshold in self._thresholds_wh:
            if first < threshold < last:
                fraction = (threshold - first) / interval.energy_wh
                offset = timedelta(microseconds=int(span * fraction * 1_000_000))
                points.append((interval.start + offset, threshold))
        points.sort()
        monotone: list[tuple[datetime, Decimal]] = []
        level = first
        for instant, energy in points:
            # Rounding the instant of an energy cut to the microsecond can put it a hair
            # before a neighbouring time cut; keep the register from running backwards.
            level = min(max(level, energy), last)
            if not monotone or monotone[-1] != (instant, level):
                monotone.append((instant, level))
        return monotone

    def _time_cuts(self, interval: Interval) -> list[datetime]:
        start, end = interval.start, interval.end
        cuts = calendar_boundaries(self._zone, self._walls, start, end) if self._calendar else []
        for seconds in self._durations:
            instant = interval.phase_start + timedelta(seconds=seconds)
            if start < instant < end:
                cuts.append(instant)
        return cuts


def _power_kw(interval: Interval) -> Decimal | None:
    """The reported power, or else the average power over the interval."""
    if interval.power_w is not None:
        return interval.power_w / _WH_PER_KWH
    span = seconds_between(interval.start, interval.end)
    if span == 0 or interval.phase is Phase.RESERVATION:
        return None  # no vehicle draws power during a reservation
    return interval.energy_wh * _KW_PER_WH_PER_S / span
