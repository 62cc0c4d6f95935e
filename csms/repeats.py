"""Recognising meter values a charger sends again after a reconnect.

A charger whose answer got lost (the socket dropped between our commit and its receipt of
the CALLRESULT) sends the same MeterValues again on its next connection, often under a new
message id. Starts and stops are recognised by their fingerprints and 2.0.1 transaction
events by their seqNo; a MeterValues carries its own timestamps, so the same action with the
same payload from the same station is the same fact: it is answered again, not stored twice
(DESIGN.md "Data that must not be lost").

The memory is per node and survives the station's reconnects to this node; it holds the
last few stored payloads per station only.
"""

from __future__ import annotations

from collections import OrderedDict, deque

import orjson

from csms.ocppj import Call

__all__ = ["RepeatGuard"]

_GUARDED = frozenset({"MeterValues"})
_PER_STATION = 32
_STATIONS = 50_000


class RepeatGuard:
    """Digests of recently stored payloads of guarded actions, per station."""

    def __init__(self) -> None:
        self._seen: OrderedDict[str, deque[int]] = OrderedDict()

    @staticmethod
    def _digest(call: Call) -> int | None:
        if call.action not in _GUARDED:
            return None
        return hash((call.action, orjson.dumps(call.payload)))

    def is_repeat(self, station_id: str, call: Call) -> bool:
        digest = self._digest(call)
        if digest is None:
            return False
        recent = self._seen.get(station_id)
        return recent is not None and digest in recent

    def remember(self, station_id: str, call: Call) -> None:
        """Record a payload that was stored (call only after its CALLRESULT was built)."""
        digest = self._digest(call)
        if digest is None:
            return
        recent = self._seen.get(station_id)
        if recent is None:
            recent = self._seen[station_id] = deque(maxlen=_PER_STATION)
            if len(self._seen) > _STATIONS:
                self._seen.popitem(last=False)
        recent.append(digest)
