"""Who presented a credentials token, remembered for a second.

Every OCPI request names its partner by token (transport_and_format, *Authorization
header*); looking it up was a query per request, as much CPU as serving a cached page.
A partner crawling our lists sends hundreds a second with the same token, so a successful
look-up of a *credentials* token (never Token A, which is for registration only) is kept
for `ttl` seconds, by the `Authorization` header that carried it (so a hit skips decoding
and hashing too; the header lives in this process's memory only, as it does while a
request is handled).

What it costs: a token withdrawn on another node (credentials DELETE or PUT there, `csms
partners remove` against another node) keeps working here for at most `ttl`. On this node
the middleware clears the cache whenever a request could have changed credentials (any
method but GET on a configuration module), so its own changes take effect at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.domain.partners import Partner
from shared.store.partners import TokenKind

__all__ = ["DEFAULT_TTL", "KnownToken", "TokenCache"]

DEFAULT_TTL = 1.0
_MAX_ENTRIES = 1024


@dataclass(frozen=True, slots=True)
class KnownToken:
    """A header's token (decoded), the partner it names and which token it is."""

    token: str
    partner: Partner
    kind: TokenKind


class TokenCache:
    """`Authorization` header → `KnownToken` for `ttl` seconds of `clock`."""

    def __init__(
        self, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, KnownToken]] = {}

    def get(self, header: str) -> KnownToken | None:
        """What `header` named if it was looked up less than `ttl` ago."""
        entry = self._entries.get(header)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[header]
            return None
        return entry[1]

    def put(self, header: str, known: KnownToken) -> None:
        """Remember a successful look-up (credentials tokens only)."""
        if known.kind is not TokenKind.CREDENTIALS or self.ttl <= 0:
            return
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()  # more partners than this within a second: start over
        self._entries[header] = (self._clock() + self.ttl, known)

    def clear(self) -> None:
        """Forget every token (credentials may have changed)."""
        self._entries.clear()
