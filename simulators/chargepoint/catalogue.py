"""The simulated firmware's settings: real OCPP 1.6 keys and 2.0.1 variables, with defaults.

1.6 keys are those of OCPP 1.6 section 9 (Core, Local Auth List, Smart Charging, Reservation
profiles); 2.0.1 variables are those of the standardized device model (OCPP 2.0.1 part 2,
appendix 3). Where a 1.6 key and a 2.0.1 variable mean the same thing they share one setting.
The `K_…` constants are the keys the station's behaviour reads.
"""

from __future__ import annotations

import dataclasses
import functools

from .config import StationConfig
from .device_model import Catalogue, DataType, Definition, DeviceModel, Mutability, VariableKey

__all__ = [
    "K_ALIGNED_INTERVAL",
    "K_ALIGNED_MEASURANDS",
    "K_AUTHORIZE_REMOTE",
    "K_AUTH_CACHE",
    "K_BACKOFF_MIN",
    "K_BACKOFF_RANDOM",
    "K_BACKOFF_REPEAT",
    "K_CONNECTION_TIMEOUT",
    "K_ENDED_MEASURANDS",
    "K_HEARTBEAT",
    "K_IDENTITY",
    "K_LOCAL_AUTH_OFFLINE",
    "K_LOCAL_LIST_ENABLED",
    "K_LOCAL_PRE_AUTHORIZE",
    "K_MESSAGE_ATTEMPTS",
    "K_MESSAGE_INTERVAL",
    "K_OFFLINE_UNKNOWN_ID",
    "K_PING_INTERVAL",
    "K_REPORT_ITEMS",
    "K_SAMPLED_MEASURANDS",
    "K_SAMPLE_INTERVAL",
    "K_STARTED_MEASURANDS",
    "K_STOP_ON_EV_DISCONNECT",
    "K_STOP_ON_INVALID_ID",
    "MEASURANDS",
    "build_device_model",
]

# What the simulated meter can measure (1.6 §7.31 / 2.0.1 MeasurandEnumType spellings).
MEASURANDS = (
    "Energy.Active.Import.Register",
    "Power.Active.Import",
    "Current.Import",
    "Voltage",
    "SoC",
)

K_HEARTBEAT = VariableKey("OCPPCommCtrlr", "HeartbeatInterval")
K_PING_INTERVAL = VariableKey("OCPPCommCtrlr", "WebSocketPingInterval")
K_MESSAGE_ATTEMPTS = VariableKey("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent")
K_MESSAGE_INTERVAL = VariableKey("OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent")
K_BACKOFF_MIN = VariableKey("OCPPCommCtrlr", "RetryBackOffWaitMinimum")
K_BACKOFF_RANDOM = VariableKey("OCPPCommCtrlr", "RetryBackOffRandomRange")
K_BACKOFF_REPEAT = VariableKey("OCPPCommCtrlr", "RetryBackOffRepeatTimes")
K_SAMPLE_INTERVAL = VariableKey("SampledDataCtrlr", "TxUpdatedInterval")
K_SAMPLED_MEASURANDS = VariableKey("SampledDataCtrlr", "TxUpdatedMeasurands")
K_ENDED_MEASURANDS = VariableKey("SampledDataCtrlr", "TxEndedMeasurands")
K_STARTED_MEASURANDS = VariableKey("SampledDataCtrlr", "TxStartedMeasurands")
K_ALIGNED_INTERVAL = VariableKey("AlignedDataCtrlr", "Interval")
K_ALIGNED_MEASURANDS = VariableKey("AlignedDataCtrlr", "Measurands")
K_CONNECTION_TIMEOUT = VariableKey("TxCtrlr", "EVConnectionTimeOut")
K_STOP_ON_EV_DISCONNECT = VariableKey("TxCtrlr", "StopTxOnEVSideDisconnect")
K_STOP_ON_INVALID_ID = VariableKey("TxCtrlr", "StopTxOnInvalidId")
K_AUTHORIZE_REMOTE = VariableKey("AuthCtrlr", "AuthorizeRemoteStart")
K_LOCAL_AUTH_OFFLINE = VariableKey("AuthCtrlr", "LocalAuthorizeOffline")
K_LOCAL_PRE_AUTHORIZE = VariableKey("AuthCtrlr", "LocalPreAuthorize")
K_OFFLINE_UNKNOWN_ID = VariableKey("AuthCtrlr", "OfflineTxForUnknownIdEnabled")
K_AUTH_CACHE = VariableKey("AuthCacheCtrlr", "Enabled")
K_LOCAL_LIST_ENABLED = VariableKey("LocalAuthListCtrlr", "Enabled")
K_REPORT_ITEMS = VariableKey("DeviceDataCtrlr", "ItemsPerMessage", "GetReport")
K_IDENTITY = VariableKey("SecurityCtrlr", "Identity")

