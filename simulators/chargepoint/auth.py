"""Local authorization: the local authorization list and the authorization cache.

OCPP 1.6 §3.5 / 2.0.1 C12–C14, D01: the CSMS manages a versioned local list; the station
also caches the answers it got. The local list wins over the cache. While offline, a station
with `LocalAuthorizeOffline` accepts the tags these know as Accepted; with
`AllowOfflineTxForUnknownId` (2.0.1 `OfflineTxForUnknownIdEnabled`) it also accepts tags it
does not know at all.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

__all__ = ["AuthStatus", "ListUpdateResult", "LocalAuth"]


class AuthStatus(enum.Enum):
    """An id tag's authorization status (1.6 AuthorizationStatus spellings, plus Unknown)."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    CONCURRENT_TX = "ConcurrentTx"
    UNKNOWN = "Unknown"


class ListUpdateResult(enum.Enum):
    """The outcome of SendLocalList (1.6 UpdateStatus / 2.0.1 SendLocalListStatusEnumType)."""

    ACCEPTED = "Accepted"
    FAILED = "Failed"
    VERSION_MISMATCH = "VersionMismatch"


class LocalAuth:
    """The local list and the cache of one station."""

    __slots__ = ("_cache", "_list", "list_version", "max_entries")

    def __init__(self, max_entries: int = 1000) -> None:
        self.max_entries = max_entries
        self.list_version = 0
        self._list: dict[str, AuthStatus] = {}
        self._cache: dict[str, AuthStatus] = {}

    @property
    def list_size(self) -> int:
        """How many entries the local list holds."""
        return len(self._list)

    def lookup(
        self, id_tag: str, *, use_list: bool = True, use_cache: bool = True
    ) -> AuthStatus | None:
        """What the station knows locally about `id_tag` (None: nothing)."""
        if use_list and id_tag in self._list:
            return self._list[id_tag]
        if use_cache:
            return self._cache.get(id_tag)
        return None

    def remember(self, id_tag: str, status: AuthStatus) -> None:
        """Cache the CSMS's answer for `id_tag` (not for tags on the local list)."""
        if id_tag not in self._list:
            self._cache[id_tag] = status

    def clear_cache(self) -> None:
        """Forget every cached answer (ClearCache)."""
        self._cache.clear()

    def update_list(
        self,
        version: int,
        *,
        full: bool,
        entries: Iterable[tuple[str, AuthStatus | None]],
    ) -> ListUpdateResult:
        """Apply a SendLocalList. An entry with status None removes the tag (differential)."""
        items = list(entries)
        if not full and version <= self.list_version:
            return ListUpdateResult.VERSION_MISMATCH
        updated = {} if full else dict(self._list)
        for tag, status in items:
            if status is None:
                updated.pop(tag, None)
            else:
                updated[tag] = status
        if len(updated) > self.max_entries:
            return ListUpdateResult.FAILED
        self._list = updated
        self.list_version = version
        for tag in updated:
            self._cache.pop(tag, None)
        return ListUpdateResult.ACCEPTED
