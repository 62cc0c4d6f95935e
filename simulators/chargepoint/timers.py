"""Named one-shot timers on the event loop, owned by one station.

A station's periodic work (heartbeats, meter samples, session arrivals, reservation expiry,
firmware steps) runs as timer callbacks rather than tasks: a `TimerHandle` costs far less
memory than a task, which matters with thousands of stations in one process. Every timer is
named, so setting a name again replaces the old timer, and `cancel_all` at shutdown leaves
nothing behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

__all__ = ["Timers"]

_log = logging.getLogger(__name__)


class Timers:
    """The pending timers of one owner, by name."""

    __slots__ = ("_handles", "on_error")

    def __init__(self) -> None:
        self._handles: dict[str, asyncio.TimerHandle] = {}
        self.on_error: Callable[[str, Exception], None] | None = None

    def __contains__(self, name: str) -> bool:
        return name in self._handles

    def __len__(self) -> int:
        return len(self._handles)

    def set(self, name: str, delay: float, callback: Callable[[], None]) -> None:
        """Run `callback` after `delay` seconds, replacing any timer called `name`."""
        self.cancel(name)
        loop = asyncio.get_running_loop()
        self._handles[name] = loop.call_later(max(0.0, delay), self._fire, name, callback)

    def cancel(self, name: str) -> None:
        """Cancel the timer called `name`, if any."""
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle.cancel()

    def cancel_prefix(self, prefix: str) -> None:
        """Cancel every timer whose name starts with `prefix`."""
        for name in [n for n in self._handles if n.startswith(prefix)]:
            self.cancel(name)

    def cancel_all(self) -> None:
        """Cancel everything (at shutdown)."""
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()

    def _fire(self, name: str, callback: Callable[[], None]) -> None:
        self._handles.pop(name, None)
        try:
            callback()
        except Exception as exc:  # a bug in one station must not stop the loop
            _log.exception("sim.timer.failed name=%s", name)
            if self.on_error is not None:
                self.on_error(name, exc)
