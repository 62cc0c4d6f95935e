"""Keyset pagination over `(last_updated, id)`, for the lists partners page through.

Every such table has an index on `(last_updated, id)` (see `tables.py`). A page after a
cursor is an index range scan that starts at the cursor, whatever page it is, so the cost of
a page does not grow with its depth, and a row that changes during a crawl moves to the end
instead of shifting every later page. `Window` bounds the rows by `last_updated` (from
inclusive, to exclusive, as OCPI's `date_from`/`date_to`); a plain offset is supported for
callers that have no cursor.

See docs/adr/0002-ocpi-pagination.md for how the OCPI gateway uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

__all__ = ["Cursor", "Window", "count_in_window", "page_query", "window_clause"]


@dataclass(frozen=True, slots=True)
class Window:
    """`date_from <= last_updated < date_to`; either bound may be absent."""

    date_from: datetime | None = None
    date_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """The `(last_updated, id)` of the last row of the previous page."""

    last_updated: datetime
    id: str | int


def window_clause(last_updated: ColumnElement[Any], window: Window) -> list[ColumnElement[bool]]:
    """The WHERE terms of `window` on the `last_updated` column."""
    terms: list[ColumnElement[bool]] = []
    if window.date_from is not None:
        terms.append(last_updated >= window.date_from)
    if window.date_to is not None:
        terms.append(last_updated < window.date_to)
    return terms


def page_query(
    query: Select[Any],
    last_updated: ColumnElement[Any],
    key: ColumnElement[Any],
    *,
    window: Window,
    limit: int,
    after: Cursor | None = None,
    offset: int = 0,
) -> Select[Any]:
    """`query` restricted to `window`, ordered by `(last_updated, key)`, one page of it.

    With `after`, the page starts right after that row (keyset) and `offset` is ignored;
    the redundant `last_updated >= cursor` term gives both databases an index range start.
    """
    terms = window_clause(last_updated, window)
    if after is not None:
        terms.append(last_updated >= after.last_updated)
        terms.append(or_(last_updated > after.last_updated, key > after.id))
    if terms:
        query = query.where(and_(*terms))
    query = query.order_by(last_updated, key).limit(limit)
    if after is None and offset:
        query = query.offset(offset)
    return query


def count_in_window(
    source: Any, last_updated: ColumnElement[Any], window: Window, *extra: ColumnElement[bool]
) -> Select[Any]:
    """SELECT COUNT(*) of `source` within `window` (and the `extra` terms)."""
    query = select(func.count()).select_from(source)
    terms = [*window_clause(last_updated, window), *extra]
    return query.where(and_(*terms)) if terms else query
