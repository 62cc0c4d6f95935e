"""`python -m simulators.chargepoint`: run a fleet of simulated charging stations.

Example::

    python -m simulators.chargepoint --count 100 --version mixed \\
        --url ws://127.0.0.1:9000/ocpp --sessions-per-hour 2 --duration 600
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .config import DEFAULT_ID_TAGS
from .errors import ConfigurationError
from .fleet import FleetOptions, run_fleet

__all__ = ["main", "parse_args"]


def _tags(value: str) -> tuple[str, ...]:
    if value.startswith("@"):
        with open(value[1:], encoding="utf-8") as handle:
            return tuple(line.strip() for line in handle if line.strip())
    return tuple(tag.strip() for tag in value.split(",") if tag.strip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.chargepoint",
        description="Simulate OCPP 1.6J / 2.0.1 charging stations against a CSMS.",
    )
    parser.add_argument("--count", type=int, required=True, help="number of stations")
    parser.add_argument("--version", choices=("1.6", "2.0.1", "mixed"), required=True)
    parser.add_argument("--url", required=True, help="CSMS endpoint; the station id is appended")
    parser.add_argument("--sessions-per-hour", type=float, default=1.0, help="per station")
    parser.add_argument("--password", help="HTTP Basic password (security profile 1)")
    parser.add_argument("--json", action="store_true", help="JSON events on stdout")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    parser.add_argument("--prefix", default="SIM", help="station ids are PREFIX-N")
    parser.add_argument("--first", type=int, default=1, help="number of the first station")
    parser.add_argument("--connect-rate", type=float, default=50.0, help="new stations per s")
    parser.add_argument("--evses", type=int, default=2)
    parser.add_argument("--connectors-per-evse", type=int, default=1)
    parser.add_argument(
        "--id-tags", type=_tags, help="comma-separated tags, or @FILE with one per line"
    )
    parser.add_argument("--sample-interval", type=int, default=60, help="meter values, s")
    parser.add_argument("--summary-interval", type=float, default=5.0)
    parser.add_argument("--seed", type=int)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> FleetOptions:
    """Fleet options from the command line (exits with a usage message if they are bad)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return FleetOptions(
            count=args.count,
            version=args.version,
            url=args.url,
            sessions_per_hour=args.sessions_per_hour,
            password=args.password,
            json=args.json,
            duration=args.duration,
            prefix=args.prefix,
            first=args.first,
            connect_rate=args.connect_rate,
            evses=args.evses,
            connectors_per_evse=args.connectors_per_evse,
            id_tags=args.id_tags or DEFAULT_ID_TAGS,
            meter_sample_interval=args.sample_interval,
            summary_interval=args.summary_interval,
            seed=args.seed,
        )
    except ConfigurationError as exc:
        parser.error(str(exc))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    options = parse_args(argv)
    try:
        return run_fleet(options)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
