"""OCPP 2.0.1 action → handler: where every message a 2.0.1 charger sends is handled."""

from __future__ import annotations

from csms.dispatch import RouteTable
from csms.v201.handlers import provisioning

__all__ = ["ROUTES"]

ROUTES = RouteTable(
    version="2.0.1",
    handlers={
        "BootNotification": provisioning.on_boot_notification,
        "Heartbeat": provisioning.on_heartbeat,
        "StatusNotification": provisioning.on_status_notification,
    },
)
