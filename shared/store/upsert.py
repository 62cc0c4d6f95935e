"""Dialect-aware INSERT … ON CONFLICT statements, built once per dialect and reused so that
`UnitOfWork.defer` can group their rows into one executemany."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_ignore", "upsert"]

_cache: dict[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], Insert] = {}


def upsert(dialect: str, table: Table, keys: Sequence[str], update: Sequence[str]) -> Insert:
    """INSERT that updates `update` columns (from the new row) when `keys` already exist."""
    cache_key = (dialect, table.name, "upsert", tuple(keys), tuple(update))
    statement = _cache.get(cache_key)
    if statement is None:
        module = postgresql if dialect == "postgresql" else sqlite
        base = module.insert(table)
        statement = base.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: base.excluded[name] for name in update},
        )
        _cache[cache_key] = statement
    return statement


def insert_ignore(dialect: str, table: Table, keys: Sequence[str]) -> Insert:
    """INSERT that does nothing when `keys` already exist."""
    cache_key = (dialect, table.name, "ignore", tuple(keys), ())
    statement = _cache.get(cache_key)
    if statement is None:
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(table).on_conflict_do_nothing(index_elements=list(keys))
        _cache[cache_key] = statement
    return statement
