"""An OCPP 2.0.1 session: the charger's charging states decide charging vs parked, the
running cost is announced (SessionCostChanged) and shown on the charger (CostUpdated, I03)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import insert

from shared.billing.costs import SessionCostChanged
from shared.config import DatabaseSettings
from shared.store.tables import station_variables
from tests.harness import OcppClient, node_settings, ocpp_client, running_node
from tests.integration.billing.helpers import (
    add_location,
    add_tariff,
    cdr_of,
    iso,
    link_connector,
    session_row,
)
from tests.integration.ocpp.tx_support import add_token, booted

STATION = "CS-201"
T0 = datetime(2025, 8, 11, 6, 0, tzinfo=UTC)
TARIFF = {
    "id": "E25-P3",
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 20, "step_size": 1}]},
        {"price_components": [{"type": "PARKING_TIME", "price": 3.00, "vat": 20, "step_size": 60}]},
    ],
}


def meter(at: datetime, wh: float, watts: float | None = None) -> list[dict[str, Any]]:
    sampled: list[dict[str, Any]] = [
        {"value": wh, "measurand": "Energy.Active.Import.Register", "unitOfMeasure": {"unit": "Wh"}}
    ]
    if watts is not None:
        sampled.append(
            {"value": watts, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}}
        )
    return [{"timestamp": iso(at), "sampledValue": sampled}]


async def event(
    client: OcppClient,
    kind: str,
    seq: int,
    at: datetime,
    state: str | None,
    wh: float,
    **extra: Any,
) -> None:
    info: dict[str, Any] = {"transactionId": "tx-201"}
    if state is not None:
        info["chargingState"] = state
    payload = {
        "eventType": kind,
        "timestamp": iso(at),
        "triggerReason": "ChargingStateChanged" if state else "MeterValuePeriodic",
        "seqNo": seq,
        "transactionInfo": info,
        "meterValue": meter(at, wh, extra.pop("watts", None)),
        **extra,
    }
    answer = await client.call("TransactionEvent", payload)
    assert answer[0] == 3, answer


async def answer_cost_updated(client: OcppClient) -> dict[str, Any]:
    """Read frames until the CSMS calls CostUpdated; answer it; its payload."""
    for _ in range(10):
        frame = await asyncio.wait_for(client.recv(), timeout=10)
        if frame[0] == 2 and frame[2] == "CostUpdated":
            await client.send_raw(orjson.dumps([3, frame[1], {}]).decode())
            payload: dict[str, Any] = frame[3]
            return payload
    raise AssertionError("no CostUpdated call")


async def test_charging_states_running_cost_and_cost_updated(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_location(node.database)
        await add_tariff(node.database, TARIFF)
        await add_token(node.database, "TAG-201")
        tracker = node.billing.costs
        await tracker.aclose()  # priced on the test's clock below
        announced: list[SessionCostChanged] = []
        node.bus.subscribe(SessionCostChanged, announced.append)
        async with ocpp_client(node.ocpp_port, STATION, "2.0.1") as client:
            await booted(client, "2.0.1")
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["E25-P3"]
            )
            async with node.database.begin() as conn:  # TariffCostCtrlr.Enabled[Cost] = true
                await conn.execute(
                    insert(station_variables).values(
                        station_id=STATION, component="TariffCostCtrlr", component_instance="",
                        evse_id=0, connector_id=0, variable="Enabled", variable_instance="Cost",
                        attribute_type="Actual", value="true", updated_at=datetime.now(UTC),
                    )
                )  # fmt: skip
            await event(
                client, "Started", 0, T0, "Charging", 0,
                idToken={"idToken": "TAG-201", "type": "ISO14443"},
                evse={"id": 1, "connectorId": 1},
            )  # fmt: skip
            await event(client, "Updated", 1, T0 + timedelta(minutes=20), None, 6000, watts=18_000)
            tracker.clock = lambda: T0 + timedelta(minutes=20)
            await tracker.run_once()
            # 6 kWh × 0.25 = 1.50 excl., 1.80 incl. (20 % VAT)
            shown = await answer_cost_updated(client)
            assert shown == {"totalCost": 1.8, "transactionId": "tx-201"}
            assert [(e.cost_excl_vat, e.cost_incl_vat, e.energy_kwh) for e in announced] == [
                (Decimal("1.50"), Decimal("1.80"), Decimal("6.000"))
            ]
            # The car is full at 06:30 (SuspendedEV: parked, whatever the meter says).
            await event(
                client, "Updated", 2, T0 + timedelta(minutes=30), "SuspendedEV", 8000, watts=0
            )
            await _end(client)
            transaction_id = await _transaction_id(node)
            cdr = await cdr_of(node.database, transaction_id)
            row = await session_row(node.database, transaction_id)

    # 8 kWh × 0.25 = 2.00; parked 06:30–06:50: 20 min × 3.00/h = 1.00. Excl. 3.00, incl. 3.60.
    assert cdr.record["total_cost"] == {"excl_vat": 3, "incl_vat": 3.6}
    assert cdr.record["total_parking_time"] == 0.3333
    starts = [p["start_date_time"] for p in cdr.record["charging_periods"]]
    assert starts == ["2025-08-11T06:00:00Z", "2025-08-11T06:30:00Z"]
    assert cdr.record["cdr_token"]["uid"] == "TAG-201"
    assert cdr.record["remark"] == "Stop reason: EVDisconnected"
    assert (row.cost_excl_vat, row.cost_incl_vat) == (Decimal(3), Decimal("3.6"))


async def _end(client: OcppClient) -> None:
    at = T0 + timedelta(minutes=50)
    payload = {
        "eventType": "Ended",
        "timestamp": iso(at),
        "triggerReason": "EVDeparted",
        "seqNo": 3,
        "transactionInfo": {"transactionId": "tx-201", "stoppedReason": "EVDisconnected"},
        "meterValue": meter(at, 8000),
    }
    answer = await client.call("TransactionEvent", payload)
    assert answer[0] == 3, answer


async def _transaction_id(node: Any) -> int:
    from shared.store.transactions import find_transaction

    async with node.database.read() as conn:
        found = await find_transaction(conn, STATION, "tx-201")
    assert found is not None
    return found.id
