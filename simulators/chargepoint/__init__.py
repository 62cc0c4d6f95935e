"""Simulated OCPP charging stations: one, or a fleet of thousands in one process.

A `Station` behaves like real hardware: it boots (retrying on Pending/Rejected), sends
heartbeats and status notifications, runs charging sessions with a physical meter model,
obeys the CSMS's commands, and survives connection losses by queueing its transaction
messages. `run_fleet(FleetOptions(...))` runs many of them with a live summary.

    from simulators.chargepoint import FleetOptions, Station, StationConfig, run_fleet

    station = Station(StationConfig(station_id="CP-1", url="ws://127.0.0.1:9000/ocpp"))
    await station.run()
"""

from .config import DEFAULT_ID_TAGS, OcppVersion, StationConfig
from .connector import ConnectorEvent, ConnectorState, ConnectorStateMachine
from .errors import ConfigurationError, InvalidTransitionError, ProfileError, SimulatorError
from .evse import BootReason, StopReason, Transaction
from .fleet import Fleet, FleetOptions, FleetSummary, run_fleet, run_fleet_async
from .meter import ChargeState, ChargingLimit, EnergyMeter, MeterReading, SupplyRating, Vehicle
from .observer import StationEvent, StationObserver, StationStats
from .station import Station

__all__ = [
    "DEFAULT_ID_TAGS",
    "BootReason",
    "ChargeState",
    "ChargingLimit",
    "ConfigurationError",
    "ConnectorEvent",
    "ConnectorState",
    "ConnectorStateMachine",
    "EnergyMeter",
    "Fleet",
    "FleetOptions",
    "FleetSummary",
    "InvalidTransitionError",
    "MeterReading",
    "OcppVersion",
    "ProfileError",
    "SimulatorError",
    "Station",
    "StationConfig",
    "StationEvent",
    "StationObserver",
    "StationStats",
    "StopReason",
    "SupplyRating",
    "Transaction",
    "Vehicle",
    "run_fleet",
    "run_fleet_async",
]
