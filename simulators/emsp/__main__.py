"""`python -m simulators.emsp`: run the simulated eMSP against a CPO.

Example::

    python -m simulators.emsp --versions-url http://127.0.0.1:8080/ocpi/versions \\
        --token-a TOKEN --start-session auto --stop-after 60
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .run import run_emsp
from .simulator import EmspOptions

__all__ = ["main", "parse_args"]


def parse_args(argv: Sequence[str] | None = None) -> EmspOptions:
    """Simulator options from the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m simulators.emsp",
        description="Simulate an OCPI 2.2.1 eMSP roaming partner against a CPO.",
    )
    parser.add_argument("--versions-url", help="the CPO's OCPI versions URL")
    parser.add_argument("--token-a", help="the Token A the CPO issued (csms partners invite)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free)")
    parser.add_argument("--public-url", help="base URL the CPO is told (default http://host:port)")
    parser.add_argument("--country-code", default="NL")
    parser.add_argument("--party-id", default="SIM")
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        metavar="UID",
        help="RFID token uid to issue and upload (repeatable)",
    )
    parser.add_argument(
        "--start-session",
        metavar="LOC[/EVSE[/CONN]]|auto",
        help="send START_SESSION after registering",
    )
    parser.add_argument(
        "--stop-after",
        type=float,
        metavar="S",
        help="STOP_SESSION this many seconds after the session is active",
    )
    parser.add_argument("--duration", type=float, metavar="S", help="exit after this many seconds")
    parser.add_argument("--json", action="store_true", help="JSON lines on stdout")
    parser.add_argument(
        "--raw-tokens",
        action="store_true",
        help="send the credentials token without Base64, like a 2.1.1 partner",
    )
    args = parser.parse_args(argv)
    if (args.versions_url is None) != (args.token_a is None):
        parser.error("--versions-url and --token-a go together")
    return EmspOptions(
        versions_url=args.versions_url,
        token_a=args.token_a,
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        country_code=args.country_code,
        party_id=args.party_id,
        token_uids=tuple(args.tokens) if args.tokens else EmspOptions().token_uids,
        start_session=args.start_session,
        stop_after=args.stop_after,
        duration=args.duration,
        json=args.json,
        raw_tokens=args.raw_tokens,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    return run_emsp(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
