"""The simulated firmware's settings: real OCPP 1.6 keys and 2.0.1 variables, with defaults.

1.6 keys are those of OCPP 1.6 section 9 (Core, Local Auth List, Smart Charging, Reservation
profiles); 2.0.1 variables are those of the standardized device model (OCPP 2.0.1 part 2,
appendix 3). Where a 1.6 key and a 2.0.1 variable mean the same thing they share one setting.
The `K_…` constants of `keys` are the settings the station's behaviour reads.
"""

from __future__ import annotations

import dataclasses
import functools

from .config import StationConfig
from .device_model import (
    Catalogue,
    DataType,
    Definition,
    DeviceModel,
    Mutability,
    VariableKey,
    define,
)
from .inventory import hardware, live_values, smart_charging, station_identity
from .keys import (
    K_ALIGNED_INTERVAL,
    K_ALIGNED_MEASURANDS,
    K_AUTH_CACHE,
    K_AUTHORIZE_REMOTE,
    K_BACKOFF_MIN,
    K_BACKOFF_RANDOM,
    K_BACKOFF_REPEAT,
    K_CONNECTION_TIMEOUT,
    K_ENDED_MEASURANDS,
    K_HEARTBEAT,
    K_IDENTITY,
    K_LOCAL_AUTH_OFFLINE,
    K_LOCAL_LIST_ENABLED,
    K_LOCAL_PRE_AUTHORIZE,
    K_MESSAGE_ATTEMPTS,
    K_MESSAGE_INTERVAL,
    K_OFFLINE_UNKNOWN_ID,
    K_PING_INTERVAL,
    K_SAMPLE_INTERVAL,
    K_SAMPLED_MEASURANDS,
    K_STARTED_MEASURANDS,
    K_STOP_ON_EV_DISCONNECT,
    K_STOP_ON_INVALID_ID,
    MEASURANDS,
)

__all__ = ["build_device_model"]

_RW = Mutability.READ_WRITE
_RO = Mutability.READ_ONLY
_INT = DataType.INTEGER
_BOOL = DataType.BOOLEAN
_LIST = DataType.MEMBER_LIST
_STR = DataType.STRING


