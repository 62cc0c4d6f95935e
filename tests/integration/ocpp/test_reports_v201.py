"""OCPP 2.0.1 reports over real sockets, stored in SQLite and PostgreSQL: the device model
(NotifyReport in parts, NotifyEvent), diagnostics, firmware, security, smart charging,
reservations, display messages and DataTransfer — and the CALLERRORs for malformed ones.

Payloads use the component and variable names of Part 2's standardized device model
(OCPPCommCtrlr, AuthCtrlr, EVSE, Connector, …) and the spec's field semantics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from csms.data_transfer import (
    DataTransferRegistry,
    DataTransferReply,
    DataTransferRequest,
    DataTransferStatus,
)
from shared.config import DatabaseSettings
from shared.store.device_model import VariableAddress, get_device_model, get_variable
from shared.store.station_events import (
    StationEventKind,
    list_station_events,
    report_progress,
    station_report_summary,
)
from shared.store.tables import charging_profiles, reservations
from shared.store.uow import UnitOfWork
from shared.usecases.station_reports import (
    DeviceModelReported,
    ReservationStatusUpdated,
    StationNoticeReceived,
)
from tests.harness import node_settings, ocpp_client, open_database, running_node
from tests.integration.ocpp.vendor_node import node_with_vendors

STATION = "CS-R201"
BOOT = {
    "chargingStation": {"vendorName": "Acme", "model": "DC-50", "serialNumber": "S-9"},
    "reason": "PowerUp",
}
AT = "2026-11-26T10:00:00Z"


async def _boot(client: Any) -> None:
    answer = await client.call("BootNotification", BOOT)
    assert answer[2]["status"] == "Accepted"


def _report_part(seq_no: int, tbc: bool, data: list[dict[str, Any]]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "requestId": 42,
        "generatedAt": AT,
        "seqNo": seq_no,
        "reportData": data,
    }
    if tbc:
        payload["tbc"] = True
    return payload


HEARTBEAT = {
    "component": {"name": "OCPPCommCtrlr"},
    "variable": {"name": "HeartbeatInterval"},
    "variableAttribute": [{"type": "Actual", "value": "300", "persistent": True}],
    "variableCharacteristics": {"unit": "s", "dataType": "integer", "supportsMonitoring": False},
}
AUTH_ENABLED = {
    "component": {"name": "AuthCtrlr"},
    "variable": {"name": "Enabled"},
    "variableAttribute": [{"value": "true"}],  # type and mutability omitted: Actual, ReadWrite
    "variableCharacteristics": {"dataType": "boolean", "supportsMonitoring": True},
}
EVSE_POWER = {
    "component": {"name": "EVSE", "evse": {"id": 1}},
    "variable": {"name": "Power"},
    "variableAttribute": [
        {"type": "Actual", "value": "0", "mutability": "ReadOnly"},
        {"type": "MaxSet", "value": "22000", "mutability": "ReadOnly", "constant": True},
    ],
    "variableCharacteristics": {
        "unit": "W",
        "dataType": "decimal",
        "maxLimit": 22000,
        "supportsMonitoring": True,
    },
}
CONNECTOR_TYPE = {
    "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
    "variable": {"name": "ConnectorType"},
    "variableAttribute": [{"value": "cType2", "mutability": "ReadOnly"}],
    "variableCharacteristics": {
        "dataType": "OptionList",
        "valuesList": "cType2,cCCS2",
        "supportsMonitoring": False,
    },
}
MESSAGE_ATTEMPTS = {
    "component": {"name": "OCPPCommCtrlr"},
    "variable": {"name": "MessageAttempts", "instance": "TransactionEvent"},
    "variableAttribute": [{"value": "3"}],
    "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": False},
}
BASIC_AUTH = {
    "component": {"name": "SecurityCtrlr"},
    "variable": {"name": "BasicAuthPassword"},
    "variableAttribute": [{"mutability": "WriteOnly"}],  # no value for a WriteOnly attribute
    "variableCharacteristics": {"dataType": "string", "supportsMonitoring": False},
}


async def test_multi_part_notify_report_is_stored_completely(
    db_settings: DatabaseSettings,
) -> None:
    reported: list[DeviceModelReported] = []
    async with running_node(node_settings(db_settings)) as node:
        node.bus.subscribe(DeviceModelReported, reported.append)
        async with ocpp_client(node.ocpp_port, STATION, "2.0.1") as client:
            await _boot(client)
            parts = [
                _report_part(0, True, [HEARTBEAT, AUTH_ENABLED]),
                _report_part(1, True, [EVSE_POWER, CONNECTOR_TYPE]),
                _report_part(2, False, [MESSAGE_ATTEMPTS, BASIC_AUTH]),
            ]
            for part in parts:
                answer = await client.call("NotifyReport", part)
                assert answer == [3, answer[1], {}]
                if part["seqNo"] == 0:
                    assert reported == []  # not complete before the last part
    assert [(r.request_id, r.parts, r.complete) for r in reported] == [(42, 3, True)]
    async with open_database(db_settings) as conn:
        model = {v.address.label(): v for v in await get_device_model(conn, STATION)}
        progress = await report_progress(conn, STATION, 42)
        other = await report_progress(conn, STATION, 43)
    assert sorted(model) == [
        "AuthCtrlr.Enabled",
        "Connector@1.1.ConnectorType",
        "EVSE@1.Power",
        "EVSE@1.Power/MaxSet",
        "OCPPCommCtrlr.HeartbeatInterval",
        "OCPPCommCtrlr.MessageAttempts[TransactionEvent]",
        "SecurityCtrlr.BasicAuthPassword",
    ]
    heartbeat = model["OCPPCommCtrlr.HeartbeatInterval"]
    assert (heartbeat.value, heartbeat.mutability, heartbeat.persistent) == (
        "300",
        "ReadWrite",
        True,
    )
    assert heartbeat.characteristics is not None
    assert (heartbeat.characteristics.unit, heartbeat.characteristics.data_type) == ("s", "integer")
    assert model["AuthCtrlr.Enabled"].mutability == "ReadWrite"
    max_power = model["EVSE@1.Power/MaxSet"]
    assert (max_power.value, max_power.constant) == ("22000", True)
    assert max_power.characteristics is not None
    assert max_power.characteristics.max_limit == 22000
    connector = model["Connector@1.1.ConnectorType"]
    assert connector.address.connector_id == 1
    assert connector.characteristics is not None
    assert connector.characteristics.values_list == "cType2,cCCS2"
    password = model["SecurityCtrlr.BasicAuthPassword"]
    assert (password.value, password.mutability) == (None, "WriteOnly")
    assert (progress.parts, progress.attributes, progress.complete) == (3, 7, True)
    assert (other.parts, other.complete) == (0, False)


async def test_a_later_report_updates_values_in_place(db_settings: DatabaseSettings) -> None:
    changed = {**HEARTBEAT, "variableAttribute": [{"type": "Actual", "value": "60"}]}
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        await client.call("NotifyReport", _report_part(0, False, [HEARTBEAT]))
        # A part whose predecessor never arrived: stored, but the report is not complete.
        late = {**_report_part(1, False, [changed]), "requestId": 43}
        assert (await client.call("NotifyReport", late))[0] == 3
        async with node.database.read() as conn:
            rows = await get_device_model(conn, STATION)
            progress = await report_progress(conn, STATION, 43)
    assert [(v.address.label(), v.value) for v in rows] == [
        ("OCPPCommCtrlr.HeartbeatInterval", "60")
    ]
    assert (progress.last_seen, progress.complete) == (True, False)


async def test_notify_event_is_stored_and_updates_the_actual_value(
    db_settings: DatabaseSettings,
) -> None:
    event = {
        "eventId": 1001,
        "timestamp": "2026-11-26T09:59:58Z",
        "trigger": "Delta",
        "actualValue": "true",
        "eventNotificationType": "HardWiredNotification",
        "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
        "variable": {"name": "Problem"},
        "techCode": "E12",
    }
    cleared = {**event, "eventId": 1002, "actualValue": "false", "cleared": True, "cause": 1001}
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        first = await client.call(
            "NotifyEvent", {"generatedAt": AT, "seqNo": 0, "eventData": [event]}
        )
        second = await client.call(
            "NotifyEvent", {"generatedAt": AT, "seqNo": 0, "eventData": [cleared]}
        )
        assert first[0] == second[0] == 3
    address = VariableAddress("Connector", "Problem", evse_id=1, connector_id=1)
    async with open_database(db_settings) as conn:
        events = await list_station_events(conn, STATION, [StationEventKind.DEVICE_EVENT])
        problem = await get_variable(conn, STATION, address)
    assert [e.data["eventId"] for e in events] == [1002, 1001]
    assert events[1].timestamp == datetime(2026, 11, 26, 9, 59, 58, tzinfo=UTC)
    assert events[1].data["techCode"] == "E12"
    assert problem is not None
    assert problem.value == "false"


async def test_status_and_security_notifications(db_settings: DatabaseSettings) -> None:
    notices: list[StationNoticeReceived] = []
    async with running_node(node_settings(db_settings)) as node:
        node.bus.subscribe(StationNoticeReceived, notices.append)
        async with ocpp_client(node.ocpp_port, STATION, "2.0.1") as client:
            await _boot(client)
            calls = [
                ("FirmwareStatusNotification", {"status": "Downloading", "requestId": 5}),
                ("FirmwareStatusNotification", {"status": "Installed", "requestId": 5}),
                ("LogStatusNotification", {"status": "Uploaded", "requestId": 6}),
                (
                    "PublishFirmwareStatusNotification",
                    {"status": "Published", "location": ["http://lc/fw.bin"], "requestId": 8},
                ),
                (
                    "SecurityEventNotification",
                    {"type": "FirmwareUpdated", "timestamp": AT, "techInfo": "v2.1"},
                ),
            ]
            for action, payload in calls:
                answer = await client.call(action, payload)
                assert answer == [3, answer[1], {}], action
    async with open_database(db_settings) as conn:
        summary = await station_report_summary(conn, STATION)
        published = await list_station_events(
            conn, STATION, [StationEventKind.PUBLISH_FIRMWARE_STATUS]
        )
    assert summary.firmware is not None
    assert (summary.firmware.status, summary.firmware.request_id) == ("Installed", 5)
    assert summary.upload is not None
    assert (summary.upload.kind, summary.upload.status) == ("log_status", "Uploaded")
    assert summary.last_security_event is not None
    assert summary.last_security_event.data["type"] == "FirmwareUpdated"
    assert published[0].data["location"] == ["http://lc/fw.bin"]
    assert [(n.kind, n.status, n.request_id) for n in notices] == [
        ("firmware_status", "Downloading", 5),
        ("firmware_status", "Installed", 5),
        ("log_status", "Uploaded", 6),
        ("publish_firmware_status", "Published", 8),
        ("security_event", "FirmwareUpdated", None),
    ]


SCHEDULE = {
    "id": 1,
    "chargingRateUnit": "A",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
}


async def test_charging_limits_and_reported_profiles(db_settings: DatabaseSettings) -> None:
    external = {
        "id": 100,
        "stackLevel": 0,
        "chargingProfilePurpose": "ChargingStationExternalConstraints",
        "chargingProfileKind": "Absolute",
        "validFrom": "2026-11-26T00:00:00Z",
        "chargingSchedule": [{**SCHEDULE, "startSchedule": "2026-11-26T00:00:00Z"}],
    }
    default = {
        "id": 7,
        "stackLevel": 1,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Recurring",
        "recurrencyKind": "Daily",
        "chargingSchedule": [{**SCHEDULE, "startSchedule": "2026-11-26T00:00:00Z"}],
    }
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        limit = await client.call(
            "NotifyChargingLimit",
            {
                "chargingLimit": {"chargingLimitSource": "EMS", "isGridCritical": True},
                "evseId": 1,
                "chargingSchedule": [SCHEDULE],
            },
        )
        report = {"requestId": 3, "chargingLimitSource": "EMS", "evseId": 1}
        first = await client.call(
            "ReportChargingProfiles", {**report, "chargingProfile": [external], "tbc": True}
        )
        cso = {**report, "chargingLimitSource": "CSO", "chargingProfile": [default]}
        second = await client.call("ReportChargingProfiles", cso)
        # The same profile reported again replaces the first report of it.
        again = await client.call("ReportChargingProfiles", cso)
        cleared = await client.call(
            "ClearedChargingLimit", {"chargingLimitSource": "EMS", "evseId": 1}
        )
        for answer in (limit, first, second, again, cleared):
            assert answer == [3, answer[1], {}]
    async with open_database(db_settings) as conn:
        rows = (
            await conn.execute(select(charging_profiles).order_by(charging_profiles.c.id))
        ).all()
        limits = await list_station_events(
            conn,
            STATION,
            [StationEventKind.CHARGING_LIMIT, StationEventKind.CHARGING_LIMIT_CLEARED],
        )
    by_purpose = {row.purpose: row for row in rows}
    assert len(rows) == 2
    assert by_purpose["ExternalConstraints"].status == "cleared"
    tx_default = by_purpose["TxDefaultProfile"]
    assert (tx_default.source, tx_default.status, tx_default.evse_id) == ("station", "installed", 1)
    assert (tx_default.stack_level, tx_default.kind) == (1, "Recurring")
    assert tx_default.schedule["id"] == 7
    assert tx_default.schedule["chargingLimitSource"] == "CSO"
    assert tx_default.schedule["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"] == 16
    assert by_purpose["ExternalConstraints"].valid_from == datetime(2026, 11, 26, tzinfo=UTC)
    assert [e.kind for e in limits] == ["charging_limit_cleared", "charging_limit"]
    assert limits[1].data["chargingLimit"]["isGridCritical"] is True


async def test_ev_charging_needs_and_schedule(db_settings: DatabaseSettings) -> None:
    ac = {
        "requestedEnergyTransfer": "AC_three_phase",
        "departureTime": "2026-11-26T18:00:00Z",
        "acChargingParameters": {
            "energyAmount": 30000,
            "evMinCurrent": 6,
            "evMaxCurrent": 32,
            "evMaxVoltage": 400,
        },
    }
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        plannable = await client.call(
            "NotifyEVChargingNeeds", {"evseId": 1, "maxScheduleTuples": 3, "chargingNeeds": ac}
        )
        bare = await client.call(
            "NotifyEVChargingNeeds",
            {"evseId": 1, "chargingNeeds": {"requestedEnergyTransfer": "DC"}},
        )
        station_wide = await client.call(
            "NotifyEVChargingNeeds", {"evseId": 0, "chargingNeeds": ac}
        )
        schedule = await client.call(
            "NotifyEVChargingSchedule",
            {"timeBase": AT, "evseId": 1, "chargingSchedule": SCHEDULE},
        )
    assert plannable[2] == {"status": "Processing"}
    assert bare[2] == {"status": "Rejected", "statusInfo": {"reasonCode": "MissingParam"}}
    assert station_wide[0] == 4
    assert station_wide[2] == "PropertyConstraintViolation"
    assert schedule[2] == {"status": "Accepted"}
    async with open_database(db_settings) as conn:
        needs = await list_station_events(conn, STATION, [StationEventKind.EV_CHARGING_NEEDS])
        schedules = await list_station_events(
            conn, STATION, [StationEventKind.EV_CHARGING_SCHEDULE]
        )
    assert [n.data["answer"] for n in needs] == ["Rejected", "Processing"]
    assert needs[1].data["chargingNeeds"]["acChargingParameters"]["energyAmount"] == 30000
    assert schedules[0].data["timeBase"] == AT


async def test_reservation_status_update(db_settings: DatabaseSettings) -> None:
    updates: list[ReservationStatusUpdated] = []
    async with running_node(node_settings(db_settings)) as node:
        node.bus.subscribe(ReservationStatusUpdated, updates.append)

        async def reserve(uow: UnitOfWork) -> int:
            result = await uow.conn.execute(
                insert(reservations)
                .values(
                    station_id=STATION,
                    evse_id=1,
                    id_token="TOKEN-1",
                    expiry=datetime(2026, 11, 26, 11, tzinfo=UTC),
                    status="accepted",
                    created_at=uow.now,
                    updated_at=uow.now,
                )
                .returning(reservations.c.id)
            )
            return int(result.scalar_one())

        reservation_id = await node.writer.run(reserve)
        async with ocpp_client(node.ocpp_port, STATION, "2.0.1") as client:
            await _boot(client)
            known = await client.call(
                "ReservationStatusUpdate",
                {"reservationId": reservation_id, "reservationUpdateStatus": "Expired"},
            )
            unknown = await client.call(
                "ReservationStatusUpdate",
                {"reservationId": reservation_id + 100, "reservationUpdateStatus": "Removed"},
            )
    assert known == [3, known[1], {}]
    assert unknown == [3, unknown[1], {}]
    async with open_database(db_settings) as conn:
        status = (
            await conn.execute(
                select(reservations.c.status).where(reservations.c.id == reservation_id)
            )
        ).scalar_one()
    assert status == "expired"
    assert [(u.reservation_id, u.status, u.known) for u in updates] == [
        (reservation_id, "expired", True),
        (reservation_id + 100, "removed", False),
    ]


async def test_requested_reports_are_stored(db_settings: DatabaseSettings) -> None:
    monitor = {
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Power"},
        "variableMonitoring": [
            {"id": 1, "transaction": False, "value": 20000, "type": "UpperThreshold", "severity": 4}
        ],
    }
    message = {
        "id": 12,
        "priority": "NormalCycle",
        "message": {"format": "UTF8", "language": "sv", "content": "Välkommen"},
    }
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        answers = [
            await client.call(
                "NotifyMonitoringReport",
                {"requestId": 4, "seqNo": 0, "generatedAt": AT, "monitor": [monitor]},
            ),
            await client.call(
                "NotifyCustomerInformation",
                {"data": "id token X: 3 sessions", "seqNo": 0, "generatedAt": AT, "requestId": 5},
            ),
            await client.call("NotifyDisplayMessages", {"requestId": 6, "messageInfo": [message]}),
        ]
        assert all(answer == [3, answer[1], {}] for answer in answers)
    async with open_database(db_settings) as conn:
        events = {e.kind: e for e in await list_station_events(conn, STATION)}
    assert events["monitoring_report"].data["monitor"][0]["variableMonitoring"][0]["value"] == 20000
    assert events["customer_information"].data["data"] == "id token X: 3 sessions"
    assert events["display_messages"].data["messageInfo"][0]["message"]["content"] == "Välkommen"


async def test_data_transfer(db_settings: DatabaseSettings) -> None:
    async def acme(request: DataTransferRequest) -> DataTransferReply:
        return DataTransferReply(DataTransferStatus.ACCEPTED, data={"echo": request.data})

    registry = DataTransferRegistry()
    registry.register("com.acme", acme)
    async with (
        node_with_vendors(node_settings(db_settings), registry) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        # 2.0.1 data may be any JSON value.
        known = await client.call(
            "DataTransfer", {"vendorId": "com.acme", "messageId": "Echo", "data": [1, 2]}
        )
        unknown = await client.call("DataTransfer", {"vendorId": "org.other", "data": {"a": 1}})
    assert known[2] == {"status": "Accepted", "data": {"echo": [1, 2]}}
    assert unknown[2] == {"status": "UnknownVendorId"}
    async with open_database(db_settings) as conn:
        events = await list_station_events(conn, STATION, [StationEventKind.DATA_TRANSFER])
    assert [(e.data["vendorId"], e.data["data"]) for e in events] == [
        ("org.other", {"a": 1}),
        ("com.acme", [1, 2]),
    ]


@pytest.mark.parametrize(
    "action", ["SignCertificate", "Get15118EVCertificate", "GetCertificateStatus"]
)
async def test_certificate_requests_are_not_supported(
    db_settings: DatabaseSettings, action: str
) -> None:
    payloads = {
        "SignCertificate": {"csr": "-----BEGIN CERTIFICATE REQUEST-----"},
        "Get15118EVCertificate": {
            "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
            "action": "Install",
            "exiRequest": "gA==",
        },
        "GetCertificateStatus": {
            "ocspRequestData": {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "a" * 64,
                "issuerKeyHash": "b" * 64,
                "serialNumber": "01",
                "responderURL": "http://ocsp.example",
            }
        },
    }
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        answer = await client.call(action, payloads[action])
    assert answer[0] == 4
    assert answer[2] == "NotSupported"


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        ("NotifyReport", {"requestId": 1, "generatedAt": AT}, "OccurrenceConstraintViolation"),
        (
            "NotifyReport",
            {
                "requestId": 1,
                "generatedAt": AT,
                "seqNo": 0,
                "reportData": [{**HEARTBEAT, "variableAttribute": []}],
            },
            "OccurrenceConstraintViolation",
        ),
        (
            "NotifyReport",
            {"requestId": "1", "generatedAt": AT, "seqNo": 0},
            "TypeConstraintViolation",
        ),
        (
            "NotifyReport",
            {"requestId": 1, "generatedAt": "yesterday", "seqNo": 0},
            "FormatViolation",
        ),
        (
            "NotifyEvent",
            {"generatedAt": AT, "seqNo": 0, "eventData": {"eventId": 1}},
            "TypeConstraintViolation",
        ),
        # A 1.6-shaped payload on a 2.0.1 connection (PITFALLS "Real chargers" #4).
        (
            "SecurityEventNotification",
            {"type": "X", "timestamp": AT, "tech": "y"},
            "FormatViolation",
        ),
        (
            "ReservationStatusUpdate",
            {"reservationId": 1, "reservationUpdateStatus": "Gone"},
            "PropertyConstraintViolation",
        ),
        ("DataTransfer", {"messageId": "x"}, "OccurrenceConstraintViolation"),
    ],
)
async def test_malformed_reports_get_the_right_error(
    db_settings: DatabaseSettings, action: str, payload: dict[str, Any], code: str
) -> None:
    settings = node_settings(db_settings, ocpp={"lenient": False})
    async with (
        running_node(settings) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        answer = await client.call(action, payload)
    assert answer[0] == 4
    assert answer[2] == code
    async with open_database(db_settings) as conn:
        assert await list_station_events(conn, STATION) == []
        assert await get_device_model(conn, STATION) == []


async def test_pending_station_may_answer_our_requests_only(
    db_settings: DatabaseSettings,
) -> None:
    settings = node_settings(db_settings, ocpp={"unknown_stations": "pending"})
    async with (
        running_node(settings) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        boot = await client.call("BootNotification", BOOT)
        assert boot[2]["status"] == "Pending"
        report = await client.call("NotifyReport", _report_part(0, False, [HEARTBEAT]))
        event = await client.call(
            "SecurityEventNotification", {"type": "StartupOfTheDevice", "timestamp": AT}
        )
    assert report[0] == 3
    assert event[0] == 4
    assert event[2] == "SecurityError"


async def test_reports_resent_after_a_reconnect_are_stored_once(
    db_settings: DatabaseSettings,
) -> None:
    reported: list[DeviceModelReported] = []
    security = {"type": "TamperDetectionActivated", "timestamp": AT, "techInfo": "door"}
    event = {
        "eventId": 7,
        "timestamp": AT,
        "trigger": "Alerting",
        "actualValue": "true",
        "eventNotificationType": "HardWiredNotification",
        "component": {"name": "ChargingStation"},
        "variable": {"name": "Problem"},
    }
    notify_event = {"generatedAt": AT, "seqNo": 0, "eventData": [event]}
    last_part = _report_part(1, False, [AUTH_ENABLED])
    async with running_node(node_settings(db_settings)) as node:
        node.bus.subscribe(DeviceModelReported, reported.append)
        for _connection in range(2):
            # A fresh client numbers its messages from m1 again: only the content repeats.
            async with ocpp_client(node.ocpp_port, STATION, "2.0.1") as client:
                await _boot(client)
                assert (await client.call("NotifyReport", _report_part(0, True, [HEARTBEAT])))[
                    0
                ] == 3
                assert (await client.call("NotifyReport", last_part))[0] == 3
                assert (await client.call("SecurityEventNotification", security))[0] == 3
                assert (await client.call("NotifyEvent", notify_event))[0] == 3
    assert [(r.parts, r.complete) for r in reported] == [(2, True)]
    async with open_database(db_settings) as conn:
        kinds = [e.kind for e in await list_station_events(conn, STATION)]
        progress = await report_progress(conn, STATION, 42)
    assert sorted(kinds) == [
        "device_event",
        "device_model_report",
        "device_model_report",
        "security_event",
    ]
    assert (progress.parts, progress.attributes, progress.complete) == (2, 2, True)


async def test_a_request_id_used_again_starts_a_new_report(db_settings: DatabaseSettings) -> None:
    later = "2026-11-27T10:00:00Z"
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        for part in (
            _report_part(0, True, [HEARTBEAT]),
            _report_part(1, False, [AUTH_ENABLED, EVSE_POWER]),
            {**_report_part(0, True, [HEARTBEAT]), "generatedAt": later},
        ):
            assert (await client.call("NotifyReport", part))[0] == 3
        async with node.database.read() as conn:
            progress = await report_progress(conn, STATION, 42)
    # Only the new run counts: one part so far, not finished.
    assert (progress.parts, progress.attributes, progress.complete) == (1, 1, False)


async def test_a_large_report_part_is_stored_whole(db_settings: DatabaseSettings) -> None:
    # PITFALLS "Real chargers" #15: NotifyReport parts run to hundreds of kilobytes.
    data = [
        {
            "component": {"name": "Connector", "evse": {"id": evse, "connectorId": 1}},
            "variable": {"name": f"Setting{n}", "instance": "Vendor"},
            "variableAttribute": [
                {"type": "Actual", "value": f"{evse}-{n}", "mutability": "ReadWrite"},
                {"type": "MaxSet", "value": "9" * 40, "mutability": "ReadOnly"},
            ],
            "variableCharacteristics": {"dataType": "string", "supportsMonitoring": False},
        }
        for evse in range(1, 5)
        for n in range(300)
    ]
    async with (
        running_node(node_settings(db_settings)) as node,
        ocpp_client(node.ocpp_port, STATION, "2.0.1") as client,
    ):
        await _boot(client)
        answer = await client.call("NotifyReport", _report_part(0, False, data))
        assert answer == [3, answer[1], {}]
        async with node.database.read() as conn:
            model = await get_device_model(conn, STATION)
            progress = await report_progress(conn, STATION, 42)
    assert len(model) == 2400
    assert (progress.attributes, progress.complete) == (2400, True)
    values = {
        (v.address.evse_id, v.address.variable, v.address.attribute_type): v.value for v in model
    }
    assert values[(4, "Setting299", "Actual")] == "4-299"
