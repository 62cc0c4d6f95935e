"""Test helpers: stations reporting statuses through the real store functions (the way the
OCPP side writes them, events and in-transaction writers included), and OCPI documents."""

from __future__ import annotations

import copy
import json
from typing import Any

from shared.domain.stations import ConnectorStatus, RegistrationStatus
from shared.events import StationConnected
from shared.store.stations import StatusReport, add_station, mark_connected, record_connector_status
from shared.store.uow import UnitOfWork
from tests.integration.ocpi.conftest import Gateway
from tests.unit.ocpi_models._data import example_bytes

__all__ = ["add_station_with_evses", "location_doc", "report_status", "spec_example", "tariff_doc"]


async def report_status(
    gateway: Gateway,
    station_id: str,
    evse_id: int,
    connector_id: int,
    status: ConnectorStatus,
    previous: ConnectorStatus | None,
) -> None:
    """A StatusNotification, stored as the OCPP side stores it."""
    report = StatusReport(
        station_id=station_id,
        evse_id=evse_id,
        connector_id=connector_id,
        status=status,
        ocpp_status=status.value,
        error_code=None,
        info=None,
        vendor_error_code=None,
        timestamp=None,
    )

    async def write(uow: UnitOfWork) -> None:
        record_connector_status(uow, report, previous=previous, evse_status=status)

    await gateway.writer.run(write)


async def connect_station(gateway: Gateway, station_id: str) -> None:
    async def write(uow: UnitOfWork) -> None:
        mark_connected(
            uow,
            station_id,
            ocpp_version="2.0.1",
            node_id="test",
            registration_if_new=RegistrationStatus.ACCEPTED,
        )
        uow.emit(
            StationConnected(
                at=uow.now, station_id=station_id, node_id="test", ocpp_version="2.0.1"
            )
        )

    await gateway.writer.run(write)


async def add_station_with_evses(
    gateway: Gateway, station_id: str, evses: int = 2, *, connected: bool = True
) -> None:
    """A station with `evses` EVSEs of one connector each, all Available."""

    async def add(uow: UnitOfWork) -> None:
        await add_station(uow, station_id)

    await gateway.writer.run(add)
    if connected:
        await connect_station(gateway, station_id)
    for evse_id in range(1, evses + 1):
        await report_status(gateway, station_id, evse_id, 1, ConnectorStatus.AVAILABLE, None)


def spec_example(name: str) -> Any:
    """A JSON example of the spec (tests/data/ocpi_examples)."""
    return json.loads(example_bytes(name))


def location_doc(location_id: str = "LOC1", **changes: Any) -> dict[str, Any]:
    """A minimal valid 2.2.1 Location of ours, without EVSEs."""
    doc: dict[str, Any] = {
        "country_code": "SE",
        "party_id": "LDP",
        "id": location_id,
        "publish": True,
        "name": "Hamnplan",
        "address": "Hamngatan 1",
        "city": "Stockholm",
        "postal_code": "11147",
        "country": "SWE",
        "coordinates": {"latitude": "59.332580", "longitude": "18.064900"},
        "time_zone": "Europe/Stockholm",
        "last_updated": "2024-01-01T00:00:00Z",
    }
    doc.update(changes)
    return doc


def evse_doc(uid: str, *connector_ids: str, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "uid": uid,
        "evse_id": f"SE*LDP*E{uid.replace('-', '')}",
        "status": "AVAILABLE",
        "connectors": [
            {
                "id": cid,
                "standard": "IEC_62196_T2_COMBO",
                "format": "CABLE",
                "power_type": "DC",
                "max_voltage": 920,
                "max_amperage": 400,
                "max_electric_power": 150000,
                "last_updated": "2024-01-01T00:00:00Z",
            }
            for cid in connector_ids or ("1",)
        ],
        "last_updated": "2024-01-01T00:00:00Z",
    }
    doc.update(changes)
    return doc


def tariff_doc(tariff_id: str = "T1", price: float = 0.25) -> dict[str, Any]:
    """A simple per-kWh 2.2.1 Tariff of ours."""
    doc = copy.deepcopy(spec_example("tariff_8_simple_025kwh.json"))
    doc.update({"country_code": "SE", "party_id": "LDP", "id": tariff_id, "currency": "SEK"})
    doc["elements"][0]["price_components"][0]["price"] = price
    return dict(doc)
