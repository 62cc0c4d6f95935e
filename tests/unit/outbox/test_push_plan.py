"""Planning pushes from outbox rows, and waiting for gaps in the row ids."""

from __future__ import annotations

from typing import Any

from ocpi_gateway.push_delivery import PartnerLink
from ocpi_gateway.push_plan import PushTarget, plan, replay_plan
from ocpi_gateway.push_worker import PartnerPusher, PushSettings
from shared.domain.partners import Partner, PartnerStatus
from shared.store.outbox import OutboxEntry, OutboxMethod, OutboxModule

from .seed import NOW

L, S, C, T = OutboxModule.LOCATIONS, OutboxModule.SESSIONS, OutboxModule.CDRS, OutboxModule.TARIFFS
PUT, PATCH, POST, DELETE = (
    OutboxMethod.PUT,
    OutboxMethod.PATCH,
    OutboxMethod.POST,
    OutboxMethod.DELETE,
)


def _rows(*specs: tuple[Any, ...]) -> list[OutboxEntry]:
    rows = []
    for n, spec in enumerate(specs, start=1):
        module, object_id, method, *fields = spec
        rows.append(OutboxEntry(n, module, object_id, method, None, NOW, tuple(fields)))
    return rows


def _shape(
    groups: list[list[PushTarget]],
) -> list[list[tuple[str, str, set[str], tuple[int, ...]]]]:
    return [
        [(t.object_id, t.method.value, set(t.fields), t.entry_ids) for t in group]
        for group in groups
    ]


def test_patches_of_one_object_merge_and_a_put_covers_them() -> None:
    groups = plan(
        _rows(
            (L, "LOC1/E1", PATCH, "status"),
            (S, "7", PUT),
            (L, "LOC1/E1", PATCH, "status"),
            (S, "7", PATCH, "kwh"),
            (L, "LOC2", PATCH, "name"),
            (L, "LOC2", PATCH, "opening_times"),
        )
    )
    assert _shape(groups) == [
        [("LOC1/E1", "PATCH", {"status"}, (1, 3))],
        [("7", "PUT", set(), (2, 4))],
        [("LOC2", "PATCH", {"name", "opening_times"}, (5, 6))],
    ]


def test_a_location_put_carries_its_evses_and_keeps_order_per_location() -> None:
    groups = plan(
        _rows(
            (L, "LOC1/E1", PATCH, "status"),
            (L, "LOC1", PUT),
            (L, "LOC1/E2", PATCH, "status"),
            (L, "LOC3/E9", PATCH, "status"),
            (L, "LOC3", PATCH, "name"),
        )
    )
    assert _shape(groups) == [
        [("LOC1", "PUT", set(), (2,))],
        [("LOC3/E9", "PATCH", {"status"}, (4,)), ("LOC3", "PATCH", {"name"}, (5,))],
    ]


def test_tariffs_take_the_last_method_and_cdrs_are_posted_once() -> None:
    groups = plan(_rows((T, "T1", PUT), (T, "T1", DELETE), (C, "CDR1", POST), (C, "CDR1", POST)))
    assert _shape(groups) == [
        [("T1", "DELETE", set(), (1, 2))],
        [("CDR1", "POST", set(), (3, 4))],
    ]


def test_replay_sends_each_missed_object_whole_once() -> None:
    groups = replay_plan(
        _rows(
            (L, "LOC1/E1", PATCH, "status"),
            (L, "LOC1/E1", PATCH, "status"),
            (S, "7", PUT),
            (S, "7", PATCH, "kwh"),
            (C, "CDR1", POST),
            (T, "T2", DELETE),
        )
    )
    assert _shape(groups) == [
        [("LOC1/E1", "PUT", set(), (1, 2))],
        [("7", "PUT", set(), (3, 4))],
        [("CDR1", "POST", set(), (5,))],
        [("T2", "DELETE", set(), (6,))],
    ]


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _pusher(clock: _Clock) -> PartnerPusher:
    partner = Partner(1, "p", PartnerStatus.REGISTERED)
    link = PartnerLink(partner, "token")
    return PartnerPusher(
        link,
        None,
        None,
        None,
        PushSettings(gap_grace=2.0),
        clock=clock,  # type: ignore[arg-type]
    )


def test_a_gap_in_the_ids_is_waited_for_then_passed() -> None:
    clock = _Clock()
    pusher = _pusher(clock)
    pusher.cursor = 10
    rows = _rows(*[(L, f"L{n}", PUT) for n in range(14)])[10:]  # ids 11 … 14
    with_gap = [rows[0], rows[2], rows[3]]  # 12 is not visible yet
    assert [r.id for r in pusher._usable(with_gap)] == [11]
    clock.now += 1.0
    assert [r.id for r in pusher._usable(with_gap)] == [11]
    assert [r.id for r in pusher._usable(rows)] == [11, 12, 13, 14]  # it filled in

    later = _pusher(clock)
    later.cursor = 10
    assert [r.id for r in later._usable(with_gap)] == [11]
    clock.now += 2.5  # a gap older than the grace was a rolled-back transaction
    assert [r.id for r in later._usable(with_gap)] == [11, 13, 14]
    later.cursor = 14
    assert later._usable([]) == []
    assert later._gaps == {}
