"""From priced stretches to charges and totals: FLAT fees, step_size, VAT, price limits.

Rules applied here, all from OCPI 2.2.1:

* FLAT (mod_tariffs, TariffDimensionType; min_price note): a fee per session, billed once,
  with the FLAT component active in the first period that has one. The reservation before a
  session is billed on its own, so a reservation fee and a start fee can both apply (tariff
  example 16). Whether a FLAT that becomes active later is billed again is left open by the
  spec (ocpi/ocpi#390); we bill one per session, as a start fee is meant.
* step_size (mod_cdrs, "step_size"): applied once per session to the total of ENERGY, and
  once to TIME and PARKING_TIME together: only the dimension of the last time-based period
  that was priced is rounded, over its session total, with the step_size of the component
  that priced that last period, and the round-up is billed in that last period. A switch of
  element within a dimension does not round the earlier part. Reservation time is rounded on
  its own (it is a separate CDR dimension, RESERVATION_TIME, with its own total cost).
* VAT (mod_tariffs, PriceComponent `vat`): a percentage on top of the excl. VAT amount;
  absent means none applies, so the amount incl. VAT is the same.
* min_price / max_price (mod_tariffs, notes under the Tariff object): the excl. and incl. VAT
  totals are each held to their own limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from shared.billing._matching import Phase
from shared.billing._money import UNITS, ExactPrice, charge_cost, exact_sum, limit
from shared.billing._numbers import ceil_to_step, seconds_between
from shared.billing._segments import ActiveComponents, Segment
from shared.billing.results import ChargingPeriod, DimensionCharge, PricedSession
from shared.billing.tariff import Price, PriceComponent, Tariff, TariffDimension
from shared.billing.usage import UsageState

__all__ = ["RawPeriod", "absorb", "settle"]

_ZERO = Decimal(0)
_TIME_DIMENSIONS = (TariffDimension.TIME, TariffDimension.PARKING_TIME)
_WH = UNITS[TariffDimension.ENERGY]
_HOUR = UNITS[TariffDimension.TIME]


@dataclass(frozen=True, slots=True)
class RawPeriod:
    """Merged segments with the same state and active elements, not yet charged."""

    start: datetime
    end: datetime
    phase: Phase
    state: UsageState
    active: ActiveComponents
    energy_wh: Decimal
    seconds: Decimal
    min_power_kw: Decimal | None
    max_power_kw: Decimal | None
    min_current_a: Decimal | None
    max_current_a: Decimal | None


def absorb(periods: list[RawPeriod], segment: Segment) -> None:
    """Append `segment` to `periods`, extending the last period when nothing changed."""
    seconds = seconds_between(segment.start, segment.end)
    last = periods[-1] if periods else None
    if last is not None and (last.phase, last.state, last.active) == (
        segment.phase,
        segment.state,
        segment.active,
    ):
        periods[-1] = replace(
            last,
            end=segment.end,
            energy_wh=last.energy_wh + segment.energy_wh,
            seconds=last.seconds + seconds,
            min_power_kw=_lower(last.min_power_kw, segment.power_kw),
            max_power_kw=_upper(last.max_power_kw, segment.power_kw),
            min_current_a=_lower(last.min_current_a, segment.current_a),
            max_current_a=_upper(last.max_current_a, segment.current_a),
        )
        return
    periods.append(
        RawPeriod(
            start=segment.start,
            end=segment.end,
            phase=segment.phase,
            state=segment.state,
            active=segment.active,
            energy_wh=segment.energy_wh,
            seconds=seconds,
            min_power_kw=segment.power_kw,
            max_power_kw=segment.power_kw,
            min_current_a=segment.current_a,
            max_current_a=segment.current_a,
        )
    )


def _lower(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    if old is None or new is None:
        return new if old is None else old
    return min(old, new)


def _upper(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    if old is None or new is None:
        return new if old is None else old
    return max(old, new)


@dataclass(slots=True)
class _Draft:
    """A charge being worked out: quantities in Wh, seconds or fees."""

    period: int
    dimension: TariffDimension
    element_index: int
    component: PriceComponent
    measured: Decimal
    billed: Decimal
    reservation: bool


def _draft_charges(periods: Sequence[RawPeriod]) -> list[_Draft]:
    drafts: list[_Draft] = []
    flat_billed: set[Phase] = set()
    for number, period in enumerate(periods):
        for dimension, index, component in period.active:
            amount = _measured(period, dimension)
            if dimension is TariffDimension.FLAT:
                if period.phase in flat_billed:
                    continue
                flat_billed.add(period.phase)
            elif amount <= 0:
                continue  # nothing consumed, so this period is not a relevant one
            reservation = period.phase is Phase.RESERVATION
            drafts.append(_Draft(number, dimension, index, component, amount, amount, reservation))
    return drafts


def _measured(period: RawPeriod, dimension: TariffDimension) -> Decimal:
    if dimension is TariffDimension.ENERGY:
        return period.energy_wh
    if dimension is TariffDimension.FLAT:
        return Decimal(1)
    return period.seconds  # TIME while charging or reserved, PARKING_TIME while parked


def _apply_step_sizes(drafts: list[_Draft]) -> None:
    groups = (
        [d for d in drafts if d.dimension is TariffDimension.ENERGY],
        [d for d in drafts if d.dimension in _TIME_DIMENSIONS and not d.reservation],
        [d for d in drafts if d.dimension is TariffDimension.TIME and d.reservation],
    )
    for group in groups:
        if not group:
            continue
        last = group[-1]
        total = sum((d.measured for d in group if d.dimension is last.dimension), _ZERO)
        last.billed += ceil_to_step(total, last.component.step_size) - total


def _period(raw: RawPeriod, charges: list[DimensionCharge]) -> ChargingPeriod:
    hours = raw.seconds / _HOUR
    return ChargingPeriod(
        start=raw.start,
        end=raw.end,
        state=raw.state,
        energy_kwh=raw.energy_wh / _WH,
        time_hours=hours if raw.state is UsageState.CHARGING else _ZERO,
        parking_time_hours=hours if raw.state is UsageState.PARKED else _ZERO,
        reservation_time_hours=hours if raw.state is UsageState.RESERVED else _ZERO,
        min_current_a=raw.min_current_a,
        max_current_a=raw.max_current_a,
        min_power_kw=raw.min_power_kw,
        max_power_kw=raw.max_power_kw,
        elements=tuple((dimension, index) for dimension, index, _ in raw.active),
        charges=tuple(charges),
    )


def settle(
    tariff: Tariff,
    raw_periods: Sequence[RawPeriod],
    start: datetime,
    end: datetime,
    session_start: datetime | None,
) -> PricedSession:
    """Charge the periods and total them up."""
    drafts = _draft_charges(raw_periods)
    _apply_step_sizes(drafts)
    per_period: list[list[DimensionCharge]] = [[] for _ in raw_periods]
    costs: list[tuple[_Draft, ExactPrice]] = []
    for d in drafts:
        unit = UNITS[d.dimension]
        cost = charge_cost(d.component, d.billed)
        costs.append((d, cost))
        per_period[d.period].append(
            DimensionCharge(
                dimension=d.dimension,
                element_index=d.element_index,
                component=d.component,
                volume=d.measured / unit,
                billed_volume=d.billed / unit,
                cost=cost.to_price(),
                reservation=d.reservation,
            )
        )
    periods = tuple(_period(raw, c) for raw, c in zip(raw_periods, per_period, strict=True))
    return _totals(tariff, raw_periods, periods, costs, (start, end, session_start))


def _totals(
    tariff: Tariff,
    raw_periods: Sequence[RawPeriod],
    periods: tuple[ChargingPeriod, ...],
    costs: list[tuple[_Draft, ExactPrice]],
    times: tuple[datetime, datetime, datetime | None],
) -> PricedSession:
    start, end, session_start = times

    def seconds_in(state: UsageState) -> Decimal:
        return sum((r.seconds for r in raw_periods if r.state is state), _ZERO)

    def cost_of(dimensions: tuple[TariffDimension, ...], reservation: bool) -> Price:
        return exact_sum(
            c for d, c in costs if d.dimension in dimensions and d.reservation is reservation
        ).to_price()

    uncapped = exact_sum(c for _, c in costs)
    session_s = _ZERO if session_start is None else seconds_between(session_start, end)
    return PricedSession(
        tariff_id=tariff.id,
        currency=tariff.currency,
        start=start,
        end=end,
        periods=periods,
        total_energy_kwh=sum((r.energy_wh for r in raw_periods), _ZERO) / _WH,
        total_time_hours=session_s / _HOUR,
        total_parking_time_hours=seconds_in(UsageState.PARKED) / _HOUR,
        total_reservation_time_hours=seconds_in(UsageState.RESERVED) / _HOUR,
        total_energy_cost=cost_of((TariffDimension.ENERGY,), False),
        total_time_cost=cost_of((TariffDimension.TIME,), False),
        total_parking_cost=cost_of((TariffDimension.PARKING_TIME,), False),
        total_fixed_cost=cost_of((TariffDimension.FLAT,), False),
        total_reservation_cost=cost_of((TariffDimension.FLAT, TariffDimension.TIME), True),
        uncapped_cost=uncapped.to_price(),
        total_cost=limit(uncapped, tariff.min_price, tariff.max_price).to_price(),
    )
