"""Who presented a credentials token, remembered for a second.

Every OCPI request names its partner by token (transport_and_format, *Authorization
header*); looking it up was a query per request, as much CPU as serving a cached page.
A partner crawling our lists sends hundreds a second with the same token, so a successful
look-up of a *credentials* token (never Token A, which is for registration only) is kept
for `ttl` seconds.

What it costs: a token withdrawn on another node (credentials DELETE or PUT there, `csms
partners remove` against another node) keeps working here for at most `ttl`. On this node
the middleware clears the cache whenever a request could have changed credentials (any
method but GET on a configuration module), so its own changes take effect at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from shared.domain.partners import Partner
from shared.store.partners import TokenKind

__all__ = ["DEFAULT_TTL", "TokenCache"]

DEFAULT_TTL = 1.0
_MAX_ENTRIES = 1024


class TokenCache:
    """Token hash → (partner, kind) for `ttl` seconds of `clock`."""

    def __init__(
        self, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, Partner, TokenKind]] = {}

    def get(self, token_hash: str) -> tuple[Partner, TokenKind] | None:
        """The partner of `token_hash` if looked up less than `ttl` ago."""
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[token_hash]
            return None
        return entry[1], entry[2]

    def put(self, token_hash: str, partner: Partner, kind: TokenKind) -> None:
        """Remember a successful look-up (credentials tokens only)."""
        if kind is not TokenKind.CREDENTIALS or self.ttl <= 0:
            return
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()  # more partners than this within a second: start over
        self._entries[token_hash] = (self._clock() + self.ttl, partner, kind)

    def clear(self) -> None:
        """Forget every token (credentials may have changed)."""
        self._entries.clear()
