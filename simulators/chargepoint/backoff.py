"""Reconnection delays: exponential back-off with random jitter.

OCPP 2.0.1 (part 4 §5.3 / B10, device model variables `RetryBackOffWaitMinimum`,
`RetryBackOffRepeatTimes`, `RetryBackOffRandomRange`) has a charger wait the minimum, then
double it on each failed attempt up to the repeat count, adding a random part so that a
fleet that lost its CSMS does not come back all at the same instant. The simulator applies the
same rule to 1.6 stations, as real 1.6 firmware does something similar.
"""

from __future__ import annotations

import math
import random

__all__ = ["Backoff"]


class Backoff:
    """The delay before each reconnection attempt; `reset()` after a success."""

    __slots__ = ("_attempt", "_rng", "maximum", "minimum", "random_range", "repeat")

    def __init__(
        self,
        rng: random.Random,
        *,
        minimum: float,
        maximum: float,
        random_range: float,
        repeat: int,
    ) -> None:
        self._rng = rng
        self.minimum = minimum
        self.maximum = maximum
        self.random_range = random_range
        self.repeat = repeat
        self._attempt = 0

    @property
    def attempt(self) -> int:
        """How many delays were handed out since the last reset."""
        return self._attempt

    def next_delay(self) -> float:
        """The delay before the next attempt, in seconds."""
        doublings = min(self._attempt, self.repeat)
        self._attempt += 1
        base = min(self.maximum, math.ldexp(self.minimum, doublings))
        return base + self._rng.uniform(0.0, self.random_range)

    def reset(self) -> None:
        """Start over from the minimum (after a successful connection)."""
        self._attempt = 0
