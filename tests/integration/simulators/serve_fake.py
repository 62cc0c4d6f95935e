"""Run the fake CSMS on its own: `python -m tests.integration.simulators.serve_fake`.

Prints its URL on the first line of stdout and serves until terminated. Used to measure the
simulator against a server in another process.
"""

from __future__ import annotations

import asyncio
import signal
import sys

import ocpp.messages

from .fake_csms import FakeCsms


async def main() -> None:
    ocpp.messages.ASYNC_VALIDATION = False
    csms = FakeCsms(heartbeat_interval=int(sys.argv[1]) if len(sys.argv) > 1 else 60)
    csms.record = lambda item: None  # type: ignore[method-assign]  # keep nothing
    await csms.start()
    print(csms.url, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await csms.stop()


if __name__ == "__main__":
    asyncio.run(main())
