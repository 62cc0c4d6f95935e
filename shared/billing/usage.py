"""What a session consumed, as the store knows it: the input of the tariff engine.

A `SessionUsage` is a time line of `UsageSample`s. Each sample carries the energy register at
its instant and the state that holds *from* that instant until the next sample (or until
`end`): reserved, charging, or parked. Power and current, when the charger reported them,
hold over the same stretch; they feed the power/current restrictions.

Mapping from OCPP (done by the store): a reservation made for this driver is RESERVED until
the session starts; "vehicle requests power" is CHARGING, including a pause imposed by the
charger or by smart charging (OCPP 2.0.1 SuspendedEVSE, 1.6 SuspendedEVSE); "vehicle does not
request power" is PARKED (SuspendedEV, EVConnected after charging, 1.6 Finishing). That
follows the corrected 2.2.1 definition of PARKING_TIME (mod_cdrs, CdrDimensionType note).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.billing._numbers import decimal_field, optional_decimal_field
from shared.billing.errors import UsageError

__all__ = ["SessionUsage", "UsageSample", "UsageState", "check_next_sample", "load_zone"]


class UsageState(StrEnum):
    """What the EVSE is doing for this customer from a sample's instant on."""

    RESERVED = "RESERVED"  # reserved for the driver, session not started yet
    CHARGING = "CHARGING"  # the vehicle requests power (TIME is billed)
    PARKED = "PARKED"  # connected, the vehicle does not request power (PARKING_TIME)


@dataclass(frozen=True, slots=True)
class UsageSample:
    """One observation: the register and the state from `timestamp` until the next sample.

    `energy_wh` is the cumulative import register in Wh (only differences matter).
    `power_w` is the active import power in W and `current_a` the current summed over the
    phases in A; leave them `None` when the charger did not report them. Without `power_w`
    the engine uses the average power up to the next sample.
    """

    timestamp: datetime
    energy_wh: Decimal
    state: UsageState
    power_w: Decimal | None = None
    current_a: Decimal | None = None

    def __post_init__(self) -> None:
        if self.timestamp.utcoffset() is None:
            raise UsageError(f"sample timestamp {self.timestamp} must be timezone-aware")
        object.__setattr__(self, "timestamp", self.timestamp.astimezone(UTC))
        object.__setattr__(self, "energy_wh", decimal_field(self.energy_wh, "energy_wh"))
        object.__setattr__(self, "power_w", optional_decimal_field(self.power_w, "power_w"))
        object.__setattr__(self, "current_a", optional_decimal_field(self.current_a, "current_a"))
        object.__setattr__(self, "state", UsageState(self.state))


@dataclass(frozen=True, slots=True)
class SessionUsage:
    """A session (and the reservation before it, if any) as a series of samples.

    The first sample is taken at `start`; samples are in time order; the register never
    goes backwards while the session runs. RESERVED samples, if any, come first: the
    reservation ends when the session starts. `reservation_expired` marks a reservation that
    was never followed by a session (all samples RESERVED); it is priced with the
    RESERVATION_EXPIRES elements. `time_zone` is the location's IANA zone; time-of-day and
    date restrictions are evaluated in it.
    """

    start: datetime
    end: datetime
    time_zone: str
    samples: tuple[UsageSample, ...]
    reservation_expired: bool = False

    def __post_init__(self) -> None:
        samples = tuple(self.samples)
        object.__setattr__(self, "samples", samples)
        for name in ("start", "end"):
            value: datetime = getattr(self, name)
            if value.utcoffset() is None:
                raise UsageError(f"{name} {value} must be timezone-aware")
            object.__setattr__(self, name, value.astimezone(UTC))
        load_zone(self.time_zone)
        if not samples:
            raise UsageError("a session usage needs at least one sample")
        if samples[0].timestamp != self.start:
            raise UsageError("the first sample must be taken at the start of the session")
        if self.end < samples[-1].timestamp:
            raise UsageError("the session ends before its last sample")
        _check_order(samples, self.reservation_expired)

    @property
    def session_start(self) -> datetime | None:
        """When the charging session itself began (after any reservation), if it did."""
        first = next((s for s in self.samples if s.state is not UsageState.RESERVED), None)
        return None if first is None else first.timestamp

    def up_to(self, index: int) -> SessionUsage:
        """This usage as it was at sample `index`: that sample is the last one, and the end."""
        if not 0 <= index < len(self.samples):
            raise IndexError(f"sample index {index} out of range")
        last = self.samples[index]
        return replace(self, samples=self.samples[: index + 1], end=last.timestamp)


def _check_order(samples: tuple[UsageSample, ...], expired: bool) -> None:
    for previous, current in itertools.pairwise(samples):
        check_next_sample(previous, current)
    if expired and any(s.state is not UsageState.RESERVED for s in samples):
        raise UsageError("an expired reservation cannot contain a charging session")


def check_next_sample(previous: UsageSample, current: UsageSample) -> None:
    """Raise `UsageError` unless `current` may follow `previous` in a usage."""
    if current.timestamp < previous.timestamp:
        raise UsageError(f"sample at {current.timestamp} is earlier than the one before")
    if previous.state is UsageState.RESERVED:
        return  # the register is not read for the customer until the session starts
    if current.state is UsageState.RESERVED:
        raise UsageError("a RESERVED sample follows the start of the session")
    if current.energy_wh < previous.energy_wh:
        raise UsageError(f"the energy register goes backwards at {current.timestamp}")


def load_zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or `UsageError` if it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(f"unknown time zone {name!r}") from exc
