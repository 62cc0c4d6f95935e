"""Operator actions that take OCPI 2.2.1 documents: importing locations and tariffs, linking
stations to locations. The CLI reaches them through the operator API (`cli/admin_api/ocpi.py`).

An import is all or nothing: every object of the file is validated (the 2.2.1 models, plus
the store's column widths) before anything is written, and a problem is reported with the
object's index and the JSON path of the offending value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from ocpi_gateway.services import OcpiServices
from ocpi_gateway.v221.mapping.locations import site_from_wire
from ocpi_gateway.v221.mapping.tariffs import record_from_wire
from ocpi_gateway.v221.models import Location, Tariff, describe_validation_error, parse_json
from shared.billing import TariffError
from shared.domain.locations import Site
from shared.logging import get_logger
from shared.store.location_links import LinkError, LinkResult, link_station, unlink_station
from shared.store.locations import LOCATION_COLUMN_LIMITS, find_site_id, save_site
from shared.store.tariffs import TariffRecord, delete_tariff, find_tariff_id, save_tariff
from shared.store.uow import UnitOfWork

__all__ = [
    "DocumentError",
    "ImportResult",
    "delete_tariff_by_id",
    "documents",
    "import_locations",
    "import_tariffs",
    "link_station_to_location",
    "unlink_station_from_location",
]

log = get_logger("laddpunkt.ocpi.operator")


class DocumentError(ValueError):
    """The document cannot be imported; the message says where and why."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Ids created and replaced by an import."""

    created: tuple[str, ...]
    updated: tuple[str, ...]


def documents(raw: bytes | str | Any) -> list[Any]:
    """The objects of an import: one JSON object, or a list of them."""
    data = raw
    if isinstance(raw, bytes | str):
        try:
            data = parse_json(raw)
        except (ValueError, RecursionError) as exc:
            raise DocumentError(f"not valid JSON: {exc}") from None
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list) and data:
        return data
    raise DocumentError("expected a JSON object or a non-empty list of objects")


def _where(index: int, count: int) -> str:
    return f"object {index}: " if count > 1 else ""


def _check_columns(site: Site) -> None:
    for name, limit in LOCATION_COLUMN_LIMITS.items():
        value = getattr(site, name)
        if limit and isinstance(value, str) and len(value) > limit:
            raise DocumentError(
                f"{name}: longer than the {limit} characters the database column holds"
            )


def _sites(items: Sequence[Any]) -> list[Site]:
    sites: list[Site] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = _where(index, len(items))
        try:
            location = Location.model_validate(item)
            site = site_from_wire(location)
            _check_columns(site)
        except ValidationError as exc:
            raise DocumentError(where + describe_validation_error(exc)) from None
        except PydanticSerializationError as exc:
            raise DocumentError(f"{where}a number cannot be stored exactly: {exc}") from None
        except DocumentError as exc:
            raise DocumentError(where + str(exc)) from None
        if site.id.upper() in seen:
            raise DocumentError(f"{where}location id {site.id!r} appears twice")
        seen.add(site.id.upper())
        sites.append(site)
    return sites


async def import_locations(services: OcpiServices, raw: bytes | str | Any) -> ImportResult:
    """Create or replace the Locations of `raw` (a 2.2.1 Location or a list of them)."""
    sites = _sites(documents(raw))
    identity = services.identity
    for site in sites:
        if not identity.is_us(site.country_code, site.party_id):
            log.warning(
                "ocpi.locations.foreign_party",
                location=site.id,
                party=f"{site.country_code}*{site.party_id}",
                ours=identity.key,
            )

    async def save(uow: UnitOfWork) -> ImportResult:
        created: list[str] = []
        updated: list[str] = []
        for site in sites:
            # Ids are CiStrings: a case variant of a stored id names that location.
            stored = await find_site_id(uow.conn, site.id)
            if stored is not None and stored != site.id:
                site = replace(site, id=stored)
            (created if await save_site(uow, site) else updated).append(site.id)
        return ImportResult(tuple(created), tuple(updated))

    return await services.writer.run(save)


async def link_station_to_location(
    services: OcpiServices, location_id: str, station_id: str, tariff_id: str | None = None
) -> LinkResult:
    """Publish a station's EVSEs under a location (`csms locations link`); `LinkError` when
    the location, the station or the tariff is unknown."""
    identity = services.identity

    async def link(uow: UnitOfWork) -> LinkResult:
        tariff = None
        if tariff_id is not None:
            tariff = await find_tariff_id(uow.conn, tariff_id)
            if tariff is None:
                raise LinkError(f"unknown tariff {tariff_id!r}: import it first")
        return await link_station(
            uow,
            await find_site_id(uow.conn, location_id) or location_id,
            station_id,
            tariff_ids=[tariff] if tariff is not None else None,
            party=(identity.country_code, identity.party_id),
        )

    return await services.writer.run(link)


async def unlink_station_from_location(
    services: OcpiServices, location_id: str, station_id: str
) -> int:
    """Withdraw a station's EVSEs from a location (they stay listed as REMOVED)."""

    async def unlink(uow: UnitOfWork) -> int:
        return await unlink_station(uow, location_id, station_id)

    return await services.writer.run(unlink)


def _records(items: Sequence[Any]) -> list[TariffRecord]:
    records: list[TariffRecord] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = _where(index, len(items))
        try:
            record = record_from_wire(Tariff.model_validate(item))
        except ValidationError as exc:
            raise DocumentError(where + describe_validation_error(exc)) from None
        except TariffError as exc:
            raise DocumentError(f"{where}the tariff cannot be priced: {exc}") from None
        except PydanticSerializationError as exc:
            raise DocumentError(f"{where}a number cannot be stored exactly: {exc}") from None
        if record.id.upper() in seen:
            raise DocumentError(f"{where}tariff id {record.id!r} appears twice")
        seen.add(record.id.upper())
        records.append(record)
    return records


async def import_tariffs(services: OcpiServices, raw: bytes | str | Any) -> ImportResult:
    """Create or replace the Tariffs of `raw` (a 2.2.1 Tariff or a list of them)."""
    records = _records(documents(raw))

    async def save(uow: UnitOfWork) -> ImportResult:
        created: list[str] = []
        updated: list[str] = []
        for record in records:
            stored = await find_tariff_id(uow.conn, record.id)
            if stored is not None and stored != record.id:
                record = replace(record, id=stored)
            (created if await save_tariff(uow, record) else updated).append(record.id)
        return ImportResult(tuple(created), tuple(updated))

    return await services.writer.run(save)


async def delete_tariff_by_id(services: OcpiServices, tariff_id: str) -> bool:
    """Withdraw a tariff; False when there is no such live tariff."""

    async def delete(uow: UnitOfWork) -> bool:
        return await delete_tariff(uow, tariff_id)

    return await services.writer.run(delete)