_RW = Mutability.READ_WRITE
_RO = Mutability.READ_ONLY
_INT = DataType.INTEGER
_BOOL = DataType.BOOLEAN
_LIST = DataType.MEMBER_LIST
_STR = DataType.STRING


def _setting(
    key: VariableKey,
    value: object,
    data_type: DataType,
    mutability: Mutability = _RW,
    v16: str | None = None,
    *,
    in_v201: bool = True,
    unit: str | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
    values_list: tuple[str, ...] | None = None,
    live: bool = False,
) -> Definition:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return Definition(
        key,
        text,
        data_type,
        mutability,
        v16_key=v16,
        in_v201=in_v201,
        unit=unit,
        min_value=min_value,
        max_value=max_value,
        values_list=values_list,
        live=live,
    )


def _communication(config: StationConfig) -> list[Definition]:
    k = VariableKey
    return [
        _setting(
            K_HEARTBEAT,
            config.heartbeat_interval,
            _INT,
            v16="HeartbeatInterval",
            min_value=1,
            max_value=86_400,
            unit="s",
        ),
        _setting(
            K_PING_INTERVAL,
            config.ping_interval,
            _INT,
            v16="WebSocketPingInterval",
            min_value=0,
            max_value=3600,
            unit="s",
        ),
        _setting(
            K_MESSAGE_ATTEMPTS, 3, _INT, v16="TransactionMessageAttempts", min_value=1, max_value=10
        ),
        _setting(
            K_MESSAGE_INTERVAL,
            10,
            _INT,
            v16="TransactionMessageRetryInterval",
            min_value=0,
            max_value=3600,
            unit="s",
        ),
        _setting(
            K_BACKOFF_MIN,
            max(1, round(config.backoff_min)),
            _INT,
            min_value=1,
            max_value=3600,
            unit="s",
        ),
        _setting(
            K_BACKOFF_RANDOM,
            round(config.backoff_random),
            _INT,
            min_value=0,
            max_value=3600,
            unit="s",
        ),
        _setting(K_BACKOFF_REPEAT, config.backoff_repeat, _INT, min_value=0, max_value=20),
        _setting(
            k("OCPPCommCtrlr", "MessageTimeout", "Default"),
            round(config.response_timeout),
            _INT,
            _RO,
            unit="s",
        ),
        _setting(
            k("OCPPCommCtrlr", "ResetRetries"),
            2,
            _INT,
            v16="ResetRetries",
            min_value=0,
            max_value=10,
        ),
        _setting(k("OCPPCommCtrlr", "OfflineThreshold"), 60, _INT, min_value=0, unit="s"),
        _setting(
            k("OCPPCommCtrlr", "NetworkProfileConnectionAttempts"),
            3,
            _INT,
            min_value=1,
            max_value=100,
        ),
    ]


def _metering(config: StationConfig) -> list[Definition]:
    k = VariableKey
    measurands = ",".join(MEASURANDS[:4])
    return [
        _setting(k("SampledDataCtrlr", "Enabled"), True, _BOOL),
        _setting(
            K_SAMPLE_INTERVAL,
            config.meter_sample_interval,
            _INT,
            v16="MeterValueSampleInterval",
            min_value=0,
            max_value=86_400,
            unit="s",
        ),
        _setting(
            K_SAMPLED_MEASURANDS,
            f"{measurands},SoC" if config.version == "2.0.1" else measurands,
            _LIST,
            v16="MeterValuesSampledData",
            values_list=MEASURANDS,
        ),
        _setting(
            K_STARTED_MEASURANDS,
            MEASURANDS[0],
            _LIST,
            values_list=MEASURANDS,
        ),
        _setting(
            K_ENDED_MEASURANDS,
            MEASURANDS[0],
            _LIST,
            v16="StopTxnSampledData",
            values_list=MEASURANDS,
        ),
        _setting(k("SampledDataCtrlr", "TxEndedInterval"), 0, _INT, min_value=0, unit="s"),
        _setting(
            K_ALIGNED_INTERVAL,
            0,
            _INT,
            v16="ClockAlignedDataInterval",
            min_value=0,
            max_value=86_400,
            unit="s",
        ),
        _setting(
            K_ALIGNED_MEASURANDS,
            MEASURANDS[0],
            _LIST,
            v16="MeterValuesAlignedData",
            values_list=MEASURANDS,
        ),
        _setting(
            k("AlignedDataCtrlr", "TxEndedMeasurands"),
            MEASURANDS[0],
            _LIST,
            v16="StopTxnAlignedData",
            values_list=MEASURANDS,
        ),
    ]


