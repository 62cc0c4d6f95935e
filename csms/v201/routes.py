"""OCPP 2.0.1 action → handler: where every message a 2.0.1 charger sends is handled."""

from __future__ import annotations

from csms.dispatch import RouteTable
from csms.v201.handlers import (
    authorization,
    data_transfer,
    device_model,
    diagnostics,
    display_messages,
    firmware,
    provisioning,
    reservations,
    security,
    smart_charging,
    transactions,
)

__all__ = ["ROUTES"]

ROUTES = RouteTable(
    version="2.0.1",
    handlers={
        "BootNotification": provisioning.on_boot_notification,
        "Heartbeat": provisioning.on_heartbeat,
        "StatusNotification": provisioning.on_status_notification,
        # Authorization, transactions, meter values (issue 4: blocks C, E, J).
        "Authorize": authorization.on_authorize,
        "MeterValues": transactions.on_meter_values,
        "TransactionEvent": transactions.on_transaction_event,
        # Reports and notifications (issue 4). No handler, so NotSupported: SignCertificate,
        # Get15118EVCertificate, GetCertificateStatus (no CA / contract pool / OCSP here).
        "ClearedChargingLimit": smart_charging.on_cleared_charging_limit,
        "DataTransfer": data_transfer.on_data_transfer,
        "FirmwareStatusNotification": firmware.on_firmware_status_notification,
        "LogStatusNotification": diagnostics.on_log_status_notification,
        "NotifyChargingLimit": smart_charging.on_notify_charging_limit,
        "NotifyCustomerInformation": diagnostics.on_notify_customer_information,
        "NotifyDisplayMessages": display_messages.on_notify_display_messages,
        "NotifyEVChargingNeeds": smart_charging.on_notify_ev_charging_needs,
        "NotifyEVChargingSchedule": smart_charging.on_notify_ev_charging_schedule,
        "NotifyEvent": diagnostics.on_notify_event,
        "NotifyMonitoringReport": diagnostics.on_notify_monitoring_report,
        "NotifyReport": device_model.on_notify_report,
        "PublishFirmwareStatusNotification": firmware.on_publish_firmware_status_notification,
        "ReportChargingProfiles": smart_charging.on_report_charging_profiles,
        "ReservationStatusUpdate": reservations.on_reservation_status_update,
        "SecurityEventNotification": security.on_security_event_notification,
    },
    # B02: a Pending station may send what our own requests ask of it (GetBaseReport,
    # GetLog, UpdateFirmware… while we configure it before accepting it).
    allowed_before_accepted=frozenset(
        {
            "BootNotification",
            "FirmwareStatusNotification",
            "LogStatusNotification",
            "NotifyCustomerInformation",
            "NotifyDisplayMessages",
            "NotifyMonitoringReport",
            "NotifyReport",
            "ReportChargingProfiles",
        }
    ),
)
