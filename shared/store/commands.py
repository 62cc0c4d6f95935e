"""Commands in the `commands` table: insert, read, claim, and move along their lifecycle.

Rows become `CommandRecord`s here and nowhere else. The request is stored as the domain
command's JSON (`kind` + fields), so any node can rebuild the very command it has to send.
Status changes go through `next_status` (the lifecycle table) and are guarded in SQL by the
status they expect, so two nodes can never both move one command.

Claiming (`claim_pending`, `unfinished_commands`) locks rows with `FOR UPDATE SKIP LOCKED`
on PostgreSQL: a node that polls while another claims simply skips the locked rows
(PITFALLS "PostgreSQL LISTEN/NOTIFY"). SQLite has one writer at a time, which gives the same.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.cluster.codec import decode_dataclass, encode_dataclass
from shared.domain.commands import (
    COMMAND_TYPES,
    Command,
    CommandRecord,
    CommandResult,
    CommandStatus,
    next_status,
)
from shared.events import CommandFinished
from shared.store.tables import commands, nodes, stations
from shared.store.uow import UnitOfWork

__all__ = [
    "StaleCommandError",
    "StationRoute",
    "claim_pending",
    "decode_request",
    "encode_request",
    "finish_command",
    "get_command",
    "insert_command",
    "list_commands",
    "mark_sent",
    "station_route",
    "unfinished_commands",
]


class StaleCommandError(RuntimeError):
    """The command's row is no longer in the status we read (another node moved it)."""


def encode_request(command: Command) -> dict[str, Any]:
    """The command as stored in `commands.request`."""
    return encode_dataclass(command)


def decode_request(kind: str, data: object) -> Command:
    """Rebuild a stored command; raises `CodecError`/`ValueError` for what cannot be."""
    cls = COMMAND_TYPES.get(kind)
    if cls is None:
        raise ValueError(f"unknown command kind {kind!r}")
    return decode_dataclass(cls, data)


def _record(row: Row[Any]) -> CommandRecord:
    return CommandRecord(
        id=row.id,
        station_id=row.station_id,
        kind=row.kind,
        status=CommandStatus(row.status),
        request=decode_request(row.kind, row.request),
        requested_by=row.requested_by,
        created_at=row.created_at,
        response=row.response,
        error=row.error,
        sent_at=row.sent_at,
        completed_at=row.completed_at,
        ocpp_action=row.ocpp_action,
        origin_node=row.origin_node,
        target_node=row.target_node,
        timeout_s=row.timeout_s,
    )


async def insert_command(uow: UnitOfWork, record: CommandRecord) -> None:
    """Store a new command (pending, or already final when it could not be routed)."""
    await uow.conn.execute(
        insert(commands).values(
            id=record.id,
            station_id=record.station_id,
            kind=record.kind,
            ocpp_action=record.ocpp_action,
            request=encode_request(record.request),
            status=record.status.value,
            response=record.response,
            error=record.error,
            requested_by=record.requested_by,
            origin_node=record.origin_node,
            target_node=record.target_node,
            timeout_s=record.timeout_s,
            created_at=record.created_at,
            sent_at=record.sent_at,
            completed_at=record.completed_at,
        )
    )
    if record.finished:
        _emit_finished(uow, record)


async def get_command(conn: AsyncConnection, command_id: str) -> CommandRecord | None:
    """One command, or None."""
    row = (await conn.execute(select(commands).where(commands.c.id == command_id))).first()
    return _record(row) if row is not None else None


async def list_commands(
    conn: AsyncConnection, station_id: str | None = None, limit: int = 100
) -> list[CommandRecord]:
    """Commands, newest first (of one station when `station_id` is given)."""
    query = select(commands)
    if station_id is not None:
        query = query.where(commands.c.station_id == station_id)
    query = query.order_by(commands.c.created_at.desc(), commands.c.id.desc()).limit(limit)
    return [_record(row) for row in await conn.execute(query)]


def _locked(query: Select[Any], conn: AsyncConnection) -> Select[Any]:
    if conn.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


