"""From what the store holds about a session to the tariff engine's `SessionUsage`.

Inputs, all protocol-free: the stored sampled values (`MeterReading`, one `meter_values` row
each) and the changes of the session's charging state (`StateChange`). Output: one
`UsageSample` per instant at which something was measured or changed.

**Energy** is the Energy.Active.Import.Register reading of the instant (OCPP 1.6 §7.31 /
2.0.1 MeasurandEnumType; Wh, or kWh scaled). When the charger reports it per phase only, the
phases are added up. A reading below the one before (a replaced meter, an offline replay that
overlaps) is ignored: the register a driver pays for never runs backwards. An instant without
an energy reading keeps the previous energy.

**Power and current** are Power.Active.Import and Current.Import of the instant, summed over
the phases when given per phase (OCPI's current restrictions count the sum over all phases,
mod_tariffs TariffRestrictions). Readings measured at the EV or the body are left out.

**Charging or parked** (the corrected 2.2.1 PARKING_TIME definition: parked is "the vehicle
does not request power", see `shared.billing.usage`). In order of trust:

1. what the charger said: a charging-state change (2.0.1 TransactionEvent `chargingState`,
   or, from a 1.6 charger, a connector status in the status history, `STATUS_WORDS`):
   Charging and SuspendedEVSE (the charger, not the car, paused) are CHARGING; SuspendedEV,
   EVConnected, Idle, Finishing, Preparing are PARKED. Once the charger has said anything,
   later instants follow it;
2. otherwise the measured power: at least `CHARGING_POWER_W` is CHARGING, less is PARKED;
3. otherwise the energy flow into the instant: an average of at least `CHARGING_POWER_W`
   since the previous instant is CHARGING, less is PARKED; an instant without an energy
   reading keeps the state before it. The session starts CHARGING (0 W at the very start
   is the EVSE not delivering yet, which is charging time like SuspendedEVSE).

Rules 2 and 3 only use what is known at the instant, so the running cost computed while
meter values arrive (incrementally, `UsageBuilder.add`) and the CDR computed at the end from
the same rows agree. The state of an instant holds until the next instant (sample-and-hold),
so a car that stops drawing power between two samples is counted as charging up to the next
sample — with one-minute samples, at most a minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.billing.errors import UsageError
from shared.billing.usage import SessionUsage, UsageSample, UsageState

__all__ = [
    "CHARGING_POWER_W",
    "CURRENT",
    "ENERGY_REGISTER",
    "POWER",
    "STATUS_WORDS",
    "MeterReading",
    "OutOfOrderError",
    "StateChange",
    "UsageBuilder",
    "build_usage",
    "usage_state_of",
]

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
_MEASURANDS = frozenset({ENERGY_REGISTER, POWER, CURRENT})

#: Below this power (W) a vehicle is taken not to request power. Real charging draws at
#: least 6 A on one phase (IEC 61851-1), about 1.4 kW; a full car's stand-by and a meter's
#: noise stay well under 100 W.
CHARGING_POWER_W = Decimal(100)

_SCALE = {"kwh": Decimal(1000), "wh": Decimal(1), "kw": Decimal(1000), "w": Decimal(1)}
_SKIPPED_LOCATIONS = frozenset({"EV", "Body"})
_LOCATION_PREFERENCE = {None: 0, "Outlet": 0, "Cable": 1, "Inlet": 2}
_SECONDS_PER_HOUR = Decimal(3600)

_CHARGING_STATES = {
    # 2.0.1 ChargingStateEnumType and 1.6 ChargePointStatus words.
    "Charging": UsageState.CHARGING,
    "SuspendedEVSE": UsageState.CHARGING,
    "SuspendedEV": UsageState.PARKED,
    "EVConnected": UsageState.PARKED,
    "Idle": UsageState.PARKED,
    "Finishing": UsageState.PARKED,
    "Preparing": UsageState.PARKED,
}


#: The OCPP 1.6 ChargePointStatus words (§7.7) that tell charging from parked during a
#: transaction; 1.6 has no charging state of its own. (2.0.1 connector statuses say only
#: Occupied: its charging state comes with the TransactionEvents.)
STATUS_WORDS = frozenset({"Charging", "SuspendedEVSE", "SuspendedEV", "Finishing", "Preparing"})


def usage_state_of(charging_state: str | None) -> UsageState | None:
    """The usage state an OCPP charging state / connector status word means, if any."""
    return None if charging_state is None else _CHARGING_STATES.get(charging_state)


class OutOfOrderError(UsageError):
    """Readings arrived for an instant at or before the last sample: build again from all."""


@dataclass(frozen=True, slots=True)
class MeterReading:
    """One stored sampled value (a `meter_values` row) without its protocol."""

    id: int
    timestamp: datetime
    measurand: str
    value: float
    unit: str | None = None
    phase: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class StateChange:
    """The charging state the charger reported from `timestamp` on."""

    timestamp: datetime
    state: UsageState


def _scaled(reading: MeterReading) -> Decimal:
    value = (
        Decimal(repr(reading.value)) if isinstance(reading.value, float) else Decimal(reading.value)
    )
    factor = _SCALE.get((reading.unit or "").lower(), Decimal(1))
    return value * factor


def _combined(readings: Sequence[MeterReading]) -> Decimal | None:
    """One value from the readings of one measurand at one instant (see module doc)."""
    usable = [r for r in readings if r.location not in _SKIPPED_LOCATIONS]
    if not usable:
        return None
    best = min(_LOCATION_PREFERENCE.get(r.location, 3) for r in usable)
    usable = [r for r in usable if _LOCATION_PREFERENCE.get(r.location, 3) == best]
    whole = [r for r in usable if r.phase is None]
    if whole:
        return _scaled(max(whole, key=lambda r: r.id))
    per_line: dict[str, Decimal] = {}
    for reading in sorted(usable, key=lambda r: r.id):
        phase = reading.phase or ""
        if phase[:2] in ("L1", "L2", "L3") and "-L" not in phase:  # not line-to-line voltage
            per_line[phase[:2]] = _scaled(reading)
    return sum(per_line.values(), Decimal(0)) if per_line else None


@dataclass(slots=True)
class _Instant:
    readings: dict[str, list[MeterReading]]
    state: UsageState | None = None


def _instants(
    readings: Iterable[MeterReading], changes: Iterable[StateChange]
) -> dict[datetime, _Instant]:
    instants: dict[datetime, _Instant] = {}
    for reading in readings:
        if reading.measurand in _MEASURANDS:
            slot = instants.setdefault(reading.timestamp, _Instant(defaultdict(list)))
            slot.readings[reading.measurand].append(reading)
    for change in changes:
        instants.setdefault(change.timestamp, _Instant(defaultdict(list))).state = change.state
    return instants


class UsageBuilder:
    """Turns readings and state changes into usage samples, in time order, incrementally.

    Give it what is new with `add`; it returns the samples for instants after the last one.
    Anything at or before the last sample raises `OutOfOrderError`: build again from all rows
    (offline replays make this happen, rarely). The first sample is at `started_at`; until the
    energy at the start is known (the meter start, or else the first register reading), no
    sample is returned.
    """

    def __init__(
        self,
        started_at: datetime,
        meter_start_wh: Decimal | None = None,
        initial_state: UsageState | None = None,
    ) -> None:
        self.started_at = started_at
        self._energy = meter_start_wh
        self._start_given = meter_start_wh is not None
        self._said: UsageState | None = initial_state
        self._state = initial_state or UsageState.CHARGING
        self._last: datetime | None = None
        self._pending: dict[datetime, _Instant] = {}
        self.samples: list[UsageSample] = []

    @property
    def last_timestamp(self) -> datetime | None:
        """The instant of the last sample returned, if any."""
        return self._last

    @property
    def state(self) -> UsageState:
        """The state of the last sample (CHARGING before any)."""
        return self._state

    def add(
        self, readings: Iterable[MeterReading], changes: Iterable[StateChange] = ()
    ) -> list[UsageSample]:
        """The samples for the instants in `readings`/`changes` (none before `started_at`)."""
        fresh = _instants(readings, changes)
        if self._last is not None and any(t <= self._last for t in fresh):
            raise OutOfOrderError("a reading arrived for an instant already sampled")
        for instant, slot in sorted(fresh.items(), key=lambda item: item[0]):
            if instant < self.started_at:
                self._before_start(slot)
            else:
                self._merge(instant, slot)
        return self._drain()

    def _before_start(self, slot: _Instant) -> None:
        # The last register read before the start is the best meter start when none was
        # given; a state said before the start is the state the session starts in.
        if slot.state is not None:
            self._said = self._state = slot.state
        energy = _combined(slot.readings.get(ENERGY_REGISTER, []))
        if not self._start_given and energy is not None and self._last is None:
            self._energy = energy

    def _merge(self, instant: datetime, slot: _Instant) -> None:
        pending = self._pending.get(instant)
        if pending is None:
            self._pending[instant] = slot
            return
        for measurand, rows in slot.readings.items():
            pending.readings[measurand].extend(rows)
        pending.state = slot.state or pending.state

    def _drain(self) -> list[UsageSample]:
        if self._energy is None:
            first_energy = self._first_pending_energy()
            if first_energy is None:
                return []
            self._energy = first_energy
        produced: list[UsageSample] = []
        if self._last is None:
            start_slot = self._pending.pop(self.started_at, None)
            produced.append(self._sample(self.started_at, start_slot, first=True))
        for instant in sorted(self._pending):
            produced.append(self._sample(instant, self._pending[instant], first=False))
        self._pending.clear()
        self.samples.extend(produced)
        return produced

    def _first_pending_energy(self) -> Decimal | None:
        for instant in sorted(self._pending):
            energy = _combined(self._pending[instant].readings.get(ENERGY_REGISTER, []))
            if energy is not None:
                return energy
        return None

    def _sample(self, instant: datetime, slot: _Instant | None, *, first: bool) -> UsageSample:
        assert self._energy is not None
        readings = slot.readings if slot is not None else {}
        energy = _combined(readings.get(ENERGY_REGISTER, []))
        power = _combined(readings.get(POWER, []))
        current = _combined(readings.get(CURRENT, []))
        previous_energy, previous_time = self._energy, self._last
        if energy is not None and energy >= self._energy:
            self._energy = energy
        if slot is not None and slot.state is not None:
            self._said = slot.state
        if self._said is not None:
            self._state = self._said
        elif first:
            # No power at the very start is the EVSE not delivering yet (its contactor,
            # the pilot handshake): like SuspendedEVSE, that counts as charging.
            self._state = UsageState.CHARGING
        elif power is not None:
            self._state = UsageState.CHARGING if power >= CHARGING_POWER_W else UsageState.PARKED
        elif energy is not None and not first and previous_time is not None:
            seconds = Decimal((instant - previous_time).total_seconds())
            rate_w = (self._energy - previous_energy) * _SECONDS_PER_HOUR / seconds
            self._state = UsageState.CHARGING if rate_w >= CHARGING_POWER_W else UsageState.PARKED
        self._last = instant
        return UsageSample(instant, self._energy, self._state, power, current)


def build_usage(
    *,
    started_at: datetime,
    ended_at: datetime,
    time_zone: str,
    readings: Iterable[MeterReading],
    changes: Iterable[StateChange] = (),
    meter_start_wh: Decimal | None = None,
    meter_stop_wh: Decimal | None = None,
) -> SessionUsage:
    """The whole usage of a finished session (or of a running one up to `ended_at`).

    Readings after `ended_at` are left out (chargers send meter values after the stop,
    PITFALLS #7); the meter stop, when known, is the register reading at `ended_at`.
    """
    end = max(ended_at, started_at)
    rows = sorted((r for r in readings if r.timestamp <= end), key=lambda r: (r.timestamp, r.id))
    if meter_stop_wh is not None:
        rows.append(
            MeterReading(
                id=2**62, timestamp=end, measurand=ENERGY_REGISTER, value=float(meter_stop_wh)
            )
        )
    builder = UsageBuilder(started_at, meter_start_wh)
    builder.add(rows, [c for c in changes if c.timestamp <= end])
    if not builder.samples:  # nothing was ever measured: an empty session
        builder = UsageBuilder(started_at, Decimal(0))
        builder.add([], [c for c in changes if c.timestamp <= end])
    return SessionUsage(
        start=started_at, end=end, time_zone=time_zone, samples=tuple(builder.samples)
    )
