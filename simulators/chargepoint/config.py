"""What one simulated station is: identity, hardware, behaviour and timing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from .errors import ConfigurationError
from .meter import SupplyRating

__all__ = ["DEFAULT_ID_TAGS", "OcppVersion", "StationConfig"]

OcppVersion = Literal["1.6", "2.0.1"]

# RFID card UIDs (7-byte ISO 14443 UIDs, as real cards carry), used when no list is given.
DEFAULT_ID_TAGS: tuple[str, ...] = (
    "04A1B2C3D4E5F6",
    "04B7C8D9E0F1A2",
    "04C3D4E5F6A7B8",
    "04D9E0F1A2B3C4",
    "04E5F6A7B8C9D0",
    "04F1A2B3C4D5E6",
    "0417283940516A",
    "04263748596A7B",
    "04394A5B6C7D8E",
    "044C5D6E7F8091",
)


@dataclass(frozen=True, slots=True)
class StationConfig:
    """Options of one simulated charging station.

    Durations are in seconds. The device model is seeded from these values; after boot the
    CSMS may change most of them through ChangeConfiguration / SetVariables.
    """

    station_id: str
    url: str
    version: OcppVersion = "1.6"
    password: str | None = None
    evses: int = 2
    connectors_per_evse: int = 1
    vendor: str = "Laddpunkt"
    model: str = "SimCharger AC22"
    serial_number: str | None = None
    firmware_version: str = "1.4.2"
    rating: SupplyRating = field(default_factory=SupplyRating)
    sessions_per_hour: float = 0.0
    session_duration: tuple[float, float] = (1200.0, 5400.0)
    id_tags: tuple[str, ...] = DEFAULT_ID_TAGS
    heartbeat_interval: int = 300
    meter_sample_interval: int = 60
    response_timeout: float = 30.0
    open_timeout: float = 10.0
    backoff_min: float = 1.0
    backoff_max: float = 120.0
    backoff_random: float = 1.0
    backoff_repeat: int = 6
    reboot_delay: float = 2.0
    unplug_delay: tuple[float, float] = (5.0, 60.0)
    step_delay: float = 2.0
    boot_retry_default: int = 60
    boot_on_reconnect: bool = False
    ping_interval: int = 0
    seed: int | None = None

    def __post_init__(self) -> None:
        if not self.station_id or "/" in self.station_id:
            raise ConfigurationError(f"invalid station id {self.station_id!r}")
        if not self.url.startswith(("ws://", "wss://")):
            raise ConfigurationError(f"CSMS URL must be ws:// or wss://, got {self.url!r}")
        if self.version not in ("1.6", "2.0.1"):
            raise ConfigurationError(f"unsupported OCPP version {self.version!r}")
        if not 1 <= self.evses <= 64 or not 1 <= self.connectors_per_evse <= 8:
            raise ConfigurationError("evses must be 1..64 and connectors per EVSE 1..8")
        if self.sessions_per_hour < 0:
            raise ConfigurationError("sessions per hour must not be negative")
        low, high = self.session_duration
        if not 0 < low <= high:
            raise ConfigurationError("session duration must be a range 0 < min <= max")
        if not self.id_tags or any(not 0 < len(tag) <= 20 for tag in self.id_tags):
            raise ConfigurationError("id tags must be 1 to 20 characters (1.6 IdToken)")
        if self.backoff_min <= 0 or self.backoff_max < self.backoff_min:
            raise ConfigurationError("backoff must satisfy 0 < min <= max")

    @property
    def serial(self) -> str:
        """The serial number sent at boot (derived from the id unless given)."""
        return self.serial_number or f"SN-{self.station_id}"

    @property
    def endpoint(self) -> str:
        """The websocket URL: the CSMS URL with the station id as the last path segment."""
        return f"{self.url.rstrip('/')}/{quote(self.station_id, safe='')}"

    @property
    def connector_count(self) -> int:
        """How many connectors the station has in all."""
        return self.evses * self.connectors_per_evse
