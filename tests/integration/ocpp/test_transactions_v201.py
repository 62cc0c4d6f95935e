"""OCPP 2.0.1 Authorize, TransactionEvent and MeterValues over real sockets, stored in a real
database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.config import DatabaseSettings
from shared.domain.transactions import TransactionStatus
from tests.harness import OcppClient, node_settings, ocpp_client, running_node
from tests.integration.ocpp.tx_support import (
    EventLog,
    add_token,
    authorization_records,
    booted,
    events_of,
    samples_of,
    transactions_of,
)

TOKEN = {"idToken": "TAG-OK", "type": "ISO14443"}


def energy(
    wh: float, context: str = "Sample.Periodic", at: str = "2026-11-26T10:00:00Z"
) -> dict[str, Any]:
    return {
        "timestamp": at,
        "sampledValue": [
            {
                "value": wh,
                "context": context,
                "measurand": "Energy.Active.Import.Register",
                "unitOfMeasure": {"unit": "Wh"},
            }
        ],
    }


def tx_event(
    event_type: str,
    seq_no: int,
    trigger: str,
    info: dict[str, Any],
    timestamp: str = "2026-11-26T10:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": timestamp,
        "triggerReason": trigger,
        "seqNo": seq_no,
        "transactionInfo": info,
        **extra,
    }


def active_view(node: Any, station_id: str) -> dict[str, int]:
    """The connection's own map of active transactions (charger ref → our id)."""
    connection = node.csms.server.registry.get(station_id)
    assert connection is not None
    return dict(connection.ctx.view.active_transactions)


async def send(client: OcppClient, payload: dict[str, Any]) -> dict[str, Any]:
    answer = await client.call("TransactionEvent", payload)
    assert answer[0] == 3, answer
    result: dict[str, Any] = answer[2]
    return result


