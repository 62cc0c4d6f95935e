"""Rendered objects kept as JSON bytes, so that GET lists are assembled, not rebuilt.

A Location with ten EVSEs takes three queries, a few hundred Python objects and ~6 kB of
JSON to produce; a page of them was ~50 ms of CPU. Most of it is the same on every page:
partners crawl the same, mostly unchanged, objects again and again. So the gateway keeps
each object's wire form (`bytes`) with the *stamp* it was rendered at, and serves it for as
long as the stored stamp is the same (docs/adr/0002-ocpi-pagination.md).

The stamp is read from the database on every request (for pages it comes with the keyset
query anyway), and the writers change it in the same transaction as anything the object
shows. A node therefore never serves what another node has changed since: it sees the new
stamp and renders again. Nothing is pushed between nodes and nothing expires.

`DocumentCache` is one kind of object (e.g. 2.2.1 locations); `DocumentCaches` holds every
kind of one app under one byte budget. When the budget is spent, new objects are served
rendered but not kept (a full crawl would otherwise evict everything it is about to read
again, the worst case of LRU); re-renderings of kept objects replace them in place.
All of it runs on the event loop: no locks.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_BYTES", "CacheStats", "DocumentCache", "DocumentCaches"]

#: 30,000 locations of ten EVSEs are ~180 MB of JSON; a node serving more keeps the first
#: 256 MiB worth and renders the rest on demand.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: What one entry costs beyond its bytes (dict slot, tuple, key and stamp objects).
_OVERHEAD = 200


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Counters of one cache, for metrics and tests."""

    entries: int
    size_bytes: int
    hits: int
    misses: int


class _Budget:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0


class DocumentCache:
    """Rendered documents of one kind, by object id, each valid for one stamp."""

    __slots__ = ("_budget", "_entries", "hits", "misses", "name")

    def __init__(self, name: str, budget: _Budget) -> None:
        self.name = name
        self._budget = budget
        self._entries: dict[str, tuple[Hashable, bytes]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: str, stamp: Hashable) -> bytes | None:
        """The document of `key` rendered at `stamp`, or None (a miss)."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == stamp:
            self.hits += 1
            return entry[1]
        self.misses += 1
        return None

    def get_many(self, keys: Sequence[tuple[str, Hashable]]) -> list[bytes | None]:
        """`get` of each `(key, stamp)`, in order (one call for a page)."""
        entries = self._entries
        found: list[bytes | None] = []
        for key, stamp in keys:
            entry = entries.get(key)
            found.append(entry[1] if entry is not None and entry[0] == stamp else None)
        misses = found.count(None)
        self.hits += len(found) - misses
        self.misses += misses
        return found

    def put(self, key: str, stamp: Hashable, document: bytes) -> None:
        """Keep `document` as `key`'s rendering at `stamp` (see module doc for the budget)."""
        old = self._entries.get(key)
        freed = len(old[1]) + _OVERHEAD if old is not None else 0
        needed = len(document) + _OVERHEAD
        if self._budget.used - freed + needed > self._budget.max_bytes:
            if old is not None:
                del self._entries[key]
                self._budget.used -= freed
            return
        # A compact copy: serializers over-allocate and shrink their output in place, which
        # leaves each kept document pinning a larger block (measured: RSS 2.2× the bytes
        # kept, 1.05× with the copy).
        self._entries[key] = (stamp, bytes(memoryview(document)))
        self._budget.used += needed - freed

    def discard(self, key: str) -> None:
        """Forget `key` (e.g. an object that is gone)."""
        old = self._entries.pop(key, None)
        if old is not None:
            self._budget.used -= len(old[1]) + _OVERHEAD

    def clear(self) -> None:
        """Forget every document of this kind."""
        for _, document in self._entries.values():
            self._budget.used -= len(document) + _OVERHEAD
        self._entries.clear()

    def stats(self) -> CacheStats:
        """Entries, bytes kept, hits and misses so far."""
        size = sum(len(document) + _OVERHEAD for _, document in self._entries.values())
        return CacheStats(len(self._entries), size, self.hits, self.misses)


class DocumentCaches:
    """Every document cache of one OCPI app, under one byte budget.

    `validate` asks renderers to check what they render against the wire models before
    keeping it (tests turn it on; our own output is valid by construction, see
    docs/adr/0002-ocpi-pagination.md).
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, *, validate: bool = False) -> None:
        self.validate = validate
        self._budget = _Budget(max_bytes)
        self._caches: dict[str, DocumentCache] = {}

    def cache(self, name: str) -> DocumentCache:
        """The cache called `name` (e.g. ``"2.2.1/locations"``), created on first use."""
        found = self._caches.get(name)
        if found is None:
            found = self._caches[name] = DocumentCache(name, self._budget)
        return found

    @property
    def size_bytes(self) -> int:
        """Bytes kept by all caches (documents plus per-entry overhead)."""
        return self._budget.used

    def clear(self) -> None:
        """Forget everything."""
        for cache in self._caches.values():
            cache.clear()
