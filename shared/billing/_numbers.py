"""Exact number handling shared by the billing modules.

Money and quantities are `Decimal` end to end. Integers are accepted where a `Decimal` is
expected (they are exact); floats and booleans are refused, because a float has already lost
the precision a price needs before it reaches us.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal

__all__ = [
    "PRICING_CONTEXT",
    "ceil_to_step",
    "decimal_field",
    "optional_decimal_field",
    "seconds_between",
]

# Quantities are exact to the microsecond and the Wh fraction; only divisions by 3600 (seconds
# to hours) and by an interval length (interpolation) can be inexact. 34 significant digits
# keeps those errors far below any currency's smallest unit.
PRICING_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)

_MICROSECONDS_PER_SECOND = Decimal(1_000_000)


def decimal_field(value: object, name: str) -> Decimal:
    """`value` as a finite Decimal; ints are converted, floats and bools refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal (or int), got {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be finite, got {result}")
    return result


def optional_decimal_field(value: object, name: str) -> Decimal | None:
    """Like `decimal_field`, but `None` passes through."""
    return None if value is None else decimal_field(value, name)


def seconds_between(start: datetime, end: datetime) -> Decimal:
    """Exact length of `[start, end)` in seconds (microsecond resolution)."""
    micro = (end - start) // timedelta(microseconds=1)
    return Decimal(micro) / _MICROSECONDS_PER_SECOND


def ceil_to_step(amount: Decimal, step: int) -> Decimal:
    """`amount` rounded up to the next whole multiple of `step` (no rounding when step is 0)."""
    if step <= 0:
        return amount
    steps = (amount / step).to_integral_value(rounding=ROUND_CEILING)
    return steps * step
