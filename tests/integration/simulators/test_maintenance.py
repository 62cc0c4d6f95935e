"""Firmware updates, diagnostics/log uploads, reservations, data transfer, status queries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from .fake_csms import FakeCsms
from .helpers import statuses_v16, tx_events

STATION = "CP-1"


def _in(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def test_v16_update_firmware_walks_the_statuses_and_reboots_into_the_new_version(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="1.6")
    await csms.call(
        STATION,
        call16.UpdateFirmware(location="https://127.0.0.1/fw/sim-2.1.0.bin", retrieve_date=_in(0)),
    )

    def statuses() -> list[str]:
        return [m.payload["status"] for m in csms.messages(STATION, "FirmwareStatusNotification")]

    await csms.wait_for(lambda: statuses()[-1:] == ["Installed"])
    assert statuses() == ["Downloading", "Downloaded", "Installing", "Installed"]
    boots = [m.payload["firmwareVersion"] for m in csms.messages(STATION, "BootNotification")]
    assert boots == ["1.4.2", "2.1.0"]
    installed = csms.messages(STATION, "FirmwareStatusNotification")[-1]
    assert installed.connection == 1  # reported by the new firmware, after the reboot


async def test_v16_update_firmware_from_an_unusable_location_fails_the_download(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="1.6")
    await csms.call(STATION, call16.UpdateFirmware(location="not a url", retrieve_date=_in(0)))
    await csms.wait_for(lambda: len(csms.messages(STATION, "FirmwareStatusNotification")) == 2)
    statuses = [m.payload["status"] for m in csms.messages(STATION, "FirmwareStatusNotification")]
    assert statuses == ["Downloading", "DownloadFailed"]


async def test_v201_update_firmware_reports_request_id_and_boot_reason(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="2.0.1")
    answer = await csms.call(
        STATION,
        call201.UpdateFirmware(
            request_id=31,
            firmware={
                "location": "https://127.0.0.1/fw/sim-3.0.1.bin",
                "retrieve_date_time": _in(0),
            },
        ),
    )
    assert answer.status == "Accepted"
    await csms.wait_for(
        lambda: any(
            m.payload["status"] == "Installed"
            for m in csms.messages(STATION, "FirmwareStatusNotification")
        )
    )
    notes = [m.payload for m in csms.messages(STATION, "FirmwareStatusNotification")]
    assert [n["status"] for n in notes] == [
        "Downloading",
        "Downloaded",
        "Installing",
        "InstallRebooting",
        "Installed",
    ]
    assert {n["requestId"] for n in notes} == {31}
    boot = csms.messages(STATION, "BootNotification")[-1].payload
    assert boot["reason"] == "FirmwareUpdate"
    assert boot["chargingStation"]["firmwareVersion"] == "3.0.1"


async def test_v16_get_diagnostics_uploads(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="1.6")
    answer = await csms.call(STATION, call16.GetDiagnostics(location="ftp://127.0.0.1/logs/"))
    assert answer.file_name.startswith("CP-1-")
    await csms.wait_for(lambda: len(csms.messages(STATION, "DiagnosticsStatusNotification")) == 2)
    statuses = [
        m.payload["status"] for m in csms.messages(STATION, "DiagnosticsStatusNotification")
    ]
    assert statuses == ["Uploading", "Uploaded"]


async def test_v201_get_log_uploads_with_request_id(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="2.0.1")
    answer = await csms.call(
        STATION,
        call201.GetLog(
            log={"remote_location": "https://127.0.0.1/upload"},
            log_type="DiagnosticsLog",
            request_id=12,
        ),
    )
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: len(csms.messages(STATION, "LogStatusNotification")) == 2)
    notes = [m.payload for m in csms.messages(STATION, "LogStatusNotification")]
    assert notes == [
        {"status": "Uploading", "requestId": 12},
        {"status": "Uploaded", "requestId": 12},
    ]


async def test_v16_reservation_expires_and_a_reserved_start_carries_its_id(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="1.6")
    reserve = await csms.call(
        STATION,
        call16.ReserveNow(connector_id=2, expiry_date=_in(0.6), id_tag="R-1", reservation_id=7),
    )
    assert reserve.status == "Accepted"
    await csms.wait_for(lambda: statuses_v16(csms, STATION, 2)[-2:] == ["Reserved", "Available"])

    reserve = await csms.call(
        STATION,
        call16.ReserveNow(connector_id=1, expiry_date=_in(60), id_tag="R-2", reservation_id=8),
    )
    assert reserve.status == "Accepted"
    other = await csms.call(STATION, call16.RemoteStartTransaction(id_tag="X", connector_id=1))
    assert other.status == "Rejected"  # reserved for someone else
    mine = await csms.call(STATION, call16.RemoteStartTransaction(id_tag="R-2", connector_id=1))
    assert mine.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "StartTransaction"))
    assert csms.messages(STATION, "StartTransaction")[0].payload["reservationId"] == 8
    gone = await csms.call(STATION, call16.CancelReservation(reservation_id=8))
    assert gone.status == "Rejected"  # used up by the start


async def test_v201_reservation_expiry_is_reported(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="2.0.1")
    answer = await csms.call(
        STATION,
        call201.ReserveNow(
            id=5,
            expiry_date_time=_in(0.6),
            id_token={"id_token": "R-1", "type": "Central"},
            evse_id=1,
        ),
    )
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "ReservationStatusUpdate"))
    update = csms.messages(STATION, "ReservationStatusUpdate")[0].payload
    assert update == {"reservationId": 5, "reservationUpdateStatus": "Expired"}
    anywhere = await csms.call(
        STATION,
        call201.ReserveNow(
            id=6, expiry_date_time=_in(60), id_token={"id_token": "R-1", "type": "Central"}
        ),
    )
    assert anywhere.status == "Rejected"  # NonEvseSpecific is false
    cancel = await csms.call(STATION, call201.CancelReservation(reservation_id=6))
    assert cancel.status == "Rejected"


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_data_transfer_meter_readings(
    csms: FakeCsms, start_station: Any, version: str
) -> None:
    station, _ = await start_station(version=version)
    call = call16 if version == "1.6" else call201
    answer = await csms.call(
        STATION, call.DataTransfer(vendor_id="Laddpunkt", message_id="GetMeterReadings")
    )
    assert answer.status == "Accepted"
    readings = json.loads(answer.data)
    assert [r["evse_id"] for r in readings] == [1, 2]
    assert readings[0]["energy_wh"] == round(station.charging.evses[0].meter.register_wh, 2)
    other = await csms.call(STATION, call.DataTransfer(vendor_id="Elsewhere"))
    assert other.status == "UnknownVendorId"
    unknown = await csms.call(STATION, call.DataTransfer(vendor_id="Laddpunkt", message_id="x"))
    assert unknown.status == "UnknownMessageId"


async def test_v201_get_transaction_status(csms: FakeCsms, start_station: Any) -> None:
    station, _ = await start_station(version="2.0.1")
    station.charging.start_session(1, duration=60)
    await csms.wait_for(lambda: csms.messages(STATION, "TransactionEvent"))
    tx_id = tx_events(csms, STATION)[0]["transactionInfo"]["transactionId"]
    answer = await csms.call(STATION, call201.GetTransactionStatus(transaction_id=tx_id))
    assert answer.ongoing_indicator is True
    assert answer.messages_in_queue is False
    unknown = await csms.call(STATION, call201.GetTransactionStatus(transaction_id="nope"))
    assert unknown.ongoing_indicator is False


async def test_v16_cancel_a_reservation_frees_the_connector(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="1.6")
    await csms.call(
        STATION,
        call16.ReserveNow(connector_id=1, expiry_date=_in(60), id_tag="R-1", reservation_id=3),
    )
    await csms.wait_for(lambda: statuses_v16(csms, STATION, 1)[-1:] == ["Reserved"])
    occupied = await csms.call(
        STATION,
        call16.ReserveNow(connector_id=1, expiry_date=_in(60), id_tag="R-2", reservation_id=4),
    )
    assert occupied.status == "Occupied"
    cancel = await csms.call(STATION, call16.CancelReservation(reservation_id=3))
    assert cancel.status == "Accepted"
    await csms.wait_for(lambda: statuses_v16(csms, STATION, 1)[-1:] == ["Available"])
    zero = await csms.call(
        STATION,
        call16.ReserveNow(connector_id=0, expiry_date=_in(60), id_tag="R-1", reservation_id=5),
    )
    assert zero.status == "Rejected"  # ReserveConnectorZeroSupported is false


async def test_v201_station_wide_inoperative_and_back(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="2.0.1")

    def latest() -> dict[int, str]:
        found: dict[int, str] = {}
        for m in csms.messages(STATION, "StatusNotification"):
            found[m.payload["evseId"]] = m.payload["connectorStatus"]
        return found

    answer = await csms.call(STATION, call201.ChangeAvailability(operational_status="Inoperative"))
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: latest() == {1: "Unavailable", 2: "Unavailable"})
    refused = await csms.call(
        STATION,
        call201.RequestStartTransaction(
            id_token={"id_token": "X", "type": "Central"}, remote_start_id=1
        ),
    )
    assert refused.status == "Rejected"
    answer = await csms.call(STATION, call201.ChangeAvailability(operational_status="Operative"))
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: latest() == {1: "Available", 2: "Available"})
