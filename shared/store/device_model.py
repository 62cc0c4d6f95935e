"""A station's device model in `station_variables`: one row per variable attribute.

OCPP 2.0.1 addresses a value by component (name, instance, EVSE, connector), variable (name,
instance) and attribute type (Actual, Target, MinSet, MaxSet); NotifyReport adds its
mutability and the variable's characteristics (Part 1 §4 "Device model"). A 1.6 configuration
key is the same thing with an empty component name: variable = key, attribute Actual,
`readonly` → mutability ReadOnly.

The `characteristics` column holds a JSON document of this module's own shape
(:func:`characteristics_doc`): the variable's characteristics plus the attribute's
`persistent` / `constant` flags, which have no column of their own.

Writers are deferred (one executemany per batch): a full base report has thousands of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, and_, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import station_variables
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert

__all__ = [
    "CONFIGURATION_COMPONENT",
    "AttributeType",
    "ConfigurationKey",
    "GetVariableStatus",
    "Mutability",
    "StationVariable",
    "VariableAddress",
    "VariableCharacteristics",
    "VariableReading",
    "characteristics_doc",
    "forget_configuration_keys",
    "forget_variables",
    "get_configuration_keys",
    "get_device_model",
    "get_variable",
    "record_configuration_keys",
    "record_get_variables_results",
    "record_variable_values",
    "record_variables",
]

#: The component name under which 1.6 configuration keys are kept.
CONFIGURATION_COMPONENT = ""

_KEY = (
    "station_id",
    "component",
    "component_instance",
    "evse_id",
    "connector_id",
    "variable",
    "variable_instance",
    "attribute_type",
)


class AttributeType(StrEnum):
    """AttributeEnumType (2.0.1); a 1.6 key has only the Actual value."""

    ACTUAL = "Actual"
    TARGET = "Target"
    MIN_SET = "MinSet"
    MAX_SET = "MaxSet"


class Mutability(StrEnum):
    """MutabilityEnumType (2.0.1)."""

    READ_ONLY = "ReadOnly"
    WRITE_ONLY = "WriteOnly"
    READ_WRITE = "ReadWrite"


class GetVariableStatus(StrEnum):
    """GetVariableStatusEnumType (2.0.1): how a charger answered one GetVariableData."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    UNKNOWN_COMPONENT = "UnknownComponent"
    UNKNOWN_VARIABLE = "UnknownVariable"
    NOT_SUPPORTED_ATTRIBUTE_TYPE = "NotSupportedAttributeType"


@dataclass(frozen=True, slots=True, order=True)
class VariableAddress:
    """Where a value lives in the device model. `attribute_type` stays a plain string: a
    lenient station may report a value outside the enum, and it is still an address."""

    component: str
    variable: str
    component_instance: str = ""
    evse_id: int = 0
    connector_id: int = 0
    variable_instance: str = ""
    attribute_type: str = AttributeType.ACTUAL.value

    @classmethod
    def configuration_key(cls, key: str) -> VariableAddress:
        """The address of a 1.6 configuration key."""
        return cls(component=CONFIGURATION_COMPONENT, variable=key)

    @property
    def is_configuration_key(self) -> bool:
        return self.component == CONFIGURATION_COMPONENT

    def label(self) -> str:
        """`Component[instance]@evse.connector.Variable[instance]/Attr`, for people."""
        if self.is_configuration_key:
            return self.variable
        component = self.component + (
            f"[{self.component_instance}]" if self.component_instance else ""
        )
        if self.evse_id:
            component += f"@{self.evse_id}" + (f".{self.connector_id}" if self.connector_id else "")
        variable = self.variable + (f"[{self.variable_instance}]" if self.variable_instance else "")
        suffix = "" if self.attribute_type == AttributeType.ACTUAL else f"/{self.attribute_type}"
        return f"{component}.{variable}{suffix}"


@dataclass(frozen=True, slots=True)
class VariableCharacteristics:
    """VariableCharacteristicsType (2.0.1): fixed facts about a variable."""

    data_type: str
    supports_monitoring: bool = False
    unit: str | None = None
    min_limit: float | None = None
    max_limit: float | None = None
    values_list: str | None = None


