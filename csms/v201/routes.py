"""OCPP 2.0.1 action → handler: where every message a 2.0.1 charger sends is handled."""

from __future__ import annotations

from csms.dispatch import RouteTable
from csms.v201.handlers import authorization, provisioning, transactions

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
    },
)
