"""Column types that behave the same on SQLite and PostgreSQL.

- `UtcDateTime`: timezone-aware UTC in, timezone-aware UTC out (SQLite stores naive UTC text).
- `Money`: `Decimal` in and out; NUMERIC on PostgreSQL, exact text on SQLite (which has no decimal).
- `JsonDoc`: JSON on SQLite, JSONB on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["BigId", "JsonDoc", "Money", "UtcDateTime"]

# An auto-incrementing 64-bit key on PostgreSQL that is still SQLite's ROWID alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")

JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Money(TypeDecorator[Decimal]):
    """An exact decimal amount (money, kWh) on both databases."""

    impl = Numeric(24, 8)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(24, 8))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return format(Decimal(value), "f")
        return Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        result = Decimal(str(value))
        # Normalise trailing zeros that NUMERIC(24, 8) adds, without going to exponent form.
        return result.quantize(Decimal(1)) if result == result.to_integral() else result.normalize()
