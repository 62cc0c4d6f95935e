"""*CDRs* module, 2.2.1, Sender interface (mod_cdrs): the paginated GET list.

A partner gets the CDRs of its own sessions (mod_cdrs, *Pull model*: a CPO returns the
CDRs relevant for the requesting eMSP), credit CDRs included, each as it was issued.
"""

from __future__ import annotations

from pydantic import ValidationError

from ocpi_gateway.pagination import paged_result, parse_page_request
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route
from ocpi_gateway.scope import partner_scope
from ocpi_gateway.v221.mapping.cdrs import cdr_to_wire
from ocpi_gateway.v221.models import CDR
from shared.logging import get_logger
from shared.store.paging import Cursor
from shared.store.partner_feeds import FeedCdr, count_cdrs, page_cdrs

__all__ = ["MAX_LIMIT", "MODULE"]

log = get_logger("laddpunkt.ocpi.cdrs")

MAX_LIMIT = 100


def _to_wire(feed: list[FeedCdr]) -> list[CDR]:
    result = []
    for cdr in feed:
        try:
            result.append(cdr_to_wire(cdr))
        except ValidationError as exc:
            log.error("ocpi.cdrs.unsendable", cdr=cdr.id, error=str(exc))
    return result


async def list_cdrs(request: OcpiRequest) -> OcpiResult:
    """GET {cdrs}?date_from&date_to&offset&limit."""
    page = parse_page_request(request.query, now=request.received_at, max_limit=MAX_LIMIT)
    scope = partner_scope(request.context)
    async with request.services.database.read() as conn:
        feed, more = await page_cdrs(
            conn, scope, page.window, limit=page.limit, after=page.after, offset=page.offset
        )
        total = page.total if page.total is not None else await count_cdrs(conn, scope, page.window)
    last = Cursor(feed[-1].last_updated, feed[-1].id) if feed else None
    return paged_result(request.url, page, _to_wire(feed), total=total, last=last, more=more)


MODULE = ModuleSpec(
    identifier="cdrs",
    role="SENDER",
    routes=(Route("GET", "", list_cdrs),),
)
