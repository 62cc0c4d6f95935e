"""What billing fixes when a session starts: its tariff, its place and its time zone.

A CDR is sealed with what was valid when its session started (mod_cdrs, CDR object: the
tariffs "relevant during this charging session" and the location "at the time of the
session"). An operator may edit a tariff or a location while a session runs; the session
must not change with it. So when the cost tracker chooses a session's tariff, it also
stores a `BillingSnapshot` on the transaction (`transactions.billing_snapshot`)::

    {"tariff": <the OCPI Tariff object as published at the start> | null,
     "cdr_location": <the CdrLocation at the start> | null,
     "time_zone": "<IANA zone of the location>"}

The running cost and the CDR both price from it. A session without one (it ended before
the tracker saw it, or it predates the snapshot) gets one taken when it is first priced.

`cdr_location` lives here rather than with the rest of the CDR because it is taken at the
start; `shared.billing.cdrs` re-exports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.billing.codec import tariff_from_document
from shared.billing.errors import BillingError, TariffError, UsageError
from shared.billing.tariff import Tariff, select_tariff
from shared.billing.usage import load_zone
from shared.logging import get_logger
from shared.store.billing import SessionRecord, StoredTariff, connector_tariffs, get_stored_tariff
from shared.store.billing_context import SiteRecord, site_record

__all__ = [
    "BillingSnapshot",
    "SessionTariff",
    "SnapshotError",
    "cdr_location",
    "session_snapshot",
    "stored_snapshot",
    "take_snapshot",
    "truncate",
]

log = get_logger(__name__)


class SnapshotError(BillingError, ValueError):
    """A stored billing snapshot cannot be read."""


def truncate(text: str | None, width: int) -> str | None:
    """`text` cut to `width` characters, at a word boundary when one is near the end."""
    if text is None:
        return None
    text = text.strip()
    if len(text) <= width:
        return text
    cut = text[:width]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;-/")


def cdr_location(site: SiteRecord, session: SessionRecord) -> dict[str, Any] | None:
    """The CdrLocation of the session, or None when its EVSE belongs to no location.

    CdrLocation has shorter limits than Location (address and city 45, postal code 10,
    state 20 characters): longer values are cut at a word boundary.
    """
    location = site.location
    if location is None:
        return None
    evse_uid = site.evse_uid or f"{session.station_id}*{session.evse_id}"
    found = {
        "id": str(location["id"])[:36],
        "name": truncate(location.get("name"), 255),
        "address": truncate(location.get("address"), 45) or "",
        "city": truncate(location.get("city"), 45) or "",
        "postal_code": truncate(location.get("postal_code"), 10),
        "state": truncate(location.get("state"), 20),
        "country": str(location.get("country") or "")[:3],
        "coordinates": {
            "latitude": str(location.get("latitude")),
            "longitude": str(location.get("longitude")),
        },
        "evse_uid": evse_uid[:36],
        "evse_id": (site.ocpi_evse_id or evse_uid)[:48],
        "connector_id": str(session.connector_id or 1),
        # Required by CdrLocation; these defaults only stand in for a connector whose type
        # the operator never gave (the common European AC socket).
        "connector_standard": site.standard or "IEC_62196_T2",
        "connector_format": site.format or "SOCKET",
        "connector_power_type": site.power_type or "AC_3_PHASE",
    }
    return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True, slots=True)
class SessionTariff:
    """A session's tariff: the OCPI Tariff object as published when the session started,
    and the engine's reading of it."""

    document: Mapping[str, Any]
    tariff: Tariff

    @property
    def id(self) -> str:
        return self.tariff.id

    @property
    def currency(self) -> str:
        return self.tariff.currency

    def published(self) -> dict[str, Any]:
        """The Tariff object as the CDR embeds it (mod_cdrs `tariffs`)."""
        return dict(self.document)

    @classmethod
    def of(cls, stored: StoredTariff) -> SessionTariff:
        """The stored tariff as it is published now."""
        return cls(stored.published(), stored.tariff)


