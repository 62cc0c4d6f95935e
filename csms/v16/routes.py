"""OCPP 1.6 action → handler: where every message a 1.6 charger sends is handled."""

from __future__ import annotations

from csms.dispatch import RouteTable
from csms.v16.handlers import authorization, core, data_transfer, firmware, security, transactions

__all__ = ["ROUTES"]

ROUTES = RouteTable(
    version="1.6",
    handlers={
        "BootNotification": core.on_boot_notification,
        "Heartbeat": core.on_heartbeat,
        "StatusNotification": core.on_status_notification,
        # Authorization, transactions, meter values (issue 4: blocks C, E, J).
        "Authorize": authorization.on_authorize,
        "MeterValues": transactions.on_meter_values,
        "StartTransaction": transactions.on_start_transaction,
        "StopTransaction": transactions.on_stop_transaction,
        "DataTransfer": data_transfer.on_data_transfer,
        "DiagnosticsStatusNotification": firmware.on_diagnostics_status_notification,
        "FirmwareStatusNotification": firmware.on_firmware_status_notification,
        # 1.6 security whitepaper (Edition 2) extensions; SignCertificate stays NotSupported.
        "LogStatusNotification": firmware.on_log_status_notification,
        "SecurityEventNotification": security.on_security_event_notification,
        "SignedFirmwareStatusNotification": firmware.on_signed_firmware_status_notification,
    },
)
