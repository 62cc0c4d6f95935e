"""`make demo`: Laddpunkt on SQLite with simulated chargers and a simulated roaming partner.

    python -m simulators.demo [--stations N] [--duration S] [--no-emsp]

Starts `csms serve` on a fresh `./data/demo.db` (ports from `CSMS_OCPP__PORT` /
`CSMS_HTTP__PORT`, default 9000 and 8080), imports the demo location and tariff
(`simulators/demo_data`), registers 2 x N simulated stations (1.6 and 2.0.1) and links them
to the location, runs them with sessions starting and stopping, invites the simulated eMSP
as a partner, which registers, uploads its tokens and starts and stops a session remotely.
It prints what to try next and runs until Ctrl-C, then stops everything it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from .operator import Operator
from .options import DemoOptions, parse_args
from .run import Demo, demo_environment
from .serve import CsmsServer, DemoError

__all__ = [
    "CsmsServer",
    "Demo",
    "DemoError",
    "DemoOptions",
    "Operator",
    "demo_environment",
    "main",
    "parse_args",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo until Ctrl-C; the exit code (0 after a clean stop)."""
    options = parse_args(argv)
    return asyncio.run(Demo(options).run())
