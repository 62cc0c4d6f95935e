"""Paginated GET lists (transport_and_format, *Pagination*), the same in every version.

Request: `date_from` (inclusive), `date_to` (exclusive), `offset`, `limit`. Response:
`Link: <next>; rel="next"` unless this is the last page, `X-Total-Count` (objects matching
the filters that this client may see) and `X-Limit` (the most objects this answer could
hold).

Stable pages (docs/adr/0002-ocpi-pagination.md): the first page fixes the crawl's upper
bound — `date_to` becomes min(date_to, now) — and every `next` link carries it, plus an
opaque `cursor` with the `(last_updated, id)` of the page's last object and the total
counted on the first page. A page with a cursor is a keyset range scan from that point, so
objects that change during the crawl leave the window instead of shifting later pages, and
no page re-counts. `offset` keeps its meaning (the number of objects before the page) and
is honoured as a plain offset when a client builds URLs without our cursor.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import orjson

from ocpi_gateway.errors import InvalidParametersError
from ocpi_gateway.routing import OcpiResult, RenderedList
from ocpi_gateway.v221.models.primitives import format_datetime, parse_datetime
from shared.store.paging import Cursor, Window

__all__ = ["PageRequest", "page_headers", "paged_result", "parse_page_request"]

_MAX_OFFSET = 10**9


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One list request, with the crawl's fixed upper bound."""

    date_from: datetime | None
    date_to: datetime  # min(the client's date_to, the crawl's start), millisecond precision
    offset: int
    limit: int  # what this page may hold (the client's limit, capped)
    after: Cursor | None
    total: int | None  # counted on the first page, carried by the cursor

    @property
    def window(self) -> Window:
        return Window(self.date_from, self.date_to)


def _datetime(query: Mapping[str, str], name: str) -> datetime | None:
    text = query.get(name)
    if text is None or text == "":
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        raise InvalidParametersError(
            f"{name}: {text!r} is not a valid DateTime (RFC 3339, e.g. 2019-01-28T12:00:00Z)"
        ) from None


def _int(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or int(text) < minimum or int(text) > _MAX_OFFSET:
        raise InvalidParametersError(f"{name} must be an integer of at least {minimum}")
    return int(text)


def _to_millis(moment: datetime) -> datetime:
    # The bound is written in links with millisecond precision; use it so everywhere.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _decode_cursor(text: str, id_type: type[str] | type[int]) -> tuple[Cursor, int | None]:
    try:
        padded = text + "=" * (-len(text) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        moment = datetime.fromisoformat(data["u"])
        key = data["i"]
        total = data.get("t")
        if moment.tzinfo is None or not isinstance(key, id_type):
            raise ValueError("bad cursor fields")
        if total is not None and not isinstance(total, int):
            raise ValueError("bad total")
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise InvalidParametersError("cursor: not a cursor this server issued") from None
    return Cursor(moment, key), total


def _encode_cursor(cursor: Cursor, total: int | None) -> str:
    data = {"u": cursor.last_updated.isoformat(), "i": cursor.id, "t": total}
    raw = orjson.dumps(data)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def parse_page_request(
    query: Mapping[str, str],
    *,
    now: datetime,
    max_limit: int,
    default_limit: int | None = None,
    id_type: type[str] | type[int] = str,
) -> PageRequest:
    """The pagination parameters of a list request (2001 for a bad one).

    transport_and_format, *Paginated Response*: the server may cap the client's `limit`
    (to `max_limit`); without one, `default_limit` (else `max_limit`) applies.
    """
    date_from = _datetime(query, "date_from")
    date_to = _datetime(query, "date_to")
    crawl_end = _to_millis(now if date_to is None else min(date_to, now))
    offset = _int(query, "offset", 0, 0)
    default = min(default_limit or max_limit, max_limit)
    limit = min(_int(query, "limit", default, 1), max_limit)
    after: Cursor | None = None
    total: int | None = None
    cursor = query.get("cursor")
    if cursor:
        after, total = _decode_cursor(cursor, id_type)
    return PageRequest(date_from, crawl_end, offset, limit, after, total)


def page_headers(
    url: str,
    page: PageRequest,
    *,
    returned: int,
    total: int,
    last: Cursor | None,
    more: bool,
) -> dict[str, str]:
    """`X-Total-Count`, `X-Limit` and (when `more`) the `Link` to the next page."""
    headers = {"X-Total-Count": str(total), "X-Limit": str(page.limit)}
    if more and last is not None:
        params: dict[str, str] = {
            "offset": str(page.offset + returned),
            "limit": str(page.limit),
        }
        if page.date_from is not None:
            params["date_from"] = format_datetime(page.date_from)
        params["date_to"] = format_datetime(page.date_to)
        params["cursor"] = _encode_cursor(last, total)
        headers["Link"] = f'<{url}?{urlencode(params)}>; rel="next"'
    return headers


def paged_result(
    url: str,
    page: PageRequest,
    data: list[Any] | RenderedList,
    *,
    total: int,
    last: Cursor | None,
    more: bool,
    returned: int | None = None,
) -> OcpiResult:
    """The answer to a list request: `data` and the pagination headers.

    `returned` is how many objects of the window this page covered (default: `len(data)`);
    it differs when an object that cannot be sent was left out, and the next `offset`
    must still count it.
    """
    covered = len(data) if returned is None else returned
    headers = page_headers(url, page, returned=covered, total=total, last=last, more=more)
    return OcpiResult(data, headers=headers)
