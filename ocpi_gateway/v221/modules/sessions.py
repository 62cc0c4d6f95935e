"""*Sessions* module, 2.2.1, Sender interface (mod_sessions): the paginated GET list, and
PUT `{session_id}/charging_preferences`.

A partner sees the sessions of its own tokens (`ocpi_gateway.scope`). Charging preferences
(mod_sessions, *Set: Charging Preferences*): for an EVSE without the capability
CHARGING_PREFERENCES_CAPABLE the answer is HTTP 404 with 2001 (ChargingPreferencesResponse
enum note); otherwise the preferences are kept on the transaction (the newest replaces
the one before) and the answer is a
ChargingPreferencesResponse: NOT_POSSIBLE once the session has ended,
PROFILE_TYPE_NOT_SUPPORTED when the connector has no tariff for that profile (mod_sessions,
ChargingPreferences `profile_type`: every supported profile has its tariff), else ACCEPTED.
"""

from __future__ import annotations

from pydantic import ValidationError

from ocpi_gateway.errors import InvalidParametersError, UnknownObjectError
from ocpi_gateway.mapping.sessions import SessionSnapshot, load_snapshots
from ocpi_gateway.pagination import paged_result, parse_page_request
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route, parse_body
from ocpi_gateway.scope import partner_scope
from ocpi_gateway.v221.mapping.sessions import session_to_wire
from ocpi_gateway.v221.models import ChargingPreferences, ChargingPreferencesResponse, Session
from shared.billing.cdrs import CdrIssuer
from shared.billing.node import billing_options
from shared.domain.locations import DEFAULT_CAPABILITIES
from shared.logging import get_logger
from shared.store.billing import connector_tariffs
from shared.store.paging import Cursor
from shared.store.partner_feeds import (
    count_sessions,
    find_session,
    page_sessions,
    record_charging_preferences,
    session_places,
)
from shared.store.uow import UnitOfWork

__all__ = ["MAX_LIMIT", "MODULE"]

log = get_logger("laddpunkt.ocpi.sessions")

MAX_LIMIT = 100
_CAPABLE = "CHARGING_PREFERENCES_CAPABLE"


def _issuer(request: OcpiRequest) -> CdrIssuer:
    identity = request.services.identity
    currency = billing_options(request.services.settings).currency
    return CdrIssuer(identity.country_code, identity.party_id, currency)


def _to_wire(request: OcpiRequest, snapshots: list[SessionSnapshot]) -> list[Session]:
    identity = request.services.identity
    result = []
    for snapshot in snapshots:
        try:
            result.append(session_to_wire(snapshot, identity))
        except ValidationError as exc:
            log.error("ocpi.sessions.unsendable", session=snapshot.session.id, error=str(exc))
    return result


async def list_sessions(request: OcpiRequest) -> OcpiResult:
    """GET {sessions}?date_from&date_to&offset&limit (date_from may be left out: all)."""
    page = parse_page_request(
        request.query, now=request.received_at, max_limit=MAX_LIMIT, id_type=int
    )
    scope = partner_scope(request.context)
    async with request.services.database.read() as conn:
        feed, more = await page_sessions(
            conn, scope, page.window, limit=page.limit, after=page.after, offset=page.offset
        )
        total = page.total
        if total is None:
            total = await count_sessions(conn, scope, page.window)
        snapshots = await load_snapshots(
            conn, feed, issuer=_issuer(request), now=request.received_at
        )
    last = Cursor(feed[-1].last_updated, feed[-1].record.id) if feed else None
    data = _to_wire(request, snapshots)
    return paged_result(request.url, page, data, total=total, last=last, more=more)


async def put_charging_preferences(request: OcpiRequest) -> OcpiResult:
    """PUT {sessions}/{session_id}/charging_preferences."""
    preferences = parse_body(request, ChargingPreferences)
    session_id = request.path_params["session_id"]
    scope = partner_scope(request.context)
    async with request.services.database.read() as conn:
        found = await find_session(conn, scope, session_id)
        if found is None:
            raise UnknownObjectError(f"unknown session {session_id!r}")
        session = found.record
        place = (await session_places(conn, [session]))[session.id]
        tariffs = await connector_tariffs(
            conn, session.station_id, session.evse_id, session.connector_id
        )
    capabilities = place.capabilities if place.capabilities is not None else DEFAULT_CAPABILITIES
    if _CAPABLE not in capabilities:
        raise InvalidParametersError(
            f"the EVSE of session {session_id!r} does not take charging preferences",
            http_status=404,
        )
    if not session.active:
        return OcpiResult(ChargingPreferencesResponse.NOT_POSSIBLE.value)
    profile = str(preferences.profile_type)
    offered = {str(t.tariff.type.value) for t in tariffs if t.tariff.type is not None}
    if profile != "REGULAR" and f"PROFILE_{profile}" not in offered:
        return OcpiResult(ChargingPreferencesResponse.PROFILE_TYPE_NOT_SUPPORTED.value)
    document = preferences.model_dump(mode="json", exclude_none=True)
    partner_id = request.context.partner.id

    async def keep(uow: UnitOfWork) -> bool:
        return await record_charging_preferences(uow, session, partner_id, document)

    if not await request.services.writer.run(keep):
        raise UnknownObjectError(f"unknown session {session_id!r}")
    return OcpiResult(ChargingPreferencesResponse.ACCEPTED.value)


MODULE = ModuleSpec(
    identifier="sessions",
    role="SENDER",
    routes=(
        Route("GET", "", list_sessions),
        Route("PUT", "/{session_id}/charging_preferences", put_charging_preferences),
    ),
)
