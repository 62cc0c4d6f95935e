"""The objects the push worker sends, in their OCPI 2.2.1 wire form.

The same mappings as the SENDER modules (a push and a GET of the same object agree):
locations from the site view, sessions from billing's snapshot, CDRs as issued, tariffs as
imported. Each object is validated by its wire model on the way out; one that does not
validate is logged and not sent.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpi_gateway.mapping.sessions import load_snapshots
from ocpi_gateway.services import OcpiServices
from ocpi_gateway.v221.mapping.locations import location_to_wire
from ocpi_gateway.v221.mapping.sessions import session_to_wire
from ocpi_gateway.v221.mapping.tariffs import tariff_to_wire
from ocpi_gateway.v221.models import CDR, dump
from shared.billing.cdrs import CdrIssuer
from shared.billing.node import billing_options
from shared.logging import get_logger
from shared.store.cdrs import get_cdr
from shared.store.location_reads import get_site_view
from shared.store.partner_feeds import PartnerScope, find_session
from shared.store.tariffs import get_tariff

__all__ = ["V221PushSource"]

log = get_logger("laddpunkt.ocpi.push")

JsonDict = dict[str, Any]


class V221PushSource:
    """`PushSource` for OCPI 2.2.1."""

    def __init__(self, services: OcpiServices) -> None:
        self._services = services

    def _issuer(self) -> CdrIssuer:
        identity = self._services.identity
        currency = billing_options(self._services.settings).currency
        return CdrIssuer(identity.country_code, identity.party_id, currency)

    async def location(self, conn: AsyncConnection, location_id: str) -> JsonDict | None:
        view = await get_site_view(conn, location_id)
        if view is None:
            return None
        try:
            return dump(location_to_wire(view))
        except ValidationError as exc:
            log.error("ocpi.push.unsendable", module="locations", id=location_id, error=str(exc))
            return None

    async def evse(self, conn: AsyncConnection, location_id: str, evse_uid: str) -> JsonDict | None:
        location = await self.location(conn, location_id)
        for evse in (location or {}).get("evses") or ():
            if str(evse.get("uid", "")).upper() == evse_uid.upper():
                return dict(evse)
        return None

    async def session(
        self, conn: AsyncConnection, session_id: str, partner_id: int
    ) -> JsonDict | None:
        feed = await find_session(conn, PartnerScope(partner_id), session_id)
        if feed is None:
            return None
        snapshots = await load_snapshots(
            conn, [feed], issuer=self._issuer(), now=self._services.clock()
        )
        try:
            return dump(session_to_wire(snapshots[0], self._services.identity))
        except ValidationError as exc:
            log.error("ocpi.push.unsendable", module="sessions", id=session_id, error=str(exc))
            return None

    async def cdr(self, conn: AsyncConnection, cdr_id: str) -> JsonDict | None:
        stored = await get_cdr(conn, cdr_id)
        if stored is None:
            return None
        try:
            return dump(CDR.model_validate(dict(stored.record)))
        except ValidationError as exc:
            log.error("ocpi.push.unsendable", module="cdrs", id=cdr_id, error=str(exc))
            return None

    async def tariff(self, conn: AsyncConnection, tariff_id: str) -> JsonDict | None:
        record = await get_tariff(conn, tariff_id)
        if record is None or record.deleted:
            return None
        try:
            return dump(tariff_to_wire(record))
        except ValidationError as exc:
            log.error("ocpi.push.unsendable", module="tariffs", id=tariff_id, error=str(exc))
            return None
