"""Pagination of the Sender lists: headers, Link crawling, stable pages while data changes,
date filters, and bad parameters (transport_and_format, *Pagination*)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from ocpi_gateway.client import next_link
from ocpi_gateway.v221.operator import import_locations
from shared.store.tables import locations
from shared.store.uow import UnitOfWork
from tests.integration.ocpi.conftest import Answer, Gateway
from tests.integration.ocpi.helpers import location_doc

BASE = datetime(2024, 1, 1, tzinfo=UTC)


async def _locations(gateway: Gateway, count: int, first: int = 0) -> list[str]:
    """`count` locations whose last_updated are one minute apart from BASE + first min."""
    ids = [f"L{n:03d}" for n in range(first, first + count)]
    await import_locations(gateway.services, [location_doc(i) for i in ids])

    async def stamp(uow: UnitOfWork) -> None:
        for n, location_id in enumerate(ids, start=first):
            await uow.conn.execute(
                update(locations)
                .where(locations.c.id == location_id)
                .values(last_updated=BASE + timedelta(minutes=n))
            )

    await gateway.writer.run(stamp)
    return ids


async def _crawl(gateway: Gateway, token: str, url: str) -> tuple[list[Answer], list[str]]:
    pages: list[Answer] = []
    seen: list[str] = []
    next_url: str | None = url
    for _ in range(100):
        if next_url is None:
            break
        page = await gateway.call("GET", next_url, token)
        assert page.code == 1000, page.body
        pages.append(page)
        seen += [item["id"] for item in page.data]
        next_url = next_link(page.headers.get("Link"))
    return pages, seen


async def test_link_headers_and_crawl(gateway: Gateway, registered: str) -> None:
    ids = await _locations(gateway, 25)
    pages, seen = await _crawl(gateway, registered, f"{gateway.base}/2.2.1/locations?limit=10")
    assert seen == ids  # oldest first, each once
    assert [len(p.data) for p in pages] == [10, 10, 5]
    assert {p.headers["X-Total-Count"] for p in pages} == {"25"}
    assert {p.headers["X-Limit"] for p in pages} == {"10"}
    assert "Link" not in pages[-1].headers
    link = urlsplit(next_link(pages[0].headers["Link"]) or "")
    assert link.path == "/ocpi/2.2.1/locations"
    query = parse_qs(link.query)
    assert query["offset"] == ["10"]
    assert query["limit"] == ["10"]
    assert "date_to" in query
    assert "cursor" in query
    assert pages[0].headers["Link"].endswith('>; rel="next"')


async def test_pages_stay_stable_while_data_changes(gateway: Gateway, registered: str) -> None:
    ids = await _locations(gateway, 30)
    first = await gateway.call("GET", "/2.2.1/locations?limit=10", registered)
    assert [item["id"] for item in first.data] == ids[:10]
    # While the partner crawls, an object of page 1 and one of page 3 change.
    await import_locations(gateway.services, [location_doc(ids[2]), location_doc(ids[25])])
    _, rest = await _crawl(gateway, registered, next_link(first.headers["Link"]) or "")
    # Nothing is skipped or repeated among the objects that did not change; the changed
    # ones left this crawl's window (its date_to) ...
    assert rest == [i for i in ids[10:] if i != ids[25]]
    # ... and the next sync, from this crawl's date_to, brings them.
    date_to = parse_qs(urlsplit(next_link(first.headers["Link"]) or "").query)["date_to"][0]
    later = await gateway.call("GET", f"/2.2.1/locations?date_from={date_to}", registered)
    assert sorted(item["id"] for item in later.data) == sorted([ids[2], ids[25]])


async def test_date_filters(gateway: Gateway, registered: str) -> None:
    ids = await _locations(gateway, 10)
    middle = "2024-01-01T00:04:00Z"  # the 5th location's last_updated
    after = await gateway.call("GET", f"/2.2.1/locations?date_from={middle}", registered)
    assert [item["id"] for item in after.data] == ids[4:]  # inclusive
    before = await gateway.call("GET", f"/2.2.1/locations?date_to={middle}", registered)
    assert [item["id"] for item in before.data] == ids[:4]  # exclusive
    assert before.headers["X-Total-Count"] == "4"
    both = await gateway.call(
        "GET",
        "/2.2.1/locations?date_from=2024-01-01T00:02:00&date_to=2024-01-01T00:05:00%2B00:00",
        registered,
    )
    assert [item["id"] for item in both.data] == ids[2:5]


async def test_offset_without_cursor(gateway: Gateway, registered: str) -> None:
    ids = await _locations(gateway, 12)
    answer = await gateway.call("GET", "/2.2.1/locations?offset=5&limit=4", registered)
    assert [item["id"] for item in answer.data] == ids[5:9]
    assert answer.headers["X-Total-Count"] == "12"
    query = parse_qs(urlsplit(next_link(answer.headers["Link"]) or "").query)
    assert query["offset"] == ["9"]


async def test_limit_is_capped(gateway: Gateway, registered: str) -> None:
    await _locations(gateway, 3)
    answer = await gateway.call("GET", "/2.2.1/locations?limit=100000", registered)
    assert answer.headers["X-Limit"] == "200"
    assert len(answer.data) == 3
    # Without a limit, a page of locations holds 50 (docs/adr/0002-ocpi-pagination.md).
    default = await gateway.call("GET", "/2.2.1/locations", registered)
    assert default.headers["X-Limit"] == "50"
    tariffs = await gateway.call("GET", "/2.2.1/tariffs?limit=100000", registered)
    assert tariffs.headers["X-Limit"] == "500"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("offset=x", "offset"),
        ("date_from=yesterday", "date_from"),
        ("date_to=2024-13-01T00:00:00Z", "date_to"),
        ("cursor=not-ours", "cursor"),
    ],
)
async def test_bad_parameters_are_2001(
    gateway: Gateway, registered: str, query: str, message: str
) -> None:
    for module in ("locations", "tariffs", "sessions", "cdrs"):
        answer = await gateway.call("GET", f"/2.2.1/{module}?{query}", registered)
        assert (answer.status, answer.code) == (200, 2001), (module, answer.body)
        assert answer.body["status_message"].startswith(message)
        assert "data" not in answer.body
