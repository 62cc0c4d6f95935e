"""Connection-level behaviour: subprotocols, basic auth, unknown stations, replacement,
frame size limit — over real sockets (PITFALLS "Real chargers" #3, #9, #10, #15)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from shared.config import DatabaseSettings
from shared.secrets import hash_password
from shared.store.stations import add_station, get_station
from shared.store.uow import UnitOfWork
from tests.harness import node_settings, ocpp_client, open_database, running_node

BOOT_16 = {"chargePointVendor": "Acme", "chargePointModel": "AC-22"}
BOOT_201 = {"chargingStation": {"vendorName": "Acme", "model": "DC"}, "reason": "PowerUp"}


def _sqlite(tmp_path: Path) -> DatabaseSettings:
    return DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")


async def _add(node, station_id: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
    async def add(uow: UnitOfWork) -> None:
        await add_station(uow, station_id, **kwargs)

    await node.writer.run(add)


async def test_no_subprotocol_gets_default_version(tmp_path: Path) -> None:
    settings = node_settings(_sqlite(tmp_path), ocpp={"default_version": "2.0.1"})
    async with (
        running_node(settings) as node,
        ocpp_client(node.ocpp_port, "NOPROTO", version=None) as client,
    ):
        assert client.ws.subprotocol is None
        answer = await client.call("BootNotification", BOOT_201)
        assert answer[2]["status"] == "Accepted"


async def test_station_version_override_beats_default(tmp_path: Path) -> None:
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        await _add(node, "OVR", version_override="2.0.1")
        async with ocpp_client(node.ocpp_port, "OVR", version=None) as client:
            answer = await client.call("BootNotification", BOOT_201)
            assert answer[0] == 3


async def _raw_handshake(port: int, station_id: str, protocol_header: str) -> str:
    """Send a handshake by hand (client libraries refuse malformed lists) and return the
    server's response head."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"GET /ocpp/{station_id} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {protocol_header}\r\n\r\n"
        ).encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    writer.close()
    return head.decode()


async def test_malformed_subprotocol_list_is_tolerated(tmp_path: Path) -> None:
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        head = await _raw_handshake(node.ocpp_port, "MALFORMED", ",ocpp2.0.1")
    assert head.startswith("HTTP/1.1 101")
    assert "Sec-WebSocket-Protocol: ocpp2.0.1" in head


async def test_only_unsupported_subprotocols_refused_with_400(tmp_path: Path) -> None:
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        url = f"ws://127.0.0.1:{node.ocpp_port}/ocpp/OLD"
        with pytest.raises(InvalidStatus) as info:
            async with connect(url, subprotocols=["ocpp1.5"], compression=None):  # type: ignore[list-item]
                pass
        assert info.value.response.status_code == 400
        assert b"ocpp1.6" in info.value.response.body


async def test_station_id_is_url_decoded(tmp_path: Path) -> None:
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        async with ocpp_client(node.ocpp_port, "CP%2F7%20A") as client:
            await client.call("BootNotification", BOOT_16)
    async with open_database(_sqlite(tmp_path)) as conn:
        assert await get_station(conn, "CP/7 A") is not None


async def test_wrong_path_refused(tmp_path: Path) -> None:
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        with pytest.raises(InvalidStatus) as info:
            async with connect(f"ws://127.0.0.1:{node.ocpp_port}/elsewhere/X"):
                pass
        assert info.value.response.status_code == 404


async def test_basic_auth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        await _add(node, "SECURE", password_hash=hash_password("s3cret-pass-0123"))
        async with ocpp_client(node.ocpp_port, "SECURE", password="s3cret-pass-0123") as client:
            assert (await client.call("BootNotification", BOOT_16))[0] == 3
        for password in ("wrong-password-99", None):
            with pytest.raises(InvalidStatus) as info:
                async with ocpp_client(node.ocpp_port, "SECURE", password=password):
                    pass
            assert info.value.response.status_code == 401
        # a user name other than the station id is refused too
        token = base64.b64encode(b"OTHER:s3cret-pass-0123").decode()
        with pytest.raises(InvalidStatus):
            async with connect(
                f"ws://127.0.0.1:{node.ocpp_port}/ocpp/SECURE",
                subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                additional_headers={"Authorization": f"Basic {token}"},
            ):
                pass
    output = capsys.readouterr()
    assert "wrong-password-99" not in output.out + output.err
    assert "authentication failed" in output.out + output.err


