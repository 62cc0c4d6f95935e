"""A whole charge on a 1.6 test charger over a real socket, against a running node: the CDR
it yields, and the running cost while it is active, against hand calculations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.config import DatabaseSettings
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.billing.helpers import (
    add_location,
    add_tariff,
    boot_16,
    cdr_of,
    eventually,
    iso,
    link_connector,
    meter_values_16,
    session_row,
)
from tests.integration.ocpp.tx_support import add_token

STATION = "CP-BILL-1"
# Tuesday 4 March 2025, 10:00 UTC = 11:00 in Stockholm (CET, UTC+1).
T0 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)

TARIFF: dict[str, Any] = {
    "country_code": "SE",
    "party_id": "LDP",
    "id": "DAY-1",
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "FLAT", "price": 1.00, "vat": 25.0, "step_size": 1}]},
        {
            "price_components": [
                {"type": "ENERGY", "price": 0.30, "vat": 25.0, "step_size": 1},
                {"type": "TIME", "price": 1.20, "vat": 25.0, "step_size": 60},
            ],
            # Local time: 11:30 in Stockholm is 10:30 UTC.
            "restrictions": {"start_time": "06:00", "end_time": "11:30"},
        },
        {
            "price_components": [
                {"type": "ENERGY", "price": 0.40, "vat": 25.0, "step_size": 1},
                {"type": "TIME", "price": 1.20, "vat": 25.0, "step_size": 60},
            ]
        },
        {
            "price_components": [
                {"type": "PARKING_TIME", "price": 6.00, "vat": 25.0, "step_size": 300}
            ]
        },
    ],
    "last_updated": "2025-01-01T00:00:00Z",
}

# (minutes after T0, energy register Wh, power W): charging at ~10 kW, full at 10:50.
METER = [
    (15, 12_500, 10_000),
    (30, 15_000, 10_000),
    (45, 17_250, 9_000),
    (50, 17_300, 0),
    (60, 17_300, 0),
]
METER_START, METER_STOP = 10_000, 17_300
STOP = T0 + timedelta(minutes=67, seconds=30)


def by_type(period: dict[str, Any]) -> dict[str, Any]:
    return {d["type"]: d["volume"] for d in period["dimensions"]}


async def _site(node: Any) -> None:
    await add_location(node.database)
    await add_tariff(node.database, TARIFF)
    await add_token(node.database, "TAG-1")


async def test_a_full_charge_yields_a_cdr_priced_as_by_hand(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await _site(node)
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await client.call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            )
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["DAY-1"]
            )
            start = await client.call(
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": "TAG-1",
                    "meterStart": METER_START,
                    "timestamp": iso(T0),
                },
            )
            tx = start[2]["transactionId"]
            for minutes, energy, power in METER:
                at = T0 + timedelta(minutes=minutes)
                assert (
                    await client.call("MeterValues", meter_values_16(1, tx, at, energy, power))
                )[0] == 3
            stop = await client.call(
                "StopTransaction",
                {
                    "transactionId": tx,
                    "meterStop": METER_STOP,
                    "timestamp": iso(STOP),
                    "reason": "EVDisconnected",
                },
            )
            assert stop[0] == 3
        cdr = await cdr_of(node.database, tx)
        row = await session_row(node.database, tx)

    # By hand. Charging 10:00–10:50 (power ≥ 100 W), parked 10:50–11:07:30 (power 0).
    # FLAT 1.00. ENERGY: 10:00–10:30 UTC is before 11:30 local: 5.0 kWh × 0.30 = 1.50;
    # after: 2.3 kWh × 0.40 = 0.92. TIME: 50 min × 1.20/h = 1.00, not rounded (the last
    # time-based period is parking, mod_cdrs step_size). PARKING: 17.5 min rounded up to
    # 20 min (step 300 s) × 6.00/h = 2.00. Excl. VAT 6.42; incl. 25 % VAT 8.025 → 8.03.
    record = cdr.record
    assert record["total_cost"] == {"excl_vat": 6.42, "incl_vat": 8.03}
    assert record["total_fixed_cost"] == {"excl_vat": 1, "incl_vat": 1.25}
    assert record["total_energy_cost"] == {"excl_vat": 2.42, "incl_vat": 3.03}  # 3.025 → 3.03
    assert record["total_time_cost"] == {"excl_vat": 1, "incl_vat": 1.25}
    assert record["total_parking_cost"] == {"excl_vat": 2, "incl_vat": 2.5}
    assert record["total_energy"] == 7.3
    assert record["total_time"] == 1.125  # 67.5 minutes
    assert record["total_parking_time"] == 0.2917  # 17.5 minutes
    assert record["currency"] == "EUR"
    assert [p["start_date_time"] for p in record["charging_periods"]] == [
        "2025-03-04T10:00:00Z",
        "2025-03-04T10:30:00Z",
        "2025-03-04T10:50:00Z",
    ]
    first, second, parked = (by_type(p) for p in record["charging_periods"])
    assert (first["ENERGY"], first["TIME"]) == (5, 0.5)
    assert (second["ENERGY"], second["TIME"]) == (2.3, 0.3333)
    assert (parked["ENERGY"], parked["PARKING_TIME"]) == (0, 0.2917)
    assert {p["tariff_id"] for p in record["charging_periods"]} == {"DAY-1"}
    assert record["tariffs"][0]["id"] == "DAY-1"

    # The rest of the CDR: who, where, how.
    assert record["id"] == cdr.id
    assert record["session_id"] == str(tx)
    assert record["start_date_time"] == "2025-03-04T10:00:00Z"
    assert record["end_date_time"] == "2025-03-04T11:07:30Z"
    assert record["auth_method"] == "WHITELIST"
    assert record["cdr_token"] == {
        "country_code": "SE",
        "party_id": "LDP",
        "uid": "TAG-1",
        "type": "RFID",
        "contract_id": "TAG-1",
    }
    location = record["cdr_location"]
    assert location == {
        "id": "LOC-1",
        "name": "Laddpunkt Centralstationen",
        "address": "Centralplan 15",
        "city": "Stockholm",
        "postal_code": "111 20",
        "state": "Stockholms län",
        "country": "SWE",
        "coordinates": {"latitude": "59.330231", "longitude": "18.059196"},
        "evse_uid": f"{STATION}-1",
        "evse_id": f"SE*LDP*E{STATION}*1",
        "connector_id": "1",
        "connector_standard": "IEC_62196_T2",
        "connector_format": "SOCKET",
        "connector_power_type": "AC_3_PHASE",
    }
    assert record["credit"] is False
    assert "credit_reference_id" not in record
    assert record["remark"] == "Stop reason: EVDisconnected"

    # The stored columns agree with the record, and the session carries the final cost.
    assert (cdr.total_cost_excl_vat, cdr.total_cost_incl_vat) == (Decimal("6.42"), Decimal("8.03"))
    assert cdr.total_energy_kwh == Decimal("7.3")
    assert cdr.station_id == STATION
    assert (row.cost_excl_vat, row.cost_incl_vat, row.currency) == (
        Decimal("6.42"),
        Decimal("8.03"),
        "EUR",
    )
    assert row.tariff_id == "DAY-1"


async def test_the_running_cost_of_an_active_session(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await _site(node)
        tracker = node.billing.costs
        await tracker.aclose()  # priced by hand below, on the test's clock (events still heard)
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await client.call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            )
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["DAY-1"]
            )
            start = await client.call(
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": "TAG-1",
                    "meterStart": METER_START,
                    "timestamp": iso(T0),
                },
            )
            tx = start[2]["transactionId"]
            for minutes, energy, power in METER[:3]:
                at = T0 + timedelta(minutes=minutes)
                await client.call("MeterValues", meter_values_16(1, tx, at, energy, power))
            # The tracker's own clock stands still at the last sample, 10:45 UTC.
            tracker.clock = lambda: T0 + timedelta(minutes=45)
            await tracker.run_once()
            row = await session_row(node.database, tx)
            # FLAT 1.00; ENERGY 5 kWh × 0.30 + 2.25 kWh × 0.40 = 2.40; TIME 45 min × 1.20/h
            # = 0.90 (45 min is a whole number of 60 s steps). Excl. 4.30, incl. 5.375 → 5.38.
            assert (row.cost_excl_vat, row.cost_incl_vat, row.currency) == (
                Decimal("4.3"),
                Decimal("5.38"),
                "EUR",
            )
            assert row.tariff_id == "DAY-1"
            # Ten minutes on without new values: time keeps counting; now parked? No: the
            # last sample said 9 kW, so it is charging until told otherwise: TIME 55 min.
            tracker.clock = lambda: T0 + timedelta(minutes=55)
            costs = await tracker.run_once()
            assert [c.rounded.excl_vat for c in costs] == [Decimal("4.50")]

            async def cost_after_new_values() -> Any:
                found = await session_row(node.database, tx)
                return found if found.cost_excl_vat != Decimal("4.5") else None

            # New values arrive: the next round prices them (only what is new is read).
            await client.call(
                "MeterValues", meter_values_16(1, tx, T0 + timedelta(minutes=50), 17_300, 0)
            )
            tracker.clock = lambda: T0 + timedelta(minutes=50)
            await tracker.run_once()
            row = await eventually(cost_after_new_values)
            # 50 min charging = 1.00, then parking from 10:50 (0 s, rounds to 0): 1+2.42+1 = 4.42.
            assert row.cost_excl_vat == Decimal("4.42")


async def test_a_late_meter_value_rebuilds_the_running_cost(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await _site(node)
        tracker = node.billing.costs
        await tracker.aclose()
        tracker.clock = lambda: T0 + timedelta(minutes=45)
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await client.call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            )
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["DAY-1"]
            )
            start = await client.call(
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": "TAG-1",
                    "meterStart": METER_START,
                    "timestamp": iso(T0),
                },
            )
            tx = start[2]["transactionId"]
            for minutes, energy, power in (METER[0], METER[2]):
                at = T0 + timedelta(minutes=minutes)
                await client.call("MeterValues", meter_values_16(1, tx, at, energy, power))
            await tracker.run_once()
            # Without the 10:30 reading the register is interpolated at the 11:30 local price
            # change: 12,500 + 4,750 / 2 = 14,875 Wh. ENERGY 4.875 × 0.30 + 2.375 × 0.40 =
            # 2.4125; FLAT 1.00; TIME 45 min 0.90: 4.3125 → 4.31.
            assert (await session_row(node.database, tx)).cost_excl_vat == Decimal("4.31")
            # The 10:30 reading arrives late (replayed from the charger's offline queue). It
            # is older than the newest, so it changes no energy and raises no event: the
            # next new value (or the refresh) makes the tracker read it, and build again.
            minutes, energy, power = METER[1]
            late = meter_values_16(1, tx, T0 + timedelta(minutes=minutes), energy, power)
            await client.call("MeterValues", late)
            newer = meter_values_16(1, tx, T0 + timedelta(minutes=46), 17_400, 9_000)
            await client.call("MeterValues", newer)
            tracker.clock = lambda: T0 + timedelta(minutes=46)
            await tracker.run_once()
            # Exact now: ENERGY 5 × 0.30 + 2.4 × 0.40 = 2.46; TIME 46 min = 0.92; FLAT 1.00:
            # 4.38 (ignoring the late reading would give 4.39).
            assert (await session_row(node.database, tx)).cost_excl_vat == Decimal("4.38")


async def test_after_a_restart_running_sessions_are_priced_from_the_store(
    db_settings: DatabaseSettings,
) -> None:
    settings = node_settings(db_settings)
    async with running_node(settings) as node:
        await _site(node)
        await node.billing.costs.aclose()  # never prices before the "crash"
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await client.call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            )
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["DAY-1"]
            )
            start = await client.call(
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": "TAG-1",
                    "meterStart": METER_START,
                    "timestamp": iso(T0),
                },
            )
            tx = start[2]["transactionId"]
            for minutes, energy, power in METER[:3]:
                at = T0 + timedelta(minutes=minutes)
                await client.call("MeterValues", meter_values_16(1, tx, at, energy, power))
    assert (await _cost(settings, tx)) is None

    async with running_node(settings) as restarted:
        tracker = restarted.billing.costs
        await tracker.aclose()
        tracker.clock = lambda: T0 + timedelta(minutes=45)
        # The charger comes back and sends nothing else: its session is found all the same.
        async with ocpp_client(restarted.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            costs = await tracker.run_once()
        assert [c.transaction_id for c in costs] == [tx]
        row = await session_row(restarted.database, tx)
        assert row.cost_excl_vat == Decimal("4.3")  # as priced by hand above
        assert row.tariff_id == "DAY-1"


async def _cost(settings: Any, transaction_id: int) -> Decimal | None:
    from tests.harness import open_database

    async with open_database(settings.database) as conn:
        from sqlalchemy import select

        from shared.store.tables import transactions

        value: Decimal | None = (
            await conn.execute(
                select(transactions.c.cost_excl_vat).where(transactions.c.id == transaction_id)
            )
        ).scalar()
        return value
