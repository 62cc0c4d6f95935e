"""OCPP 1.6 Authorize, StartTransaction, MeterValues, StopTransaction over real sockets,
stored in a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.config import DatabaseSettings
from shared.domain.transactions import TransactionStatus
from shared.store.transactions import get_transaction
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.ocpp.tx_support import (
    EventLog,
    add_token,
    authorization_records,
    booted,
    samples_of,
    transactions_of,
)

EXPIRY = datetime(2030, 1, 1, tzinfo=UTC)


def sampled(value: str, measurand: str, unit: str, **extra: str) -> dict[str, str]:
    return {"value": value, "measurand": measurand, "unit": unit, **extra}


# One timestamp, every kind of sample a 1.6 meter reports (§7.31–7.45).
FULL_SAMPLE = [
    sampled("1250.5", "Energy.Active.Import.Register", "Wh", context="Sample.Periodic"),
    sampled("0.125", "Energy.Active.Export.Register", "kWh", location="Outlet"),
    sampled("11040.25", "Power.Active.Import", "W", location="Outlet"),
    sampled("11.04", "Power.Offered", "kW"),
    sampled("0.98", "Power.Factor", "Percent"),
    sampled("16.1", "Current.Import", "A", phase="L1"),
    sampled("16.2", "Current.Import", "A", phase="L2"),
    sampled("16.3", "Current.Import", "A", phase="L3"),
    sampled("32", "Current.Offered", "A"),
    sampled("230.12", "Voltage", "V", phase="L1-N"),
    sampled("229.98", "Voltage", "V", phase="L2-N"),
    sampled("400.7", "Voltage", "V", phase="L1-L2"),
    sampled("50.01", "Frequency", "Hz"),
    sampled("34.5", "Temperature", "Celsius", location="Body"),
    sampled("62", "SoC", "Percent", location="EV"),
    sampled("0", "RPM", "Percent", location="Cable"),
    sampled("12.5", "Energy.Reactive.Import.Register", "kvarh", location="Inlet"),
]


async def test_authorize_answers_the_stored_decision(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_token(node.database, "TAG-OK", group_id="FLEET-7", expiry=EXPIRY)
        await add_token(node.database, "TAG-BLOCKED", "Blocked")
        await add_token(node.database, "TAG-NOCREDIT", "NoCredit")
        async with ocpp_client(node.ocpp_port, "CP-A", "1.6") as client:
            await booted(client, "1.6")
            ok = await client.call("Authorize", {"idTag": "TAG-OK"})
            blocked = await client.call("Authorize", {"idTag": "TAG-BLOCKED"})
            no_credit = await client.call("Authorize", {"idTag": "TAG-NOCREDIT"})
            unknown = await client.call("Authorize", {"idTag": "NEVER-SEEN"})
        records = await authorization_records(node.database, "CP-A")
    assert ok[2] == {
        "idTagInfo": {
            "status": "Accepted",
            "expiryDate": "2030-01-01T00:00:00.000Z",
            "parentIdTag": "FLEET-7",
        }
    }
    assert blocked[2] == {"idTagInfo": {"status": "Blocked"}}
    # NoCredit is 2.0.1 vocabulary: a 1.6 charger is told Invalid.
    assert no_credit[2] == {"idTagInfo": {"status": "Invalid"}}
    assert unknown[2] == {"idTagInfo": {"status": "Invalid"}}
    assert [(r["id_token"], r["status"]) for r in records] == [
        ("TAG-OK", "Accepted"),
        ("TAG-BLOCKED", "Blocked"),
        ("TAG-NOCREDIT", "NoCredit"),
        ("NEVER-SEEN", "Invalid"),
    ]


async def test_a_whole_session_is_stored(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        events = EventLog(node.bus)
        await add_token(node.database, "TAG-OK", group_id="FLEET-7")
        async with ocpp_client(node.ocpp_port, "CP-S", "1.6") as client:
            await booted(client, "1.6")
            start = await client.call(
                "StartTransaction",
                {
                    "connectorId": 2,
                    "idTag": "TAG-OK",
                    "meterStart": 1000,
                    "timestamp": "2026-11-26T10:00:00Z",
                    "reservationId": 42,
                },
            )
            tx = start[2]["transactionId"]
            meter = await client.call(
                "MeterValues",
                {
                    "connectorId": 2,
                    "transactionId": tx,
                    "meterValue": [
                        {"timestamp": "2026-11-26T10:15:00Z", "sampledValue": FULL_SAMPLE},
                        {
                            "timestamp": "2026-11-26T10:30:00Z",
                            "sampledValue": [
                                sampled("4.75", "Energy.Active.Import.Register", "kWh"),
                                sampled("11000", "Power.Active.Import", "W"),
                            ],
                        },
                    ],
                },
            )
            assert meter == [3, meter[1], {}]
            async with node.database.read() as conn:
                running = await get_transaction(conn, tx)
            stop = await client.call(
                "StopTransaction",
                {
                    "transactionId": tx,
                    "idTag": "TAG-OK",
                    "meterStop": 5210,
                    "timestamp": "2026-11-26T10:45:00Z",
                    "reason": "EVDisconnected",
                    "transactionData": [
                        {
                            "timestamp": "2026-11-26T10:45:00Z",
                            "sampledValue": [
                                sampled(
                                    "5210",
                                    "Energy.Active.Import.Register",
                                    "Wh",
                                    context="Transaction.End",
                                ),
                            ],
                        }
                    ],
                },
            )
        [stored] = await transactions_of(node.database, "CP-S")
        samples = await samples_of(node.database, "CP-S", tx)
    assert start[2] == {
        "transactionId": tx,
        "idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET-7"},
    }
    assert isinstance(tx, int)
    assert stop[2] == {"idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET-7"}}
    # While running: 4.75 kWh register − 1000 Wh meter start.
    assert running is not None
    assert running.state.energy_wh == 3750.0
    assert running.state.last_meter_at == datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
    state = stored.state
    assert stored.id == tx
    assert stored.transaction_ref == str(tx)
    assert stored.group_id == "FLEET-7"
    assert state.status is TransactionStatus.COMPLETED
    assert (state.evse_id, state.connector_id, state.reservation_id) == (2, 1, 42)
    assert state.started_at == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert state.ended_at == datetime(2026, 11, 26, 10, 45, tzinfo=UTC)
    assert (state.meter_start_wh, state.meter_stop_wh, state.energy_wh) == (1000, 5210, 4210)
    assert state.stop_reason == "EVDisconnected"
    assert len(samples) == len(FULL_SAMPLE) + 3
    by_measurand = {(s["measurand"], s["phase"]): s for s in samples[: len(FULL_SAMPLE)]}
    for wire in FULL_SAMPLE:
        row = by_measurand[(wire["measurand"], wire.get("phase"))]
        assert row["value"] == float(wire["value"])
        assert row["unit"] == wire["unit"]
        assert row["location"] == wire.get("location")
        assert row["context"] == wire.get("context")
        assert row["evse_id"] == 2
    assert samples[-1]["context"] == "Transaction.End"
    assert events.kinds(tx) == ["TransactionStarted", "TransactionUpdated", "TransactionEnded"]
    assert events.events[-1].energy_wh == 4210


async def test_a_start_sent_again_after_a_reconnect_gets_the_same_id(
    db_settings: DatabaseSettings,
) -> None:
    start = {
        "connectorId": 1,
        "idTag": "TAG-OK",
        "meterStart": 77,
        "timestamp": "2026-11-26T09:00:00Z",
    }
    async with running_node(node_settings(db_settings)) as node:
        await add_token(node.database, "TAG-OK")
        async with ocpp_client(node.ocpp_port, "CP-R", "1.6") as client:
            await booted(client, "1.6")
            first = await client.call("StartTransaction", start)
        # The answer was "lost": the charger reconnects and sends the same start again.
        async with ocpp_client(node.ocpp_port, "CP-R", "1.6") as client:
            await booted(client, "1.6")
            again = await client.call("StartTransaction", start)
            meter = await client.call(
                "MeterValues",
                {
                    "connectorId": 1,
                    "transactionId": again[2]["transactionId"],
                    "meterValue": [
                        {"timestamp": "2026-11-26T09:10:00Z", "sampledValue": [{"value": "177"}]}
                    ],
                },
            )
            assert meter[0] == 3
        stored = await transactions_of(node.database, "CP-R")
    assert first[2]["transactionId"] == again[2]["transactionId"]
    assert again[2]["idTagInfo"] == {"status": "Accepted"}
    assert len(stored) == 1
    assert stored[0].state.status is TransactionStatus.ACTIVE
    assert stored[0].state.energy_wh == 100.0


async def test_a_refused_token_still_records_the_transaction(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_token(node.database, "TAG-BLOCKED", "Blocked")
        async with ocpp_client(node.ocpp_port, "CP-B", "1.6") as client:
            await booted(client, "1.6")
            blocked = await client.call(
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": "TAG-BLOCKED",
                    "meterStart": 0,
                    "timestamp": "2026-11-26T09:00:00Z",
                },
            )
            unknown = await client.call(
                "StartTransaction",
                {
                    "connectorId": 2,
                    "idTag": "WHO-IS-THIS",
                    "meterStart": 0,
                    "timestamp": "2026-11-26T09:01:00Z",
                },
            )
            # The charger stops them itself (§5.2: DeAuthorized).
            stop = await client.call(
                "StopTransaction",
                {
                    "transactionId": blocked[2]["transactionId"],
                    "meterStop": 3,
                    "timestamp": "2026-11-26T09:00:05Z",
                    "reason": "DeAuthorized",
                },
            )
        stored = await transactions_of(node.database, "CP-B")
    assert blocked[2]["idTagInfo"] == {"status": "Blocked"}
    assert unknown[2]["idTagInfo"] == {"status": "Invalid"}
    assert stop[2] == {}  # no idTag sent, so no idTagInfo (§6.49)
    assert [(tx.id_token, tx.status.value) for tx in stored] == [
        ("TAG-BLOCKED", "completed"),
        ("WHO-IS-THIS", "active"),
    ]
    assert stored[0].state.stop_reason == "DeAuthorized"


async def test_meter_values_outside_a_transaction_are_stored(
    db_settings: DatabaseSettings,
) -> None:
    async with running_node(node_settings(db_settings)) as node:
        async with ocpp_client(node.ocpp_port, "CP-M", "1.6") as client:
            await booted(client, "1.6")
            answer = await client.call(
                "MeterValues",
                {
                    "connectorId": 1,
                    "meterValue": [
                        {
                            "timestamp": "2026-11-26T10:00:00Z",
                            "sampledValue": [
                                sampled("230.4", "Voltage", "V", phase="L1-N"),
                                sampled("0", "Current.Import", "A", phase="L1"),
                            ],
                        }
                    ],
                },
            )
        samples = await samples_of(node.database, "CP-M")
    assert answer[0] == 3
    assert [(s["evse_id"], s["transaction_id"], s["value"]) for s in samples] == [
        (1, None, 230.4),
        (1, None, 0.0),
    ]
