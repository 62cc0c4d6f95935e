"""OCPP 1.6 reports over real sockets: firmware, diagnostics, the security whitepaper's
notifications and DataTransfer, stored in SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from csms.data_transfer import (
    DataTransferRegistry,
    DataTransferReply,
    DataTransferRequest,
    DataTransferStatus,
)
from shared.config import DatabaseSettings
from shared.store.station_events import (
    StationEventKind,
    list_station_events,
    station_report_summary,
)
from shared.usecases.station_reports import StationNoticeReceived
from tests.harness import node_settings, ocpp_client, open_database, running_node
from tests.integration.ocpp.vendor_node import node_with_vendors

BOOT = {"chargePointVendor": "Acme", "chargePointModel": "AC-22"}
STATION = "CP-R16"


async def _boot(client: Any) -> None:
    answer = await client.call("BootNotification", BOOT)
    assert answer[2]["status"] == "Accepted"


async def test_firmware_and_diagnostics_progress(db_settings: DatabaseSettings) -> None:
    seen: list[StationNoticeReceived] = []
    async with running_node(node_settings(db_settings)) as node:
        node.bus.subscribe(StationNoticeReceived, seen.append)
        async with ocpp_client(node.ocpp_port, STATION) as client:
            await _boot(client)
            for status in ("Downloading", "Downloaded", "Installing", "Installed"):
                answer = await client.call("FirmwareStatusNotification", {"status": status})
                assert answer == [3, answer[1], {}]
            for status in ("Uploading", "Uploaded"):
                answer = await client.call("DiagnosticsStatusNotification", {"status": status})
                assert answer == [3, answer[1], {}]
    async with open_database(db_settings) as conn:
        summary = await station_report_summary(conn, STATION)
        firmware = await list_station_events(conn, STATION, [StationEventKind.FIRMWARE_STATUS])
    assert summary.firmware is not None
    assert summary.firmware.status == "Installed"
    assert summary.firmware.request_id is None
    assert summary.upload is not None
    assert (summary.upload.kind, summary.upload.status) == ("diagnostics_status", "Uploaded")
    assert [event.data["status"] for event in firmware] == [
        "Installed",
        "Installing",
        "Downloaded",
        "Downloading",
    ]
    assert [(n.kind, n.status) for n in seen][-2:] == [
        ("diagnostics_status", "Uploading"),
        ("diagnostics_status", "Uploaded"),
    ]


async def test_security_whitepaper_notifications(db_settings: DatabaseSettings) -> None:
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION) as client,
    ):
        await _boot(client)
        # A timestamp without a zone (PITFALLS "Real chargers" #1) is read as UTC.
        event = await client.call(
            "SecurityEventNotification",
            {
                "type": "InvalidCentralSystemCertificate",
                "timestamp": "2026-11-26T10:00:00",
                "techInfo": "chain incomplete",
            },
        )
        assert event == [3, event[1], {}]
        signed = await client.call(
            "SignedFirmwareStatusNotification", {"status": "SignatureVerified", "requestId": 7}
        )
        assert signed[0] == 3
        log = await client.call("LogStatusNotification", {"status": "Uploading", "requestId": 9})
        assert log[0] == 3
        csr = await client.call("SignCertificate", {"csr": "-----BEGIN CERTIFICATE REQUEST-----"})
        assert csr[0] == 4
        assert csr[2] == "NotSupported"
    async with open_database(db_settings) as conn:
        summary = await station_report_summary(conn, STATION)
    assert summary.last_security_event is not None
    assert summary.last_security_event.data["techInfo"] == "chain incomplete"
    assert summary.last_security_event.timestamp == datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert summary.firmware is not None
    assert (summary.firmware.status, summary.firmware.request_id) == ("SignatureVerified", 7)
    assert summary.upload is not None
    assert (summary.upload.kind, summary.upload.request_id) == ("log_status", 9)


async def test_data_transfer_without_vendor_is_unknown_vendor(
    db_settings: DatabaseSettings,
) -> None:
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION) as client,
    ):
        await _boot(client)
        answer = await client.call(
            "DataTransfer", {"vendorId": "com.acme", "messageId": "Hello", "data": "x=1"}
        )
    assert answer == [3, answer[1], {"status": "UnknownVendorId"}]
    async with open_database(db_settings) as conn:
        events = await list_station_events(conn, STATION, [StationEventKind.DATA_TRANSFER])
    assert len(events) == 1
    assert events[0].data["vendorId"] == "com.acme"
    assert events[0].data["data"] == "x=1"
    assert events[0].data["answer"]["status"] == "UnknownVendorId"


async def test_data_transfer_with_vendor_handler(db_settings: DatabaseSettings) -> None:
    received: list[DataTransferRequest] = []

    async def acme(request: DataTransferRequest) -> DataTransferReply:
        received.append(request)
        if request.message_id == "Boom":
            raise RuntimeError("vendor bug")
        if request.message_id != "Price":
            return DataTransferReply(DataTransferStatus.UNKNOWN_MESSAGE_ID)
        return DataTransferReply(DataTransferStatus.ACCEPTED, data={"price": "0.25"})

    registry = DataTransferRegistry()
    registry.register("com.acme", acme)
    async with (
        node_with_vendors(node_settings(db_settings), registry) as node,
        ocpp_client(node.ocpp_port, STATION) as client,
    ):
        await _boot(client)
        # vendorId is a CiString in 1.6: matched case-insensitively.
        price = await client.call("DataTransfer", {"vendorId": "COM.ACME", "messageId": "Price"})
        other = await client.call("DataTransfer", {"vendorId": "com.acme", "messageId": "Nope"})
        boom = await client.call("DataTransfer", {"vendorId": "com.acme", "messageId": "Boom"})
    # 1.6 data is a string: the handler's JSON object goes out in its JSON spelling.
    assert price[2] == {"status": "Accepted", "data": '{"price":"0.25"}'}
    assert other[2] == {"status": "UnknownMessageId"}
    assert boom[2] == {"status": "Rejected"}
    assert [r.ocpp_version for r in received] == ["1.6"] * 3
    async with open_database(db_settings) as conn:
        events = await list_station_events(conn, STATION, [StationEventKind.DATA_TRANSFER])
    assert [e.data["answer"]["status"] for e in events] == [
        "Rejected",
        "UnknownMessageId",
        "Accepted",
    ]
    assert events[0].data["answer"]["reason"] == "InternalError"


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        ("FirmwareStatusNotification", {}, "OccurenceConstraintViolation"),
        ("FirmwareStatusNotification", {"status": 3}, "TypeConstraintViolation"),
        (
            "FirmwareStatusNotification",
            {"status": "Installed", "requestId": 1},
            "FormationViolation",
        ),
        ("DiagnosticsStatusNotification", {"status": "Done"}, "PropertyConstraintViolation"),
        ("DataTransfer", {"vendorId": "x", "data": {"a": 1}}, "TypeConstraintViolation"),
        ("DataTransfer", {"vendorId": "v" * 256}, "PropertyConstraintViolation"),
        ("SecurityEventNotification", {"type": "X"}, "OccurenceConstraintViolation"),
    ],
)
async def test_malformed_reports_get_the_1_6_error_code(
    db_settings: DatabaseSettings, action: str, payload: dict[str, Any], code: str
) -> None:
    settings = node_settings(db_settings, ocpp={"lenient": False})
    async with running_node(settings) as node, ocpp_client(node.ocpp_port, STATION) as client:
        await _boot(client)
        answer = await client.call(action, payload)
    assert answer[0] == 4
    assert answer[2] == code
    async with open_database(db_settings) as conn:
        assert await list_station_events(conn, STATION) == []


async def test_lenient_station_keeps_an_unknown_status(db_settings: DatabaseSettings) -> None:
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION) as client,
    ):
        await _boot(client)
        answer = await client.call("FirmwareStatusNotification", {"status": "Verifying"})
    assert answer[0] == 3
    async with open_database(db_settings) as conn:
        summary = await station_report_summary(conn, STATION)
    assert summary.firmware is not None
    assert summary.firmware.status == "Verifying"


async def test_pending_station_may_not_report(db_settings: DatabaseSettings) -> None:
    settings = node_settings(db_settings, ocpp={"unknown_stations": "pending"})
    async with running_node(settings) as node, ocpp_client(node.ocpp_port, STATION) as client:
        boot = await client.call("BootNotification", BOOT)
        assert boot[2]["status"] == "Pending"
        answer = await client.call("FirmwareStatusNotification", {"status": "Installed"})
    assert answer[0] == 4
    assert answer[2] == "SecurityError"
