"""An EVSE's energy meter and the EV behind it, as a small physical model with no I/O.

The meter integrates power over time into an energy register that never decreases. Power
follows what the weakest link allows: the EVSE's rating, the EV's on-board charger, the
active charging limit (so load management shows up in the reported values), and the
battery's taper above 80 % state of charge. Below the 6 A minimum of IEC 61851-1 an EV cannot
charge, so a lower limit suspends charging (`SUSPENDED_EVSE`); a full battery stops drawing
(`SUSPENDED_EV`).

Time is passed in as monotonic seconds, so tests drive the model without a clock.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass

__all__ = [
    "ChargeState",
    "ChargingLimit",
    "EnergyMeter",
    "MeterReading",
    "SupplyRating",
    "Vehicle",
]

_TAPER_START_SOC = 80.0  # percent; lithium-ion chargers reduce current above this
_VOLTAGE_NOISE = 0.01  # ±1 % around nominal, as a grid connection wanders


@dataclass(frozen=True, slots=True)
class SupplyRating:
    """What one EVSE can deliver."""

    phases: int = 3
    voltage_v: float = 230.0
    max_current_a: float = 32.0
    min_current_a: float = 6.0  # IEC 61851-1 minimum PWM current

    @property
    def max_power_w(self) -> float:
        """The rated power over all phases."""
        return self.phases * self.voltage_v * self.max_current_a

    def watts(self, amps: float, phases: int | None = None) -> float:
        """Power in W of `amps` per phase on `phases` phases (default: all)."""
        return amps * self.voltage_v * (phases or self.phases)

    def amps(self, watts: float, phases: int | None = None) -> float:
        """Current per phase in A that carries `watts` on `phases` phases (default: all)."""
        return watts / (self.voltage_v * (phases or self.phases))


@dataclass(frozen=True, slots=True)
class Vehicle:
    """An EV as the EVSE sees it: battery, on-board charger, and starting charge."""

    capacity_wh: float
    soc_start: float
    phases: int
    max_current_a: float
    target_soc: float = 100.0

    @classmethod
    def random(cls, rng: random.Random) -> Vehicle:
        """A plausible EV: a common battery size, on-board charger and arrival charge."""
        capacity = rng.choice((40_000.0, 58_000.0, 64_000.0, 77_000.0, 100_000.0))
        phases, amps = rng.choice(((1, 32.0), (3, 16.0), (3, 16.0), (3, 32.0)))
        return cls(
            capacity_wh=capacity,
            soc_start=round(rng.uniform(10.0, 60.0), 1),
            phases=phases,
            max_current_a=amps,
            target_soc=rng.choice((80.0, 90.0, 100.0)),
        )


@dataclass(frozen=True, slots=True)
class ChargingLimit:
    """A limit on what an EVSE offers: in W over all phases, in A per phase, or both.

    Both are kept as given, because converting amperes to watts needs the number of phases
    the EV actually uses, which only the meter knows.
    """

    watts: float | None = None
    amps: float | None = None

    def tighter(self, other: ChargingLimit) -> ChargingLimit:
        """The limit that respects both `self` and `other`."""
        return ChargingLimit(
            _min_optional(self.watts, other.watts), _min_optional(self.amps, other.amps)
        )

    def shared(self, ways: int) -> ChargingLimit:
        """This limit divided fairly between `ways` consumers."""
        n = max(1, ways)
        return ChargingLimit(
            None if self.watts is None else self.watts / n,
            None if self.amps is None else self.amps / n,
        )


def _min_optional(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class ChargeState(enum.Enum):
    """What the EVSE's power path is doing."""

    IDLE = "idle"  # no EV, or energy not offered (no transaction yet)
    CHARGING = "charging"
    SUSPENDED_EV = "suspended_ev"
    SUSPENDED_EVSE = "suspended_evse"


@dataclass(frozen=True, slots=True)
class MeterReading:
    """One sample of the meter: register, power, and per-phase current and voltage."""

    energy_wh: float
    power_w: float
    current_a: tuple[float, float, float]
    voltage_v: tuple[float, float, float]
    soc: float | None


