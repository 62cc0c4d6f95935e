"""Security profile 2: TLS plus HTTP Basic auth, with a certificate made for the test."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path

import pytest
import trustme
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from shared.config import DatabaseSettings
from shared.secrets import hash_password
from shared.store.stations import add_station
from shared.store.uow import UnitOfWork
from tests.harness import node_settings, running_node


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path, ssl.SSLContext]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_path), append=True)
    cert.private_key_pem.write_to_path(str(key_path))
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return cert_path, key_path, client


def _auth(station_id: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{station_id}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def test_tls_with_basic_auth(
    tmp_path: Path, tls_files: tuple[Path, Path, ssl.SSLContext]
) -> None:
    cert, key, client_context = tls_files
    settings = node_settings(
        DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'tls.db'}"),
        ocpp={"tls_cert": str(cert), "tls_key": str(key)},
    )
    async with running_node(settings) as node:

        async def add(uow: UnitOfWork) -> None:
            await add_station(uow, "TLS-1", password_hash=hash_password("a-strong-password-16"))

        await node.writer.run(add)
        url = f"wss://127.0.0.1:{node.ocpp_port}/ocpp/TLS-1"
        async with connect(
            url,
            ssl=client_context,
            subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
            additional_headers=_auth("TLS-1", "a-strong-password-16"),
        ) as ws:
            await ws.send(
                '[2,"1","BootNotification",{"reason":"PowerUp",'
                '"chargingStation":{"vendorName":"Acme","model":"S2"}}]'
            )
            assert '"Accepted"' in str(await ws.recv())
        with pytest.raises(InvalidStatus) as info:
            async with connect(
                url,
                ssl=client_context,
                subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
                additional_headers=_auth("TLS-1", "not-the-password"),
            ):
                pass
        assert info.value.response.status_code == 401
        # plain ws:// is not served on a TLS port
        with pytest.raises(Exception):  # noqa: B017, PT011 - the handshake fails in some way
            async with connect(f"ws://127.0.0.1:{node.ocpp_port}/ocpp/TLS-1", open_timeout=3):
                pass