@dataclass(frozen=True, slots=True)
class StationVariable:
    """One attribute of one variable as the station reported it."""

    address: VariableAddress
    value: str | None = None
    mutability: str | None = None
    characteristics: VariableCharacteristics | None = None
    persistent: bool | None = None
    constant: bool | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConfigurationKey:
    """One KeyValue of a 1.6 GetConfiguration.conf."""

    key: str
    value: str | None
    readonly: bool


@dataclass(frozen=True, slots=True)
class VariableReading:
    """One GetVariableResult (2.0.1): the address asked for, the answer, the value."""

    address: VariableAddress
    status: str
    value: str | None = None


def characteristics_doc(variable: StationVariable) -> dict[str, Any] | None:
    """The `characteristics` JSON document of a row (None when there is nothing to keep)."""
    doc: dict[str, Any] = {}
    found = variable.characteristics
    if found is not None:
        doc.update(
            data_type=found.data_type,
            supports_monitoring=found.supports_monitoring,
            unit=found.unit,
            min_limit=found.min_limit,
            max_limit=found.max_limit,
            values_list=found.values_list,
        )
    if variable.persistent is not None:
        doc["persistent"] = variable.persistent
    if variable.constant is not None:
        doc["constant"] = variable.constant
    return {key: value for key, value in doc.items() if value is not None} or None


def _from_doc(doc: Mapping[str, Any] | None) -> tuple[VariableCharacteristics | None, Any, Any]:
    if not doc:
        return None, None, None
    characteristics = None
    if "data_type" in doc:
        characteristics = VariableCharacteristics(
            data_type=doc["data_type"],
            supports_monitoring=bool(doc.get("supports_monitoring", False)),
            unit=doc.get("unit"),
            min_limit=doc.get("min_limit"),
            max_limit=doc.get("max_limit"),
            values_list=doc.get("values_list"),
        )
    return characteristics, doc.get("persistent"), doc.get("constant")


def _key_row(station_id: str, address: VariableAddress) -> dict[str, Any]:
    return {
        "station_id": station_id,
        "component": address.component,
        "component_instance": address.component_instance,
        "evse_id": address.evse_id,
        "connector_id": address.connector_id,
        "variable": address.variable,
        "variable_instance": address.variable_instance,
        "attribute_type": address.attribute_type,
    }


def _defer_rows(
    uow: UnitOfWork, update: Sequence[str], rows: Iterable[tuple[VariableAddress, dict[str, Any]]]
) -> int:
    # One address twice in one batch would make a multi-row upsert touch a row twice
    # (PostgreSQL refuses that); the last report of it wins, as it would one by one.
    unique: dict[VariableAddress, dict[str, Any]] = {}
    for address, row in rows:
        unique[address] = row
    statement = upsert(uow.conn.dialect.name, station_variables, _KEY, update)
    uow.defer_many(statement, list(unique.values()))
    return len(unique)


def record_variables(uow: UnitOfWork, station_id: str, variables: Iterable[StationVariable]) -> int:
    """Store reported attributes (NotifyReport, configuration keys): value, mutability and
    characteristics replace what was known. Returns how many distinct rows were written."""

    def rows() -> Iterable[tuple[VariableAddress, dict[str, Any]]]:
        for variable in variables:
            row = _key_row(station_id, variable.address)
            row.update(
                value=variable.value,
                mutability=variable.mutability,
                characteristics=characteristics_doc(variable),
                updated_at=uow.now,
            )
            yield variable.address, row

    return _defer_rows(uow, ("value", "mutability", "characteristics", "updated_at"), rows())


def record_variable_values(
    uow: UnitOfWork, station_id: str, values: Iterable[tuple[VariableAddress, str | None]]
) -> int:
    """Store values only (GetVariables, SetVariables, NotifyEvent's actualValue): mutability
    and characteristics stay as the last report had them."""

    def rows() -> Iterable[tuple[VariableAddress, dict[str, Any]]]:
        for address, value in values:
            row = _key_row(station_id, address)
            row.update(value=value, mutability=None, characteristics=None, updated_at=uow.now)
            yield address, row

    return _defer_rows(uow, ("value", "updated_at"), rows())


_FORGET = delete(station_variables).where(
    and_(*(station_variables.c[name] == bindparam(f"k_{name}") for name in _KEY))
)
_FORGET_KEY = delete(station_variables).where(
    station_variables.c.station_id == bindparam("k_station_id"),
    station_variables.c.component == CONFIGURATION_COMPONENT,
    station_variables.c.variable == bindparam("k_variable"),
)


