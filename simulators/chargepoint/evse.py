"""The station's hardware and sessions as plain state: EVSEs, connectors, transactions."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from .connector import ConnectorState, ConnectorStateMachine
from .meter import EnergyMeter

__all__ = [
    "BootReason",
    "Connector",
    "Evse",
    "Reservation",
    "StopReason",
    "Transaction",
]


class StopReason(enum.Enum):
    """Why a transaction ended (version-neutral; the dialects spell it per version)."""

    LOCAL = "Local"
    REMOTE = "Remote"
    EV_DISCONNECTED = "EVDisconnected"
    HARD_RESET = "HardReset"
    SOFT_RESET = "SoftReset"
    DEAUTHORIZED = "DeAuthorized"
    UNLOCK_COMMAND = "UnlockCommand"
    REBOOT = "Reboot"
    OTHER = "Other"


class BootReason(enum.Enum):
    """Why the station (re)booted; the 2.0.1 BootReasonEnumType spellings."""

    POWER_UP = "PowerUp"
    REMOTE_RESET = "RemoteReset"
    FIRMWARE_UPDATE = "FirmwareUpdate"
    TRIGGERED = "Triggered"
    SCHEDULED_RESET = "ScheduledReset"


@dataclass(slots=True, eq=False)
class Connector:
    """One connector of an EVSE: its status machine and whether it is operative."""

    evse_id: int
    connector_id: int
    v16_id: int
    machine: ConnectorStateMachine = field(default_factory=ConnectorStateMachine)
    operative: bool = True
    pending_operative: bool | None = None  # an availability change waiting for idle
    reservation: Reservation | None = None

    @property
    def state(self) -> ConnectorState:
        """The connector's status now."""
        return self.machine.state


@dataclass(slots=True, eq=False)
class Reservation:
    """A reservation of a connector for an id tag until `expires`."""

    reservation_id: int
    id_tag: str
    expires: datetime
    connector: Connector


@dataclass(slots=True, eq=False)
class Transaction:
    """A charging session from authorization to stop."""

    local_id: int
    evse: Evse
    connector: Connector
    id_tag: str
    started_at: datetime
    meter_start_wh: float
    started_offline: bool = False
    remote_start_id: int | None = None
    reservation_id: int | None = None
    transaction_id: str | None = None
    stop_reason: StopReason | None = None
    stopped_at: datetime | None = None
    charging_state_reported: str | None = None
    _seq_no: int = 0

    def next_seq_no(self) -> int:
        """The next 2.0.1 `seqNo`: 0 for the Started event, then consecutive."""
        value = self._seq_no
        self._seq_no += 1
        return value

    @property
    def active(self) -> bool:
        """Whether the transaction has not stopped yet."""
        return self.stop_reason is None


@dataclass(slots=True, eq=False)
class Evse:
    """An EVSE: its meter, its connectors and the transaction running on it, if any."""

    evse_id: int
    meter: EnergyMeter
    connectors: list[Connector]
    transaction: Transaction | None = None

    @property
    def idle(self) -> bool:
        """No EV plugged in and no transaction: every connector available."""
        return self.transaction is None and all(
            c.state is ConnectorState.AVAILABLE for c in self.connectors
        )
