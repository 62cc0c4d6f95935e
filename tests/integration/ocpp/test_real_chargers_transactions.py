"""What real chargers send about transactions (PITFALLS "Real chargers" #1, #2, #5, #6, #7,
#8, #13, #16), as exact frames over a real socket; tolerated, stored and answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from shared.config import DatabaseSettings
from shared.domain.transactions import SUPERSEDED_STOP_REASON, TransactionStatus
from tests.harness import OcppClient, node_settings, ocpp_client, running_node
from tests.integration.ocpp.tx_support import (
    EventLog,
    add_token,
    booted,
    events_of,
    samples_of,
    transactions_of,
)


async def frame(client: OcppClient, text: str) -> list[object]:
    """Send `text` exactly as written and return the answer to it."""
    message_id = orjson.loads(text)[1]
    await client.send_raw(text)
    return await client.answer_to(message_id)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def test_1_timestamps_without_zone_or_with_short_offsets(
    db_settings: DatabaseSettings,
) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_token(node.database, "TAG-OK")
        async with ocpp_client(node.ocpp_port, "CP-TZ", "1.6") as client:
            await booted(client, "1.6")
            start = await frame(
                client,
                '[2,"s1","StartTransaction",{"connectorId":1,"idTag":"TAG-OK",'
                '"meterStart":0,"timestamp":"2026-11-26T10:00:00"}]',
            )
            tx = start[2]["transactionId"]  # type: ignore[index]
            await frame(
                client,
                f'[2,"m1","MeterValues",{{"connectorId":1,"transactionId":{tx},"meterValue":'
                '[{"timestamp":"2026-11-26 12:05:00+02","sampledValue":[{"value":"500"}]}]}]',
            )
            await frame(
                client,
                '[2,"m2","MeterValues",{"connectorId":0,"meterValue":'
                '[{"timestamp":"1970-01-01T00:00:10","sampledValue":[{"value":"1","context":"Sample.Clock"}]}]}]',
            )
            stop = await frame(
                client,
                f'[2,"t1","StopTransaction",{{"transactionId":{tx},"meterStop":900,'
                '"timestamp":"2026-11-26T12:30:00+0200"}]',
            )
        [stored] = await transactions_of(node.database, "CP-TZ")
        samples = await samples_of(node.database, "CP-TZ")
    assert stop[0] == 3
    assert stored.state.started_at == utc(2026, 11, 26, 10, 0)
    assert stored.state.ended_at == utc(2026, 11, 26, 10, 30)
    assert samples[0]["timestamp"] == utc(2026, 11, 26, 10, 5)
    # A clock that was never set is replaced by the time of receipt.
    assert samples[1]["timestamp"] > datetime.now(UTC) - timedelta(minutes=5)
    assert stored.state.energy_wh == 900


async def test_2_invented_transaction_ids(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_token(node.database, "TAG-OK")
        await add_token(node.database, "TAG-TWO")
        async with ocpp_client(node.ocpp_port, "CP-ID", "1.6") as client:
            await booted(client, "1.6")
            start = await frame(
                client,
                '[2,"s1","StartTransaction",{"connectorId":1,"idTag":"TAG-OK",'
                '"meterStart":100,"timestamp":"2026-11-26T10:00:00Z"}]',
            )
            await frame(
                client,
                '[2,"s2","StartTransaction",{"connectorId":2,"idTag":"TAG-TWO",'
                '"meterStart":0,"timestamp":"2026-11-26T10:01:00Z"}]',
            )
            # Meter values and stops naming 2^63−1: the station's only transaction of
            # that idTag is the one.
            meter = await frame(
                client,
                '[2,"m1","MeterValues",{"connectorId":1,"transactionId":9223372036854775807,'
                '"meterValue":[{"timestamp":"2026-11-26T10:10:00Z","sampledValue":[{"value":"300"}]}]}]',
            )
            stop_max = await frame(
                client,
                '[2,"t1","StopTransaction",{"transactionId":9223372036854775807,'
                '"idTag":"TAG-OK","meterStop":700,"timestamp":"2026-11-26T10:20:00Z"}]',
            )
            # −1 for a transaction started offline, 0 for "none": same rule.
            stop_minus = await frame(
                client,
                '[2,"t2","StopTransaction",{"transactionId":-1,"idTag":"TAG-TWO",'
                '"meterStop":50,"timestamp":"2026-11-26T10:21:00Z","reason":"Local"}]',
            )
            stop_zero = await frame(
                client,
                '[2,"t3","StopTransaction",{"transactionId":0,"meterStop":10,'
                '"timestamp":"2026-11-26T10:22:00Z","reason":"PowerLoss"}]',
            )
            stop_zero_again = await frame(
                client,
                '[2,"t4","StopTransaction",{"transactionId":0,"meterStop":10,'
                '"timestamp":"2026-11-26T10:22:00Z","reason":"PowerLoss"}]',
            )
        stored = await transactions_of(node.database, "CP-ID")
        samples = await samples_of(node.database, "CP-ID")
    assert meter[0] == 3
    assert samples[0]["transaction_id"] is None  # unknown id: stored, not linked
    assert stop_max[2] == {"idTagInfo": {"status": "Accepted"}}
    assert stop_minus[2] == {"idTagInfo": {"status": "Accepted"}}
    assert stop_zero[2] == {}
    assert stop_zero_again[2] == {}
    first, second, recorded = stored
    assert first.id == start[2]["transactionId"]  # type: ignore[index]
    assert (first.status, first.state.meter_stop_wh, first.energy_wh) == (
        TransactionStatus.COMPLETED,
        700,
        600,
    )
    assert (second.status, second.state.meter_stop_wh) == (TransactionStatus.COMPLETED, 50)
    # transactionId 0 with nothing to match: recorded once, as the stop says.
    assert recorded.status is TransactionStatus.COMPLETED
    assert recorded.state.stop_reason == "PowerLoss"
    assert recorded.state.ended_at == utc(2026, 11, 26, 10, 22)


async def test_5_values_outside_the_enums(db_settings: DatabaseSettings) -> None:
    meter_values = (
        '[2,"m1","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2026-11-26T10:00:00Z",'
        '"sampledValue":[{"value":"50.02","measurand":"Frequency","unit":"Hz"},'
        '{"value":"7400","measurand":"Request.Energy","unit":"Wh"}]}]}]'
    )
    async with running_node(node_settings(db_settings)) as node:
        async with ocpp_client(node.ocpp_port, "CP-LEN", "1.6") as client:
            await booted(client, "1.6")
            lenient = await frame(client, meter_values)
        samples = await samples_of(node.database, "CP-LEN")
    strict_settings = node_settings(db_settings, ocpp={"lenient": False})
    async with running_node(strict_settings) as node:
        async with ocpp_client(node.ocpp_port, "CP-STRICT", "1.6") as client:
            await booted(client, "1.6")
            strict = await frame(client, meter_values)
    assert lenient == [3, "m1", {}]
    assert [(s["measurand"], s["unit"], s["value"]) for s in samples] == [
        ("Frequency", "Hz", 50.02),
        ("Request.Energy", "Wh", 7400.0),
    ]
    assert strict[0] == 4
    assert strict[2] == "PropertyConstraintViolation"


async def test_6_offline_replay_in_1_6(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        events = EventLog(node.bus)
        await add_token(node.database, "TAG-OK")
        async with ocpp_client(node.ocpp_port, "CP-OFF", "1.6") as client:
            await booted(client, "1.6")
            old = await frame(
                client,
                '[2,"s1","StartTransaction",{"connectorId":1,"idTag":"TAG-OK",'
                '"meterStart":1000,"timestamp":"2026-11-26T08:00:00Z"}]',
            )
            old_id = old[2]["transactionId"]  # type: ignore[index]
            # The stop of `old` is lost; a new start on the same connector closes it.
            new = await frame(
                client,
                '[2,"s2","StartTransaction",{"connectorId":1,"idTag":"TAG-OK",'
                '"meterStart":3000,"timestamp":"2026-11-26T09:00:00Z"}]',
            )
            new_id = new[2]["transactionId"]  # type: ignore[index]
            closed = (await transactions_of(node.database, "CP-OFF"))[0]
            stop_new = (
                f'[2,"t1","StopTransaction",{{"transactionId":{new_id},"idTag":"TAG-OK",'
                '"meterStop":4500,"timestamp":"2026-11-26T09:30:00Z","reason":"Local"}]'
            )
            await frame(client, stop_new)
        # It reboots and replays its queue: the same stop again, then the lost stop of `old`.
        async with ocpp_client(node.ocpp_port, "CP-OFF", "1.6") as client:
            await booted(client, "1.6")
            again = await frame(client, stop_new.replace('"t1"', '"t9"'))
            late = await frame(
                client,
                f'[2,"t2","StopTransaction",{{"transactionId":{old_id},"idTag":"TAG-OK",'
                '"meterStop":2900,"timestamp":"2026-11-26T08:50:00Z","reason":"EVDisconnected"}]',
            )
        first, second = await transactions_of(node.database, "CP-OFF")
    assert closed.status is TransactionStatus.COMPLETED
    assert closed.state.stop_reason == SUPERSEDED_STOP_REASON
    assert closed.state.ended_at == utc(2026, 11, 26, 9, 0)
    assert again[2] == {"idTagInfo": {"status": "Accepted"}}
    assert late[2] == {"idTagInfo": {"status": "Accepted"}}
    assert (second.state.meter_stop_wh, second.energy_wh) == (4500, 1500)
    # The late stop is the real one: it replaces what we had to assume.
    assert first.state.stop_reason == "EVDisconnected"
    assert first.state.ended_at == utc(2026, 11, 26, 8, 50)
    assert (first.state.meter_stop_wh, first.energy_wh) == (2900, 1900)
    assert events.kinds(new_id) == ["TransactionStarted", "TransactionEnded"]
    assert events.kinds(old_id) == ["TransactionStarted", "TransactionEnded", "TransactionUpdated"]


async def test_6_offline_replay_in_2_0_1_out_of_order(db_settings: DatabaseSettings) -> None:
    # A station that was offline replays its queue; the late Updated (seqNo 2) arrives last.
    replay = [
        '[2,"e0","TransactionEvent",{"eventType":"Started","timestamp":"2026-11-26T08:00:00Z",'
        '"triggerReason":"Authorized","seqNo":0,"offline":true,"transactionInfo":'
        '{"transactionId":"OFF-1","chargingState":"Charging"},"idToken":{"idToken":"TAG-OK",'
        '"type":"ISO14443"},"evse":{"id":1,"connectorId":1},"meterValue":[{"timestamp":'
        '"2026-11-26T08:00:00Z","sampledValue":[{"value":1000,"context":"Transaction.Begin"}]}]}]',
        '[2,"e1","TransactionEvent",{"eventType":"Updated","timestamp":"2026-11-26T08:15:00Z",'
        '"triggerReason":"MeterValuePeriodic","seqNo":1,"offline":true,"transactionInfo":'
        '{"transactionId":"OFF-1"},"meterValue":[{"timestamp":"2026-11-26T08:15:00Z",'
        '"sampledValue":[{"value":2000}]}]}]',
        '[2,"e3","TransactionEvent",{"eventType":"Ended","timestamp":"2026-11-26T08:45:00Z",'
        '"triggerReason":"EVDeparted","seqNo":3,"offline":true,"transactionInfo":'
        '{"transactionId":"OFF-1","chargingState":"Idle","stoppedReason":"EVDisconnected"},'
        '"meterValue":[{"timestamp":"2026-11-26T08:45:00Z","sampledValue":[{"value":4000,'
        '"context":"Transaction.End"}]}]}]',
        '[2,"e2","TransactionEvent",{"eventType":"Updated","timestamp":"2026-11-26T08:30:00Z",'
        '"triggerReason":"ChargingStateChanged","seqNo":2,"offline":true,"transactionInfo":'
        '{"transactionId":"OFF-1","chargingState":"SuspendedEV"},"meterValue":[{"timestamp":'
        '"2026-11-26T08:30:00Z","sampledValue":[{"value":3000}]}]}]',
    ]
    async with running_node(node_settings(db_settings)) as node:
        events = EventLog(node.bus)
        await add_token(node.database, "TAG-OK")
        async with ocpp_client(node.ocpp_port, "CS-OFF", "2.0.1") as client:
            await booted(client, "2.0.1")
            answers = [await frame(client, text) for text in replay]
        [stored] = await transactions_of(node.database, "CS-OFF")
        stored_events = await events_of(node.database, stored.id)
        samples = await samples_of(node.database, "CS-OFF", stored.id)
    assert [a[0] for a in answers] == [3, 3, 3, 3]
    assert answers[0][2] == {"idTokenInfo": {"status": "Accepted"}}
    state = stored.state
    assert state.status is TransactionStatus.COMPLETED  # the late Updated did not reopen it
    assert state.ended_at == utc(2026, 11, 26, 8, 45)
    assert (state.meter_start_wh, state.meter_stop_wh, state.energy_wh) == (1000, 4000, 3000)
    assert (state.charging_state, state.stop_reason) == ("Idle", "EVDisconnected")
    assert state.offline
    assert [e[0] for e in stored_events] == [0, 1, 2, 3]
    assert len(samples) == 4
    # The late Updated changes nothing once the Ended is counted: no update is published.
    assert events.kinds(stored.id) == [
        "TransactionStarted",
        "TransactionUpdated",
        "TransactionEnded",
    ]


async def test_6_a_late_ended_and_a_late_started_in_2_0_1(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_token(node.database, "TAG-OK")
        async with ocpp_client(node.ocpp_port, "CS-LATE", "2.0.1") as client:
            await booted(client, "2.0.1")
            # Updated and a later Updated arrive first; the Started and the Ended come late.
            for text in (
                '[2,"u1","TransactionEvent",{"eventType":"Updated","timestamp":'
                '"2026-11-26T07:10:00Z","triggerReason":"MeterValuePeriodic","seqNo":1,'
                '"transactionInfo":{"transactionId":"L-1","chargingState":"Charging"},'
                '"meterValue":[{"timestamp":"2026-11-26T07:10:00Z","sampledValue":[{"value":600}]}]}]',
                '[2,"u3","TransactionEvent",{"eventType":"Updated","timestamp":'
                '"2026-11-26T07:30:00Z","triggerReason":"MeterValuePeriodic","seqNo":3,'
                '"transactionInfo":{"transactionId":"L-1"},"meterValue":[{"timestamp":'
                '"2026-11-26T07:30:00Z","sampledValue":[{"value":900}]}]}]',
            ):
                await frame(client, text)
            early = (await transactions_of(node.database, "CS-LATE"))[0]
            for text in (
                '[2,"e2","TransactionEvent",{"eventType":"Ended","timestamp":'
                '"2026-11-26T07:20:00Z","triggerReason":"StopAuthorized","seqNo":2,"offline":true,'
                '"transactionInfo":{"transactionId":"L-1","stoppedReason":"Local"},"idToken":'
                '{"idToken":"TAG-OK","type":"ISO14443"},"meterValue":[{"timestamp":'
                '"2026-11-26T07:20:00Z","sampledValue":[{"value":800}]}]}]',
                '[2,"s0","TransactionEvent",{"eventType":"Started","timestamp":'
                '"2026-11-26T07:00:00Z","triggerReason":"CablePluggedIn","seqNo":0,"offline":true,'
                '"transactionInfo":{"transactionId":"L-1"},"evse":{"id":3,"connectorId":1},'
                '"meterValue":[{"timestamp":"2026-11-26T07:00:00Z","sampledValue":[{"value":500}]}]}]',
            ):
                await frame(client, text)
        [stored] = await transactions_of(node.database, "CS-LATE")
    assert early.status is TransactionStatus.ACTIVE
    assert early.state.started_at == utc(2026, 11, 26, 7, 10)
    state = stored.state
    assert state.status is TransactionStatus.COMPLETED
    assert state.started_at == utc(2026, 11, 26, 7, 0)
    assert state.ended_at == utc(2026, 11, 26, 7, 20)
    # Counted up to the Ended (seqNo 2): 800 − 500; seqNo 3 came after the end.
    assert (state.meter_start_wh, state.energy_wh) == (500, 300)
    assert (state.evse_id, state.connector_id, state.id_token) == (3, 1, "TAG-OK")


async def test_7_meter_values_after_stop_and_clock_aligned_on_connector_0(
    db_settings: DatabaseSettings,
) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_token(node.database, "TAG-OK")
        async with ocpp_client(node.ocpp_port, "CP-AFTER", "1.6") as client:
            await booted(client, "1.6")
            start = await frame(
                client,
                '[2,"s1","StartTransaction",{"connectorId":1,"idTag":"TAG-OK",'
                '"meterStart":0,"timestamp":"2026-11-26T10:00:00Z"}]',
            )
            tx = start[2]["transactionId"]  # type: ignore[index]
            await frame(
                client,
                f'[2,"t1","StopTransaction",{{"transactionId":{tx},"meterStop":800,'
                '"timestamp":"2026-11-26T10:30:00Z"}]',
            )
            after = await frame(
                client,
                f'[2,"m1","MeterValues",{{"connectorId":1,"transactionId":{tx},"meterValue":'
                '[{"timestamp":"2026-11-26T10:30:01Z","sampledValue":[{"value":"810",'
                '"context":"Transaction.End"}]}]}]',
            )
            clock = await frame(
                client,
                '[2,"m2","MeterValues",{"connectorId":0,"meterValue":[{"timestamp":'
                '"2026-11-26T11:00:00Z","sampledValue":[{"value":"123456.789",'
                '"context":"Sample.Clock","measurand":"Energy.Active.Import.Register",'
                '"location":"Inlet","unit":"Wh"},{"value":"0.0","context":"Sample.Clock",'
                '"measurand":"Power.Active.Import","unit":"W"}]}]}]',
            )
        [stored] = await transactions_of(node.database, "CP-AFTER")
        samples = await samples_of(node.database, "CP-AFTER")
    assert after == [3, "m1", {}]
    assert clock == [3, "m2", {}]
    assert stored.energy_wh == 800  # a reading after the stop does not change the bill
    assert [(s["evse_id"], s["transaction_id"], s["value"]) for s in samples] == [
        (1, tx, 810.0),
        (0, None, 123456.789),
        (0, None, 0.0),
    ]


async def test_8_stop_for_a_transaction_never_seen(db_settings: DatabaseSettings) -> None:
    stop = (
        '[2,"t1","StopTransaction",{"transactionId":4711,"idTag":"TAG-OK","meterStop":5500,'
        '"timestamp":"2026-11-26T12:00:00Z","reason":"EVDisconnected","transactionData":'
        '[{"timestamp":"2026-11-26T11:00:00Z","sampledValue":[{"value":"2500",'
        '"context":"Transaction.Begin"}]},{"timestamp":"2026-11-26T12:00:00Z",'
        '"sampledValue":[{"value":"5500","context":"Transaction.End"}]}]}]'
    )
    async with running_node(node_settings(db_settings)) as node:
        events = EventLog(node.bus)
        await add_token(node.database, "TAG-OK")
        async with ocpp_client(node.ocpp_port, "CP-NEW", "1.6") as client:
            await booted(client, "1.6")
            answer = await frame(client, stop)
        async with ocpp_client(node.ocpp_port, "CP-NEW", "1.6") as client:
            await booted(client, "1.6")
            again = await frame(client, stop.replace('"t1"', '"t2"'))
        [stored] = await transactions_of(node.database, "CP-NEW")
        samples = await samples_of(node.database, "CP-NEW", stored.id)
    assert answer == [3, "t1", {"idTagInfo": {"status": "Accepted"}}]
    assert again == [3, "t2", {"idTagInfo": {"status": "Accepted"}}]
    state = stored.state
    assert state.status is TransactionStatus.COMPLETED
    assert (state.started_at, state.ended_at) == (utc(2026, 11, 26, 11), utc(2026, 11, 26, 12))
    assert (state.meter_start_wh, state.meter_stop_wh, state.energy_wh) == (2500, 5500, 3000)
    assert (stored.id_token, state.stop_reason) == ("TAG-OK", "EVDisconnected")
    assert len(samples) == 2
    assert events.kinds(stored.id) == ["TransactionStarted", "TransactionEnded"]


async def test_13_tokens_cut_or_suffixed_by_the_charger(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        await add_token(node.database, "04A2B3C4D5E6F708A1B2C3D4")  # 24 characters
        await add_token(node.database, "RFID-8812")
        async with ocpp_client(node.ocpp_port, "CP-TOK", "1.6") as client:
            await booted(client, "1.6")
            cut = await frame(client, '[2,"a1","Authorize",{"idTag":"04A2B3C4D5E6F708A1B2"}]')
            suffixed = await frame(
                client,
                '[2,"s1","StartTransaction",{"connectorId":1,"idTag":"RFID-8812-SN0042",'
                '"meterStart":0,"timestamp":"2026-11-26T10:00:00Z"}]',
            )
    assert cut[2] == {"idTagInfo": {"status": "Accepted"}}
    assert suffixed[2]["idTagInfo"] == {"status": "Accepted"}  # type: ignore[index]


async def test_16_current_per_phase_as_line_to_neutral(db_settings: DatabaseSettings) -> None:
    async with running_node(node_settings(db_settings)) as node:
        async with ocpp_client(node.ocpp_port, "CP-PH", "1.6") as client:
            await booted(client, "1.6")
            answer = await frame(
                client,
                '[2,"m1","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":'
                '"2026-11-26T10:00:00Z","sampledValue":[{"value":"15.9","measurand":'
                '"Current.Import","phase":"L1-N","unit":"A"},{"value":"16.0","measurand":'
                '"Current.Import","phase":"L2-N","unit":"A"},{"value":"16.1","measurand":'
                '"Current.Import","phase":"L3-N","unit":"A"}]}]}]',
            )
        samples = await samples_of(node.database, "CP-PH")
    assert answer == [3, "m1", {}]
    assert [(s["phase"], s["value"]) for s in samples] == [
        ("L1-N", 15.9),
        ("L2-N", 16.0),
        ("L3-N", 16.1),
    ]
