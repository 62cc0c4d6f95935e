"""Sessions and CDRs Sender interfaces: each partner sees its own; charging preferences."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update

from ocpi_gateway.v221.operator import (
    import_locations,
    import_tariffs,
    link_station_to_location,
)
from shared.domain.transactions import TransactionState, TransactionStatus
from shared.store.partner_feeds import charging_preferences
from shared.store.tables import cdrs, id_tokens, meter_values, partners
from shared.store.tables import transactions as transactions_table
from shared.store.transactions import TransactionAuthorization, insert_transaction
from shared.store.uow import UnitOfWork
from tests.integration.ocpi.conftest import Gateway, register
from tests.integration.ocpi.fake_partner import FakePartner
from tests.integration.ocpi.helpers import (
    add_station_with_evses,
    evse_doc,
    location_doc,
    spec_example,
    tariff_doc,
)

START = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


async def _partner_id(gateway: Gateway, party_id: str) -> int:
    async with gateway.database.read() as conn:
        row = (
            await conn.execute(select(partners.c.id).where(partners.c.party_id == party_id))
        ).one()
    return int(row.id)


async def _token(gateway: Gateway, partner_id: int, source: str, uid: str) -> None:
    async def add(uow: UnitOfWork) -> None:
        await uow.conn.execute(
            insert(id_tokens).values(
                source=source,
                id_token=uid,
                type="RFID",
                status="Accepted",
                partner_id=partner_id,
                contract_id=f"{source.replace('*', '')}C{uid}",
                whitelist="ALLOWED",
                last_updated=uow.now,
            )
        )

    await gateway.writer.run(add)


async def _session(
    gateway: Gateway,
    partner_id: int | None,
    uid: str,
    *,
    station: str = "CP-1",
    evse: int = 1,
    ended: bool = False,
    energy_wh: float = 0.0,
    tariff: str | None = None,
) -> int:
    state = TransactionState(
        status=TransactionStatus.COMPLETED if ended else TransactionStatus.ACTIVE,
        started_at=START,
        ended_at=START + timedelta(hours=1) if ended else None,
        evse_id=evse,
        connector_id=1,
        id_token=uid,
        id_token_type="ISO14443",
        meter_start_wh=1000.0,
        meter_stop_wh=1000.0 + energy_wh if ended else None,
        energy_wh=energy_wh,
    )

    async def add(uow: UnitOfWork) -> int:
        tx = await insert_transaction(
            uow,
            station,
            state,
            authorization=TransactionAuthorization(partner_id=partner_id),
        )
        if tariff is not None:
            await uow.conn.execute(
                update(transactions_table)
                .where(transactions_table.c.id == tx)
                .values(tariff_id=tariff, currency="SEK")
            )
        for minute, wh in ((0, 1000.0), (30, 1000.0 + energy_wh / 2), (60, 1000.0 + energy_wh)):
            await uow.conn.execute(
                insert(meter_values).values(
                    station_id=station,
                    evse_id=evse,
                    transaction_id=tx,
                    timestamp=START + timedelta(minutes=minute),
                    measurand="Energy.Active.Import.Register",
                    unit="Wh",
                    value=wh,
                )
            )
        return tx

    return await gateway.writer.run(add)


async def _cdr(gateway: Gateway, partner_id: int | None, cdr_id: str, tx: int) -> dict[str, Any]:
    record = copy.deepcopy(spec_example("cdr_example.json"))
    record.update({"country_code": "SE", "party_id": "LDP", "id": cdr_id, "session_id": str(tx)})

    async def add(uow: UnitOfWork) -> None:
        await uow.conn.execute(
            insert(cdrs).values(
                id=cdr_id,
                transaction_id=tx,
                station_id="CP-1",
                transaction_ref=str(tx),
                country_code="SE",
                party_id="LDP",
                start_date_time=START,
                end_date_time=START + timedelta(hours=2),
                total_energy_kwh=Decimal("15.342"),
                total_cost_excl_vat=Decimal(4),
                total_cost_incl_vat=Decimal("4.4"),
                currency="EUR",
                credit=False,
                partner_id=partner_id,
                record=record,
                created_at=uow.now,
                last_updated=uow.now,
            )
        )

    await gateway.writer.run(add)
    return dict(record)


async def _two_partners(gateway: Gateway, partner: FakePartner) -> tuple[str, str, int, int]:
    token_1 = await register(gateway, partner, "first")
    partner.party_id = "TWO"
    token_2 = await register(gateway, partner, "second")
    return token_1, token_2, await _partner_id(gateway, "EMS"), await _partner_id(gateway, "TWO")


async def _site(gateway: Gateway, **evse_changes: Any) -> None:
    await add_station_with_evses(gateway, "CP-1", evses=1)
    await import_tariffs(gateway.services, tariff_doc("T1"))
    await import_locations(
        gateway.services, location_doc("LOC1", evses=[evse_doc("E-1", "1", **evse_changes)])
    )
    await link_station_to_location(gateway.services, "LOC1", "CP-1", "T1")


async def test_each_partner_sees_only_its_sessions(gateway: Gateway, partner: FakePartner) -> None:
    token_1, token_2, first, second = await _two_partners(gateway, partner)
    await _site(gateway)
    await _token(gateway, first, "NL*EMS", "AA11")
    one = await _session(gateway, first, "AA11", energy_wh=4000.0, tariff="T1")
    two = await _session(gateway, second, "BB22")
    await _session(gateway, None, "LOCAL")
    answer = await gateway.call("GET", "/2.2.1/sessions", token_1)
    assert answer.code == 1000, answer.body
    assert [s["id"] for s in answer.data] == [str(one)]
    session = answer.data[0]
    assert session["status"] == "ACTIVE"
    assert session["kwh"] == 4.0
    assert session["cdr_token"] == {
        "country_code": "NL",
        "party_id": "EMS",
        "uid": "AA11",
        "type": "RFID",
        "contract_id": "NLEMSCAA11",
    }
    assert session["auth_method"] == "WHITELIST"
    assert (session["location_id"], session["evse_uid"], session["connector_id"]) == (
        "LOC1",
        "E-1",
        "1",
    )
    assert session["currency"] == "SEK"
    periods = session["charging_periods"]
    assert periods[0]["tariff_id"] == "T1"
    energy = sum(d["volume"] for p in periods for d in p["dimensions"] if d["type"] == "ENERGY")
    assert energy == 4.0
    assert session["total_cost"]["excl_vat"] == 1.0  # 4 kWh at 0.25
    other = await gateway.call("GET", "/2.2.1/sessions", token_2)
    assert [s["id"] for s in other.data] == [str(two)]
    assert other.data[0]["location_id"] == "LOC1"
    assert "charging_periods" not in other.data[0] or other.data[0]["charging_periods"]


async def test_completed_session(gateway: Gateway, partner: FakePartner) -> None:
    token = await register(gateway, partner)
    pid = await _partner_id(gateway, "EMS")
    tx = await _session(gateway, pid, "ZZ", ended=True, energy_wh=1500.0)
    (session,) = (await gateway.call("GET", "/2.2.1/sessions", token)).data
    assert session["id"] == str(tx)
    assert session["status"] == "COMPLETED"
    assert session["end_date_time"] == "2024-03-01T09:00:00Z"
    assert session["kwh"] == 1.5
    # Unlinked EVSE, no tariff: the ids cannot be given, the session is free.
    assert session["location_id"] == "#NA"
    assert session["total_cost"] == {"excl_vat": 0, "incl_vat": 0}
    assert session["cdr_token"]["party_id"] == "EMS"  # the partner's own party


async def test_charging_preferences(gateway: Gateway, partner: FakePartner) -> None:
    token = await register(gateway, partner)
    pid = await _partner_id(gateway, "EMS")
    await _site(gateway, capabilities=["CHARGING_PREFERENCES_CAPABLE", "RFID_READER"])
    tx = await _session(gateway, pid, "AA11")
    done = await _session(gateway, pid, "AA12", ended=True)
    url = f"/2.2.1/sessions/{tx}/charging_preferences"
    good = {"profile_type": "REGULAR", "departure_time": "2024-03-01T12:00:00Z", "energy_need": 20}
    answer = await gateway.call("PUT", url, token, json=good)
    assert (answer.status, answer.code, answer.data) == (200, 1000, "ACCEPTED")
    cheap = await gateway.call("PUT", url, token, json={"profile_type": "CHEAP"})
    assert cheap.data == "PROFILE_TYPE_NOT_SUPPORTED"
    ended = await gateway.call(
        "PUT", f"/2.2.1/sessions/{done}/charging_preferences", token, json=good
    )
    assert ended.data == "NOT_POSSIBLE"
    unknown = await gateway.call(
        "PUT", "/2.2.1/sessions/999999/charging_preferences", token, json=good
    )
    assert (unknown.status, unknown.code) == (404, 2001)
    bad = await gateway.call("PUT", url, token, json={"profile_type": "TURBO"})
    assert (bad.status, bad.code) == (200, 2001)
    assert "profile_type" in bad.body["status_message"]
    malformed = await gateway.call("PUT", url, token, data=b"{")
    assert (malformed.status, malformed.code) == (400, 2001)
    # Only the accepted preferences are kept, on their session, as sent.
    async with gateway.database.read() as conn:
        assert await charging_preferences(conn, tx) == good
        assert await charging_preferences(conn, done) is None
    # The newest replaces them.
    newer = {"profile_type": "REGULAR", "energy_need": 35.5, "discharge_allowed": False}
    again = await gateway.call("PUT", url, token, json=newer)
    assert again.data == "ACCEPTED"
    async with gateway.database.read() as conn:
        assert await charging_preferences(conn, tx) == newer


async def test_preferences_need_a_capable_evse(gateway: Gateway, partner: FakePartner) -> None:
    token = await register(gateway, partner)
    pid = await _partner_id(gateway, "EMS")
    await _site(gateway)
    tx = await _session(gateway, pid, "AA11")
    answer = await gateway.call(
        "PUT", f"/2.2.1/sessions/{tx}/charging_preferences", token, json={"profile_type": "FAST"}
    )
    assert (answer.status, answer.code) == (404, 2001)


async def test_cdrs_per_partner(gateway: Gateway, partner: FakePartner) -> None:
    token_1, token_2, first, second = await _two_partners(gateway, partner)
    await add_station_with_evses(gateway, "CP-1", evses=1)
    tx_1 = await _session(gateway, first, "AA11", ended=True)
    tx_2 = await _session(gateway, second, "BB22", ended=True)
    record = await _cdr(gateway, first, "CDR-1", tx_1)
    await _cdr(gateway, second, "CDR-2", tx_2)
    answer = await gateway.call("GET", "/2.2.1/cdrs", token_1)
    assert answer.code == 1000
    assert answer.data == [record]  # served as issued
    assert answer.headers["X-Total-Count"] == "1"
    other = await gateway.call("GET", "/2.2.1/cdrs", token_2)
    assert [c["id"] for c in other.data] == ["CDR-2"]


async def test_hub_sees_the_party_it_speaks_for(gateway: Gateway, partner: FakePartner) -> None:
    token_1 = await register(gateway, partner, "hub")
    hub = await _partner_id(gateway, "EMS")
    async with gateway.database.read() as conn:
        roles = (await conn.execute(select(partners.c.roles))).scalar_one()

    async def make_hub(uow: UnitOfWork) -> None:
        await uow.conn.execute(update(partners).values(roles=[{**roles[0], "role": "HUB"}]))

    await gateway.writer.run(make_hub)
    await add_station_with_evses(gateway, "CP-1", evses=1)
    await _token(gateway, hub, "DE*AAA", "T-A")
    await _token(gateway, hub, "DE*BBB", "T-B")
    tx_a = await _session(gateway, hub, "T-A", ended=True)
    tx_b = await _session(gateway, hub, "T-B", ended=True)
    await _cdr(gateway, hub, "CDR-A", tx_a)
    await _cdr(gateway, hub, "CDR-B", tx_b)
    routed = {"OCPI-from-country-code": "DE", "OCPI-from-party-id": "BBB"}
    sessions = await gateway.call("GET", "/2.2.1/sessions", token_1, headers=routed)
    assert [s["id"] for s in sessions.data] == [str(tx_b)]
    assert sessions.headers["OCPI-to-party-id"] == "BBB"
    assert sessions.headers["OCPI-from-party-id"] == "LDP"
    found = await gateway.call("GET", "/2.2.1/cdrs", token_1, headers=routed)
    assert [c["id"] for c in found.data] == ["CDR-B"]
    everything = await gateway.call("GET", "/2.2.1/sessions", token_1)
    assert len(everything.data) == 2