@dataclass(frozen=True, slots=True)
class BillingSnapshot:
    """The tariff (None: the session is free), CdrLocation (None: the EVSE belongs to no
    location) and time zone a session is priced and recorded with."""

    tariff: SessionTariff | None
    cdr_location: Mapping[str, Any] | None
    time_zone: str

    def to_json(self) -> dict[str, Any]:
        """The document stored in `transactions.billing_snapshot`."""
        return {
            "tariff": None if self.tariff is None else dict(self.tariff.document),
            "cdr_location": None if self.cdr_location is None else dict(self.cdr_location),
            "time_zone": self.time_zone,
        }

    @classmethod
    def from_json(cls, document: object) -> BillingSnapshot:
        """Read a stored snapshot; raises `SnapshotError` when it cannot be used."""
        if not isinstance(document, Mapping):
            raise SnapshotError("a billing snapshot must be an object")
        zone = document.get("time_zone")
        location = document.get("cdr_location")
        tariff_document = document.get("tariff")
        tariff: SessionTariff | None = None
        try:
            load_zone(str(zone))
            if tariff_document is not None:
                published = _mapping(tariff_document, "tariff")
                tariff = SessionTariff(published, tariff_from_document(published))
        except (TariffError, UsageError) as exc:
            raise SnapshotError(f"billing snapshot: {exc}") from None
        return cls(
            tariff=tariff,
            cdr_location=None if location is None else _mapping(location, "cdr_location"),
            time_zone=str(zone),
        )


def _mapping(value: object, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SnapshotError(f"billing snapshot: {name} must be an object")
    return value


def take_snapshot(
    tariff: StoredTariff | None, site: SiteRecord, session: SessionRecord
) -> BillingSnapshot:
    """The snapshot of a session at `site` priced with `tariff`, as they stand now."""
    return BillingSnapshot(
        tariff=None if tariff is None else SessionTariff.of(tariff),
        cdr_location=cdr_location(site, session),
        time_zone=site.time_zone,
    )


def stored_snapshot(session: SessionRecord) -> BillingSnapshot | None:
    """The snapshot stored on the session; None when it has none (or an unreadable one,
    which is logged: it is then taken again from what stands now)."""
    if session.billing_snapshot is None:
        return None
    try:
        return BillingSnapshot.from_json(session.billing_snapshot)
    except SnapshotError as exc:
        log.error("billing.snapshot.unusable", transaction_id=session.id, error=str(exc))
        return None


async def _tariff_now(conn: AsyncConnection, session: SessionRecord) -> StoredTariff | None:
    """The tariff recorded on the session, else the connector's tariff valid at its start
    (mod_tariffs: the driver accepts the tariff that applies when the session starts)."""
    if session.tariff_id is not None:
        return await get_stored_tariff(conn, session.tariff_id)
    candidates = await connector_tariffs(
        conn, session.station_id, session.evse_id, session.connector_id
    )
    chosen = select_tariff([c.tariff for c in candidates], session.started_at)
    return next((c for c in candidates if chosen is not None and c.id == chosen.id), None)


async def session_snapshot(
    conn: AsyncConnection, session: SessionRecord, site: SiteRecord | None = None
) -> tuple[BillingSnapshot, bool]:
    """The session's snapshot: the stored one, else one taken now (True: it is to be stored).

    `site` is the session's site when the caller has read it already.
    """
    stored = stored_snapshot(session)
    if stored is not None:
        return stored, False
    if site is None:
        site = await site_record(conn, session.station_id, session.evse_id, session.connector_id)
    snapshot = take_snapshot(await _tariff_now(conn, session), site, session)
    log.info(
        "billing.snapshot.taken",
        transaction_id=session.id,
        station_id=session.station_id,
        tariff_id=None if snapshot.tariff is None else snapshot.tariff.id,
    )
    return snapshot, True
