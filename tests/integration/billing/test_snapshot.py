"""A session keeps the tariff and the place of its start: the operator edits the tariff and
the location's address mid-session (through the operator API, as `csms tariffs import` and
`csms locations import` do), and neither the running cost nor the CDR changes."""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal
from typing import Any

from shared.config import DatabaseSettings
from shared.store.billing import get_stored_tariff
from shared.store.billing_context import site_record
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.billing.helpers import boot_16, cdr_of, iso, meter_values_16, session_row
from tests.integration.billing.test_full_charge import METER, METER_START, METER_STOP, STOP, T0
from tests.integration.billing.test_full_charge import TARIFF as DAY_TARIFF
from tests.integration.cli.helpers import ADMIN_TOKEN, admin
from tests.integration.ocpp.tx_support import add_token

STATION = "CP-SNAP-1"
LOCATION: dict[str, Any] = {
    "country_code": "SE",
    "party_id": "LDP",
    "id": "LOC-S",
    "publish": True,
    "name": "Laddpunkt Centralstationen",
    "address": "Centralplan 15",
    "city": "Stockholm",
    "postal_code": "111 20",
    "country": "SWE",
    "coordinates": {"latitude": "59.330231", "longitude": "18.059196"},
    "time_zone": "Europe/Stockholm",
    "last_updated": "2025-01-01T00:00:00Z",
}


def _edited_tariff() -> dict[str, Any]:
    """DAY-1 with every price doubled and a new date: what the operator imports mid-session."""
    edited = copy.deepcopy(DAY_TARIFF)
    for element in edited["elements"]:
        for component in element["price_components"]:
            component["price"] = component["price"] * 2
    edited["last_updated"] = "2025-03-04T10:20:00Z"
    return edited


async def _import(node: Any, path: str, document: dict[str, Any]) -> None:
    code, body, _ = await admin(node, "POST", path, body=document)
    assert code in (200, 201), body


async def test_edits_of_tariff_and_location_mid_session_do_not_change_it(
    db_settings: DatabaseSettings,
) -> None:
    settings = node_settings(db_settings, http={"admin_token": ADMIN_TOKEN})
    async with running_node(settings) as node:
        tracker = node.billing.costs
        await tracker.aclose()  # priced by hand below, on the test's clock (events still heard)
        await _import(node, "/tariffs", DAY_TARIFF)
        await _import(node, "/locations", LOCATION)
        await add_token(node.database, "TAG-1")
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await client.call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            )
            code, linked, _ = await admin(
                node, "POST", f"/locations/LOC-S/stations/{STATION}", body={"tariff_id": "DAY-1"}
            )
            assert code == 200, linked
            start = await client.call(
                "StartTransaction",
                {"connectorId": 1, "idTag": "TAG-1", "meterStart": METER_START,
                 "timestamp": iso(T0)},
            )  # fmt: skip
            tx = start[2]["transactionId"]
            for minutes, energy, power in METER[:1]:
                at = T0 + timedelta(minutes=minutes)
                await client.call("MeterValues", meter_values_16(1, tx, at, energy, power))
            tracker.clock = lambda: T0 + timedelta(minutes=15)
            await tracker.run_once()  # the session's first pricing takes its snapshot
            snapshot = (await session_row(node.database, tx)).billing_snapshot
            assert snapshot["tariff"]["elements"] == DAY_TARIFF["elements"]
            assert snapshot["cdr_location"]["address"] == "Centralplan 15"
            assert snapshot["time_zone"] == "Europe/Stockholm"

            # The operator edits both while the car charges.
            await _import(node, "/tariffs", _edited_tariff())
            await _import(node, "/locations", LOCATION | {"address": "Vasagatan 1"})
            for minutes, energy, power in METER[1:3]:
                at = T0 + timedelta(minutes=minutes)
                await client.call("MeterValues", meter_values_16(1, tx, at, energy, power))
            tracker.clock = lambda: T0 + timedelta(minutes=45)
            await tracker.run_once()
            # As priced by hand in test_full_charge with the prices of the start: 4.30
            # (the doubled prices would give 7.60).
            assert (await session_row(node.database, tx)).cost_excl_vat == Decimal("4.3")

            for minutes, energy, power in METER[3:]:
                at = T0 + timedelta(minutes=minutes)
                await client.call("MeterValues", meter_values_16(1, tx, at, energy, power))
            stop = await client.call(
                "StopTransaction",
                {"transactionId": tx, "meterStop": METER_STOP, "timestamp": iso(STOP),
                 "reason": "EVDisconnected"},
            )  # fmt: skip
            assert stop[0] == 3
        cdr = await cdr_of(node.database, tx)
        async with node.database.read() as conn:  # the edits did land
            tariff_now = await get_stored_tariff(conn, "DAY-1")
            site_now = await site_record(conn, STATION, 1, 1)
    assert tariff_now is not None
    assert tariff_now.published()["elements"] == _edited_tariff()["elements"]
    assert site_now.location is not None
    assert site_now.location["address"] == "Vasagatan 1"

    record = cdr.record
    # The hand calculation of test_full_charge, with the tariff of the start.
    assert record["total_cost"] == {"excl_vat": 6.42, "incl_vat": 8.03}
    assert record["tariffs"] == [snapshot["tariff"]]
    assert record["tariffs"][0]["elements"] == DAY_TARIFF["elements"]
    assert record["cdr_location"]["address"] == "Centralplan 15"
    assert record["cdr_location"]["id"] == "LOC-S"
    assert record["cdr_location"]["evse_id"] == snapshot["cdr_location"]["evse_id"]
