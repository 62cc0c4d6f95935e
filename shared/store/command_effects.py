"""What a command means for the rest of the store, before it is sent and once it is answered.

Before (`prepare_command`, in the transaction that stores the command): identifiers the
charger will echo are allocated — a remote start id, request ids, the charging profile id
(a `charging_profiles` row; a new limit for the same EVSE, purpose and stack level reuses
that slot's id so the charger replaces the profile instead of stacking a second one, 1.6
§5.16.1 / 2.0.1 K01.FR.05) and the reservation id (a `reservations` row).

After (`apply_command_effects`, in the transaction that stores the answer): profile and
reservation rows follow the answer, an accepted local list is recorded as the station's, and
an accepted remote start is linked to the transaction it caused.

Linking a remote start (`link_started_transaction`, `link_start_command`): 2.0.1 by
`remoteStartId` (F01.FR.26), 1.6 by station, token and connector within
`REMOTE_START_WINDOW` — whichever of the two (the answer, the transaction) is stored second
makes the link, so the order in which they arrive does not matter.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.cluster.codec import encode_dataclass
from shared.domain.commands import (
    CancelReservation,
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    ClearChargingProfile,
    Command,
    CommandRecord,
    CommandStatus,
    GetChargingProfiles,
    GetLog,
    GetReport,
    ReserveNow,
    SchedulePeriod,
    SendLocalList,
    SetChargingLimit,
    SetChargingProfile,
    StartCharging,
    UpdateFirmware,
)
from shared.store.commands import decode_request
from shared.store.tables import (
    charging_profiles,
    commands,
    local_list_entries,
    local_lists,
    reservations,
    transactions,
)
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert

__all__ = [
    "REMOTE_START_WINDOW",
    "apply_command_effects",
    "link_start_command",
    "link_started_transaction",
    "prepare_command",
]

#: How long after a remote start a 1.6 transaction may begin and still be its result: the
#: driver has the charger's ConnectionTimeOut (often 1–3 minutes) to plug in, plus slack.
REMOTE_START_WINDOW: Final = timedelta(minutes=10)

_MAX_ID = 2**31 - 1  # OCPP integers are 32-bit signed in practice
_PROFILE_OPEN = ("requested", "installed")


def _new_id() -> int:
    return secrets.randbelow(_MAX_ID - 1) + 1


# --- before sending ------------------------------------------------------------------------


async def prepare_command(
    uow: UnitOfWork, station_id: str, command: Command, requested_by: str
) -> Command:
    """`command` with every identifier it needs allocated (see module doc)."""
    source = requested_by[:32]
    if isinstance(command, StartCharging):
        return await _prepare_start(uow, station_id, command, source)
    if isinstance(command, SetChargingLimit):
        limit = replace(command, starts_at=command.starts_at or uow.now)
        profile_id = await _allocate_profile(
            uow, station_id, limit.evse_id, limit.profile(), source
        )
        return replace(limit, profile_id=profile_id)
    if isinstance(command, SetChargingProfile):
        profile_id = await _allocate_profile(
            uow, station_id, command.evse_id, command.profile, source
        )
        return replace(command, profile=replace(command.profile, id=profile_id))
    if isinstance(command, ReserveNow):
        return replace(
            command, reservation_id=await _allocate_reservation(uow, station_id, command)
        )
    if (
        isinstance(command, GetReport | UpdateFirmware | GetLog | GetChargingProfiles)
        and command.request_id is None
    ):
        return replace(command, request_id=_new_id())
    return command


async def _prepare_start(
    uow: UnitOfWork, station_id: str, command: StartCharging, source: str
) -> StartCharging:
    command = replace(command, remote_start_id=command.remote_start_id or _new_id())
    profile = command.charging_profile
    if command.charging_limit_w is not None:
        # A TxProfile for the transaction about to start: Relative, so it runs from the
        # transaction's start (1.6 §5.11, 2.0.1 F01.FR.08-11).
        profile = ChargingProfile(
            stack_level=0,
            purpose=ChargingProfilePurpose.TX,
            kind=ChargingProfileKind.RELATIVE,
            schedule=ChargingSchedule(
                ChargingRateUnit.WATTS, (SchedulePeriod(0, command.charging_limit_w),)
            ),
        )
    if profile is None:
        return command
    profile_id = await _allocate_profile(
        uow, station_id, command.evse_id or 0, profile, source, reuse_slot=False
    )
    return replace(command, charging_limit_w=None, charging_profile=replace(profile, id=profile_id))


async def _allocate_profile(
    uow: UnitOfWork,
    station_id: str,
    evse_id: int,
    profile: ChargingProfile,
    source: str,
    *,
    reuse_slot: bool = True,
) -> int:
    values = {
        "evse_id": evse_id,
        "purpose": profile.purpose.value,
        "stack_level": profile.stack_level,
        "kind": profile.kind.value,
        "schedule": encode_dataclass(profile),
        "source": source,
        "status": "requested",
        "valid_from": profile.valid_from,
        "valid_to": profile.valid_to,
        "updated_at": uow.now,
    }
    table = charging_profiles.c
    if profile.id is not None:
        # The caller chose the id: track it only if it is this station's row.
        owned = and_(table.id == profile.id, table.station_id == station_id)
        await uow.conn.execute(update(charging_profiles).where(owned).values(**values))
        return profile.id
    if reuse_slot:
        slot = (
            await uow.conn.execute(
                select(table.id).where(
                    table.station_id == station_id,
                    table.evse_id == evse_id,
                    table.purpose == profile.purpose.value,
                    table.stack_level == profile.stack_level,
                    table.source != "station",
                    table.status.in_(_PROFILE_OPEN),
                    table.transaction_id.is_(None),
                )
            )
        ).first()
        if slot is not None:
            await uow.conn.execute(
                update(charging_profiles).where(table.id == slot.id).values(**values)
            )
            return int(slot.id)
    inserted = await uow.conn.execute(
        insert(charging_profiles)
        .values(station_id=station_id, created_at=uow.now, **values)
        .returning(table.id)
    )
    return int(inserted.scalar_one())


async def _allocate_reservation(uow: UnitOfWork, station_id: str, command: ReserveNow) -> int:
    values = {
        "station_id": station_id,
        "evse_id": command.evse_id,
        "connector_type": command.connector_type,
        "id_token": command.id_token.value,
        "group_id": command.group_id_token.value if command.group_id_token else None,
        "expiry": command.expiry,
        "status": "requested",
        "updated_at": uow.now,
    }
    if command.reservation_id is not None:
        table = reservations.c
        owned = and_(table.id == command.reservation_id, table.station_id == station_id)
        await uow.conn.execute(update(reservations).where(owned).values(**values))
        return command.reservation_id
    inserted = await uow.conn.execute(
        insert(reservations).values(created_at=uow.now, **values).returning(reservations.c.id)
    )
    return int(inserted.scalar_one())


# --- after the answer ----------------------------------------------------------------------


async def apply_command_effects(uow: UnitOfWork, record: CommandRecord) -> None:
    """Bring profiles, reservations, local lists and transactions in line with the answer."""
    command = record.request
    accepted = record.status is CommandStatus.ACCEPTED
    rejected = record.status is CommandStatus.REJECTED
    if isinstance(command, SetChargingProfile | SetChargingLimit | StartCharging):
        profile_id = _profile_id(command)
        if profile_id is not None and (accepted or rejected):
            await _set_profile_status(uow, record.station_id, profile_id, accepted)
        if isinstance(command, StartCharging) and accepted:
            await link_start_command(uow, record)
    elif isinstance(command, ClearChargingProfile) and accepted:
        await _clear_profiles(uow, record.station_id, command)
    elif isinstance(command, ReserveNow) and command.reservation_id and (accepted or rejected):
        status = "active" if accepted else "rejected"
        await _set_reservation(uow, record.station_id, command.reservation_id, status)
    elif isinstance(command, CancelReservation) and accepted:
        await _set_reservation(uow, record.station_id, command.reservation_id, "cancelled")
    elif isinstance(command, SendLocalList) and accepted:
        await _record_local_list(uow, record.station_id, command)


def _profile_id(command: SetChargingProfile | SetChargingLimit | StartCharging) -> int | None:
    if isinstance(command, SetChargingLimit):
        return command.profile_id
    if isinstance(command, SetChargingProfile):
        return command.profile.id
    return command.charging_profile.id if command.charging_profile else None


async def _set_profile_status(
    uow: UnitOfWork, station_id: str, profile_id: int, accepted: bool
) -> None:
    table = charging_profiles.c
    await uow.conn.execute(
        update(charging_profiles)
        .where(table.id == profile_id, table.station_id == station_id)
        .values(status="installed" if accepted else "rejected", updated_at=uow.now)
    )


async def _clear_profiles(uow: UnitOfWork, station_id: str, command: ClearChargingProfile) -> None:
    table = charging_profiles.c
    criteria = [table.station_id == station_id, table.status.in_(_PROFILE_OPEN)]
    if command.profile_id is not None:
        criteria.append(table.id == command.profile_id)
    if command.evse_id is not None:
        criteria.append(table.evse_id == command.evse_id)
    if command.purpose is not None:
        criteria.append(table.purpose == command.purpose.value)
    if command.stack_level is not None:
        criteria.append(table.stack_level == command.stack_level)
    await uow.conn.execute(
        update(charging_profiles).where(*criteria).values(status="cleared", updated_at=uow.now)
    )


async def _set_reservation(
    uow: UnitOfWork, station_id: str, reservation_id: int, status: str
) -> None:
    table = reservations.c
    await uow.conn.execute(
        update(reservations)
        .where(table.id == reservation_id, table.station_id == station_id)
        .values(status=status, updated_at=uow.now)
    )


async def _record_local_list(uow: UnitOfWork, station_id: str, command: SendLocalList) -> None:
    """The list the station now holds (D01): a full update replaces it, a differential one
    adds, changes and (status None) removes entries."""
    if command.full:
        await uow.conn.execute(
            delete(local_list_entries).where(local_list_entries.c.station_id == station_id)
        )
    removed = [e.id_token.value for e in command.entries if e.status is None]
    if removed:
        await uow.conn.execute(
            delete(local_list_entries).where(
                local_list_entries.c.station_id == station_id,
                local_list_entries.c.id_token.in_(removed),
            )
        )
    dialect = uow.conn.dialect.name
    rows = [
        {
            "station_id": station_id,
            "id_token": entry.id_token.value,
            "type": entry.id_token.type,
            "status": entry.status.value,
            "expiry": entry.expiry,
            "group_id": entry.group_id_token.value if entry.group_id_token else None,
        }
        for entry in command.entries
        if entry.status is not None
    ]
    if rows:
        statement = upsert(
            dialect,
            local_list_entries,
            ["station_id", "id_token"],
            ["type", "status", "expiry", "group_id"],
        )
        await uow.conn.execute(statement, rows)
    version = upsert(dialect, local_lists, ["station_id"], ["version", "updated_at"])
    await uow.conn.execute(
        version, {"station_id": station_id, "version": command.version, "updated_at": uow.now}
    )


# --- linking a remote start to its transaction ---------------------------------------------


async def _link(
    uow: UnitOfWork, transaction_id: int, command_id: str, remote_start_id: int | None
) -> None:
    """Set the transaction's command (and, for 1.6, our remote start id) if still unset."""
    values: dict[str, Any] = {"command_id": command_id, "last_updated": uow.now}
    if remote_start_id is not None:
        values["remote_start_id"] = remote_start_id
    await uow.conn.execute(
        update(transactions)
        .where(transactions.c.id == transaction_id, transactions.c.command_id.is_(None))
        .values(**values)
    )


