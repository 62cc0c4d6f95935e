"""Turning outbox rows into pushes: what to send for each object, in which order.

Rows are read in id order. Pushes of one *ordering key* (a location with its EVSEs, one
session, one CDR, one tariff) go out one after the other, in row order; different keys go
out side by side. Since every payload is built from the object's state when it is sent,
rows of the same object pending together collapse:

- a PUT covers every PATCH of the same object (and a location PUT every row of its EVSEs);
- PATCHes of the same object merge (the union of their fields);
- tariffs: PUT or DELETE, whatever the tariff is when sent;
- a CDR is POSTed once.

`replay_plan` is for a partner that comes back after missing pushes: one push per object
it missed, with its whole current state (PUT; CDRs POSTed; deleted tariffs DELETEd), never
the stale PATCHes themselves (transport_and_format, *Offline behaviour*).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.store.outbox import OutboxEntry, OutboxMethod, OutboxModule

__all__ = ["PushTarget", "ordering_key", "plan", "replay_plan"]


@dataclass(frozen=True, slots=True)
class PushTarget:
    """One push to make: an object, a method, the fields a PATCH carries, the rows it
    stands for (a CDR's row keeps the partner's `Location` answer)."""

    module: OutboxModule
    object_id: str
    method: OutboxMethod
    fields: frozenset[str] = frozenset()
    entry_ids: tuple[int, ...] = ()

    @property
    def first_id(self) -> int:
        return min(self.entry_ids)

    @property
    def location_id(self) -> str:
        """For a locations target: the location of the object."""
        return self.object_id.split("/", 1)[0]

    @property
    def evse_uid(self) -> str | None:
        """For a locations target: the EVSE uid, None for the location itself."""
        parts = self.object_id.split("/", 1)
        return parts[1] if len(parts) > 1 else None


def ordering_key(module: OutboxModule, object_id: str) -> tuple[str, str]:
    """Pushes with the same key are sent in order, one at a time."""
    if module is OutboxModule.LOCATIONS:
        return module.value, object_id.split("/", 1)[0]
    return module.value, object_id


def _merge(old: PushTarget, entry: OutboxEntry) -> PushTarget:
    ids = (*old.entry_ids, entry.id)
    if entry.method is OutboxMethod.POST or old.method is OutboxMethod.POST:
        return PushTarget(old.module, old.object_id, OutboxMethod.POST, frozenset(), ids)
    if old.module is OutboxModule.TARIFFS:
        return PushTarget(old.module, old.object_id, entry.method, frozenset(), ids)
    if OutboxMethod.PUT in (old.method, entry.method):
        return PushTarget(old.module, old.object_id, OutboxMethod.PUT, frozenset(), ids)
    return PushTarget(
        old.module, old.object_id, OutboxMethod.PATCH, old.fields | set(entry.fields), ids
    )


def _target(entry: OutboxEntry) -> PushTarget:
    return PushTarget(
        entry.module, entry.object_id, entry.method, frozenset(entry.fields), (entry.id,)
    )


def _grouped(targets: dict[tuple[OutboxModule, str], PushTarget]) -> list[list[PushTarget]]:
    groups: dict[tuple[str, str], list[PushTarget]] = {}
    located_puts = {
        t.location_id
        for t in targets.values()
        if t.module is OutboxModule.LOCATIONS
        and t.evse_uid is None
        and t.method is OutboxMethod.PUT
    }
    for target in sorted(targets.values(), key=lambda t: t.first_id):
        if (
            target.module is OutboxModule.LOCATIONS
            and target.evse_uid is not None
            and target.location_id in located_puts
        ):
            continue  # the location's PUT carries this EVSE's current state
        groups.setdefault(ordering_key(target.module, target.object_id), []).append(target)
    return list(groups.values())


def plan(entries: Iterable[OutboxEntry]) -> list[list[PushTarget]]:
    """Pushes for rows delivered as they come: groups to send in order (see module doc)."""
    targets: dict[tuple[OutboxModule, str], PushTarget] = {}
    for entry in entries:
        key = (entry.module, entry.object_id)
        old = targets.get(key)
        targets[key] = _target(entry) if old is None else _merge(old, entry)
    return _grouped(targets)


def replay_plan(entries: Iterable[OutboxEntry]) -> list[list[PushTarget]]:
    """One whole-object push per object a partner missed (see module doc)."""
    targets: dict[tuple[OutboxModule, str], PushTarget] = {}
    for entry in entries:
        key = (entry.module, entry.object_id)
        old = targets.get(key)
        ids = (*old.entry_ids, entry.id) if old is not None else (entry.id,)
        if entry.module is OutboxModule.CDRS:
            method = OutboxMethod.POST
        elif entry.module is OutboxModule.TARIFFS:
            method = entry.method  # decided again from the tariff's state when sent
        else:
            method = OutboxMethod.PUT
        targets[key] = PushTarget(entry.module, entry.object_id, method, frozenset(), ids)
    return _grouped(targets)