def _authorization(config: StationConfig) -> list[Definition]:
    k = VariableKey
    return [
        _setting(k("AuthCtrlr", "Enabled"), True, _BOOL),
        _setting(K_AUTHORIZE_REMOTE, True, _BOOL, v16="AuthorizeRemoteTxRequests"),
        _setting(K_LOCAL_AUTH_OFFLINE, True, _BOOL, v16="LocalAuthorizeOffline"),
        _setting(K_LOCAL_PRE_AUTHORIZE, False, _BOOL, v16="LocalPreAuthorize"),
        _setting(K_OFFLINE_UNKNOWN_ID, False, _BOOL, v16="AllowOfflineTxForUnknownId"),
        _setting(K_AUTH_CACHE, True, _BOOL, v16="AuthorizationCacheEnabled"),
        _setting(k("AuthCacheCtrlr", "LifeTime"), 86_400, _INT, min_value=0, unit="s"),
        _setting(K_LOCAL_LIST_ENABLED, True, _BOOL, v16="LocalAuthListEnabled"),
        _setting(k("LocalAuthListCtrlr", "Entries"), 1000, _INT, _RO, v16="LocalAuthListMaxLength"),
        _setting(
            k("LocalAuthListCtrlr", "ItemsPerMessage"), 250, _INT, _RO, v16="SendLocalListMaxLength"
        ),
    ]


def _transactions(config: StationConfig) -> list[Definition]:
    k = VariableKey
    return [
        _setting(
            K_CONNECTION_TIMEOUT,
            60,
            _INT,
            v16="ConnectionTimeOut",
            min_value=1,
            max_value=3600,
            unit="s",
        ),
        _setting(K_STOP_ON_EV_DISCONNECT, True, _BOOL, v16="StopTransactionOnEVSideDisconnect"),
        _setting(K_STOP_ON_INVALID_ID, True, _BOOL, v16="StopTransactionOnInvalidId"),
        _setting(k("TxCtrlr", "TxStartPoint"), "Authorized,EVConnected", _LIST, _RO),
        _setting(k("TxCtrlr", "TxStopPoint"), "Authorized,EVConnected", _LIST, _RO),
        _setting(
            k("ChargingStation", "UnlockOnEVSideDisconnect"),
            True,
            _BOOL,
            v16="UnlockConnectorOnEVSideDisconnect",
            in_v201=False,
        ),
        _setting(k("ReservationCtrlr", "Enabled"), True, _BOOL),
        _setting(
            k("ReservationCtrlr", "NonEvseSpecific"),
            False,
            _BOOL,
            _RO,
            v16="ReserveConnectorZeroSupported",
        ),
    ]


def _smart_charging(config: StationConfig) -> list[Definition]:
    k = VariableKey
    return [
        _setting(k("SmartChargingCtrlr", "Enabled"), True, _BOOL),
        _setting(
            k("SmartChargingCtrlr", "ProfileStackLevel"),
            8,
            _INT,
            _RO,
            v16="ChargeProfileMaxStackLevel",
        ),
        _setting(
            k("SmartChargingCtrlr", "PeriodsPerSchedule"),
            24,
            _INT,
            _RO,
            v16="ChargingScheduleMaxPeriods",
        ),
        _setting(k("SmartChargingCtrlr", "RateUnit"), "A,W", _LIST, _RO),
        _setting(
            k("SmartChargingCtrlr", "AllowedChargingRateUnit"),
            "Current,Power",
            _LIST,
            _RO,
            v16="ChargingScheduleAllowedChargingRateUnit",
            in_v201=False,
        ),
        _setting(
            k("SmartChargingCtrlr", "MaxProfiles"),
            16,
            _INT,
            _RO,
            v16="MaxChargingProfilesInstalled",
            in_v201=False,
        ),
    ]


