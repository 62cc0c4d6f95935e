"""Rows the outbox tests need, inserted directly (the tests are about the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from shared.store.tables import (
    cdrs,
    commands,
    evses,
    locations,
    partners,
    stations,
    transactions,
)
from shared.store.uow import UnitOfWork

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


async def station(uow: UnitOfWork, station_id: str, evse_ids: tuple[int, ...] = (1,)) -> None:
    await uow.conn.execute(
        insert(stations).values(
            id=station_id,
            registration_status="accepted",
            connected=True,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    for evse_id in evse_ids:
        await uow.conn.execute(
            insert(evses).values(
                station_id=station_id,
                evse_id=evse_id,
                status="Available",
                removed=False,
                last_updated=NOW,
            )
        )


async def location(uow: UnitOfWork, location_id: str, publish: bool = True) -> None:
    await uow.conn.execute(
        insert(locations).values(
            id=location_id,
            country_code="SE",
            party_id="LDP",
            publish=publish,
            address="Gatan 1",
            city="Stad",
            country="SWE",
            latitude="59.329323",
            longitude="18.068581",
            time_zone="Europe/Stockholm",
            details={},
            last_updated=NOW,
        )
    )


async def partner(uow: UnitOfWork, name: str = "eMSP") -> int:
    result = await uow.conn.execute(
        insert(partners)
        .values(
            name=name,
            status="registered",
            country_code="NL",
            party_id="SIM",
            roles=[{"role": "EMSP", "country_code": "NL", "party_id": "SIM"}],
            endpoints=[],
            outgoing_token="token",
            outgoing_token_base64=True,
            replay_missed=True,
            created_at=NOW,
            updated_at=NOW,
        )
        .returning(partners.c.id)
    )
    return int(result.scalar_one())


async def transaction(
    uow: UnitOfWork,
    station_id: str,
    evse_id: int = 1,
    *,
    partner_id: int | None = None,
    id_token: str | None = "TOKEN1",
) -> int:
    result = await uow.conn.execute(
        insert(transactions)
        .values(
            station_id=station_id,
            evse_id=evse_id,
            connector_id=1,
            transaction_ref=f"ref-{station_id}-{evse_id}-{id_token}",
            status="active",
            id_token=id_token,
            started_at=NOW,
            energy_wh=0.0,
            offline=False,
            partner_id=partner_id,
            created_at=uow.now,
            last_updated=uow.now,
        )
        .returning(transactions.c.id)
    )
    return int(result.scalar_one())


async def start_command(uow: UnitOfWork, station_id: str, token: str, requested_by: str) -> None:
    await uow.conn.execute(
        insert(commands).values(
            id=f"cmd-{station_id}-{token}",
            station_id=station_id,
            kind="start_charging",
            request={"id_token": {"value": token, "type": "Central"}},
            status="accepted",
            requested_by=requested_by,
            timeout_s=30.0,
            created_at=uow.now,
        )
    )


async def cdr(uow: UnitOfWork, cdr_id: str, transaction_id: int, partner_id: int | None) -> None:
    record: dict[str, Any] = {"id": cdr_id}
    await uow.conn.execute(
        insert(cdrs).values(
            id=cdr_id,
            transaction_id=transaction_id,
            station_id="CP-1",
            transaction_ref="1",
            country_code="SE",
            party_id="LDP",
            start_date_time=NOW,
            end_date_time=NOW,
            total_energy_kwh=1,
            total_cost_excl_vat=1,
            currency="SEK",
            credit=False,
            partner_id=partner_id,
            record=record,
            created_at=NOW,
            last_updated=NOW,
        )
    )


async def link(uow: UnitOfWork, station_id: str, evse_id: int, location_id: str, uid: str) -> None:
    from sqlalchemy import update

    await uow.conn.execute(
        update(evses)
        .where(evses.c.station_id == station_id, evses.c.evse_id == evse_id)
        .values(location_id=location_id, evse_uid=uid)
    )