async def test_unknown_station_rejected_by_policy(tmp_path: Path) -> None:
    settings = node_settings(_sqlite(tmp_path), ocpp={"unknown_stations": "reject"})
    async with running_node(settings) as node:
        with pytest.raises(InvalidStatus) as info:
            async with ocpp_client(node.ocpp_port, "STRANGER"):
                pass
        assert info.value.response.status_code == 404
        await _add(node, "KNOWN")
        async with ocpp_client(node.ocpp_port, "KNOWN") as client:
            assert (await client.call("BootNotification", BOOT_16))[2]["status"] == "Accepted"


async def test_new_connection_replaces_old_one(tmp_path: Path) -> None:
    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        async with ocpp_client(node.ocpp_port, "TWICE") as first:
            await first.call("BootNotification", BOOT_16)
            async with ocpp_client(node.ocpp_port, "TWICE") as second:
                with pytest.raises(ConnectionClosed):
                    await asyncio.wait_for(first.ws.recv(), 5)
                assert (await second.call("Heartbeat", {}))[0] == 3
                await asyncio.sleep(0.1)
                async with node.database.read() as conn:
                    station = await get_station(conn, "TWICE")
                assert station is not None
                assert station.connected  # the old socket's close did not mark it offline
                assert len(node.csms.server.registry) == 1


async def test_frame_over_limit_closes_with_1009(tmp_path: Path) -> None:
    settings = node_settings(_sqlite(tmp_path), ocpp={"max_frame_bytes": 4096})
    async with running_node(settings) as node, ocpp_client(node.ocpp_port, "BIG") as client:
        await client.call("BootNotification", BOOT_16)
        await client.send_raw(
            '[2,"big","DataTransfer",{"vendorId":"x","data":"' + "x" * 8000 + '"}]'
        )
        with pytest.raises(ConnectionClosed) as info:
            await asyncio.wait_for(client.ws.recv(), 5)
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 1009
    # a fresh connection still works afterwards
    async with running_node(settings) as node, ocpp_client(node.ocpp_port, "BIG") as client:
        assert (await client.call("Heartbeat", {}))[0] == 3


async def test_keepalive_closes_a_silent_peer(tmp_path: Path) -> None:
    settings = node_settings(_sqlite(tmp_path), ocpp={"ping_interval": 0.2, "ping_timeout": 0.2})
    async with running_node(settings) as node:
        url = f"ws://127.0.0.1:{node.ocpp_port}/ocpp/SILENT"
        # ping_interval=None on our side; the library still answers pings automatically, so
        # stop reading to make the pong never come back: a paused transport does not read.
        async with connect(url, subprotocols=["ocpp1.6"], ping_interval=None) as ws:  # type: ignore[list-item]
            ws.transport.pause_reading()
            for _ in range(50):
                await asyncio.sleep(0.1)
                if len(node.csms.server.registry) == 0:
                    break
            assert len(node.csms.server.registry) == 0
            ws.transport.abort()


async def test_keepalive_can_be_switched_off_per_station(tmp_path: Path) -> None:
    settings = node_settings(_sqlite(tmp_path), ocpp={"ping_interval": 0.2, "ping_timeout": 0.2})
    async with running_node(settings) as node:
        await _add(node, "NOPING")
        from sqlalchemy import update

        from shared.store.tables import stations

        async with node.database.begin() as conn:
            await conn.execute(
                update(stations).where(stations.c.id == "NOPING").values(ping_interval=0)
            )
        url = f"ws://127.0.0.1:{node.ocpp_port}/ocpp/NOPING"
        async with connect(url, subprotocols=["ocpp1.6"], ping_interval=None) as ws:  # type: ignore[list-item]
            ws.transport.pause_reading()
            await asyncio.sleep(1.0)
            assert len(node.csms.server.registry) == 1
            ws.transport.abort()


async def test_disconnect_event_only_when_the_station_really_went_offline(
    tmp_path: Path,
) -> None:
    from shared.events import StationDisconnected

    async with running_node(node_settings(_sqlite(tmp_path))) as node:
        seen: list[StationDisconnected] = []
        node.bus.subscribe(StationDisconnected, seen.append)
        async with ocpp_client(node.ocpp_port, "GONE") as first:
            await first.call("BootNotification", BOOT_16)
            async with ocpp_client(node.ocpp_port, "GONE") as second:
                await second.call("Heartbeat", {})
                await asyncio.sleep(0.2)
                assert seen == []  # replaced, not offline
        for _ in range(50):
            if seen:
                break
            await asyncio.sleep(0.05)
        assert [event.station_id for event in seen] == ["GONE"]