def _communication(config: StationConfig) -> list[Definition]:
    k = VariableKey
    return [
        define(
            K_HEARTBEAT,
            config.heartbeat_interval,
            _INT,
            v16="HeartbeatInterval",
            min_value=1,
            max_value=86_400,
            unit="s",
        ),
        define(
            K_PING_INTERVAL,
            config.ping_interval,
            _INT,
            v16="WebSocketPingInterval",
            min_value=0,
            max_value=3600,
            unit="s",
        ),
        define(
            K_MESSAGE_ATTEMPTS, 3, _INT, v16="TransactionMessageAttempts", min_value=1, max_value=10
        ),
        define(
            K_MESSAGE_INTERVAL,
            10,
            _INT,
            v16="TransactionMessageRetryInterval",
            min_value=0,
            max_value=3600,
            unit="s",
        ),
        define(
            K_BACKOFF_MIN,
            max(1, round(config.backoff_min)),
            _INT,
            min_value=1,
            max_value=3600,
            unit="s",
        ),
        define(
            K_BACKOFF_RANDOM,
            round(config.backoff_random),
            _INT,
            min_value=0,
            max_value=3600,
            unit="s",
        ),
        define(K_BACKOFF_REPEAT, config.backoff_repeat, _INT, min_value=0, max_value=20),
        define(
            k("OCPPCommCtrlr", "MessageTimeout", "Default"),
            round(config.response_timeout),
            _INT,
            _RO,
            unit="s",
        ),
        define(
            k("OCPPCommCtrlr", "ResetRetries"),
            2,
            _INT,
            v16="ResetRetries",
            min_value=0,
            max_value=10,
        ),
        define(k("OCPPCommCtrlr", "OfflineThreshold"), 60, _INT, min_value=0, unit="s"),
        define(
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
        define(k("SampledDataCtrlr", "Enabled"), True, _BOOL),
        define(
            K_SAMPLE_INTERVAL,
            config.meter_sample_interval,
            _INT,
            v16="MeterValueSampleInterval",
            min_value=0,
            max_value=86_400,
            unit="s",
        ),
        define(
            K_SAMPLED_MEASURANDS,
            f"{measurands},SoC" if config.version == "2.0.1" else measurands,
            _LIST,
            v16="MeterValuesSampledData",
            values_list=MEASURANDS,
        ),
        define(
            K_STARTED_MEASURANDS,
            MEASURANDS[0],
            _LIST,
            values_list=MEASURANDS,
        ),
        define(
            K_ENDED_MEASURANDS,
            MEASURANDS[0],
            _LIST,
            v16="StopTxnSampledData",
            values_list=MEASURANDS,
        ),
        define(k("SampledDataCtrlr", "TxEndedInterval"), 0, _INT, min_value=0, unit="s"),
        define(
            K_ALIGNED_INTERVAL,
            0,
            _INT,
            v16="ClockAlignedDataInterval",
            min_value=0,
            max_value=86_400,
            unit="s",
        ),
        define(
            K_ALIGNED_MEASURANDS,
            MEASURANDS[0],
            _LIST,
            v16="MeterValuesAlignedData",
            values_list=MEASURANDS,
        ),
        define(
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
        define(k("AuthCtrlr", "Enabled"), True, _BOOL),
        define(K_AUTHORIZE_REMOTE, True, _BOOL, v16="AuthorizeRemoteTxRequests"),
        define(K_LOCAL_AUTH_OFFLINE, True, _BOOL, v16="LocalAuthorizeOffline"),
        define(K_LOCAL_PRE_AUTHORIZE, False, _BOOL, v16="LocalPreAuthorize"),
        define(K_OFFLINE_UNKNOWN_ID, False, _BOOL, v16="AllowOfflineTxForUnknownId"),
        define(K_AUTH_CACHE, True, _BOOL, v16="AuthorizationCacheEnabled"),
        define(k("AuthCacheCtrlr", "LifeTime"), 86_400, _INT, min_value=0, unit="s"),
        define(K_LOCAL_LIST_ENABLED, True, _BOOL, v16="LocalAuthListEnabled"),
        define(k("LocalAuthListCtrlr", "Entries"), 1000, _INT, _RO, v16="LocalAuthListMaxLength"),
        define(
            k("LocalAuthListCtrlr", "ItemsPerMessage"), 250, _INT, _RO, v16="SendLocalListMaxLength"
        ),
    ]


def _transactions(config: StationConfig) -> list[Definition]:
    k = VariableKey
    return [
        define(
            K_CONNECTION_TIMEOUT,
            60,
            _INT,
            v16="ConnectionTimeOut",
            min_value=1,
            max_value=3600,
            unit="s",
        ),
        define(K_STOP_ON_EV_DISCONNECT, True, _BOOL, v16="StopTransactionOnEVSideDisconnect"),
        define(K_STOP_ON_INVALID_ID, True, _BOOL, v16="StopTransactionOnInvalidId"),
        define(k("TxCtrlr", "TxStartPoint"), "Authorized,EVConnected", _LIST, _RO),
        define(k("TxCtrlr", "TxStopPoint"), "Authorized,EVConnected", _LIST, _RO),
        define(
            k("ChargingStation", "UnlockOnEVSideDisconnect"),
            True,
            _BOOL,
            v16="UnlockConnectorOnEVSideDisconnect",
            in_v201=False,
        ),
        define(k("ReservationCtrlr", "Enabled"), True, _BOOL),
        define(
            k("ReservationCtrlr", "NonEvseSpecific"),
            False,
            _BOOL,
            _RO,
            v16="ReserveConnectorZeroSupported",
        ),
    ]


@functools.lru_cache(maxsize=64)
def _catalogue(template: StationConfig) -> Catalogue:
    definitions: list[Definition] = []
    for part in (
        _communication,
        _metering,
        _authorization,
        _transactions,
        smart_charging,
        station_identity,
        hardware,
        live_values,
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