def _station(config: StationConfig) -> list[Definition]:
    k = VariableKey
    profiles = (
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"
    )
    return [
        _setting(k("ChargingStation", "VendorName"), config.vendor, _STR, _RO),
        _setting(k("ChargingStation", "Model"), config.model, _STR, _RO),
        _setting(k("ChargingStation", "SupplyPhases"), config.rating.phases, _INT, _RO),
        _setting(
            k("ChargingStation", "NumberOfConnectors"),
            config.connector_count,
            _INT,
            _RO,
            v16="NumberOfConnectors",
            in_v201=False,
        ),
        _setting(
            k("ChargingStation", "SupportedFeatureProfiles"),
            profiles,
            _LIST,
            _RO,
            v16="SupportedFeatureProfiles",
            in_v201=False,
        ),
        _setting(
            k("ChargingStation", "GetConfigurationMaxKeys"),
            64,
            _INT,
            _RO,
            v16="GetConfigurationMaxKeys",
            in_v201=False,
        ),
        _setting(
            k("ClockCtrlr", "TimeSource"),
            "Heartbeat",
            _LIST,
            values_list=("Heartbeat", "NTP", "RealTimeClock"),
        ),
        _setting(k("SecurityCtrlr", "SecurityProfile"), 1 if config.password else 0, _INT, _RO),
        _setting(K_IDENTITY, "", _STR, _RO),  # per station: see build_device_model
        _setting(k("SecurityCtrlr", "OrganizationName"), config.vendor, _STR),
        _setting(K_REPORT_ITEMS, 50, _INT, _RO),
        _setting(k("DeviceDataCtrlr", "ItemsPerMessage", "GetVariables"), 50, _INT, _RO),
        _setting(k("DeviceDataCtrlr", "ItemsPerMessage", "SetVariables"), 50, _INT, _RO),
    ]


def _hardware(config: StationConfig) -> list[Definition]:
    settings: list[Definition] = []
    for evse in range(1, config.evses + 1):
        key = VariableKey("EVSE", "SupplyPhases", evse_id=evse)
        settings.append(_setting(key, config.rating.phases, _INT, _RO))
        for connector in range(1, config.connectors_per_evse + 1):
            key = VariableKey("Connector", "ConnectorType", evse_id=evse, connector_id=connector)
            settings.append(_setting(key, "cType2", _STR, _RO))
    return settings


_AVAILABILITY = ("Available", "Occupied", "Reserved", "Unavailable", "Faulted")


def _live(config: StationConfig) -> list[Definition]:
    """Sensor-like 2.0.1 variables; the station reads them through `DeviceModel.reader`."""

    def availability(key: VariableKey) -> Definition:
        return _setting(key, "", DataType.OPTION_LIST, _RO, values_list=_AVAILABILITY, live=True)

    power_limit = int(config.rating.max_power_w)
    definitions = [
        availability(VariableKey("ChargingStation", "AvailabilityState")),
        _setting(VariableKey("ClockCtrlr", "DateTime"), "", DataType.DATETIME, _RO, live=True),
    ]
    for evse in range(1, config.evses + 1):
        definitions.append(availability(VariableKey("EVSE", "AvailabilityState", evse_id=evse)))
        power = VariableKey("EVSE", "Power", evse_id=evse)
        definitions.append(
            _setting(power, "", DataType.DECIMAL, _RO, unit="W", max_value=power_limit, live=True)
        )
        for connector in range(1, config.connectors_per_evse + 1):
            key = VariableKey(
                "Connector", "AvailabilityState", evse_id=evse, connector_id=connector
            )
            definitions.append(availability(key))
    return definitions


@functools.lru_cache(maxsize=64)
def _catalogue(template: StationConfig) -> Catalogue:
    definitions: list[Definition] = []
    for part in (
        _communication,
        _metering,
        _authorization,
        _transactions,
        _smart_charging,
        _station,
        _hardware,
        _live,
    ):
        definitions.extend(part(template))
    return Catalogue(definitions)


def build_device_model(config: StationConfig) -> DeviceModel:
    """The settings of a freshly flashed station built as `config` says.

    Stations that differ only in identity, URL and behaviour share one catalogue of
    definitions; each keeps its own changed values. Live values are read through the
    model's `reader`, which the station sets.
    """
    template = dataclasses.replace(
        config,
        station_id="template",
        url="ws://template",
        serial_number=None,
        seed=None,
        sessions_per_hour=0.0,
        id_tags=("template",),
    )
    return DeviceModel(_catalogue(template), {K_IDENTITY: config.station_id})
