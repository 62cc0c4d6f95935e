"""Connection losses: reconnect with back-off, queue transaction messages, deliver in order."""

from __future__ import annotations

from typing import Any

from simulators.chargepoint import Station, StopReason

from .fake_csms import FakeCsms
from .helpers import sampled, tx_events

STATION = "CP-1"
OUTAGE_S = 2.5


async def _cut_between_messages(csms: FakeCsms, station: Station) -> None:
    """Drop the link while nothing is in flight, so that every message is sent once.

    (An outage in the middle of an exchange makes the station send that message again
    after reconnecting, as real ones do; the CSMS must then recognise the repeat.)
    """
    await csms.wait_for(lambda: len(station.outbox) == 0)
    station.drop_connection(OUTAGE_S)
    await csms.wait_for(lambda: not station.connected)


async def test_v201_outage_mid_transaction_delivers_offline_events_in_order(
    csms: FakeCsms, start_station: Any
) -> None:
    station, recorder = await start_station(version="2.0.1", evses=1)
    station.charging.start_session(1, duration=600, ending=StopReason.LOCAL)
    await csms.wait_for(lambda: len(tx_events(csms, STATION)) >= 3)
    await _cut_between_messages(csms, station)
    await csms.wait_for(lambda: station.online, timeout=20)
    await csms.wait_for(
        lambda: any(
            m.connection == 1 and not m.payload.get("offline")
            for m in csms.messages(STATION, "TransactionEvent")
        )
    )
    tx = station.active_transactions()[0]
    station.charging.stop(tx, StopReason.LOCAL)
    await csms.wait_for(lambda: tx_events(csms, STATION)[-1]["eventType"] == "Ended")

    events = tx_events(csms, STATION)
    # Nothing lost, nothing doubled: seqNo 0..n, each once, and n+1 events generated.
    assert [e["seqNo"] for e in events] == list(range(len(events)))
    assert tx.next_seq_no() == len(events)
    offline = [m for m in csms.messages(STATION, "TransactionEvent") if m.payload.get("offline")]
    assert offline, "the events of the outage were not marked offline"
    assert all(m.connection == 1 for m in offline)  # delivered after the reconnect
    # Reconnecting is not rebooting: no second BootNotification (B01).
    assert len(csms.messages(STATION, "BootNotification")) == 1
    energy = sampled(
        [v for e in events for v in e.get("meterValue", [])], "Energy.Active.Import.Register"
    )
    assert energy == sorted(energy)
    assert recorder.kinds().count("connected") == 2
    assert recorder.kinds().count("disconnected") == 1
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)


async def test_v16_outage_mid_transaction_delivers_queued_meter_values_and_stop(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="1.6", evses=1)
    station.charging.start_session(1, duration=600, ending=StopReason.LOCAL)
    await csms.wait_for(lambda: len(csms.messages(STATION, "MeterValues")) >= 2)
    await _cut_between_messages(csms, station)
    dropped_with = len(csms.messages(STATION, "MeterValues"))
    await csms.wait_for(lambda: station.online, timeout=20)
    tx = station.active_transactions()[0]
    station.charging.stop(tx, StopReason.LOCAL)
    await csms.wait_for(lambda: csms.messages(STATION, "StopTransaction"))

    assert csms.messages(STATION, "StartTransaction")[0].connection == 0  # before the outage
    values = csms.messages(STATION, "MeterValues")
    after = values[dropped_with:]
    assert after, "the meter values of the outage were lost"
    assert all(m.connection == 1 for m in after)
    stamps = [m.payload["meterValue"][0]["timestamp"] for m in values]
    assert stamps == sorted(set(stamps))  # in order, none twice
    assert {m.payload["transactionId"] for m in values} == {
        csms.messages(STATION, "StopTransaction")[0].payload["transactionId"]
    }
    # The stop came last, after every queued meter value.
    actions = [m.action for m in csms.received if m.action in ("MeterValues", "StopTransaction")]
    assert actions[-1] == "StopTransaction"


async def test_v16_session_started_offline_gets_its_id_after_reconnecting(
    csms: FakeCsms, start_station: Any
) -> None:
    station, recorder = await start_station(version="1.6", evses=1)
    # A first session online puts the tag in the authorization cache ...
    station.charging.start_session(
        1, id_tag="CACHED", duration=0.5, ending=StopReason.EV_DISCONNECTED
    )
    await csms.wait_for(lambda: csms.messages(STATION, "StopTransaction"))
    await csms.wait_for(lambda: station.charging.evses[0].idle)
    await _cut_between_messages(csms, station)
    # ... so that offline, LocalAuthorizeOffline lets the same card start a session.
    assert station.charging.start_session(
        1, id_tag="CACHED", duration=1.2, ending=StopReason.EV_DISCONNECTED
    )
    assert station.active_transactions()[0].started_offline
    await csms.wait_for(lambda: len(csms.messages(STATION, "StopTransaction")) == 2, timeout=20)

    start, stop = (
        csms.messages(STATION, name)[1] for name in ("StartTransaction", "StopTransaction")
    )
    assert start.connection == stop.connection == 1
    assert (
        stop.payload["transactionId"]
        != csms.messages(STATION, "StopTransaction")[0].payload["transactionId"]
    )
    # The stop carries the id the CSMS gave the queued start.
    started = [e for e in recorder.events if e.kind == "transaction_started"]
    assert started[1].data["offline"] is True


async def test_reconnects_with_backoff_while_the_csms_is_down(
    csms: FakeCsms, start_station: Any
) -> None:
    station, recorder = await start_station(version="2.0.1")
    await csms.stop()  # the CSMS goes away: connections close, new ones are refused
    await csms.wait_for(lambda: not station.connected)
    await csms.wait_for(
        lambda: sum(1 for e in recorder.events if e.data.get("what") == "connect_failed") >= 3
    )
    assert station.backoff.attempt >= 3