async def test_authorize_answers_the_full_status_enum(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_token(
            node.database, "TAG-OK", group_id="FLEET-7", expiry=datetime(2030, 1, 1, tzinfo=UTC)
        )
        await add_token(node.database, "TAG-NOCREDIT", "NoCredit")
        async with ocpp_client(node.ocpp_port, "CS-A", "2.0.1") as client:
            await booted(client, "2.0.1")
            ok = await client.call("Authorize", {"idToken": TOKEN})
            no_credit = await client.call(
                "Authorize", {"idToken": {"idToken": "TAG-NOCREDIT", "type": "ISO14443"}}
            )
            unknown = await client.call("Authorize", {"idToken": {"idToken": "X", "type": "eMAID"}})
            free = await client.call(
                "Authorize", {"idToken": {"idToken": "", "type": "NoAuthorization"}}
            )
        records = await authorization_records(node.database, "CS-A")
    assert ok[2] == {
        "idTokenInfo": {
            "status": "Accepted",
            "cacheExpiryDateTime": "2030-01-01T00:00:00.000Z",
            "groupIdToken": {"idToken": "FLEET-7", "type": "Central"},
        }
    }
    assert no_credit[2] == {"idTokenInfo": {"status": "NoCredit"}}
    assert unknown[2] == {"idTokenInfo": {"status": "Invalid"}}
    assert free[2] == {"idTokenInfo": {"status": "Accepted"}}
    assert [(r["id_token"], r["type"], r["status"]) for r in records] == [
        ("TAG-OK", "ISO14443", "Accepted"),
        ("TAG-NOCREDIT", "ISO14443", "NoCredit"),
        ("X", "eMAID", "Invalid"),
        ("", "NoAuthorization", "Accepted"),
    ]


async def test_started_updated_ended(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        events = EventLog(node.bus)
        await add_token(node.database, "TAG-OK", group_id="FLEET-7")
        async with ocpp_client(node.ocpp_port, "CS-T", "2.0.1") as client:
            await booted(client, "2.0.1")
            started = await send(
                client,
                tx_event(
                    "Started",
                    0,
                    "RemoteStart",
                    {"transactionId": "tx-1", "chargingState": "EVConnected", "remoteStartId": 31},
                    idToken=TOKEN,
                    evse={"id": 1, "connectorId": 1},
                    reservationId=4,
                    meterValue=[energy(10_000.5, "Transaction.Begin")],
                ),
            )
            view_after_start = active_view(node, "CS-T")
            updated = await send(
                client,
                tx_event(
                    "Updated",
                    1,
                    "ChargingStateChanged",
                    {"transactionId": "tx-1", "chargingState": "Charging"},
                    timestamp="2026-11-26T10:10:00Z",
                    meterValue=[
                        {
                            "timestamp": "2026-11-26T10:10:00Z",
                            "sampledValue": [
                                {
                                    "value": 12.5,
                                    "measurand": "Energy.Active.Import.Register",
                                    "unitOfMeasure": {"unit": "kWh"},
                                },
                                {
                                    "value": 7360,
                                    "measurand": "Power.Active.Import",
                                    "unitOfMeasure": {"unit": "W"},
                                },
                                {
                                    "value": 32.1,
                                    "measurand": "Current.Import",
                                    "phase": "L1",
                                    "unitOfMeasure": {"unit": "A"},
                                },
                                {
                                    "value": 231.7,
                                    "measurand": "Voltage",
                                    "phase": "L1-N",
                                    "unitOfMeasure": {"unit": "V"},
                                },
                                {
                                    "value": 55,
                                    "measurand": "SoC",
                                    "location": "EV",
                                    "unitOfMeasure": {"unit": "Percent"},
                                },
                            ],
                        }
                    ],
                ),
            )
            ended = await send(
                client,
                tx_event(
                    "Ended",
                    2,
                    "StopAuthorized",
                    {
                        "transactionId": "tx-1",
                        "chargingState": "EVConnected",
                        "stoppedReason": "Local",
                    },
                    timestamp="2026-11-26T10:20:00Z",
                    idToken=TOKEN,
                    meterValue=[energy(14_000.75, "Transaction.End", "2026-11-26T10:20:00Z")],
                ),
            )
            view_after_end = active_view(node, "CS-T")
        [stored] = await transactions_of(node.database, "CS-T")
        stored_events = await events_of(node.database, stored.id)
        samples = await samples_of(node.database, "CS-T", stored.id)
    # idTokenInfo only answers events that carried an idToken.
    assert started == {
        "idTokenInfo": {
            "status": "Accepted",
            "groupIdToken": {"idToken": "FLEET-7", "type": "Central"},
        }
    }
    assert updated == {}
    assert ended["idTokenInfo"]["status"] == "Accepted"
    assert view_after_start == {"tx-1": stored.id}
    assert view_after_end == {}
    state = stored.state
    assert stored.transaction_ref == "tx-1"
    assert stored.group_id == "FLEET-7"
    assert state.status is TransactionStatus.COMPLETED
    assert (state.evse_id, state.connector_id, state.remote_start_id, state.reservation_id) == (
        1,
        1,
        31,
        4,
    )
    assert (state.id_token, state.id_token_type) == ("TAG-OK", "ISO14443")
    assert state.started_at == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert state.ended_at == datetime(2026, 11, 26, 10, 20, tzinfo=UTC)
    assert (state.meter_start_wh, state.meter_stop_wh) == (10_000.5, 14_000.75)
    assert state.energy_wh == 4_000.25
    assert (state.charging_state, state.stop_reason, state.last_seq_no) == (
        "EVConnected",
        "Local",
        2,
    )
    assert stored_events == [(0, "Started", False), (1, "Updated", False), (2, "Ended", False)]
    assert len(samples) == 7
    assert {s["evse_id"] for s in samples} == {1}
    assert [s["unit"] for s in samples[1:6]] == ["kWh", "W", "A", "V", "Percent"]
    assert events.kinds(stored.id) == [
        "TransactionStarted",
        "TransactionUpdated",
        "TransactionEnded",
    ]


async def test_a_repeated_event_is_answered_not_applied(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        events = EventLog(node.bus)
        await add_token(node.database, "TAG-OK")
        async with ocpp_client(node.ocpp_port, "CS-D", "2.0.1") as client:
            await booted(client, "2.0.1")
            start = tx_event(
                "Started",
                0,
                "Authorized",
                {"transactionId": "d-1"},
                idToken=TOKEN,
                evse={"id": 2},
                meterValue=[energy(100)],
            )
            update = tx_event(
                "Updated",
                1,
                "MeterValuePeriodic",
                {"transactionId": "d-1"},
                meterValue=[energy(600)],
            )
            await send(client, start)
            await send(client, update)
            again = await send(client, update)  # e.g. resent after a lost answer
            first_again = await send(client, start)
        [stored] = await transactions_of(node.database, "CS-D")
        samples = await samples_of(node.database, "CS-D")
    assert again == {}
    assert first_again == {"idTokenInfo": {"status": "Accepted"}}
    assert stored.state.energy_wh == 500
    assert len(samples) == 2  # the repeats stored no samples
    assert events.kinds(stored.id) == ["TransactionStarted", "TransactionUpdated"]


async def test_a_refused_token_still_records_the_transaction(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        async with ocpp_client(node.ocpp_port, "CS-U", "2.0.1") as client:
            await booted(client, "2.0.1")
            answer = await send(
                client,
                tx_event(
                    "Started",
                    0,
                    "Authorized",
                    {"transactionId": "u-1", "chargingState": "EVConnected"},
                    idToken={"idToken": "STRANGER", "type": "ISO14443"},
                    evse={"id": 1, "connectorId": 1},
                ),
            )
        [stored] = await transactions_of(node.database, "CS-U")
    assert answer == {"idTokenInfo": {"status": "Invalid"}}
    assert stored.state.status is TransactionStatus.ACTIVE
    assert stored.id_token == "STRANGER"


async def test_meter_values_are_stored_per_evse(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        async with ocpp_client(node.ocpp_port, "CS-M", "2.0.1") as client:
            await booted(client, "2.0.1")
            main_meter = await client.call(
                "MeterValues",
                {
                    "evseId": 0,
                    "meterValue": [
                        {
                            "timestamp": "2026-11-26T10:00:00Z",
                            "sampledValue": [
                                {
                                    "value": 98765.4321,
                                    "context": "Sample.Clock",
                                    "unitOfMeasure": {"unit": "kWh"},
                                },
                                {
                                    "value": 49.98,
                                    "measurand": "Frequency",
                                    "context": "Sample.Clock",
                                },
                            ],
                        }
                    ],
                },
            )
            evse = await client.call(
                "MeterValues",
                {
                    "evseId": 2,
                    "meterValue": [
                        {
                            "timestamp": "2026-11-26T10:00:00Z",
                            "sampledValue": [
                                {
                                    "value": 15,
                                    "measurand": "Current.Import",
                                    "phase": "L2",
                                    "unitOfMeasure": {"unit": "A", "multiplier": -1},
                                }
                            ],
                        }
                    ],
                },
            )
        samples = await samples_of(node.database, "CS-M")
    assert main_meter[2] == {}
    assert evse[2] == {}
    assert [(s["evse_id"], s["transaction_id"], s["measurand"], s["value"]) for s in samples] == [
        (0, None, "Energy.Active.Import.Register", 98765.4321),
        (0, None, "Frequency", 49.98),
        (2, None, "Current.Import", 1.5),
    ]
