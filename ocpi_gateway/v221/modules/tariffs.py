"""*Tariffs* module, 2.2.1, Sender interface (mod_tariffs): the paginated GET list.

Every partner sees every live tariff (they apply to all eMSPs); deleted tariffs are left
out, so a Pull-only receiver that replaces its list with ours drops them too.
"""

from __future__ import annotations

from pydantic import ValidationError

from ocpi_gateway.pagination import paged_result, parse_page_request
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route
from ocpi_gateway.v221.mapping.tariffs import tariff_to_wire
from ocpi_gateway.v221.models import Tariff
from shared.logging import get_logger
from shared.store.paging import Cursor
from shared.store.tariffs import TariffRecord, count_tariffs, page_tariffs

__all__ = ["MAX_LIMIT", "MODULE"]

log = get_logger("laddpunkt.ocpi.tariffs")

MAX_LIMIT = 500


def _to_wire(records: list[TariffRecord]) -> list[Tariff]:
    result = []
    for record in records:
        try:
            result.append(tariff_to_wire(record))
        except ValidationError as exc:
            log.error("ocpi.tariffs.unsendable", tariff=record.id, error=str(exc))
    return result


async def list_tariffs(request: OcpiRequest) -> OcpiResult:
    """GET {tariffs}?date_from&date_to&offset&limit."""
    page = parse_page_request(request.query, now=request.received_at, max_limit=MAX_LIMIT)
    async with request.services.database.read() as conn:
        records, more = await page_tariffs(
            conn, page.window, limit=page.limit, after=page.after, offset=page.offset
        )
        total = page.total if page.total is not None else await count_tariffs(conn, page.window)
    last = None
    if records and records[-1].last_updated is not None:
        last = Cursor(records[-1].last_updated, records[-1].id)
    return paged_result(request.url, page, _to_wire(records), total=total, last=last, more=more)


MODULE = ModuleSpec(
    identifier="tariffs",
    role="SENDER",
    routes=(Route("GET", "", list_tariffs),),
)