class EnergyMeter:
    """The meter of one EVSE, with the EV (if any) that is plugged into it."""

    __slots__ = (
        "_current_a",
        "_energized",
        "_last",
        "_limit",
        "_power_w",
        "_register_wh",
        "_rng",
        "_soc",
        "_state",
        "_vehicle",
        "_voltages",
        "rating",
    )

    def __init__(
        self, rating: SupplyRating, rng: random.Random, *, register_wh: float = 0.0
    ) -> None:
        self.rating = rating
        self._rng = rng
        self._register_wh = register_wh
        self._vehicle: Vehicle | None = None
        self._soc = 0.0
        self._limit = ChargingLimit()
        self._energized = False
        self._last: float | None = None
        self._current_a = 0.0
        self._power_w = 0.0
        self._state = ChargeState.IDLE
        nominal = rating.voltage_v
        self._voltages = (nominal, nominal, nominal)

    @property
    def register_wh(self) -> float:
        """The energy register in Wh as of the last `advance`."""
        return self._register_wh

    @property
    def state(self) -> ChargeState:
        """The power path's state as of the last `advance`."""
        return self._state

    @property
    def vehicle(self) -> Vehicle | None:
        """The EV plugged in, if any."""
        return self._vehicle

    @property
    def soc(self) -> float | None:
        """The EV's state of charge in percent, if an EV is plugged in."""
        return self._soc if self._vehicle is not None else None

    @property
    def limit(self) -> ChargingLimit:
        """The charging limit in force (empty: the rating alone)."""
        return self._limit

    def plug(self, vehicle: Vehicle, now: float) -> None:
        """Connect `vehicle`; it draws nothing until `energize(True, …)`."""
        self.advance(now)
        self._vehicle = vehicle
        self._soc = vehicle.soc_start
        self._recompute()

    def unplug(self, now: float) -> None:
        """Disconnect the EV; the register keeps its value."""
        self.advance(now)
        self._vehicle = None
        self._energized = False
        self._recompute()

    def energize(self, on: bool, now: float) -> None:
        """Offer energy to the EV (transaction running) or stop offering it."""
        self.advance(now)
        self._energized = on
        self._recompute()

    def set_limit(self, limit: ChargingLimit, now: float) -> None:
        """Apply a charging limit (an empty one: no limit beyond the rating)."""
        self.advance(now)
        self._limit = limit
        self._recompute()

    def advance(self, now: float) -> None:
        """Integrate the current power up to `now`; earlier times are ignored."""
        if self._last is None or now <= self._last:
            self._last = now if self._last is None else self._last
            return
        elapsed_h = (now - self._last) / 3600.0
        self._last = now
        delivered = self._power_w * elapsed_h
        vehicle = self._vehicle
        if vehicle is not None and delivered > 0.0:
            room = max(0.0, (vehicle.target_soc - self._soc) / 100.0 * vehicle.capacity_wh)
            delivered = min(delivered, room)
            self._soc = min(vehicle.target_soc, self._soc + delivered / vehicle.capacity_wh * 100)
        self._register_wh += delivered
        self._recompute()

    def read(self, now: float) -> MeterReading:
        """Advance to `now` and return a sample."""
        self.advance(now)
        phases = self._phases_used()
        currents = tuple(self._current_a if i < phases else 0.0 for i in range(3))
        return MeterReading(
            energy_wh=self._register_wh,
            power_w=sum(v * c for v, c in zip(self._voltages, currents, strict=True)),
            current_a=(currents[0], currents[1], currents[2]),
            voltage_v=self._voltages,
            soc=self.soc,
        )

    def _phases_used(self) -> int:
        if self._vehicle is None:
            return 0
        return min(self._vehicle.phases, self.rating.phases)

    def _recompute(self) -> None:
        """Set current, power and state from the EV, the limit and the rating."""
        self._voltages = (self._noisy_voltage(), self._noisy_voltage(), self._noisy_voltage())
        self._current_a, self._state = self._allowed_current()
        phases = self._phases_used()
        self._power_w = sum(self._voltages[i] * self._current_a for i in range(phases))

    def _noisy_voltage(self) -> float:
        nominal = self.rating.voltage_v
        return round(nominal * (1 + self._rng.uniform(-_VOLTAGE_NOISE, _VOLTAGE_NOISE)), 1)

    def _allowed_current(self) -> tuple[float, ChargeState]:
        vehicle = self._vehicle
        if vehicle is None or not self._energized:
            return 0.0, ChargeState.IDLE
        if self._soc >= vehicle.target_soc:
            return 0.0, ChargeState.SUSPENDED_EV
        offered = self.rating.max_current_a
        if self._limit.amps is not None:
            offered = min(offered, self._limit.amps)
        if self._limit.watts is not None:
            # Divide by the measured voltages, not the nominal one, so that the power
            # reported never exceeds a limit given in W.
            volts = sum(self._voltages[: self._phases_used()])
            offered = min(offered, max(0.0, self._limit.watts) / volts)
        if offered < self.rating.min_current_a:
            return 0.0, ChargeState.SUSPENDED_EVSE
        accepted = vehicle.max_current_a
        if self._soc > _TAPER_START_SOC:
            share = (100.0 - self._soc) / (100.0 - _TAPER_START_SOC)
            accepted = max(self.rating.min_current_a, vehicle.max_current_a * share)
        # Round down to the centiampere: rounding up could overshoot the limit.
        return math.floor(min(offered, accepted) * 100) / 100, ChargeState.CHARGING