def _matches(command: StartCharging, tx: Any) -> bool:
    if tx.remote_start_id is not None:
        return bool(command.remote_start_id == tx.remote_start_id)
    token: str = tx.id_token or ""
    wanted = command.id_token.value
    # 1.6 chargers may cut an idTag at 20 characters (PITFALLS "Real chargers" #13).
    same_token = token == wanted or (len(token) == 20 and wanted.startswith(token))
    return same_token and (command.evse_id in (None, 0) or command.evse_id == tx.evse_id)


async def _linked_commands(conn: AsyncConnection, command_ids: list[str]) -> set[str]:
    if not command_ids:
        return set()
    rows = await conn.execute(
        select(transactions.c.command_id).where(transactions.c.command_id.in_(command_ids))
    )
    return {row.command_id for row in rows}


async def link_started_transaction(uow: UnitOfWork, transaction_id: int) -> str | None:
    """Link a newly started transaction to the remote start that caused it, if any; returns
    the command id (also when it was linked already)."""
    tx = (
        await uow.conn.execute(select(transactions).where(transactions.c.id == transaction_id))
    ).first()
    if tx is None or tx.command_id is not None:
        return tx.command_id if tx is not None else None
    rows = (
        await uow.conn.execute(
            select(commands.c.id, commands.c.kind, commands.c.request)
            .where(
                commands.c.station_id == tx.station_id,
                commands.c.kind == StartCharging.kind,
                commands.c.status.in_([CommandStatus.SENT.value, CommandStatus.ACCEPTED.value]),
                commands.c.created_at >= tx.created_at - REMOTE_START_WINDOW,
                commands.c.created_at <= tx.created_at + timedelta(seconds=5),
            )
            .order_by(commands.c.created_at, commands.c.id)
        )
    ).all()
    taken = await _linked_commands(uow.conn, [row.id for row in rows])

    for row in rows:
        command = decode_request(row.kind, row.request)
        if row.id not in taken and isinstance(command, StartCharging) and _matches(command, tx):
            remote_start_id = None if tx.remote_start_id is not None else command.remote_start_id
            await _link(uow, transaction_id, row.id, remote_start_id)
            return str(row.id)
    return None


async def link_start_command(uow: UnitOfWork, record: CommandRecord) -> int | None:
    """Link an accepted remote start to a transaction that already started for it (the
    charger may report the transaction before we have stored its answer)."""
    command = record.request
    if not isinstance(command, StartCharging):
        return None
    if await _linked_commands(uow.conn, [record.id]):
        return None
    query = select(transactions).where(
        transactions.c.station_id == record.station_id,
        transactions.c.command_id.is_(None),
        transactions.c.created_at >= record.created_at - timedelta(seconds=5),
    )
    answered_ref = (record.response or {}).get("transactionId")
    for tx in (await uow.conn.execute(query.order_by(transactions.c.id))).all():
        if _matches(command, tx) or (answered_ref and tx.transaction_ref == answered_ref):
            remote_start_id = None if tx.remote_start_id is not None else command.remote_start_id
            await _link(uow, tx.id, record.id, remote_start_id)
            return int(tx.id)
    return None
