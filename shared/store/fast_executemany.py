"""A lean `executemany` for the deferred rows of a unit of work (SQLite and PostgreSQL).

SQLAlchemy's executemany builds an execution context and runs generic bind processors for
every row and value; for the hot rows of the OCPP path (meter values, frame log, heartbeats,
status) that is most of the CPU a message costs. Here a statement is compiled once per
dialect and set of keys to its SQL text, parameter order and one converter per parameter,
and the rows go straight to the driver: the sqlite3 cursor, or asyncpg's own (pipelined)
`executemany` on the connection SQLAlchemy holds, inside the same transaction.

Only our own column types are converted (`UtcDateTime`, `Money`, JSON, Boolean), each as
SQLAlchemy would for that dialect; a statement with anything else (callable defaults,
unknown types) falls back to SQLAlchemy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, ClauseElement, Executable, Float, Insert, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

from shared.store.types import Money, UtcDateTime

__all__ = ["FastStatement", "fast_statement"]

Converter = Callable[[Any], Any] | None


def _utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        value = value.astimezone(UTC)
    # SQLAlchemy's SQLite DATETIME storage format ("2024-05-01 12:00:00.000000"), so both
    # paths read back alike: the UTC isoformat without its "+00:00".
    return value.isoformat(" ", "microseconds")[:26]


def _money_text(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value), "f")


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _bool_int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _aware(value: datetime | None) -> datetime | None:
    # asyncpg takes any timezone-aware datetime for TIMESTAMP WITH TIME ZONE.
    if value is not None and value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} given to a UTC column")
    return value


def _decimal(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# Per dialect: UtcDateTime, Money, JSON, Boolean. SQLite stores text and integers; asyncpg
# takes datetimes, Decimals and booleans, and JSON as text (SQLAlchemy's codecs for json
# and jsonb encode a str).
_CONVERTERS: dict[str, tuple[Converter, Converter, Converter, Converter]] = {
    "sqlite": (_utc_text, _money_text, _json_text, _bool_int),
    "postgresql": (_aware, _decimal, _json_text, None),
}


def _converter(type_: TypeEngine[Any], dialect: str) -> Converter | bool:
    """The converter for a column type, None when values pass as they are, False when the
    type is not one we know (then the statement takes SQLAlchemy's path)."""
    utc, money, json_doc, boolean = _CONVERTERS[dialect]
    if isinstance(type_, UtcDateTime):
        return utc
    if isinstance(type_, Money):
        return money
    if isinstance(type_, JSON):
        return json_doc
    if isinstance(type_, Boolean):
        return boolean
    if isinstance(type_, (String, Integer, Float)):
        return None
    return False


class FastStatement:
    """SQL text plus how to turn row dicts into DB-API parameter rows.

    Every row of a run has the keys of the sample the statement was compiled for; those
    are read with one `itemgetter` call, the other parameters (defaults, values written
    into the statement) are the same for every row and inserted afterwards.
    """

    __slots__ = ("constants", "converted", "getter", "single", "sql")

    def __init__(
        self, sql: str, keys: list[tuple[str, Converter, Any]], sample: dict[str, Any]
    ) -> None:
        self.sql = sql
        names = [name for name, _, _ in keys if name in sample]
        self.getter = itemgetter(*names) if names else None
        self.single = len(names) == 1
        self.constants = [
            (index, conv(default) if conv else default)
            for index, (name, conv, default) in enumerate(keys)
            if name not in sample
        ]
        self.converted = [
            (index, conv)
            for index, (name, conv, _) in enumerate(keys)
            if conv is not None and name in sample
        ]

    def rows(self, params: list[dict[str, Any]]) -> list[list[Any]]:
        getter = self.getter
        if getter is None:
            out: list[list[Any]] = [[] for _ in params]
        elif self.single:
            out = [[getter(row)] for row in params]
        else:
            out = [list(getter(row)) for row in params]
        for index, value in self.constants:  # in ascending order: each lands in place
            for values in out:
                values.insert(index, value)
        # Converted column by column: rows of one message share their timestamp (a meter
        # value's samples, a batch's `now`), so each distinct value is converted once.
        for index, conv in self.converted:
            last: Any = _NOTHING
            text: Any = None
            for values in out:
                value = values[index]
                if value is not last:
                    last, text = value, conv(value)
                values[index] = text
        return out


_NOTHING = object()

_cache: dict[tuple[int, str, tuple[str, ...]], FastStatement | None] = {}

# The key a constant parameter is read under: no row has it, so every row gets the default.
_CONSTANT = "\x00constant"


def fast_statement(
    statement: Executable, dialect: Dialect, sample: dict[str, Any]
) -> FastStatement | None:
    """The compiled form of `statement` for rows shaped like `sample`, or None when this
    statement must go through SQLAlchemy (or the dialect has no lean path)."""
    key = (id(statement), dialect.name, tuple(sample))
    if key in _cache:
        return _cache[key]
    result = _compile(statement, dialect, sample)
    _cache[key] = result
    return result


def _compile(
    statement: Executable, dialect: Dialect, sample: dict[str, Any]
) -> FastStatement | None:
    if not isinstance(statement, ClauseElement) or dialect.name not in _CONVERTERS:
        return None
    # for_executemany: no RETURNING of the new primary key (asyncpg would add it).
    compiled = statement.compile(dialect=dialect, column_keys=list(sample), for_executemany=True)
    assert isinstance(compiled, SQLCompiler)
    if compiled.positiontup is None:
        return None
    defaults: dict[str, Any] = {}
    if isinstance(statement, Insert):
        for column in compiled.insert_prefetch:
            default = column.default
            if default is None or not getattr(default, "is_scalar", False):
                return None
            defaults[column.key] = default.arg
    elif compiled.insert_prefetch or compiled.update_prefetch:
        return None
    keys: list[tuple[str, Converter, Any]] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        converter = _converter(bind.type, dialect.name)
        if converter is False or converter is True:
            return None
        source = bind.key
        if source in sample or source in defaults:
            keys.append((source, converter or None, defaults.get(source)))
        elif not bind.required and bind.callable is None and not bind.expanding:
            # A value written into the statement (`status == "active"`): the same for
            # every row, converted once here.
            value = converter(bind.value) if converter else bind.value
            keys.append((_CONSTANT, None, value))
        else:
            return None
    return FastStatement(str(compiled), keys, sample)
