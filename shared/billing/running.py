"""One active session being priced as its meter values arrive (no I/O here).

`RunningSession` holds the session's tariff (chosen when it started and kept), a
`UsageBuilder` that turns new stored readings into samples, and a `SessionPricer` fed with
those samples. Feeding new rows costs time in proportion to the rows, not to the session;
when rows arrive for an instant already priced (an offline replay), the caller builds the
session again from all its rows (`OutOfOrderError`).

Without a tariff (the connector had none when the session started) the session is free:
there is nothing to price and `cost` stays None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.billing.amounts import round_kwh, round_price_in
from shared.billing.pricing import SessionPricer
from shared.billing.results import PricedSession
from shared.billing.tariff import Price, Tariff
from shared.billing.usage import UsageSample
from shared.billing.usage_from_store import MeterReading, StateChange, UsageBuilder

__all__ = ["RunningCost", "RunningSession"]


@dataclass(frozen=True, slots=True)
class RunningCost:
    """The cost so far of a session, exact and rounded to the currency's minor unit."""

    transaction_id: int
    station_id: str
    tariff_id: str
    currency: str
    at: datetime
    exact: Price
    rounded: Price
    energy_kwh: Decimal
    priced: PricedSession


class RunningSession:
    """The pricing state of one active session."""

    def __init__(
        self,
        transaction_id: int,
        station_id: str,
        transaction_ref: str,
        *,
        started_at: datetime,
        meter_start_wh: Decimal | None,
        tariff: Tariff | None,
        time_zone: str,
    ) -> None:
        self.transaction_id = transaction_id
        self.station_id = station_id
        self.transaction_ref = transaction_ref
        self.tariff = tariff
        self.time_zone = time_zone
        self.last_reading_id = 0
        self.last_event_id = 0  # transaction events (2.0.1 charging states)
        self.last_status_id = 0  # connector status history (1.6 charging states)
        self.reported: Price | None = None  # the last rounded cost written and announced
        self.sent_to_station: Price | None = None  # the last CostUpdated total
        self.sent_to_station_at: datetime | None = None
        self.priced_at: datetime | None = None
        self._builder = UsageBuilder(started_at, meter_start_wh)
        self._pricer = None if tariff is None else SessionPricer(tariff, time_zone)

    @property
    def free(self) -> bool:
        """True when the session has no tariff: it costs nothing and is not tracked."""
        return self.tariff is None

    def feed(
        self,
        readings: Sequence[MeterReading],
        changes: Sequence[tuple[int, StateChange]],
        statuses: Sequence[tuple[int, StateChange]] = (),
    ) -> int:
        """Take rows stored after the ones seen so far (meter values, charging states from
        transaction events, from connector statuses); the number of new samples.

        Raises `OutOfOrderError` when a row is for an instant already sampled.
        """
        fresh = [r for r in readings if r.id > self.last_reading_id]
        new_changes = [(i, c) for i, c in changes if i > self.last_event_id]
        new_statuses = [(i, c) for i, c in statuses if i > self.last_status_id]
        said = [c for _, c in new_statuses] + [c for _, c in new_changes]
        samples = self._builder.add(fresh, said)
        if fresh:
            self.last_reading_id = max(r.id for r in fresh)
        if new_changes:
            self.last_event_id = max(i for i, _ in new_changes)
        if new_statuses:
            self.last_status_id = max(i for i, _ in new_statuses)
        if self._pricer is not None:
            self._pricer.extend(samples)
        return len(samples)

    @property
    def samples(self) -> Sequence[UsageSample]:
        """The usage samples so far, in time order."""
        return tuple(self._builder.samples)

    @property
    def last_sample_at(self) -> datetime | None:
        return self._builder.last_timestamp

    def cost(self, now: datetime) -> RunningCost | None:
        """The cost if the session ended at `now` (or at its last sample, if later)."""
        if self._pricer is None or self.tariff is None or self.last_sample_at is None:
            self.priced_at = now
            return None
        end = max(now, self.last_sample_at)
        priced = self._pricer.price(end)
        self.priced_at = now
        currency = self.tariff.currency
        return RunningCost(
            transaction_id=self.transaction_id,
            station_id=self.station_id,
            tariff_id=self.tariff.id,
            currency=currency,
            at=end,
            exact=priced.total_cost,
            rounded=round_price_in(priced.total_cost, currency),
            energy_kwh=round_kwh(priced.total_energy_kwh),
            priced=priced,
        )

    def rebuilt(
        self,
        readings: Iterable[MeterReading],
        changes: Iterable[tuple[int, StateChange]],
        statuses: Iterable[tuple[int, StateChange]] = (),
        *,
        started_at: datetime,
        meter_start_wh: Decimal | None,
    ) -> RunningSession:
        """A fresh state over all of the session's rows, keeping what was announced."""
        fresh = RunningSession(
            self.transaction_id,
            self.station_id,
            self.transaction_ref,
            started_at=started_at,
            meter_start_wh=meter_start_wh,
            tariff=self.tariff,
            time_zone=self.time_zone,
        )
        fresh.reported = self.reported
        fresh.sent_to_station = self.sent_to_station
        fresh.sent_to_station_at = self.sent_to_station_at
        fresh.feed(
            sorted(readings, key=lambda r: r.id),
            sorted(changes, key=lambda c: c[0]),
            sorted(statuses, key=lambda c: c[0]),
        )
        return fresh
