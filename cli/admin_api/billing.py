"""`/admin/cdrs…` and `/admin/stats`: charge detail records, credits, and statistics.

```
GET  /admin/cdrs?from=&to=&station_id=&limit=&offset=   CDRs issued in [from, to), oldest
                                                        first: OCPI CDR + station_id,
                                                        transaction_id (DESIGN.md)
GET  /admin/cdrs/{id}                                   one CDR
POST /admin/cdrs/{id}/credit   {"reason": "…"}          issue its credit CDR (201)
GET  /admin/stats?from=&to=&by=station|location|day&tz=&station_id=&location_id=
```
`from`/`to` are RFC 3339 times or dates (midnight in `tz`, default UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from cli.admin_api.errors import ApiError, BadRequestError, NotFoundError
from cli.admin_api.keys import SERVICES
from cli.admin_api.params import json_response, query_int, read_body
from shared.billing.cdrs import CdrAlreadyCreditedError, CdrNotFoundError, CreditOfCreditError
from shared.billing.issuing import issue_credit_cdr
from shared.billing.reports import cdr_view, list_cdr_views, parse_moment, stats_report
from shared.billing.stats import GroupBy, StatsWindow
from shared.billing.usage import load_zone
from shared.store.cdrs import get_cdr

__all__ = ["CreditBody", "add_routes"]

MAX_CDRS = 10_000
MAX_STATS_DAYS = 366


class ConflictError(ApiError):
    """409: the request contradicts what is stored (a CDR credited twice, …)."""

    status = 409
    code = "conflict"


class CreditBody(BaseModel):
    """`POST /admin/cdrs/{id}/credit`."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=200)


def _moment(request: web.Request, name: str, time_zone: str = "UTC") -> datetime | None:
    text = request.query.get(name)
    if not text:
        return None
    try:
        return parse_moment(text, time_zone)
    except ValueError as error:
        raise BadRequestError(f"query parameter '{name}': {error}") from None


async def list_all(request: web.Request) -> web.Response:
    limit = query_int(request, "limit", default=1000, minimum=1, maximum=MAX_CDRS) or 1000
    offset = query_int(request, "offset", default=0, minimum=0, maximum=2**31) or 0
    async with request.app[SERVICES].database.read() as conn:
        views = await list_cdr_views(
            conn,
            issued_from=_moment(request, "from"),
            issued_to=_moment(request, "to"),
            station_id=request.query.get("station_id") or None,
            limit=limit,
            offset=offset,
        )
    return json_response(views)


async def show(request: web.Request) -> web.Response:
    cdr_id = request.match_info["cdr_id"]
    async with request.app[SERVICES].database.read() as conn:
        cdr = await get_cdr(conn, cdr_id)
    if cdr is None:
        raise NotFoundError(f"no CDR {cdr_id!r}")
    return json_response(cdr_view(cdr))


async def credit(request: web.Request) -> web.Response:
    cdr_id = request.match_info["cdr_id"]
    body = await read_body(request, CreditBody) if request.can_read_body else CreditBody()
    services = request.app[SERVICES]
    try:
        issued = await issue_credit_cdr(services.database, services.writer, cdr_id, body.reason)
    except CdrNotFoundError:
        raise NotFoundError(f"no CDR {cdr_id!r}") from None
    except (CdrAlreadyCreditedError, CreditOfCreditError) as error:
        raise ConflictError(str(error)) from None
    return json_response(cdr_view(issued), status=201)


def _window(request: web.Request) -> StatsWindow:
    time_zone = request.query.get("tz") or "UTC"
    try:
        load_zone(time_zone)
    except ValueError:
        raise BadRequestError(f"query parameter 'tz': unknown time zone {time_zone!r}") from None
    now = datetime.now(UTC)
    end = _moment(request, "to", time_zone) or now
    start = _moment(request, "from", time_zone) or end - timedelta(days=1)
    if end <= start:
        raise BadRequestError("'to' must be after 'from'")
    if end - start > timedelta(days=MAX_STATS_DAYS):
        raise BadRequestError(f"the window may span at most {MAX_STATS_DAYS} days")
    return StatsWindow(start, end, time_zone)


async def stats(request: web.Request) -> web.Response:
    window = _window(request)
    by_text = request.query.get("by") or GroupBy.STATION.value
    try:
        by = GroupBy(by_text)
    except ValueError:
        raise BadRequestError("query parameter 'by' must be station, location or day") from None
    async with request.app[SERVICES].database.read() as conn:
        report = await stats_report(
            conn,
            window,
            by,
            now=datetime.now(UTC),
            station_id=request.query.get("station_id") or None,
            location_id=request.query.get("location_id") or None,
        )
    return json_response(report)


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the CDR and statistics routes on the admin app's router."""
    router.add_get("/cdrs", list_all)
    router.add_get("/cdrs/{cdr_id}", show)
    router.add_post("/cdrs/{cdr_id}/credit", credit)
    router.add_get("/stats", stats)
