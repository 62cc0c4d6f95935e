"""Pricing a session with a tariff: the entry points of the tariff engine.

`price_session(tariff, usage)` prices a finished (or running) session in one go.
`running_cost(tariff, usage_so_far)` is the cost so far of an active session: by
construction it equals the total of a session that ended at that moment.
`SessionPricer` does the same work incrementally, one sample at a time, for a store that
wants the running cost after every meter value without re-reading the whole session: feeding
it the samples in any number of steps gives exactly the result of `price_session`.

Everything is computed with exact `Decimal` arithmetic in a private context, so the caller's
decimal context does not change a price.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, localcontext

from shared.billing._matching import Phase
from shared.billing._numbers import PRICING_CONTEXT
from shared.billing._segments import Interval, Segmenter
from shared.billing._settle import RawPeriod, absorb, settle
from shared.billing.errors import UsageError
from shared.billing.results import PricedSession
from shared.billing.tariff import Price, Tariff
from shared.billing.usage import (
    SessionUsage,
    UsageSample,
    UsageState,
    check_next_sample,
    load_zone,
)

__all__ = ["SessionPricer", "price_session", "running_cost"]

_ZERO = Decimal(0)


class SessionPricer:
    """Prices one usage incrementally: `add` samples in order, `price` at any end.

    The pricer keeps the priced stretches between the samples it has seen; `price(end)`
    adds the stretch from the last sample to `end` (state of the last sample, no energy)
    and settles step sizes, fees and limits on a copy, so it can be called any number of
    times while samples keep arriving.
    """

    def __init__(self, tariff: Tariff, time_zone: str, *, reservation_expired: bool = False):
        self._tariff = tariff
        self._expired = reservation_expired
        self._segmenter = Segmenter(tariff, load_zone(time_zone), reservation_expired)
        self._periods: list[RawPeriod] = []
        self._first: UsageSample | None = None
        self._last: UsageSample | None = None
        self._session_start: UsageSample | None = None

    @property
    def tariff(self) -> Tariff:
        """The tariff this pricer prices with."""
        return self._tariff

    def add(self, sample: UsageSample) -> None:
        """Take the next sample; it must not be earlier than the previous one."""
        if self._expired and sample.state is not UsageState.RESERVED:
            raise UsageError("an expired reservation cannot contain a charging session")
        if self._last is None:
            self._first = sample
        else:
            check_next_sample(self._last, sample)
            with localcontext(PRICING_CONTEXT):
                self._cut(self._last, sample.timestamp, sample, self._periods)
        if self._session_start is None and sample.state is not UsageState.RESERVED:
            self._session_start = sample
        self._last = sample

    def extend(self, samples: Iterable[UsageSample]) -> None:
        """`add` each of `samples` in order."""
        for sample in samples:
            self.add(sample)

    def price(self, end: datetime) -> PricedSession:
        """The priced usage as if it ended at `end` (not before the last sample)."""
        if self._first is None or self._last is None:
            raise UsageError("nothing to price: no sample was added")
        if end.utcoffset() is None:
            raise UsageError(f"end {end} must be timezone-aware")
        end = end.astimezone(UTC)
        if end < self._last.timestamp:
            raise UsageError("the end lies before the last sample")
        with localcontext(PRICING_CONTEXT):
            periods = list(self._periods)
            self._cut(self._last, end, None, periods)
            session_start = None if self._session_start is None else self._session_start.timestamp
            return settle(self._tariff, periods, self._first.timestamp, end, session_start)

    def running_cost(self, end: datetime) -> Price:
        """The total cost if the usage ended at `end` (min/max price included)."""
        return self.price(end).total_cost

    def _cut(
        self,
        previous: UsageSample,
        until: datetime,
        following: UsageSample | None,
        periods: list[RawPeriod],
    ) -> None:
        """Price the stretch after `previous` up to `until` into `periods`."""
        assert self._first is not None
        reserved = previous.state is UsageState.RESERVED
        if reserved:
            phase, phase_start, before, delivered = Phase.RESERVATION, self._first, _ZERO, _ZERO
        else:
            assert self._session_start is not None
            phase, phase_start = Phase.SESSION, self._session_start
            before = previous.energy_wh - phase_start.energy_wh
            delivered = _ZERO if following is None else following.energy_wh - previous.energy_wh
        interval = Interval(
            start=previous.timestamp,
            end=until,
            phase=phase,
            phase_start=phase_start.timestamp,
            state=previous.state,
            energy_before_wh=before,
            energy_wh=delivered,
            power_w=previous.power_w,
            current_a=previous.current_a,
        )
        for segment in self._segmenter.cut(interval):
            absorb(periods, segment)


def price_session(tariff: Tariff, usage: SessionUsage) -> PricedSession:
    """Price `usage` with `tariff`: charging periods, totals per dimension, total cost.

    The tariff is used for the whole usage, as a driver accepts the tariff valid when the
    session starts (mod_tariffs, note on start/end_date_time); pick it with
    `select_tariff`.
    """
    pricer = SessionPricer(tariff, usage.time_zone, reservation_expired=usage.reservation_expired)
    pricer.extend(usage.samples)
    return pricer.price(usage.end)


def running_cost(tariff: Tariff, usage_so_far: SessionUsage) -> Price:
    """The cost of an active session up to `usage_so_far.end`.

    Equal, by construction, to the total cost of a session that ended then; it is not
    always increasing, because OCPI rounds only the last time-based dimension up to its
    step_size: when a car stops charging, the round-up moves from charging to parking time.
    """
    return price_session(tariff, usage_so_far).total_cost
