"""OCPP 1.6 action → handler: where every message a 1.6 charger sends is handled."""

from __future__ import annotations

from csms.dispatch import RouteTable
from csms.v16.handlers import core

__all__ = ["ROUTES"]

ROUTES = RouteTable(
    version="1.6",
    handlers={
        "BootNotification": core.on_boot_notification,
        "Heartbeat": core.on_heartbeat,
        "StatusNotification": core.on_status_notification,
    },
)
