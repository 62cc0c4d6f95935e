"""An OCPP 1.6 session whose charger says when the car stopped drawing power: the connector
statuses (Charging, SuspendedEV) decide charging vs parked, not the meter's energy flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.config import DatabaseSettings
from tests.harness import OcppClient, node_settings, ocpp_client, running_node
from tests.integration.billing.helpers import (
    add_location,
    add_tariff,
    boot_16,
    cdr_of,
    iso,
    link_connector,
    meter_values_16,
    session_row,
)
from tests.integration.billing.sessions import status
from tests.integration.ocpp.tx_support import add_token

STATION = "CP-STATUS-1"
T0 = datetime(2025, 9, 2, 8, 0, tzinfo=UTC)
M = timedelta(minutes=1)
TARIFF: dict[str, Any] = {
    "id": "ETP",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [
                {"type": "ENERGY", "price": 0.30, "vat": 20.0, "step_size": 1},
                {"type": "TIME", "price": 1.20, "vat": 20.0, "step_size": 60},
                {"type": "PARKING_TIME", "price": 6.00, "vat": 20.0, "step_size": 300},
            ]
        }
    ],
}
# Energy only, every 15 minutes: the car is full at 08:40, which no reading shows before
# 09:00 (the 08:45 reading still rose since 08:30, so the energy flow says charging).
READINGS = [(15, 12_500), (30, 15_000), (45, 16_600), (60, 16_600)]
STOP = T0 + 67 * M + timedelta(seconds=30)


async def _values(client: OcppClient, tx: int, readings: list[tuple[int, int]]) -> None:
    for minutes, wh in readings:
        message = meter_values_16(1, tx, T0 + minutes * M, wh, None)
        assert (await client.call("MeterValues", message))[0] == 3


async def test_the_chargers_statuses_say_when_the_car_is_parked(
    db_settings: DatabaseSettings,
) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_location(node.database)
        await add_tariff(node.database, TARIFF)
        await add_token(node.database, "TAG-1")
        tracker = node.billing.costs
        await tracker.aclose()  # priced by hand below, on the test's clock
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await status(client, 1, "Available", T0 - 10 * M)
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["ETP"]
            )
            # Plugged in before the start: Preparing describes the time before the session.
            await status(client, 1, "Preparing", T0 - M)
            start = await client.call(
                "StartTransaction",
                {"connectorId": 1, "idTag": "TAG-1", "meterStart": 10_000, "timestamp": iso(T0)},
            )
            tx = start[2]["transactionId"]
            await status(client, 1, "Charging", T0 + timedelta(seconds=5))
            await _values(client, tx, READINGS[:2])
            tracker.clock = lambda: T0 + 30 * M
            await tracker.run_once()
            # ENERGY 5 kWh × 0.30 = 1.50; TIME 30 min × 1.20/h = 0.60.
            assert (await session_row(node.database, tx)).cost_excl_vat == Decimal("2.1")

            await status(client, 1, "SuspendedEV", T0 + 40 * M)
            await _values(client, tx, READINGS[2:])
            tracker.clock = lambda: T0 + 60 * M
            await tracker.run_once()
            # Parked since 08:40 (the status, heard on the refresh: it raises no event):
            # ENERGY 6.6 kWh = 1.98; TIME 40 min = 0.80; PARKING 20 min = 2.00 → 4.78. By the
            # energy flow alone it would be charging until 09:00: 1.98 + 1.20 = 3.18.
            assert (await session_row(node.database, tx)).cost_excl_vat == Decimal("4.78")

            stop = await client.call(
                "StopTransaction",
                {"transactionId": tx, "meterStop": 16_600, "timestamp": iso(STOP),
                 "reason": "EVDisconnected"},
            )  # fmt: skip
            assert stop[0] == 3
            # After the stop: not part of the session.
            await status(client, 1, "Finishing", STOP + timedelta(seconds=5))
            await status(client, 1, "Available", STOP + M)
        cdr = await cdr_of(node.database, tx)

    # By hand: charging 08:00–08:40, parked 08:40–09:07:30. ENERGY 6.6 kWh × 0.30 = 1.98;
    # TIME 40 min × 1.20/h = 0.80; PARKING 27.5 min → 30 min (step 300 s) × 6.00/h = 3.00.
    # Excl. 5.78; incl. 20 % VAT: 2.376 + 0.96 + 3.60 = 6.936 → 6.94.
    record = cdr.record
    assert record["total_cost"] == {"excl_vat": 5.78, "incl_vat": 6.94}
    assert record["total_time_cost"] == {"excl_vat": 0.8, "incl_vat": 0.96}
    assert record["total_parking_cost"] == {"excl_vat": 3, "incl_vat": 3.6}
    assert record["total_parking_time"] == 0.4583  # 27.5 minutes
    assert [p["start_date_time"] for p in record["charging_periods"]] == [
        "2025-09-02T08:00:00Z",
        "2025-09-02T08:40:00Z",
    ]
    charging, parked = ({d["type"]: d["volume"] for d in p["dimensions"]}
                        for p in record["charging_periods"])  # fmt: skip
    assert charging["TIME"] == 0.6667
    assert "PARKING_TIME" not in charging
    assert parked["PARKING_TIME"] == 0.4583
    assert "TIME" not in parked
