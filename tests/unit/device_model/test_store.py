"""The device-model store on SQLite and PostgreSQL: 1.6 configuration keys, GetVariables
results, value-only updates, duplicates within one batch, reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared.store.database import Database
from shared.store.device_model import (
    ConfigurationKey,
    StationVariable,
    VariableAddress,
    VariableCharacteristics,
    VariableReading,
    get_configuration_keys,
    get_device_model,
    get_variable,
    record_configuration_keys,
    record_get_variables_results,
    record_variable_values,
    record_variables,
)
from shared.store.stations import add_station
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter

T = TypeVar("T")
STATION = "CS-DM"
HEARTBEAT = VariableAddress("OCPPCommCtrlr", "HeartbeatInterval")


async def _run(database: Database, use_case: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    writer = BatchWriter(database, None)
    writer.start()
    try:
        return await writer.run(use_case)
    finally:
        await writer.aclose()


async def _with_station(database: Database) -> None:
    async def add(uow: UnitOfWork) -> None:
        await add_station(uow, STATION)

    await _run(database, add)


async def test_configuration_keys(database: Database) -> None:
    await _with_station(database)
    first = [
        ConfigurationKey("HeartbeatInterval", "300", readonly=False),
        ConfigurationKey("NumberOfConnectors", "2", readonly=True),
        ConfigurationKey("Obsolete", "x", readonly=False),
    ]

    async def store_first(uow: UnitOfWork) -> int:
        return record_configuration_keys(uow, STATION, first)

    async def store_second(uow: UnitOfWork) -> int:
        keys = [ConfigurationKey("HeartbeatInterval", "60", readonly=False)]
        return record_configuration_keys(uow, STATION, keys, unknown_keys=["Obsolete"])

    assert await _run(database, store_first) == 3
    assert await _run(database, store_second) == 1
    async with database.read() as conn:
        keys = await get_configuration_keys(conn, STATION)
        model = await get_device_model(conn, STATION)
    assert keys == [
        ConfigurationKey("HeartbeatInterval", "60", readonly=False),
        ConfigurationKey("NumberOfConnectors", "2", readonly=True),
    ]
    assert [v.mutability for v in model] == ["ReadWrite", "ReadOnly"]
    assert all(v.address.is_configuration_key for v in model)


async def test_get_variables_results_and_value_updates(database: Database) -> None:
    await _with_station(database)
    gone = VariableAddress("OCPPCommCtrlr", "Gone")
    refused = VariableAddress("SecurityCtrlr", "Identity")
    reported = [
        StationVariable(
            HEARTBEAT,
            value="300",
            mutability="ReadWrite",
            characteristics=VariableCharacteristics("integer", unit="s"),
            persistent=True,
        ),
        StationVariable(gone, value="1", mutability="ReadOnly"),
        StationVariable(refused, value="CS-DM", mutability="ReadOnly"),
    ]

    async def report(uow: UnitOfWork) -> int:
        return record_variables(uow, STATION, reported)

    async def read_back(uow: UnitOfWork) -> int:
        return record_get_variables_results(
            uow,
            STATION,
            [
                VariableReading(HEARTBEAT, "Accepted", "120"),
                VariableReading(gone, "UnknownVariable"),
                VariableReading(refused, "Rejected"),
                VariableReading(VariableAddress("New", "Thing"), "Accepted", "on"),
            ],
        )

    await _run(database, report)
    assert await _run(database, read_back) == 2
    async with database.read() as conn:
        heartbeat = await get_variable(conn, STATION, HEARTBEAT)
        model = {v.address: v for v in await get_device_model(conn, STATION)}
    assert heartbeat is not None
    # The value changed; what NotifyReport said about the variable stays.
    assert heartbeat.value == "120"
    assert heartbeat.mutability == "ReadWrite"
    assert heartbeat.characteristics == VariableCharacteristics("integer", unit="s")
    assert heartbeat.persistent is True
    assert gone not in model
    assert model[refused].value == "CS-DM"
    new = model[VariableAddress("New", "Thing")]
    assert (new.value, new.mutability, new.characteristics) == ("on", None, None)


async def test_one_address_twice_in_a_batch_last_wins(database: Database) -> None:
    await _with_station(database)

    async def twice(uow: UnitOfWork) -> int:
        written = record_variables(
            uow,
            STATION,
            [StationVariable(HEARTBEAT, value="1"), StationVariable(HEARTBEAT, value="2")],
        )
        written += record_variable_values(uow, STATION, [(HEARTBEAT, "3"), (HEARTBEAT, "4")])
        return written

    assert await _run(database, twice) == 2
    async with database.read() as conn:
        heartbeat = await get_variable(conn, STATION, HEARTBEAT)
        missing = await get_variable(conn, STATION, VariableAddress("No", "Such"))
    assert heartbeat is not None
    assert heartbeat.value == "4"
    assert missing is None
