"""Fixtures: a fake CPO and the eMSP simulator, both on real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulators.emsp import EmspOptions, EmspSimulator

from .fake_cpo import FakeCpo


@pytest.fixture
async def cpo() -> AsyncIterator[FakeCpo]:
    server = FakeCpo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def emsp() -> AsyncIterator[EmspSimulator]:
    async with EmspSimulator(EmspOptions(country_code="NL", party_id="SIM")) as sim:
        yield sim


@pytest.fixture
async def registered(cpo: FakeCpo, emsp: EmspSimulator) -> EmspSimulator:
    await emsp.register(cpo.versions_url, cpo.token_a)
    return emsp
