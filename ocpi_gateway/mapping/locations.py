"""How live EVSEs are shown to partners, whatever the OCPI version.

- Status (mod_locations, Status enum): a removed EVSE is REMOVED; an EVSE of a station
  that is not connected is UNKNOWN ("also used when offline"); otherwise the OCPP 2.0.1
  connector status maps as `STATUS_OF` says (an occupied connector is in use: CHARGING).
- Connector facts the operator did not give fall back to `CONNECTOR_DEFAULTS`, a Type 2
  socket on three-phase 230 V / 32 A, the common public AC charger; operators override
  them in the import file (EVSE `connectors`).
- Capabilities default to what we can do through OCPP for any EVSE
  (`shared.domain.locations.DEFAULT_CAPABILITIES`).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.locations import (
    DEFAULT_CAPABILITIES,
    ConnectorSpec,
    LiveConnector,
    LiveEvse,
)
from shared.domain.stations import ConnectorStatus

__all__ = [
    "CONNECTOR_DEFAULTS",
    "STATUS_OF",
    "ConnectorFacts",
    "connector_facts",
    "evse_capabilities",
    "evse_status",
]

STATUS_OF = {
    ConnectorStatus.AVAILABLE: "AVAILABLE",
    ConnectorStatus.OCCUPIED: "CHARGING",
    ConnectorStatus.RESERVED: "RESERVED",
    ConnectorStatus.UNAVAILABLE: "INOPERATIVE",
    ConnectorStatus.FAULTED: "OUTOFORDER",
}


@dataclass(frozen=True, slots=True)
class ConnectorFacts:
    """The required hardware facts of a published connector."""

    standard: str
    format: str
    power_type: str
    max_voltage: int
    max_amperage: int
    max_electric_power: int | None = None


CONNECTOR_DEFAULTS = ConnectorFacts(
    standard="IEC_62196_T2",
    format="SOCKET",
    power_type="AC_3_PHASE",
    max_voltage=230,
    max_amperage=32,
)


def evse_status(evse: LiveEvse) -> str:
    """The OCPI status of a live EVSE (see module doc)."""
    if evse.removed:
        return "REMOVED"
    if not evse.station_connected:
        return "UNKNOWN"
    return STATUS_OF.get(evse.status, "UNKNOWN")


def evse_capabilities(evse: LiveEvse) -> list[str]:
    """The operator's capabilities for the EVSE, else the defaults."""
    chosen = evse.capabilities if evse.capabilities is not None else DEFAULT_CAPABILITIES
    return list(chosen)


def connector_facts(connector: LiveConnector | ConnectorSpec) -> ConnectorFacts:
    """The connector's stored facts, each missing one from `CONNECTOR_DEFAULTS`."""
    base = CONNECTOR_DEFAULTS
    return ConnectorFacts(
        standard=connector.standard or base.standard,
        format=connector.format or base.format,
        power_type=connector.power_type or base.power_type,
        max_voltage=connector.max_voltage or base.max_voltage,
        max_amperage=connector.max_amperage or base.max_amperage,
        max_electric_power=connector.max_electric_power,
    )