def forget_variables(
    uow: UnitOfWork, station_id: str, addresses: Iterable[VariableAddress]
) -> None:
    """Delete attributes the station says it does not have."""
    rows = [
        {f"k_{name}": value for name, value in _key_row(station_id, address).items()}
        for address in addresses
    ]
    uow.defer_many(_FORGET, rows)


def forget_configuration_keys(uow: UnitOfWork, station_id: str, keys: Iterable[str]) -> None:
    """Delete 1.6 keys the charger reported as unknown (GetConfiguration.conf unknownKey)."""
    uow.defer_many(_FORGET_KEY, [{"k_station_id": station_id, "k_variable": key} for key in keys])


def record_configuration_keys(
    uow: UnitOfWork,
    station_id: str,
    keys: Iterable[ConfigurationKey],
    unknown_keys: Iterable[str] = (),
) -> int:
    """Store a 1.6 GetConfiguration.conf: each key under component '' (readonly → ReadOnly,
    else ReadWrite); keys reported unknown are removed. Returns the rows written."""
    written = record_variables(
        uow,
        station_id,
        (
            StationVariable(
                address=VariableAddress.configuration_key(key.key),
                value=key.value,
                mutability=(Mutability.READ_ONLY if key.readonly else Mutability.READ_WRITE).value,
            )
            for key in keys
        ),
    )
    forget_configuration_keys(uow, station_id, unknown_keys)
    return written


# What a GetVariableResult status says about the address (2.0.1 B06): the value is known,
# the attribute or the whole variable/component does not exist, or nothing is learnt.
_ABSENT = {
    GetVariableStatus.UNKNOWN_COMPONENT.value,
    GetVariableStatus.UNKNOWN_VARIABLE.value,
    GetVariableStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE.value,
}


def record_get_variables_results(
    uow: UnitOfWork, station_id: str, results: Iterable[VariableReading]
) -> int:
    """Store a 2.0.1 GetVariablesResponse: Accepted values are written, addresses the
    station does not know are removed, Rejected ones leave the model as it was. Returns
    the values written."""
    results = list(results)
    forget_variables(uow, station_id, (r.address for r in results if r.status in _ABSENT))
    return record_variable_values(
        uow,
        station_id,
        ((r.address, r.value) for r in results if r.status == GetVariableStatus.ACCEPTED.value),
    )


def _variable(row: Row[Any]) -> StationVariable:
    characteristics, persistent, constant = _from_doc(row.characteristics)
    return StationVariable(
        address=VariableAddress(
            component=row.component,
            variable=row.variable,
            component_instance=row.component_instance,
            evse_id=row.evse_id,
            connector_id=row.connector_id,
            variable_instance=row.variable_instance,
            attribute_type=row.attribute_type,
        ),
        value=row.value,
        mutability=row.mutability,
        characteristics=characteristics,
        persistent=persistent,
        constant=constant,
        updated_at=row.updated_at,
    )


_ORDER = [station_variables.c[name] for name in _KEY[1:]]


async def get_device_model(conn: AsyncConnection, station_id: str) -> list[StationVariable]:
    """Every stored attribute of a station (1.6 keys included), ordered by address."""
    rows = await conn.execute(
        select(station_variables)
        .where(station_variables.c.station_id == station_id)
        .order_by(*_ORDER)
    )
    return [_variable(row) for row in rows]


async def get_configuration_keys(conn: AsyncConnection, station_id: str) -> list[ConfigurationKey]:
    """A 1.6 station's configuration keys as last reported, ordered by key."""
    rows = await conn.execute(
        select(
            station_variables.c.variable, station_variables.c.value, station_variables.c.mutability
        )
        .where(
            station_variables.c.station_id == station_id,
            station_variables.c.component == CONFIGURATION_COMPONENT,
        )
        .order_by(station_variables.c.variable)
    )
    return [
        ConfigurationKey(
            key=row.variable,
            value=row.value,
            readonly=row.mutability == Mutability.READ_ONLY.value,
        )
        for row in rows
    ]


async def get_variable(
    conn: AsyncConnection, station_id: str, address: VariableAddress
) -> StationVariable | None:
    """One attribute, or None when the station never reported it."""
    key = _key_row(station_id, address)
    row = (
        await conn.execute(
            select(station_variables).where(
                and_(*(station_variables.c[name] == value for name, value in key.items()))
            )
        )
    ).first()
    return _variable(row) if row is not None else None
