"""Addresses of the settings the simulated firmware's behaviour reads.

Each is the 2.0.1 device-model address (component, variable, variable instance); the 1.6
configuration key of the same setting is given in `catalogue`.
"""

from __future__ import annotations

from .device_model import VariableKey

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
