"""Pulling a CPO's Sender interfaces page by page, checking the pagination as we go.

transport_and_format, *Pagination*: every paginated answer carries `X-Total-Count` and
`X-Limit`; a `Link` with rel="next" is there when this is not the last page and keeps the
request's filters; `date_from` is inclusive, `date_to` exclusive. An object appearing on
two pages means the page boundaries moved while we crawled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from .client import CpoClient, CpoResponse
from .schema import check_object
from .wire import JsonObject, format_datetime, next_link, parse_datetime

__all__ = ["MODULE_OBJECTS", "PullResult", "pull_module"]

#: The object each Sender interface lists.
MODULE_OBJECTS = {
    "locations": "Location",
    "sessions": "Session",
    "cdrs": "CDR",
    "tariffs": "Tariff",
    "tokens": "Token",
    "hubclientinfo": "ClientInfo",
}


@dataclass(slots=True)
class PullResult:
    """The objects of one pull, the pages it took, the totals the CPO announced."""

    module: str
    objects: list[JsonObject] = field(default_factory=list)
    pages: int = 0
    totals: list[int] = field(default_factory=list)
    limits: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _object_id(module: str, item: JsonObject) -> str:
    key = item.get("uid") if module == "tokens" else item.get("id")
    return f"{item.get('country_code')}/{item.get('party_id')}/{key}"


def _header_int(response: CpoResponse, name: str, where: str, result: PullResult) -> int | None:
    value = next((v for k, v in response.headers.items() if k.lower() == name.lower()), None)
    if value is None:
        result.problems.append(f"{where}: {name} header missing")
        return None
    try:
        return int(value)
    except ValueError:
        result.problems.append(f"{where}: {name} {value!r} is not an int")
        return None


def _check_page(
    response: CpoResponse, result: PullResult, where: str, filters: dict[str, str], offset: int
) -> tuple[list[JsonObject], str | None]:
    items = response.data if isinstance(response.data, list) else None
    if items is None:
        result.problems.append(f"{where}: data is not a list")
        return [], None
    total = _header_int(response, "X-Total-Count", where, result)
    limit = _header_int(response, "X-Limit", where, result)
    if total is not None:
        result.totals.append(total)
    if limit is not None:
        result.limits.append(limit)
        if len(items) > limit:
            result.problems.append(f"{where}: {len(items)} objects but X-Limit {limit}")
    link = next_link(response.headers)
    if link is not None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        for name, value in filters.items():
            if query.get(name) is None or parse_datetime(query[name]) != parse_datetime(value):
                result.problems.append(f"{where}: the next link drops the filter {name}")
        if not items:
            result.problems.append(f"{where}: an empty page with a next link")
            link = None
    elif total is not None and offset + len(items) < total:
        result.problems.append(
            f"{where}: no next link, but X-Total-Count {total} > {offset + len(items)}"
        )
    return items, link


def _check_items(
    items: list[JsonObject],
    result: PullResult,
    where: str,
    seen: set[str],
    window: tuple[datetime | None, datetime | None],
) -> None:
    kind = MODULE_OBJECTS[result.module]
    for index, item in enumerate(items):
        problems = check_object(kind, item, f"{where}[{index}]")
        result.problems += problems
        if not isinstance(item, dict):
            continue
        object_id = _object_id(result.module, item)
        if object_id in seen:
            result.problems.append(f"{where}: {object_id} was on an earlier page too")
        seen.add(object_id)
        if not problems and item.get("last_updated"):
            updated = parse_datetime(str(item["last_updated"]))
            start, end = window
            if (start is not None and updated < start) or (end is not None and updated >= end):
                result.problems.append(f"{where}: {object_id} last_updated outside the window")
        result.objects.append(item)


async def pull_module(
    client: CpoClient,
    url: str,
    module: str,
    *,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    limit: int | None = None,
    max_pages: int = 10_000,
) -> PullResult:
    """GET every page of a Sender interface, following `Link` headers."""
    filters: dict[str, str] = {}
    if date_from is not None:
        filters["date_from"] = format_datetime(date_from)
    if date_to is not None:
        filters["date_to"] = format_datetime(date_to)
    params = dict(filters)
    if limit is not None:
        params["limit"] = str(limit)
    result = PullResult(module)
    seen: set[str] = set()
    next_url: str | None = url
    query: dict[str, str] | None = params
    offset = 0
    while next_url is not None and result.pages < max_pages:
        response = await client.request("GET", next_url, module=module, params=query)
        response.raise_for_status(f"GET {module} page {result.pages + 1}")
        where = f"GET {module} page {result.pages + 1}"
        result.pages += 1
        items, next_url = _check_page(response, result, where, filters, offset)
        _check_items(items, result, where, seen, (date_from, date_to))
        offset += len(items)
        query = None  # the next link carries every parameter
    if result.totals and len(result.objects) != result.totals[-1]:
        result.problems.append(
            f"GET {module}: {len(result.objects)} objects, but X-Total-Count {result.totals[-1]}"
        )
    for problem in result.problems:
        client.report(problem)
    return result
