"""The hot queries on the driver (`shared.store.hot_reads`) answer exactly what the
SQLAlchemy queries of `location_reads` answer, on SQLite and PostgreSQL; stamps change with
`last_updated` and only then; the PostgreSQL connection set shares and replaces connections."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, update

from shared.store.database import Database
from shared.store.hot_reads import HotReads, SqlAlchemyHotReads, keyset_sql, open_hot_reads
from shared.store.paging import Cursor, Window
from shared.store.tables import locations

BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _row(location_id: str, stamp: datetime) -> dict[str, Any]:
    return {
        "id": location_id,
        "country_code": "SE",
        "party_id": "LDP",
        "publish": True,
        "address": "Hamngatan 1",
        "city": "Stockholm",
        "country": "SWE",
        "latitude": "59.332580",
        "longitude": "18.064900",
        "time_zone": "Europe/Stockholm",
        "details": {},
        "last_updated": stamp,
    }


async def _seed(database: Database) -> list[str]:
    """21 sites; several share a `last_updated` (ties are ordered by id), some differ by a
    microsecond only. Their ids in page order."""
    ids = [f"L{n:02d}" for n in range(20)] + ["Mixed-Case"]
    rows = []
    for n, location_id in enumerate(ids):
        rows.append(_row(location_id, BASE + timedelta(minutes=n // 3, microseconds=n % 2)))
    async with database.begin() as conn:
        await conn.execute(insert(locations), rows)
    return [row["id"] for row in sorted(rows, key=lambda r: (r["last_updated"], r["id"]))]


@pytest.fixture
async def readers(database: Database) -> Any:
    fast = await open_hot_reads(database)
    assert not isinstance(fast, SqlAlchemyHotReads)  # a file database: the driver path
    try:
        yield fast, SqlAlchemyHotReads(database)
    finally:
        await fast.aclose()


def _windows() -> list[Window]:
    middle, late = BASE + timedelta(minutes=2), BASE + timedelta(minutes=5, microseconds=1)
    return [Window(), Window(middle, None), Window(None, late), Window(middle, late)]


async def _crawl(reader: HotReads, window: Window, limit: int) -> list[tuple[list[str], Any]]:
    pages: list[tuple[list[str], Any]] = []
    after: Cursor | None = None
    for _ in range(50):
        page = await reader.page_site_keys(window, limit=limit, after=after)
        pages.append(([key for key, _ in page.keys], (page.last, page.more)))
        if not page.more:
            break
        after = page.last
    return pages


async def test_pages_match_the_reference(database: Database, readers: Any) -> None:
    fast, reference = readers
    ids = await _seed(database)
    for window in _windows():
        for limit in (1, 4, 50):
            assert await _crawl(fast, window, limit) == await _crawl(reference, window, limit)
        for offset in (0, 5, 100):
            got = await fast.page_site_keys(window, limit=4, offset=offset)
            want = await reference.page_site_keys(window, limit=4, offset=offset)
            assert ([k for k, _ in got.keys], got.last, got.more) == (
                [k for k, _ in want.keys],
                want.last,
                want.more,
            )
    everything = await _crawl(fast, Window(), 100)
    assert everything[0][0] == ids  # oldest first, ties by id


async def test_stamps_change_with_last_updated_only(database: Database, readers: Any) -> None:
    fast, _ = readers
    await _seed(database)
    before = dict((await fast.page_site_keys(Window(), limit=100)).keys)
    assert dict((await fast.page_site_keys(Window(), limit=100)).keys) == before
    async with database.begin() as conn:
        stamp = BASE + timedelta(minutes=2, microseconds=7)  # a microsecond-level change
        await conn.execute(
            update(locations).where(locations.c.id == "L03").values(last_updated=stamp)
        )
    after = dict((await fast.page_site_keys(Window(), limit=100)).keys)
    assert {k for k in after if after[k] != before[k]} == {"L03"}
    assert await fast.find_site_key("L03") == ("L03", after["L03"])


async def test_find_site_key(database: Database, readers: Any) -> None:
    fast, reference = readers
    await _seed(database)
    for wanted in ("L07", "mixed-CASE", "Mixed-Case", "nope"):
        got, want = await fast.find_site_key(wanted), await reference.find_site_key(wanted)
        assert (got[0] if got else None) == (want[0] if want else None)
    assert (await fast.find_site_key("MIXED-case") or ("",))[0] == "Mixed-Case"
    assert await fast.find_site_key("nope") is None


def test_keyset_sql_numbers_placeholders_for_asyncpg() -> None:
    after = Cursor(BASE, "L01")
    sql, names = keyset_sql(Window(BASE, BASE), after, 0, "$")
    assert names == ("from", "to", "lu", "lu", "id", "limit")
    assert "$6" in sql
    assert "?" not in sql
    sql, names = keyset_sql(Window(), None, 3, "?")
    assert names == ("limit", "offset")
    assert sql.endswith("LIMIT ? OFFSET ?")


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_postgres_connections_are_shared_and_replaced(
    database: Database, readers: Any
) -> None:
    fast, _ = readers
    await _seed(database)
    connections = fast._connections
    # More concurrent queries than connections: they wait their turn.
    found = await asyncio.gather(*(fast.find_site_key(f"L{n:02d}") for n in range(12)))
    assert [key for key, _ in found] == [f"L{n:02d}" for n in range(12)]
    assert 1 <= connections._open <= connections._size
    # A connection that broke is dropped and replaced by the next caller.
    broken = connections._idle[-1]
    broken.terminate()
    assert (await fast.find_site_key("L01") or ("",))[0] == "L01"
    assert broken not in connections._idle
    assert (await fast.find_site_key("L02") or ("",))[0] == "L02"
