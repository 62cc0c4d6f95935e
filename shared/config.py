"""Typed configuration: a TOML file plus `CSMS_<SECTION>__<KEY>` environment overrides.

Every key is documented in `config.example.toml`. A wrong configuration (unknown key, bad
type, unreadable file) raises `ConfigError` with one message naming the key and its source.
Secrets (`admin_token`, database passwords) are kept out of `repr` and logs.
"""

from __future__ import annotations

import os
import socket
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from sqlalchemy.engine import make_url

__all__ = [
    "ENV_PREFIX",
    "BillingSettings",
    "ConfigError",
    "DatabaseSettings",
    "HttpSettings",
    "LoggingSettings",
    "NodeSettings",
    "OcpiSettings",
    "OcppSettings",
    "Settings",
    "load_settings",
]

ENV_PREFIX = "CSMS_"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and where it came from."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = Field(default="sqlite+aiosqlite:///./data/laddpunkt.db", repr=False)
    schema_name: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    pool_size: int = Field(default=10, ge=1)
    busy_timeout_ms: int = Field(default=5000, ge=0)
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "FULL"
    batch_max_messages: int = Field(default=500, ge=1)
    batch_window_ms: float = Field(default=2.0, ge=0, le=1000)
    echo: bool = False

    @property
    def display_url(self) -> str:
        """The URL with any password masked, for logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class OcppSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=9000, ge=0, le=65535)
    path: str = "/ocpp"
    default_version: Literal["1.6", "2.0.1"] = "1.6"
    unknown_stations: Literal["accept", "pending", "reject"] = "accept"
    heartbeat_interval: int = Field(default=300, ge=1)
    boot_retry_interval: int = Field(default=60, ge=1)
    ping_interval: float | None = Field(default=None, ge=0)
    ping_timeout: float | None = Field(default=20.0, ge=0)
    max_frame_bytes: int = Field(default=1_048_576, ge=1024)
    call_timeout: float = Field(default=30.0, gt=0)
    lenient: bool = True
    validate_outgoing: bool = False
    frame_log: bool = True
    frame_log_retention_days: int = Field(default=30, ge=0)
    tls_cert: str | None = None
    tls_key: str | None = None


class HttpSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    admin_token: SecretStr | None = None


class OcpiSettings(_Section):
    country_code: str = Field(default="SE", min_length=2, max_length=2)
    party_id: str = Field(default="LDP", min_length=3, max_length=3)
    business_name: str = "Laddpunkt"
    public_url: str = "http://127.0.0.1:8080"
    push_timeout: float = Field(default=10.0, gt=0)
    command_timeout: float = Field(default=60.0, gt=0)
    replay_missed: bool = True


class BillingSettings(_Section):
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    cost_interval_seconds: float = Field(default=10.0, gt=0)
    cost_refresh_seconds: float = Field(default=60.0, gt=0)
    cost_updated_seconds: float = Field(default=60.0, gt=0)
    cdr_scan_seconds: float = Field(default=300.0, gt=0)
    cdr_settle_seconds: float = Field(default=600.0, ge=0)


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["auto", "console", "json"] = "auto"


def _default_node_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class NodeSettings(_Section):
    id: str = Field(default_factory=_default_node_id)
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    command_poll_seconds: float = Field(default=2.0, gt=0)


class Settings(_Section):
    """The whole configuration, one section per `[table]` of the TOML file."""

    database: DatabaseSettings = DatabaseSettings()
    ocpp: OcppSettings = OcppSettings()
    http: HttpSettings = HttpSettings()
    ocpi: OcpiSettings = OcpiSettings()
    billing: BillingSettings = BillingSettings()
    logging: LoggingSettings = LoggingSettings()
    node: NodeSettings = Field(default_factory=NodeSettings)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def _env_overrides(environ: Mapping[str, str]) -> dict[tuple[str, str], str]:
    overrides: dict[tuple[str, str], str] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].partition("__")
        overrides[(section.lower(), key.lower())] = value
    return overrides


def load_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Load the settings from `path` (optional) and the environment.

    Raises `ConfigError` naming the offending key and its source (file or variable).
    """
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    sources: dict[tuple[str, str], str] = {}
    file_label = "built-in defaults"
    if path is not None:
        file_label = str(path)
        data = _read_toml(Path(path))
        for section, values in data.items():
            if not isinstance(values, dict):
                raise ConfigError(f"{file_label}: '{section}' must be a [section] table")
            for key in values:
                sources[(section, key)] = file_label
    for (section, key), value in _env_overrides(environ).items():
        var = f"{ENV_PREFIX}{section.upper()}__{key.upper()}"
        data.setdefault(section, {})[key] = None if value == "" else value
        sources[(section, key)] = f"environment variable {var}"
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, sources, file_label)) from None


def _describe(exc: ValidationError, sources: dict[tuple[str, str], str], file_label: str) -> str:
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        key = ".".join(loc) if loc else "(root)"
        source = sources.get((loc[0], loc[1]), file_label) if len(loc) >= 2 else file_label
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        lines.append(f"config key '{key}' from {source}: {message}")
    return "invalid configuration: " + "; ".join(lines)
