"""The simulated station's inventory: smart-charging limits, identity, hardware, live values.

Part of the settings catalogue (see `catalogue`): what the station is made of, as opposed to
how it behaves.
"""

from __future__ import annotations

from .config import StationConfig
from .device_model import DataType, Definition, Mutability, VariableKey, define
from .keys import K_IDENTITY, K_REPORT_ITEMS

__all__ = ["hardware", "live_values", "smart_charging", "station_identity"]

_RW = Mutability.READ_WRITE
_RO = Mutability.READ_ONLY
_INT = DataType.INTEGER
_BOOL = DataType.BOOLEAN
_LIST = DataType.MEMBER_LIST
_STR = DataType.STRING


def smart_charging(config: StationConfig) -> list[Definition]:
    k = VariableKey
    return [
        define(k("SmartChargingCtrlr", "Enabled"), True, _BOOL),
        define(
            k("SmartChargingCtrlr", "ProfileStackLevel"),
            8,
            _INT,
            _RO,
            v16="ChargeProfileMaxStackLevel",
        ),
        define(
            k("SmartChargingCtrlr", "PeriodsPerSchedule"),
            24,
            _INT,
            _RO,
            v16="ChargingScheduleMaxPeriods",
        ),
        define(k("SmartChargingCtrlr", "RateUnit"), "A,W", _LIST, _RO),
        define(
            k("SmartChargingCtrlr", "AllowedChargingRateUnit"),
            "Current,Power",
            _LIST,
            _RO,
            v16="ChargingScheduleAllowedChargingRateUnit",
            in_v201=False,
        ),
        define(
            k("SmartChargingCtrlr", "MaxProfiles"),
            16,
            _INT,
            _RO,
            v16="MaxChargingProfilesInstalled",
            in_v201=False,
        ),
    ]


def station_identity(config: StationConfig) -> list[Definition]:
    k = VariableKey
    profiles = (
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"
    )
    return [
        define(k("ChargingStation", "VendorName"), config.vendor, _STR, _RO),
        define(k("ChargingStation", "Model"), config.model, _STR, _RO),
        define(k("ChargingStation", "SupplyPhases"), config.rating.phases, _INT, _RO),
        define(
            k("ChargingStation", "NumberOfConnectors"),
            config.connector_count,
            _INT,
            _RO,
            v16="NumberOfConnectors",
            in_v201=False,
        ),
        define(
            k("ChargingStation", "SupportedFeatureProfiles"),
            profiles,
            _LIST,
            _RO,
            v16="SupportedFeatureProfiles",
            in_v201=False,
        ),
        define(
            k("ChargingStation", "GetConfigurationMaxKeys"),
            64,
            _INT,
            _RO,
            v16="GetConfigurationMaxKeys",
            in_v201=False,
        ),
        define(
            k("ClockCtrlr", "TimeSource"),
            "Heartbeat",
            _LIST,
            values_list=("Heartbeat", "NTP", "RealTimeClock"),
        ),
        define(k("SecurityCtrlr", "SecurityProfile"), 1 if config.password else 0, _INT, _RO),
        define(K_IDENTITY, "", _STR, _RO),  # per station: see build_device_model
        define(k("SecurityCtrlr", "OrganizationName"), config.vendor, _STR),
        define(K_REPORT_ITEMS, 50, _INT, _RO),
        define(k("DeviceDataCtrlr", "ItemsPerMessage", "GetVariables"), 50, _INT, _RO),
        define(k("DeviceDataCtrlr", "ItemsPerMessage", "SetVariables"), 50, _INT, _RO),
    ]


def hardware(config: StationConfig) -> list[Definition]:
    settings: list[Definition] = []
    for evse in range(1, config.evses + 1):
        key = VariableKey("EVSE", "SupplyPhases", evse_id=evse)
        settings.append(define(key, config.rating.phases, _INT, _RO))
        for connector in range(1, config.connectors_per_evse + 1):
            key = VariableKey("Connector", "ConnectorType", evse_id=evse, connector_id=connector)
            settings.append(define(key, "cType2", _STR, _RO))
    return settings


_AVAILABILITY = ("Available", "Occupied", "Reserved", "Unavailable", "Faulted")


def live_values(config: StationConfig) -> list[Definition]:
    """Sensor-like 2.0.1 variables; the station reads them through `DeviceModel.reader`."""

    def availability(key: VariableKey) -> Definition:
        return define(key, "", DataType.OPTION_LIST, _RO, values_list=_AVAILABILITY, live=True)

    power_limit = int(config.rating.max_power_w)
    definitions = [
        availability(VariableKey("ChargingStation", "AvailabilityState")),
        define(VariableKey("ClockCtrlr", "DateTime"), "", DataType.DATETIME, _RO, live=True),
    ]
    for evse in range(1, config.evses + 1):
        definitions.append(availability(VariableKey("EVSE", "AvailabilityState", evse_id=evse)))
        power = VariableKey("EVSE", "Power", evse_id=evse)
        definitions.append(
            define(power, "", DataType.DECIMAL, _RO, unit="W", max_value=power_limit, live=True)
        )
        for connector in range(1, config.connectors_per_evse + 1):
            key = VariableKey(
                "Connector", "AvailabilityState", evse_id=evse, connector_id=connector
            )
            definitions.append(availability(key))
    return definitions
