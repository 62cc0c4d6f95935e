"""CDRs through the operator surface: `csms cdrs list|show|export|credit`, the `/admin/cdrs`
API, credit CDRs, and a CDR that survives a crash (restart recovery)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ocpi_gateway.v221.models.cdrs import CDR
from shared.billing.reports import CSV_COLUMNS
from shared.config import DatabaseSettings
from shared.events import CdrCreated
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.billing.helpers import (
    add_location,
    add_tariff,
    all_cdrs,
    boot_16,
    cdr_of,
    link_connector,
)
from tests.integration.billing.sessions import (
    Session16,
    run_session,
    start_session,
    status,
    stop_session,
)
from tests.integration.cli.helpers import ADMIN_TOKEN, CliRun, admin, cli_env, json_out, server_args
from tests.integration.ocpp.tx_support import add_token

STATION = "CP-CDR-1"
T0 = datetime(2025, 5, 6, 7, 0, tzinfo=UTC)

# 0.50 per kWh incl. 20 % VAT on 0.40... simply: ENERGY 0.40 excl., VAT 25 %.
TARIFF = {
    "id": "KWH-40",
    "currency": "SEK",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.40, "vat": 25.0, "step_size": 1}]}
    ],
}


def session(index: int, kwh: int) -> Session16:
    start = T0 + timedelta(hours=2 * index)
    return Session16(
        connector=1,
        id_tag="TAG-C",
        start=start,
        meter_start=100_000 * index,
        readings=[(timedelta(minutes=30), 100_000 * index + 500 * kwh, 11_000)],
        stop_after=timedelta(hours=1),
        meter_stop=100_000 * index + 1000 * kwh,
    )


async def _site(node: Any) -> None:
    await add_location(node.database)
    await add_tariff(node.database, TARIFF)
    await add_token(node.database, "TAG-C")


async def test_list_show_export_and_credit(db_settings: DatabaseSettings) -> None:
    run = CliRun(cli_env(db_settings, COLUMNS="250"))  # wide tables: no folded cells
    settings = node_settings(db_settings, http={"admin_token": ADMIN_TOKEN})
    async with running_node(settings) as node:
        await _site(node)
        created: list[CdrCreated] = []
        node.bus.subscribe(CdrCreated, created.append)
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await status(client, 1, "Available", T0)
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["KWH-40"]
            )
            transactions = [
                await run_session(client, session(i, kwh)) for i, kwh in enumerate((10, 20))
            ]
        first, second = [await cdr_of(node.database, tx) for tx in transactions]
        server = server_args(node)

        listed = json_out(await run("cdrs", "list", "--json", *server))
        # DESIGN.md: OCPI 2.2.1 CDR objects plus station_id and transaction_id.
        assert [c["id"] for c in listed] == [first.id, second.id]
        for item, tx in zip(listed, transactions, strict=True):
            assert item["station_id"] == STATION
            assert item["transaction_id"] == str(tx)
            cdr = {k: v for k, v in item.items() if k not in ("station_id", "transaction_id")}
            CDR.model_validate(cdr)
        # 10 kWh × 0.40 = 4.00 excl., 5.00 incl.; 20 kWh: 8.00 / 10.00.
        assert [c["total_cost"] for c in listed] == [
            {"excl_vat": 4, "incl_vat": 5},
            {"excl_vat": 8, "incl_vat": 10},
        ]

        shown = json_out(await run("cdrs", "show", first.id, "--json", *server))
        assert shown == listed[0]
        # For people: tables, with the figures in them.
        human = await run("cdrs", "show", first.id, *server)
        assert human.exit_code == 0, human.output
        assert "5 SEK" in human.stdout
        assert "ENERGY 10" in human.stdout
        table = await run("cdrs", "list", *server)
        assert first.id in table.stdout
        assert second.id in table.stdout
        report = await run("stats", "--from", "2025-05-06", "--to", "2025-05-07", *server)
        assert report.exit_code == 0, report.output
        assert STATION in report.stdout
        assert "15.00 SEK" in report.stdout  # revenue incl. VAT of both sessions

        result = await run("cdrs", "credit", first.id, "--reason", "meter fault", "--json", *server)
        assert result.exit_code == 0, result.output
        credit = json_out(result)
        assert credit["id"] == f"{first.id}-C"
        assert credit["credit"] is True
        assert credit["credit_reference_id"] == first.id
        assert credit["total_cost"] == {"excl_vat": -4, "incl_vat": -5}
        assert credit["total_energy"] == 10  # everything else as in the original
        CDR.model_validate(
            {k: v for k, v in credit.items() if k not in ("station_id", "transaction_id")}
        )
        assert [e.cdr_id for e in created] == [first.id, second.id, credit["id"]]

        again = await run("cdrs", "credit", first.id, *server)
        assert again.exit_code == 1
        assert "credited already" in again.output
        of_credit = await run("cdrs", "credit", credit["id"], *server)
        assert of_credit.exit_code == 1
        missing = await run("cdrs", "credit", "NO-SUCH-CDR", *server)
        assert missing.exit_code == 5

        exported = await run("cdrs", "export", "--format", "csv", *server)
        rows = list(csv.reader(io.StringIO(exported.stdout)))
        assert tuple(rows[0]) == CSV_COLUMNS
        body = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
        assert [r["cdr_id"] for r in body] == [first.id, second.id, credit["id"]]
        assert [r["total_excl_vat"] for r in body] == ["4", "8", "-4"]
        assert [r["total_incl_vat"] for r in body] == ["5", "10", "-5"]
        assert [r["credit"] for r in body] == ["false", "false", "true"]
        assert body[2]["credit_reference_id"] == first.id
        assert {r["energy_kwh"] for r in body[:2]} == {"10", "20"}
        assert body[0]["location_id"] == "LOC-1"
        assert body[0]["tariff_ids"] == "KWH-40"
        assert body[0]["token_uid"] == "TAG-C"
        assert body[0]["start"] == "2025-05-06T07:00:00Z"

        as_json = json_out(await run("cdrs", "export", "--format", "json", *server))
        assert as_json == [*listed, credit]

        # A window in which nothing was issued.
        assert json_out(await run("cdrs", "list", "--json", "--to", "2020-01-01", *server)) == []
        bad = await run("cdrs", "list", "--from", "yesterday", *server)
        assert bad.exit_code == 2

        status_code, body_404, _ = await admin(node, "GET", "/cdrs/NOPE")
        assert status_code == 404
        assert body_404["error"] == "not_found"

    # With the server down, list and export read the database.
    offline = json_out(await run("cdrs", "list", "--json", "--server", "http://127.0.0.1:9"))
    assert [c["id"] for c in offline] == [first.id, second.id, credit["id"]]


async def test_a_cdr_missed_in_a_crash_is_issued_at_the_next_start(
    db_settings: DatabaseSettings,
) -> None:
    settings = node_settings(db_settings)
    planned = session(0, 12)
    async with running_node(settings) as node:
        await _site(node)
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await status(client, 1, "Available", T0)
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["KWH-40"]
            )
            tx = await start_session(client, planned)
            # The CDR worker "crashes" before the session ends: the end is stored, the
            # TransactionEnded event is lost with the process.
            await node.billing.cdrs.aclose()
            await stop_session(client, planned, tx)
        assert await all_cdrs(node.database) == []

    async with running_node(settings) as restarted:
        cdr = await cdr_of(restarted.database, tx)
    # 12 kWh × 0.40 = 4.80 excl., 6.00 incl.
    assert (cdr.total_cost_excl_vat, cdr.total_cost_incl_vat) == (Decimal("4.8"), Decimal("6"))
    assert cdr.record["session_id"] == str(tx)


async def test_a_session_closed_by_us_waits_for_its_real_stop(
    db_settings: DatabaseSettings,
) -> None:
    first, second = session(0, 10), session(1, 4)
    async with running_node(node_settings(db_settings)) as node:
        await _site(node)
        worker = node.billing.cdrs
        async with ocpp_client(node.ocpp_port, STATION, "1.6") as client:
            await boot_16(client)
            await status(client, 1, "Available", T0)
            await link_connector(
                node.database, STATION, 1, 1, location_id="LOC-1", tariff_ids=["KWH-40"]
            )
            old = await start_session(client, first)
            # A new start on the same connector without a stop: we close the old session.
            new = await start_session(client, second)
            assert await worker.issue(old) is None  # it waits for its real stop
            # The real stop arrives late (offline replay) with the meter stop.
            await stop_session(client, first, old)
        issued = await worker.scan()
        cdr = await cdr_of(node.database, old)
        assert cdr.id in issued
        # 10 kWh × 0.40 = 4.00 (closed by us it would have known only 5 kWh, the last reading)
        assert cdr.total_cost_excl_vat == Decimal(4)
        assert cdr.record["end_date_time"] == "2025-05-06T08:00:00Z"

        # A session closed by us whose stop never comes is billed from what we know, once
        # the wait is over.
        await stop_session_never(node, new)
        assert await worker.issue(new) is None
        worker.clock = lambda: datetime.now(UTC) + timedelta(hours=1)
        late = await worker.issue(new)
        assert late is not None
        assert late.total_energy_kwh == Decimal(2)  # the last reading: 2 kWh of 4


async def stop_session_never(node: Any, transaction_id: int) -> None:
    """Close a session the way a new start on its connector does (from the store's side)."""
    from dataclasses import replace

    from shared.domain.transactions import SUPERSEDED_STOP_REASON, TransactionStatus
    from shared.store.transactions import get_transaction, save_state

    async def close(uow: Any) -> None:
        found = await get_transaction(uow.conn, transaction_id)
        assert found is not None
        state = replace(
            found.state,
            status=TransactionStatus.COMPLETED,
            ended_at=found.state.started_at + timedelta(hours=1),
            stop_reason=SUPERSEDED_STOP_REASON,
            meter_stop_wh=None,
        )
        await save_state(uow, transaction_id, state)

    await node.writer.run(close)
