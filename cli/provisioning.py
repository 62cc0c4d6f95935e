"""What operators provision ahead of time: stations (password, version, keepalive, strictness,
registration) and the local id tokens drivers charge with.

These are use cases over a `UnitOfWork`: the admin API runs them through the node's
`BatchWriter`; the CLI runs them on its own transaction when the server is down (operators
provision stations before they ever connect).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from shared.domain.stations import RegistrationStatus
from shared.events import TokenChanged
from shared.store.tables import id_tokens, stations
from shared.store.uow import UnitOfWork
from shared.store.upsert import insert_ignore, upsert

__all__ = [
    "LOCAL_TOKEN_SOURCE",
    "StationProvisioning",
    "TokenProvisioning",
    "provision_station",
    "provision_token",
]

LOCAL_TOKEN_SOURCE = "local"


@dataclass(frozen=True, slots=True)
class StationProvisioning:
    """Changes to a station's settings; None leaves a setting as it is (or at its default
    for a new station)."""

    password_hash: str | None = None
    remove_password: bool = False
    version: str | None = None  # served when the charger offers no subprotocol
    ping_interval: float | None = None  # 0: keepalive off for this station
    lenient: bool | None = None
    registration: RegistrationStatus | None = None

    def column_values(self) -> dict[str, Any]:
        """The columns this provisioning sets."""
        values: dict[str, Any] = {}
        if self.remove_password:
            values["password_hash"] = None
        elif self.password_hash is not None:
            values["password_hash"] = self.password_hash
        if self.version is not None:
            values["version_override"] = self.version
        if self.ping_interval is not None:
            values["ping_interval"] = self.ping_interval
        if self.lenient is not None:
            values["lenient"] = self.lenient
        if self.registration is not None:
            values["registration_status"] = self.registration.value
        return values


async def provision_station(uow: UnitOfWork, station_id: str, changes: StationProvisioning) -> bool:
    """Create the station or apply `changes` to it; True when it was created.

    An upsert rather than select-then-insert: a charger connecting at the same moment
    (`mark_connected` also upserts) cannot make this fail.
    """
    existed = (
        await uow.conn.execute(select(stations.c.id).where(stations.c.id == station_id))
    ).first() is not None
    changed = changes.column_values()
    row: dict[str, Any] = {
        "id": station_id,
        "registration_status": RegistrationStatus.ACCEPTED.value,
        "connected": False,
        "created_at": uow.now,
        "updated_at": uow.now,
        **changed,
    }
    dialect = uow.conn.dialect.name
    statement = (
        upsert(dialect, stations, ["id"], [*sorted(changed), "updated_at"])
        if changed
        else insert_ignore(dialect, stations, ["id"])
    )
    await uow.conn.execute(statement, row)
    return not existed


@dataclass(frozen=True, slots=True)
class TokenProvisioning:
    """A local id token (OCPP 2.0.1 IdTokenType + IdTokenInfoType essentials)."""

    id_token: str
    type: str = "ISO14443"
    status: str = "Accepted"
    expiry: datetime | None = None
    group_id: str | None = None


async def provision_token(uow: UnitOfWork, token: TokenProvisioning) -> bool:
    """Add or replace a local token; True when it was added. Emits `TokenChanged`."""
    existed = (
        await uow.conn.execute(
            select(id_tokens.c.id).where(
                id_tokens.c.source == LOCAL_TOKEN_SOURCE, id_tokens.c.id_token == token.id_token
            )
        )
    ).first() is not None
    statement = upsert(
        uow.conn.dialect.name,
        id_tokens,
        ["source", "id_token"],
        ["type", "status", "expiry", "group_id", "last_updated"],
    )
    await uow.conn.execute(
        statement,
        {
            "source": LOCAL_TOKEN_SOURCE,
            "id_token": token.id_token,
            "type": token.type,
            "status": token.status,
            "expiry": token.expiry,
            "group_id": token.group_id,
            "last_updated": uow.now,
        },
    )
    uow.emit(TokenChanged(at=uow.now, source=LOCAL_TOKEN_SOURCE, id_token=token.id_token))
    return not existed
