"""The CSMS in charge: remote start/stop, reset, availability, unlock."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from simulators.chargepoint import StopReason

from .fake_csms import FakeCsms
from .helpers import event_types, statuses_v16, tx_events

STATION = "CP-1"


async def test_v16_remote_start_then_remote_stop(csms: FakeCsms, start_station: Any) -> None:
    station, _ = await start_station(version="1.6")
    answer = await csms.call(
        STATION, call16.RemoteStartTransaction(id_tag="APP-42", connector_id=2)
    )
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "StartTransaction"))
    start = csms.messages(STATION, "StartTransaction")[0].payload
    assert (start["idTag"], start["connectorId"]) == ("APP-42", 2)
    # AuthorizeRemoteTxRequests is true: the tag was authorized first.
    assert csms.messages(STATION, "Authorize")[0].payload["idTag"] == "APP-42"
    await csms.wait_for(lambda: station.active_transactions()[0].transaction_id is not None)

    tx_id = int(station.active_transactions()[0].transaction_id)
    answer = await csms.call(STATION, call16.RemoteStopTransaction(transaction_id=tx_id))
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "StopTransaction"))
    stop = csms.messages(STATION, "StopTransaction")[0].payload
    assert (stop["transactionId"], stop["reason"]) == (tx_id, "Remote")
    unknown = await csms.call(STATION, call16.RemoteStopTransaction(transaction_id=tx_id))
    assert unknown.status == "Rejected"


async def test_v16_remote_start_on_a_busy_connector_is_rejected(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="1.6")
    station.charging.start_session(1, duration=30)
    await csms.wait_for(lambda: station.active_transactions())
    answer = await csms.call(STATION, call16.RemoteStartTransaction(id_tag="X", connector_id=1))
    assert answer.status == "Rejected"


async def test_v201_request_start_echoes_remote_start_id(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="2.0.1")
    answer = await csms.call(
        STATION,
        call201.RequestStartTransaction(
            id_token={"id_token": "APP-42", "type": "Central"}, remote_start_id=4711, evse_id=2
        ),
    )
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: "Started" in event_types(csms, STATION))
    started = tx_events(csms, STATION)[0]
    assert started["triggerReason"] == "RemoteStart"
    assert started["transactionInfo"]["remoteStartId"] == 4711
    assert started["evse"]["id"] == 2
    assert started["idToken"] == {"idToken": "APP-42", "type": "Central"}

    tx_id = started["transactionInfo"]["transactionId"]
    answer = await csms.call(STATION, call201.RequestStopTransaction(transaction_id=tx_id))
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: "Ended" in event_types(csms, STATION))
    ended = tx_events(csms, STATION)[-1]
    assert ended["triggerReason"] == "RemoteStop"
    assert ended["transactionInfo"]["stoppedReason"] == "Remote"


async def test_v16_soft_reset_stops_the_transaction_reconnects_and_boots_again(
    csms: FakeCsms, start_station: Any
) -> None:
    station, recorder = await start_station(version="1.6")
    station.charging.start_session(1, duration=60)
    await csms.wait_for(lambda: csms.messages(STATION, "StartTransaction"))
    answer = await csms.call(STATION, call16.Reset(type="Soft"))
    assert answer.status == "Accepted"

    def after_reboot() -> list[str]:
        return [m.action for m in csms.received if m.connection == 1]

    await csms.wait_for(lambda: after_reboot().count("StatusNotification") == 3)
    before = [m.action for m in csms.received if m.connection == 0]
    # §5.14: a soft reset stops the transaction before the reboot.
    assert "StopTransaction" in before
    assert csms.messages(STATION, "StopTransaction")[0].payload["reason"] == "SoftReset"
    assert after_reboot()[:4] == ["BootNotification"] + ["StatusNotification"] * 3
    assert recorder.kinds().count("booted") == 2
    # After the reboot every connector is free again.
    rebooted = [
        (m.payload["connectorId"], m.payload["status"])
        for m in csms.received
        if m.connection == 1 and m.action == "StatusNotification"
    ]
    assert rebooted == [(0, "Available"), (1, "Available"), (2, "Available")]


async def test_v16_hard_reset_sends_the_stop_after_the_reboot(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="1.6")
    station.charging.start_session(1, duration=60)
    await csms.wait_for(
        lambda: station.active_transactions() and station.active_transactions()[0].transaction_id
    )
    await csms.call(STATION, call16.Reset(type="Hard"))
    await csms.wait_for(lambda: csms.messages(STATION, "StopTransaction"))
    stop = csms.messages(STATION, "StopTransaction")[0]
    assert stop.payload["reason"] == "HardReset"
    assert stop.connection == 1
    second = [m.action for m in csms.received if m.connection == 1]
    assert second[:2] == ["BootNotification", "StopTransaction"]


async def test_v201_reset_ends_the_transaction_and_reboots_with_reason(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="2.0.1")
    station.charging.start_session(1, duration=60)
    await csms.wait_for(lambda: "Started" in event_types(csms, STATION))
    answer = await csms.call(STATION, call201.Reset(type="Immediate"))
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: len(csms.connections[STATION]) == 2 and station.online)

    ended = tx_events(csms, STATION)[-1]
    assert ended["eventType"] == "Ended"
    assert ended["triggerReason"] == "ResetCommand"
    assert ended["transactionInfo"]["stoppedReason"] == "ImmediateReset"
    boots = csms.messages(STATION, "BootNotification")
    assert [b.payload["reason"] for b in boots] == ["PowerUp", "RemoteReset"]


async def test_v201_on_idle_reset_waits_for_the_session_to_end(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="2.0.1", evses=1)
    station.charging.start_session(1, duration=1.0, ending=StopReason.EV_DISCONNECTED)
    await csms.wait_for(lambda: station.active_transactions())
    answer = await csms.call(STATION, call201.Reset(type="OnIdle"))
    assert answer.status == "Scheduled"
    await csms.wait_for(lambda: len(csms.messages(STATION, "BootNotification")) == 2)
    # The session ended by itself, not by the reset.
    assert tx_events(csms, STATION)[-1]["transactionInfo"]["stoppedReason"] == "EVDisconnected"


async def test_v16_change_availability_now_and_scheduled(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="1.6")
    answer = await csms.call(STATION, call16.ChangeAvailability(connector_id=2, type="Inoperative"))
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: statuses_v16(csms, STATION, 2)[-1:] == ["Unavailable"])
    # A station that is unavailable refuses remote starts there.
    refused = await csms.call(STATION, call16.RemoteStartTransaction(id_tag="X", connector_id=2))
    assert refused.status == "Rejected"

    station.charging.start_session(1, duration=1.0, ending=StopReason.EV_DISCONNECTED)
    await csms.wait_for(lambda: station.active_transactions())
    answer = await csms.call(STATION, call16.ChangeAvailability(connector_id=1, type="Inoperative"))
    assert answer.status == "Scheduled"
    await csms.wait_for(lambda: statuses_v16(csms, STATION, 1)[-1:] == ["Unavailable"])
    assert statuses_v16(csms, STATION, 1)[-2] == "Available"  # the session ended first

    answer = await csms.call(STATION, call16.ChangeAvailability(connector_id=0, type="Operative"))
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: statuses_v16(csms, STATION, 1)[-1:] == ["Available"])


async def test_v201_change_availability_of_one_evse(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="2.0.1")
    answer = await csms.call(
        STATION,
        call201.ChangeAvailability(operational_status="Inoperative", evse={"id": 2}),
    )
    assert answer.status == "Accepted"
    await csms.wait_for(
        lambda: any(
            m.payload["evseId"] == 2 and m.payload["connectorStatus"] == "Unavailable"
            for m in csms.messages(STATION, "StatusNotification")
        )
    )
    missing = await csms.call(
        STATION, call201.ChangeAvailability(operational_status="Operative", evse={"id": 9})
    )
    assert missing.status == "Rejected"


async def test_v16_unlock_ends_the_session_on_that_connector(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="1.6")
    station.charging.start_session(1, duration=60)
    await csms.wait_for(
        lambda: station.active_transactions() and station.active_transactions()[0].transaction_id
    )
    answer = await csms.call(STATION, call16.UnlockConnector(connector_id=1))
    assert answer.status == "Unlocked"
    await csms.wait_for(lambda: csms.messages(STATION, "StopTransaction"))
    assert csms.messages(STATION, "StopTransaction")[0].payload["reason"] == "UnlockCommand"
    missing = await csms.call(STATION, call16.UnlockConnector(connector_id=9))
    assert missing.status == "NotSupported"


async def test_v201_unlock_refused_during_a_transaction(csms: FakeCsms, start_station: Any) -> None:
    station, _ = await start_station(version="2.0.1")
    station.charging.start_session(1, duration=60)
    await csms.wait_for(lambda: station.active_transactions())
    answer = await csms.call(STATION, call201.UnlockConnector(evse_id=1, connector_id=1))
    assert answer.status == "OngoingAuthorizedTransaction"
    free = await csms.call(STATION, call201.UnlockConnector(evse_id=2, connector_id=1))
    assert free.status == "Unlocked"
    missing = await csms.call(STATION, call201.UnlockConnector(evse_id=2, connector_id=5))
    assert missing.status == "UnknownConnector"