async def claim_pending(
    uow: UnitOfWork, node_id: str, ids: Collection[str] | None = None, limit: int = 100
) -> list[CommandRecord]:
    """Pending commands addressed to `node_id` (only `ids`, when given), oldest first,
    locked for this transaction; the caller moves each to sent or failed before commit."""
    query = select(commands).where(
        commands.c.status == CommandStatus.PENDING.value, commands.c.target_node == node_id
    )
    if ids is not None:
        query = query.where(commands.c.id.in_(list(ids)))
    query = query.order_by(commands.c.created_at, commands.c.id).limit(limit)
    return [_record(row) for row in await uow.conn.execute(_locked(query, uow.conn))]


async def unfinished_commands(
    uow: UnitOfWork,
    *,
    target_node: str | None = None,
    live_nodes: Collection[str] | None = None,
    statuses: Sequence[CommandStatus] = (CommandStatus.PENDING, CommandStatus.SENT),
    created_before: datetime | None = None,
    limit: int = 500,
) -> list[CommandRecord]:
    """Unfinished commands, locked: addressed to `target_node`, or (with `live_nodes`)
    addressed to a node not in that set — orphans of a node that stopped."""
    query = select(commands).where(commands.c.status.in_([s.value for s in statuses]))
    if target_node is not None:
        query = query.where(commands.c.target_node == target_node)
    if live_nodes is not None:
        query = query.where(
            or_(commands.c.target_node.is_(None), commands.c.target_node.not_in(list(live_nodes)))
        )
    if created_before is not None:
        query = query.where(commands.c.created_at < created_before)
    query = query.order_by(commands.c.created_at).limit(limit)
    return [_record(row) for row in await uow.conn.execute(_locked(query, uow.conn))]


async def _move(
    uow: UnitOfWork, record: CommandRecord, new: CommandRecord, values: dict[str, Any]
) -> CommandRecord:
    result = await uow.conn.execute(
        update(commands)
        .where(and_(commands.c.id == record.id, commands.c.status == record.status.value))
        .values(status=new.status.value, **values)
    )
    if result.rowcount != 1:
        raise StaleCommandError(f"command {record.id} is no longer {record.status.value}")
    return new


async def mark_sent(uow: UnitOfWork, record: CommandRecord, ocpp_action: str) -> CommandRecord:
    """pending → sent: this node hands it to the station's connection now."""
    new = replace(
        record,
        status=next_status(record.status, CommandStatus.SENT),
        sent_at=uow.now,
        ocpp_action=ocpp_action,
    )
    return await _move(uow, record, new, {"sent_at": uow.now, "ocpp_action": ocpp_action})


async def finish_command(
    uow: UnitOfWork, record: CommandRecord, result: CommandResult, ocpp_action: str | None = None
) -> CommandRecord:
    """Move to the result's final status with the charger's answer; emits CommandFinished."""
    new = replace(
        record,
        status=next_status(record.status, result.status),
        response=result.response,
        error=result.reason,
        completed_at=uow.now,
        ocpp_action=ocpp_action or record.ocpp_action,
    )
    await _move(
        uow,
        record,
        new,
        {
            "response": result.response,
            "error": result.reason,
            "completed_at": uow.now,
            "ocpp_action": new.ocpp_action,
        },
    )
    _emit_finished(uow, new)
    return new


def _emit_finished(uow: UnitOfWork, record: CommandRecord) -> None:
    uow.emit(
        CommandFinished(
            at=uow.now,
            command_id=record.id,
            station_id=record.station_id,
            status=record.status.value,
        )
    )


@dataclass(frozen=True, slots=True)
class StationRoute:
    """Where a station's websocket is, as the database knows it."""

    known: bool
    connected: bool = False
    node_id: str | None = None
    node_heartbeat_at: datetime | None = None
    registration_status: str | None = None


async def station_route(conn: AsyncConnection, station_id: str) -> StationRoute:
    """The station's node and that node's last heartbeat (newest connection wins)."""
    row = (
        await conn.execute(
            select(
                stations.c.connected,
                stations.c.node_id,
                stations.c.registration_status,
                nodes.c.heartbeat_at,
            )
            .select_from(stations.outerjoin(nodes, nodes.c.id == stations.c.node_id))
            .where(stations.c.id == station_id)
        )
    ).first()
    if row is None:
        return StationRoute(known=False)
    return StationRoute(
        known=True,
        connected=bool(row.connected),
        node_id=row.node_id,
        node_heartbeat_at=row.heartbeat_at,
        registration_status=row.registration_status,
    )
