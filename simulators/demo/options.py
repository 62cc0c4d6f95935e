"""What the demo runs: ports, fleet size, how lively the sessions are.

Ports come from the command line, else from the same variables `csms` reads
(`CSMS_OCPP__PORT`, `CSMS_HTTP__PORT`), else 9000 and 8080, so that the commands the demo
suggests afterwards find the server with the same environment.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from simulators.demo_data import LOCATION_FILE, TARIFF_FILE

__all__ = ["DemoOptions", "parse_args"]


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """One demo run. Durations are in seconds."""

    ocpp_port: int = 9000
    http_port: int = 8080
    data_dir: Path = Path("data")
    stations_per_version: int = 10
    sessions_per_hour: float = 20.0  # per station
    session_duration: tuple[float, float] = (60.0, 240.0)
    sample_interval: int = 10
    first_sessions: int = 2  # per version, started as soon as the stations are up
    emsp: bool = True
    remote_stop_after: float = 20.0  # the eMSP stops its remote session after this long
    duration: float | None = None  # None: until Ctrl-C
    location_file: Path = LOCATION_FILE
    tariff_file: Path = TARIFF_FILE

    @property
    def database_path(self) -> Path:
        """The demo's SQLite file, recreated on every run."""
        return self.data_dir / "demo.db"

    @property
    def log_path(self) -> Path:
        """Where `csms serve` logs go (the terminal shows the demo's own lines)."""
        return self.data_dir / "demo-serve.log"

    @property
    def ocpp_url(self) -> str:
        return f"ws://127.0.0.1:{self.ocpp_port}/ocpp"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def versions_url(self) -> str:
        """The OCPI versions URL partners are given."""
        return f"{self.http_url}/ocpi/versions"


def _port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port")
    return port


def _env_port(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    if not value:
        return default
    try:
        return _port(value)
    except (ValueError, argparse.ArgumentTypeError):
        raise SystemExit(f"{name}={value!r} is not a TCP port") from None


def parse_args(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> DemoOptions:
    """Options from the command line and the `CSMS_*` port variables."""
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m simulators.demo",
        description="Run Laddpunkt with simulated chargers and a simulated eMSP until Ctrl-C.",
    )
    parser.add_argument("--ocpp-port", type=_port, default=_env_port(env, "CSMS_OCPP__PORT", 9000))
    parser.add_argument("--http-port", type=_port, default=_env_port(env, "CSMS_HTTP__PORT", 8080))
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--stations", type=int, default=10, help="per OCPP version")
    parser.add_argument("--sessions-per-hour", type=float, default=20.0, help="per station")
    parser.add_argument("--no-emsp", action="store_true", help="leave the eMSP out")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    args = parser.parse_args(argv)
    if not 1 <= args.stations <= 500:
        parser.error("--stations must be 1 to 500")
    if args.ocpp_port == args.http_port:
        parser.error("the OCPP and HTTP ports must differ")
    return DemoOptions(
        ocpp_port=args.ocpp_port,
        http_port=args.http_port,
        data_dir=args.data_dir,
        stations_per_version=args.stations,
        sessions_per_hour=max(0.0, args.sessions_per_hour),
        emsp=not args.no_emsp,
        duration=args.duration,
    )
